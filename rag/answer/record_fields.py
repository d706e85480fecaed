"""A catalogue record chosen as the answer is cut down to the fields the question asks for.

The record (rag.ingest.record) is read and ranked whole, since its lines give one another
context ("Type: Report" is what tells this record from a fact sheet's), but as an answer the
whole block is a run-on of eight facts. Its shape is ours, so the field a question asks for
is known from the question's words: "When was the report published?" is answered with
"Published: February 2020". A question that asks for no field gets the lines whose value
shares a search term with it ("Who is Jennifer Staats?": the authors line). The title, type,
series and publisher lines are left out of that match: a question names its document by them
("the report", "the peace regime report", "USIP"), which says nothing of what it asks. A
record none of whose lines answers is no answer at all (`may_answer`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from rag.answer.extraction import AnswerSpan
from rag.ingest.record import record_fields

# What a question says when it asks for each field (case-insensitive, whole words).
# Lines matched by their value's words only when the question asks for no field, and never
# these: they name the document, its series or its publisher, which a question says to point
# at a document ("the USIP report", "peaceful coexistence"), not to ask for the line.
IDENTIFYING = frozenset({"Title", "Type", "Series", "Publisher"})
ASKS = {
    "Title": r"title|called|named?",
    "Type": r"what (kind|type|sort) of|type of|format",
    "Series": r"series|peaceworks",
    "Authors": r"who (wrote|authored|writes|is the author|are the authors)|authors?|co-?authors?"
               r"|written|writers?|by whom",
    "Publisher": r"publisher|who (published|issued|released)|published by"
                 r"|which (organi[sz]ation|institute|institution) published",
    "Published": r"when|what date|date|year|month|how (old|recent)",
    "Supported by": r"support(ed|er|ers|s)?|fund(ed|er|ers|ing|s)?|sponsor(ed|s|ship)?"
                    r"|paid for|financ(ed|ing)",
    "ISBN": r"isbn",
}
# The lines a question asks of a document as a whole (the title is how it names one).
OF_A_DOCUMENT = frozenset({"Authors", "Publisher", "Published", "Supported by"})
QUESTION_WORDS = frozenset({"who", "whom", "whose", "what", "when", "where", "which", "why",
                            "how"})
PATTERNS = {label: re.compile(rf"\b({words})\b", re.IGNORECASE) for label, words in ASKS.items()}


def asked_fields(question: str) -> set[str]:
    """The record fields the question's words ask for (empty: none recognised)."""
    return {label for label, pattern in PATTERNS.items() if pattern.search(question)}


def answer_lines(question: str, text: str,
                 terms: Callable[[str], Iterable[str]]) -> list[tuple[int, int]] | None:
    """The (start, end) of each line of the record `text` that answers: the asked-for fields,
    or, when none is asked, the lines whose value shares one of the question's `terms`
    (`IDENTIFYING` lines aside). None if `text` is not a catalogue record."""
    fields = record_fields(text)
    if fields is None:
        return None
    asked = asked_fields(question)
    if asked:
        return [(start, end) for label, start, end in fields if label in asked]
    wanted = set(terms(question))
    return [(start, end) for label, start, end in fields if label not in IDENTIFYING
            and names_value(label, text[start + len(label) + 2:end], wanted, terms)]


def names_value(label: str, value: str, wanted: set[str],
                terms: Callable[[str], Iterable[str]]) -> bool:
    """Does the question name this line's value? An author by their whole name ("Who is
    Jennifer Staats?"; "what about KIM JONG UN" had matched "Authors: Lami Kim"), any other
    line by one shared term."""
    if label != "Authors":
        return bool(wanted.intersection(terms(value)))
    names = [set(terms(name)) for name in re.split(r",|\band\b", value)]
    return any(name and name <= wanted for name in names)


def may_answer(question: str, text: str, terms: Callable[[str], Iterable[str]]) -> bool:
    """False for a catalogue record with no line that answers: a record is read and ranked
    whole, and the reader likes it for any question on its document's topic ("What are the
    risks if South Korea builds nuclear weapons?" was answered with the whole record,
    0.92), but it can only answer what its lines say."""
    return answer_lines(question, text, terms) != []


def names_its_document(question: str, text: str,
                       terms: Callable[[str], Iterable[str]]) -> bool:
    """Does the question ask only who wrote, published or supported a document it names by the
    record's type, or when it came out ("When was the report published?", "Type: Report")?
    Only: past the words that ask for a line ("who wrote", "when") and its question words,
    every search term of the question is in the record's other lines than its title (a
    question about what a title names, "When was the Kaesong complex closed, in the note?",
    asks of the text). Retrieval ranks a record, a list of names and dates, low by meaning:
    with one small note added beside the shipped corpus the report's record fell from first
    to fifth for that question, and the fact sheet's date was given instead (a first-time
    user's test, 2026-12-06). A question that also asks more ("Which of the report's authors
    belong to the Asia teams?") is left to retrieval: lifting the record there had cost a dev
    question its first place."""
    fields = record_fields(text)
    asked = asked_fields(question)
    if fields is None or not asked & OF_A_DOCUMENT & {label for label, _, _ in fields} \
            or asked - OF_A_DOCUMENT:
        return False
    lines = {label: text[start + len(label) + 2:end] for label, start, end in fields}
    kind = lines.get("Type", "")
    if not kind or not re.search(rf"\b{re.escape(kind)}s?\b", question, re.IGNORECASE):
        return False
    rest = question
    for label in asked:
        rest = PATTERNS[label].sub(" ", rest)
    told = {term for label, start, end in fields if label != "Title"
            for term in terms(text[start:end])}
    return set(terms(rest)) - QUESTION_WORDS <= told


def holds_every_asked_line(question: str, text: str) -> bool:
    """Does the record hold a line for every field the question asks ("Who wrote the fact
    sheet and when was it published?" asks two; the fact sheet's record has one)?"""
    fields = record_fields(text)
    return fields is not None and asked_fields(question) <= {label for label, _, _ in fields}


def narrowed(spans: list[AnswerSpan], question: str,
             terms: Callable[[str], Iterable[str]]) -> list[AnswerSpan]:
    """Each span that is a whole catalogue record replaced by the lines that answer
    (`answer_lines`), each still an exact span of the source; other spans, and records none
    of whose lines answers, unchanged. A line already given (two records by one author) is
    not repeated."""
    result: list[AnswerSpan] = []
    given: set[str] = set()
    for span in spans:
        lines = answer_lines(question, span.text, terms)
        if not lines:
            result.append(span)
            continue
        for start, end in lines:
            if span.text[start:end] not in given:
                given.add(span.text[start:end])
                result.append(replace(span, text=span.text[start:end], start=span.start + start,
                                      end=span.start + end))
    return result
