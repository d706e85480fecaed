"""Run a question set through the engine and score it: `evaluate_file(path, engine)`."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from tqdm import tqdm

from rag.errors import RagError
from rag.evaluation.dataset import BadRow, Question, load_questions
from rag.evaluation.judge import answer_holds_gold, relevant_ranks
from rag.evaluation.metrics import (
    abstention_scores,
    answer_accuracy,
    citation_share,
    confidence_auc,
    latency_percentiles,
    mean_recall_at_k,
    mean_reciprocal_rank,
    refusal_rates,
    verify_spans,
)
from rag.evaluation.records import Judgement, Miss, ResultRow, SearchEngine, Summary
from rag.ingest.documents import Document
from rag.retrieval.fusion import DEFAULT_METHOD

RECALL_CUTOFFS = (1, 5, 10)
MRR_CUTOFF = 10


def search_options(method: str | None) -> dict[str, str]:
    """`method=` is passed only when asked for, so the engine's default applies otherwise."""
    return {"method": method} if method else {}


def result_row(question: Question, result: dict[str, Any], latency_ms: float,
               documents: Mapping[str, Document]) -> ResultRow:
    """The `ask --json` object plus id, labels, passed-through fields, latency and judgement."""
    row = cast(ResultRow, dict(result))
    row["id"] = question.id
    row.update(question.labels())
    passed_through = []
    for name, value in question.extra.items():
        passed_through.append(name if name not in row else f"input_{name}")
        row[passed_through[-1]] = value  # type: ignore[literal-required]
    row["latency_ms"] = round(latency_ms, 1)
    ranks = relevant_ranks(list(result.get("passages") or []), question) \
        if question.judged else []
    verified, spans = verify_spans(result, documents)
    row["eval"] = Judgement(judged=question.judged, labelled=question.labelled,
                            relevant_ranks=ranks,
                            first_relevant_rank=ranks[0] if ranks else None,
                            answer_holds_gold=answer_holds_gold(result, question)
                            if question.judged else None,
                            citations_verified=verified, citation_spans=spans,
                            passed_through=passed_through)
    return row


def evaluate_questions(questions: Sequence[Question], engine: SearchEngine, k: int = 10,
                       method: str | None = None, progress: bool = False,
                       failures: list[BadRow] | None = None) -> list[ResultRow]:
    """One result row per question; a question the engine refuses goes to `failures`."""
    options = search_options(method)
    if questions:  # warm-up: loads the model, so the first latency is not an outlier
        with contextlib.suppress(RagError):
            engine.search(questions[0].question, k, **options)
    rows = []
    for question in tqdm(questions, desc="Evaluating", unit="question", file=sys.stderr,
                         disable=not progress):
        began = time.perf_counter()
        try:
            result = engine.search(question.question, k, **options).as_dict()
        except RagError as err:
            if failures is not None:
                failures.append(BadRow(question.line, f"id {question.id}: {err}"))
            continue
        latency_ms = (time.perf_counter() - began) * 1000
        rows.append(result_row(question, result, latency_ms, engine.documents))
    return rows


def miss_reasons(row: ResultRow, k: int) -> list[str]:
    reasons = []
    first = row["eval"]["first_relevant_rank"]
    if row["eval"]["judged"] and first is None:
        reasons.append(f"no relevant passage in the top {k}")
    elif row["eval"]["judged"] and first > 1:
        reasons.append(f"first relevant passage at rank {first}")
    if row["abstained"] and not row["unanswerable"] and row["eval"]["labelled"]:
        reasons.append("abstained on an answerable question")
    elif row["eval"]["judged"] and row["eval"].get("answer_holds_gold") is False:
        reasons.append("the answer does not hold the gold")
    if row["unanswerable"] and not row["abstained"]:
        reasons.append("answered an unanswerable question")
    return reasons


