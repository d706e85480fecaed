"""How well the answer probability tells answerable questions from unanswerable ones, and how
often each kind is refused.

ROC AUC is the Mann–Whitney U of the probabilities of answerable against unanswerable questions
over the number of such pairs (scipy's, not ours): 1.0 when every answerable question gets a
higher probability than every unanswerable one, 0.5 for chance. None when either kind is
missing or no question carries a probability (the reader is off).
"""

from __future__ import annotations

from collections.abc import Iterable


def confidence_auc(pairs: Iterable[tuple[float | None, bool]]) -> float | None:
    """`pairs`: (probability or None, unanswerable) per question."""
    from scipy.stats import mannwhitneyu

    scored = [(p, u) for p, u in pairs if p is not None]
    answerable = [p for p, u in scored if not u]
    unanswerable = [p for p, u in scored if u]
    if not answerable or not unanswerable:
        return None
    statistic = mannwhitneyu(answerable, unanswerable, alternative="two-sided").statistic
    return float(statistic) / (len(answerable) * len(unanswerable))


def refusal_rates(pairs: Iterable[tuple[bool, bool]]) -> dict[str, float | None]:
    """`pairs`: (abstained, unanswerable) per question: the share of answerable questions
    refused (lower is better) and of unanswerable ones refused (higher is better)."""
    pairs = list(pairs)
    answerable = [a for a, u in pairs if not u]
    unanswerable = [a for a, u in pairs if u]
    return {"answerable_refused": sum(answerable) / len(answerable) if answerable else None,
            "unanswerable_refused": sum(unanswerable) / len(unanswerable)
            if unanswerable else None}
