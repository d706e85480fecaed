"""Fixed sentences the system says, in one place (the PaperQA2 idea): tests assert on them,
so a refusal can be recognised by machine as well as by a reader."""

import math
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rag.settings import default_corpus_dir, default_index_dir

REFUSAL = "The documents do not say."
REFUSAL_DETAIL = ("No passage in the indexed documents answers this question; the nearest "
                  "passages are shown below, and none comes close enough to answer it.")
# The same when filters are on: only the documents they let through were searched.
FILTERED_REFUSAL_DETAIL = ("No passage in the documents the filters let through answers this "
                           "question; the nearest of them are shown below, and none comes close "
                           "enough to answer it.")
# The same when there is no passage to show (the filters match no document). "The note", not
# "the note above": the CLI writes notes to stderr, which a script may capture apart.
NO_PASSAGE_DETAIL = "There is no passage to show: see the note."
NO_EXPECTED_ANSWER = ("The question asks for {expected}, and none of the best passages "
                      "gives one.")
NEVER_MENTIONED = "The documents searched never mention {names}."
ANSWERED_DESPITE_NAMES = ("The documents searched never mention {names}; the answer below is in "
                          "their own words, so check that it is about what you meant.")
NO_FILTER_MATCH = "No document matches the filters."
NO_SEARCH_WORDS = ("The question has nothing to search for, only common words (such as "
                   "\u201cthe\u201d or \u201cwhat\u201d) or punctuation: name what you are "
                   "looking for.")
POINTS_BACK = ("Each question is read on its own, so \u201c{word}\u201d points to nothing here: "
               "name what you are asking about.")
READ_ABOUT = ("Read as \u201c{question}\u201d: with one document to search, \u201c{word}\u201d is "
              "taken to be that document.")
NOT_SPELLED_OUT = ("No passage found spells out \u201c{acronym}\u201d (in words whose initials "
                   "are its letters, or beside it in brackets), so what it stands for cannot "
                   "be cited from the documents.")
SPELLED_BY_INITIALS = ("\u201c{acronym}\u201d is read as \u201c{words}\u201d, whose initials "
                       "spell it: check that is what it stands for here.")
SPELLED_LOOSELY = ("No passage spells out \u201c{acronym}\u201d exactly; \u201c{words}\u201d has "
                   "its initials, which may be a coincidence, so the answer is at most "
                   "uncertain.")
NO_KNOWN_WORDS = ("None of the question's words occur in the documents (a typo, another "
                  "language, another topic?): the passages below match its meaning only.")
READ_AS = ("Read as the question \u201c{question}\u201d: the sentences before it guided the search "
           "but are not part of what the answer must say.")
SPELLING_LEFT = ("Too many of the question's words are in neither the documents nor the English "
                 "word list to correct its spelling ({words}): it was searched as typed. Check "
                 "the spelling, or ask in fewer words.")
SPELLING_CORRECTED = ("Spelling corrected: {changes}. To search a word as typed, put it in "
                      "quotation marks.")
STALE_INDEX = ("The index is stale ({changes}); results come from the index as built. "
               "Update it with: {command}")
FROM_METADATA = ("This passage is the document's catalogue record, written by this tool from "
                 "the file's metadata (its front matter or PDF properties); the file itself "
                 "does not contain these lines.")
# Above the passages when the reader reread them: a first-time user read "answers 76%" ranked
# above "answers 96%" as a mistake.
RANKING_NOTE = ("Ranked by the reader and the search together; \u201canswers N%\u201d is the "
                "reader's estimate for each passage (for the one it rates best, the answer's "
                "confidence).")
# When the answer sentence comes from another passage than the one the reader rates best: a
# first-time user saw "Confidence 0.99" beside an answer from a passage labelled 76%.
CONFIDENCE_ELSEWHERE = ("The answer is quoted from {answer}; the confidence comes from passage "
                        "[{best}], which the reader rates best.")
CONFIDENCE_UNSHOWN = ("The answer is quoted from {answer}; the confidence comes from a passage "
                      "the reader rates best that is not shown: show more passages to see it.")
# The reader's confidence labels (rag.answer.reading), in words for a reader; {which} is the
# passage rated highest, named when it is shown (`confidence_words`).
CONFIDENCE_WORDS = {
    "likely": "{which} very probably answers this",
    "uncertain": "{which} may answer this; check it",
    "unlikely": "no passage seems to answer this",
}


def confidence_words(label: str, rated_best: int | None = None) -> str:
    """The label in words, naming the passage rated highest when it is shown: ranked by the
    reader and the search together, it need not be [1] ("[1] answers 60%, [3] answers 94%"
    under "the passage rated highest very probably answers this": which? a first-time user
    asked)."""
    which = "the passage rated highest" if rated_best is None else \
        f"passage [{rated_best}], which the reader rates highest,"
    return CONFIDENCE_WORDS[label].format(which=which)


def shown_probability(probability: float) -> str:
    """Two decimals, rounded down: rounded to nearest, 0.7995 showed as 0.80 beside the label
    "uncertain" (`likely` is 0.8 and up), and 0.998 as a certainty, 1.00."""
    return f"{math.floor(probability * 100 + 1e-9) / 100:.2f}"


def confidence_line(result: Mapping[str, Any]) -> str:
    """The probability that the documents answer, in numbers and words (a result's dict)."""
    return (f"Confidence: {shown_probability(result['confidence'])} "
            f"({result['confidence_label']}: "
            f"{confidence_words(result['confidence_label'], result.get('rated_best'))})")


def build_command(index_dir: Path | None = None, corpus_dir: Path | None = None) -> str:
    """The `rag build` that builds this index from this corpus: a hint that said a bare
    `rag build` sent a user of `--index elsewhere` to rebuild the project's own index."""
    command = "rag build"
    for option, given, default in (("--corpus", corpus_dir, default_corpus_dir()),
                                   ("--index", index_dir, default_index_dir())):
        if given is not None and Path(given).resolve() != default.resolve():
            command += f" {option} {shlex.quote(str(given))}"
    return command


def build_summary(report: Any) -> str:
    """What a build did (a rag.index.builder.BuildReport), for the CLI and the app alike."""
    pooled = ("; passage vectors pooled from their sentences', as from "
              f"{report.pooled_from:,} passages on" if report.pooled_from else "")
    return (f"Indexed {report.documents} documents, {report.chunks} passages "
            f"({report.embedded} embedded, {report.reused} reused{pooled}) "
            f"in {report.seconds:.1f} s")
