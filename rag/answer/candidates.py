"""The sentences that may answer: every sentence of the first passages that the question's
rules admit, scored by the similarity of the sentence alone and the share of its terms.

Reads the stored sentence table and the documents; knows nothing of ranking.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from rag.answer.acronyms import defines
from rag.answer.answer_type import Expected, offers
from rag.answer.extraction import AnswerSpan, SentenceScores
from rag.answer.quotes import Quote
from rag.answer.record_fields import may_answer
from rag.index.store import StoredIndex
from rag.settings import AnswerSettings


class RankedPassage(Protocol):
    rank: int
    key: str
    doc_id: str


class SentenceReader:
    """Finds the answer candidates among the sentences of ranked passages."""

    def __init__(self, stored: StoredIndex, settings: AnswerSettings = AnswerSettings()) -> None:
        self.stored = stored
        self.settings = settings
        self.positions = {c.key: i for i, c in enumerate(stored.chunks)}

    def top_sentences(self, question: str, query: np.ndarray,
                      passages: Sequence[RankedPassage],
                      admits: Callable[[str], bool]) -> SentenceScores:
        """The sentences of the first passages that `admits` lets answer, with the
        similarity of each sentence alone to the question and the share of its terms."""
        table, bounds = self.stored.sentences, self.stored.sentences.bounds
        candidates, rows = [], []
        for passage in passages[:self.settings.passages_read]:
            position = self.positions[passage.key]
            for row in range(bounds[position], bounds[position + 1]):
                _, start, end = table.rows[row].tolist()
                document = self.stored.documents[passage.doc_id]
                text = document.text[start:end]
                if admits(text):
                    candidates.append(AnswerSpan(text, passage.rank, passage.key,
                                                 passage.doc_id, start, end,
                                                 document.page_label(document.page_at(start))))
                    rows.append(row)
        terms = set(self.stored.lexical.query_terms(question))
        overlap = np.array([len(terms & set(self.stored.lexical.query_terms(c.text)))
                            / max(len(terms), 1) for c in candidates])
        return SentenceScores(candidates,
                              table.answers.row_scores(rows, query) if rows else np.zeros(0),
                              overlap)

    def sentence_before(self, span: AnswerSpan) -> AnswerSpan | None:
        """The sentence just before `span` in its passage and paragraph (None if it is the
        first): a year from another paragraph may be another story's."""
        table, bounds = self.stored.sentences, self.stored.sentences.bounds
        position = self.positions[span.key]
        earlier = [row for row in range(bounds[position], bounds[position + 1])
                   if table.rows[row][2] <= span.start]
        if not earlier:
            return None
        _, start, end = table.rows[earlier[-1]].tolist()
        document = self.stored.documents[span.doc_id]
        if "\n\n" in document.text[end:span.start]:
            return None
        return AnswerSpan(document.text[start:end], span.passage, span.key, span.doc_id, start,
                          end, document.page_label(document.page_at(start)))

    def answer_candidates(self, question: str, query: np.ndarray,
                          passages: Sequence[RankedPassage], quote: Quote,
                          expected: Expected | None,
                          acronym: str | None = None) -> SentenceScores:
        """A keyword search answers with the sentences that contain it (when one does); a
        question asking what an acronym stands for, with those that spell it out (when one
        does); a question asking for a number or date with the sentences that hold one; a
        catalogue record only with a line the question asks for (rag.answer.record_fields)."""
        if quote.whole_question:
            quoting = self.top_sentences(question, query, passages, quote.in_text)
            if quoting.candidates:
                return quoting
        if acronym is not None:
            spelling = self.top_sentences(question, query, passages,
                                          lambda text: defines(text, acronym))
            if spelling.candidates:
                return spelling
        terms = self.stored.lexical.query_terms
        return self.top_sentences(question, query, passages, lambda text: offers(
            text, expected) and may_answer(question, text, terms))
