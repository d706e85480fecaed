"""The corpus panel's words for an upload's outcome."""

from __future__ import annotations

from rag.web.corpus_panel import upload_lines


def test_a_refusal_line_does_not_say_the_corpus_is_unchanged() -> None:
    """Beside an added file, each refusal had ended "The corpus is unchanged"; with none
    added, each refusal repeated it (the panel says it once, tests/web/test_browser.py)."""
    mixed = upload_lines([("quay.htm", True, "added as quay.htm"),
                          ("broken.pdf", False, "unreadable PDF")])
    assert mixed == [(True, "quay.htm: added as quay.htm"),
                     (False, "Refused broken.pdf: unreadable PDF.")]
    (refused,) = upload_lines([("broken.pdf", False, "unreadable PDF")])
    assert refused == (False, "Refused broken.pdf: unreadable PDF.")
