"""The shapes evaluation works with: the engine it needs, one result row, the summary.

Rows and summaries stay plain JSON objects, because that is what `rag eval --out` writes and
other tools read; these types name their fields so the code that fills and reads them is
checked against one definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypedDict

from rag.ingest.documents import Document
from rag.retrieval.filters import Filters
from rag.retrieval.fusion import DEFAULT_METHOD


class SearchResultLike(Protocol):
    def as_dict(self) -> dict[str, object]: ...


class SearchEngine(Protocol):
    """What a question set is run against: `rag.engine.Engine`, or a stand-in in tests."""

    @property
    def documents(self) -> Mapping[str, Document]: ...

    def search(self, question: str, k: int | None = None, filters: Filters | None = None,
               method: str = DEFAULT_METHOD) -> SearchResultLike: ...


class DocumentRanker(Protocol):
    """What a BEIR collection is ranked with."""

    def rank_documents(self, question: str, depth: int = 100,
                       method: str = DEFAULT_METHOD) -> list[tuple[str, float]]: ...


class Judgement(TypedDict):
    """How one answer was judged: the `eval` object of a result row."""

    judged: bool  # the question has gold snippets or gold documents
    labelled: bool  # it has any label; a bare question counts in no figure
    relevant_ranks: list[int]
    first_relevant_rank: int | None
    answer_holds_gold: bool | None
    citations_verified: int
    citation_spans: int
    passed_through: list[str]  # input fields copied onto the row


class ResultRow(TypedDict, total=False):
    """One question's row: the `rag ask --json` object, its labels and input fields (copied
    as they came), the latency and the judgement."""

    id: str
    question: str
    searched_as: str | None  # what was searched, when not the question as asked
    answer: str
    abstained: bool
    confidence: float | None
    confidence_label: str | None
    rated_best: int | None
    unanswerable: bool | None  # None: the row has no label at all
    passages: list[dict[str, object]]
    answer_spans: list[dict[str, object]]
    latency_ms: float
    eval: Judgement


class Miss(TypedDict):
    id: str
    question: str
    miss: str
    abstained: bool
    unanswerable: bool
    first_relevant_rank: int | None
    top_key: str | None
    top_score: float | None


class BadRowEntry(TypedDict):
    line: int
    reason: str


# The summary of a question set. Besides these keys it holds `recall@N` for every cutoff up
# to k and `mrr@N` (N = min(k, 10)): names TypedDict's class syntax cannot spell.
class Summary(TypedDict):
    file: str | None
    method: str
    k: int
    questions: int
    judged: int
    unanswerable: int
    unlabelled: int
    bare: int  # questions with no label at all, answered but in no figure
    bad_rows: list[BadRowEntry]
    answer_accuracy: float | None
    abstention_precision: float | None
    abstention_recall: float | None
    abstained: int
    answerable_refused: float | None
    unanswerable_refused: float | None
    confidence_auc: float | None  # ROC AUC of the answer probability (None: reader off)
    citations_verified: float | None
    citation_spans: int
    latency_ms_p50: float | None
    latency_ms_p95: float | None
    misses: list[Miss]
