"""Question answering with verifiable citations over a document collection.

The public API is `rag.engine.Engine` (`open`, `search`, `cite`, `rank_documents`); the CLI
(`rag.cli`) and the Streamlit app (`app.py` with `rag.web`) are thin faces over it. The
subpackages are the pipeline's stages, in order: ingest, chunking, index, retrieval, answer,
cite, evaluation.
"""

__version__ = "0.1.0"
