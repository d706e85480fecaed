"""The engine every face uses: open an index, search it, look citations up."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.abstention import quotes_verbatim, should_abstain
from rag.answer import (
    PASSAGES_READ,
    AnswerSpan,
    SentenceScores,
    choose_sentences,
    format_answer,
    verified,
)
from rag.answer_type import Expected, expected_answer, offers
from rag.chunking import Chunk
from rag.citations import Citation, make_citation, section_label, validate_key
from rag.documents import Document
from rag.embedding import Embedder, shared_embedder
from rag.errors import IndexIncompatible, RagError, UnknownCitation
from rag.filters import Filters
from rag.fingerprint import Freshness, freshness, incompatibilities
from rag.index_store import StoredIndex, load_build
from rag.messages import NO_EXPECTED_ANSWER, NO_FILTER_MATCH, REFUSAL
from rag.question import clean_question
from rag.relevance import relevance_label
from rag.retrieval.dense import dense_scores
from rag.retrieval.fusion import convex, reciprocal_rank, top_positions
from rag.settings import Settings, default_corpus_dir, default_index_dir

DEFAULT_K = 5
CANDIDATE_DEPTH = 100
METHODS = ("hybrid", "rrf", "dense", "bm25")
BEST_SENTENCE_WEIGHT = 0.75


@dataclass(frozen=True)
class Passage:
    """One ranked passage with everything needed to cite and check it."""

    rank: int
    key: str
    doc_id: str
    title: str
    authors: list[str]
    date: str | None
    url: str | None
    type: str
    section: str | None
    page: int | None
    start: int
    end: int
    text: str
    score: float
    relevance: str
    signals: dict[str, float]

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class SearchResult:
    question: str
    passages: list[Passage]
    abstained: bool
    answer: str = ""
    answer_spans: list[AnswerSpan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The best similarity of any sentence of the top passages to the question: what the
    # abstention rule reads (see rag.abstention).
    support: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {"question": self.question, "answer": self.answer,
                "abstained": self.abstained, "support": round(self.support, 4),
                "answer_spans": [s.as_dict() for s in self.answer_spans],
                "passages": [p.as_dict() for p in self.passages],
                "notes": self.notes}


@dataclass(frozen=True)
class Scored:
    """A candidate passage's fused score and the two signals behind it."""

    position: int
    score: float
    dense: float
    lexical: float


