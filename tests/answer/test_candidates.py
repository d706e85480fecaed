"""The sentence before an answer sentence, for a month's year (rag.answer.dates)."""

from __future__ import annotations

from rag.answer.extraction import AnswerSpan
from rag.engine import Engine


def span_of(engine: Engine, sentence: str) -> AnswerSpan:
    chunk = next(c for c in engine.stored.chunks if sentence in c.text)
    start = engine.documents[chunk.doc_id].text.index(sentence, chunk.start)
    return AnswerSpan(sentence, 1, chunk.key, chunk.doc_id, start, start + len(sentence))


def test_the_sentence_before_is_the_one_just_before_in_the_passage(fake_engine: Engine) -> None:
    month = span_of(fake_engine, "At a historic summit in Singapore in June")
    before = fake_engine.reader.sentence_before(month)
    assert before is not None and before.text.startswith("In 2018, reinvigorated diplomacy")
    text = fake_engine.documents[before.doc_id].text
    assert text[before.start:before.end] == before.text and before.end <= month.start


def test_a_passage_s_first_sentence_has_none_before_it(fake_engine: Engine) -> None:
    first = span_of(fake_engine, "In 2018, reinvigorated diplomacy")
    assert fake_engine.reader.sentence_before(first) is None


def test_a_sentence_in_another_paragraph_is_not_the_one_before(fake_engine: Engine) -> None:
    """A year from the paragraph before may be another story's."""
    for chunk in fake_engine.stored.chunks:
        text = fake_engine.documents[chunk.doc_id].text
        cut = text.find("\n\n", chunk.start, chunk.end)
        if cut < 0 or not text[cut:chunk.end].strip():
            continue
        start = cut + 2 + (len(text[cut + 2:]) - len(text[cut + 2:].lstrip()))
        end = text.find(".", start) + 1
        opening = AnswerSpan(text[start:end], 1, chunk.key, chunk.doc_id, start, end)
        assert fake_engine.reader.sentence_before(opening) is None
        return
    raise AssertionError("no passage of the shipped corpus spans two paragraphs")
