"""The engine every face uses: open an index, search it, look citations up."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from rag.answer.acronyms import asked_expansion, defines, spelled_out
from rag.answer.answer_type import expected_answer
from rag.answer.candidates import SentenceReader
from rag.answer.dates import with_years
from rag.answer.decision import (
    ANSWERED,
    FILTERED_OUT,
    NO_PASSAGE,
    NO_SEARCH_TERMS,
    TOO_FAR,
    UNDEFINED_ACRONYM,
    UNKNOWN_SEARCH_TERMS,
    Decision,
)
from rag.answer.extraction import AnswerSpan, choose_sentences, format_answer, verified
from rag.answer.names import unknown_names
from rag.answer.quotes import Quote
from rag.answer.reader import ReaderModel, shared_reader
from rag.answer.reading import (
    LIKELY,
    UNCERTAIN,
    UNLIKELY,
    PassageReader,
    Reading,
    Verdict,
    judge,
)
from rag.answer.record_fields import (
    asked_fields,
    holds_every_asked_line,
    may_answer,
    names_its_document,
    narrowed,
)
from rag.answer.relevance import (
    PARTIAL,
    QUOTED,
    no_stronger_than,
    reader_relevance,
    relevance_label,
)
from rag.chunking.passages import Chunk
from rag.cite.lookup import Citation, CitedSpan, cited_span, make_citation, validate_key
from rag.errors import (
    KEY_DOCUMENT_GONE,
    KEY_TEXT_CHANGED,
    IndexIncompatible,
    IndexMissing,
    UnknownCitation,
)
from rag.index.embedding import Embedder, shared_embedder
from rag.index.fingerprint import Freshness, freshness, incompatibilities
from rag.index.manifest import Manifest
from rag.index.store import StoredIndex, load_build
from rag.ingest.documents import Document
from rag.messages import (
    ANSWERED_DESPITE_NAMES,
    CONFIDENCE_ELSEWHERE,
    CONFIDENCE_UNSHOWN,
    NEVER_MENTIONED,
    NO_EXPECTED_ANSWER,
    NO_FILTER_MATCH,
    NO_KNOWN_WORDS,
    NO_SEARCH_WORDS,
    NOT_SPELLED_OUT,
    POINTS_BACK,
    READ_ABOUT,
    READ_AS,
    REFUSAL,
    SPELLED_BY_INITIALS,
    SPELLED_LOOSELY,
    SPELLING_CORRECTED,
    SPELLING_LEFT,
    build_command,
)
from rag.retrieval.filters import Filters, check_order
from rag.retrieval.fusion import DEFAULT_METHOD, check_method
from rag.retrieval.hybrid import HybridRetriever, Scored
from rag.retrieval.question import (
    CleanQuestion,
    about,
    clean_question,
    names_nothing,
    pointing_word,
    question_part,
    stands_alone,
    thing_pointed_to,
    unframed,
)
from rag.retrieval.spelling import Speller
from rag.settings import (
    AbstentionSettings,
    QuerySettings,
    ReaderSettings,
    Settings,
    default_corpus_dir,
    default_index_dir,
)

DEFAULT_K = QuerySettings().k


@dataclass(frozen=True)
class Passage(CitedSpan):
    """One ranked passage with everything needed to cite and check it."""

    rank: int
    authors: list[str]
    date: str | None
    type: str
    score: float
    relevance: str
    signals: dict[str, float]

    def as_dict(self) -> dict[str, object]:
        return {"rank": self.rank, **self.__dict__}


@dataclass
class SearchResult:
    question: str
    passages: list[Passage]
    abstained: bool
    answer: str = ""
    answer_spans: list[AnswerSpan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The best similarity of any sentence of the top passages to the question: what the
    # abstention rule reads (see rag.abstention).
    support: float = 0.0
    decision: Decision = field(default_factory=lambda: Decision(False, ANSWERED))
    # The calibrated probability that the documents answer (the reader's when it is on, else
    # the similarity support's) and its label: "likely", "uncertain", "unlikely" (= refused).
    confidence: float | None = None
    confidence_label: str | None = None
    # What was searched when it differs from the question (`question` is as asked)
    searched_as: str | None = None
    # The shown rank of the passage the reader rates best, which the confidence is of (None:
    # the reader is off, or it is not shown): the passages are ranked by the reader and the
    # search together, so it need not be [1] (a first-time user asked which it was).
    rated_best: int | None = None

    @property
    def searched(self) -> str:
        return self.searched_as or self.question

    def as_dict(self) -> dict[str, object]:
        return {"question": self.question, "searched_as": self.searched_as,
                "answer": self.answer,
                "abstained": self.abstained, "support": round(self.support, 4),
                # down, as shown and as the passages' "reader" signal: 0.99996 rounded to
                # nearest printed "Confidence: 1.00" beside "answers 99%"
                "confidence": None if self.confidence is None else math.floor(
                    self.confidence * 10_000 + 1e-9) / 10_000,
                "confidence_label": self.confidence_label, "rated_best": self.rated_best,
                "answer_spans": [s.as_dict() for s in self.answer_spans],
                "passages": [p.as_dict() for p in self.passages],
                "notes": self.notes, "decision": self.decision.as_dict()}


class Engine:
    """A loaded index and the model that reads questions for it. Load once, ask many."""

    def __init__(self, stored: StoredIndex, corpus_dir: Path,
                 embedder: Embedder | None = None, query: QuerySettings | None = None,
                 reader: ReaderModel | None = None) -> None:
        self.stored = stored
        self.corpus_dir = corpus_dir
        self._embedder = embedder
        self.query = query or QuerySettings()
        self.by_key = {c.key: c for c in stored.chunks}
        self.retriever = HybridRetriever(stored, self.query.fusion)
        self.reader = SentenceReader(stored, self.query.answer)
        self.speller = Speller(lambda: stored.words, stored.lexical)
        self._passage_reader = PassageReader(stored, reader, self.query.reader) \
            if reader is not None else None

    @property
    def passage_reader(self) -> PassageReader | None:
        """Our cross-encoder, loaded on first use; None when the settings turn it off."""
        if not self.query.reader.enabled:
            return None
        if self._passage_reader is None:
            self._passage_reader = PassageReader(self.stored, shared_reader(
                self.query.reader.model), self.query.reader)
        return self._passage_reader

    @property
    def embedder(self) -> Embedder:
        """Loaded on first use: citation lookups and status never pay for the model."""
        if self._embedder is None:
            self._embedder = shared_embedder()
        return self._embedder

    @classmethod
    def open(cls, index_dir: Path | None = None, corpus_dir: Path | None = None,
             settings: Settings | None = None, embedder: Embedder | None = None,
             query: QuerySettings | None = None, reader: ReaderModel | None = None) -> Engine:
        """Load the current build; refuse one built with another model or settings."""
        settings = settings or Settings()
        command = build_command(index_dir, corpus_dir)  # the hint names the user's folders
        try:
            stored = load_build(index_dir or default_index_dir(), settings)
        except IndexMissing as missing:
            raise IndexMissing(missing.index_dir, command) from None
        except IndexIncompatible as incompatible:
            raise IndexIncompatible(incompatible.differences, command) from None
        problems = incompatibilities(stored.manifest, settings,
                                     embedder.identity if embedder else None)
        if problems:
            raise IndexIncompatible(problems, command)
        return cls(stored, corpus_dir or default_corpus_dir(), embedder, query, reader)

    @property
    def manifest(self) -> Manifest:
        return self.stored.manifest

    @property
    def documents(self) -> dict[str, Document]:
        return self.stored.documents

    def freshness(self) -> Freshness:
        """Which corpus files changed since this index was built (cheap: hashes only)."""
        return freshness(self.manifest, self.corpus_dir)

    def search(self, question: str, k: int | None = None, filters: Filters | None = None,
               method: str = DEFAULT_METHOD) -> SearchResult:
        """Ranked passages for a question, best first, each with its citation; an
        extractive answer from them, or a plain refusal when they do not answer it."""
        cleaned = self.read_question(question)
        # The result keeps the question as asked, and what was searched if spelling changed it.
        asked, corrected = cleaned.typed or cleaned.text, cleaned.text if cleaned.typed else None
        k = max(1, min(int(k or self.query.k), 100))
        answer, abstention = self.query.answer, self.query.abstention
        notes = list(cleaned.notes)
        if filters is not None:
            filters.check_documents(self.documents)
            check_order(filters.date_from, filters.date_to)
        mask = None if filters is None or filters.is_empty() else filters.mask(
            self.stored.chunks, self.documents)
        if mask is not None and not mask.any():
            return SearchResult(asked, [], True, REFUSAL, notes=[*notes, NO_FILTER_MATCH],
                                decision=Decision(True, FILTERED_OUT), searched_as=corrected)
        # "What is it about?" with one document to search (filtered to it, or the only one)
        # asks about that document: read so, not refused as pointing to nothing.
        thing = thing_pointed_to(cleaned.text)
        subject = self.only_document(filters) if thing else None
        if subject is not None:
            corrected = about(subject.metadata.title)
            notes.append(READ_ABOUT.format(question=corrected, word=thing))
            cleaned = replace(cleaned, text=corrected)
        # A lead-in ("I have been reading about the talks. When was …?") gives the dense search
        # its topic; the words searched and what is read are the question it leads up to
        # (docs/reader.md: on dev with lead-ins, answerable questions refused 0.355 -> 0.167).
        # (A title may hold sentences of its own: the rewritten question is read whole.)
        posed = cleaned.text if subject else question_part(cleaned.text)
        terms = self.stored.lexical.query_terms(posed)
        if posed != cleaned.text and not stands_alone(terms):  # "… the summit. What happened?"
            posed, terms = cleaned.text, self.stored.lexical.query_terms(cleaned.text)
        if posed != cleaned.text:
            notes.append(READ_AS.format(question=posed))
        if names_nothing(cleaned.text):  # "Where is this from?": nothing to search for
            terms = []
        query = self.embedder.encode_query(cleaned.text)
        unmatched = bool(terms) and not self.stored.lexical.knows_any(terms)
        if not terms:
            pointer = pointing_word(cleaned.text)
            notes.append(POINTS_BACK.format(word=pointer) if pointer else NO_SEARCH_WORDS)
        elif unmatched and not asked_fields(posed):
            notes.append(NO_KNOWN_WORDS)
        quote = Quote.of(cleaned.text if terms else "", answer)
        # Refused unread, whatever the model would make of it: nothing to search for ("???",
        # "the of and"; the reader had called "???" likely, 0.80), or a search of a few words,
        # or a question of one or two search words, none of which the documents use ("NLL",
        # "Kumgang?", answered 0.55 by the meaning of an unknown word).
        # A question asking for a catalogue record's field ("Who wrote it?": "wrote" is in no
        # text) is not blind: the record answers it.
        blind = not terms or (unmatched and not asked_fields(posed)
                              and (quote.search or len(terms) <= 2))
        reader = self.passage_reader
        ranked = self.retriever.score_passages(
            query, terms, mask, max(k, answer.quote_window,
                                    self.query.reader.depth if reader else 0), method)
        chunks = self.stored.chunks
        # "What does DPRK stand for?": only a passage that spells it out may answer, and with
        # none among those found it is refused unread (rag/answer/acronyms.py); one that does
        # is read even if no other word of the search is in the documents ("NLL acronym").
        # The first that spells it out exactly goes first, to be read ("Northern Limit Line"
        # had stood below those read), and answers it as a quote would.
        acronym = asked_expansion(posed) if terms else None
        defining = [s.position for s in ranked
                    if acronym is not None and defines(chunks[s.position].text, acronym)]
        exact = [position for position in defining
                 if defines(chunks[position].text, str(acronym), exactly=True)][:1]
        undefined = acronym is not None and not defining
        if undefined:
            notes.append(NOT_SPELLED_OUT.format(acronym=acronym))
        elif exact:
            notes = [note for note in notes if note != NO_KNOWN_WORDS]
        blind = undefined or (blind and not exact)
        ranked = lifted(ranked, set(exact))
        # Said when the answer rests on initials, as a coincidence may: "What does SA stand
        # for?" and "Southeast Asia"; a loose spelling ("North Korean soldiers" for NKS) is at
        # most uncertain, since the reader rates any passage on the topic highly.
        spelling = spelling_note(acronym, [chunks[p].text for p in exact or defining[:1]],
                                 bool(exact))
        # The records the question asks only a line of, of a document it names by its type
        # (record_fields.names_its_document), go first for the reader, as many as it reads.
        named = set() if blind else {s.position for s in ranked if names_its_document(
            posed, chunks[s.position].text, self.stored.lexical.query_terms)}
        if reader and named:
            ranked = lifted(ranked, named, reader.settings.depth)
        # One that is read answers in its own words, as a quote does, when it is the only
        # document of its type the search admits and holds every line asked: "Who wrote the
        # notes?", of a note added beside the shipped corpus, had been refused (0.55) with
        # "Authors: …" first (a QA pass). With two of the type ("Who wrote the analysis?":
        # two analyses, one with no authors line) which is meant is not known, and the
        # reader decides as before.
        sole = {position for position in named if self.sole_of_its_type(
            chunks[position].doc_id, filters) and holds_every_asked_line(
            posed, chunks[position].text)}
        reading = reader.rerank(unframed(posed), ranked, lambda position: may_answer(
            posed, chunks[position].text, self.stored.lexical.query_terms)) \
            if reader and not blind else None
        if reading is not None:
            ranked = reading.ranked
        # A passage the question quotes comes first: the quoted ones are shifted to score at
        # least the best one, so the order stays the order of the scores.
        quoted = {s.position for s in ranked if quote.in_text(chunks[s.position].text)}
        ranked = lifted(ranked, quoted | set(exact))  # and the acronym's, as read first
        passages = [make_passage(rank, chunks[s.position],
                                 self.documents[chunks[s.position].doc_id], s,
                                 s.position in quoted, abstention, reading,
                                 reader.settings if reader else None)
                    for rank, s in enumerate(ranked[:k], start=1)]
        above = [PARTIAL] if blind else [p.relevance for p in passages if "reader" in p.signals]
        passages = [p if "reader" in p.signals else replace(
            p, relevance=no_stronger_than(p.relevance, above)) for p in passages]
        rules = reader.settings if reader else None
        # A passage read that spells out the acronym asked about answers it in its own words,
        # as a quoted passage does: never refused ("What does NLL stand for?" had been, 0.16);
        # so does the one record the question names by its type, read for the lines it asks.
        verbatim = any(s.position in quoted or s.position in exact or s.position in sole
                       for s in ranked[:answer.passages_read]) and (
            rules is None or rules.quote_rule)
        expected = None if verbatim or (rules and not rules.answer_type_rule) else \
            expected_answer(posed)
        sentences = self.reader.answer_candidates(
            posed, query if posed == cleaned.text else self.embedder.encode_query(posed),
            passages, quote, expected, acronym)
        unknown = [] if verbatim or (rules and not rules.names_rule) else unknown_names(
            posed, lambda word: self.stored.lexical.knows_within(word, mask))
        names = ", ".join(f"\u201c{name}\u201d" for name in unknown)
        decision = Decision(False, ANSWERED, sentences.best, verbatim,
                            expected.name.lower() if expected else None, tuple(unknown))
        verdict = Verdict(True, 0.0, UNLIKELY) if blind else judge(
            reading, sentences.best, verbatim, bool(unknown), abstention,
            reader.settings if reader else self.query.reader)
        if reader and reading:
            sentence_logit = None
            if reader.settings.rescore_sentences:
                sentences, sentence_logit = reader.rescore(unframed(posed), sentences,
                                                                answer)
            decision = replace(decision, reader_logit=reading.best_logit,
                               sentence_logit=sentence_logit, probability=reading.probability,
                               evidence=reading.evidence)
        confidence, label = verdict.confidence, verdict.label
        best = rated_best(ranked[:k], reading) if reading is not None else None
        if not passages or verdict.refuse:
            if unknown:
                notes.append(NEVER_MENTIONED.format(names=names))
            if passages and expected and not sentences.candidates:
                notes.append(NO_EXPECTED_ANSWER.format(expected=expected.value))
            why = NO_PASSAGE if not passages else UNDEFINED_ACRONYM if undefined else \
                TOO_FAR if not blind else UNKNOWN_SEARCH_TERMS if terms else NO_SEARCH_TERMS
            return SearchResult(asked, passages, True, REFUSAL, notes=notes,
                                support=decision.support,
                                decision=replace(decision, abstained=True, reason=why),
                                confidence=confidence, confidence_label=label,
                                searched_as=corrected, rated_best=best)
        if unknown:
            notes.append(ANSWERED_DESPITE_NAMES.format(names=names))
            # at most uncertain: "What did Trump call North Korea?" asked of the report alone
            # (which never names him) had been answered `likely` (0.89) beside this very note
            if label == LIKELY:
                label = UNCERTAIN
        if spelling:
            notes.append(spelling)
            if not exact and label == LIKELY:
                label = UNCERTAIN
        spans = verified(with_years(narrowed(choose_sentences(sentences, answer), posed,
                                             self.stored.lexical.query_terms),
                                    posed, self.reader.sentence_before), self.documents)
        if spans and reading is not None:
            notes += confidence_source([span.passage for span in spans], ranked[:k], best,
                                       reading)
        return SearchResult(asked, passages, False, format_answer(spans), spans, notes,
                            decision.support, decision, confidence, label, corrected, best)

    def sole_of_its_type(self, doc_id: str, filters: Filters | None) -> bool:
        """Is this the only document of its type that the filters admit?"""
        kind = self.documents[doc_id].metadata.type.casefold()
        return sum(doc.metadata.type.casefold() == kind and (filters is None or filters.admits(
            doc)) for doc in self.documents.values()) == 1

    def only_document(self, filters: Filters | None) -> Document | None:
        """The one document the filters admit (or the index holds), or None when there are
        more."""
        admitted = [doc for doc in self.documents.values()
                    if filters is None or filters.admits(doc)]
        return admitted[0] if len(admitted) == 1 else None

    def rank_documents(self, question: str, depth: int = 100,
                       method: str = DEFAULT_METHOD) -> list[tuple[str, float]]:
        """Documents ranked for a question (for document-level benchmarks such as BEIR), reread
        by the reader when it is on; no answer is extracted."""
        check_method(method)
        cleaned = self.read_question(question)
        query = self.embedder.encode_query(cleaned.text)
        terms = self.stored.lexical.query_terms(cleaned.text)
        ranked = self.retriever.rank_documents(query, terms, depth, method)
        reader = self.passage_reader
        return reader.rerank_documents(cleaned.text, ranked) if reader else ranked

    def read_question(self, question: str) -> CleanQuestion:
        """The question cleaned and, unless the settings say not to, its misspellings
        corrected towards the corpus's words, with a note of each change."""
        cleaned = clean_question(question)
        if not self.query.spelling:
            return cleaned
        text, corrections = self.speller.correct(cleaned.text)
        if not corrections:
            unknown = self.speller.left_as_typed(cleaned.text)
            if unknown and self.stored.lexical.knows_any(self.stored.lexical.query_terms(
                    cleaned.text)):  # none known at all: NO_KNOWN_WORDS says it
                words = ", ".join(f"\u201c{word}\u201d" for word in dict.fromkeys(unknown))
                return replace(cleaned, notes=(*cleaned.notes, SPELLING_LEFT.format(words=words)))
            return cleaned
        changes = ", ".join(f"\u201c{c.typed}\u201d \u2192 \u201c{c.corrected}\u201d"
                            for c in corrections)
        return CleanQuestion(text, (*cleaned.notes, SPELLING_CORRECTED.format(changes=changes)),
                             typed=cleaned.text)

    def citations_for(self, passages: list[Passage]) -> dict[str, Citation]:
        """Each passage's citation, by key (for exports); a key gone since is left out."""
        return {p.key: make_citation(self.by_key[p.key], self.documents[p.doc_id])
                for p in passages if p.key in self.by_key}

    def cite(self, key: str) -> Citation:
        """The cited passage in its context, with references; unknown keys are refused."""
        found = validate_key(key)
        chunk = self.by_key.get(found)
        if chunk is None:
            doc_id = found.split(":")[0]
            raise UnknownCitation(key, (KEY_TEXT_CHANGED if doc_id in self.documents
                                        else KEY_DOCUMENT_GONE).format(doc=doc_id))
        return make_citation(chunk, self.documents[chunk.doc_id])


