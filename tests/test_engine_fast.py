"""`Engine.search` end to end in the fast tier: the real chunker, BM25, FAISS, fusion, quote,
answer, abstention and citation code over the shipped corpus, with the hashed bag-of-words
embedder in place of MiniLM (tests/fake_embedder.py). The same paths run with the real model
in the slow tier (test_engine.py, test_quality.py)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pytest

from rag.answer.decision import ANSWERED, FILTERED_OUT, TOO_FAR, Decision
from rag.answer.reading import Reading
from rag.answer.relevance import QUOTED
from rag.engine import Engine, SearchResult, confidence_source, rated_best
from rag.errors import (
    KEY_DOCUMENT_GONE,
    KEY_TEXT_CHANGED,
    MALFORMED_KEY,
    RagError,
    UnknownCitation,
)
from rag.evaluation.run import evaluate_file
from rag.index.builder import build_index
from rag.messages import NO_KNOWN_WORDS, POINTS_BACK, READ_ABOUT, REFUSAL, confidence_line
from rag.retrieval.filters import Filters
from rag.retrieval.hybrid import Scored
from rag.settings import QuerySettings, ReaderSettings
from tests.fake_embedder import HashedBagOfWords
from tests.fake_reader import WordOverlapReader
from tests.search_checks import assert_ranked_exact_spans

ROOT = Path(__file__).resolve().parent.parent
REPORT = "peace-regime-for-the-korean-peninsula"


def test_the_fast_engine_runs_on_the_fake_embedder(fake_engine: Engine) -> None:
    assert isinstance(fake_engine.embedder, HashedBagOfWords)
    before = fake_engine.embedder.calls
    fake_engine.search("peace regime")
    assert fake_engine.embedder.calls == before + 1  # the question, and nothing else


def test_passages_are_exact_spans_ranked_by_score_and_cited(fake_engine: Engine) -> None:
    result = fake_engine.search("nuclear weapons in South Korea", k=6)
    assert_ranked_exact_spans(fake_engine, result, 6)
    for passage in result.passages:
        citation = fake_engine.cite(passage.key)
        assert citation.text == passage.text and citation.start == passage.start


def long_sentence(engine: Engine) -> str:
    document = engine.documents[REPORT].text
    return next(s.strip() for s in document.split(". ") if len(s.split()) > 14) + "."


def test_a_quoted_sentence_finds_its_passage_first(fake_engine: Engine) -> None:
    sentence = long_sentence(fake_engine)
    top = fake_engine.search(f'"{sentence[:150]}"').passages[0]
    assert top.doc_id == REPORT and sentence[:150] in top.text
    assert top.relevance == QUOTED


def test_a_quoted_passage_ranked_lower_comes_first_with_scores_still_in_order(
        fake_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quoted passage is moved first and shifted to score at least the best one (it came
    first with a lower score once int8 questions moved a near tie)."""
    quote = long_sentence(fake_engine)[:150]
    real = fake_engine.retriever.score_passages

    def demoted(*args: object, **kwargs: object) -> list:
        ranked = real(*args, **kwargs)
        chunks = fake_engine.stored.chunks
        at = next(i for i, s in enumerate(ranked) if quote in chunks[s.position].text)
        moved = replace(ranked.pop(at), score=ranked[3].score - 1.0)
        return [*ranked[:4], moved, *ranked[4:]]

    monkeypatch.setattr(fake_engine.retriever, "score_passages", demoted)
    result = fake_engine.search(f'"{quote}"', k=6)
    assert quote in result.passages[0].text and result.passages[0].relevance == QUOTED
    assert_ranked_exact_spans(fake_engine, result, 6)


def test_answers_are_verified_spans_of_their_passages(fake_engine: Engine) -> None:
    # The fake embedder is close only on shared words: the question reuses a sentence's words.
    result = fake_engine.search("Is it true that " + long_sentence(fake_engine).rstrip(".") + "?")
    assert not result.abstained and result.answer_spans
    for span in result.answer_spans:
        assert fake_engine.documents[span.doc_id].text[span.start:span.end] == span.text
        assert span.text in result.answer


def test_a_question_in_no_words_of_the_collection_is_refused(fake_engine: Engine) -> None:
    result = fake_engine.search("Zxqv blorp frumious?")
    assert result.abstained and result.answer == REFUSAL
    assert NO_KNOWN_WORDS in result.notes


