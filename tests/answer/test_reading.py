"""The reader's verdict and labels, and its reranking arithmetic, without the model."""

from __future__ import annotations

import numpy as np
import pytest

from rag.answer.evidence import Evidence
from rag.answer.reader import Calibration
from rag.answer.reading import (
    LIKELY,
    UNCERTAIN,
    UNLIKELY,
    PassageReader,
    Reading,
    confidence_label,
    judge,
    pair_probability,
)
from rag.answer.relevance import (
    GOOD,
    PARTIAL,
    QUOTED,
    STRONG,
    WEAK,
    no_stronger_than,
    reader_relevance,
    signal_words,
)
from rag.engine import Engine
from rag.retrieval.hybrid import Scored
from rag.settings import AbstentionSettings, ReaderSettings

RULES = ReaderSettings(threshold=0.5, likely=0.8)
SIMILARITY = AbstentionSettings()


def reading(probability: float) -> Reading:
    return Reading([], {}, 0.0, probability)


@pytest.mark.parametrize(("probability", "label"), [
    (0.95, LIKELY), (0.8, LIKELY), (0.79, UNCERTAIN), (0.5, UNCERTAIN), (0.49, UNLIKELY)])
def test_confidence_labels_follow_the_thresholds(probability: float, label: str) -> None:
    assert confidence_label(probability, RULES) == label


def test_the_verdict_refuses_below_the_threshold_and_labels_the_rest() -> None:
    low = judge(reading(0.3), 0.9, False, False, SIMILARITY, RULES)
    assert low.refuse and low.label == UNLIKELY and low.confidence == 0.3
    mid = judge(reading(0.6), 0.1, False, False, SIMILARITY, RULES)
    assert not mid.refuse and mid.label == UNCERTAIN  # the sentence rule is off by default
    # A quote is never refused, and its label reads its number ("Trump" at 0.55 had been
    # called likely, "very probably answers")
    quoted = judge(reading(0.1), 0.1, True, False, SIMILARITY, RULES)
    assert not quoted.refuse and quoted.label == UNCERTAIN
    assert judge(reading(0.9), 0.1, True, False, SIMILARITY, RULES).label == LIKELY
    assert judge(None, 0.1, True, False, SIMILARITY, RULES).label == UNCERTAIN


def test_switched_on_rules_can_only_add_refusals() -> None:
    strict = ReaderSettings(sentence_rule=True, name_penalty=0.2, threshold=0.5)
    assert judge(reading(0.9), 0.1, False, False, SIMILARITY, strict).refuse
    named = judge(reading(0.6), 0.9, False, True, SIMILARITY, strict)
    assert named.refuse and named.confidence == pytest.approx(0.4)


def test_the_name_penalty_never_takes_the_confidence_below_zero() -> None:
    verdict = judge(reading(0.05), 0.1, False, True, SIMILARITY, RULES)
    assert verdict.refuse and verdict.confidence == 0.0


def test_without_the_reader_the_support_decides_and_is_the_confidence() -> None:
    below = SIMILARITY.sentence_threshold - 0.01
    verdict = judge(None, below, False, False, SIMILARITY, RULES)
    expected = 1 / (1 + np.exp(-(SIMILARITY.confidence_scale * below
                                 + SIMILARITY.confidence_shift)))
    assert verdict.refuse and verdict.label == UNLIKELY
    assert verdict.confidence == pytest.approx(expected)
    answered = judge(None, 0.99, False, False, SIMILARITY, RULES)
    assert not answered.refuse and answered.label == LIKELY  # 0.99 support: P > 0.8
    named = judge(None, 0.99, False, True, SIMILARITY, RULES)
    assert named.confidence is not None and named.confidence < (answered.confidence or 0)


@pytest.mark.parametrize(("probability", "label"), [
    (0.9, STRONG), (0.6, GOOD), (0.3, PARTIAL), (0.1, WEAK)])
def test_passage_relevance_from_the_reader(probability: float, label: str) -> None:
    assert reader_relevance(probability, RULES) == label


def test_a_passage_not_reread_is_never_labelled_above_those_reread() -> None:
    assert no_stronger_than(STRONG, [STRONG, GOOD]) == GOOD
    assert no_stronger_than(PARTIAL, [STRONG, GOOD]) == PARTIAL
    assert no_stronger_than(STRONG, []) == STRONG  # the reader off: nothing above it was reread
    assert no_stronger_than(QUOTED, [WEAK]) == QUOTED  # the question's own words stay said


def test_the_number_beside_a_label_names_its_scale() -> None:
    """A user saw "answers 0.78" beside "closeness 0.23" and read them as one scale."""
    assert signal_words({"reader": 0.784, "closeness": 0.5}) == "answers 78%"
    assert signal_words({"reader": 0.9774}) == "answers 97%"  # down, as the confidence 0.97
    assert signal_words({"reader": 0.29}) == "answers 29%"
    assert signal_words({"closeness": 0.234}) == "similarity 0.23"


