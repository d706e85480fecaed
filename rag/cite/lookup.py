"""Citation lookup: a key leads back to its exact span, its context and a reference."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote_plus

from rag.chunking.passages import Chunk
from rag.cite.references import bibtex, chicago
from rag.errors import SeveralCitationKeys, UnknownCitation
from rag.ingest.documents import Document
from rag.ingest.record import RECORD_HEADING

KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,120}:[0-9a-f]{10}(?:-\d{1,6})?")
# A whole key inside other text: not a longer run of key characters cut short.
PASTED_KEY = re.compile(rf"(?<![a-z0-9_:-]){KEY_PATTERN.pattern}(?![a-z0-9_:-])")
# What ends a key's first part when a key is broken before its tail: a hyphen and a line
# break or space, or a typographic hyphen or dash.
BROKEN_BEFORE = re.compile(r"(?:-\s+|[\u2010-\u2015]\s*)$")
CONTEXT_REACH = 600


@dataclass(frozen=True)
class CitedSpan:
    """A passage's exact span and where it comes from: enough to cite it and open it at its
    place. Search results (`Passage`) and citation lookups (`Citation`) both are one."""

    key: str
    doc_id: str
    title: str
    url: str | None
    section: str | None
    page: int | None  # physical, 1-based: where a PDF viewer opens
    page_label: str | None  # as the document prints it: "vii", "3–4"
    start: int
    end: int
    text: str
    # The document's catalogue record (rag.ingest.record), written from its metadata after
    # its text: the span is exact in the indexed text, but not text of the file itself.
    from_metadata: bool

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def cited_span(chunk: Chunk, document: Document) -> dict[str, object]:
    """The `CitedSpan` fields of a chunk, read from its document (the text is re-sliced)."""
    title = document.metadata.title
    return {"key": chunk.key, "doc_id": chunk.doc_id, "title": title,
            "url": document.metadata.url, "section": section_label(chunk, title),
            "page": chunk.page, "page_label": document.page_label(chunk.page, chunk.page_end),
            "start": chunk.start, "end": chunk.end,
            "text": document.text[chunk.start:chunk.end],
            "from_metadata": chunk.section[-1:] == (RECORD_HEADING,)}


@dataclass(frozen=True)
class Citation(CitedSpan):
    context: str
    context_start: int
    context_end: int
    reference: str
    bibtex: str


def validate_key(key: str) -> str:
    """The one well-formed key in `key`, before any lookup; anything else is refused. Keys
    are lower-case, so one typed or pasted in capitals is read in lower case. The key is read
    out of what is pasted around it: the app's link to a citation (`?cite=…%3A…`), the
    Markdown export's backticks, a sentence's full stop (each had been refused, a first-time
    user found); the same key twice is one key, two keys are named and refused. A key broken
    across a line or by a typographic hyphen ("…-the-\nkorean-peninsula:…") is refused, not
    read as its tail."""
    text = unquote_plus((key or "").strip()).lower()
    matches = list(PASTED_KEY.finditer(text))
    found = list(dict.fromkeys(match.group() for match in matches))
    broken = any(BROKEN_BEFORE.search(text[:m.start()]) for m in matches)
    if len(found) > 1 and not broken:
        raise SeveralCitationKeys(found)
    if len(found) != 1 or broken:
        raise UnknownCitation(key or "")  # as typed: the message quotes what the user gave
    return found[0]


def context_bounds(text: str, start: int, end: int, reach: int = CONTEXT_REACH) -> tuple[int, int]:
    """Up to `reach` characters either side of a span, snapped to paragraph or word edges."""
    low, high = max(0, start - reach), min(len(text), end + reach)
    if low > 0:
        paragraph = text.find("\n\n", low, start)
        space = text.find(" ", low, start)
        low = paragraph + 2 if paragraph >= 0 else (space + 1 if space >= 0 else start)
    if high < len(text):
        paragraph = text.rfind("\n\n", end, high)
        space = text.rfind(" ", end, high)
        high = paragraph if paragraph >= 0 else (space if space >= 0 else end)
    return low, high


def section_label(chunk: Chunk, title: str) -> str | None:
    """The passage's heading path, less a first heading that only repeats the title (an
    HTML page's h1), which is shown beside it anyway."""
    path = list(chunk.section)
    if path and " ".join(path[0].split()).casefold() == " ".join(title.split()).casefold():
        path = path[1:]
    return " > ".join(path) or None


def section_body(document: Document, offset: int) -> tuple[int, int]:
    """The body of the section holding `offset` (the whole text if there are no sections),
    so the context shown never runs into the next heading."""
    for _, start, end in document.sections:
        if start <= offset < end:
            return start, end
    return 0, len(document.text)


def make_citation(chunk: Chunk, document: Document) -> Citation:
    low, high = context_bounds(document.text, chunk.start, chunk.end)
    body_start, body_end = section_body(document, chunk.start)
    low, high = max(low, body_start), min(high, body_end)
    low += len(document.text[low:chunk.start]) - len(document.text[low:chunk.start].lstrip())
    high -= len(document.text[chunk.end:high]) - len(document.text[chunk.end:high].rstrip())
    return Citation(
        **cited_span(chunk, document), context=document.text[low:high], context_start=low,
        context_end=high, reference=chicago(document.metadata), bibtex=bibtex(document.metadata))
