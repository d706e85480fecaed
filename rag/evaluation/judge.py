"""Is a retrieved passage relevant to a labelled question?

A passage is relevant when it contains one of the question's gold snippets after
normalisation (Unicode NFKC, curly and straight quotes alike, every dash a hyphen, runs of
whitespace one space, case folded), or, for a question labelled only with gold documents,
when it comes from one of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from rag.evaluation.dataset import Question

QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u00b4": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u00ad": None,
})
SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(QUOTES)
    return SPACES.sub(" ", text).strip().casefold()


def is_relevant(passage: Mapping[str, object], question: Question,
                snippets: Iterable[str] | None = None) -> bool:
    """`snippets` may be the question's gold already normalised (saves work in a loop)."""
    gold = list(snippets) if snippets is not None else [normalise(g) for g in question.gold]
    if gold:
        text = normalise(str(passage.get("text") or ""))
        return any(snippet and snippet in text for snippet in gold)
    return str(passage.get("doc_id")) in question.gold_docs


def relevant_ranks(passages: list[Mapping[str, object]], question: Question) -> list[int]:
    """1-based ranks (position in the list) of the relevant passages, best first."""
    gold = [normalise(g) for g in question.gold]
    return [position for position, passage in enumerate(passages, start=1)
            if is_relevant(passage, question, gold)]


def answer_holds_gold(result: Mapping[str, object], question: Question) -> bool:
    """Does the extractive answer contain an answer-gold snippet (its `answer_gold`, else its
    `gold`; normalised), or, for a question labelled only with gold documents, quote one of
    them? A refusal never does."""
    if result.get("abstained"):
        return False
    if snippets := question.answer_gold or question.gold:
        answer = normalise(str(result.get("answer") or ""))
        return any(normalise(g) in answer for g in snippets if g.strip())
    spans = result.get("answer_spans") or []
    return any(str(span.get("doc_id")) in question.gold_docs for span in spans)
