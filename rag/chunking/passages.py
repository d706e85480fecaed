"""Split documents into passages that keep their exact place in the source.

langchain-text-splitters' recursive splitter does the splitting (paragraphs first, then
lines, sentences, words); we split each section body separately so a passage never spans
two headings, and we locate each piece in the text so `text[start:end] == chunk.text`.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from rag.ingest.documents import Document
from rag.settings import Settings

if TYPE_CHECKING:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


@dataclass(frozen=True)
class Chunk:
    """A passage: a slice of its document's text, with where it sits."""

    key: str
    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str
    section: tuple[str, ...]
    page: int | None
    page_end: int | None

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["section"] = list(self.section)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        return cls(**{**data, "section": tuple(data["section"])})


def citation_key(doc_id: str, text: str, repeat: int) -> str:
    """Stable while the passage text is unchanged: document id + hash of the text.

    `repeat` tells identical passages of one document apart (0 for the first).
    """
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    return f"{doc_id}:{digest}" + (f"-{repeat}" if repeat else "")


def make_splitter(settings: Settings) -> RecursiveCharacterTextSplitter:
    """Imported here, at build time: a query (which only reads `Chunk`s) never loads LangChain."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
        separators=SEPARATORS, keep_separator="end", strip_whitespace=True,
    )


def section_spans(document: Document) -> tuple[tuple[tuple[str, ...], int, int], ...]:
    return document.sections or (((), 0, len(document.text)),)


def chunk_document(document: Document, settings: Settings) -> list[Chunk]:
    """All passages of one document, in reading order."""
    splitter = make_splitter(settings)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for path, body_start, body_end in section_spans(document):
        body = document.text[body_start:body_end]
        cursor = 0
        for piece in splitter.split_text(body):
            found = body.find(piece, cursor)
            if found < 0:  # cannot happen with keep_separator; refuse rather than mis-cite
                raise AssertionError(f"chunk not found in {document.doc_id}: {piece[:60]!r}")
            start, end = body_start + found, body_start + found + len(piece)
            cursor = found + 1
            repeat = seen.get(piece, 0)
            seen[piece] = repeat + 1
            chunks.append(Chunk(
                key=citation_key(document.doc_id, piece, repeat), doc_id=document.doc_id,
                ordinal=len(chunks), start=start, end=end, text=piece, section=path,
                page=document.page_at(start), page_end=document.page_at(end - 1),
            ))
    return chunks


def embedding_input(chunk: Chunk, title: str, settings: Settings) -> str:
    """What the embedding model reads for a chunk: optionally its title and section first."""
    if not settings.embed_with_context:
        return chunk.text
    heading = " > ".join((title, *chunk.section))
    return f"{heading}\n\n{chunk.text}"
