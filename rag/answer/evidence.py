"""What the reader's calibration reads about the passages it rereads, besides the reader's own
logit: whether the question is answered shows in how the passages stand against each other,
not only in how the best one reads alone.

- `closeness`: the cosine to the question of the closest sentence among the passages reread
  (an answering sentence sits close to its question);
- `fused`: the passage's fused retrieval score;
- `fused_margin`: how far that score stands above the best other passage's in the ranking;
- `logit_margin`: how far its logit stands above the best other reread passage's.

The calibration reads the question's `Evidence`: each signal's best over the passages
reread (`question_evidence`), the same numbers in the fit (training/calibrate_reader.py) and in
the engine. What the fit made of them is empirical: a clear retrieval margin and a high fused
score raise the probability; so does, given the best logit, a high second-best one (the logit
margin's weight is negative), as if more than one passage supporting an answer counted. On the
dev questions (372, ten-fold cross-validation, docs/reader.md) the margins and the fused score
raised the calibrated ROC AUC from 0.868 to 0.891 with the stage-3 reader, and from 0.883 to
0.900 with the stage-4 one. The fit is on hybrid retrieval's scores: with `--method dense`,
`bm25` or `rrf` the fused score is on another scale, which the calibration has not seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class Evidence(NamedTuple):
    logit: float
    closeness: float = 0.0
    fused: float = 0.0
    fused_margin: float = 0.0
    logit_margin: float = 0.0


def question_evidence(evidence: Sequence[Evidence]) -> Evidence:
    """Each signal's best over the passages reread: what the calibration reads."""
    return Evidence(*(float(max(values)) for values in zip(*evidence, strict=True)))


def margin(values: Sequence[float], index: int) -> float:
    """values[index] minus the best of the others (0 when there are no others)."""
    others = [v for n, v in enumerate(values) if n != index]
    return float(values[index] - max(others)) if others else 0.0


def reread_evidence(logits: Sequence[float], closeness: Sequence[float],
                    ranks: Sequence[int], fused: Sequence[float]) -> list[Evidence]:
    """One `Evidence` per reread passage. `logits` and `closeness` are the reread passages',
    `ranks` their places in the ranking, `fused` the ranking's fused scores, best first."""
    closest = float(max(closeness, default=0.0))
    return [Evidence(float(logit), closest, float(fused[rank]), margin(fused, rank),
                     margin(logits, n))
            for n, (logit, rank) in enumerate(zip(logits, ranks, strict=True))]
