"""Every supported format becomes a Document; every bad file is named, with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.chunking.passages import chunk_document
from rag.cite.lookup import section_label
from rag.errors import IngestError
from rag.ingest.record import RECORD_HEADING
from rag.ingest.scan import Skipped, doc_id_for, load_corpus, load_document, scan_corpus
from rag.settings import Settings
from tests.documents_factory import HTML_PAGE, write_broken_files, write_pdf


def test_markdown_front_matter_becomes_metadata(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("---\ntitle: A Note\ntype: Analysis\ndate: 2024-05-06\nauthors: Jane Roe\n"
                    "---\n\n# Heading\n\nBody text here.\n", encoding="utf-8")
    doc = load_document(path, "note.md")
    assert doc.metadata.title == "A Note"
    assert doc.metadata.date == "2024-05-06"
    assert doc.metadata.authors == ("Jane Roe",)
    assert doc.text.startswith("# Heading")
    assert [s[0] for s in doc.sections] == [("Heading",), ("About this document",)]


def test_the_catalogue_record_is_a_section_of_its_own_after_the_text(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    body = "# Heading\n\nBody text here."
    path.write_text("---\ntitle: A Note\ntype: Analysis\ndate: 2024-05-06\nauthors: [Jane Roe, "
                    f"Rick Doe]\nsupporter: A Fund\n---\n\n{body}\n", encoding="utf-8")
    doc = load_document(path, "note.md")
    assert doc.text.startswith(body)  # the body's offsets are unchanged
    path_, start, end = doc.sections[-1]
    assert path_ == ("About this document",)
    assert doc.text[start:end].strip() == (
        "Title: A Note\nType: Analysis\nAuthors: Jane Roe, Rick Doe\n"
        "Published: May 6, 2024\nSupported by: A Fund")


def test_plain_text_without_front_matter_gets_a_title(tmp_path: Path) -> None:
    path = tmp_path / "field_notes.txt"
    path.write_text("Just some words.\r\nAnother line.", encoding="utf-8")
    doc = load_document(path, "field_notes.txt")
    assert doc.metadata.title == "Field notes"
    assert "\r" not in doc.text


def test_html_keeps_main_text_only(tmp_path: Path) -> None:
    path = tmp_path / "trade.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    doc = load_document(path, "trade.html")
    assert "joint industrial zone" in doc.text.replace("\n", " ")
    for boilerplate in ("SECRET-SCRIPT-TEXT", "NAVIGATION-MENU-ITEM", "color: red"):
        assert boilerplate not in doc.text
    assert doc.metadata.title == "Inter-Korean Trade"
    assert ("Inter-Korean Trade", "Outlook") in [s[0] for s in doc.sections]
    labels = {section_label(c, doc.metadata.title) for c in chunk_document(doc, Settings())}
    assert "Outlook" in labels, "the page title is not repeated as the first heading"


def test_pdf_keeps_page_numbers(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "r.pdf", ["First page about armistice.", "Second page on trade."],
                     title="Two Pages")
    doc = load_document(path, "r.pdf")
    assert doc.metadata.title == "Two Pages"
    second = doc.text.index("Second page")
    assert doc.page_at(second) == 2
    assert doc.page_at(doc.text.index("First page")) == 1
    assert [p.label for p in doc.pages] == ["1", "2"]


def test_a_pdfs_catalogue_record_is_a_section_of_its_own_on_no_page(tmp_path: Path) -> None:
    """A first-time user's PDF had its record merged into the last page's passage and cited
    as "p. 4", though the PDF holds no such lines."""
    path = write_pdf(tmp_path / "r.pdf", ["First page about armistice.", "Second page on trade."],
                     title="Two Pages")
    doc = load_document(path, "r.pdf")
    (body, start, end), (record, record_start, record_end) = doc.sections
    assert body == () and doc.text[start:end].rstrip().endswith("Second page on trade.")
    assert record == (RECORD_HEADING,)
    assert doc.text[record_start:record_end].startswith("Title: Two Pages")
    assert doc.page_at(record_start) is None and doc.page_at(len(doc.text) - 1) is None
    between = doc.pages[0].end  # the blank line between the pages: the page before
    assert doc.page_at(between) == 1 and doc.page_at(doc.pages[1].end - 1) == 2
    chunks = chunk_document(doc, Settings())
    assert [c.section for c in chunks][-1] == (RECORD_HEADING,) and chunks[-1].page is None
    assert all("Title:" not in c.text for c in chunks[:-1])


def test_a_pdf_quoting_the_record_heading_keeps_it_in_its_body(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "r.pdf", [f"Notes.\n\n# {RECORD_HEADING}\n\nOur own words."],
                     title="Quoting")
    doc = load_document(path, "r.pdf")
    (_, start, end), (_, record_start, _) = doc.sections
    assert "Our own words." in doc.text[start:end]
    assert doc.text[record_start:].startswith("Title: Quoting")


def test_pdf_pages_carry_their_printed_labels(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "r.pdf", ["Title page.", "Preface.", "Chapter on the armistice.",
                                          "Chapter on trade."], numbering={0: "r", 2: "D"})
    doc = load_document(path, "r.pdf")
    assert [p.label for p in doc.pages] == ["i", "ii", "1", "2"]
    armistice = doc.text.index("armistice")
    assert doc.page_at(armistice) == 3, "the physical page, for a viewer to open"
    assert doc.page_label(doc.page_at(armistice)) == "1"
    assert doc.page_label(2, 3) == "ii\u20131"
    assert doc.page_label(None) is None and doc.page_label(9) is None


def test_sidecar_metadata_wins(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "r.pdf", ["Text."], title="Embedded title")
    (tmp_path / "r.pdf.meta.yaml").write_text("title: Real Title\ndate: 2020-02\n",
                                              encoding="utf-8")
    doc = load_document(path, "r.pdf")
    assert (doc.metadata.title, doc.metadata.date) == ("Real Title", "2020-02")
    assert [f.relpath for f in scan_corpus(tmp_path)] == ["r.pdf"]


def test_a_pdfs_file_date_is_marked_as_such_until_a_sidecar_gives_one(tmp_path: Path) -> None:
    """A PDF's properties date the file (for one generated here, today): its record had
    shown that day as "Published", unmarked, and a user would cite it as the publication."""
    path = write_pdf(tmp_path / "r.pdf", ["Text."], title="Embedded title")
    made = load_document(path, "r.pdf")
    line = next(x for x in made.text.splitlines() if x.startswith("Published: "))
    assert line.endswith(" (the day the PDF file was made)") and made.metadata.date
    (tmp_path / "r.pdf.meta.yaml").write_text("isbn: 123\n", encoding="utf-8")
    assert "(the day the PDF file was made)" in load_document(path, "r.pdf").text
    (tmp_path / "r.pdf.meta.yaml").write_text("date: 2020-02\nisbn: 123\n", encoding="utf-8")
    given = load_document(path, "r.pdf")
    assert "Published: February 2020\n" in given.text and "PDF file was made" not in given.text
    assert dict(given.metadata.extra) == {"isbn": "123"}


def test_each_broken_file_is_named_and_the_rest_load(tmp_path: Path) -> None:
    expected = write_broken_files(tmp_path)
    (tmp_path / "good.md").write_text("A good document about peace.", encoding="utf-8")
    documents, skipped = load_corpus(scan_corpus(tmp_path))
    assert [d.source for d in documents] == ["good.md"]
    reasons = {s.relpath: s.reason for s in skipped}
    assert set(reasons) == set(expected)
    for name, word in expected.items():
        assert word.lower() in reasons[name].lower(), (name, reasons[name])


@pytest.mark.parametrize("name", ["x.md", "x.pdf"])
def test_load_document_raises_ingest_error(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"   \n")
    with pytest.raises(IngestError):
        load_document(tmp_path / name, name)


def test_doc_ids_are_key_safe() -> None:
    assert doc_id_for("Reports/Full Report (2020).PDF") == "reports-full-report-2020"
    assert doc_id_for("../../etc/passwd") == "etc-passwd"


def test_a_file_keeps_its_id_when_a_namesake_of_another_type_arrives(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("Plain notes on the armistice.", encoding="utf-8")
    first, _ = load_corpus(scan_corpus(tmp_path))
    assert [d.doc_id for d in first] == ["notes"]
    (tmp_path / "notes.md").write_text("Markdown notes on trade.", encoding="utf-8")
    fresh, _ = load_corpus(scan_corpus(tmp_path))
    assert {d.source: d.doc_id for d in fresh} == {"notes.md": "notes", "notes.txt": "notes-txt"}
    kept, _ = load_corpus(scan_corpus(tmp_path), previous_ids={"notes.txt": "notes"})
    assert {d.source: d.doc_id for d in kept} == {"notes.md": "notes-md", "notes.txt": "notes"}


def test_a_copy_of_another_file_is_skipped_and_the_indexed_copy_kept(tmp_path: Path) -> None:
    """A file copied into a subfolder had been indexed twice, each passage shown twice."""
    text = "The lighthouse keeper logs every ship that enters the harbour."
    (tmp_path / "lighthouse.txt").write_text(text, encoding="utf-8")
    (tmp_path / "harbour").mkdir()
    (tmp_path / "harbour" / "copy.txt").write_text(text, encoding="utf-8")
    documents, skipped = load_corpus(scan_corpus(tmp_path))
    assert [d.source for d in documents] == ["lighthouse.txt"]  # the shallowest
    assert skipped == [Skipped("harbour/copy.txt", "a copy of lighthouse.txt; only that one "
                               "is read")]
    # the copy the last build indexed stays, so its citation keys hold
    documents, skipped = load_corpus(scan_corpus(tmp_path),
                                     previous_ids={"harbour/copy.txt": "harbour-copy"})
    assert [d.doc_id for d in documents] == ["harbour-copy"]
    assert [s.relpath for s in skipped] == ["lighthouse.txt"]


def test_a_twin_that_cannot_be_read_does_not_push_out_the_one_that_can(tmp_path: Path) -> None:
    """A backup "a.bak" sorting before "a.md" had had "a.md" skipped as its copy, and the
    document dropped from the index."""
    text = "---\ntitle: Notes\n---\n\nThe Kaesong Industrial Complex employed workers.\n"
    for name in ("a.bak", "a.md"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    documents, skipped = load_corpus(scan_corpus(tmp_path))
    assert [d.source for d in documents] == ["a.md"]
    assert [s.relpath for s in skipped] == ["a.bak"]
    assert skipped[0].reason.startswith("unsupported file type '.bak'")
