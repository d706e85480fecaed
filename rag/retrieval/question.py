"""Clean a user's question before it reaches the retrievers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sentencex

from rag.errors import EmptyQuestion
from rag.settings import MAX_QUESTION_CHARS

GAP = " \u2026 "  # marks where a huge question was cut
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FULL_WIDTH = re.compile("[\u3000\uff01-\uff5e]")  # East Asian keyboards' wide Latin letters
QUESTION_OPENING = re.compile(
    r"(?i)\b(who|whom|whose|what|when|where|which|why|how|is|are|was|were|do|does|did|can|"
    r"could|will|would|should|has|have|had)\b")
# Words that point back into a lead-in ("… Where is this from?" needs what came before it);
# not "that", "its", "there" or "such", which self-contained questions use ("Are there …?",
# "the official that Kennedy named", "such as"): on dev, blocking those too left 14 of 235
# questions after a lead-in unread as questions.
REFERRING = re.compile(r"(?i)\b(this|these|those|it|here|they|them|former|latter)\b")


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


def question_part(text: str) -> str:
    """The question a lead-in leads up to, which the reader reads: the last sentences of `text`
    if they end in "?" and sentences that do not come before them ("I have been reading
    about the talks. When was the Hanoi summit?" had dropped the reader's logit from 1.7 to
    -1.8, and with three such sentences the question was refused), then what follows a colon
    if it ends in "?" ("Quick question for my thesis: who wrote the report?"); if that part
    opens with a question word and does not point back into what came before. Otherwise the
    whole text. Sentences by sentencex, as in passages."""
    bounds = [(b["start_index"], b["end_index"])
              for b in sentencex.get_sentence_boundaries("en", text)
              if not b.get("is_paragraph_break") and text[b["start_index"]:b["end_index"]].strip()]
    asking = len(bounds)
    while asking and text[bounds[asking - 1][0]:bounds[asking - 1][1]].rstrip().endswith("?"):
        asking -= 1
    posed = text[bounds[asking][0]:].strip() if 0 < asking < len(bounds) else text
    lead, colon, after = posed.rpartition(": ")
    if colon and "?" not in lead and after.endswith("?"):
        posed = after
    # A question of its own: opening with a question word ("H2A." + "Z exchange …?" is not
    # one), and not pointing back ("Which report says this?" after a quotation).
    if not QUESTION_OPENING.search(" ".join(posed.split()[:3])) or REFERRING.search(posed):
        return text
    return posed
