"""How a build reports progress: a callback (stage, done, total), drawn as tqdm bars on stderr
by the command-line faces; the app passes its own."""

from __future__ import annotations

import sys
from collections.abc import Callable

from tqdm import tqdm

ProgressCallback = Callable[[str, int, int], None]


def stderr_progress(unit: str = "text") -> ProgressCallback:
    """A callback drawing one tqdm bar per stage on stderr (stdout stays for results)."""
    bars: dict[str, tqdm] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage) or bars.setdefault(
            stage, tqdm(total=total, desc=stage, unit=unit, file=sys.stderr))
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update