def summarize(rows: Sequence[ResultRow], k: int, bad_rows: Sequence[BadRow] = (),
              method: str | None = None, source: str | None = None) -> Summary:
    judged = [row["eval"]["relevant_ranks"] for row in rows if row["eval"]["judged"]]
    cutoffs = sorted({c for c in RECALL_CUTOFFS if c <= k} | {k})
    labelled = [r for r in rows if r["eval"]["labelled"]]  # refusals: bare questions aside
    abstention = abstention_scores((bool(r["abstained"]), bool(r["unanswerable"]))
                                   for r in labelled)
    latency = latency_percentiles([row["latency_ms"] for row in rows])
    summary: dict[str, Any] = {  # a Summary; recall@N and mrr@N keys are added below
        "file": source, "method": method or DEFAULT_METHOD, "k": k,
        "questions": len(rows), "judged": len(judged),
        "unanswerable": abstention["unanswerable"],
        "unlabelled": sum(1 for r in labelled if not r["unanswerable"]
                          and not r["eval"]["judged"]),
        "bare": len(rows) - len(labelled),
        "bad_rows": [{"line": b.line, "reason": b.reason} for b in bad_rows],
    }
    for cutoff in cutoffs:
        summary[f"recall@{cutoff}"] = mean_recall_at_k(judged, cutoff)
    summary[f"mrr@{min(k, MRR_CUTOFF)}"] = mean_reciprocal_rank(judged, min(k, MRR_CUTOFF))
    summary.update({
        "answer_accuracy": answer_accuracy(
            r["eval"]["answer_holds_gold"] for r in rows if r["eval"]["judged"]),
        "abstention_precision": abstention["precision"],
        "abstention_recall": abstention["recall"],
        "abstained": sum(bool(r["abstained"]) for r in rows),  # bare questions too
        **refusal_rates((bool(r["abstained"]), bool(r["unanswerable"])) for r in labelled),
        "confidence_auc": confidence_auc((cast("float | None", r.get("confidence")),
                                          bool(r["unanswerable"])) for r in labelled),
        "citations_verified": citation_share(
            (r["eval"]["citations_verified"], r["eval"]["citation_spans"]) for r in rows),
        "citation_spans": sum(r["eval"]["citation_spans"] for r in rows),
        "latency_ms_p50": latency["p50"] and round(latency["p50"], 1),
        "latency_ms_p95": latency["p95"] and round(latency["p95"], 1),
        "misses": [miss_entry(row, reasons) for row in rows
                   if (reasons := miss_reasons(row, k))],
    })
    return cast(Summary, summary)


def miss_entry(row: ResultRow, reasons: list[str]) -> Miss:
    top = (row.get("passages") or [{}])[0]
    return Miss(id=row["id"], question=row["question"], miss="; ".join(reasons),
                abstained=row["abstained"], unanswerable=row["unanswerable"],
                first_relevant_rank=row["eval"]["first_relevant_rank"],
                top_key=cast("str | None", top.get("key")),
                top_score=cast("float | None", top.get("score")))


def with_known_gold_documents(questions: list[Question], documents: Mapping[str, Document],
                              bad: list[BadRow]) -> list[Question]:
    """The questions whose `gold_docs` the index holds; each other one is a bad row, since a
    mistyped id would count its question as a miss (a first-time user's finding)."""
    kept = []
    for question in questions:
        missing = [doc_id for doc_id in question.gold_docs if doc_id not in documents]
        if missing:
            bad.append(BadRow(question.line, f"`gold_docs` names {', '.join(map(repr, missing))}"
                              ", which this index does not hold (rag status lists its ids)"))
        else:
            kept.append(question)
    return kept


def evaluate_file(path: Path | str, engine: SearchEngine, k: int = 10, method: str | None = None,
                  progress: bool = False) -> tuple[list[ResultRow], Summary]:
    """Evaluate a JSONL/CSV question file: (one result row per good question, summary)."""
    questions, bad = load_questions(Path(path))
    questions = with_known_gold_documents(questions, engine.documents, bad)
    if not questions:
        raise RagError(f"{path} has no question to evaluate: "
                       + "; ".join(f"line {b.line}: {b.reason}" for b in bad[:3]))
    rows = evaluate_questions(questions, engine, k, method, progress, failures=bad)
    return rows, summarize(rows, k, sorted(bad, key=lambda b: b.line), method, str(path))
