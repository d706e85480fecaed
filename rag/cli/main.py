"""The `rag` command: build the index, ask, look citations up, add documents.

Typer (on Click) gives typed options, help text and exit codes without hand-written parsing.
"""

from __future__ import annotations

import json
import textwrap
from contextlib import suppress
from pathlib import Path
from typing import Annotated

import typer

from rag.answer.reader import reader_graph
from rag.answer.relevance import signal_words
from rag.cite.references import location
from rag.cli.terminal import READER_DEFAULT, ReaderOpt, fail, guarded, open_engine
from rag.engine import DEFAULT_K, Engine
from rag.index.builder import BuildReport, build_index
from rag.index.progress import stderr_progress
from rag.ingest.corpus_admin import AddOutcome, add_document
from rag.messages import (
    FILTERED_REFUSAL_DETAIL,
    FROM_METADATA,
    NO_PASSAGE_DETAIL,
    RANKING_NOTE,
    REFUSAL_DETAIL,
    STALE_INDEX,
    build_command,
    build_summary,
    confidence_line,
)
from rag.retrieval.filters import Filters
from rag.retrieval.fusion import DEFAULT_METHOD, Method
from rag.retrieval.spelling import english
from rag.settings import default_corpus_dir, default_index_dir

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Question answering with verifiable citations over your documents.")

CorpusOpt = Annotated[Path | None, typer.Option("--corpus", help="Corpus folder "
                      "(default: corpus/ of the project, or $RAG_CORPUS_DIR).")]
