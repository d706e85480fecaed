"""Score fusion and the abstention rule's pieces, on hand-made numbers."""

from __future__ import annotations

import numpy as np
import pytest

from rag.answer.abstention import NAME_PENALTY, SENTENCE_THRESHOLD, should_abstain
from rag.answer.quotes import Quote, quotes_verbatim
from rag.retrieval.fusion import best_first, convex, fuse, reciprocal_rank, z_score


def test_convex_combination_normalises_each_signal() -> None:
    fused = convex(np.array([0.9, 0.5, 0.1]), np.array([0.0, 10.0, 5.0]), dense_weight=0.5)
    z = 1 / np.sqrt(2 / 3)  # z-score of the extremes of three evenly spaced values
    assert fused[0] == pytest.approx(0.5 * z - 0.5 * z)
    assert fused[1] == pytest.approx(0.5 * z) and fused[2] == pytest.approx(-0.5 * z)


def test_z_score_of_constant_scores_is_zero() -> None:
    assert z_score(np.array([2.0, 2.0])).tolist() == [0.0, 0.0]


def test_a_signal_without_spread_leaves_the_other_to_decide() -> None:
    fused = convex(np.array([0.2, 0.8, 0.5]), np.zeros(3))
    assert best_first(fused, 3).tolist() == [1, 2, 0]


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank(np.array([3.0, 2.0, 1.0]), np.array([1.0, 9.0, 5.0]))
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


def test_the_rule_refuses_low_support_unless_the_question_quotes() -> None:
    assert not should_abstain(0.0, verbatim=True)
    assert should_abstain(0.1, verbatim=False) and not should_abstain(0.9, verbatim=False)


def test_a_name_the_documents_never_use_asks_for_more_support_not_a_refusal() -> None:
    just_enough = SENTENCE_THRESHOLD + NAME_PENALTY / 2
    assert not should_abstain(just_enough, verbatim=False)
    assert should_abstain(just_enough, verbatim=False, names_unknown=True)
    assert not should_abstain(SENTENCE_THRESHOLD + 2 * NAME_PENALTY, False, names_unknown=True)
