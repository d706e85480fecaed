"""The index on disk: always whole, the old build or the new one, never half of each.

Layout: `index/builds/<build id>/` holds one complete build; `index/current` is a symlink
to the build in use. A build is written beside the current one and becomes current by an
atomic rename of the symlink, so a crash or Ctrl-C mid-build leaves the old one in use.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

import numpy as np

from rag.chunking.passages import Chunk
from rag.errors import BuildInProgress, IndexIncompatible, IndexMissing
from rag.index.manifest import Manifest, load_manifest, write_manifest
from rag.index.vector_set import VectorSet
from rag.ingest.documents import Document
from rag.retrieval.lexical import LexicalIndex
from rag.retrieval.spelling import word_counts
from rag.settings import Settings

# 5: a large vector set is kept as fp16 (+ an IVF index), rag.index.vector_set;
# 6: title-context sentence vectors are mixed from stored title vectors (rag.index.title_context);
# 7: a large vector set's rows are kept as 8-bit codes and scales, not fp16
FORMAT_VERSION = 7
CHUNKS = "chunks.jsonl"
DOCUMENTS = "documents.jsonl"
EMBED_HASHES = "embed_hashes.json"
DENSE = "dense"  # vector set names: rag.index.vector_set names their files
LEXICAL = "bm25"
DOCUMENT_LEXICAL = "bm25_documents"
SENTENCES = "sentences.npy"
SENTENCE_DENSE = "sentences"
ANSWER_DENSE = "answers"
TITLE_DENSE = "titles"
WORDS = "words.json"


@dataclass
class StoredIndex:
    """Everything one build holds, loaded into memory."""

    path: Path
    manifest: Manifest
    documents: dict[str, Document]
    chunks: list[Chunk]
    embed_hashes: list[str]  # the passages read by the model; none when pooled
    dense: VectorSet  # the passages' vectors, read or pooled (rag.index.pooled_passages)
    lexical: LexicalIndex
    sentences: SentenceTable
    # BM25 over whole documents, in the order of `documents`: ranks documents (BEIR) and
    # gives each passage its document's lexical evidence.
    document_lexical: LexicalIndex
    # Each document title's own vector, kept only so a rebuild need not embed it again.
    titles: VectorSet
    title_hashes: list[str]

    @cached_property
    def words(self) -> dict[str, int]:
        """The corpus's words and their counts (rag.retrieval.spelling), read on first use.
        A build made before they were stored (2026-12-05) has them counted here instead, so
        it need not be rebuilt: its vectors are the same."""
        path = self.path / WORDS
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        return corpus_words(self.documents.values(), self.chunks)

    @property
    def embed_hashes_all(self) -> list[str]:
        return self.embed_hashes + self.sentences.answer_hashes + self.title_hashes

    @property
    def vectors_all(self) -> np.ndarray:
        """Every vector the model made, in the order of `embed_hashes_all` (the title-context
        sentence vectors, and pooled passage vectors, are mixed from these, not embedded)."""
        read = [self.dense.all()] if self.embed_hashes else []
        return np.concatenate([*read, self.sentences.answers.all(), self.titles.all()])


@dataclass
class SentenceTable:
    """Every chunk's sentences: rows (chunk, start, end) sorted by chunk, and `bounds` so
    rows bounds[c]:bounds[c + 1] belong to chunk c.

    Each sentence has two vectors. `dense` reads it after its document title, which helps find
    the right passage (mixed from the title's and the sentence's vectors,
    `rag.index.title_context`); `answers` embed the sentence alone, which judges better
    whether the sentence itself answers: with the title in front, a short sentence such as a
    photo credit reads as "about" the whole report.
    """

    rows: np.ndarray
    dense: VectorSet
    answers: VectorSet
    answer_hashes: list[str]

    @cached_property
    def bounds(self) -> np.ndarray:
        return np.searchsorted(self.rows[:, 0], np.arange(int(self.rows[:, 0].max()) + 2))


def corpus_words(documents: Iterable[Document], chunks: Iterable[Chunk]) -> dict[str, int]:
    """The words a build stores for spelling correction: its titles' and passages'."""
    return word_counts([*(d.metadata.title for d in documents), *(c.text for c in chunks)])


def current_build(index_dir: Path) -> Path | None:
    link = index_dir / "current"
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def read_manifest(index_dir: Path) -> Manifest | None:
    """The current build's manifest, or None when there is no complete build."""
    build = current_build(index_dir)
    return None if build is None else load_manifest(build)


