"""Decide when the documents do not answer a question.

The signal is the best cosine similarity between the question and any single sentence of
the top passages, each sentence embedded alone (its answer vector): a sentence that answers
a question sits close to it, while a passage on the same topic that does not answer it
rarely has one sentence that close. Only sentences that offer the kind of answer asked for
count (`rag.answer_type`: a number for "how many", a date for "when").

On the dev set (`eval/devset.jsonl`) this separates unanswerable questions with ROC AUC
0.862; the same similarity over title-prefixed sentence vectors gave 0.84 before the answer
type check, the passage-level cosine 0.70 and IDF-weighted term coverage or the top BM25
score 0.58. `bench/calibrate_abstention.py` picks the threshold (the best balance of
abstention precision and recall on the dev set), prints the separation and a leave-one-out
estimate. A question that quotes a passage (`rag.quotes`) is never refused; one that names
something the documents never mention (`rag.names`) always is.
"""

from __future__ import annotations

SENTENCE_THRESHOLD = 0.5264


def should_abstain(best_sentence: float, verbatim: bool,
                   threshold: float = SENTENCE_THRESHOLD) -> bool:
    return not verbatim and best_sentence < threshold
