"""The manifest: one typed reader of what a build holds and what made it."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.engine import Engine
from rag.errors import IndexIncompatible
from rag.index.manifest import FileEntry, Manifest, load_manifest, write_manifest
from rag.index.store import read_manifest


def test_a_manifest_round_trips_and_names_skipped_files(tmp_path: Path) -> None:
    manifest = Manifest(fingerprint={"format_version": 4}, built_at="2026-12-02T15:45:26+00:00",
                        documents=2, chunks=5, sentences=20, dimension=384,
                        files={"a.md": FileEntry("aa", "a", "h"),
                               "b.pdf": FileEntry("bb", skipped="the PDF has no text")})
    write_manifest(tmp_path, manifest)
    again = load_manifest(tmp_path)
    assert again == manifest
    assert again.skipped == {"b.pdf": "the PDF has no text"}
    assert again.built_label == "2026-12-02 15:45:26 UTC"


def test_a_folder_without_a_manifest_is_no_build(tmp_path: Path) -> None:
    assert load_manifest(tmp_path) is None and read_manifest(tmp_path) is None


def test_the_manifest_records_the_embedder_that_made_the_vectors(fake_engine: Engine) -> None:
    assert fake_engine.manifest.fingerprint["model_id"] == fake_engine.embedder.identity["model_id"]


@pytest.mark.slow
def test_an_index_made_by_another_embedder_is_refused(fake_engine: Engine) -> None:
    with pytest.raises(IndexIncompatible) as refused:
        Engine.open(fake_engine.stored.path.parent.parent, fake_engine.corpus_dir)
    assert "model_id" in str(refused.value)
