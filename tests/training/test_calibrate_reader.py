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
from training.sweep_reader import labelled, verdict_inputs

QUESTIONS = ("What is a peace regime?", "Who wrote the report?", "peace regime",
             "How many warheads does Narnia have?", "Kumgang?", "???", "the of and")


@pytest.mark.parametrize("threshold", [0.55, 0.999])
def test_the_calibration_computes_what_the_engine_computed(fake_engine: Engine,
                                                           threshold: float) -> None:
    """For each question, the probability of the evidence the engine reports, put through the
    verdict the calibration applies, gives the engine's own refusal and confidence: so the
    threshold chosen on dev refuses on dev what the engine refuses. Every signal has a weight,
    so a signal reported wrong moves the probability; at the high threshold only a quote is
    answered, so the quote rule decides."""
    model = WordOverlapReader()
    model.calibration = Calibration(scale=0.5, shift=-0.5, closeness_scale=1.0,
                                    fused_scale=0.2, fused_margin_scale=0.3,
                                    logit_margin_scale=-0.1, threshold=threshold)
    engine = Engine(fake_engine.stored, fake_engine.corpus_dir, fake_engine.embedder,
                    QuerySettings(reader=ReaderSettings(enabled=True)), reader=model)
    rules = engine.passage_reader.settings
    seen = []
    for question in QUESTIONS:
        result = engine.search(question)
        row = verdict_inputs(result.as_dict()["decision"])
        probability = 0.0 if row["evidence"] is None else model.calibration.probability(
            Evidence(**row["evidence"]))
        assert probability == pytest.approx(result.decision.probability or 0.0, abs=1e-5)
        assert refused(row, probability, rules) == result.abstained, question
        assert shown_confidence(row, probability, rules) == pytest.approx(
            result.confidence, abs=1e-5), question
        seen.append((row, probability, result.abstained))
    # the paths the verdict takes: refused unread (no words; words the documents never use),
    # a name the documents never use, and a quote answered below the threshold
    unread = [r for r, _, _ in seen if r["refused_unread"]]
    assert len(unread) == 3
    assert any(r["names_unknown"] and r["evidence"] is not None for r, _, _ in seen)
    assert any(r["verbatim"] and p < threshold and not refused_ for r, p, refused_ in seen) \
        == (threshold > 0.9)
    # and, among the questions read, one refused and one answered
    assert {refused_ for r, _, refused_ in seen if not r["refused_unread"]} == {True, False}


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


def test_a_bare_question_is_left_out_of_the_calibration() -> None:
    """Its `unanswerable` is None, which `not r["unanswerable"]` had read as answerable."""
    rows = [{"id": "a", "unanswerable": False, "eval": {"labelled": True}},
            {"id": "b", "unanswerable": None, "eval": {"labelled": False}}]
    assert [row["id"] for row in labelled(rows)] == ["a"]  # type: ignore[arg-type]
