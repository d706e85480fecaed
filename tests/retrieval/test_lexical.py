"""The lexical retriever's tokenisation, checked against bm25s's own."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.engine import Engine
from rag.retrieval.lexical import terms, tokenize
from rag.settings import Settings

INDEX = Settings()
PLAIN = Settings(bm25_stemming=False, bm25_stopwords=False)


def test_terms_are_what_bm25s_makes_of_every_shipped_passage(fake_engine: Engine) -> None:
    texts = [c.text for c in fake_engine.stored.chunks]
    for options in (INDEX, PLAIN):
        assert [terms(t, options) for t in texts] == tokenize(texts, options)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_terms_match_bm25s_on_any_text(text: str) -> None:
    assert terms(text, INDEX) == tokenize([text], INDEX)[0]
