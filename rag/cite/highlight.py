"""Safe HTML for the browser app: document text escaped, query words and cited spans marked.

Everything a document or a user supplies goes through `html.escape` before it reaches the
page, so markup inside a document (`<script>`, `<img onerror=...>`) shows as text. These
functions only decide what to mark; they never change which passages are shown.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from bm25s.stopwords import STOPWORDS_EN_PLUS

from rag.retrieval.lexical import term_of, tokenize
from rag.settings import Settings

WORD = re.compile(r"\w+", re.UNICODE)
# Words of asking that BM25 searches too (its English stop list holds only 33 words) but that,
# marked in every passage, hid the words that matter: a first-time user saw "how", "have" and
# "what" lit up everywhere. Left unmarked; the search itself is unchanged.
ASKING = frozenset({
    "how", "what", "when", "where", "which", "who", "whom", "whose", "why", "have", "has",
    "had", "do", "does", "did", "can", "could", "would", "should", "shall", "may", "might",
    "must", "about", "many", "much", "been", "were"})
# Nor the other small words of English (bm25s's longer, NLTK-style list): "from", "between"
# and "our" had been marked in every passage too (a QA pass's finding). But "won", a verb
# of its own there only as the stem of "won't". Their stems go too, so a word sharing one
# ("owns", of "own") is not marked either; BM25 still searches them all but its 33.
UNMARKED = ASKING | (frozenset(STOPWORDS_EN_PLUS) - {"won"})


def query_terms(question: str, settings: Settings = Settings()) -> frozenset[str]:
    """The terms BM25 searches the question for ("countries" -> "countri"): the marks show
    exactly what the lexical retriever matched."""
    return frozenset(tokenize([question or ""], settings)[0])


def mark_terms(text: str, question: str, css_class: str = "qt",
               settings: Settings = Settings()) -> str:
    """`text` as escaped HTML, with each word BM25 matched for the question in <mark>, but
    the words of asking and the other small words (`UNMARKED`, by stem): the marks are the
    terms BM25 searches less those."""
    terms = query_terms(question, settings) - {term_of(word, settings) for word in UNMARKED}
    out: list[str] = []
    last = 0
    for match in WORD.finditer(text):
        if term_of(match.group(), settings) in terms:
            out.append(html.escape(text[last:match.start()]))
            out.append(f'<mark class="{css_class}">{html.escape(match.group())}</mark>')
            last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def mark_span(context: str, start: int, end: int, css_class: str = "cited") -> str:
    """`context` as escaped HTML with context[start:end] wrapped in <mark class=cited>.

    Offsets are clamped to the context, so a bad pair can never raise or leak markup.
    """
    start = max(0, min(start, len(context)))
    end = max(start, min(end, len(context)))
    return (html.escape(context[:start])
            + f'<mark class="{css_class}">{html.escape(context[start:end])}</mark>'
            + html.escape(context[end:]))


def safe_url(url: str | None) -> str | None:
    """The URL if it is a plain http(s) link, else None: never a `javascript:` link."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    if any(c in url for c in "\"'<>` \n\r\t"):
        return None
    return url


def link(url: str | None, label: str) -> str:
    """An escaped <a> to a safe URL opening in a new tab, or the escaped label alone."""
    target = safe_url(url)
    if target is None:
        return html.escape(label)
    return (f'<a href="{html.escape(target, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer">{html.escape(label)}</a>')
