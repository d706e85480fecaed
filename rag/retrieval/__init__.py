"""Stage 4, retrieval: a question (cleaned by `question`, narrowed by `filters`) in, scores per
passage out: `dense` (MiniLM + FAISS), `lexical` (BM25), fused by `fusion`.

A new retriever is a module here that scores passages; the engine ranks and cites them.
"""
