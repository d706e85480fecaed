"""The engine every face uses: open an index, search it, look citations up."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rag.chunking import Chunk
from rag.citations import Citation, make_citation, section_label, validate_key
from rag.documents import Document
from rag.embedding import Embedder, shared_embedder
from rag.errors import IndexIncompatible, UnknownCitation
from rag.filters import Filters
from rag.fingerprint import Freshness, freshness, incompatibilities
from rag.index_store import StoredIndex, load_build
from rag.question import clean_question
from rag.relevance import nothing_relevant, relevance_label
from rag.retrieval.dense import dense_scores
from rag.settings import Settings, default_corpus_dir, default_index_dir

DEFAULT_K = 5
CANDIDATE_DEPTH = 100


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

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class SearchResult:
    question: str
    passages: list[Passage]
    abstained: bool
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"question": self.question,
                "passages": [p.as_dict() for p in self.passages],
                "abstained": self.abstained,
                "notes": self.notes}


def make_passage(rank: int, chunk: Chunk, document: Document, score: float) -> Passage:
    meta = document.metadata
    return Passage(
        rank=rank, key=chunk.key, doc_id=chunk.doc_id, title=meta.title,
        authors=list(meta.authors), date=meta.date, url=meta.url, type=meta.type,
        section=section_label(chunk), page=chunk.page, start=chunk.start, end=chunk.end,
        text=document.text[chunk.start:chunk.end], score=round(score, 4),
        relevance=relevance_label(score),
    )


class Engine:
    """A loaded index and the model that reads questions for it. Load once, ask many."""

    def __init__(self, stored: StoredIndex, corpus_dir: Path,
                 embedder: Embedder | None = None) -> None:
        self.stored = stored
        self.corpus_dir = corpus_dir
        self._embedder = embedder
        self.by_key = {c.key: c for c in stored.chunks}

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
        stored = load_build(index_dir or default_index_dir())
        problems = incompatibilities(stored.manifest, settings or Settings())
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

    def search(self, question: str, k: int = DEFAULT_K,
               filters: Filters | None = None) -> SearchResult:
        """Ranked passages for a question, best first, each with its citation."""
        cleaned = clean_question(question)
        k = max(1, min(int(k), 100))
        mask = None if filters is None or filters.is_empty() else filters.mask(
            self.stored.chunks, self.documents)
        query = self.embedder.encode_query(cleaned.text)
        scores = dense_scores(self.stored.dense, query, mask, max(k, CANDIDATE_DEPTH))
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
        passages = [make_passage(rank, self.stored.chunks[i],
                                 self.documents[self.stored.chunks[i].doc_id], score)
                    for rank, (i, score) in enumerate(ranked, start=1)]
        notes = list(cleaned.notes)
        if mask is not None and not mask.any():
            notes.append("No document matches the filters.")
        abstained = nothing_relevant(passages[0].score if passages else None)
        if abstained and passages:
            notes.append("No passage answers this question well; the nearest ones are shown.")
        return SearchResult(cleaned.text, passages, abstained, notes)

    def cite(self, key: str) -> Citation:
        """The cited passage in its context, with references; unknown keys are refused."""
        chunk = self.by_key.get(validate_key(key))
        if chunk is None:
            raise UnknownCitation(key)
        return make_citation(chunk, self.documents[chunk.doc_id])
