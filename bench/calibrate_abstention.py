"""Calibrate the abstention rule on the dev set and show how well it separates.

For every dev question it prints the two signals (IDF-weighted coverage of the question's
words by the top passages, and the best dense cosine), then searches a grid for the
dense factor and threshold that best separate answerable from unanswerable questions
(maximising the smaller of abstention precision and recall, then accuracy) under the rule
"refuse when coverage + factor * dense < threshold, unless the question quotes a passage".

    python bench/calibrate_abstention.py [--devset eval/devset.jsonl]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from rag.abstention import PASSAGES_CHECKED
from rag.engine import Engine


def signals(engine: Engine, question: str) -> tuple[float, float, bool]:
    result = engine.search(question, k=PASSAGES_CHECKED, answer=False)
    query_terms = engine.stored.lexical.query_terms(result.question)
    top = result.passages[:PASSAGES_CHECKED]
    evidence = engine.evidence(result.question, query_terms, [p.text for p in top],
                               max(p.signals["dense"] for p in top))
    return evidence.coverage, evidence.dense, evidence.verbatim


def score(rule: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    refused, should = rule.sum(), truth.sum()
    right = (rule & truth).sum()
    precision = right / refused if refused else 1.0
    recall = right / should if should else 1.0
    return min(precision, recall), float((rule == truth).mean()), precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=Path("eval/devset.jsonl"))
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.devset.read_text("utf-8").splitlines() if line]
    engine = Engine.open()
    table = [(row, *signals(engine, row["question"])) for row in rows]
    for row, cov, dense, verbatim in sorted(table, key=lambda t: t[1] + t[2]):
        label = "UNANS" if row["unanswerable"] else row["kind"][:5]
        print(f"{label:6} cov {cov:.2f} dense {dense:.2f} verb {int(verbatim)}  "
              f"{row['question'][:70]}")
    cov = np.array([t[1] for t in table])
    dense = np.array([t[2] for t in table])
    verbatim = np.array([t[3] for t in table])
    truth = np.array([bool(t[0]["unanswerable"]) for t in table])
    best = None
    for factor in np.arange(0.0, 3.01, 0.25):
        support = cov + factor * dense
        for threshold in np.unique(support):
            rule = (support < threshold) & ~verbatim
            key = score(rule, truth)
            if best is None or key[:2] > best[0][:2]:
                best = (key, factor, threshold)
    (balanced, accuracy, precision, recall), factor, threshold = best
    print(f"\nbest: factor {factor:.2f}, threshold {threshold:.3f}: abstention precision "
          f"{precision:.3f}, recall {recall:.3f}, accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
