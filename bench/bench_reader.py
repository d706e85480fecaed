"""What the reader adds to a question on the shipped corpus: `Engine.search` p50/p95 with the
reader off and on (interleaved, so load hits both alike), per rerank depth N and per model.

    python bench/bench_reader.py [--models reader-l6] [--depths 3 5 10] [--rounds 3]

Each model and depth is timed as configured (no sentence rescoring) and with it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace
from pathlib import Path

from rag.engine import Engine
from rag.evaluation.metrics import percentile
from rag.settings import ALL_SENTENCES, QuerySettings, ReaderSettings


def questions() -> list[str]:
    rows = []
    for name in ("eval/devset.jsonl", "eval/heldout.jsonl"):
        lines = Path(name).read_text(encoding="utf-8").splitlines()
        rows += [json.loads(line)["question"] for line in lines if line.strip()]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=["reader-l6"])
    parser.add_argument("--depths", nargs="*", type=int, default=[10])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    variants = {"reader off": ReaderSettings(enabled=False)}
    for model in args.models:
        for depth in args.depths:
            settings = ReaderSettings(enabled=True, model=model, depth=depth)
            variants[f"{model}, N={depth}, no sentence rescoring"] = replace(
                settings, rescore_sentences=0)
            variants[f"{model}, N={depth} (best {settings.rescore_sentences} sentences "
                     "rescored)"] = settings
            variants[f"{model}, N={depth}, every sentence rescored"] = replace(
                settings, rescore_sentences=ALL_SENTENCES)
    engines = {name: Engine.open(query=QuerySettings(reader=settings))
               for name, settings in variants.items()}
    asked = questions()
    timings: dict[str, list[float]] = {name: [] for name in engines}
    for engine in engines.values():
        engine.search(asked[0])  # load the models outside the timings
    for _ in range(args.rounds):
        for question in asked:
            for name, engine in engines.items():
                began = time.perf_counter()
                engine.search(question, k=5)
                timings[name].append((time.perf_counter() - began) * 1000)
    base = statistics.median(timings["reader off"])
    print(f"Engine.search on the shipped corpus, {len(asked)} questions x {args.rounds} rounds")
    print("| variant | p50 ms | p95 ms | added p50 ms |\n|---|---|---|---|")
    for name, values in timings.items():
        p50 = statistics.median(values)
        p95 = percentile(values, 0.95) or 0.0
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {p50 - base:+.1f} |")


if __name__ == "__main__":
    main()
