"""Questions asking what an acronym stands for, and the words that spell one out.

"What does DPRK stand for?" had been answered 0.95 `likely` with a sentence that only uses
"DPRK" ("… new U.S.-DPRK relations …"): the reader rates a passage on the acronym's topic as
answering, and the documents never spell it out. Only words whose initials spell the acronym
answer such a question, so it is answered from a sentence that holds them, or refused with a
note when no passage found does.
"""

from __future__ import annotations

import re

ACRONYM = r"(?-i:[A-Z]{2,8})"  # upper case whatever the rest: "EdU", "miRNA" are left alone
ASKS_EXPANSION = re.compile(
    rf"(?i)\b(?:what\s+(?:does|do|did)\s+(?:the\s+)?(?:(?:acronym|abbreviation|letters?)\s+)?"
    rf"(?:in\s+)?(?P<stand>{ACRONYM})s?\b.*?\bstand\s+for\b"
    rf"|what\s+(?:does|do)\s+(?:the\s+)?(?:(?:acronym|abbreviation)\s+)?(?P<mean>{ACRONYM})s?"
    rf"\s+mean\s*[?.!]*\s*$"  # not "What did the US mean by denuclearization?"
    rf"|(?P<stands>{ACRONYM})s?\s+stands?\s+for\b"
    rf"|(?:what\s+is|what['\u2019]s)\s+(?P<short>{ACRONYM})\s+short\s+for\b"
    rf"|full\s+(?:name|form)\s+of\s+(?:the\s+)?(?P<full>{ACRONYM})\b"
    rf"|spell\s+out\s+(?:the\s+)?(?P<spell>{ACRONYM})\b)")
# "ALT telomeres acronym", "SGA abbreviation meaning": a keyword search naming one acronym.
NAMES_ITS_KIND = re.compile(r"(?i)\b(?:acronym|abbreviation)s?\b")
CAPITALS = re.compile(rf"\b{ACRONYM}s?\b")
WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")  # hyphens and slashes part words
MINOR = frozenset({"of", "the", "and", "for", "on", "in", "to", "a", "an", "at", "by", "with"})


def asked_expansion(question: str) -> str | None:
    """The acronym the question asks to have spelled out, if it asks that."""
    asked = ASKS_EXPANSION.search(question)
    if asked:
        return next(value for value in asked.groupdict().values() if value)
    named = {match.rstrip("s") if match.endswith("s") and match[:-1].isupper() else match
             for match in CAPITALS.findall(question)}
    return named.pop() if NAMES_ITS_KIND.search(question) and len(named) == 1 else None


def defines(text: str, acronym: str) -> bool:
    """Whether `text` may say what `acronym` stands for: words whose initials spell it, or the
    acronym in brackets after words or before them ("Poly(A)-specific ribonuclease (PARN)",
    "crosslinking and immunoprecipitation (PAR-CLIP)": not every acronym is its words'
    initials). Generous on purpose: a question it lets through is read as any other."""
    bracketed = re.compile(rf"\([^()]{{0,40}}\b{acronym}s?\b[^()]{{0,20}}\)|\b{acronym}s?\s*\(")
    return spelled_out(text, acronym) is not None or bool(bracketed.search(text))


def spelled_out(text: str, acronym: str) -> str | None:
    """The words of `text` whose initials spell `acronym`, minor words between them skipped
    or used ("United States Institute of Peace", "Department of Defense"), or None. A
    two-letter acronym is spelled only by capitalised words ("United Nations", not "under
    new"), and the acronym itself never spells itself."""
    words = [w for w in WORD.finditer(text) if w[0] != acronym]
    for first in range(len(words)):
        used, at = [], first
        while at < len(words) and len(used) < len(acronym):
            word = words[at][0]
            if word[0].upper() == acronym[len(used)]:
                used.append(words[at])
            elif not used or word.lower() not in MINOR:
                break
            at += 1
        if len(used) == len(acronym) and (len(acronym) > 2 or all(
                w[0][0].isupper() for w in used)) and used[0][0].lower() not in MINOR:
            return text[used[0].start():used[-1].end()]
    return None
