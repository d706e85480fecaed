"""What built an index, and whether the index on disk still matches it and the corpus."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rag.index.embedding import default_identity
from rag.index.manifest import Manifest
from rag.index.store import FORMAT_VERSION
from rag.ingest.scan import SourceFile, scan_corpus
from rag.settings import Settings, fingerprint_hash


def index_fingerprint(settings: Settings,
                      model: dict[str, str] | None = None) -> dict[str, object]:
    """The facts an index must share with the running code to be usable. `model` is the
    embedder's identity (default: the shipped model's)."""
    return {
        "format_version": FORMAT_VERSION,
        **(model or default_identity()),
        # A PDF's catalogue record became a section of its own on 2026-12-06: indexes from
        # before cite it inside the last page's passage, so they are rebuilt.
        "chunker": "langchain_text_splitters.RecursiveCharacterTextSplitter per section; "
                   "a PDF's record apart",
        **settings.fingerprint_fields(),
    }


def incompatibilities(manifest: Manifest, settings: Settings,
                      model: dict[str, str] | None = None) -> list[str]:
    """Human-readable differences between the index's fingerprint and the current one."""
    built = manifest.fingerprint
    wanted = index_fingerprint(settings, model)
    return [f"{name} is {built.get(name)!r} in the index, {value!r} now"
            for name, value in wanted.items() if built.get(name) != value]


def file_table(files: list[SourceFile]) -> dict[str, str]:
    return {f.relpath: f.sha256 for f in files}


@dataclass(frozen=True)
class Freshness:
    added: list[str]
    changed: list[str]
    removed: list[str]

    @property
    def stale(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def describe(self) -> str:
        parts = [f"{label}: {', '.join(names)}" for label, names in
                 (("added", self.added), ("changed", self.changed), ("removed", self.removed))
                 if names]
        return "; ".join(parts)


def freshness(manifest: Manifest, corpus_dir: Path) -> Freshness:
    """Which corpus files differ from those the index was built from. Removing a file the
    build skipped (unreadable) changes nothing in the index, so it does not count."""
    entries = manifest.files
    built = {path: entry.sha256 for path, entry in entries.items()}
    now = file_table(scan_corpus(corpus_dir)) if corpus_dir.is_dir() else {}
    return Freshness(
        added=sorted(set(now) - set(built)),
        changed=sorted(p for p in set(now) & set(built) if now[p] != built[p]),
        removed=sorted(p for p in set(built) - set(now) if not entries[p].skipped),
    )


def fingerprint_name(settings: Settings, model: dict[str, str] | None = None) -> str:
    return fingerprint_hash(index_fingerprint(settings, model))