def lifted(ranked: list[Scored], chosen: set[int], most: int | None = None) -> list[Scored]:
    """`ranked` with the chosen passages (by position; the first `most` of them in its order)
    first: shifted together to score at least the best one, so the order stays the order of
    the scores and their differences among themselves are kept."""
    chosen = set([s.position for s in ranked if s.position in chosen][:most])
    if not chosen:
        return ranked
    lift = ranked[0].score - min(s.score for s in ranked if s.position in chosen)
    return sorted((replace(s, score=max(s.score + lift, ranked[0].score))
                   if s.position in chosen else s for s in ranked),
                  key=lambda s: s.position not in chosen)


def spelling_note(acronym: str | None, texts: list[str], exactly: bool) -> str | None:
    """The note for an answer that rests on an acronym's initials, in the first of `texts`
    that spells it (None when brackets define it, or nothing is asked)."""
    words = spelled_out(texts[0], acronym, exactly) if acronym and texts else None
    if words is None:
        return None
    return (SPELLED_BY_INITIALS if exactly else SPELLED_LOOSELY).format(acronym=acronym,
                                                                        words=words)


def rated_best(shown: list[Scored], reading: Reading) -> int | None:
    """The shown rank of the passage the reader rates best, or None when it is not shown
    (`k` below the depth) or none was rated."""
    return next((rank for rank, s in enumerate(shown, start=1) if s.position == reading.best),
                None)


