"""Does a question quote the documents?

A question that repeats a run of the text word for word is about that text: the passage it
quotes is ranked first and the question is never refused. A long question quotes when it
shares 8 consecutive words (`AnswerSettings.verbatim_words`) with a passage; a short one (a
keyword search such as "Northern Limit Line") when all of it occurs there, and a keyword search
(a few words, not phrased as a question, such as "Hanoi summit") also when all its words occur
in the passage, in any order.
Words are compared case-folded, punctuation aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.settings import AnswerSettings

WORD = re.compile(r"\w+")
QUESTION_START = re.compile(
    r"\s*(what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could"
    r"|should|would|will|has|have|had)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Quote:
    grams: frozenset[str]
    length: int
    keywords: frozenset[str] = frozenset()  # a keyword search's words, else empty
    whole_question: bool = False  # the quote is the whole (short) question
    # A search of a few words (one included), not phrased as a question: "NLL", "Hanoi summit"
    search: bool = False

    @classmethod
    def of(cls, question: str, settings: AnswerSettings = AnswerSettings()) -> Quote:
        words = WORD.findall(question.casefold())
        size = min(settings.verbatim_words, len(words))
        starts = range(len(words) - size + 1) if size else range(0)
        search = (0 < len(words) <= settings.keyword_search_words and "?" not in question
                  and not QUESTION_START.match(question))
        grams = frozenset(" ".join(words[i:i + size]) for i in starts)
        return cls(grams, size, frozenset(words) if search and len(words) > 1 else frozenset(),
                   len(grams) == 1 and size < settings.verbatim_words, search)

    def in_text(self, text: str) -> bool:
        if not self.grams:
            return False
        words, joined = text_words(text)
        if self.keywords and self.keywords <= words:
            return True
        return any(f" {gram} " in joined for gram in self.grams)


@lru_cache(maxsize=4096)
def text_words(text: str) -> tuple[frozenset[str], str]:
    """A passage's words, and the words joined by single spaces with a space at each end.

    Words hold no spaces, so a gram between spaces in the joined words is a run of consecutive
    words: one substring search a gram, not one join a window. Cached: every question checks
    the same top passages (0.5 ms a question uncached, profiled)."""
    words = WORD.findall(text.casefold())
    return frozenset(words), f" {' '.join(words)} "


def quotes_verbatim(question: str, passage_texts: list[str],
                    settings: AnswerSettings = AnswerSettings()) -> bool:
    """Does the question quote one of the passages?"""
    quote = Quote.of(question, settings)
    return any(quote.in_text(text) for text in passage_texts)