class Logits:
    calibration = Calibration()

    def __init__(self, values: list[float]) -> None:
        self.values = values
        self.read: list[int] = []  # how many texts each call read

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        self.read.append(len(texts))
        return np.array(self.values[:len(texts)], dtype=np.float32)


def test_reordered_scores_put_the_unread_tail_below_and_keep_its_spacing() -> None:
    reader = PassageReader.__new__(PassageReader)
    reader.settings = ReaderSettings(retrieval_weight=0.5)
    scores = reader.reordered([3.0, 2.0, 1.5, 1.0], np.array([-1.0, 2.0]))
    assert scores[:2] == [-1.0 + 1.5, 2.0 + 1.0]
    assert scores[2] == min(scores[:2]) - 1.0 and scores[3] == pytest.approx(scores[2] - 0.5)


def test_rerank_orders_by_logit_and_calibrates_the_best(fake_engine: Engine) -> None:
    stored = fake_engine.stored
    ranked = [Scored(p, 1.0 - p / 10, 0.0, 0.0, 0.0) for p in range(4)]
    reader = PassageReader(stored, Logits([0.0, 3.0, -2.0, 1.0]), ReaderSettings(depth=3))
    result = reader.rerank("anything", ranked)
    assert [s.position for s in result.ranked] == [1, 0, 2, 3]
    assert result.best_logit == 3.0
    assert result.probability == Calibration().probability(Evidence(3.0))
    assert set(result.probabilities) == {0, 1, 2}  # the tail was not read


def test_a_passage_that_cannot_answer_goes_below_the_others_reread_without_a_probability(
        fake_engine: Engine) -> None:
    """A catalogue record of which the question asks nothing (rag.answer.record_fields). It
    takes none of the `depth` places: the passage after the last is reread instead."""
    ranked = [Scored(p, 1.0 - p / 10, 0.0, 0.0, 0.0) for p in range(8)]
    model = Logits([3.0, 0.0, 1.0, 0.5, 2.0, 2.5, 9.0, 9.0])
    reader = PassageReader(fake_engine.stored, model, ReaderSettings(depth=3, retrieval_weight=2))
    result = reader.rerank("anything", ranked, lambda position: position != 0)
    assert model.read == [4], "three that may answer, and the record before them"
    assert [s.position for s in result.ranked] == [2, 3, 1, 0, 4, 5, 6, 7]
    assert [s.score for s in result.ranked] == sorted((s.score for s in result.ranked),
                                                      reverse=True)
    assert set(result.probabilities) == {1, 2, 3} and result.best_logit == 1.0
    assert result.probability == Calibration().probability(Evidence(1.0))
    nothing = reader.rerank("anything", ranked, lambda position: False)
    assert model.read[-1] == 6, "at most twice the depth is read"
    assert [s.position for s in nothing.ranked] == [0, 5, 4, 2, 3, 1, 6, 7]  # the reader's order
    assert nothing.probabilities == {} and nothing.probability == 0.0
    assert nothing.best_logit == 3.0  # the reader's best view, still a number (JSON has no inf)


def test_the_confidence_reads_the_passages_together_and_the_others_scale_by_odds(
        fake_engine: Engine) -> None:
    """The calibration reads each signal's best over the passages reread, as it was fitted;
    the passage the reader rates best shows the confidence, the other its odds against it
    when its reading alone is lower."""
    calibration = Calibration(scale=1.0, shift=-1.0, closeness_scale=4.0, fused_scale=0.5,
                              fused_margin_scale=1.0, logit_margin_scale=0.5)
    model = Logits([0.5, 1.0])
    model.calibration = calibration
    ranked = [Scored(0, 2.0, 0.0, 0.0, 0.9), Scored(1, 1.0, 0.0, 0.0, 0.1),
              Scored(2, 0.5, 0.0, 0.0, 0.0)]
    settings = ReaderSettings(depth=2, pair_logit_scale=1.0, pair_logit_shift=-5.0)
    result = PassageReader(fake_engine.stored, model, settings).rerank("q", ranked)
    # logit and its margin from the second passage; closeness, fused and its margin the first's
    confidence = calibration.probability(Evidence(1.0, 0.9, 2.0, 1.0, 0.5))
    assert result.probability == result.probabilities[1] == confidence
    assert result.probabilities[0] == pytest.approx(confidence * np.exp(0.5 - 1.0))


