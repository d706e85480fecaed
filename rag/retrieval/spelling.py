"""Correct misspelt words of a question towards the indexed text's own words, before retrieval.

A typo costs twice: BM25 misses the word, and the model and the reader read a non-word
("wat hapend in singapor" was refused). The correction is cautious, since changing a real word
the documents never use would hide it from the names rule ("Seoul", "warheads") and answer
another question. A question most of whose words are unknown is left as typed (another
language, or too garbled to guess), and so is a word that
- is short (under five letters), not of ASCII letters only, written with capitals inside or
  with digits (an acronym, a code: "USIP", "MiDAS", "H5N1"), or inside quotation marks (how a
  user keeps a word);
- is a word of the corpus, or known to the index after stemming ("Koreas" when the text says
  "Korea"), unless it is a letter short of a corpus word of the same stem ("singapor", which
  stems like "Singapore");
- is an English word (the shipped model's vocabulary, then pyspellchecker's word list:
  "Seoul", "warheads", "rote").
Otherwise it becomes the nearest word by Damerau-Levenshtein distance (rapidfuzz), at most 1
for five letters and 2 for more, among the corpus's words and the common English ones: the
nearest first, then a corpus word, then the commoner. A capitalised word inside the question
is a name, so it takes only a corpus word at distance 1 ("Singapor" -> "Singapore", "Kaesong"
stays).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import metadata

import numpy as np

from rag.index.files import atomic_target
from rag.retrieval.lexical import LexicalIndex
from rag.settings import cache_root

WORD = re.compile(r"[^\W\d_]+")  # letters: "Korea's" is "Korea" and "s", as BM25 reads it
TOKEN = re.compile(r"[^\W_]+")  # letters and digits: a token with a digit is a code ("H5N1")
# "…", “…”, «…», „…“: what a user puts around a word to keep it as typed
QUOTED = re.compile("\"[^\"]*\"|\u201c[^\u201d]*\u201d|\u00ab[^\u00bb]*\u00bb"
                    "|\u201e[^\u201c\u201d]*[\u201c\u201d]")
SHORTEST = 5
TWO_EDITS_FROM = 6  # letters from which a word may be two edits from its correction
ENGLISH_EDITS = 1  # from a common English word that is not the corpus's: 1 and 2 tie on dev
LARGE_VOCABULARY = 100_000
MOST_UNKNOWN = 5  # unknown words a question may have and still be corrected


def word_counts(texts: Iterable[str]) -> dict[str, int]:
    """How often each word (lowercased, letters only) occurs in the texts: the words a
    question's typo may be corrected to, stored with each build. Only the `LARGE_VOCABULARY`
    commonest are kept: every question reads them, and a typo's correction is a scan of them
    (20-55 ms a word over 100,000 synthetic words on this machine; a million took 240 ms)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(word.lower() for word in WORD.findall(text))
    return dict(counts.most_common(LARGE_VOCABULARY))


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """The whole words of the shipped model's vocabulary (about 22,000 common English words and
    names): checked first, in 3 ms and 2 MiB, so most questions never load `english`."""
    from rag.index.embedding import model_dir

    lines = (model_dir() / "vocab.txt").read_text(encoding="utf-8").split()
    return frozenset(word for word in lines if word.isalpha())


@lru_cache(maxsize=1)
def common_english() -> Vocabulary:
    """The common words with their English frequencies: what a word the corpus has no near
    match for may become. Only common ones, since an unknown term ("opsin") is likelier meant
    than a rare English word one edit away ("oisin")."""
    return Vocabulary(dict(zip(common_words(), english().counts_of(common_words()),
                               strict=True)))


class EnglishWords:
    """pyspellchecker's English word list (MIT) as sorted UTF-8 strings and their counts: a
    lookup is a binary search in two memory-mapped arrays. Read as pyspellchecker's dict, the
    list cost the first question that needed it 0.5 s and 65 MiB."""

    def __init__(self, words: np.ndarray, counts: np.ndarray) -> None:
        self.words = words
        self.counts = counts

    def position(self, word: str) -> int | None:
        key = word.encode("utf-8")
        if len(key) > self.words.dtype.itemsize:
            return None
        at = int(np.searchsorted(self.words, key))
        return at if at < len(self.words) and self.words[at] == key else None

    def __contains__(self, word: str) -> bool:
        return self.position(word) is not None

    def counts_of(self, words: Collection[str]) -> list[int]:
        """Each word's count (0 if not listed), in one vectorised search."""
        keys = np.array([word.encode("utf-8") for word in words])
        at = np.minimum(np.searchsorted(self.words, keys), len(self.words) - 1)
        fits = np.char.str_len(keys) <= self.words.dtype.itemsize  # else it is cut to fit
        found = fits & (self.words[at] == keys.astype(self.words.dtype))
        return np.where(found, self.counts[at], 0).tolist()

    @classmethod
    def read(cls) -> EnglishWords:
        """From pyspellchecker's own file (0.5 s)."""
        from spellchecker import SpellChecker

        counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
        ordered = sorted((word.encode("utf-8"), count) for word, count in counts.items())
        return cls(np.array([word for word, _ in ordered]),
                   np.array([count for _, count in ordered], dtype=np.int64))


