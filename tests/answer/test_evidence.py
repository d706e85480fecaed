"""The calibration's evidence about each reread passage (rag.answer.evidence)."""

from __future__ import annotations

import pytest

from rag.answer.evidence import Evidence, margin, question_evidence, reread_evidence


def test_a_margin_is_against_the_best_other_and_zero_alone() -> None:
    assert margin([3.0, 1.0, 2.0], 0) == 1.0
    assert margin([3.0, 1.0, 2.0], 2) == -1.0
    assert margin([4.0], 0) == 0.0


def test_each_reread_passage_gets_its_own_scores_and_the_question_its_closest_sentence() -> None:
    """The second and fourth passages of a ranking reread (the others skipped or not read)."""
    fused = [5.0, 4.0, 3.5, 3.0]
    evidence = reread_evidence([0.5, 2.0], [0.3, 0.8], [1, 3], fused)
    assert evidence == [Evidence(0.5, 0.8, 4.0, -1.0, -1.5), Evidence(2.0, 0.8, 3.0, -2.0, 1.5)]
    first = reread_evidence([1.0], [0.4], [0], fused)[0]
    assert first.fused_margin == pytest.approx(1.0) and first.logit_margin == 0.0


def test_the_question_reads_each_signals_best_over_the_passages() -> None:
    evidence = [Evidence(0.5, 0.8, 4.0, -1.0, -1.5), Evidence(2.0, 0.8, 3.0, -2.0, 1.5)]
    assert question_evidence(evidence) == Evidence(2.0, 0.8, 4.0, -1.0, 1.5)
