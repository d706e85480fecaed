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

from rag.answer import PASSAGES_READ
from rag.engine import Engine
from rag.quotes import quotes_verbatim


def abstention_scores(refused: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    right = int((refused & truth).sum())
    precision = right / refused.sum() if refused.sum() else 1.0
    recall = right / truth.sum() if truth.sum() else 1.0
    return precision, recall, float((refused == truth).mean())


def best_threshold(values: np.ndarray, quoted: np.ndarray, truth: np.ndarray) -> float:
    """The threshold with the best smaller-of-precision-and-recall, then accuracy; taken
    midway between two observed supports, so rounding it does not move a question."""
    distinct = np.unique(values)
    cuts = (distinct[1:] + distinct[:-1]) / 2
    best = max((min(p, r), a, t) for t in cuts
               for p, r, a in [abstention_scores((values < t) & ~quoted, truth)])
    return float(best[2])


def roc_auc(scores: np.ndarray, truth: np.ndarray) -> float:
    """Chance that an unanswerable question scores above an answerable one (ties count half)."""
    positive, negative = scores[truth], scores[~truth]
    wins = (positive[:, None] > negative[None, :]).sum()
    ties = (positive[:, None] == negative[None, :]).sum()
    return float((wins + ties / 2) / (positive.size * negative.size))


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
    threshold = best_threshold(values, quoted, truth)
    precision, recall, accuracy = abstention_scores((values < threshold) & ~quoted, truth)
    print(f"\nROC AUC of support for unanswerable questions: {roc_auc(-values, truth):.3f}")
    print(f"best threshold {threshold:.4f}: abstention precision {precision:.3f}, "
          f"recall {recall:.3f}, accuracy {accuracy:.3f}")
    refused = np.array([values[i] < best_threshold(np.delete(values, i), np.delete(quoted, i),
                                                   np.delete(truth, i)) and not quoted[i]
                        for i in range(len(values))])
    precision, recall, accuracy = abstention_scores(refused, truth)
    print(f"leave-one-out (threshold chosen without the question it judges): precision "
          f"{precision:.3f}, recall {recall:.3f}, accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
