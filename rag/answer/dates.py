"""A date's year from the sentence before. Prose often gives a year once and then months
alone: "In 2018, reinvigorated diplomacy … At a historic summit in Singapore in June, …".
Asked "When was the Singapore summit?", an answer of the second sentence alone says "in June"
of no year (a first-time user's finding); the sentence before, when it gives a year, is shown
with it."""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.answer.answer_type import ASKS_DATE, MONTHS
from rag.answer.extraction import AnswerSpan

# Months with their capital, abbreviations too; "May" only next to a day (mostly a verb).
MONTH = re.compile(rf"\b({MONTHS})|\bMay \d|\d May\b")
YEAR = re.compile(r"\b(1[6-9]|20)\d\d\b")


def lacks_its_year(question: str, text: str) -> bool:
    """Whether the question asks for a date ("when was …", "what year", answer_type's rule,
    not any "when": "What happened when Trump met Kim?" asks for an event) and the text names
    a month but no year."""
    return bool(ASKS_DATE.search(question) and MONTH.search(text) and not YEAR.search(text))


def with_years(spans: list[AnswerSpan], question: str,
               before: Callable[[AnswerSpan], AnswerSpan | None]) -> list[AnswerSpan]:
    """Each span that `lacks_its_year`, preceded by the sentence `before` it (in its
    paragraph) when that one gives a year and is not already in the answer."""
    out: list[AnswerSpan] = []
    for span in spans:
        prior = before(span) if lacks_its_year(question, span.text) else None
        if prior is not None and YEAR.search(prior.text) and prior not in spans + out:
            out.append(prior)
        out.append(span)
    return out
