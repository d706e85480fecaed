"""Helpers for the app tests (imported by tests/web/test_app.py and tests/web/test_browser.py).

Each corpus copy is built once per test process, however many modules ask for it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.index.builder import build_index

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
SHIPPED_CORPUS = ROOT / "corpus"
QUESTION = "Which countries besides the two Koreas and the US must take part in a peace regime?"
HOSTILE_DOC = """---
title: Hostile <script>alert('title')</script> notes
type: Notes
date: 2024-05
url: javascript:alert('url')
---

# Section <img src=x onerror=alert('section')>

Plutonium reprocessing at Yongbyon <script>alert('body')</script> is discussed with
<b>bold</b> markup, *markdown emphasis* and a [link](javascript:alert('md')).
"""

_BUILT: dict[str, tuple[Path, Path]] = {}


def built_copy(factory: pytest.TempPathFactory, name: str = "shipped",
               extra: dict[str, str] | None = None) -> tuple[Path, Path]:
    """(corpus, index): the shipped corpus (plus `extra` files) copied and indexed, once."""
    if name not in _BUILT:
        root = factory.mktemp(f"app-{name}")
        corpus, index = root / "corpus", root / "index"
        shutil.copytree(SHIPPED_CORPUS, corpus)
        for file_name, text in (extra or {}).items():
            (corpus / file_name).write_text(text, encoding="utf-8")
        build_index(corpus, index)
        _BUILT[name] = (corpus, index)
    return _BUILT[name]


def point_app_at(monkeypatch: pytest.MonkeyPatch, corpus: Path, index: Path) -> None:
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("RAG_INDEX_DIR", str(index))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
