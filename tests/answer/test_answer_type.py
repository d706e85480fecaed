"""The answer-type check: which questions ask for a number or a date, and which sentences
can give one (fast: no model)."""

from __future__ import annotations

import pytest

from rag.answer.answer_type import Expected, expected_answer, offers


@pytest.mark.parametrize(("question", "expected"), [
    ("How many American troops are stationed in South Korea?", Expected.NUMBER),
    ("What percentage of South Koreans support nuclear weapons?", Expected.NUMBER),
    ("how much aid did the US give?", Expected.NUMBER),
    ("How wide is the buffer zone?", Expected.NUMBER),
    ("When was the summit in Hanoi held?", Expected.DATE),
    ("What year did the Korean War end?", Expected.DATE),
    ("In what year was the armistice signed?", Expected.DATE),
    ("Where do their goals overlap when it comes to Korea?", None),
    ("Which six nations have a stake in peace?", None),
    ("Why did the Hanoi summit break down?", None),
])
def test_questions_asking_for_numbers_or_dates_are_recognised(
        question: str, expected: Expected | None) -> None:
    assert expected_answer(question) is expected


@pytest.mark.parametrize(("sentence", "expected", "answer"), [
    ("Since the end of the Korean War in 1953, few serious efforts have been made.",
     Expected.DATE, True),
    ("a subsequent summit in Hanoi in February 2019", Expected.DATE, True),
    ("Moscow may transfer sensitive military technologies to North Korea.", Expected.DATE,
     False),
    ("On President Donald Trump’s first day in office, he referred to North Korea as a "
     "“nuclear power.”", Expected.DATE, True),
    ("Just a few months before, Kim Jong Un said he would increase the arsenal.", Expected.DATE,
     True),
    ("Six countries have substantial interests in a peace regime.", Expected.NUMBER, True),
    ("About 28,500 troops are stationed there.", Expected.NUMBER, True),
    ("Peace is a process, not an event.", Expected.NUMBER, False),
    ("Peace is a process, not an event.", None, True),
])
def test_a_sentence_offers_a_number_or_date_only_if_it_holds_one(
        sentence: str, expected: Expected | None, answer: bool) -> None:
    assert offers(sentence, expected) is answer