@lru_cache(maxsize=1)
def english() -> EnglishWords:
    """The English word list, made once into the cache (`RAG_CACHE_DIR`) and memory-mapped from
    there; read afresh if the cache cannot be written."""
    folder = cache_root() / "spelling"
    stem = f"english-{metadata.version('pyspellchecker')}"
    paths = folder / f"{stem}-words.npy", folder / f"{stem}-counts.npy"
    if not all(path.exists() for path in paths):
        made = EnglishWords.read()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for path, array in zip(paths, (made.words, made.counts), strict=True):
                with atomic_target(path, ".npy") as temporary, open(temporary, "wb") as out:
                    np.save(out, array)
        except OSError:
            return made
    return EnglishWords(*(np.load(path, mmap_mode="r") for path in paths))


class Vocabulary:
    """Words with their counts, and the same words as a list for rapidfuzz to scan."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self.counts = counts
        self.words = list(counts)

    def __contains__(self, word: str) -> bool:
        return word in self.counts


@dataclass(frozen=True)
class Correction:
    typed: str
    corrected: str


class Speller:
    """Corrects question words towards `corpus` (word -> count; loaded only when a word needs
    it), judging what the index knows by `lexical` (its stemmed BM25 vocabulary)."""

    def __init__(self, corpus: Callable[[], Mapping[str, int]], lexical: LexicalIndex) -> None:
        self._corpus = corpus
        self.lexical = lexical

    @cached_property
    def corpus(self) -> Vocabulary:
        return Vocabulary(self._corpus())

    def correct(self, question: str) -> tuple[str, list[Correction]]:
        """The question with its misspelt words replaced, and what was replaced. A question of
        three words or more most of which are unknown, or with more than `MOST_UNKNOWN`
        unknown words, is left as typed (a one-word search "sumit" is corrected):
        it is in another language ("was passiert heute abend" had become "was passport haute
        bend") or too garbled to guess, and each unknown word costs a scan of the corpus's."""
        if self.left_as_typed(question):
            return question, []
        kept = [match.span() for match in QUOTED.finditer(question)]
        corrections: list[Correction] = []

        def fix(match: re.Match[str]) -> str:
            word = match.group()
            inside = any(start <= match.start() < end for start, end in kept)
            name = word[0].isupper() and question[:match.start()].strip() != ""
            better = None if inside or not (word.isascii() and word.isalpha()) else \
                self.nearest(word, name)
            if better is None:
                return word
            better = better.capitalize() if word[0].isupper() else better
            if Correction(word, better) not in corrections:
                corrections.append(Correction(word, better))
            return better

        return TOKEN.sub(fix, question), corrections

    def left_as_typed(self, question: str) -> list[str]:
        """The unknown words of a question `correct` leaves as typed (most of its words, or more
        than `MOST_UNKNOWN`), so that the user is told; none when it corrects."""
        tokens = TOKEN.findall(question)
        unknown = [token for token in tokens if not self.known(token)]
        if (len(tokens) > 2 and 2 * len(unknown) > len(tokens)) or len(unknown) > MOST_UNKNOWN:
            return unknown
        return []

    def known(self, token: str) -> bool:
        """A code, a word of the corpus or of English, or one the index knows after
        stemming (stop words included)."""
        lowered = token.lower()
        return (not token.isalpha() or lowered in self.corpus or lowered in english()
                or self.lexical.knows(lowered))

    def nearest(self, word: str, name: bool) -> str | None:
        """The word's correction, or None to leave it as typed."""
        lowered = word.lower()
        if (len(word) < SHORTEST or any(letter.isupper() for letter in word[1:])
                or lowered in common_words()):
            return None
        if self.lexical.knows(lowered):
            # Known after stemming: a corpus word, an inflection of one (left alone: "Koreas"
            # where the text says "Korea", "normotensive" where it says "normotensives"), or a
            # typo that stems like one, a letter short ("singapor"), which gets its corpus form.
            if lowered in self.corpus or lowered in english():
                return None
            stem = self.lexical.query_terms(lowered)
            return self.best(lowered, [(self.corpus, 1)], lambda candidate: len(candidate) > len(
                lowered) and candidate != f"{lowered}s"
                and self.lexical.query_terms(candidate) == stem)
        if lowered in english():
            return None
        if name:
            return self.best(lowered, [(self.corpus, 1)])
        limit = 1 if len(word) < TWO_EDITS_FROM else 2
        return self.best(lowered, [(self.corpus, limit),
                                   (common_english(), min(limit, ENGLISH_EDITS))])

    def best(self, word: str, pools: list[tuple[Vocabulary, int]],
             allowed: Callable[[str], bool] = lambda candidate: True) -> str | None:
        """The nearest allowed candidate within each pool's edits: the nearest, then one of
        the first pool (the corpus's), then the commonest."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        found = [(distance, n, -pool.counts[candidate], candidate)
                 for n, (pool, limit) in enumerate(pools) if limit > 0
                 for candidate, distance, _ in process.extract(
                     word, pool.words, scorer=DamerauLevenshtein.distance,
                     score_cutoff=limit, limit=None)
                 if allowed(candidate)]
        return min(found)[3] if found else None
