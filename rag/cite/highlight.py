"""Safe HTML for the browser app: document text escaped, query words and cited spans marked.

Everything a document or a user supplies goes through `html.escape` before it reaches the
page, so markup inside a document (`<script>`, `<img onerror=...>`) shows as text. These
functions only decide what to mark; they never change which passages are shown.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import urlsplit

WORD = re.compile(r"\w+", re.UNICODE)
# Words too common to be worth marking in a passage.
_STOPWORD_TEXT = """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves must besides also may
might shall than s t d ll m o re ve y
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer, already a dependency of the engine

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    return _stemmer().stemWord(word.casefold())


def query_terms(question: str) -> frozenset[str]:
    """The stems of the question's content words ("countries" -> "countri")."""
    words = (w for w in WORD.findall(question or "") if w.casefold() not in STOPWORDS)
    return frozenset(stem(w) for w in words if len(w) > 1 or w.isdigit())


def mark_terms(text: str, question: str, css_class: str = "qt") -> str:
    """`text` as escaped HTML, with each word sharing a stem with a question word in <mark>."""
    terms = query_terms(question)
    out: list[str] = []
    last = 0
    for match in WORD.finditer(text):
        if stem(match.group()) in terms and match.group().casefold() not in STOPWORDS:
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
