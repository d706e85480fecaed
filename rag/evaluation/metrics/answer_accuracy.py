"""Answer accuracy: the share of labelled answerable questions whose extractive answer holds
the gold (`rag.evaluation.judge.answer_holds_gold`); a refusal counts as a miss. Recall@k
scores the passages; this scores the answer a reader sees first. None when nothing is
labelled."""

from __future__ import annotations

from collections.abc import Iterable


def answer_accuracy(hits: Iterable[bool]) -> float | None:
    judged = list(hits)
    return sum(judged) / len(judged) if judged else None
