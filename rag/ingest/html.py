"""HTML pages: main text only, via trafilatura (drops scripts, styles, menus, footers).

trafilatura is chosen because boilerplate removal is its whole job and it is well kept;
it returns Markdown, so headings survive and become section paths.
"""

from __future__ import annotations

from pathlib import Path

import trafilatura

from rag.errors import IngestError
from rag.ingest.text import decode_text


def load_html(raw: bytes, path: Path) -> tuple[str, dict[str, object]]:
    html = decode_text(raw, path)
    text = trafilatura.extract(
        html, output_format="markdown", include_formatting=True, include_comments=False,
        include_tables=True, include_images=False, include_links=False, favor_recall=True,
    )
    if not text or not text.strip():
        raise IngestError("no main text found in this HTML page")
    meta: dict[str, object] = {"type": "Web page"}
    found = trafilatura.extract_metadata(html, extensive=False)
    if found is not None:
        for ours, theirs in (("title", found.title), ("publisher", found.sitename),
                             ("url", found.url), ("date", found.date)):
            if theirs:
                meta[ours] = theirs
        if found.author:
            meta["authors"] = [a.strip() for a in found.author.split(";") if a.strip()]
    return text, meta
