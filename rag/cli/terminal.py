"""What the command-line faces share: opening the engine with a visible staleness warning."""

from __future__ import annotations

from pathlib import Path

import typer

from rag.engine import Engine
from rag.messages import STALE_INDEX


def open_engine(index: Path | None, corpus: Path | None) -> Engine:
    """The engine over `index`; a stale index is used, but never silently."""
    engine = Engine.open(index, corpus)
    stale = engine.freshness()
    if stale.stale:
        typer.secho("warning: " + STALE_INDEX.format(changes=stale.describe()), err=True,
                    fg=typer.colors.YELLOW)
    return engine
