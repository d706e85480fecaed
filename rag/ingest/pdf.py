"""PDF files: text per page with pypdf (pure Python, well kept), with the pages' printed labels."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from rag.errors import IngestError
from rag.ingest.documents import Span
from rag.ingest.record import DATE_NOTE

PAGE_BREAK = "\n\n"


def load_pdf(raw: bytes, path: Path) -> tuple[str, dict[str, object], tuple[Span, ...]]:
    """Text with pages joined by a blank line, the metadata the PDF carries, page spans."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("the PDF is encrypted with a password")
        page_texts = [(page.extract_text() or "").strip() for page in reader.pages]
        info = reader.metadata
    except IngestError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as err:
        raise IngestError(f"unreadable PDF ({type(err).__name__}: {err})") from None
    if not any(page_texts):
        raise IngestError("the PDF has no text layer (a scan?): run OCR on it first")
    parts: list[str] = []
    pages: list[Span] = []
    cursor = 0
    for page_text, label in zip(page_texts, printed_labels(reader), strict=True):
        if parts:
            parts.append(PAGE_BREAK)
            cursor += len(PAGE_BREAK)
        parts.append(page_text)
        pages.append(Span(cursor, cursor + len(page_text), label))
        cursor += len(page_text)
    meta: dict[str, object] = {"type": "PDF"}
    if info is not None:
        if info.title and info.title.strip():
            meta["title"] = info.title.strip()
        if info.author and info.author.strip():
            meta["authors"] = [a.strip() for a in info.author.replace(";", ",").split(",")
                               if a.strip()]
        if info.creation_date is not None:
            meta["date"] = info.creation_date.date().isoformat()
            meta["extra"] = {DATE_NOTE: FILE_DATE}
    return "".join(parts), meta, tuple(pages)


# A PDF's properties date the file, not the publication (often the day it was exported, or
# today for one generated here): the record says so beside the date.
FILE_DATE = "the day the PDF file was made"


def printed_labels(reader: PdfReader) -> list[str]:
    """Each page's label as the PDF numbers it ("i", "ii", "1"), where it says; the 1-based
    page number elsewhere (a report's page 1 is often the PDF's page 5)."""
    numbers = [str(n) for n in range(1, len(reader.pages) + 1)]
    try:
        labels = list(reader.page_labels)
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError):
        return numbers
    if len(labels) != len(numbers):
        return numbers
    return [label.strip() or number for label, number in zip(labels, numbers, strict=True)]
