"""Chunks are exact slices of their document, respect sections, and keep stable keys."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.chunking.passages import chunk_document
from rag.ingest.documents import Document, Metadata, markdown_sections
from rag.ingest.scan import load_corpus, scan_corpus
from rag.settings import Settings
from tests.conftest import SHIPPED_CORPUS

SMALL = Settings(chunk_size=120, chunk_overlap=30)


def document(text: str) -> Document:
    return Document("doc", "doc.md", text, Metadata(title="T"), (), markdown_sections(text))


def assert_exact(doc: Document, settings: Settings) -> None:
    chunks = chunk_document(doc, settings)
    for chunk in chunks:
        assert doc.text[chunk.start:chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text and chunk.text
    assert len({c.key for c in chunks}) == len(chunks)


def test_every_shipped_chunk_is_a_slice_of_its_document() -> None:
    documents, skipped = load_corpus(scan_corpus(SHIPPED_CORPUS))
    assert len(documents) == 4 and not skipped
    for doc in documents:
        for chunker in (Settings(), SMALL):
            assert_exact(doc, chunker)


paragraph = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
markdown = st.lists(st.one_of(paragraph, st.builds(lambda t: f"## {t}", paragraph)),
                    max_size=8).map("\n\n".join)


@settings(max_examples=200, deadline=None)
@given(markdown)
def test_offsets_hold_for_any_text(text: str) -> None:
    assert_exact(document(text), SMALL)


def test_chunks_stay_inside_their_section() -> None:
    text = "Intro line.\n\n## Summary\n\n" + "Alpha beta gamma. " * 20 + "\n\n## Authors\n\nZed."
    doc = document(text)
    chunks = chunk_document(doc, SMALL)
    assert {c.section for c in chunks} == {(), ("Summary",), ("Authors",)}
    assert all("##" not in c.text for c in chunks)
    assert chunks[-1].text == "Zed." and chunks[-1].section == ("Authors",)


def test_keys_survive_edits_elsewhere_and_separate_repeats() -> None:
    first, same = "First paragraph, long enough to fill a chunk. " * 2, "Same words again. " * 5
    before = chunk_document(document(f"{first}\n\n{same}\n\n{same}"), SMALL)
    after = chunk_document(document(f"{'Inserted words. ' * 6}\n\n{first}\n\n{same}\n\n{same}"),
                           SMALL)
    assert len(before) == 3 and before[1].text == before[2].text
    assert [c.key for c in before] == [c.key for c in after][-3:]
    assert len({c.key for c in before}) == 3
