"""Names in a question that the documents never mention.

A question about a person, place or event the collection never names ("Stockholm", "Yoon Suk
Yeol") is unlikely to be answered by it, however close its other words come to a passage: on the
dev set, such questions were the likeliest to get a confident wrong answer. Unlikely, not
impossible ("Seoul" for South Korea), so `rag.abstention` asks such a question for more support
rather than refusing it. Names are capitalised
words that do not start a sentence or a quotation; all-capital acronyms are left out, since
the text often spells them out ("NLL", "USIP").

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


def unknown_names(question: str, known: Callable[[str], bool]) -> list[str]:
    """The question's names, then the words of what it counts, in order and once each, for
    which `known` says no."""
    names: list[str] = []
    for match in NAME.finditer(question):
        before = question[:match.start()].rstrip()
        word = match.group()
        if before and before[-1] not in STARTERS and word not in names and not known(word):
            names.append(word)
    return names + [word for word in counted_words(question)
                    if word not in names and not known(word)]
