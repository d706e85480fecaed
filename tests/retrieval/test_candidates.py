"""Candidate generation: what it scores, it scores exactly as the exhaustive path does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from rag.engine import Engine
from rag.index import vector_set
from rag.index.builder import build_index
from rag.retrieval.candidates import Candidates, Units, best_in_runs, best_of_runs, runs
from rag.retrieval.filters import Filters
from rag.retrieval.hybrid import HybridRetriever
from rag.settings import FusionSettings, QuerySettings
from tests.fake_embedder import HashedBagOfWords

QUESTIONS = ("nuclear weapons in South Korea", "peace treaty signatories",
             "Hanoi summit", "who wrote the report", "armistice agreement 1953")


def test_runs_list_each_units_rows_in_order() -> None:
    bounds = np.array([0, 2, 2, 5, 6])
    rows, starts = runs(bounds, np.array([2, 0, 1, 3]))
    assert rows.tolist() == [2, 3, 4, 0, 1, 5] and starts.tolist() == [0, 3, 5, 5]


def test_best_of_runs_takes_each_units_highest_and_marks_empty_ones() -> None:
    vectors = vector_set.VectorSet.of(np.eye(4, dtype=np.float32))
    bounds = np.array([0, 2, 2, 4])
    best = best_of_runs(vectors, bounds, np.array([0, 1, 2]),
                        np.array([0.1, 0.9, 0.3, 0.2], dtype=np.float32))
    assert best.tolist() == pytest.approx([0.9, -1.0, 0.3])


def test_best_in_runs_reads_each_run_to_its_end_whatever_runs_are_empty() -> None:
    """A run followed by empty runs only kept its last row out (reviewed 2026-12-05)."""
    scores = np.array([0.1, 0.9, 0.2, 0.3], dtype=np.float32)
    assert best_in_runs(scores, np.array([0, 2, 4, 4])).tolist() == pytest.approx(
        [0.9, 0.3, -1.0])
    assert best_in_runs(scores, np.array([0, 0, 1, 4, 4])).tolist() == pytest.approx(
        [-1.0, 0.1, 0.9, -1.0])
    assert best_in_runs(np.zeros(0, dtype=np.float32), np.array([0, 0])).tolist() == [-1.0]


def test_documents_are_runs_of_their_passages() -> None:
    units = Units.of_documents(np.array([0, 3, 5, 9]), np.array([0, 0, 2]), 3)
    assert units.passage_bounds.tolist() == [0, 2, 2, 3]
    assert units.sentence_bounds.tolist() == [0, 5, 5, 9]
    assert units.of_sentence.tolist() == [0] * 5 + [2] * 4


def retrievers(engine: Engine, **changes: object) -> tuple[HybridRetriever, HybridRetriever]:
    exhaustive = HybridRetriever(engine.stored, FusionSettings(candidates="never"))
    settings = FusionSettings(candidates="always", **changes)  # type: ignore[arg-type]
    return exhaustive, HybridRetriever(engine.stored, settings)


@pytest.mark.parametrize("depth", [1000, 4])
def test_candidates_get_the_exhaustive_score(fake_engine: Engine, depth: int) -> None:
    """With the full collection as the statistics sample, a candidate's fused score is the one
    the exhaustive path gives it, however few candidates there are."""
    exhaustive, candidates = retrievers(fake_engine, candidate_depth=depth, stats_sample=10**6)
    for question in QUESTIONS:
        query = fake_engine.embedder.encode_query(question)
        terms = fake_engine.stored.lexical.query_terms(question)
        every = {s.position: s.score for s in exhaustive.score_passages(query, terms, None, 10**6)}
        found = candidates.score_passages(query, terms, None, 10)
        assert found and all(s.score == pytest.approx(every[s.position], abs=1e-5) for s in found)
        if depth == 1000:  # every passage is a candidate here
            top = exhaustive.score_passages(query, terms, None, 10)
            assert [s.position for s in found] == [s.position for s in top]
            ranked, expected = (dict(r.rank_documents(query, terms, 5))
                                for r in (candidates, exhaustive))
            assert list(ranked) == list(expected)
            assert list(ranked.values()) == pytest.approx(list(expected.values()), abs=1e-5)


def test_candidates_respect_a_filter(fake_engine: Engine) -> None:
    exhaustive, candidates = retrievers(fake_engine, candidate_depth=4, stats_sample=10**6)
    document = next(iter(fake_engine.documents))
    mask = Filters(doc_ids=frozenset([document])).mask(fake_engine.stored.chunks,
                                                       fake_engine.documents)
    query = fake_engine.embedder.encode_query(QUESTIONS[0])
    terms = fake_engine.stored.lexical.query_terms(QUESTIONS[0])
    every = {s.position: s.score for s in exhaustive.score_passages(query, terms, mask, 10**6)}
    found = candidates.score_passages(query, terms, mask, 10)
    assert found and all(mask[s.position] for s in found)
    assert mask[candidates.passages.nearest_units(query, mask)].all()
    assert all(s.score == pytest.approx(every[s.position], abs=1e-5) for s in found)


def test_a_compact_index_answers_through_candidates(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the limit (lowered here to 0) a build keeps 8-bit vectors and an IVF index, and the
    engine searches it end to end with cited, verified passages."""
    monkeypatch.setattr(vector_set, "EXACT_LIMIT", 0)
    corpus = Path(__file__).resolve().parents[2] / "corpus"
    embedder = HashedBagOfWords()
    build_index(corpus, tmp_path, embedder=embedder)
    files = {p.name for p in (tmp_path / "current").iterdir()}
    assert {"sentences.i8.npy", "sentences.ivf.faiss", "answers.i8.npy",
            "dense.i8.npy"} <= files and "sentences.faiss" not in files
    engine = Engine.open(tmp_path, corpus, embedder=embedder)
    assert engine.retriever.passages is not None  # "auto" chose candidates
    result = engine.search(QUESTIONS[0], k=5)
    assert len(result.passages) == 5
    for passage in result.passages:
        assert engine.cite(passage.key).text == passage.text
    report = next(iter(engine.documents))
    only = engine.search(QUESTIONS[0], k=5, filters=Filters(doc_ids=frozenset([report])))
    assert only.passages and {p.doc_id for p in only.passages} == {report}
    exact = Engine.open(tmp_path, corpus, embedder=embedder,
                        query=replace(QuerySettings(), fusion=FusionSettings(candidates="never")))
    assert exact.search(QUESTIONS[0], k=1).passages[0].key == result.passages[0].key
    # Every passage scored from the 8-bit rows gets the score an fp32 build gives it.
    monkeypatch.setattr(vector_set, "EXACT_LIMIT", 10**9)
    build_index(corpus, tmp_path / "fp32", embedder=embedder)
    fp32 = Engine.open(tmp_path / "fp32", corpus, embedder=embedder, query=exact.query)
    for question in QUESTIONS:
        query = embedder.encode_query(question)
        terms = fp32.stored.lexical.query_terms(question)
        want = {s.position: s.score for s in fp32.retriever.score_passages(query, terms, None, 50)}
        got = {s.position: s.score for s in exact.retriever.score_passages(query, terms, None, 50)}
        assert got.keys() == want.keys()
        assert all(got[p] == pytest.approx(want[p], abs=0.02) for p in want)


