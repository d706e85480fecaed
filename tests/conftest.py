"""Shared fixtures: the shipped corpus indexed once per session, and no network, ever.

The socket guard makes any attempt to open a non-loopback connection fail loudly, so a
test that passes here proves the path works offline.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from rag.engine import Engine
from rag.index.builder import build_index
from rag.settings import RETRIEVAL_ONLY
from tests.fake_embedder import HashedBagOfWords

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = ROOT / "corpus"
LOOPBACK = ("127.", "::1", "localhost")


class NetworkBlocked(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection that leaves the machine (loopback stays open for app tests)."""
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family == socket.AF_UNIX or str(host).startswith(LOOPBACK):
            return real_connect(self, address)
        raise NetworkBlocked(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", blocked_lookup(socket.getaddrinfo))


def blocked_lookup(real_lookup):  # type: ignore[no-untyped-def]
    def lookup(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host is None or str(host).startswith(LOOPBACK):
            return real_lookup(host, *args, **kwargs)
        raise NetworkBlocked(f"name lookup attempted: {host!r}")

    return lookup


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus, built once into a temporary index folder."""
    index_dir = tmp_path_factory.mktemp("shipped-index")
    build_index(SHIPPED_CORPUS, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def engine(shipped_index: Path) -> Engine:
    """Retrieval and the similarity rules on the real model (the reader's own tests ask for it)."""
    return Engine.open(shipped_index, SHIPPED_CORPUS, query=RETRIEVAL_ONLY)


@pytest.fixture(scope="session")
def fake_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The shipped corpus indexed with the hashed bag-of-words embedder: the fast tier's engine,
    on the real chunker, BM25, FAISS, fusion and answer code, in well under a second."""
    index_dir = tmp_path_factory.mktemp("fake-index")
    embedder = HashedBagOfWords()
    build_index(SHIPPED_CORPUS, index_dir, embedder=embedder)
    return Engine.open(index_dir, SHIPPED_CORPUS, embedder=embedder, query=RETRIEVAL_ONLY)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, target)
    return target
