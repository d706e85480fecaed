"""Chicago and BibTeX references from document metadata."""

from __future__ import annotations

from rag.cite.references import bibtex, chicago, human_date, page_mention
from rag.ingest.documents import Metadata

REPORT = Metadata(title="A Peace Regime for the Korean Peninsula", type="Report",
                  publisher="United States Institute of Peace", date="2020-02",
                  authors=("Frank Aum", "Jacob Stokes", "Joseph Y. Yun"),
                  url="https://www.usip.org/x", series="Peaceworks No. 157")
TEASER = Metadata(title="The Current Situation in North Korea", type="Fact Sheet",
                  publisher="United States Institute of Peace", date="2025-02-13")


def test_chicago_report_lists_authors_first_inverted() -> None:
    assert chicago(REPORT) == (
        "Aum, Frank, Jacob Stokes, and Joseph Y. Yun. A Peace Regime for the Korean Peninsula. "
        "Peaceworks No. 157. United States Institute of Peace, February 2020. "
        "https://www.usip.org/x.")


def test_chicago_without_author_starts_with_the_quoted_title() -> None:
    assert chicago(TEASER) == ("“The Current Situation in North Korea.” Fact Sheet. "
                               "United States Institute of Peace, February 13, 2025.")


def test_chicago_abbreviates_more_than_ten_authors() -> None:
    many = Metadata(title="T", authors=tuple(f"Given{i} Family{i}" for i in range(11)))
    assert chicago(many).startswith("Family0, Given0, Given1 Family1")
    assert "et al." in chicago(many) and "Given7 Family7" not in chicago(many)


def test_bibtex_entries() -> None:
    entry = bibtex(REPORT)
    assert entry.startswith("@techreport{aum2020peace,\n")
    assert "author = {Aum, Frank and Stokes, Jacob and Yun, Joseph Y.}" in entry
    assert "month = feb" in entry and entry.endswith("\n}")
    assert bibtex(TEASER).startswith("@misc{current2025,")  # no author: never a digit first
    assert bibtex(Metadata(title="R&D 100% {x}")).count("\\&") == 1


def test_human_dates() -> None:
    assert [human_date(d) for d in ("2020", "2020-02", "2025-02-13")] == [
        "2020", "February 2020", "February 13, 2025"]


def test_page_mentions() -> None:
    assert [page_mention(label) for label in ("7", "iv", "3\u20134", None)] == [
        "p. 7", "p. iv", "pp. 3\u20134", None]
