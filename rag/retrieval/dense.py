"""Dense retrieval: cosine similarity of MiniLM embeddings, searched exactly with FAISS."""

from __future__ import annotations

import faiss
import numpy as np


def dense_scores(index: faiss.Index, query: np.ndarray, mask: np.ndarray | None,
                 depth: int) -> dict[int, float]:
    """The `depth` best chunk positions (among those `mask` admits) and their cosines.

    The flat inner-product index is exact; at this corpus size an approximate one would
    only add error. A mask becomes a FAISS ID selector, so filtering loses no recall.
    """
    allowed = None if mask is None else np.flatnonzero(mask).astype(np.int64)
    if allowed is not None and allowed.size == 0:
        return {}
    depth = min(depth, index.ntotal if allowed is None else int(allowed.size))
    params = None if allowed is None else faiss.SearchParameters(
        sel=faiss.IDSelectorBatch(allowed))
    scores, ids = index.search(query.reshape(1, -1).astype(np.float32), depth, params=params)
    return {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}
