"""The reader's ablation and curves on the dev sets (choices are made here, never on test):
each heuristic switched on or off under the reader, the rerank depth N, and the model's depth.

    python -m training.ablate_reader build/evalsets [--models reader-l6] [--depths 5 20]

Prints one row per variant and set: Recall@1, answer holds the gold, answerable refused,
unanswerable refused, ROC AUC of the probability, and latency p50 per question.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from rag.settings import ALL_SENTENCES, ReaderSettings
from training.reader_runs import dev_sets, run, test_sets

COLUMNS = ("recall@1", "answer_accuracy", "answerable_refused", "unanswerable_refused",
           "confidence_auc", "latency_ms_p50")


def variants(args: argparse.Namespace) -> list[tuple[str, ReaderSettings]]:
    base = ReaderSettings(enabled=True)
    out = [("reader off (similarity rules)", ReaderSettings(enabled=False)),
           ("reader on", base),
           ("reader + names rule", replace(base, names_rule=True)),
           ("reader + answer-type rule", replace(base, answer_type_rule=True)),
           ("reader + sentence threshold", replace(base, sentence_rule=True)),
           ("reader - quote rule", replace(base, quote_rule=False)),
           ("reader, no sentence rescoring", replace(base, rescore_sentences=0)),
           ("reader, every sentence rescored", replace(base, rescore_sentences=ALL_SENTENCES)),
           ("reader, best 3 sentences rescored", replace(base, rescore_sentences=3))]
    out += [(f"reader, N = {n}", replace(base, depth=n)) for n in args.depths
            if n != base.depth]
    out += [(f"reader, model {m}", replace(base, model=m)) for m in args.models
            if m != base.model]
    return out


def cell(value: object) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("evalsets", type=Path)
    parser.add_argument("--models", nargs="*", default=[])
    parser.add_argument("--depths", nargs="*", type=int, default=[5, 10])
    parser.add_argument("--variants", nargs="*", default=None,
                        help="only the variants whose name contains one of these")
    parser.add_argument("--test", action="store_true",
                        help="the reader off and on, on the test sets (report only)")
    parser.add_argument("--only", help="only the set of this name (e.g. 'project dev')")
    parser.add_argument("--short", action="store_true", help="the reader off and on only")
    args = parser.parse_args()
    sets = test_sets(args.evalsets) if args.test else dev_sets(args.evalsets)
    sets = [s for s in sets if args.only in (None, s.name)]
    chosen = variants(args)[:2] if args.test or args.short else variants(args)
    if args.variants:
        chosen = [(n, s) for n, s in chosen if any(part in n for part in args.variants)]
    print("| variant | set | " + " | ".join(COLUMNS) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for name, settings in chosen:
        for question_set in sets:
            _, summary = run(question_set, settings)
            print(f"| {name} | {question_set.name} | "
                  + " | ".join(cell(summary.get(c)) for c in COLUMNS) + " |", flush=True)


if __name__ == "__main__":
    main()
