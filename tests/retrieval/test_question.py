"""The question a lead-in leads up to (rag.retrieval.question.question_part)."""

from __future__ import annotations

import pytest

from rag.retrieval.question import question_part


@pytest.mark.parametrize(("text", "posed"), [
    ("I have been reading about the talks between the US and North Korea. "
     "When was the Hanoi summit?", "When was the Hanoi summit?"),
    ("I am a student. My teacher asked me to look into the talks. When was the Hanoi summit?",
     "When was the Hanoi summit?"),
    ("Some background first. When was the Hanoi summit? Who attended?",
     "When was the Hanoi summit? Who attended?"),  # every question after the lead-in
    ("Quick question for my thesis: who wrote the report?", "who wrote the report?"),
])
def test_a_lead_in_is_left_out_of_what_is_read(text: str, posed: str) -> None:
    assert question_part(text) == posed


@pytest.mark.parametrize("text", [
    "When was the Hanoi summit?",  # nothing leads in
    "Who is Dr. Jennifer Staats?",  # an abbreviation is not a sentence end
    "Which subunit of INO80 is responsible for its H2A.Z exchange activity?",
    "\u201cPeace is a process, not an event.\u201d Where is this from?",  # points back
    "Some of these interests are compatible. Whose interests are meant here?",
    "I read the report. So, who wrote it?",
    "Which of these: China or Japan?",  # no question word after the colon
    "I have been reading about this. Hanoi summit date",  # no question at the end
])
def test_a_question_that_needs_what_came_before_is_read_whole(text: str) -> None:
    assert question_part(text) == text
