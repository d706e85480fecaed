"""Clean a user's question before it reaches the retrievers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sentencex

from rag.errors import EmptyQuestion
from rag.settings import MAX_QUESTION_CHARS

GAP = " \u2026 "  # marks where a huge question was cut
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FULL_WIDTH = re.compile("[\u3000\uff01-\uff5e]")  # East Asian keyboards' wide Latin letters
WH_WORD = re.compile(r"(?i)\b(who|whom|whose|what|when|where|which|why|how)\b")
AUXILIARY = re.compile(r"(?i)(is|are|was|were|do|does|did|can|could|will|would|should|has|have|"
                       r"had)\b")
# Words that point back into a lead-in ("… Where is this from?", "… Did he attend?" need what
# came before); not "its", "his", "there" or "such" inside a question, which self-contained
# questions use ("Are there …?", "how the US would pay for its commitments", "such as"): on
# dev, blocking those too left 14 of 235 questions after a lead-in unread as questions. "that"
# and "there" count at the end ("… Who said that?", "What happened there?"), and "that" after
# a verb or a wh-word ("When did that happen?"), where it is not a relative pronoun.
# A question typed straight after a paste that stops mid-sentence ("… for the Korean Peninsu
# Which organisation supported the report?") shares the paste's last sentence: it starts at
# the last capitalised wh-word or auxiliary there that follows a word (not a comma: "Besides
# Frank Aum, Who wrote the report?" asks of Aum) and is not a name's first word ("Will
# Smith", "Can Tho"), the question running from it to the "?".
RUN_ON_QUESTION = re.compile(r"^.*\w\s((?:Who|Whom|Whose|What|When|Where|Which|Why|How|Is|Are"
                             r"|Was|Were|Do|Does|Did|Can|Could|Will|Would|Should|Has|Have"
                             r"|Had)\b(?!\s+[A-Z])[^.!?]*\?)\s*$", re.DOTALL)
REFERRING = re.compile(r"(?i)\b(this|these|those|it|here|they|them|he|she|him|former|latter)\b"
                       r"|\b(that|there)\W*$"
                       r"|\b(is|are|was|were|do|does|did|has|had|about|when|why|how|what) that\b")

# Words that name nothing to look for: wh-words, auxiliaries, pronouns and words that point
# back, and the glue of a follow-up. A question of these alone ("Where is this from?", "What
# about them?", "Tell me more") asks about something said before, and each question is read
# on its own: the reader had answered "What is it?" 0.80 likely with the first definition it
# met. Not "us", which a question may mean as the US. None of the 10,303 written questions of
# eval/ and training/ is made of these alone.
POINTING = frozenset({"this", "these", "those", "it", "its", "that", "there", "here", "they",
                      "them", "their", "he", "she", "him", "his", "her"})
TOPICLESS = POINTING | frozenset({
    "who", "whom", "whose", "what", "when", "where", "which", "why", "how", "is", "are", "was",
    "were", "be", "been", "do", "does", "did", "can", "could", "will", "would", "should", "has",
    "have", "had", "me", "my", "we", "our", "you", "your", "i", "about", "from", "of", "on",
    "in", "to", "for", "with", "at", "by", "as", "so", "and", "or", "but", "then", "now", "more",
    "else", "again", "also", "just", "tell", "explain", "mean", "means", "meant", "say", "says",
    "said", "please", "anything", "something", "all", "the", "a", "an", "one"})
CLITIC = re.compile(r"['\u2019](s|re|ve|ll|d|m)\b")  # "What's this?", "Who's he?"
WORD = re.compile(r"\w+")
# A question framed by its source ("What does the report say about human rights?"): the
# reader had read "report" as the topic and answered with the report's description of itself
# ("This report examines …", 0.92) over the sentence on human rights. The reader reads it as
# "What is said about human rights?"; the search still reads the whole question.
# USIP, "it", "this" or "that" may stand alone as the source ("What does USIP say about …?").
# The words before the source's kind may only be lower-case ("latest", "new") or USIP: a named
# source ("the Trump administration's policy paper", "the UN panel report") is kept for the
# reader, since it tells which text is meant.
FRAMED = re.compile(r"(?i)^(?:and\s+|so\s+)?(?:what|how)\s+(?:does|do|did)\s+(?:(?:the|this|that|"
                    r"these|its|USIP['\u2019]?s?)\s+(?:(?-i:[a-z][\w'\u2019-]*|USIP['\u2019]?s?)"
                    r"\s+){0,3}?(?:report|article|"
                    r"document|paper|fact\s+sheet|piece|brief|analysis|author|text|study|"
                    r"publication|source|summary|USIP)s?|USIP|it|this|that)\s+(?:say|write|mention|state|"
                    r"tell\s+us|tell\s+me)\s+(?:about|on|regarding|concerning)\s+(?P<topic>\S.*)$")
# A question asking what the one thing it points to is, or is about ("What is this about?",
# "Summarize the report"): with one document to search, it asks about that document (`about`).
THING = (r"(?:it|this|that|(?:the|this|that)\s+(?:one|report|document|article|paper|analysis|"
         r"piece|publication|fact\s+sheet|text|brief))")
ABOUT_A_THING = re.compile(
    rf"(?i)^\s*(?:so\s+|and\s+)?(?:please\s+)?(?:what(?:['\u2019]s|\s+is)|what\s+about|"
    rf"tell\s+me\s+(?:more\s+)?about|summari[sz]e|explain|describe)\s+(?P<thing>{THING})"
    rf"(?:\s+(?:all\s+)?about)?(?:,?\s+please)?\s*[?.!]*\s*$")


@dataclass(frozen=True)
class CleanQuestion:
    text: str  # what is searched
    notes: tuple[str, ...] = ()
    typed: str | None = None  # the question before spelling correction, when that changed it


def clean_question(raw: str, limit: int = MAX_QUESTION_CHARS) -> CleanQuestion:
    """Drop control characters and surplus space, narrow full-width letters ("Ｎｏｒｔｈ");
    refuse an empty question; cut a huge one and say so, rather than fail or stall on it. A
    huge question keeps its beginning and its end (at word boundaries): a long paste is
    usually followed by the question itself."""
    text = unicodedata.normalize("NFC", CONTROL.sub(" ", raw or ""))
    text = FULL_WIDTH.sub(lambda wide: unicodedata.normalize("NFKC", wide.group()), text)
    text = " ".join(text.split())
    if not text:
        raise EmptyQuestion()
    if len(text) <= limit:
        return CleanQuestion(text)
    half = (limit - len(GAP)) // 2
    head = text[:half].rsplit(" ", 1)[0] or text[:half]
    tail = text[-half:].split(" ", 1)[-1] or text[-half:]
    return CleanQuestion(f"{head}{GAP}{tail}", (
        f"The question was {len(text):,} characters long; only its first {len(head):,} and "
        f"last {len(tail):,} characters were used.",))


def question_part(text: str) -> str:
    """The question a lead-in leads up to, which the reader reads. That is the run of sentences
    ending in "?" at the end of `text`, when other sentences come before it ("I have been
    reading about the talks. When was the Hanoi summit?" had dropped the reader's logit from
    1.7 to -1.8, and with three such sentences the question was refused); then what follows a
    colon, if it ends in "?" and what comes before the colon is not itself a question ("Quick
    question for my thesis: who wrote the report?", but not "Who said: peace is a process?").
    A last sentence that does not open like a question is read from its last capitalised
    wh-word or auxiliary, if what follows ends in "?" (`RUN_ON_QUESTION`: a paste that stops
    mid-sentence, then the question; answered with the paste's first sentence, 0.99, before).
    It is used only if it opens like a question and does not point back into what came before;
    otherwise the whole text is. Sentences by sentencex, as in passages."""
    bounds = [(b["start_index"], b["end_index"])
              for b in sentencex.get_sentence_boundaries("en", text)
              if not b.get("is_paragraph_break") and text[b["start_index"]:b["end_index"]].strip()]
    asking = len(bounds)
    while asking and text[bounds[asking - 1][0]:bounds[asking - 1][1]].rstrip().endswith("?"):
        asking -= 1
    posed = text[bounds[asking][0]:].strip() if 0 < asking < len(bounds) else text
    run_on = None if opens_a_question(posed) else RUN_ON_QUESTION.search(posed)
    if run_on:
        posed = run_on.group(1)
    lead, colon, after = posed.rpartition(": ")
    if colon and "?" not in lead and after.endswith("?") and not opens_a_question(lead):
        posed = after
    return posed if opens_a_question(posed) and not REFERRING.search(posed) else text


def stands_alone(terms: list[str]) -> bool:
    """Whether a question's search terms name something besides wh-words: two at least. "Tell
    me about the summit in Hanoi. What happened?" read as "What happened?" (terms "what",
    "happen") lost its topic, and "… Why?" was refused unread."""
    return len({term for term in terms if not WH_WORD.fullmatch(term)}) >= 2


def opens_a_question(text: str) -> bool:
    """An auxiliary first ("Did …", "Is …") or a wh-word in the first three words ("In which
    year …", "And who …"); "H2A." + "Z exchange activity?", a sentence split in a name, is not."""
    words = text.split()
    return bool(words) and (bool(AUXILIARY.match(words[0])) or any(
        WH_WORD.fullmatch(word.strip(",;\"'\u201c\u2018(")) for word in words[:3]))


def names_nothing(text: str) -> bool:
    """Whether every word of the question is one that names nothing (TOPICLESS)."""
    words = WORD.findall(CLITIC.sub("", text.lower()))
    return bool(words) and all(word in TOPICLESS for word in words)


def pointing_word(text: str) -> str | None:
    """The question's first word that points back to something said before ("this")."""
    return next((w for w in WORD.findall(text.lower()) if w in POINTING), None)


def thing_pointed_to(question: str) -> str | None:
    """The words by which a question asking what a thing is, or is about, points to it ("it",
    "this report"), or None for any other question: "Where is this from?" read as about the
    one document was answered with a sentence on its topic (0.98), and a person ("What
    about them?") is not a document."""
    asked = ABOUT_A_THING.match(question)
    return asked["thing"] if asked else None


def about(subject: str) -> str:
    """The question asked of one document's title, for one that points to it."""
    return f"What is {subject} about?"


def unframed(question: str) -> str:
    """The question the reader reads: one framed by its source ("What does the report say
    about X?") as "What is said about X?"; any other as asked."""
    framed = FRAMED.match(question.strip())
    return f"What is said about {framed['topic']}" if framed else question
