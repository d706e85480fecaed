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


def record_apart(text: str) -> tuple[tuple[tuple[str, ...], int, int], ...]:
    """Sections for a text with no headings of its own (a PDF's): the body, then the record
    `with_record` appended, so that the record is a passage of its own, cited as the record
    and on no page, never merged into the last page's passage."""
    heading = text.rindex(f"\n\n# {RECORD_HEADING}\n\n")
    body_start = heading + len(f"\n\n# {RECORD_HEADING}\n\n")
    return (((), 0, heading), ((RECORD_HEADING,), body_start, len(text)))


# An `extra` field saying what a date is when it is a guess; a sidecar's date drops it
# (`rag.ingest.scan`).
DATE_NOTE = "date_note"


def published(date: str | None, note: str | None) -> str:
    """"February 2020", or "March 5, 2024 (the day the PDF file was made)" for a guess."""
    if not date:
        return ""
    return f"{spoken_date(date)} ({note})" if note else spoken_date(date)


def metadata_text(metadata: Metadata) -> str:
    """One line per known fact, labelled in words a question would use."""
    extra = dict(metadata.extra)
    fields = [("Title", metadata.title), ("Type", metadata.type), ("Series", metadata.series),
              ("Authors", ", ".join(metadata.authors)), ("Publisher", metadata.publisher),
              ("Published", published(metadata.date, extra.get(DATE_NOTE))),
              ("Supported by", extra.get("supporter", "")), ("ISBN", extra.get("isbn", ""))]
    return "\n".join(f"{label}: {value}" for label, value in fields if value)


FIELD_LABELS = ("Title", "Type", "Series", "Authors", "Publisher", "Published", "Supported by",
                "ISBN")


def record_fields(text: str) -> list[tuple[str, int, int]] | None:
    """(label, start, end) of each line of a record written by `metadata_text`, with offsets
    into `text`; None if `text` is not such a record (a line without a known label)."""
    fields, start = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            label = next((name for name in FIELD_LABELS if stripped.startswith(f"{name}: ")),
                         None)
            if label is None:
                return None
            begin = start + line.index(stripped)
            fields.append((label, begin, begin + len(stripped)))
        start += len(line)
    return fields or None
