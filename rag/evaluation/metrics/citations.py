"""Citation verification: the share of answer spans whose text is exactly the source
document's text[start:end] (checked against the index's copy of the document). 1.0 when no
answer span was shown."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rag.ingest.documents import Document


def span_doc_id(span: Mapping[str, object], passages: list[Mapping[str, object]]) -> str | None:
    if span.get("doc_id"):
        return str(span["doc_id"])
    rank = span.get("passage")
    for passage in passages:
        if rank is not None and passage.get("rank") == rank:
            return str(passage.get("doc_id"))
    key = str(span.get("key") or "")
    return key.rsplit(":", 1)[0] if ":" in key else None


def span_verified(span: Mapping[str, object], passages: list[Mapping[str, object]],
                  documents: Mapping[str, Document]) -> bool:
    document = documents.get(span_doc_id(span, passages) or "")
    start, end, text = span.get("start"), span.get("end"), span.get("text")
    if document is None or not isinstance(start, int) or not isinstance(end, int):
        return False
    return isinstance(text, str) and bool(text) and 0 <= start <= end <= len(document.text) \
        and document.text[start:end] == text


def verify_spans(result: Mapping[str, object],
                 documents: Mapping[str, Document]) -> tuple[int, int]:
    """(verified, total) answer spans of one `ask --json` result."""
    spans = result.get("answer_spans") or []
    passages = result.get("passages") or []
    verified = sum(1 for span in spans if span_verified(span, passages, documents))
    return verified, len(spans)


def citation_share(counts: Iterable[tuple[int, int]]) -> float:
    verified = total = 0
    for good, seen in counts:
        verified, total = verified + good, total + seen
    return verified / total if total else 1.0
