"""Bulk evaluation: question files, relevance judgement, metrics (checked against pytrec_eval),
reports, the `rag eval` command and BEIR benchmarks."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
import pytrec_eval

from rag.errors import RagError
from rag.evaluation import evaluate_file, load_questions
from rag.evaluation.beir_cache import beir_index_dir
from rag.evaluation.beir_eval import as_run, evaluate_beir, per_query_scores
from rag.evaluation.dataset import Question
from rag.evaluation.judge import answer_holds_gold, normalise, relevant_ranks
from rag.evaluation.metrics import (
    abstention_scores,
    answer_accuracy,
    citation_share,
    mean_recall_at_k,
    mean_reciprocal_rank,
    ndcg_at_k,
    percentile,
    recall_at_k,
    verify_spans,
)
from rag.evaluation.report import markdown_report, summary_text, write_csv
from rag.evaluation.significance import paired_bootstrap
from rag.evaluation.vector_cache import CachingEmbedder
from rag.ingest.documents import Document, Metadata
from tests.conftest import ROOT, SHIPPED_CORPUS
from tests.documents_factory import tiny_beir

# A hand-made run: graded qrels, relevant documents missing from the run, a query with no hit.
QRELS = {
    "q1": {"d1": 1, "d3": 2, "d9": 1},
    "q2": {"d5": 1},
    "q3": {"d2": 1, "d4": 1},
    "q4": {"d7": 3, "d8": 1, "d0": 0},
}
RANKINGS = {
    "q1": ["d3", "d2", "d1", "d4", "d5", "d6", "d7", "d8", "d0", "d11", "d9"],
    "q2": ["d1", "d2", "d3", "d4", "d5"],
    "q3": ["d1", "d5", "d6"],
    "q4": ["d0", "d8", "d1", "d2", "d3", "d4", "d5", "d6", "d9", "d10", "d11", "d7"],
}


def ranks_of_relevant(qid: str) -> list[int]:
    return [i for i, doc in enumerate(RANKINGS[qid], start=1) if QRELS[qid].get(doc, 0) > 0]


def trec(measures: set[str], rankings: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    return pytrec_eval.RelevanceEvaluator(QRELS, measures).evaluate(as_run(rankings))


def test_metrics_agree_with_pytrec_eval_on_a_hand_made_run() -> None:
    full = trec({"ndcg_cut.10", "recall.1,5,10", "success.1,5,10"}, RANKINGS)
    cut = trec({"recip_rank"}, {q: docs[:10] for q, docs in RANKINGS.items()})
    for qid in QRELS:
        ranks, relevant = ranks_of_relevant(qid), sum(g > 0 for g in QRELS[qid].values())
        assert ndcg_at_k(RANKINGS[qid], QRELS[qid], 10) == pytest.approx(
            full[qid]["ndcg_cut_10"], abs=1e-4)
        for k in (1, 5, 10):
            assert recall_at_k(ranks, k, relevant) == pytest.approx(full[qid][f"recall_{k}"])
            assert recall_at_k(ranks, k) == pytest.approx(full[qid][f"success_{k}"])
        assert mean_reciprocal_rank([ranks], 10) == pytest.approx(cut[qid]["recip_rank"])
    per_query = [ranks_of_relevant(q) for q in QRELS]
    assert mean_recall_at_k(per_query, 5) == pytest.approx(
        sum(full[q]["success_5"] for q in QRELS) / len(QRELS))
    assert mean_reciprocal_rank(per_query, 10) == pytest.approx(
        sum(cut[q]["recip_rank"] for q in QRELS) / len(QRELS))
    # The hand-made run exercises the edge cases: q4's only hit past rank 10 after a grade-0 doc.
    assert cut["q4"]["recip_rank"] == pytest.approx(0.5)
    assert recall_at_k(ranks_of_relevant("q3"), 10) == 0.0


def test_beir_scores_come_from_pytrec_eval_and_cover_every_query() -> None:
    scores = per_query_scores(QRELS, {**RANKINGS, "q3": []})
    assert set(scores) == {"ndcg@10", "recall@10", "recall@100", "mrr@10"}
    assert scores["ndcg@10"]["q3"] == 0.0 and scores["mrr@10"]["q3"] == 0.0
    assert scores["recall@100"]["q1"] == pytest.approx(1.0)
    assert scores["recall@10"]["q1"] == pytest.approx(2 / 3)
    assert scores["ndcg@10"]["q4"] == pytest.approx(ndcg_at_k(RANKINGS["q4"], QRELS["q4"]),
                                                    abs=1e-4)


def test_abstention_latency_and_bootstrap() -> None:
    scores = abstention_scores([(True, True), (True, False), (False, True), (False, False),
                                (True, True)])
    assert scores["precision"] == pytest.approx(2 / 3) and scores["recall"] == pytest.approx(2 / 3)
    assert abstention_scores([(False, False)])["precision"] is None
    assert percentile([4.0, 1.0, 3.0, 2.0, 5.0], 0.5) == 3.0
    assert percentile([1.0, 2.0], 0.95) == pytest.approx(1.95)
    same = paired_bootstrap([0.1, 0.5, 0.9], [0.1, 0.5, 0.9])
    assert same["mean_diff"] == 0 and same["ci_low"] == 0 and same["ci_high"] == 0
    better = paired_bootstrap([0.6, 0.7, 0.8, 0.9] * 10, [0.5, 0.6, 0.7, 0.7] * 10)
    assert better == paired_bootstrap([0.6, 0.7, 0.8, 0.9] * 10, [0.5, 0.6, 0.7, 0.7] * 10)
    assert 0 < better["ci_low"] <= better["mean_diff"] <= better["ci_high"]
    assert better["resamples"] == 1000


def test_relevance_ignores_quotes_dashes_whitespace_and_case() -> None:
    question = Question("q", "?", gold=("the “lasting and stable   peace regime” — said",))
    passages = [{"text": "Nothing here.", "doc_id": "a"},
                {"text": 'They spoke of THE "lasting and stable\npeace regime" - said so.',
                 "doc_id": "b"},
                {"text": "the ‘lasting and stable peace regime’ – said", "doc_id": "c"}]
    assert normalise("A\u00a0“B”\t—  c’s") == "a \"b\" - c's"
    assert relevant_ranks(passages, question) == [2]
    by_doc = Question("q", "?", gold_docs=("c", "a"))
    assert relevant_ranks(passages, by_doc) == [1, 3]


def test_citation_share_checks_spans_against_the_document_text() -> None:
    documents = {"doc": Document("doc", "doc.md", "Alpha beta gamma.", Metadata(title="T"))}
    result = {"passages": [{"rank": 1, "doc_id": "doc", "key": "doc:0123456789"}],
              "answer_spans": [
                  {"text": "beta", "passage": 1, "key": "doc:0123456789", "start": 6, "end": 10},
                  {"text": "beta", "passage": 1, "key": "doc:0123456789", "start": 0, "end": 4},
                  {"text": "gamma", "passage": 2, "key": "gone:0123456789", "start": 11,
                   "end": 16}]}
    assert verify_spans(result, documents) == (1, 3)
    assert verify_spans({"passages": []}, documents) == (0, 0)
    assert citation_share([(0, 0)]) == 1.0
    assert citation_share([(1, 3), (2, 2)]) == pytest.approx(0.6)


BAD_JSONL = """\
{"id": "a1", "question": "Who must join a peace regime?", "gold": ["South Korea, China"], \
"gold_docs": ["r"], "unanswerable": false, "kind": "paraphrase", "note": {"x": 1}}
{"id": "a2", "question": "broken JSON",
{"id": "a3", "gold": ["no question here"]}

{"id": "a4", "question": "   "}
{"id": "a5", "question": "Bad gold type", "gold": 7}
["not", "an", "object"]
{"id": "a6", "question": "What is the Iran deal?", "unanswerable": true}
{"id": "a6", "question": "duplicate id"}
{"id": "a7", "question": "Bad flag", "unanswerable": "perhaps"}
"""


def test_bad_jsonl_rows_are_reported_with_line_numbers_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text(BAD_JSONL, encoding="utf-8")
    questions, bad = load_questions(path)
    assert [q.id for q in questions] == ["a1", "a6"]
    assert [(b.line, b.reason.split(" ")[0]) for b in bad] == [
        (2, "broken"), (3, "no"), (5, "no"), (6, "`gold`"), (7, "a"), (9, "duplicate"),
        (10, "`unanswerable`")]
    first, unanswerable = questions
    assert first.gold == ("South Korea, China",) and first.gold_docs == ("r",)
    assert first.extra == {"kind": "paraphrase", "note": {"x": 1}} and first.line == 1
    assert unanswerable.unanswerable and not unanswerable.judged


def test_csv_questions(tmp_path: Path) -> None:
    path = tmp_path / "questions.csv"
    path.write_text(
        'id,question,gold,gold_docs,unanswerable,team\n'
        'c1,Who joins?,"[""South Korea, China"", ""Japan""]",report,no,blue\n'
        'c2,"A question\nover two lines",alpha | beta,,,red\n'
        'c3,,x,,,\n'
        'c4,Off topic?,,,yes,\n'
        'c5,Off topic too?,,,1,\n'
        'c6,Bad list,"[""unclosed",,,\n'
        'c7,Extra cell,,,,,surplus\n'
        'c8,"Unclosed quote,,,,\n'
        'c9,Swallowed row?,,,,\n', encoding="utf-8")
    questions, bad = load_questions(path)
    assert [q.id for q in questions] == ["c1", "c2", "c4", "c5"]
    c1, c2, c4, c5 = questions
    assert c1.gold == ("South Korea, China", "Japan") and c1.gold_docs == ("report",)
    assert not c1.unanswerable and c1.extra == {"team": "blue"}
    assert c2.question == "A question\nover two lines" and c2.gold == ("alpha", "beta")
    assert c4.unanswerable and c5.unanswerable
    assert [(b.line, b.reason.split(" ")[0]) for b in bad] == [
        (5, "no"), (8, "`gold`"), (9, "more"), (10, "a")]  # c2 spans lines 3-4
    assert "never closed" in bad[-1].reason and "line 11," in bad[-1].reason


@pytest.mark.parametrize(("text", "line", "said"), [
    # a two-column file: its swallowed rows had been evaluated as part of a question
    ('question,gold_docs\nWho wrote it?,report\n"What is it?,report\nWhen was it?,note\n'
     'Why?,note\n', 3, "never closed (what it swallowed, lines 4–5,"),
    # a wide file whose rows leave out their empty trailing cells
    ('id,question,gold,gold_docs,unanswerable\nq0,Fine?,x\nq1,"Who wrote it?,report\n'
     'q2,When was it?\n', 3, "never closed (what it swallowed, line 4,"),
])
def test_a_quote_left_open_is_named_with_what_it_swallowed(tmp_path: Path, text: str,
                                                           line: int, said: str) -> None:
    path = tmp_path / "questions.csv"
    path.write_text(text, encoding="utf-8")
    questions, bad = load_questions(path)
    assert len(questions) == 1
    (row,) = bad
    assert row.line == line and said in row.reason, row.reason


@pytest.mark.parametrize("text", [
    'question,gold_docs\n"Who wrote it,\nand when?",report\n',
    'id,question,gold_docs\nq1,"Who wrote it?\nPlease, briefly, say so.",report\n'])
def test_a_quoted_question_over_two_lines_is_kept(tmp_path: Path, text: str) -> None:
    """A review found the first version of the check calling these quotes left open."""
    path = tmp_path / "questions.csv"
    path.write_text(text, encoding="utf-8")
    questions, bad = load_questions(path)
    assert not bad and "\n" in questions[0].question


@dataclass
class FakeResult:
    data: dict

    def as_dict(self) -> dict:
        return self.data


class FakeEngine:
    """Answers from a fixed table; no model, so the run logic is tested fast."""

    documents: ClassVar[dict[str, Document]] = {"r": Document(
        "r", "r.md", "South Korea, China, Russia, and Japan must join.", Metadata(title="R"))}

    def __init__(self, abstain_on: set[str]) -> None:
        self.abstain_on = abstain_on

    def search(self, question: str, k: int = 5, filters: object = None) -> FakeResult:
        text = self.documents["r"].text
        passages = [{"rank": 1, "key": "r:0123456789", "doc_id": "r", "text": text,
                     "start": 0, "end": len(text), "score": 0.7}][:k]
        spans = [] if question in self.abstain_on else [
            {"text": "South Korea", "passage": 1, "key": "r:0123456789", "start": 0, "end": 11}]
        return FakeResult({"question": question, "passages": passages,
                           "abstained": question in self.abstain_on, "notes": [],
                           "answer": "South Korea [1]", "answer_spans": spans})


def test_evaluate_file_passes_fields_through_and_summarises(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text(BAD_JSONL, encoding="utf-8")
    engine = FakeEngine(abstain_on=set())
    rows, summary = evaluate_file(path, engine, k=10)
    first, second = rows
    assert first["id"] == "a1" and first["kind"] == "paraphrase" and first["note"] == {"x": 1}
    assert first["gold"] == ["South Korea, China"] and first["latency_ms"] >= 0
    assert first["eval"]["first_relevant_rank"] == 1 and first["answer"] == "South Korea [1]"
    assert second["unanswerable"] is True
    assert summary["recall@1"] == 1.0 and summary["mrr@10"] == 1.0
    assert summary["abstention_recall"] == 0.0 and summary["abstention_precision"] is None
    assert summary["citations_verified"] == 1.0 and summary["citation_spans"] == 2
    # a1's answer "South Korea [1]" does not hold its gold "South Korea, China"
    assert first["eval"]["answer_holds_gold"] is False and summary["answer_accuracy"] == 0.0
    # ... so it is a miss too (it had been left out of the list the accuracy counts)
    assert [(m["id"], m["miss"]) for m in summary["misses"]] == [
        ("a1", "the answer does not hold the gold"), ("a6", "answered an unanswerable question")]
    assert [b["line"] for b in summary["bad_rows"]] == [2, 3, 5, 6, 7, 9, 10]
    text, markdown = summary_text(summary), markdown_report(summary)
    assert "Recall@1" in text and "skipped line 2" in text and "  2 misses (see" in text
    assert "  1 miss (see" in summary_text({**summary, "misses": summary["misses"][:1]})
    assert "| a6 | What is the Iran deal? | answered an unanswerable question |" in markdown
    write_csv(rows, tmp_path / "out.csv")
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,question,unanswerable,abstained,confidence,confidence_label,"
                               "top_key")
    assert lines[0].endswith(",answer,kind,note"), "passed-through fields get columns too"
    assert lines[1].startswith("a1,Who must join a peace regime?,False,False,,,r:0123456789")
    assert lines[1].endswith(',paraphrase,"{""x"": 1}"')


def test_a_gold_document_the_index_lacks_is_a_bad_row(tmp_path: Path) -> None:
    """A mistyped `gold_docs` id had been scored as a miss without a word."""
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in [
        {"id": "t", "question": "Who must join?", "gold_docs": ["r", "rr"]},
        {"id": "g", "question": "Who must join a peace regime?", "gold_docs": ["r"]}]),
        encoding="utf-8")
    rows, summary = evaluate_file(path, FakeEngine(set()))
    assert [row["id"] for row in rows] == ["g"] and summary["recall@1"] == 1.0
    assert summary["bad_rows"] == [{"line": 1, "reason": "`gold_docs` names 'rr', which this "
                                    "index does not hold (rag status lists its ids)"}]
    path.write_text(json.dumps({"question": "Who?", "gold_docs": ["rr"]}), encoding="utf-8")
    with pytest.raises(RagError, match="line 1: `gold_docs` names 'rr'"):
        evaluate_file(path, FakeEngine(set()))


def test_a_bare_question_is_answered_but_counts_in_no_figure(tmp_path: Path) -> None:
    """A first-time user's file of bare questions showed "Abstention precision 0.000" and
    "Answerable refused 0.500": each question without a label had counted as answerable."""
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in [
        {"id": "b1", "question": "Who must join?"}, {"id": "b2", "question": "What else?"},
        {"id": "u1", "question": "What is the Iran deal?", "unanswerable": True},
        {"id": "a1", "question": "Who must join a peace regime?", "unanswerable": False}]),
        encoding="utf-8")
    rows, summary = evaluate_file(path, FakeEngine(abstain_on={"What else?",
                                                               "What is the Iran deal?"}))
    assert [row["eval"]["labelled"] for row in rows] == [False, False, True, True]
    # "no label" is not "answerable" in the results (it had said false)
    assert [row["unanswerable"] for row in rows] == [None, None, True, False]
    assert summary["bare"] == 2 and summary["abstained"] == 2 and summary["unlabelled"] == 1
    assert summary["answerable_refused"] == 0.0 and summary["unanswerable_refused"] == 1.0
    assert summary["abstention_precision"] == 1.0
    assert "b2" not in [m["id"] for m in summary["misses"]]
    assert "no label (answered, in no figure)" in summary_text(summary)


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("questions.jsonl", "", "the file is empty"),
    ("questions.jsonl", '{"id": "x"}\n', "line 1: no question"),
    ("questions.csv", "id,question\n", "a header but no rows"),  # had said "the file is empty"
])
def test_a_file_without_a_question_is_refused(tmp_path: Path, name: str, content: str,
                                              reason: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RagError, match=reason):
        evaluate_file(path, FakeEngine(set()))
    with pytest.raises(RagError, match="is a folder"):
        evaluate_file(tmp_path, FakeEngine(set()))


def test_a_method_is_passed_only_when_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "x", "question": "Who must join?"}\n', encoding="utf-8")
    assert evaluate_file(path, FakeEngine(set()))[1]["questions"] == 1

    class ChoosingEngine(FakeEngine):
        methods: ClassVar[list[str]] = []

        def search(self, question: str, k: int = 5, filters: object = None,
                   method: str = "hybrid") -> FakeResult:
            self.methods.append(method)
            return super().search(question, k, filters)

    asked = evaluate_file(path, ChoosingEngine(set()), method="bm25")[1]
    default = evaluate_file(path, ChoosingEngine(set()))[1]
    assert ChoosingEngine.methods == ["bm25", "bm25", "hybrid", "hybrid"]  # warm-up + question
    # The summary names the method used, the default too (it had said null).
    assert (asked["method"], default["method"]) == ("bm25", "hybrid")


def cli_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", **extra}


FIVE_ROWS = [
    {"id": "a01", "question": "Besides the US and North Korea, which other countries would "
     "have to take part for a Korean peace arrangement to work?",
     "gold": ["but also South Korea, China, Russia, and Japan"],
     "gold_docs": ["peace-regime-for-the-korean-peninsula"], "kind": "paraphrase"},
    {"id": "a02", "question": "What year did the Korean War end?",
     "gold": ["Since the end of the Korean War in 1953"], "kind": "paraphrase"},
    {"id": "a03", "question": "Should South Korea build its own nuclear weapons?",
     "gold_docs": ["risks-of-south-korea-nuclear-armament"], "kind": "paraphrase"},
    {"id": "u01", "question": "What is the recipe for kimchi stew with tuna?",
     "unanswerable": True, "kind": "unanswerable"},
    {"id": "u02", "question": "Who won the 2022 football world cup final?",
     "unanswerable": True, "kind": "unanswerable"},
]


@pytest.mark.slow
def test_rag_eval_end_to_end(tmp_path: Path, shipped_index: Path) -> None:
    questions = tmp_path / "five.jsonl"
    questions.write_text("".join(json.dumps(r) + "\n" for r in FIVE_ROWS) + "{oops\n",
                         encoding="utf-8")
    out, csv_out, report = tmp_path / "out.jsonl", tmp_path / "out.csv", tmp_path / "report.md"
    done = subprocess.run(
        [sys.executable, "-m", "rag", "eval", str(questions), "--out", str(out), "--csv",
         str(csv_out), "--report", str(report), "--json", "--k", "10"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env=cli_env(RAG_INDEX_DIR=str(shipped_index), RAG_CORPUS_DIR=str(SHIPPED_CORPUS)))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["questions"] == 5 and summary["judged"] == 3
    assert summary["method"] == "hybrid"
    assert summary["bad_rows"] == [{"line": 6, "reason": summary["bad_rows"][0]["reason"]}]
    assert "skipped line 6" in done.stderr and "Evaluating" in done.stderr  # the progress bar
    assert summary["recall@10"] == 1.0 and summary["citations_verified"] == 1.0
    for name in ("recall@1", "recall@5", "mrr@10", "abstention_precision",
                 "abstention_recall", "latency_ms_p50", "latency_ms_p95"):
        assert name in summary
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in FIVE_ROWS]
    assert all(r["kind"] and r["latency_ms"] > 0 and r["passages"] for r in rows)
    assert {"question", "passages", "abstained", "notes"} <= set(rows[0])
    with open(csv_out, encoding="utf-8", newline="") as table:  # a cell may hold line breaks
        assert len(list(csv.reader(table))) == 6
    assert report.read_text(encoding="utf-8").startswith("# Evaluation:")


@pytest.mark.slow
@pytest.mark.parametrize(("outputs", "message"), [
    ({"--out": "missing/results.jsonl"}, "does not exist"),
    ({"--report": "."}, "is a folder"),
    ({"--report": "/proc/rag-report.md"}, "cannot be written"),  # had failed after the run
    # a first-time user's hand-written questions were replaced by the results
    ({"--out": "five.jsonl"}, "is the question file itself"),
    ({"--csv": "./five.jsonl"}, "is the question file itself"),
    ({"--out": "results.txt", "--csv": "results.txt"}, "--out and --csv both name"),
])
def test_rag_eval_refuses_an_output_it_cannot_write_before_evaluating(
        tmp_path: Path, shipped_index: Path, outputs: dict[str, str], message: str) -> None:
    questions = tmp_path / "five.jsonl"
    written = "".join(json.dumps(r) + "\n" for r in FIVE_ROWS)
    questions.write_text(written, encoding="utf-8")
    options = [part for option, target in outputs.items()
               for part in (option, str(tmp_path / target))]
    done = subprocess.run(
        [sys.executable, "-m", "rag", "eval", str(questions), *options],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env=cli_env(RAG_INDEX_DIR=str(shipped_index), RAG_CORPUS_DIR=str(SHIPPED_CORPUS)))
    assert done.returncode == 1 and message in done.stderr
    assert "Evaluating" not in done.stderr and "Traceback" not in done.stderr
    assert questions.read_text(encoding="utf-8") == written


@pytest.mark.slow
def test_evaluate_file_with_the_real_engine(tmp_path: Path, engine: object) -> None:
    path = tmp_path / "q.csv"
    path.write_text('id,question,gold\nv1,"Since the end of the Korean War in 1953, few '
                    'serious efforts have been made",few serious efforts have been made\n',
                    encoding="utf-8")
    rows, summary = evaluate_file(path, engine, k=5)
    assert summary["recall@1"] == 1.0 and rows[0]["eval"]["first_relevant_rank"] == 1
    assert summary["citations_verified"] == 1.0  # every span shown, if any, is exact


@pytest.mark.slow
def test_beir_builds_its_cached_index_once_and_scores(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tiny_beir(tmp_path / "tiny")
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "cache"))
    first = evaluate_beir(folder, "test")
    assert first["index_built"] and first["queries"] == 3 and first["documents"] == 6
    assert Path(first["index"]).parent == tmp_path / "cache" / "beir"
    assert Path(first["index"]).name.startswith(first["index"].split("/")[-1][:12])
    assert first["ndcg@10"] > 0.8 and first["recall@100"] == 1.0 and first["mrr@10"] > 0.8
    again = evaluate_beir(folder, "test", limit=2)
    assert not again["index_built"] and again["index"] == first["index"]
    assert again["queries"] == 2
    (folder / "corpus.jsonl").write_text((folder / "corpus.jsonl").read_text()[:-1] + " \n")
    from rag.ingest.beir import load_beir
    assert beir_index_dir(load_beir(folder, "test")) != Path(first["index"])


@pytest.mark.slow
def test_rag_eval_beir_command(tmp_path: Path) -> None:
    folder = tiny_beir(tmp_path / "tiny")
    done = subprocess.run(
        [sys.executable, "-m", "rag", "eval", "--beir", str(folder), "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env=cli_env(RAG_CACHE_DIR=str(tmp_path / "cache")))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["queries"] == 3 and summary["scorer"].startswith("pytrec_eval")
    assert str(tmp_path / "cache" / "beir") in summary["index"]
    assert summary["reader"] is False  # documents keep retrieval's order unless --reader
    assert summary["method"] == "hybrid"
    missing = subprocess.run([sys.executable, "-m", "rag", "eval", "--beir", str(folder),
                              "--split", "dev"], capture_output=True, text=True, cwd=ROOT,
                             timeout=600, env=cli_env(RAG_CACHE_DIR=str(tmp_path / "cache")))
    assert missing.returncode == 1 and "dev.tsv is missing" in missing.stderr


class CountingEmbedder:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def test_embeddings_are_kept_on_disk_and_only_new_texts_are_encoded(tmp_path: Path) -> None:
    model = CountingEmbedder()
    cache = CachingEmbedder(tmp_path / "vectors", model)
    assert cache.encode(["a", "bb"]).tolist() == [[1.0, 1.0], [2.0, 1.0]]
    cache.flush()
    again = CachingEmbedder(tmp_path / "vectors", model)
    assert again.encode(["bb", "ccc", "a"]).tolist() == [[2, 1], [3, 1], [1, 1]]
    assert model.seen == ["a", "bb", "ccc"] and again.reused == 2


def test_an_answer_holds_the_gold_when_it_contains_a_snippet_or_quotes_a_gold_document() -> None:
    with_snippet = Question("q", "Who?", gold=("South Korea, China",), gold_docs=("r",))
    answer = {"abstained": False, "answer": "Also \u201cSouth  Korea, China\u201d [1]",
              "answer_spans": [{"doc_id": "x"}]}
    assert answer_holds_gold(answer, with_snippet)
    assert not answer_holds_gold({**answer, "abstained": True}, with_snippet)
    assert not answer_holds_gold({**answer, "answer": "Japan [1]"}, with_snippet)
    only_docs = Question("q", "Who?", gold_docs=("r",))
    assert not answer_holds_gold(answer, only_docs)
    assert answer_holds_gold({**answer, "answer_spans": [{"doc_id": "r"}]}, only_docs)
    assert answer_accuracy([True, False, True, True]) == 0.75 and answer_accuracy([]) is None


def test_an_answer_gold_narrower_than_the_passage_gold_is_what_the_answer_must_hold(
        tmp_path: Path) -> None:
    """A catalogue record is the relevant passage, but the right answer is its one line."""
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({
        "id": "m1", "question": "Who wrote it?", "gold": ["Title: T\nAuthors: Ann Lee"],
        "answer_gold": ["Authors: Ann Lee"]}) + "\n", encoding="utf-8")
    (question,), _ = load_questions(path)
    assert question.answer_gold == ("Authors: Ann Lee",)
    assert question.labels()["answer_gold"] == ["Authors: Ann Lee"]
    line = {"abstained": False, "answer": "Authors: Ann Lee [1]", "answer_spans": []}
    assert answer_holds_gold(line, question)
    assert not answer_holds_gold({**line, "answer": "Title: T [1]"}, question)
    assert not answer_holds_gold(line, Question("m1", "Who wrote it?", gold=question.gold))
