"""How relevant a passage is, in words a reader understands.

Labels are read off the passage's closeness: the cosine similarity (MiniLM) between the
question and the passage's best sentence embedded alone, the signal abstention reads
(`rag.abstention`). It is comparable across questions (the fused ranking score is not) and,
unlike a cosine with the document title in front, it tells a passage that answers from its
neighbours in the same document. "good match" starts at the abstention threshold, so when the
search abstains no passage is called better than "partial match". A passage the question
quotes (`rag.quotes`) is labelled as such, whatever its closeness.
"""

from __future__ import annotations

import math

from rag.settings import AbstentionSettings, ReaderSettings

QUOTED = "exact words"
STRONG, GOOD, PARTIAL, WEAK = "strong match", "good match", "partial match", "weak match"


def relevance_label(closeness: float,
                    settings: AbstentionSettings = AbstentionSettings()) -> str:
    for threshold, label in ((settings.strong_match, STRONG),
                             (settings.sentence_threshold, GOOD),
                             (settings.partial_match, PARTIAL)):
        if closeness >= threshold:
            return label
    return WEAK


def reader_relevance(probability: float, settings: ReaderSettings = ReaderSettings()) -> str:
    """The same words for a passage the reader reread, from its probability (the question's
    confidence for the passage the reader rates best; for the others, the higher of their odds
    against it and their reading alone, at most that confidence; rag.answer.reading):
    "good match" starts where an answer would be given."""
    refusal = settings.threshold or 0.0
    for threshold, label in ((settings.likely, STRONG), (refusal, GOOD), (refusal / 2, PARTIAL)):
        if probability >= threshold:
            return label
    return WEAK


STRENGTH = {WEAK: 0, PARTIAL: 1, GOOD: 2, STRONG: 3}


def no_stronger_than(label: str, others: list[str]) -> str:
    """The label, weakened to the weakest of `others` if it is stronger (a quote's label and
    an empty `others` leave it as it is). A passage the reader did not reread is ranked below
    those it did, so it is never labelled above them ("strong match (similarity 0.65)" under
    "good match (answers 59%)" read as a contradiction); a refused search labels nothing above
    "partial match"."""
    if label not in STRENGTH or not others:
        return label
    cap = min(STRENGTH.get(other, STRENGTH[STRONG]) for other in others)
    return label if STRENGTH[label] <= cap else next(
        name for name, strength in STRENGTH.items() if strength == cap)


def signal_words(signals: dict[str, float]) -> str:
    """The number behind a passage's label, named by its scale: the reader's probability as a
    percentage, rounded down as the confidence is (0.977 had shown "answers 98%" under
    "Confidence: 0.97"), else the cosine as a decimal, so the two are never read as one scale."""
    if "reader" in signals:
        return f"answers {math.floor(signals['reader'] * 100 + 1e-9)}%"
    return f"similarity {signals['closeness']:.2f}"
