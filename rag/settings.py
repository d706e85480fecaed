"""Where things live and which settings shape the index.

Only the settings that change what the index contains go into its fingerprint; the
fingerprint names the build and is compared on load, so an index built differently is
refused instead of silently used (the PaperQA2 idea of a settings hash).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
MAX_QUESTION_CHARS = 1000


@dataclass(frozen=True)
class Settings:
    """Everything that changes the index's content; part of its fingerprint."""

    chunk_size: int = 1000
    chunk_overlap: int = 150
    # Prefix each chunk with its document title and section path before embedding: the
    # chunk text itself (and so every citation span) stays exact.
    embed_with_context: bool = True
    # BM25 (bm25s), tuned on SciFact train: see README, "Retrieval quality".
    bm25_method: str = "lucene"
    bm25_k1: float = 0.9
    bm25_b: float = 0.75
    bm25_stemming: bool = True
    bm25_stopwords: bool = True
    bm25_title_repeat: int = 3

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def fingerprint_hash(fingerprint: dict[str, object]) -> str:
    """A short stable hash of a settings fingerprint."""
    blob = json.dumps(fingerprint, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def project_root(start: Path | None = None) -> Path:
    """The folder holding `corpus/` and `pyproject.toml`: searched upwards from the working
    directory, else the checkout this package was installed from."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "corpus").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    return PACKAGE_ROOT


def default_corpus_dir() -> Path:
    env = os.environ.get("RAG_CORPUS_DIR")
    return Path(env) if env else project_root() / "corpus"


def default_index_dir() -> Path:
    env = os.environ.get("RAG_INDEX_DIR")
    return Path(env) if env else project_root() / "index"
