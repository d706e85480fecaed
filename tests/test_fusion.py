"""Score fusion and the abstention rule's pieces, on hand-made numbers."""

from __future__ import annotations

import numpy as np
import pytest

from rag.abstention import quotes_verbatim, should_abstain
from rag.retrieval.fusion import convex, reciprocal_rank, top_positions, z_score


def test_convex_combination_normalises_each_signal() -> None:
    fused = convex({0: 0.9, 1: 0.5, 2: 0.1}, {0: 0.0, 1: 10.0, 2: 5.0}, dense_weight=0.5)
    z = 1 / np.sqrt(2 / 3)  # z-score of the extremes of three evenly spaced values
    assert fused[0] == pytest.approx(0.5 * z - 0.5 * z)
    assert fused[1] == pytest.approx(0.5 * z) and fused[2] == pytest.approx(-0.5 * z)
    assert convex({}, {}) == {}


def test_z_score_of_constant_scores_is_zero() -> None:
    assert z_score(np.array([2.0, 2.0])).tolist() == [0.0, 0.0]


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank({0: 3.0, 1: 2.0, 2: 1.0}, {1: 9.0, 0: 1.0, 2: 5.0})
    assert max(fused, key=fused.get) == 1
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)


def test_top_positions_respects_the_mask_and_order() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.7])
    assert top_positions(scores, None, 2).tolist() == [1, 3]
    assert top_positions(scores, np.array([True, False, True, False]), 5).tolist() == [2, 0]


def test_verbatim_quotes_need_eight_consecutive_words() -> None:
    passage = "Peace is a process, not an event. A peace regime thus represents a framework."
    assert quotes_verbatim("why is PEACE a process not an event a peace regime?", [passage])
    assert not quotes_verbatim("peace is a process, not an event", [passage])
    assert not should_abstain(0.0, verbatim=True)
    assert should_abstain(0.1, verbatim=False) and not should_abstain(0.9, verbatim=False)