def confidence_source(quoted: list[int], shown: list[Scored], best: int | None,
                      reading: Reading) -> list[str]:
    """A note when the answer is quoted from the passages ranked `quoted` and the confidence
    comes from another one, the reader's best, shown at `best` (None: not shown, `k` below
    the depth); none when a quoted passage is the best or ties with it (the others are capped
    at the confidence)."""
    odds = reading.probabilities
    if reading.best is None or any(odds.get(shown[rank - 1].position) == odds[reading.best]
                                   for rank in quoted):
        return []
    answer = passage_ranks(quoted)
    return [CONFIDENCE_UNSHOWN.format(answer=answer) if best is None
            else CONFIDENCE_ELSEWHERE.format(answer=answer, best=best)]


def passage_ranks(ranks: list[int]) -> str:
    """"passage [1]", "passages [1] and [3]", "passages [1], [2] and [4]"."""
    marks = [f"[{rank}]" for rank in sorted(set(ranks))]
    if len(marks) == 1:
        return f"passage {marks[0]}"
    return f"passages {', '.join(marks[:-1])} and {marks[-1]}"


def make_passage(rank: int, chunk: Chunk, document: Document, scored: Scored,
                 quoted: bool, settings: AbstentionSettings, reading: Reading | None = None,
                 reader_settings: ReaderSettings | None = None) -> Passage:
    """A ranked passage; its label reads the reader's probability when the reader reread it,
    else the closeness of its best sentence."""
    meta = document.metadata
    signals = {"dense": round(scored.dense, 4), "bm25": round(scored.lexical, 4),
               "closeness": round(scored.closeness, 4)}
    probability = reading.probabilities.get(scored.position) if reading else None
    if probability is not None:  # down, as the confidence is shown (0.97996 is not 98%)
        signals["reader"] = math.floor(probability * 10_000 + 1e-9) / 10_000
    if quoted:
        relevance = QUOTED
    elif probability is not None and reader_settings:
        relevance = reader_relevance(probability, reader_settings)
    else:
        relevance = relevance_label(scored.closeness, settings)
    return Passage(
        **cited_span(chunk, document), rank=rank, authors=list(meta.authors), date=meta.date,
        type=meta.type, score=round(scored.score, 4), relevance=relevance, signals=signals)
