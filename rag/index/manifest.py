"""The manifest: what one build holds and what built it, typed, with one reader and one writer.

It is the last file a build writes (its presence marks the build complete), so every face
reads build facts from here: when it was built, how many passages, which files were skipped
and why, and the fingerprint that decides whether the running code may use it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class FileEntry:
    """One corpus file as the build saw it; `skipped` holds the reason it was not indexed."""

    sha256: str
    doc_id: str | None = None
    content_hash: str | None = None
    skipped: str | None = None


@dataclass(frozen=True)
class Manifest:
    fingerprint: dict[str, object]
    built_at: str  # ISO 8601, UTC
    documents: int
    chunks: int
    sentences: int
    dimension: int
    package_version: str = ""
    corpus_dir: str | None = None
    files: dict[str, FileEntry] = field(default_factory=dict)
    # Set for a BEIR collection's cached index: which corpus file it was built from.
    beir: dict[str, object] | None = None

    @property
    def built_label(self) -> str:
        """The build time as a reader wants it: "2026-12-02 15:45:26 UTC"."""
        return self.built_at.replace("T", " ").replace("+00:00", " UTC")

    @property
    def skipped(self) -> dict[str, str]:
        """Each file the build could not index, with the reason."""
        return {path: entry.skipped for path, entry in self.files.items() if entry.skipped}

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Manifest:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["files"] = {path: FileEntry(**entry) for path, entry in data.get("files", {}).items()}
        return cls(**known)


def write_manifest(build: Path, manifest: Manifest) -> None:
    (build / MANIFEST).write_text(json.dumps(manifest.as_dict(), indent=2), encoding="utf-8")


def load_manifest(build: Path) -> Manifest | None:
    """The manifest of a build folder, or None when the build is incomplete."""
    path = build / MANIFEST
    if not path.is_file():
        return None
    return Manifest.from_dict(json.loads(path.read_text(encoding="utf-8")))
