"""Formatted references for a document: Chicago (bibliography style) and BibTeX."""

from __future__ import annotations

import re
from datetime import date

from rag.ingest.documents import Metadata

STANDALONE_TYPES = {"report", "pdf", "book", "document", "working paper", "special report"}
MONTH_MACROS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec"]


def human_date(iso: str) -> str:
    """"2020-02" -> "February 2020"; "2025-02-13" -> "February 13, 2025"; "2020" as is."""
    parts = [int(p) for p in re.findall(r"\d+", iso)[:3]]
    if len(parts) == 1:
        return str(parts[0])
    month = date(parts[0], parts[1], 1).strftime("%B")
    return f"{month} {parts[2]}, {parts[0]}" if len(parts) == 3 else f"{month} {parts[0]}"


def page_mention(label: str | None) -> str | None:
    """"3" -> "p. 3"; a range "3–4" -> "pp. 3–4"; no label, nothing."""
    if not label:
        return None
    return f"pp. {label}" if "–" in label else f"p. {label}"


def location(section: str | None, page_label: str | None, date: str | None = None,
             kind: str | None = None) -> str:
    """Where a passage sits, the same in every face: "Summary · p. 3 · 2020-02-05"."""
    return " · ".join(str(p) for p in (section, page_mention(page_label), date, kind) if p)


def inverted(name: str) -> str:
    """"Joseph Y. Yun" -> "Yun, Joseph Y."; a one-word name (an organisation) stays."""
    given, _, family = name.strip().rpartition(" ")
    return f"{family}, {given}" if given else family


def chicago_authors(authors: tuple[str, ...]) -> str:
    """Chicago lists up to ten authors; with more, the first seven and "et al."."""
    if not authors:
        return ""
    if len(authors) > 10:
        return ", ".join([inverted(authors[0]), *authors[1:7]]) + ", et al."
    if len(authors) == 1:
        return inverted(authors[0])
    head = ", ".join([inverted(authors[0]), *authors[1:-1]])
    return f"{head}, and {authors[-1]}"


def end_with_period(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def chicago(meta: Metadata) -> str:
    """A Chicago bibliography entry, as plain text (shown in code blocks and exports)."""
    standalone = meta.type.casefold() in STANDALONE_TYPES
    title = end_with_period(meta.title) if standalone else f"“{end_with_period(meta.title)}”"
    parts = [end_with_period(chicago_authors(meta.authors))] if meta.authors else []
    parts.append(title)
    if meta.series:
        parts.append(end_with_period(meta.series))
    elif not standalone and meta.type:
        parts.append(end_with_period(meta.type))
    issued = ", ".join(p for p in (meta.publisher, meta.date and human_date(meta.date)) if p)
    if issued:
        parts.append(end_with_period(issued))
    if meta.url:
        parts.append(end_with_period(meta.url))
    return " ".join(parts)


def bibtex_escape(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", text)


def bibtex_key(meta: Metadata) -> str:
    family = inverted(meta.authors[0]).split(",")[0] if meta.authors else ""
    word = next((w for w in re.findall(r"[A-Za-z]+", meta.title)
                 if w.lower() not in {"a", "an", "the", "to", "of", "on", "for"}), "doc")
    year = (meta.date or "")[:4]
    # Without an author the title's word leads ("current2025"): a key opening with a digit
    # ("2025current") is legal BibTeX but clashes with tools that read keys as names.
    key = f"{family}{year}{word}" if family else f"{word}{year}"
    return re.sub(r"[^a-z0-9]", "", key.lower()) or "document"


def bibtex(meta: Metadata) -> str:
    """A BibTeX entry: @techreport for reports, @misc (with a URL) for everything else."""
    standalone = meta.type.casefold() in STANDALONE_TYPES
    fields: list[tuple[str, str]] = []  # (name, rendered value)
    if meta.authors:
        fields.append(("author", " and ".join(inverted(a) for a in meta.authors)))
    fields.append(("title", "{" + bibtex_escape(meta.title) + "}"))
    if meta.publisher:
        fields.append(("institution" if standalone else "publisher", meta.publisher))
    if meta.date:
        fields.append(("year", meta.date[:4]))
    note = meta.series or ("" if standalone else meta.type)
    if note:
        fields.append(("note", note))
    if meta.url:
        fields.append(("url", meta.url))
    lines = [f"  {name} = {{{value if name in ('title', 'url') else bibtex_escape(value)}}}"
             for name, value in fields]
    if meta.date and len(meta.date) >= 7:
        lines.append(f"  month = {MONTH_MACROS[int(meta.date[5:7]) - 1]}")
    kind = "techreport" if standalone else "misc"
    return f"@{kind}{{{bibtex_key(meta)},\n" + ",\n".join(lines) + "\n}"
