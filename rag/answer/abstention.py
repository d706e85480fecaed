"""Decide when the documents do not answer a question.

The signal is the best cosine similarity between the question and any single sentence of
the top passages, each sentence embedded alone (its answer vector): a sentence that answers
a question sits close to it, while a passage on the same topic that does not answer it
rarely has one sentence that close. Only sentences that offer the kind of answer asked for
count (`rag.answer_type`: a number for "how many", a date for "when").

On the dev set (`eval/devset.jsonl`) this separates unanswerable questions with ROC AUC
0.875 (0.752 on the held-out set, `eval/heldout.jsonl`); the same similarity over
title-prefixed sentence vectors gave 0.84 before the answer type check, the passage-level
cosine 0.70 and IDF-weighted term coverage or the top BM25 score 0.58.
`bench/calibrate_abstention.py` picks the threshold (the best balance of abstention precision
and recall on the dev set), prints the separation, a leave-one-out estimate and, with
`--check`, the held-out result. A question that quotes a passage (`rag.quotes`) is never
refused.

A question that names something the documents never mention (`rag.names`) needs `name_penalty`
more support. Evidence, not proof: a name can be another word for one the text uses ("Seoul" for
South Korea, "Beijing" for China). As a hard refusal the rule wrongly refused one dev and one
held-out question and gained nothing the penalty does not; any penalty from 0.02 to 0.10 gives
the same dev result, 0.06 is the middle.
"""

from __future__ import annotations

from rag.settings import AbstentionSettings


def should_abstain(best_sentence: float, verbatim: bool, names_unknown: bool = False,
                   settings: AbstentionSettings = AbstentionSettings()) -> bool:
    """Refuse when no sentence comes close enough to the question, unless it quotes one."""
    support = best_sentence - (settings.name_penalty if names_unknown else 0.0)
    return not verbatim and support < settings.sentence_threshold
