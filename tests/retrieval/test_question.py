"""The question a lead-in leads up to (rag.retrieval.question.question_part)."""

from __future__ import annotations

import pytest

from rag.retrieval.question import (
    names_nothing,
    pointing_word,
    question_part,
    stands_alone,
    thing_pointed_to,
    unframed,
)


@pytest.mark.parametrize(("text", "posed"), [
    ("I have been reading about the talks between the US and North Korea. "
     "When was the Hanoi summit?", "When was the Hanoi summit?"),
    ("I am a student. My teacher asked me to look into the talks. When was the Hanoi summit?",
     "When was the Hanoi summit?"),
    ("Some background first. When was the Hanoi summit? Who attended?",
     "When was the Hanoi summit? Who attended?"),  # every question after the lead-in
    ("Quick question for my thesis: who wrote the report?", "who wrote the report?"),
    ("Some background first. In which year was the report published?",
     "In which year was the report published?"),
    ("Background. Who was the official that Kennedy named?",  # a relative "that"
     "Who was the official that Kennedy named?"),
    ("Background. Are there sanctions on North Korea?", "Are there sanctions on North Korea?"),
    # a paste that stops mid-sentence, then the question typed straight after it
    ("Six countries have substantial interests in a peace regime for the Korean Peninsu Which "
     "organisation supported the report?", "Which organisation supported the report?"),
    ("Peace is a process. A joint statement declared that the two Did the report have a "
     "sponsor?", "Did the report have a sponsor?"),
    ("Documents on Will Smith What did the report say?", "What did the report say?"),
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
    "Who said: peace is a process?",  # the colon is inside the question
    "Which report says: the talks were a failure?",
    "Tell me about Kim. Did he attend?",
    "The summit was in Hanoi. When did that happen?",
    "\u201cPeace is a process.\u201d Who said that?",
    "Hanoi was the venue. What happened there?",
    "I have been reading about this. Hanoi summit date",  # no question at the end
    "peace regime Korea What is it?",  # the run-on question points back
    "The talks stalled after the summit, what happened?",  # no capital: not a new question
    "The talks between Kim and Will Smith ended how?",  # a name, not a question word
    "Besides Frank Aum, Who wrote the report?",  # after a comma: one question
    "Peace on the Korean Peninsula, Is a treaty needed?",
])
def test_a_question_that_needs_what_came_before_is_read_whole(text: str) -> None:
    assert question_part(text) == text


def test_a_question_naming_nothing_of_its_own_does_not_stand_alone() -> None:
    assert not stands_alone(["what", "happen"]) and not stands_alone([])
    assert stands_alone(["when", "hanoi", "summit"])


@pytest.mark.parametrize("question", ["Where is this from?", "What is it?", "Tell me more.",
                                      "And what about them?", "Why is that?", "What's this?",
                                      "What\u2019s it about?", "Who's he?",
                                      "What is it all about?"])
def test_a_question_of_words_that_name_nothing_names_nothing(question: str) -> None:
    assert names_nothing(question)


@pytest.mark.parametrize("question", ["What about the US?", "What about US sanctions?",
                                      "Where is Hanoi?", "What is it about Kaesong?", "???",
                                      "Who wrote it?"])
def test_a_question_with_one_word_of_its_own_names_something(question: str) -> None:
    assert not names_nothing(question)


def test_the_word_pointing_back_is_the_first_such() -> None:
    assert pointing_word("What did they say about this?") == "they"
    assert pointing_word("Tell me more") is None


@pytest.mark.parametrize(("question", "read"), [
    ("What does the report say about human rights?", "What is said about human rights?"),
    ("what does the fact sheet say about the Hanoi summit",
     "What is said about the Hanoi summit"),
    ("What does USIP's latest report say about sanctions relief?",
     "What is said about sanctions relief?"),
    ("How do the authors write about China?", "What is said about China?"),
    ("What does USIP say about sanctions?", "What is said about sanctions?"),
    ("What does it say about the armistice?", "What is said about the armistice?"),
    ("What does this say about sanctions?", "What is said about sanctions?"),
])
def test_a_question_framed_by_its_source_is_read_for_its_topic(question: str,
                                                                 read: str) -> None:
    assert unframed(question) == read


@pytest.mark.parametrize("question", [
    "What does the report recommend about sanctions?",  # a recommendation is asked for
    "What does the report say?",  # no topic
    "Who wrote the report about human rights?",
    "What did Kim Jong Un say about nuclear weapons?",  # a person's words, not a source frame
    # a named source tells the reader which text is meant
    "What does the Trump administration's policy paper say about sanctions?",
    "What does the UN panel report say about sanctions?",
    "What does Moon say about the armistice?",
    "What does it cost to say about anything?",
])
def test_other_questions_are_read_as_asked(question: str) -> None:
    assert unframed(question) == question


@pytest.mark.parametrize(("question", "thing"), [
    ("What is this about?", "this"), ("What's it?", "it"), ("Summarize the report.", "the report"),
    ("Tell me more about it, please", "it"), ("And what is that all about?", "that"),
    ("What is this one about?", "this one"), ("What about it?", "it"),
    ("Describe this fact sheet", "this fact sheet")])
def test_a_question_asking_what_a_thing_is_names_what_points_to_it(question: str,
                                                                   thing: str) -> None:
    assert thing_pointed_to(question) == thing


@pytest.mark.parametrize("question", ["Where is this from?", "What about them?", "What is he?",
                                      "What is it about North Korea?", "Who wrote it?",
                                      "What are these?", "Tell me more"])
def test_a_question_asking_something_else_points_to_no_thing(question: str) -> None:
    assert thing_pointed_to(question) is None
