"""Dense retrieval: cosine similarity of MiniLM embeddings, computed exactly with FAISS."""

from __future__ import annotations

import faiss
import numpy as np


def similarities(index: faiss.Index, query: np.ndarray) -> np.ndarray:
    """The query's cosine to every vector of the index, in index order.

    Fusion normalises each signal over the whole collection, so every score is needed, not
    only the nearest; the flat inner-product index is exact (an approximate one would only
    add error at these sizes).
    """
    scores, ids = index.search(query.reshape(1, -1).astype(np.float32), index.ntotal)
    ordered = np.empty(index.ntotal, dtype=np.float32)
    ordered[ids[0]] = scores[0]
    return ordered
