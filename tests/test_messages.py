"""The fixed sentences' helpers: numbers shown beside their labels, commands in hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.messages import STALE_INDEX, build_command, confidence_line, shown_probability


def test_a_shown_probability_never_crosses_into_the_next_label() -> None:
    """Rounded to nearest, 0.7995 showed as 0.80 beside "uncertain" (`likely` is 0.8 up)."""
    assert shown_probability(0.7995) == "0.79"
    assert shown_probability(0.8) == "0.80"
    assert shown_probability(0.9983) == "0.99"
    assert shown_probability(0.29) == "0.29"  # 0.29 * 100 is 28.999999999999996
    assert shown_probability(1.0) == "1.00" and shown_probability(0.0) == "0.00"
    line = confidence_line({"confidence": 0.7995, "confidence_label": "uncertain"})
    assert line.startswith("Confidence: 0.79 (uncertain")


def test_the_build_hint_names_the_folders_a_user_chose(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(tmp_path / "corpus"))
    assert build_command() == "rag build"
    assert build_command(tmp_path / "index", tmp_path / "corpus") == "rag build"
    assert build_command(tmp_path / "other") == f"rag build --index {tmp_path / 'other'}"
    assert build_command(None, tmp_path / "my docs") == (
        f"rag build --corpus '{tmp_path / 'my docs'}'")
    assert STALE_INDEX.format(changes="new: a.md", command=build_command(
        tmp_path / "x", tmp_path / "y")).endswith(
        f"Update it with: rag build --corpus {tmp_path / 'y'} --index {tmp_path / 'x'}")
