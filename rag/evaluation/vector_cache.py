"""Embeddings of benchmark passages kept on disk across builds, keyed by the model's weight
hash and the hash of exactly what the model reads.

A BEIR index is rebuilt whenever any index setting changes (its folder is named by the
settings fingerprint), but most settings (BM25, fusion) do not change what is embedded. This
cache makes such a rebuild take seconds instead of the minutes SciFact needs to embed, and it
is written as it goes, so an interrupted build keeps its work.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from rag.index.builder import embed_hash
from rag.index.embedding import (
    Embedder,
    default_identity,
    default_token_counts,
    shared_embedder,
)

FLUSH_EVERY = 256


class CachingEmbedder:
    """Stands in for the Embedder during a build: only texts never embedded reach the model."""

    def __init__(self, folder: Path, embedder: Embedder | None = None) -> None:
        self.folder = folder
        self._embedder = embedder
        self.vectors: dict[str, np.ndarray] = {}
        self.pending: dict[str, np.ndarray] = {}
        self.reused = 0
        for part in sorted(folder.glob("part-*.npz")) if folder.is_dir() else ():
            try:
                with np.load(part) as saved:
                    self.vectors.update(zip(saved["hashes"].tolist(), saved["vectors"],
                                            strict=True))
            except (OSError, ValueError, KeyError):
                continue  # a damaged part is only lost work

    @classmethod
    def for_model(cls, root: Path) -> CachingEmbedder:
        """The cache of the shipped model's vectors, named by the graph that makes them."""
        return cls(root / "embeddings" / default_identity()["encoder_sha256"][:16])

    @property
    def identity(self) -> dict[str, str]:
        return self._embedder.identity if self._embedder is not None else default_identity()

    @property
    def dimension(self) -> int:
        return self.embedder.dimension

    def encode_query(self, question: str) -> np.ndarray:
        return self.embedder.encode_query(question)

    def token_counts(self, texts: list[str]) -> np.ndarray:
        """Counted without loading the model when every vector is cached."""
        if self._embedder is None:
            return default_token_counts(texts)
        return self._embedder.token_counts(texts)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = shared_embedder()
        return self._embedder

    def encode(self, texts: list[str]) -> np.ndarray:
        hashes = [embed_hash(text) for text in texts]
        todo = [i for i, h in enumerate(hashes) if h not in self.vectors]
        self.reused += len(texts) - len(todo)
        if todo:
            fresh = self.embedder.encode([texts[i] for i in todo])
            for i, vector in zip(todo, fresh, strict=True):
                self.vectors[hashes[i]] = self.pending[hashes[i]] = vector
            if len(self.pending) >= FLUSH_EVERY:
                self.flush()
        return np.stack([self.vectors[h] for h in hashes]).astype(np.float32)

    def flush(self) -> None:
        if not self.pending:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        part = self.folder / f"part-{len(list(self.folder.glob('part-*.npz'))):06d}-{os.getpid()}"
        temporary = part.with_suffix(".tmp.npz")
        np.savez(temporary, hashes=np.array(list(self.pending)),
                 vectors=np.stack(list(self.pending.values())))
        os.replace(temporary, part.with_suffix(".npz"))
        self.pending = {}
