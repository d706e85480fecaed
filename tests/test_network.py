"""No step opens a network connection: build, search and cite run with sockets blocked."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from rag.engine import Engine
from rag.index.builder import build_index
from rag.index.embedding import OnnxEmbedder, exported_model
from tests.conftest import NetworkBlocked


def test_the_guard_itself_blocks_outside_connections() -> None:
    with socket.socket() as probe, pytest.raises(NetworkBlocked):
        probe.connect(("192.0.2.1", 80))
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("huggingface.co", 443)


@pytest.mark.slow
def test_export_build_search_and_cite_with_the_network_blocked(
        corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "cache"))
    exported_model.cache_clear()  # export the model again, into the empty cache, inside the guard
    try:
        embedder = OnnxEmbedder()
    finally:
        exported_model.cache_clear()
    assert embedder.files.fp32.is_relative_to(tmp_path / "cache")
    build_index(corpus_copy, tmp_path / "index", embedder=embedder)
    engine = Engine.open(tmp_path / "index", corpus_copy, embedder=embedder)
    passage = engine.search("What is a peace regime?").passages[0]
    assert engine.cite(passage.key).text == passage.text
