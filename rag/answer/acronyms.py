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
# The acronym must be what is asked about: after "what (does)" or at the start, right before
# "stand for", "mean" or "short for", or right after "full name of" or "spell out", and the
# question ending there (or on a context, "in gut neurophysiology", or ", exactly"). "What does
# the DPRK regime stand for?", "Will the DPRK stand for a vote?", "What values does the US stand
# for?", "Who does the ROK stand for?", "What is the full name of the DPRK leader?" ask
# something else (reviews found them taken by this rule); a lead-in may come before ("Can you
# tell me what NLL stands for?", "In USIP reports, what does NLL stand for?").
END = r"(?:\s*,\s*(?:exactly|again|please|then))?(?:\s+in\s+[^?]*)?\s*[?.!]*\s*$"
PREFIXED = r"(?:[\w-]*-)?"  # "EML4-ALK": the acronym after the hyphen
ASKED = (r"(?:^\s*|\bwhat(?:['\u2019]s\s+|\s+(?:(?:does|do|did|is)\s+)?))(?:the\s+)?"
         r"(?:(?:acronym|abbreviation|letters?)\s+(?:(?:in|of)\s+)?)?")
ASKS_EXPANSION = re.compile(
    rf"(?i)(?:{ASKED}{PREFIXED}(?P<stand>{ACRONYM})s?\s+stands?\s+for(?:\s+what)?{END}"
    rf"|\bletters\s+(?:in|of)\s+(?P<letters>{ACRONYM})\s+\w+\s+stand\s+for{END}"
    rf"|{ASKED}{PREFIXED}(?P<mean>{ACRONYM})s?\s+mean{END}"
    rf"|{ASKED}(?P<short>{ACRONYM})\s+short\s+for{END}"
    rf"|\bfull\s+(?:name|form)\s+of\s+(?:the\s+)?(?P<full>{ACRONYM})s?{END}"
    rf"|\bspell\s+out\s+(?:the\s+)?(?P<spell>{ACRONYM})s?{END})")
# "ALT telomeres acronym", "SGA abbreviation meaning": a short keyword search naming one
# acronym, not a question ("Does the report on the DPRK use abbreviations?").
NAMES_ITS_KIND = re.compile(r"(?i)\b(?:acronym|abbreviation)s?\b")
QUESTION_OPENING = re.compile(r"(?i)^\s*(?:who|whom|whose|what|when|where|which|why|how|is|are|"
                              r"was|were|do|does|did|can|could|will|would|should|has|have)\b")
CAPITALS = re.compile(rf"\b{ACRONYM}s?\b")
WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")  # hyphens and slashes part words
MINOR = frozenset({"of", "the", "and", "for", "on", "in", "to", "a", "an", "at", "by", "with"})
SENTENCE_STOP = re.compile(r"[.;:!?]")
# Exactly: nor a comma, dash, bracket, quote, line break or heading between the words (items
# of a list, "About the Authors\n\nFrank Aum" for AAFA, a review found).
LIST_STOP = re.compile(r"[.;:!?,\u2014\u2013()\"\u201c\u201d#&\n]")


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


def defines(text: str, acronym: str, exactly: bool = False) -> bool:
    """Whether `text` may say what `acronym` stands for: words whose initials spell it, or the
    acronym alone in brackets ("Poly(A)-specific ribonuclease (PARN)", "crosslinking and
    immunoprecipitation (PAR-CLIP)": not every acronym is its words' initials), or before
    brackets opening on its first letter ("GITR (glucocorticoid-induced TNFR …)"; not "the
    DPRK (see above)"). `exactly`: only brackets, or capitalised words with nothing between
    them but minor words (what lets an answer stand as a quote does: "North Korean soldiers"
    for NKS, "South Korea, China" for SKC are coincidences, a review found)."""
    bracketed = re.compile(rf"\((?:[\w-]*-)?{acronym}(?:-\w+)?s?\)"  # "… (PAR-CLIP)"
                           rf"|\b{acronym}s?\s*\((?i:{acronym[0]})")  # "GITR (glucocorticoid-…"
    return spelled_out(text, acronym, exactly) is not None or bool(bracketed.search(text))


def spelled_out(text: str, acronym: str, exactly: bool = False) -> str | None:
    """The words of `text`, in one sentence, whose initials spell `acronym`, or None. A
    lower-case minor word between them is skipped; "of" is a letter only between two
    capitalised words that are ("Republic of Korea", "Department of Defense"): "regime on the
    Korean" had spelled ROK, "United States and" USA, "Line of the Demilitarized" LTD. A
    two-letter acronym, or any with `exactly`, is spelled only by capitalised words ("United
    Nations", not "under new"); with `exactly` each has two letters or more ("Patricia M" is
    no PM), at most one minor word and nothing of LIST_STOP stands between two ("Supported by
    the Asia" is no SA). No acronym is one of the words ("US-North" is not UN)."""
    words = [w for w in WORD.finditer(text) if not (len(w[0]) > 1 and w[0].isupper())]
    stop = LIST_STOP if exactly else SENTENCE_STOP
    for first in range(len(words)):
        used: list[re.Match[str]] = []
        skipped = 0
        for at, word in enumerate(words[first:], start=first):
            if used and stop.search(text, used[-1].end(), word.start()):
                break
            needed = acronym[len(used)]
            minor = word[0].lower() in MINOR and word[0][0].islower()
            following = words[at + 1][0] if at + 1 < len(words) else ""
            a_letter = word[0][0].upper() == needed and (exactly is False or len(word[0]) > 1) \
                and (not minor or (word[0] == "of" and used and used[-1][0][0].isupper()
                                   and len(used) + 1 < len(acronym) and following[:1].isupper()
                                   and following[0] == acronym[len(used) + 1]))
            if a_letter:
                used.append(word)
                skipped = 0
                if len(used) == len(acronym):
                    break
            elif not used or not minor or (exactly and skipped):  # exactly: one minor word
                break
            else:
                skipped += 1
        if len(used) == len(acronym) and ((len(acronym) > 2 and not exactly) or all(
                w[0][0].isupper() or w[0] in MINOR for w in used)):
            return text[used[0].start():used[-1].end()]
    return None
