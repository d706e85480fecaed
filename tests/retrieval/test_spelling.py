"""Spelling correction of questions: what it changes, and what it must leave as typed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.retrieval import spelling
from rag.retrieval.lexical import LexicalIndex
from rag.retrieval.spelling import Correction, Speller, word_counts
from rag.settings import Settings

TEXTS = [
    "At a historic summit in Singapore in June, the United States and North Korea committed to "
    "new relations.",
    "The report's authors include Jennifer Staats; its neurocognitive findings are not ours.",
    "The two Korea signed a declaration; the sanctions happened to stay for normotensives.",
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    counts = word_counts(TEXTS)
    return Speller(lambda: counts, LexicalIndex.build(TEXTS, Settings()))


@pytest.mark.parametrize(("typed", "expected", "changes"), [
    ("wat hapend in singapor", "wat happened in singapore",
     [Correction("hapend", "happened"), Correction("singapor", "singapore")]),
    ("When was the Singapor sumit?", "When was the Singapore summit?",
     [Correction("Singapor", "Singapore"), Correction("sumit", "summit")]),
    ("Who is Jennifer Staatz?", "Who is Jennifer Staats?", [Correction("Staatz", "Staats")]),
    ("sumit", "summit", [Correction("sumit", "summit")]),  # a one-word search too
])
def test_a_misspelt_word_becomes_the_nearest_corpus_or_english_word(
        speller: Speller, typed: str, expected: str, changes: list[Correction]) -> None:
    assert speller.correct(typed) == (expected, changes)


@pytest.mark.parametrize("question", [
    "How many warheads does North Korea have?",  # English, never in the corpus: the names rule's
    "What did Seoul decide?",                    # a name English knows
    "What is USIPP?",                            # capitals: an acronym or a code
    "Whta is it?",                               # under five letters
    "Was \"sumit\" the word?",                   # quoted: kept as typed
    "Was it \u201csingapor\u201d?",              # curly quotes too
    "What did the two Koreas sign?",             # an inflection of a corpus word
    "Were the normotensive ones seen?",          # ... and the singular of one
    "neurocognition and sanction",               # inflections of corpus words (same stem)
    "When was the Kaesong complex shut?",        # a name two edits from anything in the corpus
    "Wonsan tourism",                            # two edits from English "woman" only
    "Is \u00absumit\u00bb or \u201esumit\u201c the word?",  # guillemets and German quotes
    "what hapend2 in the summit",                # a code, with a digit
    "what häpend in the summit",                 # not ASCII letters only
    "was passiert heute in Singapur",            # another language: most words unknown
    "the hapend, of sumit, and the reprot, in the peice, on the authers, by the speling",
    "\u97e9\u56fd\u4f1a\u53d1\u5c55\u6838\u6b66\u5668\u5417",  # another script
])
def test_real_words_names_acronyms_and_quoted_words_are_left_as_typed(
        speller: Speller, question: str) -> None:
    assert speller.correct(question) == (question, [])


def test_a_large_vocabulary_drops_the_words_seen_once(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["alpha beta beta gamma gamma gamma"]
    assert word_counts(texts) == {"alpha": 1, "beta": 2, "gamma": 3}
    monkeypatch.setattr(spelling, "LARGE_VOCABULARY", 2)
    assert word_counts(texts) == {"beta": 2, "gamma": 3}


def test_a_possessive_is_never_offered_for_a_plural() -> None:
    """The corpus's "Korea’s" had been offered for "Koreas" (the same stem, a letter more)."""
    texts = ["North Korea\u2019s leader met the South."]
    speller = Speller(lambda: word_counts(texts), LexicalIndex.build(texts, Settings()))
    assert speller.correct("What did the two Koreas sign?") == ("What did the two Koreas sign?", [])


def test_the_english_list_is_searched_in_arrays_as_the_dict_it_came_from(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Made once into the cache and memory-mapped after (0.5 s and 65 MiB as a dict)."""
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path))
    spelling.english.cache_clear()
    try:
        made = spelling.english()
        assert sorted(p.name for p in (tmp_path / "spelling").iterdir())[0].endswith("counts.npy")
        spelling.english.cache_clear()
        mapped = spelling.english()
        assert isinstance(mapped.words, np.memmap)
        for word in ("warheads", "seoul", "the"):
            assert word in made and word in mapped
        for word in ("roadmap", "singapor", "x" * 200):
            assert word not in mapped
        the, *others = mapped.counts_of(["the", "singapor", "x" * 200])
        assert the > 1_000_000 and others == [0, 0]
    finally:
        spelling.english.cache_clear()


def test_a_typo_made_twice_is_noted_once(speller: Speller) -> None:
    assert speller.correct("hapend, and hapend again in singapore") == (
        "happened, and happened again in singapore", [Correction("hapend", "happened")])
