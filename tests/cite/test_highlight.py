"""Marking query words and cited spans: escaped, exact, never executable."""

import re

from rag.cite.highlight import link, mark_span, mark_terms, query_terms, safe_url
from rag.retrieval.lexical import tokenize
from rag.settings import Settings


def test_marks_words_sharing_a_stem_with_the_question():
    out = mark_terms("The countries of the Peninsula: China, Russia.", "Which country in Russia?")
    assert '<mark class="qt">countries</mark>' in out
    assert '<mark class="qt">Russia</mark>' in out
    assert "<mark class=\"qt\">The</mark>" not in out and "Which" not in out


def test_the_marked_terms_are_the_terms_bm25_searches():
    question = "Which of the countries must take part?"
    assert query_terms(question) == set(tokenize([question], Settings())[0])
    assert query_terms(question) == query_terms("which countries must take part")
    out = mark_terms("Of the countries, which take part? The parts.", question)
    marked = re.findall(r'<mark class="qt">([^<]+)</mark>', out)
    assert marked == ["countries", "take", "part", "parts"]  # not "which": a word of asking


def test_small_words_are_not_marked():
    """"from", "between" and "our" had lit up in every passage."""
    out = mark_terms("Talks between the two Koreas from 2018 on: our peace and what was won.",
                     "What happened between our Koreas from 2018, and who won?")
    marked = re.findall(r'<mark class="qt">([^<]+)</mark>', out)
    assert marked == ["Koreas", "2018", "won"]


def test_document_markup_is_escaped():
    out = mark_terms("<script>alert('peace')</script> & <b>peace</b>", "peace")
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out
    assert out.count('<mark class="qt">peace</mark>') == 2


def test_question_markup_cannot_inject():
    out = mark_terms("a script tag", '<script>alert(1)</script> "onerror=x"')
    assert "<script" not in out and 'mark class="qt">script</mark>' in out


def test_text_round_trips_when_unescaped():
    import html

    text = "Ünïcode — text with 1953 & “quotes” <tags>\n\nand paragraphs."
    out = mark_terms(text, "1953 quotes paragraphs")
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", out)) == text


def test_mark_span_marks_exactly_the_span():
    context = "before <i>cited</i> after"
    out = mark_span(context, 7, 19)
    assert out == 'before <mark class="cited">&lt;i&gt;cited&lt;/i&gt;</mark> after'


def test_mark_span_clamps_bad_offsets():
    assert mark_span("abc", -5, 99) == '<mark class="cited">abc</mark>'
    assert mark_span("abc", 2, 1) == 'ab<mark class="cited"></mark>c'


def test_safe_url_allows_http_only():
    assert safe_url("https://www.usip.org/x?a=1") == "https://www.usip.org/x?a=1"
    for bad in ("javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd",
                "https://x.org/\"onmouseover=1", "", None, "//x.org"):
        assert safe_url(bad) is None


def test_link_escapes_label_and_drops_unsafe_targets():
    assert link("javascript:alert(1)", "<b>t</b>") == "&lt;b&gt;t&lt;/b&gt;"
    assert link("https://a.org", "T & U").endswith(">T &amp; U</a>")
    assert 'rel="noopener noreferrer"' in link("https://a.org", "x")
