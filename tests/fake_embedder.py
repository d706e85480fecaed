"""A deterministic stand-in for MiniLM, for the fast test tier.

Each stemmed word of a text is hashed into one of 384 buckets (the model's width) with a
sign, the counts are L2-normalised: a hashed bag of words. Texts sharing words are close, texts
sharing none are orthogonal, so ranking, fusion, quotes, abstention and citations all run the
engine's real code paths in milliseconds, without torch. It never replaces the real model in
the slow tier, where every claim about quality is checked.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import Stemmer

WORD = re.compile(r"\w+")
STEM = Stemmer.Stemmer("english")


class HashedBagOfWords:
    """The `Embedder` interface (`dimension`, `identity`, `encode`, `token_counts`,
    `encode_query`)."""

    dimension = 384

    def __init__(self) -> None:
        # An index it built is refused by an engine on the real model, and the other way round.
        self.identity = {"model_id": "hashed bag of words (tests/fake_embedder.py)",
                         "model_sha256": "-", "encoder_sha256": "-"}
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in STEM.stemWords(WORD.findall(text.lower())):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dimension
            vector[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vector(text) for text in texts])

    def token_counts(self, texts: list[str]) -> np.ndarray:
        return np.array([len(WORD.findall(text)) for text in texts], dtype=np.float32)

    def encode_query(self, question: str) -> np.ndarray:
        return self.encode([question])[0]


class RecordingEmbedder(HashedBagOfWords):
    """The fake embedder, keeping every text it is asked to read: what a build reads."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return super().encode(texts)
