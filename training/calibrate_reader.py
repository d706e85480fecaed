"""Calibrate the reader on dev: Platt scaling of the best passage logit into P(answered), and
the refusal threshold that best balances answerable questions answered against unanswerable
ones refused (the mean of the two rates). Writes the scaling into the model's record.

    python -m training.calibrate_reader EVALSETS --model reader-l6
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from rag.answer.reader import MODELS
from rag.settings import ReaderSettings
from training.reader_runs import dev_sets, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("evalsets", type=Path)
    parser.add_argument("--model", default="reader-l6")
    parser.add_argument("--support", action="store_true", help="calibrate the similarity "
                        "support instead (reader off), and print the scaling for "
                        "AbstentionSettings")
    args = parser.parse_args()
    logits, unanswerable = [], []
    for question_set in dev_sets(args.evalsets):
        rows, _ = run(question_set, ReaderSettings(enabled=not args.support, model=args.model,
                                                   threshold=0.0))
        logits += [float(r["decision"]["support" if args.support else "reader_logit"])
                   for r in rows]
        unanswerable += [bool(r["unanswerable"]) for r in rows]
    from sklearn.linear_model import LogisticRegression

    x, y = np.array(logits).reshape(-1, 1), ~np.array(unanswerable)
    fit = LogisticRegression(C=1e6).fit(x, y)
    scale, shift = float(fit.coef_[0, 0]), float(fit.intercept_[0])
    probability = 1 / (1 + np.exp(-(scale * x[:, 0] + shift)))
    if args.support:
        print(f"confidence_scale = {scale:.4f}, confidence_shift = {shift:.4f} "
              f"({len(y)} dev questions, {int((~y).sum())} unanswerable)")
        return
    best = max(np.unique(np.round(probability, 3)), key=lambda t: (
        np.mean(probability[y] >= t) + np.mean(probability[~y] < t)) / 2)
    record_path = MODELS / f"{args.model}.json"
    record = json.loads(record_path.read_text())
    record["calibration"] = {"scale": round(scale, 5), "shift": round(shift, 5),
                             "threshold": float(best)}
    record["calibration_data"] = {"questions": len(y), "unanswerable": int((~y).sum()),
                                  "sets": [s.name for s in dev_sets(args.evalsets)]}
    record_path.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record["calibration"]), f"balanced threshold {best:.3f}:",
          f"answerable answered {np.mean(probability[y] >= best):.3f},",
          f"unanswerable refused {np.mean(probability[~y] < best):.3f} on {len(y)} dev questions")


if __name__ == "__main__":
    main()
