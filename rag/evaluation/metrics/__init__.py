"""One metric per module (the Ragas layout): each takes plain per-question facts and returns
a number, so it can be checked on its own against a reference implementation (pytrec_eval)."""

from rag.evaluation.metrics.abstention import abstention_scores
from rag.evaluation.metrics.answer_accuracy import answer_accuracy
from rag.evaluation.metrics.citations import citation_share, verify_spans
from rag.evaluation.metrics.confidence import confidence_auc, refusal_rates
from rag.evaluation.metrics.latency import latency_percentiles, percentile
from rag.evaluation.metrics.mrr import mean_reciprocal_rank, reciprocal_rank
from rag.evaluation.metrics.ndcg import ndcg_at_k
from rag.evaluation.metrics.recall_at_k import mean_recall_at_k, recall_at_k

__all__ = [
    "abstention_scores", "answer_accuracy", "citation_share", "confidence_auc",
    "latency_percentiles",
    "mean_recall_at_k", "mean_reciprocal_rank", "ndcg_at_k", "percentile", "recall_at_k",
    "reciprocal_rank", "refusal_rates", "verify_spans",
]
