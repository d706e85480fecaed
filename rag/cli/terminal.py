"""What the command-line faces share: opening the engine with a visible staleness warning."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rag.engine import Engine
from rag.messages import CONFIDENCE_WORDS, STALE_INDEX
from rag.settings import QuerySettings, ReaderSettings


def open_engine(index: Path | None, corpus: Path | None, reader: bool = False) -> Engine:
    """The engine over `index`; a stale index is used, but never silently. `reader=True` adds
    our cross-encoder after retrieval (rag.answer.reading)."""
    query = QuerySettings(reader=ReaderSettings(enabled=reader))
    engine = Engine.open(index, corpus, query=query)
    stale = engine.freshness()
    if stale.stale:
        typer.secho("warning: " + STALE_INDEX.format(changes=stale.describe()), err=True,
                    fg=typer.colors.YELLOW)
    return engine


ReaderOpt = Annotated[bool, typer.Option(
    "--reader/--no-reader", help="Rerank, pick the answer and judge it with our reader model "
    "(experimental: it does not beat retrieval alone yet); default: retrieval and the "
    "similarity rules alone.")]


def confidence_line(result: dict) -> str:
    """The reader's probability that the documents answer, in numbers and words."""
    return (f"Confidence: {result['confidence']:.2f} ({result['confidence_label']}: "
            f"{CONFIDENCE_WORDS[result['confidence_label']]})")
