"""Markdown and plain text, with optional YAML front matter for the metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import frontmatter
import yaml

from rag.errors import IngestError
from rag.ingest.documents import HEADING

KNOWN_FIELDS = ("title", "type", "publisher", "date", "authors", "url", "series")


def decode_text(raw: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), newlines normalised; anything else is refused by name."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise IngestError(
            f"not UTF-8 text (byte 0x{raw[err.start]:02x} at position {err.start}); "
            "save the file as UTF-8 and try again"  # a build's skip and `rag add`'s refusal alike
        ) from None
    if "\x00" in text:
        raise IngestError("contains NUL bytes: this looks like a binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalise_metadata(raw: dict[str, object]) -> dict[str, object]:
    """Front matter values as the Metadata fields expect them (dates as ISO text)."""
    meta: dict[str, object] = {}
    for name in KNOWN_FIELDS:
        value = raw.get(name)
        if value in (None, "", []):
            continue
        if name == "authors":
            value = [value] if isinstance(value, str) else [str(a) for a in value]  # type: ignore[union-attr]
        elif isinstance(value, dt.date):
            value = value.isoformat()
        else:
            value = str(value).strip()
        meta[name] = value
    extra = {k: str(v) for k, v in raw.items() if k not in KNOWN_FIELDS and v is not None}
    if extra:
        meta["extra"] = extra
    return meta


def load_text(raw: bytes, path: Path) -> tuple[str, dict[str, object]]:
    """Body text and metadata of a Markdown or text file."""
    text = decode_text(raw, path)
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as err:
        raise IngestError(f"front matter is not valid YAML: {err}".splitlines()[0]) from None
    meta = normalise_metadata(post.metadata)
    if "title" not in meta and (heading := HEADING.search(post.content)):
        meta["title"] = heading.group(2)
    return post.content, meta
