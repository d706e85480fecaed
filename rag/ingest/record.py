"""A document's catalogue record as a section of its own, so that "who wrote the report?" or
"when was it published?" is retrieved, read and cited like any other passage.

The record is written from the document's metadata (front matter, a sidecar, PDF properties) in
one fixed shape, and appended to the document's text as it is indexed, under the heading
"About this document": a citation of it is then an exact span of the indexed text like any
other. The reader model was trained on records of this shape (training/make_passages.py).
"""

from __future__ import annotations

from rag.ingest.documents import Metadata

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def spoken_date(iso: str) -> str:
    """'2020-02' -> 'February 2020', '2025-02-13' -> 'February 13, 2025'; other text as is."""
    parts = iso.split("-")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        return iso
    if len(numbers) == 1:
        return parts[0]
    if not 1 <= numbers[1] <= 12:
        return iso
    month = MONTHS[numbers[1] - 1]
    return f"{month} {numbers[2]}, {numbers[0]}" if len(numbers) == 3 else f"{month} {numbers[0]}"


RECORD_HEADING = "About this document"


def with_record(text: str, metadata: Metadata) -> str:
    """The text followed by its record; the body's offsets are unchanged."""
    return f"{text.rstrip()}\n\n# {RECORD_HEADING}\n\n{metadata_text(metadata)}\n"


def metadata_text(metadata: Metadata) -> str:
    """One line per known fact, labelled in words a question would use."""
    extra = dict(metadata.extra)
    lines = [f"Title: {metadata.title}", f"Type: {metadata.type}"]
    if metadata.series:
        lines.append(f"Series: {metadata.series}")
    if metadata.authors:
        lines.append("Authors: " + ", ".join(metadata.authors))
    if metadata.publisher:
        lines.append(f"Publisher: {metadata.publisher}")
    if metadata.date:
        lines.append(f"Published: {spoken_date(metadata.date)}")
    for label, key in (("Supported by", "supporter"), ("ISBN", "isbn")):
        if extra.get(key):
            lines.append(f"{label}: {extra[key]}")
    return "\n".join(lines)
