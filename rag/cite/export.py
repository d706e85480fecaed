"""A search result with its citations as Markdown or JSON, for the app's download buttons.

Pure functions of what the engine returned: they format, they never search or look up.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from rag.answer.relevance import signal_words
from rag.cite.references import location
from rag.messages import FROM_METADATA, RANKING_NOTE, confidence_line

NOTHING_RELEVANT = ("The documents do not seem to answer this question; the passages below "
                    "are the nearest ones, not answers.")


def _as_dict(obj: Any) -> dict[str, Any]:
    return dict(obj if isinstance(obj, Mapping) else obj.as_dict())


def export_payload(result: Any, citations: Mapping[str, Any],
                   filters: Mapping[str, Any] | None = None,
                   exported_at: str | None = None) -> dict[str, Any]:
    """One JSON-ready object: the question, what the engine said, and each passage with its
    reference (Chicago and BibTeX). `result` is a SearchResult or its `as_dict()`;
    `citations` maps passage keys to Citations (or their dicts)."""
    data = _as_dict(result)
    passages = []
    for passage in data.get("passages", []):
        entry = dict(passage)
        cited = citations.get(entry["key"])
        if cited is not None:
            cited = _as_dict(cited)
            entry["reference"] = cited.get("reference")
            entry["bibtex"] = cited.get("bibtex")
        passages.append(entry)
    payload: dict[str, Any] = {
        "question": data.get("question"),
        "exported_at": exported_at or datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if filters:
        payload["filters"] = dict(filters)
    payload.update({key: value for key, value in data.items()
                    if key not in {"question", "passages"}})
    payload["passages"] = passages
    return payload


def download_name(question: str, extension: str) -> str:
    """A file name that says which question it answers ("answer-who-wrote-the-report.md"):
    every download had been saved as answer.md or answer.json, one over the other."""
    plain = unicodedata.normalize("NFKD", question.casefold()).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].rstrip("-")
    if not words:  # a question in another script: distinct questions, distinct files
        words = hashlib.sha256(question.encode()).hexdigest()[:10]
    return f"answer-{words}.{extension}"


def to_json(result: Any, citations: Mapping[str, Any], **kwargs: Any) -> str:
    return json.dumps(export_payload(result, citations, **kwargs), ensure_ascii=False, indent=2)


def _where(passage: Mapping[str, Any]) -> str:
    return location(passage.get("section"), passage.get("page_label"), passage.get("date"))


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.strip().splitlines())


def to_markdown(result: Any, citations: Mapping[str, Any], **kwargs: Any) -> str:
    """A readable report: question, notes, numbered passages with references, then BibTeX."""
    payload = export_payload(result, citations, **kwargs)
    lines = [f"# {payload['question']}", "",
             f"_Exported {payload['exported_at']}_", ""]
    if payload.get("filters"):
        shown = "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list | tuple) else v}"
                          for k, v in payload["filters"].items())
        lines += [f"Filters: {shown}", ""]
    if payload.get("answer"):
        lines += ["## Answer", "", str(payload["answer"]), ""]
    if payload.get("confidence") is not None:
        lines += [confidence_line(payload), ""]
    if payload.get("abstained") and payload["passages"]:
        lines += [f"**{NOTHING_RELEVANT}**", ""]
    for note in payload.get("notes") or []:  # each its own paragraph (two had run together)
        lines += [f"_Note: {note}_", ""]
    lines += ["## Passages", ""]
    if not payload["passages"]:
        lines += ["No passage found.", ""]
    elif any("reader" in (p.get("signals") or {}) for p in payload["passages"]):
        lines += [f"_{RANKING_NOTE}_", ""]  # as the app and `rag ask` say above the passages
    bibtex: dict[str, str] = {}
    for passage in payload["passages"]:
        where = _where(passage)
        # Named by its scale, as the app and `rag ask` show it; the fused score if there is
        # nothing else (an older result).
        signals = passage.get("signals") or {}
        measure = signal_words(signals) if "closeness" in signals else (
            f"score {passage['score']:.2f}")
        lines += [f"### [{passage['rank']}] {passage['title']}" + (f" — {where}" if where else ""),
                  "",
                  f"Relevance: {passage['relevance']} ({measure}) · "
                  f"citation key `{passage['key']}` · characters "
                  f"{passage['start']}–{passage['end']}",
                  "", _quote(passage["text"]), ""]
        if passage.get("from_metadata"):
            lines += [f"_{FROM_METADATA}_", ""]
        if passage.get("reference"):
            lines += [f"Reference: {passage['reference']}", ""]
        elif passage.get("url"):
            lines += [f"Source: {passage['url']}", ""]
        if passage.get("bibtex"):
            bibtex.setdefault(passage["doc_id"], passage["bibtex"])
    if bibtex:
        lines += ["## BibTeX", "", "```bibtex", "\n\n".join(bibtex.values()), "```", ""]
    return "\n".join(lines)