@pytest.mark.parametrize("filters", [Filters(doc_ids=frozenset({REPORT})),
                                     Filters(types=frozenset({"Fact Sheet"}))])
def test_filters_restrict_every_passage(fake_engine: Engine, filters: Filters) -> None:
    result = fake_engine.search("North Korea", k=10, filters=filters)
    assert result.passages
    for passage in result.passages:
        assert not filters.doc_ids or passage.doc_id in filters.doc_ids
        assert not filters.types or passage.type in filters.types


@pytest.mark.parametrize(("key", "why"), [
    # a key copied before a rebuild: it had been told how keys look
    (f"{REPORT}:000000000A", KEY_TEXT_CHANGED.format(doc=REPORT)),
    ("lighthouse:6c6c74ec0b", KEY_DOCUMENT_GONE.format(doc="lighthouse")),
    ("../../etc/passwd", MALFORMED_KEY)])
def test_an_unknown_citation_is_refused_saying_why(fake_engine: Engine, key: str,
                                                    why: str) -> None:
    with pytest.raises(UnknownCitation) as refused:
        fake_engine.cite(f" {key} ")
    assert str(refused.value) == f"No passage has the citation key {key!r} in this index. {why}"


def test_a_citation_key_typed_in_capitals_is_found(fake_engine: Engine) -> None:
    key = fake_engine.stored.chunks[0].key
    assert fake_engine.cite(f" {key.upper()} ").key == key


def test_a_key_is_read_out_of_what_is_pasted_around_it(fake_engine: Engine) -> None:
    """The app's own link to a citation, the Markdown export's backticks and a full stop had
    each been refused by the lookup box (a first-time user's finding)."""
    key = fake_engine.stored.chunks[0].key
    link = "http://127.0.0.1:8501/?" + urlencode({"cite": key})
    for pasted in (link, f"`{key}`", f"See {key}.", f"({key})", key.replace(":", "%3A"),
                   f"[{key}]({link})", f"{key} {key.upper()}"):  # the same key twice is one
        assert fake_engine.cite(pasted).key == key, pasted
    other = fake_engine.stored.chunks[1].key
    doc, tail = key.split("-", 1)  # a key broken in two is not read as its tail
    for pasted in (f"{key} {other}", f"{key}0", f"x{key}", f"{key}:1", f"{doc}-\n{tail}",
                   f"{doc}\u2011{tail}"):
        with pytest.raises(UnknownCitation):
            fake_engine.cite(pasted)
    # two keys are named, not called one unknown key (a QA pass); nothing is named as empty
    with pytest.raises(UnknownCitation, match=rf"holds 2 citation keys \({key}, {other}\): "
                       "look up one at a time"):
        fake_engine.cite(f"{key}, {other}")
    with pytest.raises(UnknownCitation, match=r"^No citation key given\. Keys look like"):
        fake_engine.cite("  ")


def test_bulk_evaluation_scores_a_question_file(fake_engine: Engine) -> None:
    rows, summary = evaluate_file(ROOT / "eval" / "devset.jsonl", fake_engine)
    assert len(rows) == summary["questions"] == 83
    assert 0 < summary["recall@1"] <= summary["recall@5"] <= summary["recall@10"] <= 1
    assert summary["citations_verified"] == 1.0
    assert summary["abstained"] == sum(row["abstained"] for row in rows)


def test_the_decision_record_says_why(fake_engine: Engine) -> None:
    refused = fake_engine.search("Zxqv blorp frumious?")
    assert refused.decision.abstained and refused.decision.reason == TOO_FAR
    assert refused.decision.support == refused.support
    quoted = fake_engine.search(f'"{long_sentence(fake_engine)[:150]}"')
    assert quoted.decision.verbatim and not quoted.decision.abstained
    assert quoted.decision.reason == ANSWERED and quoted.as_dict()["decision"]["verbatim"]
    nothing = fake_engine.search("peace", filters=Filters(date_from="1900-01", date_to="1900-12"))
    assert nothing.decision == Decision(True, FILTERED_OUT) and not nothing.passages
    counting = fake_engine.search("How many soldiers does North Korea have?")
    assert counting.decision.expected == "number"


