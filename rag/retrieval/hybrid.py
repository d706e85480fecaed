"""Hybrid scoring over a loaded index: passages (or documents) scored by a dense and a lexical
signal, fused into one ranking.

Small indexes score every admitted unit exactly. Past `rag.index.vector_set.EXACT_LIMIT`
sentences (or with `FusionSettings.candidates="always"`) only candidates are scored
(`rag.retrieval.candidates`): the same formula, over the union of a dense and a BM25 top-N,
normalised with the collection's statistics, so a unit's fused score is what the exhaustive
path gives it, up to the sampled dense statistics.

It knows vectors and BM25, nothing about answers or citations, so it is tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from rag.index.store import StoredIndex
from rag.retrieval.candidates import Candidates, Units
from rag.retrieval.fusion import DEFAULT_METHOD, best_first, check_method, fuse, z_score
from rag.settings import FusionSettings


@dataclass(frozen=True)
class Scored:
    """A candidate passage's fused score, the two signals behind it, and how close its best
    sentence alone comes to the question (what its relevance label says)."""

    position: int
    score: float
    dense: float
    lexical: float
    closeness: float


class HybridRetriever:
    """Scores the passages and documents of one stored index for a question's vector and terms."""

    def __init__(self, stored: StoredIndex, settings: FusionSettings = FusionSettings()) -> None:
        self.stored = stored
        self.settings = settings
        self.sentence_bounds = stored.sentences.bounds
        self.document_ids = list(stored.documents)
        order = {doc_id: i for i, doc_id in enumerate(self.document_ids)}
        self.passage_document = np.array([order[c.doc_id] for c in stored.chunks],
                                         dtype=np.int64)
        self.exhaustive = settings.candidates == "never" or (
            settings.candidates == "auto" and stored.sentences.dense.exact)
        self.passages = None if self.exhaustive else Candidates(
            stored, Units.of_passages(self.sentence_bounds), settings)

    @cached_property
    def documents(self) -> Candidates | None:
        """Document candidates, made on the first document ranking (only benchmarks rank
        documents, and the statistics sample costs memory)."""
        return None if self.exhaustive else Candidates(self.stored, Units.of_documents(
            self.sentence_bounds, self.passage_document, len(self.document_ids)), self.settings)

    def unit_similarities(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For every passage: its best sentence's cosine to the question, and its own."""
        sentences = self.stored.sentences.dense.scores(query)
        best = np.maximum.reduceat(sentences, self.sentence_bounds[:-1])
        return best, self.stored.dense.scores(query)

    def lexical_scores(self, terms: list[str], allowed: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
        """Every passage's own BM25, and the lexical signal of the admitted ones: their own
        BM25 and their document's, each z-scored over them, averaged, z-scored again (as
        fusion takes it). On the dev set a passage of the document that matches the
        question's words is the likelier answer."""
        own = self.stored.lexical.scores(terms)
        document = self.stored.document_lexical.scores(terms)[self.passage_document]
        lexical = np.zeros_like(own)
        lexical[allowed] = z_score((z_score(own[allowed]) + z_score(document[allowed])) / 2)
        return own, lexical

    def score_passages(self, query: np.ndarray, terms: list[str], mask: np.ndarray | None,
                       count: int, method: str = DEFAULT_METHOD) -> list[Scored]:
        """The `count` best passages (among those `mask` admits) by `method`, best first.

        Dense: mostly its best sentence's cosine, partly its own. Lexical: half its own
        BM25, half its document's, each z-scored first. Both are normalised over the admitted
        passages before they are fused.
        """
        check_method(method)
        allowed = np.flatnonzero(mask) if mask is not None else np.arange(len(self.stored.chunks))
        if allowed.size == 0:
            return []
        own, lexical = self.lexical_scores(terms, allowed)
        if self.passages is None:
            best, whole = self.unit_similarities(query)
            weight = self.settings.best_sentence_weight
            dense = (weight * best + (1 - weight) * whole)[allowed]
            fused = fuse(method, dense, lexical[allowed], self.settings)
            positions = allowed
        else:
            positions, dense, fused = self.passages.score(query, lexical, mask, method)
        top = best_first(fused, count)
        return [Scored(int(positions[i]), float(fused[i]), float(dense[i]),
                       float(own[positions[i]]), self.closeness(int(positions[i]), query))
                for i in top]

    def closeness(self, position: int, query: np.ndarray) -> float:
        """How close the passage's best sentence, embedded alone, comes to the question: read
        for the passages returned only, not for the whole collection."""
        rows = slice(self.sentence_bounds[position], self.sentence_bounds[position + 1])
        return float(self.stored.sentences.answers.row_scores(rows, query).max())

    def rank_documents(self, query: np.ndarray, terms: list[str], depth: int = 100,
                       method: str = DEFAULT_METHOD) -> list[tuple[str, float]]:
        """Documents ranked for a question (for document-level benchmarks such as BEIR).

        Dense: 0.75 x the best cosine of any of the document's sentences + 0.25 x that of any
        of its passages; lexical: BM25 over the whole document (both chosen on SciFact train).
        """
        check_method(method)
        lexical = self.stored.document_lexical.scores(terms)
        if self.documents is None:
            best, whole = self.unit_similarities(query)
            weight = self.settings.best_sentence_weight
            dense = (weight * self.per_document_max(best)
                     + (1 - weight) * self.per_document_max(whole))
            fused = fuse(method, dense, z_score(lexical), self.settings)
            positions = np.arange(len(self.document_ids))
        else:
            positions, _, fused = self.documents.score(query, z_score(lexical), None, method)
        return [(self.document_ids[positions[i]], float(fused[i]))
                for i in best_first(fused, depth)]

    def per_document_max(self, passage_scores: np.ndarray) -> np.ndarray:
        """Each document's highest passage score, in the order of `document_ids`."""
        highest = np.full(len(self.document_ids), -np.inf, dtype=np.float32)
        np.maximum.at(highest, self.passage_document, passage_scores)
        return highest
