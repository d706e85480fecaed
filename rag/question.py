"""Clean a user's question before it reaches the retrievers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rag.errors import EmptyQuestion
from rag.settings import MAX_QUESTION_CHARS

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FULL_WIDTH = re.compile("[\u3000\uff01-\uff5e]")  # East Asian keyboards' wide Latin letters


@dataclass(frozen=True)
class CleanQuestion:
    text: str
    notes: tuple[str, ...] = ()


def clean_question(raw: str, limit: int = MAX_QUESTION_CHARS) -> CleanQuestion:
    """Drop control characters and surplus space, narrow full-width letters ("Ｎｏｒｔｈ");
    refuse an empty question; cut a huge one (at a word boundary) and say so, rather than
    fail or stall on it."""
    text = unicodedata.normalize("NFC", CONTROL.sub(" ", raw or ""))
    text = FULL_WIDTH.sub(lambda wide: unicodedata.normalize("NFKC", wide.group()), text)
    text = " ".join(text.split())
    if not text:
        raise EmptyQuestion()
    if len(text) <= limit:
        return CleanQuestion(text)
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return CleanQuestion(cut, (f"The question was {len(text):,} characters long; only its "
                               f"first {len(cut):,} characters were used.",))
