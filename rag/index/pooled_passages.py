"""A passage's vector from its sentences' and its title's, without the model reading the passage.

The model mean-pools its token embeddings, so a passage read after its title is close to the
token-weighted mean of its title's vector and its sentences' vectors, which a build makes
anyway (rag.index.title_context mixes the same two for each sentence). Reading every passage
as well nearly doubles what a build reads (SciFact: 1.90 M of 3.8 M tokens), and the model's
forward pass is 97 % of a build. So from `Settings.pool_passages_from` passages on, passage
vectors are pooled: full SciFact builds in 374 s against the naive pipeline's 546 s in one run
(706 s against 497 s when passages were read), for nDCG@10 0.7544 instead of 0.7568 on train.
Below that size passages are still read: forced there, pooling moves Recall@1 by a question or
two either way (docs/speed.md has every figure).
"""

from __future__ import annotations

import numpy as np

PASSAGES_PER_BLOCK = 8_192  # weighted a block at a time: a bounded copy, whatever the size


def pooled_passages(passages: int, owner: np.ndarray, sentence_vectors: np.ndarray,
                    sentence_tokens: np.ndarray, title_vectors: np.ndarray | None = None,
                    title_tokens: np.ndarray | None = None) -> np.ndarray:
    """Row p: the unit vector of passage p's sentences (`owner[i]` is sentence i's passage,
    sorted, every passage with at least one sentence, as a build's rows are) and, when given,
    its title (row p of `title_vectors`), each weighted by its token count.

    Tokens, not a flat mean, because mean pooling gives a long sentence more say than a short
    one; the title's weight is its tokens too (0.5 or 2 times them changed no dev question)."""
    owner = np.asarray(owner, dtype=np.int64)
    counts = np.bincount(owner, minlength=passages)
    if len(counts) != passages or not counts.all() or np.any(np.diff(owner) < 0):
        raise ValueError("sentences must be sorted by passage, every passage with one or more")
    starts = np.concatenate([[0], np.cumsum(counts)])
    mixed = np.empty((passages, sentence_vectors.shape[1]), dtype=np.float32)
    for first in range(0, passages, PASSAGES_PER_BLOCK):
        last = min(first + PASSAGES_PER_BLOCK, passages)
        begin, end = starts[first], starts[last]
        weighted = sentence_tokens[begin:end, None] * sentence_vectors[begin:end]
        mixed[first:last] = np.add.reduceat(weighted, starts[first:last] - begin, axis=0)
    if title_vectors is not None and title_tokens is not None:
        mixed += title_tokens[:, None] * title_vectors
    norms = np.linalg.norm(mixed, axis=1, keepdims=True)
    return mixed / np.maximum(norms, 1e-12)
