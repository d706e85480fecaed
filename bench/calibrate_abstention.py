"""Calibrate the abstention threshold on the dev set and show how well it separates.

For every dev question it prints the support (the best similarity of any sentence of the
top passages to the question) and whether the question quotes a passage, then picks the
threshold that best separates answerable from unanswerable questions (maximising the
smaller of abstention precision and recall, then accuracy) under the engine's rule: "refuse
when support < threshold, unless the question quotes a passage; refuse always when it names
something the documents never mention".

    python bench/calibrate_abstention.py [--devset eval/devset.jsonl]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from rag.answer import PASSAGES_READ
from rag.engine import Engine
from rag.messages import NEVER_MENTIONED
from rag.quotes import quotes_verbatim

NEVER_MENTIONED_PREFIX = NEVER_MENTIONED.split("{")[0]


def abstention_scores(refused: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    right = int((refused & truth).sum())
    precision = right / refused.sum() if refused.sum() else 1.0
    recall = right / truth.sum() if truth.sum() else 1.0
    return precision, recall, float((refused == truth).mean())


def refusals(values: np.ndarray, threshold: float, quoted: np.ndarray,
             named: np.ndarray) -> np.ndarray:
    """The engine's rule: refuse on low support unless the question quotes a passage, and
    always when it names something the documents never mention."""
    return named | ((values < threshold) & ~quoted)


def best_threshold(values: np.ndarray, quoted: np.ndarray, named: np.ndarray,
                   truth: np.ndarray) -> float:
    """The threshold with the best smaller-of-precision-and-recall, then accuracy; taken
    midway between two observed supports, so rounding it does not move a question."""
    distinct = np.unique(values)
    cuts = (distinct[1:] + distinct[:-1]) / 2
    best = max((min(p, r), a, t) for t in cuts
               for p, r, a in [abstention_scores(refusals(values, t, quoted, named), truth)])
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
    support, verbatim, names = [], [], []
    for row in rows:
        result = engine.search(row["question"])
        support.append(result.support)
        verbatim.append(quotes_verbatim(result.question,
                                        [p.text for p in result.passages[:PASSAGES_READ]]))
        names.append(any(note.startswith(NEVER_MENTIONED_PREFIX) for note in result.notes))
    for row, value, quoted, unknown in sorted(zip(rows, support, verbatim, names, strict=True),
                                              key=lambda item: item[1]):
        label = "UNANS" if row["unanswerable"] else row["kind"][:5]
        flag = "quotes " if quoted else "names  " if unknown else "       "
        print(f"{label:6} support {value:.3f} {flag}{row['question'][:70]}")
    values, quoted, named = np.array(support), np.array(verbatim), np.array(names)
    truth = np.array([bool(row["unanswerable"]) for row in rows])
    threshold = best_threshold(values, quoted, named, truth)
    precision, recall, accuracy = abstention_scores(
        refusals(values, threshold, quoted, named), truth)
    print(f"\nROC AUC of support for unanswerable questions: {roc_auc(-values, truth):.3f}")
    print(f"best threshold {threshold:.4f}: abstention precision {precision:.3f}, "
          f"recall {recall:.3f}, accuracy {accuracy:.3f}")
    refused = np.array([refusals(values[i:i + 1], best_threshold(
        np.delete(values, i), np.delete(quoted, i), np.delete(named, i), np.delete(truth, i)),
        quoted[i:i + 1], named[i:i + 1])[0] for i in range(len(values))])
    precision, recall, accuracy = abstention_scores(refused, truth)
    print(f"leave-one-out (threshold chosen without the question it judges): precision "
          f"{precision:.3f}, recall {recall:.3f}, accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
