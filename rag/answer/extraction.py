"""Extractive answers: the sentences of the retrieved passages that best answer the
question, each tied to an exact span of its source and verified before it is shown."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.ingest.documents import Document
from rag.settings import AnswerSettings


@dataclass(frozen=True)
class AnswerSpan:
    text: str
    passage: int  # the rank of the passage it comes from: the [n] marker
    key: str
    doc_id: str
    start: int
    end: int
    page_label: str | None = None  # the printed page the sentence starts on (PDFs)

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "passage": self.passage, "key": self.key,
                "doc_id": self.doc_id, "start": self.start, "end": self.end,
                "page_label": self.page_label}


def verified(spans: list[AnswerSpan], documents: dict[str, Document]) -> list[AnswerSpan]:
    """Keep only spans whose text is, character for character, in their source document."""
    return [s for s in spans
            if s.doc_id in documents and documents[s.doc_id].text[s.start:s.end] == s.text]


@dataclass(frozen=True)
class SentenceScores:
    """Every sentence of the top passages with its similarity to the question."""

    candidates: list[AnswerSpan]
    similarity: np.ndarray
    # Share of the question's (stemmed) terms each sentence contains: picks among sentences
    # that are close in meaning; the abstention rule reads `similarity` alone.
    overlap: np.ndarray | None = None

    @property
    def best(self) -> float:
        return float(self.similarity.max()) if self.candidates else -1.0


def sentence_totals(scores: SentenceScores, settings: AnswerSettings) -> np.ndarray:
    """What sentences are chosen by: similarity, plus term overlap, plus a small prior by rank
    (earlier passages are likelier to answer, which breaks near-ties)."""
    prior = np.array([settings.rank_prior * (settings.passages_read - c.passage)
                      for c in scores.candidates])
    overlap = scores.overlap if scores.overlap is not None else 0.0
    return scores.similarity + settings.overlap_weight * overlap + prior


def choose_sentences(scores: SentenceScores,
                     settings: AnswerSettings = AnswerSettings()) -> list[AnswerSpan]:
    """The best sentence, and a second one if it scores nearly as well and says something
    else (a copy of the first, from a duplicated document or paragraph, adds nothing)."""
    if not scores.candidates:
        return []
    total = sentence_totals(scores, settings)
    order = np.argsort(-total, kind="stable")
    chosen = [scores.candidates[order[0]]]
    said = {" ".join(chosen[0].text.split()).casefold()}
    for index in order[1:]:
        if (len(chosen) == settings.max_sentences
                or total[index] < settings.second_sentence_ratio * total[order[0]]):
            break
        wording = " ".join(scores.candidates[index].text.split()).casefold()
        if wording not in said:
            chosen.append(scores.candidates[index])
            said.add(wording)
    # The best first, so the answer opens with it ("Who wrote the report?" had opened with
    # its runner-up from passage [1] before the authors line from [3]); two sentences of one
    # passage in their order in the text.
    first = {span.passage: n for n, span in reversed(list(enumerate(chosen)))}
    return sorted(chosen, key=lambda span: (first[span.passage], span.start))


# A line break inside a sentence: a PDF's text layer breaks lines where the page did. Before
# a capital or a list's number it may be a line of its own (a record's "Type: Report", "2. …").
WRAPPED = re.compile(r"(?<=\S)[ \t]*\n[ \t]*(?=[a-z(]|\d+(?!\d)(?![.)]\s))")
HYPHEN_WRAPPED = re.compile(r"(?<=\w)-[ \t]*\n[ \t]*(?=[a-z])")  # "manip-\nulation"


def format_answer(spans: list[AnswerSpan]) -> str:
    """Each sentence followed by the marker [n] of the passage it comes from, and in a PDF the
    page the sentence starts on ([n, p. 3]: a passage may span pages, "pp. 1–5", and a
    first-time user found the sentence's page only in the JSON). A line wrapped inside a
    sentence reads as one ("from nine\ncoastal cities" had shown its break; "manip-\nulation"
    keeps its hyphen, which may be the word's own); the spans keep the exact text. A break
    before a capital or a list's number stays: a catalogue record's lines are lines."""
    return " ".join(f"{WRAPPED.sub(' ', HYPHEN_WRAPPED.sub('-', span.text))} [{span.passage}"
                    f"{f', p. {span.page_label}' if span.page_label else ''}]" for span in spans)
