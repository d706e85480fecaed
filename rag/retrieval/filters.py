"""Restrict a search to some documents, document types or a date range."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from rag.chunking.passages import Chunk
from rag.errors import RagError
from rag.ingest.documents import Document

ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def date_bounds(value: str) -> tuple[str, str]:
    """The first and last day an ISO date of any precision (2020, 2020-02, 2020-02-13) covers."""
    parts = value.split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    month = int(parts[1])
    if len(parts) == 2:
        last = calendar.monthrange(year, month)[1]
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
    day = f"{year:04d}-{month:02d}-{int(parts[2][:2]):02d}"
    return day, day


def check_date(value: str | None) -> None:
    """Refuse a date bound `date_bounds` cannot read, saying which forms it reads."""
    if value is None:
        return
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        for bound in date_bounds(value):
            date.fromisoformat(bound)
    except ValueError:
        raise RagError(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD, "
                       "e.g. 2020 or 2020-02.") from None


def check_order(date_from: str | None, date_to: str | None) -> None:
    """Refuse a range that ends before it starts, which no date is in (`rag ask --from 2021
    --to 2020` had said only that no document matches). `Engine.search` checks it, so the
    CLI, the app's sidebar and a script all say so; a link's range is checked earlier, in
    rag.web.session, which ignores it with a notice rather than refusing the page."""
    if date_from and date_to and date_bounds(date_from)[0] > date_bounds(date_to)[1]:
        raise RagError(f"The dates are the wrong way round: from {date_from} is after to "
                       f"{date_to}.")


@dataclass(frozen=True)
class Filters:
    """Empty fields mean no restriction. Dates are ISO and inclusive; a document whose
    date is partly in the range (e.g. "2020-02" for a range starting 2020-02-15) matches,
    and an undated document is left out once a date bound is set."""

    doc_ids: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    date_from: str | None = None
    date_to: str | None = None

    def __post_init__(self) -> None:
        check_date(self.date_from)
        check_date(self.date_to)

    def is_empty(self) -> bool:
        return not (self.doc_ids or self.types or self.date_from or self.date_to)

    def as_dict(self) -> dict[str, object]:
        """The restrictions set, as exports and captions show them."""
        shown: dict[str, object] = {}
        if self.doc_ids:
            shown["documents"] = sorted(self.doc_ids)
        if self.types:
            shown["types"] = sorted(self.types)
        if self.date_from:
            shown["from"] = self.date_from
        if self.date_to:
            shown["to"] = self.date_to
        return shown

    def admits(self, document: Document) -> bool:
        if self.doc_ids and document.doc_id not in self.doc_ids:
            return False
        if self.types and document.metadata.type.casefold() not in {
                t.casefold() for t in self.types}:
            return False
        if not (self.date_from or self.date_to):
            return True
        if not document.metadata.date:
            return False
        first, last = date_bounds(document.metadata.date)
        if self.date_from and last < date_bounds(self.date_from)[0]:
            return False
        return not (self.date_to and first > date_bounds(self.date_to)[1])

    def check_documents(self, documents: dict[str, Document]) -> None:
        """Refuse a document id or type the index does not hold, naming the ones it does
        (`--type Banana` had said only that no document matches the filters)."""
        unknown = sorted(self.doc_ids - documents.keys())
        if unknown:
            raise RagError(f"No document has the id {', '.join(map(repr, unknown))}. The ids "
                           f"in this index: {', '.join(sorted(documents))} (rag status).")
        types = {document.metadata.type for document in documents.values()}
        unknown = sorted(t for t in self.types  # as `admits`, in any case
                         if t.casefold() not in {known.casefold() for known in types})
        if unknown:
            raise RagError(f"No document has the type {', '.join(map(repr, unknown))}. The "
                           f"types in this index: {', '.join(sorted(types))}.")

    def mask(self, chunks: list[Chunk], documents: dict[str, Document]) -> np.ndarray:
        admitted = {doc_id for doc_id, doc in documents.items() if self.admits(doc)}
        return np.fromiter((c.doc_id in admitted for c in chunks), dtype=bool, count=len(chunks))
