"""How relevant a passage is, in words a reader understands.

Labels are read off the passage's cosine similarity to the question (MiniLM, -1..1), an
absolute measure comparable across questions (the fused ranking score is not). The bands
were read off the dev set: answering passages mostly score above 0.45, off-topic ones
below 0.3. A passage the question quotes (`rag.quotes`) is labelled as such, whatever its
cosine. When the search abstains, the app and CLI say the passages do not answer.
"""

from __future__ import annotations

QUOTED = "exact words"
LABELS = ((0.60, "strong match"), (0.45, "good match"), (0.30, "partial match"))


def relevance_label(cosine: float) -> str:
    for threshold, label in LABELS:
        if cosine >= threshold:
            return label
    return "weak match"
