"""Adding a file to the corpus: checked, then copied in whole or not at all."""

from __future__ import annotations

from pathlib import Path

from rag.ingest.corpus_admin import add_document


def test_a_broken_file_whose_twin_is_in_the_corpus_is_refused_as_broken(
        tmp_path: Path) -> None:
    """A broken PDF copied into the corpus by hand had made its twin's refusal say only "the
    same file is already in the corpus", as if it were indexed."""
    (tmp_path / "broken.pdf").write_bytes(b"not a pdf at all")
    outcome = add_document(tmp_path, "broken2.pdf", b"not a pdf at all")
    assert not outcome.added and outcome.message.startswith("unreadable PDF")
    assert outcome.message.endswith("the same file is in the corpus as broken.pdf, which no "
                                    "build can index either")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.pdf"]


def test_a_readable_twin_is_refused_as_a_copy(tmp_path: Path) -> None:
    text = b"---\ntitle: Notes\n---\n\nThe Kaesong Industrial Complex employed workers.\n"
    (tmp_path / "notes.md").write_bytes(text)
    outcome = add_document(tmp_path, "notes-again.md", text)
    assert not outcome.added
    assert outcome.message == "the same file is already in the corpus as notes.md"
    assert add_document(tmp_path, "other.md", text.replace(b"Notes", b"Other")).added


def test_a_file_whose_only_twin_a_build_cannot_read_is_added(tmp_path: Path) -> None:
    """As a build reads "a.md" beside the same bytes in "a.bak", adding it is no copy (a
    review found it refused as one)."""
    text = b"---\ntitle: Notes\n---\n\nThe Kaesong Industrial Complex employed workers.\n"
    (tmp_path / "a.bak").write_bytes(text)
    assert add_document(tmp_path, "a.md", text).added
