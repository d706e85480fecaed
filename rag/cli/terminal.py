"""What the command-line faces share: opening the engine with a visible staleness warning,
and failing with a clear message."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer

from rag.engine import Engine
from rag.errors import RagError
from rag.messages import STALE_INDEX, build_command
from rag.settings import QuerySettings, ReaderSettings

T = TypeVar("T")


def fail(message: str, code: int = 1, as_json: bool = False) -> NoReturn:
    """The message on stderr and a non-zero exit; with --json also one JSON object on stdout,
    so a script parsing the output reads why (`rag ask --json ""` had printed nothing there)."""
    if as_json:
        typer.echo(json.dumps({"error": message}, ensure_ascii=False))
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def guarded(action: Callable[[], T], as_json: bool = False) -> T:
    """Run a command's work; a RagError becomes its message and a non-zero exit."""
    try:
        return action()
    except RagError as err:
        fail(str(err), as_json=as_json)
    except KeyboardInterrupt:
        fail("interrupted; the previous index, if any, is unchanged", 130, as_json)


def open_engine(index: Path | None, corpus: Path | None,
                reader: bool = ReaderSettings.enabled) -> Engine:
    """The engine over `index`; a stale index is used, but never silently. `reader=False` runs
    retrieval and the similarity rules without our cross-encoder (rag.answer.reading)."""
    query = QuerySettings(reader=ReaderSettings(enabled=reader))
    engine = Engine.open(index, corpus, query=query)
    stale = engine.freshness()
    if stale.stale:
        typer.secho("warning: " + STALE_INDEX.format(
            changes=stale.describe(), command=build_command(index, corpus)), err=True,
            fg=typer.colors.YELLOW)
    return engine


READER_DEFAULT = ReaderSettings.enabled
ReaderOpt = Annotated[bool, typer.Option(
    "--reader/--no-reader", help="Rerank the best passages and judge whether they answer with "
    "our reader model (the default); --no-reader: retrieval and the similarity rules alone.")]
