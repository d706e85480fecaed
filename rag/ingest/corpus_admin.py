"""Add documents to the corpus folder safely: each is read first, and only a readable
document is copied in; a refused one leaves the corpus exactly as it was."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rag.errors import IngestError
from rag.ingest.scan import SUPPORTED_SUFFIXES, load_document, scan_corpus

MAX_UPLOAD_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class AddOutcome:
    name: str
    added: bool
    message: str


def safe_name(name: str) -> str:
    """A plain file name: no folders, no leading dots, nothing a shell or URL minds."""
    base = Path(name.replace("\\", "/")).name
    stem, dot, suffix = base.rpartition(".")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem if dot else base).strip(".-") or "document"
    return f"{stem}.{suffix.lower()}" if dot else stem


def copy_in_corpus(corpus_dir: Path, data: bytes) -> str | None:
    """The corpus file holding exactly these bytes, if any: a second copy would only repeat
    every passage (and every answer sentence) under another name."""
    if not corpus_dir.is_dir():
        return None
    digest = hashlib.sha256(data).hexdigest()
    # Only a file a build may read: "a.bak" holding the same bytes does not make "a.md" a copy
    # (as a build skips a copy only once its twin has loaded).
    return next((f.relpath for f in scan_corpus(corpus_dir)
                 if f.path.suffix.lower() in SUPPORTED_SUFFIXES
                 and f.path.stat().st_size == len(data)
                 and hashlib.sha256(f.path.read_bytes()).hexdigest() == digest), None)


def add_document(corpus_dir: Path, name: str, data: bytes) -> AddOutcome:
    """Check `data` parses as a document, then write it into the corpus atomically."""
    target_name = safe_name(name)
    suffix = Path(target_name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return AddOutcome(name, False, f"unsupported file type {suffix or '(none)'!r}; "
                          "supported: " + ", ".join(sorted(SUPPORTED_SUFFIXES)))
    if len(data) > MAX_UPLOAD_BYTES:
        return AddOutcome(name, False, "larger than 100 MB")
    target = corpus_dir / target_name
    if target.exists():
        return AddOutcome(name, False, f"{target_name} is already in the corpus; to add this "
                          "one beside it, rename it; to replace it, save it over "
                          f"{target} and rebuild")
    copy = copy_in_corpus(corpus_dir, data)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=".upload-", suffix=suffix, dir=corpus_dir)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        load_document(Path(staging), target_name)
        if copy:
            return AddOutcome(name, False, f"the same file is already in the corpus as {copy}")
        os.replace(staging, target)
    except IngestError as err:
        # Read first: a broken file copied in by hand had made its twin's refusal say only
        # "the same file is already in the corpus" (a first-time user's finding).
        return AddOutcome(name, False, str(err) + (
            f"; the same file is in the corpus as {copy}, which no build can index either"
            if copy else ""))
    finally:
        if os.path.exists(staging):
            os.unlink(staging)
    return AddOutcome(name, True, f"added as {target_name}")
