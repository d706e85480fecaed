"""Candidate generation, so a query's cost grows sub-linearly with the collection.

Only the union of two top-N lists is scored: the units (passages or documents) of the
`candidate_depth` sentences nearest the question (the sentence set's IVF index at scale, an
exact top-N otherwise) and the `candidate_depth` best units by the lexical signal (BM25 scores
every unit from its postings anyway, so that signal stays exact). Each candidate gets the
exhaustive path's exact formula. The z-score statistics are the collection's: exact for the
lexical signal, and for the dense one estimated from a fixed random sample of units, so a
unit's fused score does not depend on which other units happened to be candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.index.store import StoredIndex
from rag.index.vector_set import VectorSet
from rag.retrieval.dense import similarities
from rag.retrieval.fusion import best_first, fuse
from rag.settings import FusionSettings

MIN_SAMPLE = 64  # fewer sampled units than this pass a filter: take the statistics in full


@dataclass(frozen=True)
class Units:
    """Passages or documents, each a contiguous run of sentence rows and of passages."""

    sentence_bounds: np.ndarray  # unit u holds sentences sentence_bounds[u]:sentence_bounds[u+1]
    passage_bounds: np.ndarray  # and passages passage_bounds[u]:passage_bounds[u+1]

    @classmethod
    def of_passages(cls, sentence_bounds: np.ndarray) -> Units:
        return cls(sentence_bounds, np.arange(len(sentence_bounds)))

    @classmethod
    def of_documents(cls, sentence_bounds: np.ndarray, passage_document: np.ndarray,
                     documents: int) -> Units:
        """Passages are stored in document order, so a document's passages are a run."""
        passage_bounds = np.searchsorted(passage_document, np.arange(documents + 1))
        return cls(sentence_bounds[passage_bounds], passage_bounds)

    def __len__(self) -> int:
        return len(self.passage_bounds) - 1

    @property
    def of_sentence(self) -> np.ndarray:
        """Each sentence row's unit."""
        return np.repeat(np.arange(len(self)), np.diff(self.sentence_bounds))


def runs(bounds: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of these units (each unit's run bounds[u]:bounds[u+1]) and where each unit's
    rows start among them."""
    lengths = bounds[units + 1] - bounds[units]
    starts = np.cumsum(lengths) - lengths
    rows = np.repeat(bounds[units] - starts, lengths) + np.arange(int(lengths.sum()))
    return rows, starts


def best_in_runs(scores: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Each run's highest score, for runs bounds[u]:bounds[u+1] laid end to end (-1 for an
    empty run)."""
    best = np.full(len(bounds) - 1, -1.0, dtype=np.float32)
    filled = bounds[1:] > bounds[:-1]
    if filled.any():  # reduceat over the starts of non-empty runs only: each ends at the next
        best[filled] = np.maximum.reduceat(scores, bounds[:-1][filled])
    return best


def best_of_runs(vectors: VectorSet, bounds: np.ndarray, units: np.ndarray,
                 query: np.ndarray) -> np.ndarray:
    """Each unit's highest cosine among its rows (-1 for a unit with no rows)."""
    rows, starts = runs(bounds, units)
    return best_in_runs(vectors.row_scores(rows, query), np.append(starts, rows.size))


def sample_bounds(bounds: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Bounds of these units' runs once their rows are gathered one after another."""
    return np.concatenate([[0], np.cumsum(bounds[units + 1] - bounds[units])])


class Candidates:
    """Scores the candidate units of one kind (passages or documents) of a stored index."""

    def __init__(self, stored: StoredIndex, units: Units, settings: FusionSettings,
                 seed: int = 0) -> None:
        self.stored = stored
        self.units = units
        self.settings = settings
        self.sentence_unit = units.of_sentence
        size = min(settings.stats_sample, len(units))
        self.sample = np.sort(np.random.default_rng(seed).choice(len(units), size,
                                                                 replace=False))
        self.sample_units = Units(*(sample_bounds(bounds, self.sample) for bounds in (
            units.sentence_bounds, units.passage_bounds)))
        # The sample's own vectors, read once in fp32 and kept contiguous: the statistics
        # cost one small product each, with no rows gathered per question.
        self.sample_sentences = stored.sentences.dense.rows(
            runs(units.sentence_bounds, self.sample)[0])
        self.sample_passages = stored.dense.rows(runs(units.passage_bounds, self.sample)[0])

    def dense(self, query: np.ndarray, units: np.ndarray) -> np.ndarray:
        """The exhaustive path's dense signal for these units: best sentence and best passage."""
        weight = self.settings.best_sentence_weight
        best = best_of_runs(self.stored.sentences.dense, self.units.sentence_bounds, units, query)
        whole = best_of_runs(self.stored.dense, self.units.passage_bounds, units, query)
        return weight * best + (1 - weight) * whole

    def sample_signal(self, query: np.ndarray) -> np.ndarray:
        """The dense signal of every sampled unit: the same formula as `dense`, over the
        sample's contiguous copy."""
        weight = self.settings.best_sentence_weight
        best = best_in_runs(similarities(self.sample_sentences, query),
                            self.sample_units.sentence_bounds)
        whole = best_in_runs(similarities(self.sample_passages, query),
                             self.sample_units.passage_bounds)
        return weight * best + (1 - weight) * whole

    def dense_statistics(self, query: np.ndarray, mask: np.ndarray | None) -> tuple[float, float]:
        """Mean and spread of the dense signal over the admitted units, from the sample."""
        admitted = np.ones(len(self.sample), dtype=bool) if mask is None else mask[self.sample]
        if mask is None or admitted.sum() >= MIN_SAMPLE:
            values = self.sample_signal(query)[admitted]
        else:
            values = self.dense(query, np.flatnonzero(mask))
        return float(values.mean()), float(values.std()) or 1.0

    def nearest_units(self, query: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
        """The units of the sentences nearest the question, among the admitted units'."""
        sentences = self.stored.sentences.dense
        depth = self.settings.candidate_depth
        admitted = None if mask is None else mask[self.sentence_unit]
        if sentences.search is not None:
            hits = sentences.nearest(query, depth, admitted)
        else:
            scores = sentences.scores(query)
            hits = best_first(scores if admitted is None else
                              np.where(admitted, scores, -np.inf), depth)
        return self.sentence_unit[hits]

    def score(self, query: np.ndarray, lexical: np.ndarray, mask: np.ndarray | None,
              method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(candidate units, their dense signal, their fused score) for one question.

        `lexical` holds every unit's lexical signal, z-scored over the admitted units."""
        admitted = lexical if mask is None else np.where(mask, lexical, -np.inf)
        depth = min(self.settings.candidate_depth, len(admitted))
        units = np.union1d(self.nearest_units(query, mask), best_first(admitted, depth))
        if mask is not None:
            units = units[mask[units]]
        dense = self.dense(query, units)
        if method != "hybrid":
            return units, dense, fuse(method, dense, lexical[units], self.settings)
        mean, spread = self.dense_statistics(query, mask)
        weight = self.settings.dense_weight
        return units, dense, weight * (dense - mean) / spread + (1 - weight) * lexical[units]
