"""What the app loads once per server process: the index in memory and the model, warmed up.

Streamlit's caches hold them across sessions, so a page load or a rerun never reloads either.
"""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from rag.engine import Engine
from rag.errors import RagError
from rag.index.embedding import shared_embedder
from rag.index.fingerprint import Freshness
from rag.index.store import current_build
from rag.settings import default_corpus_dir, default_index_dir


@st.cache_resource(show_spinner=False, max_entries=4)
def open_engine(index_dir: str, corpus_dir: str, build: str | None) -> Engine:
    """The index in memory. `build` (the current build's folder) is part of the cache key,
    so a rebuild, from this app or from `rag build`, is picked up on the next run."""
    return Engine.open(Path(index_dir), Path(corpus_dir))


@st.cache_resource(show_spinner=False)
def model_warmup() -> threading.Thread:
    """Load the embedding model in the background as soon as the first page opens."""
    thread = threading.Thread(target=shared_embedder, name="rag-model-warmup", daemon=True)
    thread.start()
    return thread


def wait_for_model() -> None:
    warmup = model_warmup()
    if warmup.is_alive():
        with st.spinner("Loading the language model (once per server start)…"):
            warmup.join()


@st.cache_data(ttl=15, show_spinner=False, max_entries=8)
def index_freshness(index_dir: str, corpus_dir: str, build: str | None) -> Freshness:
    return open_engine(index_dir, corpus_dir, build).freshness()


def locations() -> tuple[Path, Path, str | None]:
    index_dir, corpus_dir = default_index_dir(), default_corpus_dir()
    build = current_build(index_dir)
    return index_dir, corpus_dir, str(build) if build else None


def load_engine() -> tuple[Engine | None, str | None]:
    index_dir, corpus_dir, build = locations()
    try:
        return open_engine(str(index_dir), str(corpus_dir), build), None
    except RagError as err:
        return None, str(err)

