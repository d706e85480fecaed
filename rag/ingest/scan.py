"""Turn files into Documents, whatever their format; report and skip what cannot be read.

Metadata for a PDF or HTML file can be given (or corrected) in a sidecar YAML file next to
it named `<file name>.meta.yaml`, e.g. `report.pdf.meta.yaml`; it wins over what the file
itself carries.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from rag.errors import IngestError
from rag.ingest.documents import Document, Metadata, Span, markdown_sections
from rag.ingest.record import DATE_NOTE, record_apart, with_record
from rag.ingest.text import load_text, normalise_metadata

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES
SIDECAR_SUFFIX = ".meta.yaml"


@dataclass(frozen=True)
class SourceFile:
    """A file of the corpus and the hash of its bytes (with its sidecar's), for staleness."""

    path: Path
    relpath: str
    sha256: str


@dataclass(frozen=True)
class Skipped:
    relpath: str
    reason: str


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes())
    sidecar = sidecar_of(path)
    if sidecar.is_file():
        digest.update(b"\0sidecar\0" + sidecar.read_bytes())
    return digest.hexdigest()


def scan_corpus(corpus_dir: Path) -> list[SourceFile]:
    """Every candidate file under the corpus folder, hidden files and sidecars excepted."""
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        relpath = path.relative_to(corpus_dir).as_posix()
        hidden = any(part.startswith(".") for part in Path(relpath).parts)
        if path.is_file() and not hidden and not path.name.endswith(SIDECAR_SUFFIX):
            files.append(SourceFile(path, relpath, file_hash(path)))
    return files


def doc_id_for(relpath: str) -> str:
    """A readable, URL- and key-safe id from the file's path in the corpus."""
    stem = relpath.rsplit(".", 1)[0] if "." in Path(relpath).name else relpath
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower().replace("/", "__")).strip("-")
    return slug[:100] or "document"


def humanise(stem: str) -> str:
    return re.sub(r"[_-]+", " ", stem).strip().capitalize() or stem


def read_sidecar(path: Path) -> dict[str, object]:
    sidecar = sidecar_of(path)
    if not sidecar.is_file():
        return {}
    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise IngestError(f"its metadata file {sidecar.name} is not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise IngestError(f"its metadata file {sidecar.name} must hold key: value pairs")
    return normalise_metadata(data)


def load_document(path: Path, relpath: str, doc_id: str | None = None) -> Document:
    """Read one file into a Document, or raise IngestError saying why it cannot be used."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(f"unsupported file type {suffix or '(none)'!r}; supported: "
                          + ", ".join(sorted(SUPPORTED_SUFFIXES)))
    raw = path.read_bytes()
    if not raw.strip():
        raise IngestError("the file is empty")
    pages: tuple[Span, ...] = ()
    # The PDF and HTML readers (pypdf, trafilatura) are imported when a file needs them: the
    # query path, which hashes corpus files for staleness, never pays for them.
    if suffix in PDF_SUFFIXES:
        from rag.ingest.pdf import load_pdf

        text, meta, pages = load_pdf(raw, path)
    elif suffix in HTML_SUFFIXES:
        from rag.ingest.html import load_html

        text, meta = load_html(raw, path)
    else:
        text, meta = load_text(raw, path)
    if not text.strip():
        raise IngestError("the file has no text besides its metadata")
    sidecar = read_sidecar(path)
    extra = {**meta.get("extra", {}), **sidecar.get("extra", {})}  # type: ignore[dict-item]
    if "date" in sidecar:  # a date given by hand is no guess
        extra.pop(DATE_NOTE, None)
    meta.update(sidecar)
    meta["extra"] = extra
    meta.setdefault("title", humanise(path.stem))
    metadata = Metadata.from_dict(meta)
    text = with_record(text, metadata)
    sections = record_apart(text) if pages else markdown_sections(text)
    return Document(doc_id or doc_id_for(relpath), relpath, text, metadata, pages, sections)


def free_id(relpath: str, unavailable: set[str]) -> str:
    """The file's id, or, when another file has it (notes.md beside notes.pdf), one naming
    the file type too, then a number."""
    for candidate in (doc_id_for(relpath), doc_id_for(relpath.replace(".", "-"))):
        if candidate not in unavailable:
            return candidate
    return next(f"{candidate}-{n}" for n in range(2, len(unavailable) + 3)
                if f"{candidate}-{n}" not in unavailable)


def load_corpus(files: list[SourceFile], previous_ids: Mapping[str, str] | None = None,
                previous_sha256: Mapping[str, str] | None = None,
                ) -> tuple[list[Document], list[Skipped]]:
    """Load every file; a broken one is reported and skipped, the rest still load.

    A file keeps the id `previous_ids` (the last build's) gave it, so adding notes.md beside
    an indexed notes.txt cannot rename the older file and break its citation keys.
    `previous_sha256` holds each file's hash as the last build read it.
    """
    previous_ids = previous_ids or {}
    previous_sha256 = previous_sha256 or {}
    reserved = {previous_ids[f.relpath] for f in files if f.relpath in previous_ids}
    loaded: list[tuple[int, Document]] = []
    skipped: list[tuple[int, Skipped]] = []
    taken: set[str] = set()
    # A copy of another file (the same bytes and sidecar) is skipped once its twin has loaded:
    # both copies had been indexed, each passage shown twice as "exact words" (a first-time
    # user's finding). The copy the last build indexed is read first, so its citation keys
    # hold, and of two indexed files that have become copies, the one unchanged (the tie had
    # gone by path, and the unchanged file could lose its keys); on a first build, the
    # shallowest. A twin that cannot be read (an unsupported "a.bak" beside "a.md") does not
    # count: "a.md" had been dropped as its copy.
    read_from: dict[str, str] = {}
    order = sorted(range(len(files)), key=lambda n: (
        files[n].relpath not in previous_ids,
        previous_sha256.get(files[n].relpath) != files[n].sha256,
        files[n].relpath.count("/"), n))
    for n in order:
        source = files[n]
        if source.sha256 in read_from:
            skipped.append((n, Skipped(source.relpath, f"a copy of {read_from[source.sha256]};"
                                       " only that one is read")))
            continue
        doc_id = previous_ids.get(source.relpath) or free_id(source.relpath, taken | reserved)
        try:
            document = load_document(source.path, source.relpath, doc_id)
        except IngestError as err:
            skipped.append((n, Skipped(source.relpath, str(err))))
            continue
        except OSError as err:
            skipped.append((n, Skipped(source.relpath, f"cannot be read: {err.strerror or err}")))
            continue
        taken.add(doc_id)
        read_from[source.sha256] = source.relpath
        loaded.append((n, document))
    documents = [document for _, document in sorted(loaded, key=lambda pair: pair[0])]
    return documents, [skip for _, skip in sorted(skipped, key=lambda pair: pair[0])]
