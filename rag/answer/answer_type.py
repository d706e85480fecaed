"""Questions that ask for a number or a date, and the sentences that can answer them.

A sentence on the question's topic that holds no number cannot answer "how many"; without a
year, a month or a word of time ("on his first day in office", "a few months before", "today")
it cannot answer "when". Similarity alone lets such near misses through, and
they are the likeliest wrong answers on a corpus whose texts share one topic, so only the
sentences that offer the kind of answer asked for may answer.
"""

from __future__ import annotations

import re
from enum import Enum


class Expected(Enum):
    NUMBER = "a number"
    DATE = "a date"


ASKS_NUMBER = re.compile(
    r"\bhow (many|much|long|far|often|old|large|big|wide|deep|tall|high|heavy|fast)\b"
    r"|\bwhat (percentage|percent|share|proportion|number|amount|fraction)\b", re.IGNORECASE)
ASKS_DATE = re.compile(
    r"\bwhen (was|were|did|do|does|is|are|will|had|has|would|could|should)\b"
    r"|\b(what|which|in what) (year|date|month|day)\b|\bsince when\b", re.IGNORECASE)
MONTHS = ("January|February|March|April|June|July|August|September|October|November|December"
          "|Jan\\.|Feb\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\.")
NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty"
                "|forty|fifty|hundreds?|thousands?|millions?|billions?|trillions?|dozens?"
                "|percent|half|twice|double|triple|single")
HAS_NUMBER = re.compile(rf"\d|\b({NUMBER_WORDS})\b", re.IGNORECASE)
# Months are matched with their capital ("may" is mostly a verb; "May" needs a number by it).
TIME_WORDS = ("centur(y|ies)|decades?|years?|months?|weeks?|days?|ago|today|yesterday|tomorrow"
              "|tonight|recently|currently|nowadays|era|spring|summer|autumn|winter")
HAS_DATE = re.compile(
    rf"\b\d{{3,4}}s?\b|\b({MONTHS})|\bMay \d|\d May\b|\b(?i:{TIME_WORDS})\b")


def expected_answer(question: str) -> Expected | None:
    """What kind of answer the question asks for, if it asks for a number or a date."""
    if ASKS_DATE.search(question):
        return Expected.DATE
    if ASKS_NUMBER.search(question):
        return Expected.NUMBER
    return None


def offers(sentence: str, expected: Expected | None) -> bool:
    """Could this sentence give the kind of answer expected?"""
    if expected is Expected.DATE:
        return bool(HAS_DATE.search(sentence))
    if expected is Expected.NUMBER:
        return bool(HAS_NUMBER.search(sentence))
    return True
