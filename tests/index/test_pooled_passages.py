"""Passage vectors pooled from the sentences' and the title's own vectors: the arithmetic
(fast), what a build stores (fake embedder), and closeness to the passage as the real model
reads it (slow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.chunking.passages import embedding_input
from rag.engine import Engine
from rag.index import pooled_passages as pooled
from rag.index.builder import build_index
from rag.index.embedding import shared_embedder
from rag.index.pooled_passages import pooled_passages
from rag.index.title_context import title_input
from rag.messages import build_summary
from rag.settings import Settings
from tests.conftest import SHIPPED_CORPUS
from tests.fake_embedder import RecordingEmbedder


def unit(vector: list[float]) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float32)
    return array / np.linalg.norm(array)


def test_a_passage_is_the_token_weighted_mean_of_its_sentences_and_title() -> None:
    x, y, z = unit([1, 0, 0]), unit([0, 1, 0]), unit([0, 0, 1])
    sentences = np.stack([x, y, z])
    tokens = np.array([3.0, 1.0, 2.0])
    owner = np.array([0, 0, 1])
    alone = pooled_passages(2, owner, sentences, tokens)
    assert np.allclose(alone, [unit([3, 1, 0]), z]), "weighted by tokens, each its own passage"
    titled = pooled_passages(2, owner, sentences, tokens, np.stack([z, x]), np.array([2.0, 2.0]))
    assert np.allclose(titled, [unit([3, 1, 2]), unit([2, 0, 2])])
    assert np.allclose(np.linalg.norm(titled, axis=1), 1.0)


@pytest.mark.parametrize("with_context", [True, False])
def test_a_large_build_stores_the_pooled_vector_of_each_passage(tmp_path: Path,
                                                                with_context: bool) -> None:
    embedder = RecordingEmbedder()
    settings = Settings(embed_with_context=with_context, pool_passages_from=13)
    report = build_index(SHIPPED_CORPUS, tmp_path / "index", settings, embedder=embedder)
    stored = Engine.open(tmp_path / "index", SHIPPED_CORPUS, settings, embedder=embedder).stored
    rows = stored.sentences.rows
    assert len(stored.chunks) == 13, "the shipped corpus is the size that starts pooling"
    sentences = {stored.documents[stored.chunks[c].doc_id].text[a:b] for c, a, b in rows.tolist()}
    heads = {title_input(d.metadata.title) for d in stored.documents.values()}
    assert set(embedder.texts) == sentences | (heads if with_context else set()), \
        "the model reads the sentences and the titles, no passage"
    assert report.embedded == len(set(embedder.texts))
    assert "passage vectors pooled" in build_summary(report)
    for passage in (0, len(stored.chunks) - 1):
        chunk = stored.chunks[passage]
        document = stored.documents[chunk.doc_id]
        mine = rows[rows[:, 0] == passage]
        texts = [document.text[a:b] for _, a, b in mine.tolist()]
        parts = [embedder.encode(texts), embedder.token_counts(texts)]
        if with_context:
            head = [title_input(document.metadata.title)]
            parts += [embedder.encode(head), embedder.token_counts(head)]
        expected = pooled_passages(1, np.zeros(len(texts), dtype=np.int64), *parts)[0]
        assert np.allclose(stored.dense.rows([passage])[0], expected, atol=1e-6)


def test_a_smaller_build_reads_every_passage(tmp_path: Path) -> None:
    embedder = RecordingEmbedder()
    settings = Settings(pool_passages_from=14)
    report = build_index(SHIPPED_CORPUS, tmp_path / "index", settings, embedder=embedder)
    assert "pooled" not in build_summary(report)
    stored = Engine.open(tmp_path / "index", SHIPPED_CORPUS, settings, embedder=embedder).stored
    read = embedder.encode([embedding_input(c, stored.documents[c.doc_id].metadata.title,
                                            settings) for c in stored.chunks])
    assert np.allclose(stored.dense.all(), read, atol=1e-6)


def test_growing_past_the_size_reads_nothing_again_and_shrinking_reads_only_passages(
        tmp_path: Path) -> None:
    """A corpus that grows past the size keeps its sentences' and titles' vectors; one that
    shrinks below it reads its passages again (a pooled build keeps no passage vector the
    model read), and only them."""
    embedder = RecordingEmbedder()
    build_index(SHIPPED_CORPUS, tmp_path / "index", Settings(pool_passages_from=14),
                embedder=embedder)
    embedder.texts.clear()
    pooled = build_index(SHIPPED_CORPUS, tmp_path / "index", Settings(pool_passages_from=13),
                         embedder=embedder)
    assert (pooled.embedded, embedder.texts) == (0, [])
    again = build_index(SHIPPED_CORPUS, tmp_path / "index", Settings(pool_passages_from=14),
                        embedder=embedder)
    assert again.embedded == 13 == len(embedder.texts)


def test_the_size_is_not_part_of_the_fingerprint(tmp_path: Path) -> None:
    """It decides how a build works, not what the index holds: an index pooled under one size
    opens under another (and under the default), as one built before the setting existed."""
    embedder = RecordingEmbedder()
    build_index(SHIPPED_CORPUS, tmp_path / "index", Settings(pool_passages_from=13),
                embedder=embedder)
    for settings in (Settings(), Settings(pool_passages_from=100)):
        stored = Engine.open(tmp_path / "index", SHIPPED_CORPUS, settings,
                             embedder=embedder).stored
        assert not stored.embed_hashes and len(stored.chunks) == 13


@pytest.mark.slow
def test_the_pooled_vector_comes_close_to_the_passage_as_the_model_reads_it(
        tmp_path: Path) -> None:
    """Not the same vector (measured on the shipped corpus, pooled: median cosine 0.92,
    lowest 0.85), but close; the ranking figures it gives are in docs/speed.md."""
    settings = Settings(pool_passages_from=0)
    build_index(SHIPPED_CORPUS, tmp_path / "index", settings)
    stored = Engine.open(tmp_path / "index", SHIPPED_CORPUS, settings).stored
    read = shared_embedder().encode(
        [f"{title_input(stored.documents[c.doc_id].metadata.title)} {c.text}"
         for c in stored.chunks])
    cosines = (read * stored.dense.all()).sum(axis=1)
    assert not stored.embed_hashes, "every passage vector was pooled"
    assert np.median(cosines) > 0.9 and cosines.min() > 0.8


def test_blocks_give_what_one_sum_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sum is taken a block of passages at a time, so memory stays bounded: the result
    must not depend on where the blocks fall."""
    generator = np.random.default_rng(3)
    counts = generator.integers(1, 5, size=50)
    owner = np.repeat(np.arange(50), counts)
    vectors = generator.normal(size=(len(owner), 8)).astype(np.float32)
    tokens = generator.integers(1, 30, size=len(owner)).astype(np.float32)
    whole = pooled_passages(50, owner, vectors, tokens)
    monkeypatch.setattr(pooled, "PASSAGES_PER_BLOCK", 7)
    assert np.allclose(pooled_passages(50, owner, vectors, tokens), whole, atol=1e-6)
    expected = np.stack([(tokens[owner == p, None] * vectors[owner == p]).sum(axis=0)
                         for p in range(50)])
    assert np.allclose(whole, expected / np.linalg.norm(expected, axis=1, keepdims=True),
                       atol=1e-5)


@pytest.mark.parametrize("owner", [[1, 0, 1], [0, 0, 2], [0, 1, 1, 3]])
def test_unsorted_or_missing_passages_are_refused(owner: list[int]) -> None:
    with pytest.raises(ValueError, match="sorted by passage"):
        pooled_passages(3, np.array(owner), np.ones((len(owner), 2), dtype=np.float32),
                        np.ones(len(owner), dtype=np.float32))
