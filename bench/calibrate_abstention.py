"""Calibrate the abstention threshold on the dev set and show how well it separates.

For every dev question it prints the support (the best similarity of any sentence of the
top passages to the question) and whether the question quotes a passage, then picks the
threshold that best separates answerable from unanswerable questions (maximising the
smaller of abstention precision and recall, then accuracy) under the engine's rule: "refuse
when support < threshold, unless the question quotes a passage; a question naming something the
documents never mention needs `name_penalty` more support" (rag.settings.AbstentionSettings).
Every input is read from the search's decision record (`SearchResult.decision`), never from
the wording of its notes.

    python bench/calibrate_abstention.py [--devset eval/devset.jsonl] [--check eval/heldout.jsonl]

`--check` applies the chosen threshold, unchanged, to a second set (the held-out one).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from rag.engine import Engine
from rag.settings import RETRIEVAL_ONLY


def abstention_scores(refused: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    right = int((refused & truth).sum())
    precision = right / refused.sum() if refused.sum() else 1.0
    recall = right / truth.sum() if truth.sum() else 1.0
    return precision, recall, float((refused == truth).mean())


def refusals(support: np.ndarray, threshold: float, quoted: np.ndarray) -> np.ndarray:
    """The engine's rule on support (after the unknown-name penalty): refuse below the
    threshold unless the question quotes a passage."""
    return (support < threshold) & ~quoted


def best_threshold(support: np.ndarray, quoted: np.ndarray, truth: np.ndarray) -> float:
    """The threshold with the best smaller-of-precision-and-recall, then accuracy; taken
    midway between two observed supports, so rounding it does not move a question."""
    distinct = np.unique(support)
    cuts = (distinct[1:] + distinct[:-1]) / 2
    best = max((min(p, r), a, t) for t in cuts
               for p, r, a in [abstention_scores(refusals(support, t, quoted), truth)])
    return float(best[2])


def roc_auc(scores: np.ndarray, truth: np.ndarray) -> float:
    """Chance that an unanswerable question scores above an answerable one (ties count half)."""
    positive, negative = scores[truth], scores[~truth]
    wins = (positive[:, None] > negative[None, :]).sum()
    ties = (positive[:, None] == negative[None, :]).sum()
    return float((wins + ties / 2) / (positive.size * negative.size))


def measure(engine: Engine, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per question of the set: support after the name penalty, quotes a passage, is
    unanswerable; printed lowest support first."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    support, quoted, names = [], [], []
    for row in rows:
        decision = engine.search(row["question"]).decision
        support.append(decision.support)
        quoted.append(decision.verbatim)
        names.append(bool(decision.unknown_names))
    for row, value, quotes, unknown in sorted(zip(rows, support, quoted, names, strict=True),
                                              key=lambda item: item[1]):
        label = "UNANS" if row["unanswerable"] else row["kind"][:5]
        flag = "quotes " if quotes else "names  " if unknown else "       "
        print(f"{label:6} support {value:.3f} {flag}{row['question'][:70]}")
    effective = np.array(support) - engine.query.abstention.name_penalty * np.array(names)
    return effective, np.array(quoted), np.array([bool(row["unanswerable"]) for row in rows])


def report(name: str, support: np.ndarray, quoted: np.ndarray, truth: np.ndarray,
           threshold: float) -> None:
    precision, recall, accuracy = abstention_scores(refusals(support, threshold, quoted), truth)
    print(f"{name}: ROC AUC of support for unanswerable questions {roc_auc(-support, truth):.3f}; "
          f"threshold {threshold:.4f}: abstention precision {precision:.3f}, recall {recall:.3f}, "
          f"accuracy {accuracy:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=Path("eval/devset.jsonl"))
    parser.add_argument("--check", type=Path, help="a second set to apply the threshold to")
    args = parser.parse_args()
    engine = Engine.open(query=RETRIEVAL_ONLY)
    support, quoted, truth = measure(engine, args.devset)
    threshold = best_threshold(support, quoted, truth)
    print()
    report(str(args.devset), support, quoted, truth, threshold)
    refused = np.array([refusals(support[i:i + 1], best_threshold(
        np.delete(support, i), np.delete(quoted, i), np.delete(truth, i)), quoted[i:i + 1])[0]
        for i in range(len(support))])
    precision, recall, accuracy = abstention_scores(refused, truth)
    print(f"leave-one-out (threshold chosen without the question it judges): precision "
          f"{precision:.3f}, recall {recall:.3f}, accuracy {accuracy:.3f}")
    if args.check:
        print()
        checked = measure(engine, args.check)
        print()
        report(f"{args.check} (threshold unchanged)", *checked, threshold)


if __name__ == "__main__":
    main()
