"""`rag eval`: bulk evaluation of a question file, or of a BEIR-format benchmark."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from rag.cli.terminal import READER_DEFAULT, fail, open_engine
from rag.errors import RagError
from rag.evaluation.beir_eval import beir_summary_text, evaluate_beir
from rag.evaluation.report import markdown_report, summary_text, write_csv
from rag.evaluation.run import evaluate_file
from rag.index.store import write_jsonl
from rag.retrieval.fusion import Method


def check_output(path: Path | None) -> None:
    """Refuse an output path that cannot be written before the evaluation runs, not after."""
    if path is None:
        return
    if path.is_dir():
        raise RagError(f"{path} is a folder: give a file name in it, e.g. {path / 'results'}")
    if not path.parent.is_dir():
        raise RagError(f"The folder {path.parent} does not exist: create it first, or write "
                       "the results elsewhere.")
    # Opened, not judged by its permissions: `--report /proc/x.md` passed every check and
    # failed after the whole run (a first-time user's finding), and root passes os.access.
    # The file a link points to is the one probed; a FIFO or a device (/dev/stdout) is written
    # as it is, never opened early (a FIFO would block, or lose its reader).
    target = path.resolve()
    if target.exists() and not target.is_file():
        return
    try:
        made = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL)  # only if absent
    except FileExistsError:
        made = None
    except OSError as err:
        raise RagError(f"{path} cannot be written ({err.strerror or err}): give a file in a "
                       "folder you can write to.") from None
    if made is not None:
        os.close(made)
        target.unlink()
        return
    try:  # an existing file: opened to append, so nothing in it changes
        os.close(os.open(target, os.O_WRONLY | os.O_APPEND))
    except OSError as err:
        raise RagError(f"{path} cannot be written ({err.strerror or err}): give another "
                       "file name.") from None


def check_outputs(questions: Path, outputs: dict[str, Path | None]) -> None:
    """Refuse, before anything runs, outputs that would overwrite the question file or each
    other: `--out q.jsonl` on q.jsonl had replaced a hand-written question set with results
    (a first-time user's finding)."""
    written: dict[Path, str] = {}
    for option, path in outputs.items():
        if path is None:
            continue
        check_output(path)
        target = path.resolve()
        if target == questions.resolve():
            raise RagError(f"{option} {path} is the question file itself: writing the results "
                           "there would replace the questions. Give another file name.")
        if target in written:
            raise RagError(f"{written[target]} and {option} both name {path}: one would "
                           "overwrite the other. Give each its own file.")
        written[target] = option


def eval_command(
    file: Annotated[Path | None, typer.Argument(
        help="Questions: .jsonl or .csv with id, question, and optionally gold, gold_docs, "
             "unanswerable.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write one JSON line per question "
                   "(the `ask --json` object + id, input fields, latency_ms).")] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Also write a flat CSV.")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the summary and the "
                      "misses as Markdown.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON "
                       "object.")] = False,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Passages per question.")] = 10,
    method: Annotated[Method | None, typer.Option("--method",
                      help="Retrieval method: dense, bm25, rrf or hybrid (default: "
                           "hybrid).")] = None,
    beir: Annotated[Path | None, typer.Option("--beir", help="Evaluate on a BEIR folder "
                    "(corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv) instead of FILE.")] = None,
    split: Annotated[str, typer.Option("--split", help="BEIR qrels split.")] = "test",
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="BEIR: only the first "
                     "N queries.")] = None,
    bootstrap_against: Annotated[Method | None, typer.Option(
        "--bootstrap-against",
        help="BEIR: paired bootstrap of the nDCG@10 difference between --method and this "
             "method (1,000 resamples over queries, fixed seed).")] = None,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Corpus folder (default: "
                      "corpus/ of the project, or $RAG_CORPUS_DIR).")] = None,
    index: Annotated[Path | None, typer.Option("--index", help="Index folder (default: "
                     "index/ of the project, or $RAG_INDEX_DIR).")] = None,
    reader: Annotated[bool | None, typer.Option(
        "--reader/--no-reader", help="Rerank with our reader model. Default: on for a question "
        "FILE; off for --beir, where reranking documents lowered SciFact train nDCG@10 from "
        "0.7563 to 0.7481.")] = None,
) -> None:
    """Evaluate a question set (Recall@k, MRR, abstention, citations, latency) or a BEIR
    benchmark (nDCG@10, Recall@10/100, MRR@10)."""
    if (file is None) == (beir is None):
        raise typer.BadParameter("give a question FILE or --beir DIR (one of them)")
    try:
        if beir is not None:
            summary = evaluate_beir(beir, split, method, limit, bootstrap_against,
                                    progress=True, reader=bool(reader))
            typer.echo(json.dumps(summary, ensure_ascii=False) if as_json
                       else beir_summary_text(summary))
            return
        if bootstrap_against:
            raise typer.BadParameter("--bootstrap-against works with --beir only")
        check_outputs(file, {"--out": out, "--csv": csv_out, "--report": report})
        engine = open_engine(index, corpus, READER_DEFAULT if reader is None else reader)
        rows, summary = evaluate_file(file, engine, k=k, method=method, progress=True)
    except RagError as err:
        fail(str(err), as_json=as_json)
    except KeyboardInterrupt:
        fail("interrupted; nothing written", 130, as_json)
    for bad in summary["bad_rows"] if as_json else ():  # the text summary lists them
        typer.secho(f"skipped line {bad['line']}: {bad['reason']}", err=True,
                    fg=typer.colors.YELLOW)
    try:
        if out:
            write_jsonl(out, rows)
        if csv_out:
            write_csv(rows, csv_out)
        if report:
            report.write_text(markdown_report(summary), encoding="utf-8")
    except OSError as err:
        fail(f"could not write the results: {err}", as_json=as_json)
    typer.echo(json.dumps(summary, ensure_ascii=False) if as_json else summary_text(summary))
