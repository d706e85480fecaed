"""MRR@k: the mean over questions of 1 / rank of the first relevant item, 0 if none is in the
top k (trec_eval's `recip_rank` on a run cut at k)."""

from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank(relevant_ranks: Sequence[int], k: int = 10) -> float:
    first = min((rank for rank in relevant_ranks if rank <= k), default=None)
    return 1.0 / first if first else 0.0


def mean_reciprocal_rank(per_question: Sequence[Sequence[int]], k: int = 10) -> float | None:
    if not per_question:
        return None
    return sum(reciprocal_rank(ranks, k) for ranks in per_question) / len(per_question)
