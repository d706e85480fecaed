"""Names in a question that the documents never mention.

A question about a person, place or event the collection never names ("Stockholm", "Yoon Suk
Yeol") is unlikely to be answered by it, however close its other words come to a passage: on the
dev set, such questions were the likeliest to get a confident wrong answer. Unlikely, not
impossible ("Seoul" for South Korea), so `rag.abstention` asks such a question for more support
rather than refusing it. Names are capitalised
words that do not start a sentence or a quotation (in a search of words, the first word
counts too: "Stockholm summit"); all-capital acronyms are left out, since the
text often spells them out ("NLL", "USIP").

What a "how many" or "how much" question counts is held to the same test, capitalised or not:
documents that never say "warheads" cannot count North Korea's warheads, though a sentence
that counts six countries comes close in meaning.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'\u2019][A-Za-z]+)*\b")
# "how many nuclear warheads does ...": up to four words, ended by the first word that is no
# part of what is counted (an auxiliary, a preposition, a pronoun) or by punctuation, and then
# cut after the first plural ("how many countries want ..." counts countries, not "want"; with
# no plural, "how many people died", the first word alone).
COUNTED = re.compile(r"\bhow (?:many|much)\s+((?:[\w'\u2019-]+\s*){1,4})", re.IGNORECASE)
NOT_COUNTED = frozenset({
    "are", "is", "was", "were", "be", "been", "do", "does", "did", "have", "has", "had", "will",
    "would", "can", "could", "should", "must", "may", "might", "shall", "of", "in", "on", "at",
    "to", "for", "from", "by", "with", "about", "per", "since", "during", "among", "between",
    "than", "the", "a", "an", "and", "or", "there", "their", "its", "his", "her", "our", "your",
    "my", "they", "we", "you", "he", "she", "it", "this", "that", "these", "those"})
STARTERS = ".?!:;\"'(\u201c\u2018"
# A search of words, not a sentence, may start with its name ("Stockholm summit" had been
# answered 0.88 `likely`, "What happened at the Stockholm summit?" 0.66): its first word is
# held to the test too. A search has no question word ("Besides the US, which …" is a
# sentence) and does not start with a word a sentence or a request may start with.
QUESTION_WORD = re.compile(r"\b(?:who|whom|whose|what|when|where|which|why|how)\b",
                           re.IGNORECASE)
OPENERS = frozenset({
    "who", "whom", "whose", "what", "when", "where", "which", "why", "how", "is", "are", "was",
    "were", "do", "does", "did", "can", "could", "should", "would", "will", "has", "have", "had",
    "may", "might", "must", "shall", "please", "tell", "list", "give", "show", "name", "find",
    "explain", "describe", "summarize", "summarise", "compare", "define", "outline", "according",
    "in", "on", "at", "for", "from", "by", "with", "about", "after", "before", "during", "since",
    "between", "among", "under", "if", "and", "or", "but", "so", "also", "any", "some", "each",
    "every", "all", "there", "here", "the", "a", "an", "this", "that", "these", "those", "it",
    "its", "i", "we", "you", "he", "she", "they", "my", "our", "your", "his", "her", "their"})


def counted_words(question: str) -> list[str]:
    """The words of what a "how many/much" question counts ("nuclear warheads"); none else."""
    match = COUNTED.search(question)
    words: list[str] = []
    for word in (match.group(1).split() if match else []):
        if word.casefold() in NOT_COUNTED:
            break
        words.append(word)
        if is_plural(word):
            return [w for w in words if not w.isupper()]  # acronyms: as for names
    return [w for w in words[:1] if not w.isupper()]


def is_plural(word: str) -> bool:
    """An English plural by its ending, roughly: "warheads", "countries"; not "class"."""
    return len(word) > 3 and word.casefold().endswith("s") and not word.casefold().endswith(
        ("ss", "us", "is"))


def is_search(question: str, first: str) -> bool:
    """Is this a search of words ("Stockholm summit"), not a sentence or a request?"""
    return not QUESTION_WORD.search(question) and first.casefold() not in OPENERS


def unknown_names(question: str, known: Callable[[str], bool]) -> list[str]:
    """The question's names, then the words of what it counts, in order and once each, for
    which `known` says no."""
    names: list[str] = []
    for match in NAME.finditer(question):
        before = question[:match.start()].rstrip()
        word = match.group()
        named = before[-1] not in STARTERS if before else is_search(question, word)
        if named and word not in names and not known(word):
            names.append(word)
    return names + [word for word in counted_words(question)
                    if word not in names and not known(word)]
