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
# The acronym must be what is asked about, the question ending on it (or on a context, "in gut
# neurophysiology"): "What does the DPRK regime stand for?", "Will the DPRK stand for a
# vote?", "What is the full name of the DPRK leader?" ask something else (a review found them
# refused by this rule).
END = r"(?:\s+in\s+[^?]*)?\s*[?.!]*\s*$"
ASKS_EXPANSION = re.compile(
    rf"(?i)^\s*(?:(?:so|and)\s+)?(?:"
    rf"what\s+(?:does|do|did)\s+(?:the\s+)?(?:(?:acronym|abbreviation)\s+)?"
    rf"(?:[\w-]*-)?(?P<stand>{ACRONYM})s?\s+(?:stand\s+for|mean){END}"
    rf"|what\s+do\s+the\s+letters\s+(?:in|of)\s+(?P<letters>{ACRONYM})(?:\s+\w+)?\s+stand\s+for"
    rf"{END}"
    rf"|(?:[\w-]*-)?(?P<stands>{ACRONYM})s?\s+stands?\s+for{END}"
    rf"|(?:what\s+is|what['\u2019]s)\s+(?:the\s+)?(?P<short>{ACRONYM})\s+short\s+for{END}"
    rf"|what\s+is\s+the\s+full\s+(?:name|form)\s+of\s+(?:the\s+)?(?P<full>{ACRONYM})s?{END}"
    rf"|spell\s+out\s+(?:the\s+)?(?P<spell>{ACRONYM})s?{END})")
# "ALT telomeres acronym", "SGA abbreviation meaning": a short keyword search naming one
# acronym, not a question ("Does the report on the DPRK use abbreviations?").
NAMES_ITS_KIND = re.compile(r"(?i)\b(?:acronym|abbreviation)s?\b")
QUESTION_OPENING = re.compile(r"(?i)^\s*(?:who|whom|whose|what|when|where|which|why|how|is|are|"
                              r"was|were|do|does|did|can|could|will|would|should|has|have)\b")
CAPITALS = re.compile(rf"\b{ACRONYM}s?\b")
WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")  # hyphens and slashes part words
MINOR = frozenset({"of", "the", "and", "for", "on", "in", "to", "a", "an", "at", "by", "with"})
SENTENCE_STOP = re.compile(r"[.;:!?]")


def asked_expansion(question: str) -> str | None:
    """The acronym the question asks to have spelled out, if it asks that. A question typed in
    capitals ("WHAT DOES IT STAND FOR?") names no acronym by its case."""
    if not any(c.islower() for c in question):
        return None
    asked = ASKS_EXPANSION.search(question)
    if asked:
        return next(value for value in asked.groupdict().values() if value)
    if QUESTION_OPENING.match(question) or len(question.split()) > 6:
        return None
    named = {match.rstrip("s") if match.endswith("s") and match[:-1].isupper() else match
             for match in CAPITALS.findall(question)}
    return named.pop() if NAMES_ITS_KIND.search(question) and len(named) == 1 else None


def defines(text: str, acronym: str) -> bool:
    """Whether `text` may say what `acronym` stands for: words whose initials spell it, or the
    acronym alone in brackets ("Poly(A)-specific ribonuclease (PARN)", "crosslinking and
    immunoprecipitation (PAR-CLIP)": not every acronym is its words' initials), or before
    brackets opening on its first letter ("GITR (glucocorticoid-induced TNFR …)"; not "the
    DPRK (see above)")."""
    bracketed = re.compile(rf"\((?:[\w-]*-)?{acronym}(?:-\w+)?s?\)"  # "… (PAR-CLIP)"
                           rf"|\b{acronym}s?\s*\((?i:{acronym[0]})")  # "GITR (glucocorticoid-…"
    return spelled_out(text, acronym) is not None or bool(bracketed.search(text))


def spelled_out(text: str, acronym: str) -> str | None:
    """The words of `text`, in one sentence, whose initials spell `acronym`, lower-case minor
    words between them skipped ("United States Institute of Peace"), or None. A lower-case
    minor word is never one of the letters: "regime on the Korean" had spelled ROK, "United
    States and" USA. A two-letter acronym is spelled only by capitalised words ("United
    Nations", not "under new"), and no acronym is one of its words ("US-North" is not UN)."""
    words = [w for w in WORD.finditer(text) if not (len(w[0]) > 1 and w[0].isupper())]
    for first in range(len(words)):
        used: list[re.Match[str]] = []
        for word in words[first:]:
            if used and SENTENCE_STOP.search(text, used[-1].end(), word.start()):
                break
            minor = word[0].lower() in MINOR and word[0][0].islower()
            if not minor and word[0][0].upper() == acronym[len(used)]:
                used.append(word)
                if len(used) == len(acronym):
                    break
            elif not used or not minor:
                break
        if len(used) == len(acronym) and (len(acronym) > 2 or all(
                w[0][0].isupper() for w in used)):
            return text[used[0].start():used[-1].end()]
    return None
