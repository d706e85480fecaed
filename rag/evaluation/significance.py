"""Paired bootstrap over queries: is a difference in mean per-query score more than noise?"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RESAMPLES = 1000
SEED = 20240607


def paired_bootstrap(scores_a: Sequence[float], scores_b: Sequence[float],
                     resamples: int = RESAMPLES, seed: int = SEED) -> dict[str, float]:
    """Mean of a − b over queries, its 95% percentile interval over `resamples` resamples of
    the queries (with replacement, fixed seed), and the share of resamples with a − b ≤ 0."""
    a, b = np.asarray(scores_a, dtype=float), np.asarray(scores_b, dtype=float)
    if a.shape != b.shape or a.size == 0:
        raise ValueError("paired bootstrap needs two equally long, non-empty score lists")
    diffs = a - b
    rng = np.random.default_rng(seed)
    means = diffs[rng.integers(0, diffs.size, size=(resamples, diffs.size))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return {"mean_diff": float(diffs.mean()), "ci_low": float(low), "ci_high": float(high),
            "share_not_better": float((means <= 0).mean()), "resamples": resamples,
            "queries": int(diffs.size)}
