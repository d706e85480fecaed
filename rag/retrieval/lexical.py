"""Lexical retrieval: BM25 from `bm25s` (sparse-matrix BM25, well kept, fast) with
Snowball English stemming from PyStemmer."""

from __future__ import annotations

import importlib
import logging
import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import numpy as np
import Stemmer

from rag.settings import Settings


def import_bm25s() -> ModuleType:
    """bm25s, imported without scipy unless scipy is loaded already, and without tqdm. bm25s
    imports scipy.sparse whenever it is installed, but needs it only to build with
    csc_backend="scipy"; we build with "numpy" (the same matrix, as fast: 0.40 s against 0.38
    s for SciFact), and scoring reads numpy arrays. scipy.sparse was 22 MiB of a cold
    `rag ask`'s 200 MiB peak. A `None` in sys.modules makes bm25s's guarded import fail.
    Its progress bars, which we never show, import tqdm.auto and through it asyncio and ssl
    (7 MiB imported alone, 2 MiB of a cold `rag ask`'s peak); bm25s's own switch, DISABLE_TQDM,
    read at import, gives it a no-op instead. Both are set for the import alone; in the app it
    runs on the script thread, while the server's threads may read the environment, a race
    glibc leaves undefined and that we accept for a variable set once, for a moment."""
    blocked = "scipy" not in sys.modules
    switched = "DISABLE_TQDM" not in os.environ
    if blocked:
        sys.modules["scipy"] = None  # type: ignore[assignment]
    if switched:
        os.environ["DISABLE_TQDM"] = "1"
    try:
        return importlib.import_module("bm25s")
    finally:
        if blocked:
            del sys.modules["scipy"]
        if switched:
            del os.environ["DISABLE_TQDM"]


bm25s = import_bm25s()
STOPWORDS_EN = importlib.import_module("bm25s.stopwords").STOPWORDS_EN
logging.getLogger("bm25s").setLevel(logging.WARNING)


@lru_cache(maxsize=1)
def stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s's default token pattern


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    return stemmer().stemWord(word)


def term_of(word: str, settings: Settings) -> str | None:
    """The BM25 term one word of text becomes (None for a stop word or a single character),
    as `tokenize` would make it: so a face can mark exactly the words BM25 matched."""
    lowered = word.lower()
    if len(lowered) < 2 or (settings.bm25_stopwords and lowered in STOPWORDS_EN):
        return None
    return stem(lowered) if settings.bm25_stemming else lowered


def terms(text: str, settings: Settings) -> list[str]:
    """What `tokenize` makes of one text, without its per-call set-up (about 0.2 ms)."""
    return list(cached_terms(text, settings))


@lru_cache(maxsize=1 << 14)
def cached_terms(text: str, settings: Settings) -> tuple[str, ...]:
    """The answer reader asks this of every candidate sentence, on every question, and the
    same sentences come back question after question (0.7 ms a question uncached, profiled)."""
    return tuple(term for word in TOKEN.findall(text.lower())
                 if (term := term_of(word, settings)) is not None)


def tokenize(texts: list[str], settings: Settings) -> list[list[str]]:
    return bm25s.tokenize(
        texts, stopwords="en" if settings.bm25_stopwords else None,
        stemmer=stemmer() if settings.bm25_stemming else None,
        return_ids=False, show_progress=False)


def lexical_text(title: str, section: tuple[str, ...], text: str, settings: Settings) -> str:
    """What BM25 indexes for a passage: its text, after its title repeated (titles are short
    and dense with topic words; the weight is tuned on SciFact) and its section path."""
    return " ".join([*[title] * settings.bm25_title_repeat, *section, text])


class LexicalIndex:
    """BM25 over passages, stored beside the dense index in each build."""

    def __init__(self, model: bm25s.BM25, settings: Settings) -> None:
        self.model = model
        self.settings = settings

    @classmethod
    def build(cls, texts: list[str], settings: Settings) -> LexicalIndex:
        model = bm25s.BM25(method=settings.bm25_method, k1=settings.bm25_k1, b=settings.bm25_b,
                           csc_backend="numpy")
        model.index(tokenize(texts, settings), show_progress=False)
        return cls(model, settings)

    def save(self, folder: Path) -> None:
        self.model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, settings: Settings) -> LexicalIndex:
        """Memory-mapped: a question reads only its terms' postings, so a large index's
        matrix stays on disk (and in the page cache) instead of in the process."""
        return cls(bm25s.BM25.load(str(folder), mmap=True, show_progress=False), settings)

    def query_terms(self, question: str) -> list[str]:
        return terms(question, self.settings)

    def knows(self, word: str) -> bool:
        """Does the indexed text use this word (after stemming; stop words count as known)?"""
        return all(term in self.model.vocab_dict for term in self.query_terms(word))

    def knows_within(self, word: str, admitted: np.ndarray | None) -> bool:
        """Does the text of the passages `admitted` (a mask; None: all) use this word? Under a
        filter a name only other documents use is unknown: "What happened in Hanoi?" asked of
        the report alone had been answered with unrelated sentences (a first-time user's
        finding)."""
        return self.knows(word) and (admitted is None or all(
            bool(admitted[self.postings(term)].any()) for term in self.query_terms(word)))

    def postings(self, term: str) -> np.ndarray:
        """The passages that use a known term: its column of the BM25 matrix, read from the
        memory-mapped index, not scored (scoring every passage had cost 0.3-0.6 ms a term at
        a million passages, a review measured)."""
        column = self.model.vocab_dict[term]
        bounds = self.model.scores["indptr"]
        return np.asarray(self.model.scores["indices"][bounds[column]:bounds[column + 1]])

    def knows_any(self, terms: list[str]) -> bool:
        """Does the indexed text use at least one of these (tokenised) terms?"""
        return any(term in self.model.vocab_dict for term in terms)

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every passage for the question's terms (zeros if none is known)."""
        known = [t for t in terms if t in self.model.vocab_dict]
        if not known:
            return np.zeros(self.model.scores["num_docs"], dtype=np.float32)
        return np.asarray(self.model.get_scores(known), dtype=np.float32)
