"""When a question quotes the documents."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rag.answer.quotes import Quote, quotes_verbatim
from rag.settings import AnswerSettings


def test_a_long_question_quotes_with_eight_consecutive_words() -> None:
    passage = "Peace is a process, not an event. A peace regime thus represents a framework."
    assert quotes_verbatim("why is PEACE a process not an event a peace regime?", [passage])
    assert not quotes_verbatim("why is peace a process and not an event at all?", [passage])


def test_a_short_query_quotes_when_all_of_it_occurs() -> None:
    passage = "the Northern Limit Line, conventional force reductions"
    assert quotes_verbatim("northern limit line", [passage])
    assert Quote.of("Northern Limit Line").whole_question
    assert not quotes_verbatim("southern limit line", [passage])
    assert not Quote.of("").in_text(passage)


def test_a_keyword_search_quotes_when_all_its_words_occur_in_any_order() -> None:
    passage = "a diplomatic failure at a subsequent summit in Hanoi in February 2019"
    assert quotes_verbatim("Hanoi summit", [passage])
    assert not quotes_verbatim("Hanoi summit?", [passage]), "a question, not a keyword search"
    assert not quotes_verbatim("Where was the summit in Hanoi", [passage])
    assert not quotes_verbatim("Singapore summit", [passage])


def test_the_quote_length_comes_from_the_settings() -> None:
    passage = "Peace is a process, not an event."
    assert not quotes_verbatim("why is it that peace is a process, not an event", [passage])
    assert quotes_verbatim("why is it that peace is a process, not an event", [passage],
                           AnswerSettings(verbatim_words=6))


@given(st.lists(st.sampled_from(["a", "b", "c", "ab", "ba"]), min_size=0, max_size=30),
       st.lists(st.sampled_from(["a", "b", "c", "ab", "ba"]), min_size=9, max_size=12))
def test_a_quote_is_a_run_of_consecutive_words(text: list[str], question: list[str]) -> None:
    """The substring search finds exactly the 8-word windows a word-by-word scan finds."""
    quote = Quote.of(" ".join(question) + "?")
    windows = {" ".join(text[i:i + quote.length]) for i in range(len(text) - quote.length + 1)}
    assert quote.in_text(" ".join(text)) == bool(windows & quote.grams)
