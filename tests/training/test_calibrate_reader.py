"""The reader's calibration reads the engine's own numbers and applies the engine's own verdict
(training/calibrate_reader.py, training/sweep_reader.engine_set)."""

from __future__ import annotations

import numpy as np
import pytest

from rag.answer.evidence import Evidence
from rag.answer.reader import Calibration
from rag.engine import Engine
from rag.settings import QuerySettings, ReaderSettings
from tests.fake_reader import WordOverlapReader
from training.calibrate_reader import highest_threshold, refused, shown_confidence
from training.sweep_reader import verdict_inputs

QUESTIONS = ("What is a peace regime?", "Who wrote the report?", "peace regime",
             "How many warheads does Narnia have?", "???", "the of and")


def test_the_calibration_computes_what_the_engine_computed(fake_engine: Engine) -> None:
    """For each question, the probability of the evidence the engine reports, put through the
    verdict the calibration applies, gives the engine's own refusal and confidence: so the
    threshold chosen on dev refuses on dev what the engine refuses."""
    model = WordOverlapReader()
    model.calibration = Calibration(scale=0.5, shift=-0.5, closeness_scale=1.0,
                                    fused_margin_scale=0.3, threshold=0.55)
    engine = Engine(fake_engine.stored, fake_engine.corpus_dir, fake_engine.embedder,
                    QuerySettings(reader=ReaderSettings(enabled=True)), reader=model)
    rules = engine.passage_reader.settings
    outcomes = set()
    for question in QUESTIONS:
        result = engine.search(question)
        row = verdict_inputs(result.as_dict()["decision"])
        probability = 0.0 if row["evidence"] is None else model.calibration.probability(
            Evidence(**row["evidence"]))
        assert refused(row, probability, rules) == result.abstained, question
        assert shown_confidence(row, probability, rules) == pytest.approx(
            result.confidence, abs=1e-5), question
        outcomes.add((result.abstained, row["refused_unread"], row["verbatim"]))
    # the questions reach a refusal, an answer, a quote and a blind refusal
    assert {(True, False, False), (False, False, False), (True, True, False)} <= outcomes
    assert any(verbatim for _, _, verbatim in outcomes)


def row(unanswerable: bool, *, unread: bool = False, verbatim: bool = False) -> dict:
    return {"unanswerable": unanswerable, "evidence": None, "verbatim": verbatim,
            "names_unknown": False, "support": 1.0, "refused_unread": unread}


def test_the_threshold_is_the_highest_that_refuses_at_most_the_share_asked() -> None:
    rules = ReaderSettings()
    # nine answerable questions read, with these probabilities, and one refused unread
    rows = [row(False) for _ in range(9)] + [row(False, unread=True)]
    probability = np.array([0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.0])
    # the question refused unread already takes the 10 % allowed
    assert highest_threshold(rows, probability, rules, 0.10) == pytest.approx(0.2)
    assert highest_threshold(rows, probability, rules, 0.20) == pytest.approx(0.3)
    # a question quoting a passage is never refused, so it takes none of the allowance
    rows[0] = row(False, verbatim=True)
    assert highest_threshold(rows, probability, rules, 0.10) == pytest.approx(0.3)
    # unanswerable questions do not count against it
    rows.append(row(True))
    assert highest_threshold(rows, np.append(probability, 0.95), rules, 0.10) == \
        pytest.approx(0.3)