def test_a_passage_that_reads_as_answering_alone_is_not_labelled_by_its_odds(
        fake_engine: Engine) -> None:
    """"Who is Frank Aum?" was answered at 0.99 from a passage whose logit (3.8) alone reads
    as an answer, labelled "weak match (answers 28%)": its odds against the catalogue record
    (5.1). It now shows the reader's reading of it alone, never above the confidence."""
    model = Logits([3.8, 5.1, -4.6])
    model.calibration = Calibration(scale=2.0)
    ranked = [Scored(p, 1.0 - p / 10, 0.0, 0.0, 0.0) for p in range(3)]
    settings = ReaderSettings(depth=3)
    reader = PassageReader(fake_engine.stored, model, settings)
    result = reader.rerank("q", ranked)
    alone = pair_probability(np.array([3.8, -4.6]), settings)
    assert result.probabilities[1] == result.probability
    assert result.probabilities[0] == pytest.approx(alone[0])
    assert result.probabilities[0] > result.probability * np.exp(3.8 - 5.1)
    assert reader_relevance(result.probabilities[0], reader.settings) != WEAK
    assert result.probabilities[2] == pytest.approx(alone[1])
    model.calibration = Calibration(scale=0.1, shift=-3.0)  # a doubtful question
    doubtful = reader.rerank("q", ranked)
    assert doubtful.probability < alone[0]
    assert doubtful.probabilities[0] == doubtful.probabilities[1] == doubtful.probability


def test_reread_sentences_are_chosen_by_probability_plus_similarity(fake_engine: Engine) -> None:
    """The reader's sentence probability alone cost the USIP dev set answers; with the
    similarity total added (weight 1, chosen on dev) a close sentence the reader barely
    prefers the other way wins; the sentence not shortlisted stays out of the running."""
    from rag.answer.extraction import AnswerSpan, SentenceScores, choose_sentences
    from rag.settings import AnswerSettings

    doc = next(iter(fake_engine.stored.documents.values()))
    spans = [AnswerSpan(doc.text[0:10], 1, "k", doc.doc_id, 0, 10),
             AnswerSpan(doc.text[10:20], 1, "k", doc.doc_id, 10, 20),
             AnswerSpan(doc.text[20:30], 1, "k", doc.doc_id, 20, 30)]
    scores = SentenceScores(spans, np.array([0.9, 0.4, 0.1]), np.zeros(3))
    answer = AnswerSettings(max_sentences=1)
    model = Logits([0.0, 0.2])  # the reader barely prefers the second of the two shortlisted
    chosen = {}
    for weight in (0.0, 1.0):
        reader = PassageReader(fake_engine.stored, model, ReaderSettings(
            rescore_sentences=2, sentence_similarity_weight=weight))
        rescored, _ = reader.rescore("q", scores, answer)
        assert rescored.similarity[2] == -np.inf
        chosen[weight] = choose_sentences(rescored, answer)[0].start
    assert chosen == {0.0: 10, 1.0: 0}


def test_the_answer_sentence_does_not_move_with_the_confidence_calibration(
        fake_engine: Engine) -> None:
    """Refitting the confidence on new signals had moved the answer sentences chosen."""
    from rag.answer.extraction import AnswerSpan, SentenceScores
    from rag.settings import AnswerSettings

    doc = next(iter(fake_engine.stored.documents.values()))
    spans = [AnswerSpan(doc.text[0:10], 1, "k", doc.doc_id, 0, 10),
             AnswerSpan(doc.text[10:20], 1, "k", doc.doc_id, 10, 20)]
    scores = SentenceScores(spans, np.array([0.9, 0.4]), np.zeros(2))
    rescored = []
    for calibration in (Calibration(), Calibration(scale=5.0, shift=-3.0, fused_scale=1.0)):
        model = Logits([0.0, 0.2])
        model.calibration = calibration
        reader = PassageReader(fake_engine.stored, model, ReaderSettings(rescore_sentences=2))
        rescored.append(reader.rescore("q", scores, AnswerSettings())[0].similarity)
    assert np.array_equal(rescored[0], rescored[1])


def test_a_skipped_record_gives_the_calibration_none_of_its_signals(fake_engine: Engine) -> None:
    """The record ranked first is read but cannot answer: the best fused score the calibration
    reads is the second passage's, and its margin is taken against the record's."""
    ranked = [Scored(p, 1.0 - p / 10, 0.0, 0.0, 0.0) for p in range(5)]
    model = Logits([9.0, 0.0, 1.0, 0.5])
    model.calibration = Calibration(scale=0.0, fused_scale=1.0, fused_margin_scale=1.0)
    reader = PassageReader(fake_engine.stored, model, ReaderSettings(depth=3))
    result = reader.rerank("anything", ranked, lambda position: position != 0)
    assert result.best_logit == 1.0 and 0 not in result.probabilities
    assert result.probability == pytest.approx(model.calibration.probability(
        Evidence(0.0, fused=0.9, fused_margin=0.9 - 1.0)))
