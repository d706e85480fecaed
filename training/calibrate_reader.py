"""Calibrate the reader on dev: a logistic fit of P(answered) on the best passage logit and the
best closeness (cosine of a passage's best sentence) among the passages it rereads, and the
refusal threshold: the highest that refuses at most 10 % of the answerable dev questions, on
the confidence the engine computes (the most probable reread passage's). Writes the
calibration into the model's record.

    python -m training.calibrate_reader EVALSETS --model reader-l6 [--depth 5]
    python -m training.calibrate_reader EVALSETS --support   # the similarity rule's confidence
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from rag.answer.reader import MODELS, Calibration
from rag.settings import ReaderSettings
from training.reader_runs import dev_sets, run
from training.sweep_reader import cached_reading


def calibrate_support(evalsets: Path) -> None:
    """Platt scaling of the similarity support (the reader off), printed for
    AbstentionSettings."""
    support, answerable = [], []
    for question_set in dev_sets(evalsets):
        rows, _ = run(question_set, ReaderSettings(enabled=False))
        support += [float(r["decision"]["support"]) for r in rows]
        answerable += [not r["unanswerable"] for r in rows]
    fit = LogisticRegression(C=1e6).fit(np.array(support).reshape(-1, 1), answerable)
    print(f"confidence_scale = {fit.coef_[0, 0]:.4f}, "
          f"confidence_shift = {fit.intercept_[0]:.4f} ({len(support)} dev questions, "
          f"{answerable.count(False)} unanswerable)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("evalsets", type=Path)
    parser.add_argument("--model", default="reader-l6")
    parser.add_argument("--depth", type=int, default=ReaderSettings().depth,
                        help="passages the reader rereads (ReaderSettings.depth)")
    parser.add_argument("--max-answerable-refused", type=float, default=0.10)
    parser.add_argument("--support", action="store_true", help="calibrate the similarity "
                        "support instead (reader off), and print the scaling for "
                        "AbstentionSettings")
    args = parser.parse_args()
    if args.support:
        calibrate_support(args.evalsets)
        return
    questions = [row for question_set in dev_sets(args.evalsets)
                 for row in cached_reading(question_set, args.model, 10)]
    read = [(np.array(r["logits"][:args.depth]), np.array(r["closeness"][:args.depth]))
            for r in questions if r["logits"]]
    y = np.array([not r["unanswerable"] for r in questions if r["logits"]])
    x = np.array([[logits.max(), closeness.max()] for logits, closeness in read])
    fit = LogisticRegression(C=1e6).fit(x, y)
    calibration = Calibration(scale=round(float(fit.coef_[0, 0]), 5),
                              shift=round(float(fit.intercept_[0]), 5),
                              closeness_scale=round(float(fit.coef_[0, 1]), 5))
    probability = np.array([max(calibration.probability(float(v), float(c))
                                for v, c in zip(logits, closeness, strict=True))
                            for logits, closeness in read])
    # The highest threshold that refuses at most `--max-answerable-refused` of the answerable
    # dev questions: a wrong refusal hides an answer, while a wrong answer is shown as
    # "uncertain" with the cited sentence to check, so the two errors are not weighed alike.
    best = max(t for t in np.unique(np.round(probability, 3))
               if np.mean(probability[y] < t) <= args.max_answerable_refused)
    record_path = MODELS / f"{args.model}.json"
    record = json.loads(record_path.read_text())
    record["calibration"] = {"scale": calibration.scale, "shift": calibration.shift,
                             "closeness_scale": calibration.closeness_scale,
                             "threshold": float(best)}
    record["calibration_data"] = {"questions": len(y), "unanswerable": int((~y).sum()),
                                  "depth": args.depth,
                                  "sets": [s.name for s in dev_sets(args.evalsets)]}
    record_path.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record["calibration"]), f"ROC AUC {roc_auc_score(y, probability):.3f};",
          f"threshold {best:.3f}: answerable answered "
          f"{np.mean(probability[y] >= best):.3f}, unanswerable refused "
          f"{np.mean(probability[~y] < best):.3f} on {len(y)} dev questions")


if __name__ == "__main__":
    main()
