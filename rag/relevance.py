"""How relevant a passage is, in words a reader understands, and when nothing is.

Thresholds are on the passage score (cosine similarity of MiniLM embeddings, -1..1).
They are provisional, read off the dev set's answerable and unanswerable questions
(`eval/devset.jsonl`); bulk evaluation recalibrates them.
"""

from __future__ import annotations

# Below this top score, the search says that no passage answers the question.
NOT_RELEVANT_BELOW = 0.35
LABELS = ((0.60, "strong match"), (0.45, "good match"), (NOT_RELEVANT_BELOW, "partial match"))


def relevance_label(score: float) -> str:
    for threshold, label in LABELS:
        if score >= threshold:
            return label
    return "weak match"


def nothing_relevant(top_score: float | None) -> bool:
    return top_score is None or top_score < NOT_RELEVANT_BELOW
