"""Vector sets: exact fp32 when small, 8-bit rows with an IVF index past the limit."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rag.index.vector_set import EXACT_LIMIT, VectorSet, needs_compact


def unit_vectors(count: int, seed: int = 0, clusters: int = 20) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, 32))
    vectors = centres[rng.integers(0, clusters, count)] + 0.5 * rng.standard_normal((count, 32))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_small_sets_stay_exact_and_large_ones_turn_compact() -> None:
    assert not needs_compact(EXACT_LIMIT) and needs_compact(EXACT_LIMIT + 1)


def test_an_exact_set_keeps_every_vector_bit_for_bit(tmp_path: Path) -> None:
    vectors = unit_vectors(100)
    stored = VectorSet.of(vectors)
    assert stored.exact and stored.search is None
    stored.save(tmp_path, "set")
    loaded = VectorSet.load(tmp_path, "set")
    assert loaded.exact and np.array_equal(loaded.all(), vectors)
    assert np.array_equal(loaded.rows([3, 1]), vectors[[3, 1]])


def test_a_compact_set_is_8_bit_on_disk_and_finds_each_vector_first(tmp_path: Path) -> None:
    vectors = unit_vectors(4000)
    VectorSet.of(vectors, compact=True, searchable=True).save(tmp_path, "set")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set.i8.npy", "set.ivf.faiss",
                                                          "set.scales.npy"]
    assert (tmp_path / "set.i8.npy").stat().st_size < vectors.nbytes / 3
    loaded = VectorSet.load(tmp_path, "set")
    assert not loaded.exact and loaded.vectors.dtype == np.int8
    assert isinstance(loaded.vectors.base, np.memmap)  # only the rows read are paged in
    # at most half a step of each row's own scale off, in every component
    steps = np.abs(vectors).max(axis=1, keepdims=True) / 127
    assert (np.abs(loaded.all() - vectors) <= steps / 2 + 1e-7).all()
    cosines = np.sum(loaded.all() * vectors, axis=1) / np.linalg.norm(loaded.all(), axis=1)
    assert cosines.min() > 0.9995
    assert np.array_equal(loaded.rows([7, 2]), loaded.all()[[7, 2]])
    assert np.allclose(loaded.scores(vectors[5]), loaded.all() @ vectors[5], atol=1e-5)
    hits = [loaded.nearest(vectors[i], 10)[0] for i in range(0, 4000, 97)]
    assert hits == list(range(0, 4000, 97))


def test_a_zero_row_stays_zero_in_8_bits() -> None:
    vectors = unit_vectors(10)
    vectors[4] = 0.0
    compact = VectorSet.of(vectors, compact=True)
    assert np.isfinite(compact.all()).all() and not compact.all()[4].any()


def test_scores_are_every_rows_cosine_in_either_form() -> None:
    vectors = unit_vectors(300)
    exact, compact = VectorSet.of(vectors), VectorSet.of(vectors, compact=True)
    assert np.allclose(exact.scores(vectors[0]), vectors @ vectors[0], atol=1e-6)
    assert np.allclose(compact.scores(vectors[0]), vectors @ vectors[0], atol=5e-3)


def test_row_scores_are_those_rows_cosines_in_either_form() -> None:
    vectors = unit_vectors(300)
    picks = np.array([250, 3, 3, 17])  # any order, repeats allowed
    for stored in (VectorSet.of(vectors), VectorSet.of(vectors, compact=True)):
        expected = stored.rows(picks) @ vectors[9]
        assert np.allclose(stored.row_scores(picks, vectors[9]), expected, atol=1e-6)
        assert np.allclose(stored.row_scores(slice(10, 20), vectors[9]),
                           stored.scores(vectors[9])[10:20], atol=1e-6)


def test_a_compact_set_without_search_has_no_index(tmp_path: Path) -> None:
    VectorSet.of(unit_vectors(50), compact=True).save(tmp_path, "answers")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.i8.npy", "answers.scales.npy"]
    assert VectorSet.load(tmp_path, "answers").search is None


def test_a_filtered_search_returns_only_admitted_vectors(tmp_path: Path) -> None:
    vectors = unit_vectors(4000)
    stored = VectorSet.of(vectors, compact=True, searchable=True)
    admitted = np.zeros(4000, dtype=bool)
    admitted[::40] = True
    hits = stored.nearest(vectors[0], 10, admitted)
    assert hits[0] == 0 and len(hits) > 0 and admitted[hits].all()
    assert not admitted[stored.nearest(vectors[1], 10)].all()  # unfiltered, the others come
