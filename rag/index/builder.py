"""Build or refresh the index: ingest, chunk, embed what is new, write, swap in.

Embeddings are cached by a hash of exactly what the model reads, so a rebuild after one
document changed embeds only that document's new passages.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from rag import __version__
from rag.chunking.passages import Chunk, chunk_document, embedding_input
from rag.chunking.sentences import chunk_units
from rag.errors import IndexIncompatible, IndexMissing, RagError
from rag.index.embedding import (
    Embedder,
    default_identity,
    default_token_counts,
    shared_embedder,
)
from rag.index.fingerprint import index_fingerprint
from rag.index.manifest import FileEntry, Manifest
from rag.index.pooled_passages import pooled_passages
from rag.index.progress import ProgressCallback
from rag.index.store import (
    SentenceTable,
    build_lock,
    corpus_words,
    load_build,
    new_build_dir,
    publish,
    read_manifest,
    remove_other_builds,
    write_build,
)
from rag.index.title_context import title_input, with_title
from rag.index.vector_set import VectorSet, needs_compact
from rag.ingest.documents import Document
from rag.ingest.scan import Skipped, load_corpus, scan_corpus
from rag.retrieval.lexical import LexicalIndex, lexical_text
from rag.settings import Settings

# Texts handed to the embedder per call, between progress reports. Large, so the encoder's
# workers (one per core) rarely wait for one another at the end of a call. SciFact sentences
# and titles on two cores, interleaved, medians of five: one batch per core, 490 texts/s in
# calls of 1,024 and 349 in calls of 64; one batch at a time on a two-thread pool, 395 and 342.
# The call size moves int8 vectors a little (a batch's activations share one scale, and the
# batches are formed within a call): an index built before keeps the vectors it has.
EMBED_BATCH = 1024
VECTOR_FIELDS = ("format_version", "model_id", "model_sha256", "encoder_sha256")


@dataclass
class BuildReport:
    """What a build did, for the CLI, the app and the tests."""

    index_path: Path
    documents: int
    chunks: int
    units: int  # texts embedded or reused: sentences, titles, and passages below the pooling size
    embedded: int
    reused: int
    seconds: float
    skipped: list[Skipped] = field(default_factory=list)
    # The size from which passage vectors are pooled (rag.index.pooled_passages), if they were.
    pooled_from: int | None = None
    embedded_docs: list[str] = field(default_factory=list)


def embed_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def cached_vectors(index_dir: Path, settings: Settings,
                   model: dict[str, str] | None) -> dict[str, np.ndarray]:
    """Vectors of the current build, by embedding-input hash, if it used the same model.

    Other settings (chunking, BM25) may differ: the hash covers exactly what was embedded.
    """
    try:
        previous = load_build(index_dir, settings)
    except (IndexMissing, IndexIncompatible, OSError, ValueError, KeyError):
        return {}
    built_with = previous.manifest.fingerprint
    wanted = index_fingerprint(settings, model)
    if any(built_with.get(name) != wanted[name] for name in VECTOR_FIELDS):
        return {}
    return dict(zip(previous.embed_hashes_all, previous.vectors_all, strict=True))


def embed_missing(texts: list[str], hashes: list[str], cache: dict[str, np.ndarray],
                  embedder: Embedder | None, progress: ProgressCallback | None) -> set[int]:
    """Embed the texts whose hash is not cached yet; return the positions embedded.

    The model is loaded only if something needs embedding, so an up-to-date rebuild is quick.
    Each distinct text is embedded once, in order of length: batches of similar length
    waste less work on padding.
    """
    first = {h: i for i, h in reversed(list(enumerate(hashes))) if h not in cache}
    todo = sorted(first.values(), key=lambda i: len(texts[i]))
    if todo and embedder is None:
        embedder = shared_embedder()
    if progress and todo:  # the bar starts before the first batch, so its rate is true
        progress("Embedding passages and sentences", 0, len(todo))
    for done in range(0, len(todo), EMBED_BATCH):
        batch = todo[done:done + EMBED_BATCH]
        for position, vector in zip(batch, embedder.encode([texts[i] for i in batch]),
                                    strict=True):
            cache[hashes[position]] = vector
        if progress:
            progress("Embedding passages and sentences", min(done + EMBED_BATCH, len(todo)),
                     len(todo))
    return set(todo)


def previously_indexed(index_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Each indexed file's document id and hash in the current build (none if there is no
    build yet)."""
    manifest = read_manifest(index_dir)
    files = {relpath: entry for relpath, entry in (manifest.files if manifest else {}).items()
             if entry.doc_id}
    return ({relpath: entry.doc_id for relpath, entry in files.items()},
            {relpath: entry.sha256 for relpath, entry in files.items()})


