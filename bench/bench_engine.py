"""Build throughput and query latency of the real pipeline.

Prints passages/s for a full build (embedding everything) and the median and p95 of
query latency (question encoding + search), on the shipped corpus and on a BEIR corpus.

    python bench/bench_engine.py                                # shipped corpus
    python bench/bench_engine.py --beir ../shared/data/scifact  # SciFact (5,183 abstracts)
    python bench/bench_engine.py --beir ../shared/data/scifact --docs 1000  # a quicker subset
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from rag.engine import Engine
from rag.index.builder import build_index, index_documents
from rag.index.embedding import shared_embedder
from rag.index.store import build_lock
from rag.ingest.beir import load_beir
from rag.settings import RETRIEVAL_ONLY, Settings, default_corpus_dir

T = TypeVar("T")
SHIPPED_QUESTIONS = [
    "Which countries besides the two Koreas and the US must take part in a peace regime?",
    "What is a peace regime?", "Who wrote the report?", "Should South Korea go nuclear?",
    "Why did the Hanoi summit fail?", "What is people-focused engagement?",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_calls(ask: Callable[[T], object], questions: Sequence[T], rounds: int) -> list[float]:
    """Milliseconds per call over `rounds` passes, after three untimed warm-up calls."""
    for question in questions[:3]:
        ask(question)
    timings = []
    for _ in range(rounds):
        for question in questions:
            began = time.perf_counter()
            ask(question)
            timings.append((time.perf_counter() - began) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, help="a BEIR folder instead of the shipped corpus")
    parser.add_argument("--queries", type=int, default=200, help="BEIR queries to time")
    parser.add_argument("--docs", type=int, help="BEIR: index only the first N documents")
    args = parser.parse_args()
    shared_embedder()  # load the model outside the timings
    with tempfile.TemporaryDirectory() as scratch:
        index_dir = Path(scratch) / "index"
        began = time.perf_counter()
        if args.beir:
            data = load_beir(args.beir, "train")
            with build_lock(index_dir):
                report = index_documents(data.documents[:args.docs], index_dir, Settings())
            questions, rounds, corpus = list(data.queries.values())[:args.queries], 1, args.beir
        else:
            report = build_index(default_corpus_dir(), index_dir)
            questions, rounds, corpus = SHIPPED_QUESTIONS, 20, default_corpus_dir()
        seconds = time.perf_counter() - began
        engine = Engine.open(index_dir, corpus, query=RETRIEVAL_ONLY)
        timings = time_calls(lambda q: engine.search(q, k=10), questions, rounds)
    print(f"corpus: {corpus} ({report.documents} documents, {report.chunks} passages)")
    print(f"build: {seconds:.1f} s, {report.chunks / seconds:.1f} passages/s, "
          f"{report.units / seconds:.1f} embedded texts/s ({report.units} texts: passages and "
          "their sentences)")
    print(f"query latency over {len(timings)} queries: p50 {statistics.median(timings):.1f} ms, "
          f"p95 {percentile(timings, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