def new_build_dir(index_dir: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    path = index_dir / "builds" / f"{stamp}-{os.getpid()}"
    path.mkdir(parents=True)
    return path


def write_jsonl(path: Path, rows: Iterable[Mapping[str, object]]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> Iterator[dict]:
    """One row at a time: a large build's rows are never all held as dicts at once."""
    with open(path, encoding="utf-8") as rows:
        yield from (json.loads(line) for line in rows if line.strip())


def write_build(build: Path, manifest: Manifest, documents: list[Document], chunks: list[Chunk],
                dense: VectorSet, embed_hashes: list[str], lexical: LexicalIndex,
                sentences: SentenceTable, document_lexical: LexicalIndex,
                titles: VectorSet, title_hashes: list[str], words: Mapping[str, int]) -> None:
    """Write every file of a build; the manifest goes last and marks the build complete."""
    write_jsonl(build / DOCUMENTS, (d.as_dict() for d in documents))
    (build / WORDS).write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    write_jsonl(build / CHUNKS, (c.as_dict() for c in chunks))
    np.save(build / SENTENCES, sentences.rows)
    (build / EMBED_HASHES).write_text(json.dumps(
        {"chunks": embed_hashes, "answers": sentences.answer_hashes,
         "titles": title_hashes}), encoding="utf-8")
    dense.save(build, DENSE)
    sentences.dense.save(build, SENTENCE_DENSE)
    sentences.answers.save(build, ANSWER_DENSE)
    titles.save(build, TITLE_DENSE)
    lexical.save(build / LEXICAL)
    document_lexical.save(build / DOCUMENT_LEXICAL)
    for written in build.rglob("*"):
        if written.is_file():
            with open(written, "rb") as handle:
                os.fsync(handle.fileno())
    write_manifest(build, manifest)


def publish(index_dir: Path, build: Path) -> None:
    """Make `build` current with one atomic rename, then drop older builds."""
    temporary = index_dir / f".current-{os.getpid()}"
    if temporary.is_symlink():
        temporary.unlink()
    temporary.symlink_to(build.relative_to(index_dir))
    os.replace(temporary, index_dir / "current")
    remove_other_builds(index_dir, keep=build)


def remove_other_builds(index_dir: Path, keep: Path | None) -> None:
    """Drop builds that are not current: older ones and any left by a killed build."""
    builds = index_dir / "builds"
    if not builds.is_dir():
        return
    for build in builds.iterdir():
        if keep is None or build.resolve() != keep.resolve():
            shutil.rmtree(build, ignore_errors=True)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index folder; a second one is told so, not corrupted."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildInProgress() from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load_build(index_dir: Path, settings: Settings) -> StoredIndex:
    build = current_build(index_dir)
    manifest = None if build is None else load_manifest(build)
    if build is None or manifest is None:
        raise IndexMissing(index_dir)
    built_format = manifest.fingerprint.get("format_version")
    if built_format != FORMAT_VERSION:
        raise IndexIncompatible([f"format_version is {built_format!r} in the index, "
                                 f"{FORMAT_VERSION!r} now"])
    documents = {d["doc_id"]: Document.from_dict(d) for d in read_jsonl(build / DOCUMENTS)}
    chunks = [Chunk.from_dict(c) for c in read_jsonl(build / CHUNKS)]
    hashes = json.loads((build / EMBED_HASHES).read_text(encoding="utf-8"))
    dense = VectorSet.load(build, DENSE)
    lexical = LexicalIndex.load(build / LEXICAL, settings)
    sentences = SentenceTable(np.load(build / SENTENCES),
                              VectorSet.load(build, SENTENCE_DENSE),
                              VectorSet.load(build, ANSWER_DENSE), hashes["answers"])
    return StoredIndex(build, manifest, documents, chunks, hashes["chunks"], dense,
                       lexical, sentences, LexicalIndex.load(build / DOCUMENT_LEXICAL, settings),
                       VectorSet.load(build, TITLE_DENSE), hashes["titles"])