class Engine:
    """A loaded index and the model that reads questions for it. Load once, ask many."""

    def __init__(self, stored: StoredIndex, corpus_dir: Path,
                 embedder: Embedder | None = None) -> None:
        self.stored = stored
        self.corpus_dir = corpus_dir
        self._embedder = embedder
        self.by_key = {c.key: c for c in stored.chunks}
        self.positions = {c.key: i for i, c in enumerate(stored.chunks)}
        self.sentence_bounds = stored.sentences.bounds

    @property
    def embedder(self) -> Embedder:
        """Loaded on first use: citation lookups and status never pay for the model."""
        if self._embedder is None:
            self._embedder = shared_embedder()
        return self._embedder

    @classmethod
    def open(cls, index_dir: Path | None = None, corpus_dir: Path | None = None,
             settings: Settings | None = None, embedder: Embedder | None = None) -> Engine:
        """Load the current build; refuse one built with another model or settings."""
        settings = settings or Settings()
        stored = load_build(index_dir or default_index_dir(), settings)
        problems = incompatibilities(stored.manifest, settings)
        if problems:
            raise IndexIncompatible(problems)
        return cls(stored, corpus_dir or default_corpus_dir(), embedder)

    @property
    def manifest(self) -> dict:
        return self.stored.manifest

    @property
    def documents(self) -> dict[str, Document]:
        return self.stored.documents

    def freshness(self) -> Freshness:
        """Which corpus files changed since this index was built (cheap: hashes only)."""
        return freshness(self.manifest, self.corpus_dir)

    def passage_dense(self, query: np.ndarray, positions: list[int]) -> np.ndarray:
        """Each passage's dense score: mostly its best sentence's cosine to the question,
        partly the whole passage's (weights from SciFact train, see README)."""
        bounds, sentences = self.sentence_bounds, self.stored.sentences.vectors
        best = np.array([(sentences[bounds[p]:bounds[p + 1]] @ query).max() for p in positions])
        whole = self.stored.vectors[positions] @ query
        return BEST_SENTENCE_WEIGHT * best + (1 - BEST_SENTENCE_WEIGHT) * whole

    def score_passages(self, query: np.ndarray, terms: list[str], mask: np.ndarray | None,
                       depth: int, method: str = "hybrid") -> list[Scored]:
        """Candidates from both retrievers, scored by `method`, best first.

        Candidates are the `depth` nearest passages and the passages of the `depth` nearest
        sentences (both FAISS) and BM25's top `depth`; both signals are then computed exactly
        for every candidate.
        """
        if method not in METHODS:
            raise RagError(f"Unknown retrieval method {method!r}; choose one of "
                           + ", ".join(METHODS))
        table = self.stored.sentences
        owners = table.rows[:, 0]
        sentence_mask = None if mask is None else mask[owners]
        nearest = dense_scores(table.dense, query, sentence_mask, depth)
        candidates = {int(owners[i]) for i in nearest}
        candidates |= set(dense_scores(self.stored.dense, query, mask, depth))
        lexical_all = self.stored.lexical.scores(terms)
        if method != "dense":
            candidates |= set(top_positions(lexical_all, mask, depth).tolist())
        positions = sorted(candidates)
        if not positions:
            return []
        dense = self.passage_dense(query, positions)
        lexical = lexical_all[positions]
        by_method = {
            "dense": dict(zip(positions, dense.tolist(), strict=True)),
            "bm25": dict(zip(positions, lexical.tolist(), strict=True)),
        }
        if method == "hybrid":
            fused = convex(by_method["dense"], by_method["bm25"])
        elif method == "rrf":
            fused = reciprocal_rank(by_method["dense"], by_method["bm25"])
        else:
            fused = by_method[method]
        scored = [Scored(p, fused[p], float(d), float(b))
                  for p, d, b in zip(positions, dense, lexical, strict=True)]
        return sorted(scored, key=lambda s: (-s.score, s.position))

    def top_sentences(self, query: np.ndarray, passages: list[Passage],
                      expected: Expected | None) -> SentenceScores:
        """The sentences of the first passages that could give the kind of answer asked
        for, with the similarity of each sentence alone to the question."""
        table, bounds = self.stored.sentences, self.sentence_bounds
        candidates, rows = [], []
        for passage in passages[:PASSAGES_READ]:
            position = self.positions[passage.key]
            for row in range(bounds[position], bounds[position + 1]):
                _, start, end = table.rows[row].tolist()
                text = self.documents[passage.doc_id].text[start:end]
                if offers(text, expected):
                    candidates.append(AnswerSpan(text, passage.rank, passage.key,
                                                 passage.doc_id, start, end))
                    rows.append(row)
        return SentenceScores(candidates,
                              table.answer_vectors[rows] @ query if rows else np.zeros(0))

    def search(self, question: str, k: int = DEFAULT_K, filters: Filters | None = None,
               method: str = "hybrid") -> SearchResult:
        """Ranked passages for a question, best first, each with its citation; an
        extractive answer from them, or a plain refusal when they do not answer it."""
        cleaned = clean_question(question)
        k = max(1, min(int(k), 100))
        notes = list(cleaned.notes)
        mask = None if filters is None or filters.is_empty() else filters.mask(
            self.stored.chunks, self.documents)
        if mask is not None and not mask.any():
            return SearchResult(cleaned.text, [], True, REFUSAL, notes=[*notes, NO_FILTER_MATCH])
        query = self.embedder.encode_query(cleaned.text)
        terms = self.stored.lexical.query_terms(cleaned.text)
        ranked = self.score_passages(query, terms, mask, max(k, CANDIDATE_DEPTH), method)[:k]
        passages = [make_passage(rank, self.stored.chunks[s.position],
                                 self.documents[self.stored.chunks[s.position].doc_id], s)
                    for rank, s in enumerate(ranked, start=1)]
        verbatim = quotes_verbatim(cleaned.text, [p.text for p in passages[:PASSAGES_READ]])
        expected = None if verbatim else expected_answer(cleaned.text)
        sentences = self.top_sentences(query, passages, expected)
        if not passages or should_abstain(sentences.best, verbatim):
            if passages and expected and not sentences.candidates:
                notes.append(NO_EXPECTED_ANSWER.format(expected=expected.value))
            return SearchResult(cleaned.text, passages, True, REFUSAL, notes=notes,
                                support=sentences.best)
        spans = verified(choose_sentences(sentences), self.documents)
        return SearchResult(cleaned.text, passages, False, format_answer(spans), spans, notes,
                            sentences.best)

    def rank_documents(self, question: str, depth: int = 100,
                       method: str = "hybrid") -> list[tuple[str, float]]:
        """Documents ranked by their best passage (for document-level benchmarks such as
        BEIR); no answer is extracted, so this is the retrieval cost alone."""
        cleaned = clean_question(question)
        query = self.embedder.encode_query(cleaned.text)
        terms = self.stored.lexical.query_terms(cleaned.text)
        best: dict[str, float] = {}
        for scored in self.score_passages(query, terms, None, depth * 3, method):
            doc_id = self.stored.chunks[scored.position].doc_id
            best.setdefault(doc_id, scored.score)
        return list(best.items())[:depth]

    def cite(self, key: str) -> Citation:
        """The cited passage in its context, with references; unknown keys are refused."""
        chunk = self.by_key.get(validate_key(key))
        if chunk is None:
            raise UnknownCitation(key)
        return make_citation(chunk, self.documents[chunk.doc_id])


def make_passage(rank: int, chunk: Chunk, document: Document, scored: Scored) -> Passage:
    meta = document.metadata
    return Passage(
        rank=rank, key=chunk.key, doc_id=chunk.doc_id, title=meta.title,
        authors=list(meta.authors), date=meta.date, url=meta.url, type=meta.type,
        section=section_label(chunk), page=chunk.page, start=chunk.start, end=chunk.end,
        text=document.text[chunk.start:chunk.end], score=round(scored.score, 4),
        relevance=relevance_label(scored.dense),
        signals={"dense": round(scored.dense, 4), "bm25": round(scored.lexical, 4)},
    )
