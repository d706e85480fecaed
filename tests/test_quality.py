"""Quality floors on the shipped corpus's question sets, with the real model and index.

A change that costs more than about one question on any figure fails here, so a regression
shows in CI rather than in the next hand-run evaluation. The floors sit one question below the
figures the README and docs/ report; raise them when the figures rise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.engine import Engine
from rag.evaluation.run import evaluate_file

pytestmark = pytest.mark.slow
EVAL = Path(__file__).resolve().parent.parent / "eval"

FLOORS = {
    # Abstention floors lowered on 2026-12-04 with the catalogue records: measured, they cost two
    # right refusals on each set (docs/quality.md, "The catalogue records' cost"); one question
    # below now. Dev Recall@5 (1.000 -> 0.948) and abstention recall (0.72 -> 0.64) lowered the
    # same day with the mixed title-context vectors, which halve what a build reads
    # (docs/speed.md: three dev questions left the top 5, two more unanswerable ones were
    # answered by the similarity rules; the reader's figures held). One question below the new
    # figures. Held-out answers lowered on 2026-12-05 with the fused question graph, which
    # costs the retrieval-alone path one held-out answer (0.686 -> 0.657; the reader's figures
    # held, README "The model"): one question below. Dev answers lowered on 2026-12-05 (latest)
    # with the 7-bit question graph, which computes alike on every CPU and costs the
    # retrieval-alone path one dev answer (0.655 -> 0.638, docs/reader.md "7-bit weights"):
    # one question below.
    "devset.jsonl": {"recall@1": 0.82, "recall@5": 0.93, "mrr@10": 0.89, "answer_accuracy": 0.62,
                     "abstention_precision": 0.62, "abstention_recall": 0.60,
                     "citations_verified": 1.0},
    "heldout.jsonl": {"recall@1": 0.80, "recall@10": 1.0, "mrr@10": 0.87, "answer_accuracy": 0.62,
                      "abstention_precision": 0.35, "abstention_recall": 0.33,
                      "citations_verified": 1.0},
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_question_sets_stay_above_their_floors(name: str, engine: Engine) -> None:
    _, summary = evaluate_file(EVAL / name, engine, k=10)
    below = {metric: round(summary[metric], 3) for metric, floor in FLOORS[name].items()
             if summary[metric] < floor}
    assert not below, f"{name}: below the floor: {below}"
