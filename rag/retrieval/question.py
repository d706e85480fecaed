"""Clean a user's question before it reaches the retrievers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rag.errors import EmptyQuestion
from rag.settings import MAX_QUESTION_CHARS

GAP = " \u2026 "  # marks where a huge question was cut
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FULL_WIDTH = re.compile("[\u3000\uff01-\uff5e]")  # East Asian keyboards' wide Latin letters


@dataclass(frozen=True)
class CleanQuestion:
    text: str  # what is searched
    notes: tuple[str, ...] = ()
    typed: str | None = None  # the question before spelling correction, when that changed it


def clean_question(raw: str, limit: int = MAX_QUESTION_CHARS) -> CleanQuestion:
    """Drop control characters and surplus space, narrow full-width letters ("Ｎｏｒｔｈ");
    refuse an empty question; cut a huge one and say so, rather than fail or stall on it. A
    huge question keeps its beginning and its end (at word boundaries): a long paste is
    usually followed by the question itself."""
    text = unicodedata.normalize("NFC", CONTROL.sub(" ", raw or ""))
    text = FULL_WIDTH.sub(lambda wide: unicodedata.normalize("NFKC", wide.group()), text)
    text = " ".join(text.split())
    if not text:
        raise EmptyQuestion()
    if len(text) <= limit:
        return CleanQuestion(text)
    half = (limit - len(GAP)) // 2
    head = text[:half].rsplit(" ", 1)[0] or text[:half]
    tail = text[-half:].split(" ", 1)[-1] or text[-half:]
    return CleanQuestion(f"{head}{GAP}{tail}", (
        f"The question was {len(text):,} characters long; only its first {len(head):,} and "
        f"last {len(tail):,} characters were used.",))
