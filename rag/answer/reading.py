"""The reader's share of a search: reread the best fused passages with our cross-encoder
(rag.answer.reader), rerank them, score the candidate answer sentences, and say how likely the
documents answer the question at all, as a calibrated probability.

Knows the stored passages and the reader model; nothing of fusion or citations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from rag.answer.abstention import should_abstain
from rag.answer.evidence import Evidence, question_evidence, reread_evidence
from rag.answer.extraction import SentenceScores, sentence_totals
from rag.answer.reader import ReaderModel
from rag.answer.reader_input import reader_text
from rag.index.store import StoredIndex
from rag.retrieval.hybrid import Scored
from rag.settings import AbstentionSettings, AnswerSettings, ReaderSettings

LIKELY, UNCERTAIN, UNLIKELY = "likely", "uncertain", "unlikely"


@dataclass(frozen=True)
class Reading:
    """Passages in the reader's order (the reread ones first), each reread passage's
    probability by position (the confidence for the best; for the others, the higher of
    their odds against it and the reader's reading of each alone, at most the confidence),
    the best logit, the question's calibrated confidence, and the evidence it was computed
    from (None when no passage was reread or none reread may answer): calibration fits on
    exactly this."""

    ranked: list[Scored]
    probabilities: dict[int, float]
    best_logit: float
    probability: float
    evidence: Evidence | None = None
    # The position of the passage the reader rates best, which the confidence is of (others
    # may tie with it at the confidence, capped there).
    best: int | None = None


def pair_probability(logits: np.ndarray, settings: ReaderSettings) -> np.ndarray:
    """The reader's probability that one text alone answers, sigmoid(scale x logit + shift):
    what the answer sentence is chosen by and what labels a reread passage other than the best."""
    return 1.0 / (1.0 + np.exp(-(settings.pair_logit_scale * logits
                                 + settings.pair_logit_shift)))


def confidence_label(probability: float, settings: ReaderSettings) -> str:
    """Words for the probability: refused below the threshold, "likely" from `likely` up."""
    if probability >= settings.likely:
        return LIKELY
    return UNCERTAIN if probability >= (settings.threshold or 0.0) else UNLIKELY


class PassageReader:
    """Reranks passages and scores sentences of one stored index with the reader model."""

    def __init__(self, stored: StoredIndex, model: ReaderModel,
                 settings: ReaderSettings = ReaderSettings()) -> None:
        self.stored = stored
        self.model = model
        # A threshold left to the model is its calibrated one.
        self.settings = settings if settings.threshold is not None else replace(
            settings, threshold=model.calibration.threshold)
        self._positions: dict[str, list[int]] | None = None

    def rerank(self, question: str, ranked: list[Scored],
               can_answer: Callable[[int], bool] = lambda position: True) -> Reading:
        """The first `depth` passages reread and reordered by logit (plus `retrieval_weight` ×
        their fused score), which becomes their score; the rest keep their fused order and
        differences behind them, shifted to score below the last reread one. A reread passage
        that `can_answer` rules out (a catalogue record of which nothing is asked) goes below
        the others reread and gets no probability: the reader's view of it is not an answer.
        Nor does it take one of the `depth` places: the next passage is reread too, up to
        twice `depth` in all ("Who wrote the report?" had its third place taken by another
        document's record with no authors line, and the report's own record went unread)."""
        usable: list[bool] = []
        for scored in ranked[:2 * self.settings.depth]:
            if sum(usable) == self.settings.depth:
                break
            usable.append(can_answer(scored.position))
        head = ranked[:len(usable)]
        if not head:
            return Reading([], {}, -np.inf, 0.0)
        logits = self.model.score(question, [self.text_of(s.position) for s in head])
        scores = self.reordered([s.score for s in ranked], logits, usable)
        order = sorted(range(len(ranked)), key=lambda i: -scores[i])
        reranked = [replace(ranked[i], score=scores[i]) for i in order]
        read = [n for n, ok in enumerate(usable) if ok]
        if not read:  # the reader's best view, still a number (JSON has no inf)
            return Reading(reranked, {}, float(logits.max()), 0.0)
        evidence = reread_evidence([float(logits[n]) for n in read],
                                   [head[n].closeness for n in read], read,
                                   [s.score for s in ranked])
        seen = question_evidence(evidence)
        confidence = self.model.calibration.probability(seen)
        # The question's confidence goes to the passage the reader rates best. Each other one
        # reread gets the higher of two readings, at most that confidence: its odds against
        # the best by the logits (the passages as rivals for one answer), and the reader's
        # reading of it alone (`pair_probability`; a passage may answer though another answers
        # better: "Who is Frank Aum?" had labelled the passage its answer came from "weak
        # match (answers 28%)", its odds against the catalogue record, under 0.99 confidence).
        best = max(float(logits[n]) for n in read)
        alone = pair_probability(logits, self.settings)
        probabilities = {head[n].position: min(confidence, max(
            confidence * float(np.exp(logits[n] - best)), float(alone[n]))) for n in read}
        best_read = max(read, key=lambda n: float(logits[n]))
        return Reading(reranked, probabilities, best, confidence, seen, head[best_read].position)

    def rerank_documents(self, question: str,
                         ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Documents reranked as passages are, each read as its best of up to three passages
        (for document-level benchmarks such as BEIR)."""
        head = ranked[:self.settings.depth]
        if not head:
            return ranked
        texts, owners = [], []
        for n, (doc_id, _) in enumerate(head):
            for position in self.positions_of(doc_id)[:3]:
                texts.append(self.text_of(position))
                owners.append(n)
        logits = np.full(len(head), -np.inf, dtype=np.float32)
        np.maximum.at(logits, np.array(owners), self.model.score(question, texts))
        scores = self.reordered([score for _, score in ranked], logits)
        order = sorted(range(len(ranked)), key=lambda i: -scores[i])
        return [(ranked[i][0], scores[i]) for i in order]

    def reordered(self, fused: list[float], logits: np.ndarray,
                  usable: list[bool] | None = None) -> list[float]:
        """New scores for a ranking whose first len(logits) items were reread: logit +
        `retrieval_weight` × fused for those (the ones not `usable` shifted together below the
        usable ones); the rest keep their order and differences, shifted below the lowest
        reread one."""
        head = [float(v) + self.settings.retrieval_weight * f
                for v, f in zip(logits, fused, strict=False)]
        if usable is not None and any(usable) and not all(usable):
            drop = max(h for h, ok in zip(head, usable, strict=True) if not ok) - min(
                h for h, ok in zip(head, usable, strict=True) if ok) + 1.0
            head = [h if ok else h - max(drop, 0.0) for h, ok in zip(head, usable, strict=True)]
        rest = fused[len(head):]
        floor = min(head) - 1.0
        return head + [floor - (rest[0] - f) for f in rest]

    def text_of(self, position: int) -> str:
        chunk = self.stored.chunks[position]
        return reader_text(self.stored.documents[chunk.doc_id].metadata.title, chunk.text)

    def positions_of(self, doc_id: str) -> list[int]:
        if self._positions is None:
            self._positions = {}
            for n, chunk in enumerate(self.stored.chunks):
                self._positions.setdefault(chunk.doc_id, []).append(n)
        return self._positions.get(doc_id, [])

    def rescore(self, question: str, sentences: SentenceScores,
                answer: AnswerSettings) -> tuple[SentenceScores, float | None]:
        """The same candidate sentences, the `settings.rescore_sentences` best of them (by
        cosine and term overlap) scored by the reader's probability that each one
        (with its document title) answers plus `sentence_similarity_weight` × that cosine and
        overlap total, the others out of the running; and the best sentence logit (None
        without candidates)."""
        if not sentences.candidates or not self.settings.rescore_sentences:
            return sentences, None
        totals = sentence_totals(sentences, answer)
        shortlist = np.argsort(-totals, kind="stable")[:self.settings.rescore_sentences]
        logits = self.model.score(question, [
            reader_text(self.stored.documents[sentences.candidates[i].doc_id].metadata.title,
                        sentences.candidates[i].text) for i in shortlist])
        score = np.full(len(sentences.candidates), -np.inf)  # out of the running
        score[shortlist] = pair_probability(logits, self.settings)
        score[shortlist] += self.settings.sentence_similarity_weight * totals[shortlist]
        return replace(sentences, similarity=score, overlap=None), float(logits.max())

@dataclass(frozen=True)
class Verdict:
    """Whether to refuse, and the confidence shown (None, None with the reader off)."""

    refuse: bool
    confidence: float | None = None
    label: str | None = None


def judge(reading: Reading | None, best_sentence: float, verbatim: bool, names_unknown: bool,
          abstention: AbstentionSettings, rules: ReaderSettings) -> Verdict:
    """With the reader: refuse below its calibrated probability (less `name_penalty` when the
    question names something the documents never do), and, if `sentence_rule`, also when no
    sentence is similar enough; a quoted passage is always answered. Without it: the
    similarity rule alone (rag.answer.abstention), and the confidence is its support, Platt-
    scaled on dev."""
    similarity_refuses = should_abstain(best_sentence, verbatim, names_unknown, abstention)
    if reading is None:
        support = best_sentence - (abstention.name_penalty if names_unknown else 0.0)
        confidence = float(1.0 / (1.0 + np.exp(-(abstention.confidence_scale * support
                                                 + abstention.confidence_shift))))
        label = LIKELY if confidence >= rules.likely else UNCERTAIN
        return Verdict(similarity_refuses, confidence,
                       UNLIKELY if similarity_refuses else label)
    return reader_verdict(reading.probability, verbatim, names_unknown, rules,
                          similarity_refuses)


def reader_verdict(probability: float, verbatim: bool, names_unknown: bool,
                   rules: ReaderSettings, similarity_refuses: bool = False) -> Verdict:
    """The verdict on the reader's calibrated probability: its own function so that the
    threshold is chosen (training/calibrate_reader.py) by exactly the rule the engine applies."""
    # A probability, so never below 0 ("What is the capital of France?" had shown -0.014).
    confidence = max(0.0, probability - (rules.name_penalty if names_unknown else 0.0))
    # A quote is never refused, but its label still reads its number: "Trump" at 0.55 had
    # been called likely, "very probably answers".
    label = confidence_label(confidence, rules)
    if verbatim and label == UNLIKELY:
        label = UNCERTAIN
    refuse = label == UNLIKELY or (rules.sentence_rule and similarity_refuses)
    return Verdict(refuse, confidence, UNLIKELY if refuse else label)
