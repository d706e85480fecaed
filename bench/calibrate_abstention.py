"""Calibrate the abstention threshold on the dev set and show how well it separates.

For every dev question it prints the support (the best similarity of any sentence of the
top passages to the question) and whether the question quotes a passage, then picks the
threshold that best separates answerable from unanswerable questions (maximising the
smaller of abstention precision and recall, then accuracy) under the rule
"refuse when support < threshold, unless the question quotes a passage verbatim".

    python bench/calibrate_abstention.py [--devset eval/devset.jsonl]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from rag.abstention import quotes_verbatim
from rag.answer import PASSAGES_READ
from rag.engine import Engine


def abstention_scores(refused: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    right = int((refused & truth).sum())
    precision = right / refused.sum() if refused.sum() else 1.0
    recall = right / truth.sum() if truth.sum() else 1.0
    return precision, recall, float((refused == truth).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=Path("eval/devset.jsonl"))
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.devset.read_text("utf-8").splitlines() if line]
    engine = Engine.open()
    support, verbatim = [], []
    for row in rows:
        result = engine.search(row["question"])
        support.append(result.support)
        verbatim.append(quotes_verbatim(result.question,
                                        [p.text for p in result.passages[:PASSAGES_READ]]))
    for row, value, quoted in sorted(zip(rows, support, verbatim, strict=True),
                                     key=lambda item: item[1]):
        label = "UNANS" if row["unanswerable"] else row["kind"][:5]
        print(f"{label:6} support {value:.3f} {'quotes ' if quoted else '       '}"
              f"{row['question'][:70]}")
    values, quoted = np.array(support), np.array(verbatim)
    truth = np.array([bool(row["unanswerable"]) for row in rows])
    best = max(((min(p, r), a, t, p, r) for t in np.unique(values)
                for p, r, a in [abstention_scores((values < t) & ~quoted, truth)]))
    _, accuracy, threshold, precision, recall = best
    print(f"\nbest threshold {threshold:.3f}: abstention precision {precision:.3f}, "
          f"recall {recall:.3f}, accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
