"""Score fusion, on hand-made numbers."""

from __future__ import annotations

import numpy as np
import pytest

from rag.retrieval.fusion import best_first, convex, fuse, reciprocal_rank, z_score
from rag.settings import FusionSettings


def test_convex_combination_normalises_each_signal() -> None:
    fused = convex(np.array([0.9, 0.5, 0.1]), np.array([0.0, 10.0, 5.0]), dense_weight=0.5)
    z = 1 / np.sqrt(2 / 3)  # z-score of the extremes of three evenly spaced values
    assert fused[0] == pytest.approx(0.5 * z - 0.5 * z)
    assert fused[1] == pytest.approx(0.5 * z) and fused[2] == pytest.approx(-0.5 * z)


def test_z_score_of_constant_scores_is_zero() -> None:
    assert z_score(np.array([2.0, 2.0])).tolist() == [0.0, 0.0]


def test_a_signal_without_spread_leaves_the_other_to_decide() -> None:
    fused = convex(np.array([0.2, 0.8, 0.5]), np.zeros(3), dense_weight=0.75)
    assert best_first(fused, 3).tolist() == [1, 2, 0]


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank(np.array([3.0, 2.0, 1.0]), np.array([1.0, 9.0, 5.0]), k=60)
    assert int(np.argmax(fused)) == 1
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)


def test_each_method_reads_its_signals() -> None:
    dense, lexical = np.array([0.9, 0.1, 0.5]), np.array([0.0, 7.0, 1.0])
    assert best_first(fuse("dense", dense, lexical), 1).tolist() == [0]
    assert best_first(fuse("bm25", dense, lexical), 1).tolist() == [1]


def test_best_first_orders_and_cuts_with_ties_by_position() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.9])
    assert best_first(scores, 2).tolist() == [1, 3]
    assert best_first(scores, 10).tolist() == [1, 3, 2, 0]




def test_fusion_reads_its_weights_from_the_settings() -> None:
    dense, lexical = np.array([1.0, 0.0, 0.5]), np.array([0.0, 1.0, 0.5])
    assert best_first(fuse("hybrid", dense, lexical, FusionSettings(dense_weight=0.9)), 1)[0] == 0
    assert best_first(fuse("hybrid", dense, lexical, FusionSettings(dense_weight=0.1)), 1)[0] == 1
