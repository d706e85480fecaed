"""nDCG@k with trec_eval's conventions (`ndcg_cut`): gain = the graded relevance, discount
log2(rank + 1), the ideal ranking made from every judged relevant item."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(gains: Sequence[float], k: int) -> float:
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains[:k], start=1))


def ndcg_at_k(ranking: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """`ranking`: item ids best first; `qrels`: item id -> graded relevance (0 = not)."""
    ideal = dcg(sorted((g for g in qrels.values() if g > 0), reverse=True), k)
    if ideal == 0:
        return 0.0
    return dcg([max(qrels.get(item, 0), 0) for item in ranking], k) / ideal
