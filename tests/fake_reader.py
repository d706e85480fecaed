"""A deterministic stand-in for the reader model, for the fast test tier: the logit is the share
of the question's words (stemmed) found in the text, centred and stretched, so a text that
repeats the question's words answers it and one that shares none does not. It never replaces
the real model in the slow tier."""

from __future__ import annotations

import re

import numpy as np
import Stemmer

from rag.answer.reader import Calibration

WORD = re.compile(r"\w{3,}")
STEM = Stemmer.Stemmer("english")


def stems(text: str) -> set[str]:
    return set(STEM.stemWords(WORD.findall(text.lower())))


class WordOverlapReader:
    """The `ReaderModel` interface (`calibration`, `score`); counts its calls."""

    def __init__(self) -> None:
        self.calibration = Calibration()
        self.pairs = 0

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        self.pairs += len(texts)
        wanted = stems(question)
        share = [len(wanted & stems(t)) / max(len(wanted), 1) for t in texts]
        return (np.array(share, dtype=np.float32) - 0.5) * 10
