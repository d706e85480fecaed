"""A month without its year gets the sentence before, when that one gives the year."""

from __future__ import annotations

import pytest

from rag.answer.dates import lacks_its_year, with_years
from rag.answer.extraction import AnswerSpan

YEAR = AnswerSpan("In 2018, diplomacy was reinvigorated.", 1, "d:1", "d", 0, 37)
MONTH = AnswerSpan("At a summit in Singapore in June, they met.", 1, "d:1", "d", 38, 81)
PLAIN = AnswerSpan("Talks went on.", 1, "d:1", "d", 0, 14)


@pytest.mark.parametrize(("question", "text", "lacks"), [
    ("When was the Singapore summit?", MONTH.text, True),
    ("What year did they meet in Singapore?", MONTH.text, True),
    ("When was the Hanoi summit?", "A summit in Hanoi in February 2019 failed.", False),
    ("Where was the summit?", MONTH.text, False),  # not asked when
    ("What happened when they met in Singapore?", MONTH.text, False),  # an event, not a date
    ("When did talks go on?", PLAIN.text, False),  # no month to place
])
def test_a_month_without_a_year_lacks_it_only_when_asked_when(question: str, text: str,
                                                              lacks: bool) -> None:
    assert lacks_its_year(question, text) is lacks


def test_the_sentence_before_comes_first_when_it_gives_the_year() -> None:
    assert with_years([MONTH], "When was the summit?", lambda span: YEAR) == [YEAR, MONTH]
    assert with_years([MONTH], "When was the summit?", lambda span: PLAIN) == [MONTH]
    assert with_years([MONTH], "When was the summit?", lambda span: None) == [MONTH]
    assert with_years([YEAR, MONTH], "When was it?", lambda span: YEAR) == [YEAR, MONTH]
    assert with_years([MONTH], "Where was the summit?", lambda span: YEAR) == [MONTH]
