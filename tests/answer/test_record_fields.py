"""A catalogue record chosen as the answer is cut to the asked-for fields (fast: no model)."""

from __future__ import annotations

import pytest

from rag.answer.extraction import AnswerSpan
from rag.answer.record_fields import asked_fields, may_answer, names_its_document, narrowed
from rag.ingest.documents import Metadata
from rag.ingest.record import metadata_text, record_fields
from rag.retrieval.lexical import terms
from rag.settings import Settings

RECORD = metadata_text(Metadata(title="A Peace Regime", type="Report",
                                authors=("Ann Lee", "Bo Kim"), publisher="USIP", date="2020-02",
                                extra=(("supporter", "the Asia Center"), ("isbn", "978-1"))))
SOURCE = "Body text comes first.\n\n" + RECORD + "\n"
OFFSET = SOURCE.index(RECORD)


def words(text: str) -> list[str]:
    return terms(text, Settings())


def record_span() -> AnswerSpan:
    return AnswerSpan(RECORD, 2, "doc:k", "doc", OFFSET, OFFSET + len(RECORD))


def test_record_fields_are_parsed_back_with_offsets_into_the_record() -> None:
    fields = record_fields(RECORD)
    assert fields is not None
    assert [label for label, _, _ in fields] == ["Title", "Type", "Authors", "Publisher",
                                                 "Published", "Supported by", "ISBN"]
    assert [RECORD[start:end] for _, start, end in fields][4] == "Published: February 2020"


def test_text_that_is_not_a_record_has_no_fields() -> None:
    assert record_fields("Title: fine\nBut this line has no label.") is None
    assert record_fields("The report was published in 2020.") is None


@pytest.mark.parametrize(("question", "fields"), [
    ("When was the report published?", {"Published"}),
    ("Who wrote the report?", {"Authors"}),
    ("Who published the report?", {"Publisher"}),
    ("Which organization funded the study?", {"Supported by"}),
    ("Who wrote it, and in what year?", {"Authors", "Published"}),
    ("What is the name of the report?", {"Title"}),
    ("What does the report say about China?", set()),
])
def test_the_question_s_words_name_the_fields_it_asks_for(question: str, fields: set) -> None:
    assert asked_fields(question) == fields


def test_a_record_answer_becomes_its_asked_for_lines_still_exact_spans() -> None:
    spans = narrowed([record_span()], "Who wrote it, and when was it published?", words)
    assert [s.text for s in spans] == ["Authors: Ann Lee, Bo Kim", "Published: February 2020"]
    assert all(SOURCE[s.start:s.end] == s.text and s.passage == 2 for s in spans)


def test_a_question_asking_no_field_gets_the_lines_whose_values_share_its_words() -> None:
    spans = narrowed([record_span()], "Who is Bo Kim?", words)
    assert [s.text for s in spans] == ["Authors: Ann Lee, Bo Kim"]
    # "report" and "peace regime" name the document (its type and title): the whole record
    for question in ("Who prepared this report?", "Who is the peace regime report by?"):
        assert narrowed([record_span()], question, words) == [record_span()]


def test_other_answers_and_unasked_records_are_left_whole() -> None:
    sentence = AnswerSpan("Body text comes first.", 1, "doc:j", "doc", 0, 22)
    assert narrowed([sentence], "When was it published?", words) == [sentence]
    whole = narrowed([record_span()], "What does it say about China?", words)
    assert whole == [record_span()]


def test_a_line_two_records_share_is_given_once() -> None:
    other = AnswerSpan(RECORD, 3, "doc2:k", "doc2", OFFSET, OFFSET + len(RECORD))
    spans = narrowed([record_span(), other], "Who wrote it?", words)
    assert [(s.text, s.passage) for s in spans] == [("Authors: Ann Lee, Bo Kim", 2)]


@pytest.mark.parametrize(("question", "answers"), [
    ("When was it published?", True),             # a field it has
    ("Who is Bo Kim?", True),                     # a value of its authors line
    ("what about KIM JONG UN", False),            # not an author's whole name
    ("Kim", False),
    ("What is ISBN 978-1?", True),
    ("What are the risks of a peace regime report?", False),  # its title's words only
    ("What does USIP say about China?", False),   # the publisher's name is not asked for
])
def test_a_record_may_answer_only_what_its_lines_hold(question: str, answers: bool) -> None:
    assert may_answer(question, RECORD, words) is answers


def test_a_record_lacking_the_asked_field_cannot_answer_and_other_text_always_may() -> None:
    no_authors = metadata_text(Metadata(title="A Fact Sheet", type="Fact Sheet", date="2025"))
    assert not may_answer("Who wrote it?", no_authors, words)
    assert may_answer("Who wrote it?", "Body text comes first.", words)


@pytest.mark.parametrize(("question", "named"), [
    ("When was the report published?", True),
    ("Who wrote the report?", True),  # "wrote" is in no record: it asks for a line
    ("Which organisation published the report?", True),
    ("Who are the authors of the reports?", True),
    ("When was the fact sheet published?", False),  # not this record's type
    ("When was the summit in the report?", False),  # "when" asks a line; the summit more
    ("Which of the report's authors belong to the Asia teams?", False),  # asks more
    ("What does the report say?", False),  # asks for no line
    ("Who called for a peace regime in the report?", False),  # "called" asks for a title
    ("When did the report say the summit happened?", False),  # the summit: more
])
def test_a_question_asking_only_a_record_line_of_a_document_it_names_by_type(
        question: str, named: bool) -> None:
    assert names_its_document(question, RECORD, words) is named


def test_a_question_about_what_a_title_names_asks_of_the_text_not_the_record() -> None:
    note = metadata_text(Metadata(title="Closure of the Kaesong Industrial Complex", type="Note",
                                  date="2024-05-01"))
    assert not names_its_document("What year was the Kaesong Industrial Complex closure, in "
                                  "the note?", note, words)
    assert names_its_document("When was the note published?", note, words)
