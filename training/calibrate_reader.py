"""Calibrate the reader on dev: a logistic fit of P(answered) on the evidence about the passages
it rereads (rag.answer.evidence: logit, closest sentence, fused score and the two margins),
each signal's best over the passages reread, and the refusal threshold: the highest at which
the engine refuses at most 10 % of the answerable dev questions. Both read what the engine
itself computed for each dev question with the reader on (training.sweep_reader.engine_set),
and the threshold is applied by the engine's own verdict (the name penalty, the quote rule,
the questions refused unread). Writes the calibration into the model's record.

    python -m training.calibrate_reader EVALSETS --model reader-l6
    python -m training.calibrate_reader EVALSETS --support   # the similarity rule's confidence
    python -m training.calibrate_reader EVALSETS --points    # the shipped calibration's trade-off
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from rag.answer.abstention import should_abstain
from rag.answer.evidence import Evidence
from rag.answer.reader import MODELS, Calibration, shared_reader
from rag.answer.reading import reader_verdict
from rag.settings import AbstentionSettings, ReaderSettings
from training.reader_runs import dev_sets, run
from training.sweep_reader import cached_engine_set


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


def fitted(evidence: list[Evidence], answerable: np.ndarray) -> Calibration:
    """The logistic fit on each question's evidence (each signal's best over its reread
    passages)."""
    fit = LogisticRegression(C=1e6, max_iter=1000).fit(np.array(evidence), answerable)
    return Calibration(shift=round(float(fit.intercept_[0]), 5), **{
        f"{'' if name == 'logit' else name + '_'}scale": round(float(weight), 5)
        for name, weight in zip(Evidence._fields, fit.coef_[0], strict=True)})


def evidence_of(row: dict) -> Evidence | None:
    return None if row["evidence"] is None else Evidence(**row["evidence"])


def refused(row: dict, probability: float, rules: ReaderSettings) -> bool:
    """Whether the engine refuses this question at `rules.threshold`, given the calibrated
    probability of its evidence (0 without evidence, as in the engine)."""
    if row["refused_unread"]:
        return True
    similarity_refuses = should_abstain(row["support"], row["verbatim"], row["names_unknown"],
                                        AbstentionSettings())
    return reader_verdict(probability, row["verbatim"], row["names_unknown"], rules,
                          similarity_refuses).refuse


def shown_confidence(row: dict, probability: float, rules: ReaderSettings) -> float:
    """The confidence the engine shows (0 for a question refused unread)."""
    return 0.0 if row["refused_unread"] else reader_verdict(
        probability, row["verbatim"], row["names_unknown"], rules).confidence or 0.0


def refusals(rows: list[dict], probability: np.ndarray, rules: ReaderSettings) -> np.ndarray:
    return np.array([refused(r, p, rules) for r, p in zip(rows, probability, strict=True)])


def highest_threshold(rows: list[dict], probability: np.ndarray, rules: ReaderSettings,
                      max_answerable_refused: float) -> float:
    """The highest threshold (to 3 decimals, among the confidences shown) at which the engine
    refuses at most `max_answerable_refused` of the answerable questions: a wrong refusal hides
    an answer, while a wrong answer is shown as "uncertain" with the cited sentence to check,
    so the two errors are not weighed alike."""
    answerable = np.array([not r["unanswerable"] for r in rows])
    shown = [shown_confidence(r, p, rules) for r, p in zip(rows, probability, strict=True)]
    return float(max(t for t in np.unique(np.round(shown, 3)) if np.mean(refusals(
        rows, probability, replace(rules, threshold=t))[answerable]) <= max_answerable_refused))


def operating_points(evalsets: Path, model: str,
                     caps: tuple[float, ...] = (0.02, 0.05, 0.10, 0.15, 0.20)) -> None:
    """What the shipped calibration refuses on dev at the highest threshold that refuses at
    most each share of answerable questions (nothing written): how far apart the two kinds
    of question are read (docs/reader.md, *Why issue #12 is marked blocked*)."""
    rows = [row for question_set in dev_sets(evalsets)
            for row in cached_engine_set(question_set, model)]
    calibration = shared_reader(model).calibration
    probability = np.array([calibration.probability(e) if e is not None else 0.0
                            for e in map(evidence_of, rows)])
    answerable = np.array([not r["unanswerable"] for r in rows])
    rules = ReaderSettings(model=model)
    print("| answerable refused at most | threshold | answerable refused | unanswerable refused |")
    print("|---|---|---|---|")
    for cap in caps:
        threshold = highest_threshold(rows, probability, rules, cap)
        refused_now = refusals(rows, probability, replace(rules, threshold=threshold))
        print(f"| {cap:.0%} | {threshold:.3f} | {np.mean(refused_now[answerable]):.3f} | "
              f"{np.mean(refused_now[~answerable]):.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("evalsets", type=Path)
    parser.add_argument("--model", default="reader-l6")
    parser.add_argument("--max-answerable-refused", type=float, default=0.10)
    parser.add_argument("--support", action="store_true", help="calibrate the similarity "
                        "support instead (reader off), and print the scaling for "
                        "AbstentionSettings")
    parser.add_argument("--points", action="store_true", help="print what the shipped "
                        "calibration refuses on dev at several caps on answerable refusals, "
                        "and write nothing")
    args = parser.parse_args()
    if args.support:
        calibrate_support(args.evalsets)
        return
    if args.points:
        operating_points(args.evalsets, args.model)
        return
    rows = [row for question_set in dev_sets(args.evalsets)
            for row in cached_engine_set(question_set, args.model)]
    y_all = np.array([not r["unanswerable"] for r in rows])
    read = [n for n, r in enumerate(rows) if r["evidence"] is not None]
    evidence = [evidence_of(rows[n]) for n in read]
    y = y_all[read]
    calibration = fitted(evidence, y)
    folds = StratifiedKFold(10, shuffle=True, random_state=0).split(evidence, y)
    held_out = np.zeros(len(y))
    for train, test in folds:  # an estimate for questions the fit did not see
        fold = fitted([evidence[i] for i in train], y[train])
        held_out[test] = [fold.probability(evidence[i]) for i in test]
    print(f"ten-fold cross-validated ROC AUC {roc_auc_score(y, held_out):.3f} "
          f"({len(read)} of {len(rows)} dev questions reread)")
    probability = np.array([calibration.probability(e) if e is not None else 0.0
                            for e in map(evidence_of, rows)])
    rules = ReaderSettings(model=args.model)
    shown = np.array([shown_confidence(r, p, rules) for r, p in zip(rows, probability,
                                                                     strict=True)])

    best = highest_threshold(rows, probability, rules, args.max_answerable_refused)
    at_best = refusals(rows, probability, replace(rules, threshold=best))
    record_path = MODELS / f"{args.model}.json"
    record = json.loads(record_path.read_text())
    record["calibration"] = {**asdict(calibration), "threshold": float(best)}
    record["calibration_data"] = {"questions": len(rows), "reread": len(read),
                                  "unanswerable": int((~y_all).sum()),
                                  "depth": rules.depth, "readings": "engine",
                                  "sets": [s.name for s in dev_sets(args.evalsets)]}
    record_path.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record["calibration"]),
          f"ROC AUC of the shown confidence {roc_auc_score(y_all, shown):.3f};",
          f"threshold {best:.3f}: answerable refused {np.mean(at_best[y_all]):.3f}, "
          f"unanswerable refused {np.mean(at_best[~y_all]):.3f} on {len(rows)} dev questions")


if __name__ == "__main__":
    main()
