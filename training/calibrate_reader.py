"""Calibrate the reader on dev: a logistic fit of P(answered) on the evidence about the passages
it rereads (rag.answer.evidence: logit, closest sentence, fused score and the two margins),
each signal's best over the passages reread, and the refusal threshold: the highest that
refuses at most 10 % of the answerable dev questions, on the confidence the engine computes.
Writes the calibration into the model's record.

    python -m training.calibrate_reader EVALSETS --model reader-l6 [--depth 5]
    python -m training.calibrate_reader EVALSETS --support   # the similarity rule's confidence
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from rag.answer.evidence import Evidence, question_evidence, reread_evidence
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


def fitted(read: list[list[Evidence]], answerable: np.ndarray) -> Calibration:
    """The logistic fit on each signal's best over a question's reread passages."""
    fit = LogisticRegression(C=1e6, max_iter=1000).fit(
        np.array([question_evidence(evidence) for evidence in read]), answerable)
    return Calibration(shift=round(float(fit.intercept_[0]), 5), **{
        f"{'' if name == 'logit' else name + '_'}scale": round(float(weight), 5)
        for name, weight in zip(Evidence._fields, fit.coef_[0], strict=True)})


def confidences(calibration: Calibration, read: list[list[Evidence]]) -> np.ndarray:
    """Each question's confidence as the engine computes it."""
    return np.array([calibration.probability(question_evidence(evidence)) for evidence in read])


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
    read = [reread_evidence(r["logits"][:args.depth], r["closeness"][:args.depth],
                            range(min(args.depth, len(r["logits"]))), r["fused"])
            for r in questions if r["logits"]]
    y = np.array([not r["unanswerable"] for r in questions if r["logits"]])
    calibration = fitted(read, y)
    probability = confidences(calibration, read)
    folds = StratifiedKFold(10, shuffle=True, random_state=0).split(read, y)
    held_out = np.zeros(len(y))
    for train, test in folds:  # an estimate for questions the fit did not see
        held_out[test] = confidences(fitted([read[i] for i in train], y[train]),
                                     [read[i] for i in test])
    print(f"ten-fold cross-validated ROC AUC {roc_auc_score(y, held_out):.3f}")
    # The highest threshold that refuses at most `--max-answerable-refused` of the answerable
    # dev questions: a wrong refusal hides an answer, while a wrong answer is shown as
    # "uncertain" with the cited sentence to check, so the two errors are not weighed alike.
    best = max(t for t in np.unique(np.round(probability, 3))
               if np.mean(probability[y] < t) <= args.max_answerable_refused)
    record_path = MODELS / f"{args.model}.json"
    record = json.loads(record_path.read_text())
    record["calibration"] = {**asdict(calibration), "threshold": float(best)}
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
