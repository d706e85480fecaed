"""`md_text`: a string from a document or a user renders as exactly its characters.

Checked by rendering with markdown-it-py (CommonMark, the grammar Streamlit's renderer follows),
so the test reads what a browser would be given, not the escaping itself.
"""

from __future__ import annotations

import html

import pytest
from markdown_it import MarkdownIt

from rag.web.markdown import md_text

RENDER = MarkdownIt("commonmark").enable("strikethrough").enable("table")

HOSTILE = [
    "**bold** [lnk](http://127.0.0.1:8639/fromname) ![im](http://127.0.0.1:8639/fromname.png).md",
    "![x](http://127.0.0.1:9/p.png)",
    "<img src=http://127.0.0.1:9/p.png>",
    "[click](javascript:alert(1))",
    "# heading",
    "- item",
    "1. item",
    "| a | b |",
    "`code` ~~gone~~ _em_ \\ back",
    "<http://127.0.0.1:9/auto>",
    "AT&T &amp; friends",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_as_its_own_characters(text: str) -> None:
    rendered = RENDER.render(md_text(text)).strip()
    assert rendered.startswith("<p>") and rendered.endswith("</p>")
    inner = rendered.removeprefix("<p>").removesuffix("</p>")
    assert "<" not in inner.replace("&lt;", ""), rendered  # no tag: no image, link or code
    assert html.unescape(inner) == text


def test_unescaped_text_would_have_made_an_image() -> None:
    """The control: without md_text the same string is an image the browser would fetch."""
    assert "<img" in RENDER.render(HOSTILE[1])


def test_newlines_cannot_start_a_block() -> None:
    rendered = RENDER.render("Not indexed: " + md_text("a.md\n# big\n- list"))
    assert "<h1>" not in rendered and "<li>" not in rendered
