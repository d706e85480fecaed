"""The written questions as eval sets: what a right answer must hold."""

from __future__ import annotations

from training.eval_sets import gold_sentences

RECORD = "Title: Annual Message (1972)\nAuthors: Richard Nixon\nPublished: January 20, 1972"
PROSE = "The summit failed in Hanoi. Talks stalled for a year after that meeting."


def test_the_gold_is_the_sentence_holding_the_answer_span() -> None:
    start = PROSE.index("Hanoi")
    assert gold_sentences(PROSE, start, "Hanoi") == ["The summit failed in Hanoi."]


def test_in_a_record_the_gold_is_the_record_and_the_answer_gold_its_line() -> None:
    start = RECORD.index("Richard Nixon")
    assert gold_sentences(RECORD, start, "Richard Nixon") == [RECORD]
    assert gold_sentences(RECORD, start, "Richard Nixon", lines=True) == [
        "Authors: Richard Nixon"]