IndexOpt = Annotated[Path | None, typer.Option("--index", help="Index folder "
                     "(default: index/ of the project, or $RAG_INDEX_DIR).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]

def print_build_report(report: BuildReport) -> None:
    typer.echo(f"{build_summary(report)} into {report.index_path}")
    for skipped in report.skipped:
        typer.secho(f"skipped {skipped.relpath}: {skipped.reason}", err=True,
                    fg=typer.colors.YELLOW)


@app.command()
def build(corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """Index the corpus (only new or changed passages are embedded)."""
    corpus_dir, index_dir = corpus or default_corpus_dir(), index or default_index_dir()
    report = guarded(lambda: build_index(corpus_dir, index_dir, progress=stderr_progress()))
    print_build_report(report)
    with suppress(Exception):  # the reader falls back to its committed file if this fails
        reader_graph()  # made now, so the first `rag ask` does not pay for it
    english()  # the spelling's word list, likewise (it is read afresh if the cache is read-only)


@app.command()
def add(files: Annotated[list[Path], typer.Argument(help="PDF, HTML, Markdown or text files.")],
        corpus: CorpusOpt = None, index: IndexOpt = None,
        no_build: Annotated[bool, typer.Option("--no-build", help="Only copy.")] = False) -> None:
    """Check and copy documents into the corpus, then update the index."""
    corpus_dir = corpus or default_corpus_dir()
    if not corpus_dir.is_dir():
        fail(f"The corpus folder {corpus_dir} does not exist: create it, or give --corpus.")
    added = 0
    for path in files:
        if path.is_dir():
            outcome = AddOutcome(path.name, False, f"a folder; give the files in it, e.g. "
                                 f"{path / '*.pdf'}")
        elif not path.is_file():
            outcome = AddOutcome(path.name, False, "no such file")
        else:
            outcome = add_document(corpus_dir, path.name, path.read_bytes())
        added += outcome.added
        typer.secho(f"{'added' if outcome.added else 'refused'} {path}: {outcome.message}",
                    err=not outcome.added, fg=None if outcome.added else typer.colors.RED)
    if added and not no_build:
        build(corpus_dir, index)
    elif not added:
        typer.secho("Nothing was added; the corpus and the index are unchanged.", err=True)
    if added < len(files):
        raise typer.Exit(1)


def print_passages(result_dict: dict) -> None:
    if any("reader" in p["signals"] for p in result_dict["passages"]):
        typer.secho(RANKING_NOTE + "\n", dim=True)  # as the app says above its passages
    for passage in result_dict["passages"]:
        where = location(passage["section"], passage["page_label"], passage["date"])
        typer.secho(f"[{passage['rank']}] {passage['title']}" + (f" — {where}" if where else ""),
                    bold=True)
        typer.echo(f"    {passage['relevance']} ({signal_words(passage['signals'])}) · "
                   f"key {passage['key']} · chars {passage['start']}–{passage['end']}")
        typer.echo(textwrap.indent(textwrap.fill(passage["text"], 96), "    "))
        typer.echo("")


@app.command()
def ask(question: Annotated[str, typer.Argument(help="Your question, in quotes.")],
        k: Annotated[int, typer.Option("--k", min=1, max=100,
                                       help="Passages to show.")] = DEFAULT_K,
        doc: Annotated[list[str] | None, typer.Option("--doc", help="Only this document id "
                       "(repeatable).")] = None,
        type_: Annotated[list[str] | None, typer.Option("--type", help="Only this document "
                         "type, e.g. Report (repeatable).")] = None,
        date_from: Annotated[str | None, typer.Option("--from", help="Earliest date, ISO.")] = None,
        date_to: Annotated[str | None, typer.Option("--to", help="Latest date, ISO.")] = None,
        method: Annotated[Method, typer.Option("--method", help="Retrieval: hybrid, rrf, dense "
                          "or bm25.")] = DEFAULT_METHOD,
        reader: ReaderOpt = READER_DEFAULT, as_json: JsonOpt = False,
        corpus: CorpusOpt = None,
        index: IndexOpt = None) -> None:
    """Answer QUESTION from the documents and print the passages, best first, with citations."""
    engine = guarded(lambda: open_engine(index, corpus, reader), as_json)
    filters = guarded(lambda: Filters(frozenset(doc or ()), frozenset(type_ or ()), date_from,
                                      date_to), as_json)  # a bad date is refused here
    result = guarded(lambda: engine.search(question, k, filters, method=method),
                     as_json).as_dict()
    if as_json:  # a script reads the staleness warning here, not on stderr
        stale = engine.freshness()
        if stale.stale:
            result["notes"].append(STALE_INDEX.format(
                changes=stale.describe(), command=build_command(index, corpus)))
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for note in result["notes"]:
        typer.secho(f"note: {note}", err=True, fg=typer.colors.YELLOW)
    if result["abstained"]:
        detail = NO_PASSAGE_DETAIL if not result["passages"] else REFUSAL_DETAIL if \
            filters.is_empty() else FILTERED_REFUSAL_DETAIL
        typer.secho(f"{result['answer']} {detail}", bold=True)
        if result["confidence"] is not None:
            typer.echo(confidence_line(result))
        typer.echo()
    elif result["answer"]:
        typer.secho("Answer: ", bold=True, nl=False)
        typer.echo(textwrap.fill(result["answer"], 96, subsequent_indent="        "))
        if result["confidence"] is not None:
            typer.echo(confidence_line(result))
        typer.echo()
    print_passages(result)


@app.command()
def cite(key: Annotated[str, typer.Argument(help="A citation key from `rag ask`.")],
         as_json: JsonOpt = False, corpus: CorpusOpt = None, index: IndexOpt = None) -> None:
    """Show a cited passage in its context, with a Chicago reference and BibTeX."""
    citation = guarded(lambda: open_engine(index, corpus).cite(key), as_json)
    if as_json:
        typer.echo(json.dumps(citation.as_dict(), ensure_ascii=False, indent=2))
        return
    before = citation.context[:citation.start - citation.context_start]
    after = citation.context[citation.end - citation.context_start:]
    where = location(citation.section, citation.page_label)
    typer.secho(f"{citation.title}" + (f" — {where}" if where else ""), bold=True)
    typer.echo(f"key {citation.key} · chars {citation.start}–{citation.end}\n")
    if citation.from_metadata:
        typer.secho(f"note: {FROM_METADATA}\n", fg=typer.colors.YELLOW)
    # Each line of a catalogue record on its own line, as the app shows it; prose wrapped.
    shown = f"{before}»{citation.text}«{after}"
    lines = [line for line in shown.splitlines() if line.strip()] if citation.from_metadata \
        else [shown]
    typer.echo("\n".join(textwrap.fill(line, 96) for line in lines))
    typer.echo(f"\nReference (Chicago):\n  {citation.reference}\n\nBibTeX:\n{citation.bibtex}")


@app.command()
def status(corpus: CorpusOpt = None, index: IndexOpt = None, as_json: JsonOpt = False) -> None:
    """List the indexed documents and say whether the index matches the corpus."""
    engine = guarded(lambda: Engine.open(index, corpus), as_json)
    stale = engine.freshness()
    info = {"built_at": engine.manifest.built_at, "chunks": engine.manifest.chunks,
            "stale": stale.describe() or None,
            "documents": [{"doc_id": d.doc_id, "title": d.metadata.title, "type": d.metadata.type,
                           "date": d.metadata.date, "source": d.source}
                          for d in engine.documents.values()],
            "skipped": engine.manifest.skipped}
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    typer.echo(f"Index built {info['built_at']}: {len(info['documents'])} documents, "
               f"{info['chunks']} passages. " + (f"STALE ({info['stale']}): run rag build"
                                                 if info["stale"] else "Up to date."))
    for document in info["documents"]:
        typer.echo(f"  {document['doc_id']}  [{document['type']}, {document['date'] or 'undated'}]"
                   f"  {document['title']}")
    for path, reason in info["skipped"].items():
        typer.echo(f"  skipped {path}: {reason}")


from rag.cli.eval_command import eval_command  # noqa: E402, I001
app.command("eval")(eval_command)
