"""Small real files of every supported kind (and broken ones), written on demand."""

from __future__ import annotations

import json
from pathlib import Path

from fpdf import FPDF

HTML_PAGE = """<!doctype html><html><head><title>Inter-Korean Trade</title>
<meta name="author" content="Ada Writer"><style>body { color: red }</style>
<script>window.stolen = "SECRET-SCRIPT-TEXT";</script></head>
<body><nav><a href="/">Home</a> | <a href="/menu">NAVIGATION-MENU-ITEM</a></nav>
<article><h1>Inter-Korean Trade</h1>
<p>Trade across the demilitarized zone grew briefly in the 2000s through the joint industrial
zone, where southern firms employed northern workers under a special arrangement.</p>
<h2>Outlook</h2>
<p>Renewed commerce would depend on sanctions relief and on security guarantees that both
governments consider credible over the long run.</p></article>
<footer>FOOTER-BOILERPLATE copyright notice</footer></body></html>"""


def write_pdf(path: Path, pages: list[str], title: str | None = None,
              numbering: dict[int, str] | None = None) -> Path:
    """A real PDF with one text page per entry (an empty entry makes a blank page).

    `numbering` maps a 0-based page to the label style that starts there ("r" lower-case
    roman, "D" decimal), each range counting from 1, as a report's front matter does."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    if title:
        pdf.set_title(title)
    for number, text in enumerate(pages):
        pdf.add_page()
        if numbering and number in numbering:
            pdf.set_page_label(numbering[number], None, 1)
        if text:
            pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def write_broken_files(folder: Path) -> dict[str, str]:
    """One file of each kind of bad input, and the word its skip reason must contain."""
    (folder / "empty.md").write_text("", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Caf\xe9 de la paix, \xe0 S\xe9oul".encode("latin-1"))
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n this is not really a pdf \x00\x01")
    write_pdf(folder / "scanned.pdf", ["", ""])
    (folder / "slides.pptx").write_bytes(b"PK\x03\x04 not supported")
    return {"empty.md": "empty", "latin1.txt": "UTF-8", "corrupt.pdf": "PDF",
            "scanned.pdf": "text layer", "slides.pptx": "unsupported"}


# A six-document BEIR folder: small enough to build in seconds with the real model.
TINY_DOCS = [
    ("d1", "Penguins", "Emperor penguins breed in the Antarctic winter and huddle for warmth."),
    ("d2", "Volcanoes", "Basaltic lava flows from shield volcanoes such as Mauna Loa in Hawaii."),
    ("d3", "Bread", "Sourdough bread rises because wild yeast and lactobacilli ferment dough."),
    ("d4", "Penguin diet", "Penguins eat krill, squid and small fish caught while diving."),
    ("d5", "Tides", "Ocean tides are caused mainly by the gravitational pull of the Moon."),
    ("d6", "Coffee", "Coffee beans are the roasted seeds of the Coffea plant's cherries."),
]
TINY_QUERIES = [("q1", "What do penguins eat?"), ("q2", "Why does sourdough rise?"),
                ("q3", "What causes tides in the ocean?")]
TINY_QRELS = [("q1", "d4", 1), ("q1", "d1", 1), ("q2", "d3", 1), ("q3", "d5", 2)]


def tiny_beir(folder: Path) -> Path:
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("".join(
        json.dumps({"_id": i, "title": t, "text": x}) + "\n" for i, t, x in TINY_DOCS))
    (folder / "queries.jsonl").write_text("".join(
        json.dumps({"_id": i, "text": x}) + "\n" for i, x in TINY_QUERIES))
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(
        f"{q}\t{d}\t{s}\n" for q, d, s in TINY_QRELS))
    return folder
