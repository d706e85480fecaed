"""What the command-line faces share: opening the engine with a visible staleness warning."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rag.engine import Engine
from rag.messages import STALE_INDEX, build_command
from rag.settings import QuerySettings, ReaderSettings


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