def with_reader(engine: Engine) -> Engine:
    """The same index and embedder with the (word-overlap) reader on."""
    return Engine(engine.stored, engine.corpus_dir, engine.embedder,
                  QuerySettings(reader=ReaderSettings(enabled=True)), reader=WordOverlapReader())


def test_the_retriever_alone_ranks_best_first(fake_engine: Engine) -> None:
    question = "nuclear weapons in South Korea"
    query = fake_engine.embedder.encode_query(question)
    terms = fake_engine.stored.lexical.query_terms(question)
    scored = fake_engine.retriever.score_passages(query, terms, None, 5)
    assert [s.score for s in scored] == sorted((s.score for s in scored), reverse=True)
    keys = [fake_engine.stored.chunks[s.position].key for s in scored]
    alone = fake_engine.search(question, k=5)  # the reader is off by default
    assert keys == [p.key for p in alone.passages]
    assert all("reader" not in p.signals for p in alone.passages)
    assert alone.decision.reader_logit is None


def test_without_the_reader_the_confidence_is_the_calibrated_support(fake_engine: Engine) -> None:
    settings = fake_engine.query.abstention
    for question in ("nuclear weapons in South Korea", "Zxqv blorp frumious?"):
        result = fake_engine.search(question)
        expected = 1 / (1 + math.exp(-(settings.confidence_scale * result.support
                                       + settings.confidence_shift)))
        assert result.confidence == pytest.approx(expected)
        assert (result.confidence_label == "unlikely") == result.abstained


def test_the_reader_reorders_what_retrieval_found_by_its_logits(fake_engine: Engine) -> None:
    question = "nuclear weapons in South Korea"
    depth = fake_engine.query.reader.depth
    found = fake_engine.search(question, k=2 * depth).passages
    reread = with_reader(fake_engine).search(question, k=2 * depth)
    assert {p.key for p in reread.passages} == {p.key for p in found}  # same passages
    # A catalogue record asked nothing of is reread but has no say: below, without a number,
    # and the passage after the first `depth` is read in its place.
    read = [p for p in reread.passages if "reader" in p.signals]
    records = [p for p in found[:depth] if p.from_metadata]
    assert records, "the test needs a record among the first passages"
    assert len(read) == depth
    assert all(p.from_metadata for p in reread.passages[len(read):len(read) + len(records)])
    probabilities = [p.signals["reader"] for p in read]
    assert probabilities == sorted(probabilities, reverse=True)
    assert reread.confidence is not None  # stored rounded down, as it is shown
    assert math.floor(reread.confidence * 10_000) / 10_000 == probabilities[0]
    assert reread.decision.probability == reread.confidence


def test_sentence_rescoring_reads_only_the_shortlist_it_is_given(fake_engine: Engine) -> None:
    """`rescore_sentences = n`: the reader reads the n sentences that cosine and overlap rank
    best, and the answer comes from among them."""
    question = "What are the risks if South Korea builds nuclear weapons?"

    def engine_with(limit: int) -> tuple[Engine, WordOverlapReader]:
        reader = WordOverlapReader()
        return Engine(fake_engine.stored, fake_engine.corpus_dir, fake_engine.embedder,
                      QuerySettings(reader=ReaderSettings(enabled=True,
                                                          rescore_sentences=limit)),
                      reader=reader), reader

    plain, plain_reader = engine_with(0)
    baseline = plain.search(question)
    passages_read = plain_reader.pairs
    assert baseline.decision.sentence_logit is None
    for limit in (1, 3):
        engine, reader = engine_with(limit)
        result = engine.search(question)
        assert reader.pairs == passages_read + limit
        assert result.decision.sentence_logit is not None
        if limit == 1:  # the one sentence read is the best one without rescoring
            assert len(result.answer_spans) == 1
            assert result.answer_spans[0].text in {s.text for s in baseline.answer_spans}


@pytest.mark.parametrize("bad", [True, False, -1])
def test_rescore_sentences_is_a_count_not_a_switch(bad: object) -> None:
    """It was a bool: `True` would now quietly mean one sentence, so it is refused."""
    with pytest.raises(ValueError, match="how many sentences to reread"):
        ReaderSettings(rescore_sentences=bad)  # type: ignore[arg-type]


