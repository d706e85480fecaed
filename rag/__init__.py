"""Question answering with verifiable citations over a document collection.

The public API is `rag.engine.Engine` (and the shortcuts below); the CLI (`rag`) and the
Streamlit app are thin faces over it.
"""

__version__ = "0.1.0"
