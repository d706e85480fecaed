"""Write results (JSONL, CSV) and show the summary (a text table, a Markdown report)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.evaluation.records import ResultRow, Summary

CSV_COLUMNS = ("id", "question", "unanswerable", "abstained", "confidence", "confidence_label",
               "top_key", "top_score", "first_relevant_rank", "latency_ms", "answer")


def csv_record(row: ResultRow) -> dict[str, Any]:
    top = (row.get("passages") or [{}])[0]
    return {"id": row["id"], "question": row["question"], "unanswerable": row["unanswerable"],
            "abstained": row["abstained"],
            "confidence": "" if row.get("confidence") is None else row["confidence"],
            "confidence_label": row.get("confidence_label") or "", "top_key": top.get("key", ""),
            "top_score": top.get("score", ""),
            "first_relevant_rank": row["eval"]["first_relevant_rank"] or "",
            "latency_ms": row["latency_ms"], "answer": row.get("answer") or ""}


def csv_cell(value: Any) -> Any:
    """A CSV cell: text and numbers as they are, lists and objects as JSON."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def write_csv(rows: Sequence[ResultRow], path: Path) -> None:
    """The fixed columns, then every field the input rows carried through, in order seen."""
    passed = list(dict.fromkeys(name for row in rows
                                for name in row["eval"].get("passed_through", ())))
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=[*CSV_COLUMNS, *passed])
        writer.writeheader()
        writer.writerows({**csv_record(row), **{name: csv_cell(row.get(name)) for name in passed}}
                         for row in rows)


def shown(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def metric_lines(summary: Summary) -> list[tuple[str, str]]:
    """(label, value) pairs in reading order."""
    lines = [("Questions evaluated", shown(summary["questions"])),
             ("  answerable, with gold", shown(summary["judged"])),
             ("  unanswerable", shown(summary["unanswerable"]))]
    if summary["unlabelled"]:
        lines.append(("  answerable, no gold (not scored)", shown(summary["unlabelled"])))
    if summary["bare"]:
        lines.append(("  no label (answered, in no figure)", shown(summary["bare"])))
    lines.append(("Bad rows skipped", shown(len(summary["bad_rows"]))))
    for name, value in summary.items():
        if name.startswith(("recall@", "mrr@")):
            label = name.replace("recall@", "Recall@").replace("mrr@", "MRR@")
            lines.append((label, shown(value)))
    lines += [("Answer holds the gold", shown(summary["answer_accuracy"])),
              ("Abstention precision", shown(summary["abstention_precision"])),
              ("Abstention recall", shown(summary["abstention_recall"])),
              ("Abstained", shown(summary["abstained"])),
              ("Answerable refused", shown(summary["answerable_refused"])),
              ("Unanswerable refused", shown(summary["unanswerable_refused"])),
              ("Answer probability ROC AUC", shown(summary["confidence_auc"])),
              ("Citations verified", f"{shown(summary['citations_verified'])} "
                                     f"(of {summary['citation_spans']} spans)"),
              ("Latency p50 (ms)", shown(summary["latency_ms_p50"], 1)),
              ("Latency p95 (ms)", shown(summary["latency_ms_p95"], 1))]
    return lines


def summary_text(summary: Summary) -> str:
    header = (f"Evaluation of {summary['file']} (method {summary['method']}), "
              f"top {summary['k']} passages")
    lines = metric_lines(summary)
    width = max(len(label) for label, _ in lines)
    body = [f"  {label.ljust(width)}  {value}" for label, value in lines]
    for bad in summary["bad_rows"]:
        body.append(f"  skipped line {bad['line']}: {bad['reason']}")
    if summary["misses"]:
        count = len(summary["misses"])
        body.append(f"  {count} {'miss' if count == 1 else 'misses'} (see --report or --out "
                    "for details)")
    return "\n".join([header, *body])


def cell(value: Any) -> str:
    return shown(value).replace("|", "\\|").replace("\n", " ")


def markdown_report(summary: Summary) -> str:
    parts = [f"# Evaluation: {summary['file']}", "",
             f"Retrieval method: `{summary['method']}`.", ""]
    parts += [f"Top {summary['k']} passages per question. A passage is relevant when it "
              "contains a gold snippet (after whitespace, quote and dash normalisation, "
              "case-insensitive) or, for questions with only gold documents, comes from one.",
              "", "| Metric | Value |", "|---|---|"]
    parts += [f"| {cell(label.strip())} | {cell(value)} |"
              for label, value in metric_lines(summary)]
    parts += ["", f"## Misses ({len(summary['misses'])})", ""]
    if summary["misses"]:
        parts += ["| id | question | miss | first relevant rank | top passage | top score |",
                  "|---|---|---|---|---|---|"]
        parts += [f"| {cell(m['id'])} | {cell(m['question'])} | {cell(m['miss'])} | "
                  f"{cell(m['first_relevant_rank'])} | {cell(m['top_key'])} | "
                  f"{cell(m['top_score'])} |" for m in summary["misses"]]
    else:
        parts.append("None: every answerable question has a relevant passage in the top k "
                     "and every abstention decision is right.")
    if summary["bad_rows"]:
        parts += ["", f"## Bad rows skipped ({len(summary['bad_rows'])})", ""]
        parts += [f"- line {b['line']}: {b['reason']}" for b in summary["bad_rows"]]
    return "\n".join(parts) + "\n"
