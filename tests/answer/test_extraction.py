"""Choosing the answer sentences among scored candidates (fast: no model)."""

from __future__ import annotations

import numpy as np

from rag.answer.extraction import (
    AnswerSpan,
    SentenceScores,
    choose_sentences,
    format_answer,
    verified,
)
from rag.settings import AnswerSettings


def test_an_answer_never_repeats_a_sentence_from_a_duplicated_passage() -> None:
    spans = [AnswerSpan("Same words.", 1, "a:1", "a", 0, 11),
             AnswerSpan("Same  words.", 2, "b:1", "b", 0, 12),
             AnswerSpan("Other words.", 3, "c:1", "c", 0, 12)]
    chosen = choose_sentences(SentenceScores(spans, np.array([0.9, 0.9, 0.89])))
    assert [s.text for s in chosen] == ["Same words.", "Other words."]


def test_the_best_sentence_comes_first_and_one_passage_s_keep_their_order() -> None:
    spans = [AnswerSpan("best", 3, "d:3", "d", 50, 54), AnswerSpan("next", 1, "d:1", "d", 0, 4)]
    chosen = choose_sentences(SentenceScores(spans, np.array([0.95, 0.90])))
    assert [s.text for s in chosen] == ["best", "next"]  # [3] before [1]: the answer opens right
    same = [AnswerSpan("later", 1, "d:1", "d", 50, 55), AnswerSpan("earlier", 1, "d:1", "d", 0, 7)]
    chosen = choose_sentences(SentenceScores(same, np.array([0.95, 0.94])))
    assert [s.text for s in chosen] == ["earlier", "later"]


def test_sentences_sharing_the_questions_words_win_near_ties() -> None:
    spans = [AnswerSpan("Singapore summit in June", 1, "d:1", "d", 0, 24),
             AnswerSpan("a summit in Hanoi in February 2019", 1, "d:1", "d", 25, 59)]
    close = np.array([0.60, 0.58])
    assert choose_sentences(SentenceScores(spans, close))[0].start == 0
    chosen = choose_sentences(SentenceScores(spans, close, overlap=np.array([0.25, 0.75])))
    assert chosen[0].start == 25


def test_one_sentence_only_when_the_settings_say_so() -> None:
    spans = [AnswerSpan("One.", 1, "a:1", "a", 0, 4), AnswerSpan("Two.", 1, "a:1", "a", 5, 9)]
    scores = SentenceScores(spans, np.array([0.9, 0.9]))
    assert len(choose_sentences(scores)) == 2
    assert len(choose_sentences(scores, AnswerSettings(max_sentences=1))) == 1


def test_a_span_not_in_its_document_is_dropped(fake_engine) -> None:  # type: ignore[no-untyped-def]
    doc_id, document = next(iter(fake_engine.documents.items()))
    good = AnswerSpan(document.text[0:20], 1, "k", doc_id, 0, 20)
    bad = AnswerSpan("not the text at all", 1, "k", doc_id, 0, 19)
    assert verified([good, bad, AnswerSpan("x", 1, "k", "nowhere", 0, 1)],
                    fake_engine.documents) == [good]


def test_an_answer_gives_a_pdf_sentence_s_page_and_reads_a_wrapped_line_as_one() -> None:
    """A PDF's answer had shown "from nine\ncoastal cities", and its sentence's page only in
    the JSON; its span keeps the exact text."""
    wrapped = AnswerSpan("Ships came from nine\ncoastal cities (mostly\nport-\nbound) in\n1953.",
                         1, "k", "d", 0, 60, "iii")
    record = AnswerSpan("Title: Notes\nType: Report", 2, "r", "d", 60, 85, None)
    listed = AnswerSpan("Steps:\n1. sign\n2. ratify", 3, "l", "d", 90, 114, None)
    assert format_answer([wrapped, record, listed]) == (
        "Ships came from nine coastal cities (mostly port-bound) in 1953. [1, p. iii] "
        "Title: Notes\nType: Report [2] Steps:\n1. sign\n2. ratify [3]")  # the page, in a PDF