def test_the_sampled_statistics_are_the_exhaustive_formula_over_the_sample() -> None:
    """On a collection larger than the sample, with empty units and a filter that admits
    enough sampled units to use them: the statistics are the mean and spread of the exact
    dense signal of the sampled units the filter admits."""
    rng = np.random.default_rng(3)
    counts = rng.integers(0, 4, 300)  # sentences per passage, some none
    bounds = np.concatenate([[0], np.cumsum(counts)])
    sentences = rng.standard_normal((int(bounds[-1]), 16)).astype(np.float32)
    sentences /= np.linalg.norm(sentences, axis=1, keepdims=True)
    passages = rng.standard_normal((300, 16)).astype(np.float32)
    passages /= np.linalg.norm(passages, axis=1, keepdims=True)

    stored = SimpleNamespace(dense=vector_set.VectorSet.of(passages),  # what Candidates reads
                             sentences=SimpleNamespace(dense=vector_set.VectorSet.of(sentences)))
    candidates = Candidates(stored, Units.of_passages(bounds),  # type: ignore[arg-type]
                            FusionSettings(stats_sample=200))
    query = passages[7]
    assert np.allclose(candidates.sample_signal(query),
                       candidates.dense(query, candidates.sample), atol=1e-6)
    mask = np.arange(300) % 3 != 0
    admitted = candidates.sample[mask[candidates.sample]]
    assert len(admitted) >= 64
    values = candidates.dense(query, admitted)
    mean, spread = candidates.dense_statistics(query, mask)
    assert (mean, spread) == pytest.approx((values.mean(), values.std()), abs=1e-6)


def test_an_unknown_candidate_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="one of auto, always, never"):
        FusionSettings(candidates="Always")  # type: ignore[arg-type]
