"""A BEIR corpus's own index, cached out of the shipped index and reused while it matches.

The cache folder is `<project root>/.rag-cache/beir/<corpus sha256[:12]>-<settings fingerprint>/`
(`$RAG_CACHE_DIR` replaces `<project root>/.rag-cache`), so a changed corpus file, model or
index setting gets a fresh index and an unchanged one is reused. Passage embeddings are kept
apart, in `<cache>/embeddings/<model weights hash>/`, so a new index for other settings embeds
only passages whose embedding input changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rag.evaluation.vector_cache import CachingEmbedder
from rag.index.builder import index_documents
from rag.index.fingerprint import fingerprint_name
from rag.index.progress import stderr_progress
from rag.index.store import build_lock, read_manifest
from rag.ingest.beir import BeirData
from rag.settings import Settings, cache_root


@dataclass(frozen=True)
class CachedIndex:
    index_dir: Path
    built: bool  # False when an existing build was reused
    seconds: float = 0.0
    embedded: int = 0  # texts the model read (or the vector cache gave) for this build


def beir_index_dir(data: BeirData, settings: Settings | None = None) -> Path:
    name = f"{data.corpus_sha256[:12]}-{fingerprint_name(settings or Settings())}"
    return cache_root() / "beir" / name


def is_built(index_dir: Path, data: BeirData) -> bool:
    manifest = read_manifest(index_dir)
    return (manifest is not None and manifest.beir is not None
            and manifest.beir.get("corpus_sha256") == data.corpus_sha256)


def ensure_beir_index(data: BeirData, source: Path, settings: Settings | None = None,
                      progress: bool = True) -> CachedIndex:
    """The cached index for this corpus and these settings, built (under the lock) if absent."""
    settings = settings or Settings()
    index_dir = beir_index_dir(data, settings)
    if is_built(index_dir, data):
        return CachedIndex(index_dir, built=False)
    with build_lock(index_dir):
        if is_built(index_dir, data):  # another process finished it while we waited
            return CachedIndex(index_dir, built=False)
        vectors = CachingEmbedder.for_model(cache_root())
        try:
            report = index_documents(
                data.documents, index_dir, settings, embedder=vectors,
                progress=stderr_progress("passage") if progress else None,
                provenance={"corpus_dir": str(source.resolve()),
                            "beir": {"folder": str(source.resolve()),
                                     "corpus_sha256": data.corpus_sha256,
                                     "documents": len(data.documents)}})
        finally:
            vectors.flush()
    return CachedIndex(index_dir, built=True, seconds=report.seconds, embedded=report.embedded)
