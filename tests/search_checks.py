"""Checks every search must pass, whichever embedder the engine runs on."""

from __future__ import annotations

from rag.engine import Engine, SearchResult


def assert_ranked_exact_spans(engine: Engine, result: SearchResult, k: int) -> None:
    """Ranks 1..k, scores never rising, and each passage exactly its document's text[start:end]."""
    assert [p.rank for p in result.passages] == list(range(1, k + 1))
    scores = [p.score for p in result.passages]
    assert scores == sorted(scores, reverse=True)
    for passage in result.passages:
        assert engine.documents[passage.doc_id].text[passage.start:passage.end] == passage.text
