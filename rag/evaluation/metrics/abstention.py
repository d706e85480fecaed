"""Abstention precision and recall: how well `abstained` matches `unanswerable`.

Precision = share of abstentions that were on unanswerable questions; recall = share of
unanswerable questions abstained on. None when undefined (no abstention / none unanswerable).
"""

from __future__ import annotations

from collections.abc import Iterable


def abstention_scores(pairs: Iterable[tuple[bool, bool]]) -> dict[str, float | int | None]:
    """`pairs`: (abstained, unanswerable) per question."""
    pairs = list(pairs)
    hits = sum(1 for abstained, unanswerable in pairs if abstained and unanswerable)
    abstained = sum(1 for a, _ in pairs if a)
    unanswerable = sum(1 for _, u in pairs if u)
    return {"precision": hits / abstained if abstained else None,
            "recall": hits / unanswerable if unanswerable else None,
            "abstained": abstained, "unanswerable": unanswerable, "correct": hits}
