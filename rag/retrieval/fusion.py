"""Fuse dense and lexical scores into one ranking.

Every passage (or document) is scored by both retrievers, and `hybrid` combines the two
score vectors after z-score normalisation over the whole collection (or the part a filter
admits): a convex combination with dense weight 0.75. `rrf` (reciprocal rank fusion, k=60) is
the usual baseline it is measured against. On SciFact train, normalising over the whole
collection beat normalising over a candidate union or a top-N (+0.002 to +0.008 nDCG@10), and
z-scores beat min-max; the weight was chosen by 5-fold cross-validation there (docs/quality.md).
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from rag.errors import RagError
from rag.settings import FusionSettings

Method = Literal["hybrid", "rrf", "dense", "bm25"]
METHODS: tuple[str, ...] = get_args(Method)
DEFAULT_METHOD: Method = "hybrid"  # what a search uses unless asked for another


def check_method(method: str) -> None:
    if method not in METHODS:
        raise RagError(f"Unknown retrieval method {method!r}; choose one of " + ", ".join(METHODS))


def z_score(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def convex(dense: np.ndarray, lexical: np.ndarray, dense_weight: float) -> np.ndarray:
    """Weighted sum of the z-score normalised signals."""
    return dense_weight * z_score(dense) + (1 - dense_weight) * z_score(lexical)


def reciprocal_rank(*rankings: np.ndarray, k: int) -> np.ndarray:
    """Sum over the rankings of 1 / (k + rank), ranks from 1, ties broken by position."""
    fused = np.zeros(len(rankings[0]))
    for scores in rankings:
        ranks = np.empty(len(scores))
        ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
        fused += 1.0 / (k + ranks)
    return fused


def fuse(method: str, dense: np.ndarray, lexical: np.ndarray,
         settings: FusionSettings = FusionSettings()) -> np.ndarray:
    """One score per unit by `method` (one of METHODS)."""
    if method == "hybrid":
        return convex(dense, lexical, settings.dense_weight)
    if method == "rrf":
        return reciprocal_rank(dense, lexical, k=settings.rrf_k)
    return dense if method == "dense" else lexical


def best_first(scores: np.ndarray, count: int) -> np.ndarray:
    """Positions of the `count` highest scores, best first (ties by position)."""
    if count < scores.size:
        top = np.argpartition(-scores, count - 1)[:count]
    else:
        top = np.arange(scores.size)
    return top[np.lexsort((top, -scores[top]))]