def test_a_date_range_that_ends_before_it_starts_is_refused_by_the_engine(
        fake_engine: Engine) -> None:
    """So the CLI, the app's sidebar and a script all say why nothing matches."""
    with pytest.raises(RagError, match="from 2021-01 is after to 2020"):
        fake_engine.search("peace regime", filters=Filters(date_from="2021-01", date_to="2020"))


def test_an_index_of_one_document_reads_a_question_pointing_to_it_as_about_it(
        tmp_path: Path, fake_engine: Engine) -> None:
    """The one document needs no filter; its title's own sentences ("… Risks. Next Steps:
    …") are part of the question, not a lead-in before it (a review found "What Now
    about?" read)."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    source = (ROOT / "corpus" / "risks-of-south-korea-nuclear-armament.md").read_text("utf-8")
    title = "Should South Korea Go Nuclear? Risks. Next Steps: What Now"
    (corpus / "one.md").write_text(source.replace(
        "The Risks of South Korea\u2019s Nuclear Armament Under a Troubled Democracy", title, 1),
        encoding="utf-8")
    embedder = HashedBagOfWords()
    build_index(corpus, index, embedder=embedder)
    engine = Engine.open(index, corpus, embedder=embedder, query=fake_engine.query)
    result = engine.search("What is it about?")
    searched = f"What is {title} about?"
    assert result.notes == [READ_ABOUT.format(question=searched, word="it")]
    assert result.searched_as == searched and result.passages
    two = Filters(doc_ids=frozenset({REPORT, "risks-of-south-korea-nuclear-armament"}))
    refused = fake_engine.search("What is it about?", filters=two)
    assert refused.abstained and refused.notes == [POINTS_BACK.format(word="it")]


def test_a_word_is_known_within_the_passages_a_filter_admits(fake_engine: Engine) -> None:
    """The names rule under a filter: the report never says "Hanoi"; another document does."""
    lexical = fake_engine.stored.lexical
    report = Filters(types=frozenset({"Report"})).mask(fake_engine.stored.chunks,
                                                      fake_engine.documents)
    assert lexical.knows_within("Hanoi", None) and not lexical.knows_within("Hanoi", report)
    assert lexical.knows_within("peace", report) and lexical.knows_within("the", report)
    assert not lexical.knows_within("warheads", None)
    # a term's postings are the passages BM25 scores for it
    for term in lexical.query_terms("Hanoi peace regime Singapore summit"):
        assert set(lexical.postings(term)) == set(np.flatnonzero(lexical.scores([term]) > 0))


def test_a_confidence_a_hair_under_one_is_not_shown_as_a_certainty() -> None:
    """0.99996 had been stored rounded to nearest, 1.0, and printed "Confidence: 1.00" beside
    "answers 99%" (a first-time user's finding)."""
    shown = SearchResult("q", [], False, confidence=0.99996, confidence_label="likely").as_dict()
    assert shown["confidence"] == 0.9999
    assert confidence_line(shown).startswith("Confidence: 0.99 ")


@pytest.mark.parametrize(("filters", "named"), [
    (Filters(doc_ids=frozenset({"no-such-doc"})), "The ids in this index: current-situation"),
    # `--type Banana` had said only "No document matches the filters", with exit status 0
    (Filters(types=frozenset({"Banana"})), "The types in this index: Analysis, Fact Sheet, "
                                           "Report.")])
def test_a_filter_naming_what_the_index_lacks_is_refused_naming_what_it_has(
        fake_engine: Engine, filters: Filters, named: str) -> None:
    with pytest.raises(RagError, match=named):
        fake_engine.search("peace", filters=filters)
    assert fake_engine.search("peace", filters=Filters(types=frozenset({"fact sheet"}))).passages


def test_the_passage_rated_best_is_the_reader_s_best_not_the_first_tie() -> None:
    """Other passages are capped at the confidence, so they may tie with the best: "first
    shown" had named whichever came first."""
    shown = [Scored(position, 1.0, 0.0, 0.0, 0.5) for position in (7, 8, 9)]
    reading = Reading(shown, {7: 0.14, 8: 0.14, 9: 0.14}, 1.0, 0.14, best=9)
    assert rated_best(shown, reading) == 3
    assert rated_best(shown[:2], reading) is None  # not shown
    assert confidence_source([1], shown, 3, reading) == []  # [1] ties with the best
