"""The engine every face uses: open an index, search it, look citations up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.answer.abstention import should_abstain
from rag.answer.answer_type import Expected, expected_answer, offers
from rag.answer.extraction import (
    PASSAGES_READ,
    AnswerSpan,
    SentenceScores,
    choose_sentences,
    format_answer,
    verified,
)
from rag.answer.names import unknown_names
from rag.answer.quotes import Quote
from rag.answer.relevance import QUOTED, relevance_label
from rag.chunking.passages import Chunk
from rag.cite.lookup import Citation, make_citation, section_label, validate_key
from rag.errors import IndexIncompatible, RagError, UnknownCitation
from rag.index.embedding import Embedder, shared_embedder
from rag.index.fingerprint import Freshness, freshness, incompatibilities
from rag.index.store import StoredIndex, load_build
from rag.ingest.documents import Document
from rag.messages import (
    ANSWERED_DESPITE_NAMES,
    NEVER_MENTIONED,
    NO_EXPECTED_ANSWER,
    NO_FILTER_MATCH,
    NO_KNOWN_WORDS,
    NO_SEARCH_WORDS,
    REFUSAL,
)
from rag.retrieval.dense import similarities
from rag.retrieval.filters import Filters
from rag.retrieval.fusion import METHODS, best_first, fuse, z_score
from rag.retrieval.question import clean_question
from rag.settings import Settings, default_corpus_dir, default_index_dir

DEFAULT_K = 5
BEST_SENTENCE_WEIGHT = 0.75
QUOTE_WINDOW = 20  # how many of the best passages are checked for a quote of the question


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
    page: int | None  # physical, 1-based: where a PDF viewer opens
    page_label: str | None  # as the document prints it: "vii", "3–4"
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
    """A candidate passage's fused score, the two signals behind it, and how close its best
    sentence alone comes to the question (what its relevance label says)."""

    position: int
    score: float
    dense: float
    lexical: float
    closeness: float


def check_method(method: str) -> None:
    if method not in METHODS:
        raise RagError(f"Unknown retrieval method {method!r}; choose one of " + ", ".join(METHODS))


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
        self.document_ids = list(stored.documents)
        order = {doc_id: i for i, doc_id in enumerate(self.document_ids)}
        self.passage_document = np.array([order[c.doc_id] for c in stored.chunks])

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

    def unit_similarities(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For every passage: its best sentence's cosine to the question, and its own."""
        sentences = similarities(self.stored.sentences.dense, query)
        best = np.maximum.reduceat(sentences, self.sentence_bounds[:-1])
        return best, similarities(self.stored.dense, query)

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
        dense = (BEST_SENTENCE_WEIGHT * best + (1 - BEST_SENTENCE_WEIGHT) * whole)[allowed]
        own = self.stored.lexical.scores(terms)[allowed]
        document = self.stored.document_lexical.scores(terms)[self.passage_document[allowed]]
        lexical = (z_score(own) + z_score(document)) / 2
        fused = fuse(method, dense, lexical)
        closeness = np.maximum.reduceat(self.stored.sentences.answer_vectors @ query,
                                        self.sentence_bounds[:-1])[allowed]
        return [Scored(int(allowed[i]), float(fused[i]), float(dense[i]), float(own[i]),
                       float(closeness[i]))
                for i in best_first(fused, count)]

    def top_sentences(self, question: str, query: np.ndarray, passages: list[Passage],
                      admits: Callable[[str], bool]) -> SentenceScores:
        """The sentences of the first passages that `admits` lets answer, with the
        similarity of each sentence alone to the question and the share of its terms."""
        table, bounds = self.stored.sentences, self.sentence_bounds
        candidates, rows = [], []
        for passage in passages[:PASSAGES_READ]:
            position = self.positions[passage.key]
            for row in range(bounds[position], bounds[position + 1]):
                _, start, end = table.rows[row].tolist()
                document = self.documents[passage.doc_id]
                text = document.text[start:end]
                if admits(text):
                    candidates.append(AnswerSpan(text, passage.rank, passage.key,
                                                 passage.doc_id, start, end,
                                                 document.page_label(document.page_at(start))))
                    rows.append(row)
        terms = set(self.stored.lexical.query_terms(question))
        overlap = np.array([len(terms & set(self.stored.lexical.query_terms(c.text)))
                            / max(len(terms), 1) for c in candidates])
        return SentenceScores(candidates,
                              table.answer_vectors[rows] @ query if rows else np.zeros(0),
                              overlap)

    def answer_candidates(self, question: str, query: np.ndarray, passages: list[Passage],
                          quote: Quote, expected: Expected | None) -> SentenceScores:
        """A keyword search answers with the sentences that contain it (when one does); a
        question asking for a number or date with the sentences that hold one."""
        if quote.whole_question:
            quoting = self.top_sentences(question, query, passages, quote.in_text)
            if quoting.candidates:
                return quoting
        return self.top_sentences(question, query, passages,
                                  lambda text: offers(text, expected))

    def search(self, question: str, k: int = DEFAULT_K, filters: Filters | None = None,
               method: str = "hybrid") -> SearchResult:
        """Ranked passages for a question, best first, each with its citation; an
        extractive answer from them, or a plain refusal when they do not answer it."""
        cleaned = clean_question(question)
        k = max(1, min(int(k), 100))
        notes = list(cleaned.notes)
        if filters is not None:
            filters.check_documents(self.documents)
        mask = None if filters is None or filters.is_empty() else filters.mask(
            self.stored.chunks, self.documents)
        if mask is not None and not mask.any():
            return SearchResult(cleaned.text, [], True, REFUSAL, notes=[*notes, NO_FILTER_MATCH])
        query = self.embedder.encode_query(cleaned.text)
        terms = self.stored.lexical.query_terms(cleaned.text)
        if not terms:
            notes.append(NO_SEARCH_WORDS)
        elif not self.stored.lexical.knows_any(terms):
            notes.append(NO_KNOWN_WORDS)
        quote = Quote.of(cleaned.text) if terms else Quote.of("")
        ranked = self.score_passages(query, terms, mask, max(k, QUOTE_WINDOW), method)
        # A passage the question quotes comes first (a stable partition of the best ones).
        chunks = self.stored.chunks
        quoted = {s.position for s in ranked if quote.in_text(chunks[s.position].text)}
        ranked = sorted(ranked, key=lambda s: s.position not in quoted)
        passages = [make_passage(rank, chunks[s.position],
                                 self.documents[chunks[s.position].doc_id], s,
                                 s.position in quoted)
                    for rank, s in enumerate(ranked[:k], start=1)]
        verbatim = any(s.position in quoted for s in ranked[:PASSAGES_READ])
        expected = None if verbatim else expected_answer(cleaned.text)
        sentences = self.answer_candidates(cleaned.text, query, passages, quote, expected)
        unknown = [] if verbatim else unknown_names(cleaned.text, self.stored.lexical.knows)
        names = ", ".join(f"\u201c{name}\u201d" for name in unknown)
        if not passages or should_abstain(sentences.best, verbatim, bool(unknown)):
            if unknown:
                notes.append(NEVER_MENTIONED.format(names=names))
            if passages and expected and not sentences.candidates:
                notes.append(NO_EXPECTED_ANSWER.format(expected=expected.value))
            return SearchResult(cleaned.text, passages, True, REFUSAL, notes=notes,
                                support=sentences.best)
        if unknown:
            notes.append(ANSWERED_DESPITE_NAMES.format(names=names))
        spans = verified(choose_sentences(sentences), self.documents)
        return SearchResult(cleaned.text, passages, False, format_answer(spans), spans, notes,
                            sentences.best)

    def rank_documents(self, question: str, depth: int = 100,
                       method: str = "hybrid") -> list[tuple[str, float]]:
        """Documents ranked for a question (for document-level benchmarks such as BEIR); no
        answer is extracted, so this is the retrieval cost alone.

        Dense: 0.75 x the best cosine of any of the document's sentences + 0.25 x that of any
        of its passages; lexical: BM25 over the whole document (both chosen on SciFact train).
        """
        check_method(method)
        cleaned = clean_question(question)
        query = self.embedder.encode_query(cleaned.text)
        best, whole = self.unit_similarities(query)
        dense = (BEST_SENTENCE_WEIGHT * self.per_document_max(best)
                 + (1 - BEST_SENTENCE_WEIGHT) * self.per_document_max(whole))
        lexical = self.stored.document_lexical.scores(self.stored.lexical.query_terms(cleaned.text))
        fused = fuse(method, dense, lexical)
        return [(self.document_ids[i], float(fused[i])) for i in best_first(fused, depth)]

    def per_document_max(self, passage_scores: np.ndarray) -> np.ndarray:
        """Each document's highest passage score, in the order of `document_ids`."""
        highest = np.full(len(self.document_ids), -np.inf, dtype=np.float32)
        np.maximum.at(highest, self.passage_document, passage_scores)
        return highest

    def cite(self, key: str) -> Citation:
        """The cited passage in its context, with references; unknown keys are refused."""
        chunk = self.by_key.get(validate_key(key))
        if chunk is None:
            raise UnknownCitation(key)
        return make_citation(chunk, self.documents[chunk.doc_id])


def make_passage(rank: int, chunk: Chunk, document: Document, scored: Scored,
                 quoted: bool) -> Passage:
    meta = document.metadata
    return Passage(
        rank=rank, key=chunk.key, doc_id=chunk.doc_id, title=meta.title,
        authors=list(meta.authors), date=meta.date, url=meta.url, type=meta.type,
        section=section_label(chunk, meta.title), page=chunk.page,
        page_label=document.page_label(chunk.page, chunk.page_end), start=chunk.start,
        end=chunk.end, text=document.text[chunk.start:chunk.end], score=round(scored.score, 4),
        relevance=QUOTED if quoted else relevance_label(scored.closeness),
        signals={"dense": round(scored.dense, 4), "bm25": round(scored.lexical, 4),
                 "closeness": round(scored.closeness, 4)},
    )
