"""The document model every loader produces and every later step relies on."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Metadata:
    """Bibliographic facts shown with every citation; all optional but the title."""

    title: str
    type: str = "Document"
    publisher: str | None = None
    date: str | None = None  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    authors: tuple[str, ...] = ()
    url: str | None = None
    series: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["authors"] = list(self.authors)
        data["extra"] = dict(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Metadata:
        values = dict(data)
        values["authors"] = tuple(values.get("authors") or ())
        values["extra"] = tuple(sorted((values.get("extra") or {}).items()))
        return cls(**values)


@dataclass(frozen=True)
class Span:
    """A labelled character range of a document's text: a page (labelled as the PDF prints
    it) or a section body; `text[start:end]` is exactly what it covers."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Document:
    """One source's text, exactly as chunk offsets and citation spans refer to it."""

    doc_id: str
    source: str  # path relative to the corpus folder
    text: str
    metadata: Metadata
    pages: tuple[Span, ...] = ()  # PDF pages in order; label is the printed page label
    sections: tuple[tuple[tuple[str, ...], int, int], ...] = field(default=())

    @property
    def content_hash(self) -> str:
        blob = json.dumps([self.text, self.metadata.as_dict()], sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    def page_at(self, offset: int) -> int | None:
        """The 1-based physical page holding `offset`: what a PDF viewer jumps to (the page
        before, in the blank line between two). None past the last page: the catalogue record
        written after a PDF's text is on no page of it (it had been cited as on the last)."""
        if not self.pages or offset >= self.pages[-1].end:
            return None
        return max(1, sum(page.start <= offset for page in self.pages))

    def page_label(self, first: int | None, last: int | None = None) -> str | None:
        """How the document itself numbers physical pages `first` to `last` ("vii", "3–4"):
        a reader checks a citation against the printed number, not the PDF's page count."""
        if first is None or not 0 < first <= len(self.pages):
            return None
        last = last if last is not None and first < last <= len(self.pages) else first
        labels = dict.fromkeys((self.pages[first - 1].label, self.pages[last - 1].label))
        return "–".join(labels)

    def as_dict(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "text": self.text,
            "metadata": self.metadata.as_dict(),
            "pages": [asdict(p) for p in self.pages],
            "sections": [[list(path), start, end] for path, start, end in self.sections],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Document:
        return cls(
            doc_id=data["doc_id"],
            source=data["source"],
            text=data["text"],
            metadata=Metadata.from_dict(data["metadata"]),
            pages=tuple(Span(**p) for p in data["pages"]),
            sections=tuple((tuple(path), start, end) for path, start, end in data["sections"]),
        )


def markdown_sections(text: str) -> tuple[tuple[tuple[str, ...], int, int], ...]:
    """Split text at Markdown headings into (heading path, body start, body end).

    The heading line itself is left out of the body, so chunks hold prose only while the
    path ("Summary", "Background > History") travels with them as metadata.
    """
    sections: list[tuple[tuple[str, ...], int, int]] = []
    path: list[tuple[int, str]] = []
    body_start = 0
    current: tuple[str, ...] = ()
    for match in HEADING.finditer(text):
        sections.append((current, body_start, match.start()))
        level = len(match.group(1))
        path = [(lvl, name) for lvl, name in path if lvl < level] + [(level, match.group(2))]
        current = tuple(name for _, name in path)
        body_start = match.end()
    sections.append((current, body_start, len(text)))
    return tuple(s for s in sections if text[s[1]:s[2]].strip())
