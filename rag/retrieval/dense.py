"""Dense retrieval: cosine similarity of normalised MiniLM embeddings, computed exactly.

Fusion normalises each signal over the whole collection, so every score is needed, not only
the nearest: one matrix-vector product over the vectors the flat FAISS index holds (BLAS,
read in place), with no sort of the whole collection as `index.search(q, ntotal)` would do.
"""

from __future__ import annotations

import numpy as np


def similarities(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """The query's cosine to every stored vector, in stored order."""
    return vectors @ query.astype(np.float32)
