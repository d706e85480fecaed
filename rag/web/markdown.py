"""Text the app did not write, made inert inside the Markdown that `st.*` calls render.

File names, titles, authors, sections, URLs, notes and error messages come from documents and
users. Rendered as Markdown, `![x](http://host/p.png)` would make the browser fetch that address
(a tracking pixel, and a network call from a tool that promises none), and `[a](javascript:…)`
would be a link. Every such string goes through `md_text` before it meets an `st.*` call, so it
shows exactly as written; only `rag.cite.highlight.safe_url` makes http(s) links.
"""

from __future__ import annotations

import re

# CommonMark lets any ASCII punctuation be backslash-escaped; these give a meaning anywhere in a
# line, in Markdown, in Streamlit's extensions (`:red[…]`, `:material/icon:`, `$…$`) or as HTML.
_INLINE = re.compile(r"([\\`*_{}\[\]()<>#!|~:$&])")
# These only start a block (a list item) at the start of a line.
_LINE_START = re.compile(r"^([-+]|\d+(?=[.)]))")


def md_text(text: object) -> str:
    """`text` as a Markdown fragment that renders as exactly these characters, on one line."""
    flat = " ".join(str(text).split())  # a newline could start a list, a heading or a table
    escaped = _INLINE.sub(r"\\\1", flat)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit()
                           else "\\" + m.group(1), escaped)
