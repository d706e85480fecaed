"""The confidence metrics, checked against scikit-learn's ROC AUC."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from rag.evaluation.metrics import confidence_auc, refusal_rates


def test_auc_matches_scikit_learn_with_ties() -> None:
    rng = np.random.default_rng(3)
    scores = np.round(rng.random(200), 1)  # rounded: many ties
    unanswerable = rng.random(200) < 0.3
    expected = roc_auc_score(~unanswerable, scores)
    got = confidence_auc(zip(scores.tolist(), unanswerable.tolist(), strict=True))
    assert got is not None and abs(got - expected) < 1e-12


def test_auc_is_none_without_both_kinds_or_without_probabilities() -> None:
    assert confidence_auc([(0.9, False), (0.2, False)]) is None
    assert confidence_auc([(None, False), (None, True)]) is None
    assert confidence_auc([(0.9, False), (0.1, True)]) == 1.0


def test_refusal_rates_per_kind() -> None:
    rates = refusal_rates([(True, False), (False, False), (False, False), (False, False),
                           (True, True), (False, True)])
    assert rates == {"answerable_refused": 0.25, "unanswerable_refused": 0.5}
    assert refusal_rates([]) == {"answerable_refused": None, "unanswerable_refused": None}
