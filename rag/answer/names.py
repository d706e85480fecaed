"""Names in a question that the documents never mention.

A question about a person, place or event the collection never names ("Stockholm", "Yoon Suk
Yeol") is unlikely to be answered by it, however close its other words come to a passage: on the
dev set, such questions were the likeliest to get a confident wrong answer. Unlikely, not
impossible ("Seoul" for South Korea), so `rag.abstention` asks such a question for more support
rather than refusing it. Names are capitalised
words that do not start a sentence or a quotation; all-capital acronyms are left out, since
the text often spells them out ("NLL", "USIP").
"""

from __future__ import annotations

import re
from collections.abc import Callable

NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'\u2019][A-Za-z]+)*\b")
STARTERS = ".?!:;\"'(\u201c\u2018"


def unknown_names(question: str, known: Callable[[str], bool]) -> list[str]:
    """The question's names, in order and once each, for which `known` says no."""
    names: list[str] = []
    for match in NAME.finditer(question):
        before = question[:match.start()].rstrip()
        word = match.group()
        if before and before[-1] not in STARTERS and word not in names and not known(word):
            names.append(word)
    return names
