"""How well the answer probability tells answerable questions from unanswerable ones, and how
often each kind is refused.

ROC AUC is the Mann–Whitney U of the probabilities of answerable against unanswerable questions
over the number of such pairs: 1.0 when every answerable question gets a higher probability than
every unanswerable one, 0.5 for chance, ties counting half. It is computed here from midranks
in numpy rather than with scipy.stats or scikit-learn, because importing scipy.stats probes for
torch (its array-API layer), and `rag eval` must run without torch; the tests check it against
scikit-learn's `roc_auc_score`. None when either kind is missing or no question carries a
probability.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def confidence_auc(pairs: Iterable[tuple[float | None, bool]]) -> float | None:
    """`pairs`: (probability or None, unanswerable) per question."""
    scored = [(p, u) for p, u in pairs if p is not None]
    values = np.array([p for p, _ in scored], dtype=np.float64)
    positive = np.array([not u for _, u in scored], dtype=bool)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if not n_pos or not n_neg:
        return None
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    _, groups, counts = np.unique(values, return_inverse=True, return_counts=True)
    sums = np.bincount(groups, weights=ranks)
    midranks = (sums / counts)[groups]  # tied values share their mean rank
    u_statistic = midranks[positive].sum() - n_pos * (n_pos + 1) / 2
    return float(u_statistic / (n_pos * n_neg))


def refusal_rates(pairs: Iterable[tuple[bool, bool]]) -> dict[str, float | None]:
    """`pairs`: (abstained, unanswerable) per question: the share of answerable questions
    refused (lower is better) and of unanswerable ones refused (higher is better)."""
    pairs = list(pairs)
    answerable = [a for a, u in pairs if not u]
    unanswerable = [a for a, u in pairs if u]
    return {"answerable_refused": sum(answerable) / len(answerable) if answerable else None,
            "unanswerable_refused": sum(unanswerable) / len(unanswerable)
            if unanswerable else None}