def build_index(corpus_dir: Path, index_dir: Path, settings: Settings | None = None,
                embedder: Embedder | None = None,
                progress: ProgressCallback | None = None) -> BuildReport:
    """Index every readable document of `corpus_dir` into `index_dir`, atomically."""
    if not corpus_dir.is_dir():
        raise RagError(f"The corpus folder {corpus_dir} does not exist.")
    with build_lock(index_dir):
        files = scan_corpus(corpus_dir)
        documents, skipped = load_corpus(files, *previously_indexed(index_dir))
        if not documents:
            reasons = "; ".join(f"{s.relpath}: {s.reason}" for s in skipped) or "no files"
            raise RagError(f"No document in {corpus_dir} could be indexed ({reasons}). "
                           "The previous index, if any, is unchanged.")
        reasons = {s.relpath: s.reason for s in skipped}
        by_path = {d.source: d for d in documents}
        file_entries = {}
        for f in files:
            doc = by_path.get(f.relpath)
            file_entries[f.relpath] = FileEntry(f.sha256, doc and doc.doc_id,
                                                doc and doc.content_hash, reasons.get(f.relpath))
        report = index_documents(documents, index_dir, settings or Settings(), embedder,
                                 progress, {"corpus_dir": str(corpus_dir.resolve()),
                                            "files": file_entries})
    report.skipped = skipped
    return report


def index_documents(documents: list[Document], index_dir: Path, settings: Settings,
                    embedder: Embedder | None = None, progress: ProgressCallback | None = None,
                    provenance: dict[str, object] | None = None) -> BuildReport:
    """Chunk, embed (what is not cached) and publish `documents` as the new current build.

    The caller holds the build lock; `provenance` (corpus folder, file hashes) goes into the
    manifest so staleness can be checked later.
    """
    began = time.perf_counter()
    current = index_dir / "current"
    remove_other_builds(index_dir, keep=current if current.exists() else None)
    titles = {d.doc_id: d.metadata.title for d in documents}
    by_id = {d.doc_id: d for d in documents}
    chunks: list[Chunk] = [c for d in documents for c in chunk_document(d, settings)]
    rows = np.array([(i, start, end) for i, c in enumerate(chunks)
                     for start, end in chunk_units(c)], dtype=np.int64).reshape(-1, 3)
    plain = [by_id[chunks[i].doc_id].text[a:b] for i, a, b in rows.tolist()]
    # Documents with at least one chunk, each title embedded once (none without context).
    titled = list(dict.fromkeys(c.doc_id for c in chunks)) if settings.embed_with_context else []
    heads = [title_input(titles[doc_id]) for doc_id in titled]
    read = chunks if len(chunks) < settings.pool_passages_from else []
    texts = [embedding_input(c, titles[c.doc_id], settings) for c in read] + plain + heads
    owners = [c.doc_id for c in read] + [chunks[i].doc_id for i in rows[:, 0]] + titled
    hashes = [embed_hash(t) for t in texts]
    model = embedder.identity if embedder is not None else default_identity()
    cache = cached_vectors(index_dir, settings, model)
    embedded = embed_missing(texts, hashes, cache, embedder, progress)
    vectors = np.stack([cache[h] for h in hashes]).astype(np.float32)
    first, second = len(read), len(read) + len(rows)
    answer_vectors, title_vectors = vectors[first:second], vectors[second:]
    count = embedder.token_counts if embedder is not None else default_token_counts
    plain_tokens = count(plain)
    sentence_vectors, chunk_heads = answer_vectors, (None, None)
    if titled:
        head_tokens = count(heads)
        position = {doc_id: k for k, doc_id in enumerate(titled)}
        chunk_title = np.array([position[c.doc_id] for c in chunks], dtype=np.int64)
        row_title = chunk_title[rows[:, 0]]
        sentence_vectors = with_title(title_vectors[row_title], head_tokens[row_title],
                                      answer_vectors, plain_tokens)
        chunk_heads = (title_vectors[chunk_title], head_tokens[chunk_title])
    chunk_vectors = vectors[:first] if read else pooled_passages(
        len(chunks), rows[:, 0], answer_vectors, plain_tokens, *chunk_heads)
    compact = needs_compact(len(rows))
    sentences = SentenceTable(rows, VectorSet.of(sentence_vectors, compact, searchable=True),
                              VectorSet.of(answer_vectors, compact), hashes[first:second])
    lexical = LexicalIndex.build(
        [lexical_text(titles[c.doc_id], c.section, c.text, settings) for c in chunks], settings)
    document_lexical = LexicalIndex.build(
        [lexical_text(d.metadata.title, (), d.text, settings) for d in documents], settings)
    manifest = Manifest(
        fingerprint=index_fingerprint(settings, model), package_version=__version__,
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        dimension=int(vectors.shape[1]), documents=len(documents), chunks=len(chunks),
        sentences=len(rows), **(provenance or {}))
    build = new_build_dir(index_dir)
    try:
        write_build(build, manifest, documents, chunks,
                    VectorSet.of(chunk_vectors, compact), hashes[:first], lexical, sentences,
                    document_lexical, VectorSet.of(title_vectors), hashes[second:],
                    corpus_words(documents, chunks))
        publish(index_dir, build)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return BuildReport(
        index_path=index_dir, documents=len(documents), chunks=len(chunks), units=len(texts),
        embedded=len(embedded), reused=len(texts) - len(embedded),
        seconds=time.perf_counter() - began,
        embedded_docs=sorted({owners[i] for i in embedded}),
        pooled_from=None if read or not chunks else settings.pool_passages_from,
    )
