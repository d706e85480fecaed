"""Recall@k.

For a question-answering set (gold snippets, an unknown number of relevant passages) it is the
hit rate: 1 when a relevant passage is in the top k, else 0 (trec_eval's `success@k`). Given
the number of relevant items (BEIR qrels) it is the share of them found in the top k
(trec_eval's `recall@k`).
"""

from __future__ import annotations

from collections.abc import Sequence


def recall_at_k(relevant_ranks: Sequence[int], k: int, total_relevant: int | None = None) -> float:
    """`relevant_ranks`: 1-based ranks of the retrieved items that are relevant."""
    found = sum(1 for rank in relevant_ranks if rank <= k)
    if total_relevant is None:
        return 1.0 if found else 0.0
    return found / total_relevant if total_relevant else 0.0


def mean_recall_at_k(per_question: Sequence[Sequence[int]], k: int,
                     totals: Sequence[int] | None = None) -> float | None:
    if not per_question:
        return None
    values = [recall_at_k(ranks, k, totals[i] if totals is not None else None)
              for i, ranks in enumerate(per_question)]
    return sum(values) / len(values)
