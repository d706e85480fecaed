"""Hybrid scoring over a loaded index: every admitted passage (or document) scored by a dense
and a lexical signal, fused into one ranking.

It knows vectors and BM25, nothing about answers or citations, so it is tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.index.store import StoredIndex
from rag.retrieval.dense import similarities
from rag.retrieval.fusion import best_first, check_method, fuse, z_score
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
        self.passage_document = np.array([order[c.doc_id] for c in stored.chunks])

    def unit_similarities(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For every passage: its best sentence's cosine to the question, and its own."""
        sentences = similarities(self.stored.sentences.vectors, query)
        best = np.maximum.reduceat(sentences, self.sentence_bounds[:-1])
        return best, similarities(self.stored.vectors, query)

    def score_passages(self, query: np.ndarray, terms: list[str], mask: np.ndarray | None,
                       count: int, method: str = "hybrid") -> list[Scored]:
        """The `count` best passages (among those `mask` admits) by `method`, best first.

        Every admitted passage is scored by both signals. Dense: mostly its best sentence's
        cosine, partly its own. Lexical: half its own BM25, half its document's (on the dev
        set a passage of the document that matches the question's words is the likelier
        answer; each z-scored first).
        """
        check_method(method)
        allowed = np.flatnonzero(mask) if mask is not None else np.arange(len(self.stored.chunks))
        if allowed.size == 0:
            return []
        best, whole = self.unit_similarities(query)
        weight = self.settings.best_sentence_weight
        dense = (weight * best + (1 - weight) * whole)[allowed]
        own = self.stored.lexical.scores(terms)[allowed]
        document = self.stored.document_lexical.scores(terms)[self.passage_document[allowed]]
        lexical = (z_score(own) + z_score(document)) / 2
        fused = fuse(method, dense, lexical, self.settings)
        top = best_first(fused, count)
        return [Scored(int(allowed[i]), float(fused[i]), float(dense[i]), float(own[i]),
                       self.closeness(int(allowed[i]), query))
                for i in top]

    def closeness(self, position: int, query: np.ndarray) -> float:
        """How close the passage's best sentence, embedded alone, comes to the question: read
        for the passages returned only, not for the whole collection."""
        rows = slice(self.sentence_bounds[position], self.sentence_bounds[position + 1])
        return float((self.stored.sentences.answer_vectors[rows] @ query).max())

    def rank_documents(self, query: np.ndarray, terms: list[str], depth: int = 100,
                       method: str = "hybrid") -> list[tuple[str, float]]:
        """Documents ranked for a question (for document-level benchmarks such as BEIR).

        Dense: 0.75 x the best cosine of any of the document's sentences + 0.25 x that of any
        of its passages; lexical: BM25 over the whole document (both chosen on SciFact train).
        """
        check_method(method)
        best, whole = self.unit_similarities(query)
        weight = self.settings.best_sentence_weight
        dense = (weight * self.per_document_max(best)
                 + (1 - weight) * self.per_document_max(whole))
        lexical = self.stored.document_lexical.scores(terms)
        fused = fuse(method, dense, lexical, self.settings)
        return [(self.document_ids[i], float(fused[i])) for i in best_first(fused, depth)]

    def per_document_max(self, passage_scores: np.ndarray) -> np.ndarray:
        """Each document's highest passage score, in the order of `document_ids`."""
        highest = np.full(len(self.document_ids), -np.inf, dtype=np.float32)
        np.maximum.at(highest, self.passage_document, passage_scores)
        return highest
