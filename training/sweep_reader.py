"""Choose how the reader is used, on the dev sets only: how much of the fused retrieval score to
mix into its rerank (`ReaderSettings.retrieval_weight`), and which signal best says whether
the documents answer at all.

The engine runs once per question with the reader off (retrieval, its fused scores and the
similarity support); the reader then scores the first `--depth` passages, and every weight and
signal is evaluated on those numbers, so a sweep costs one reading per question.

    python -m training.sweep_reader build/evalsets --model reader-l6

Prints, per dev set: Recall@1 for each rerank depth N and weight (`inf`: retrieval's order
alone), and the ROC AUC with which each signal separates answerable from unanswerable
questions. That reading simplifies the engine (a catalogue record that cannot answer is read
like any passage), which is enough to compare weights; the calibration instead reads the
engine itself, with the reader on (`engine_set`, used by `calibrate_reader`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

import rag
from rag.answer.decision import (
    NO_PASSAGE,
    NO_SEARCH_TERMS,
    UNDEFINED_ACRONYM,
    UNKNOWN_SEARCH_TERMS,
)
from rag.answer.reader import MODELS, shared_reader
from rag.answer.reader_input import reader_text
from rag.engine import Engine
from rag.evaluation.dataset import load_questions
from rag.evaluation.judge import relevant_ranks
from rag.evaluation.records import ResultRow
from rag.index.manifest import MANIFEST
from rag.settings import RETRIEVAL_ONLY, ReaderSettings
from training.reader_runs import QuestionSet, dev_sets, run, test_sets

PACKAGE = Path(rag.__file__).parent
WEIGHTS = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, float("inf"))
DEPTHS = (1, 3, 5, 10)


def read_set(question_set: QuestionSet, model: str, depth: int) -> list[dict]:
    """For each question: the fused scores, closeness, reader logits and relevance of its first
    `depth` passages, the similarity support, and whether it is answerable."""
    engine = Engine.open(question_set.index, question_set.corpus, query=RETRIEVAL_ONLY)
    reader = shared_reader(model)
    questions, _ = load_questions(question_set.questions)
    out = []
    for question in (q for q in questions if q.labelled):  # as `labelled`
        result = engine.search(question.question, depth).as_dict()
        passages = result["passages"]
        relevant = set(relevant_ranks(passages, question)) if question.judged else set()
        logits = reader.score(question.question, [reader_text(p["title"], p["text"])
                                                  for p in passages]) if passages else []
        out.append({"id": question.id, "unanswerable": question.unanswerable,
                    "judged": question.judged, "support": result["decision"]["support"],
                    "fused": [p["score"] for p in passages],
                    "closeness": [p["signals"]["closeness"] for p in passages],
                    "logits": [float(v) for v in logits],
                    "relevant": [p["rank"] in relevant for p in passages]})
    return out


def engine_set(question_set: QuestionSet, model: str) -> list[dict]:
    """For each question, what the engine's reader verdict reads (rag.answer.reading.judge),
    as the engine computed it with the reader on: the calibration's evidence (None when no
    passage reread may answer), whether the question quotes a top passage or names something
    the documents never use, the similarity support, and whether it was refused unread (no
    search words the documents know, or no passage). Calibration reads these, so its fit and
    threshold see the engine's own numbers (the skipped catalogue records, the blind
    refusals), not a simplification of them."""
    rows, _ = run(question_set, ReaderSettings(model=model))
    return [{"id": r["id"], "unanswerable": r["unanswerable"], **verdict_inputs(r["decision"])}
            for r in labelled(rows)]


def labelled(rows: list[ResultRow]) -> list[ResultRow]:
    """The rows that say whether their question is answerable: a bare question's
    `unanswerable` is None, which the fit must not read as answerable (a review's finding)."""
    return [row for row in rows if row["eval"]["labelled"]]


def verdict_inputs(decision: dict) -> dict:
    """From a search result's `decision` (its JSON form), what the reader's verdict reads."""
    return {"evidence": decision["evidence"], "verbatim": decision["verbatim"],
            "names_unknown": bool(decision["unknown_names"]), "support": decision["support"],
            "refused_unread": decision["reason"] in (NO_PASSAGE, NO_SEARCH_TERMS,
                                                     UNKNOWN_SEARCH_TERMS, UNDEFINED_ACRONYM)}


def reading_fingerprint(question_set: QuestionSet, model: str) -> str:
    """What a reading depends on: the reader model's bytes, the engine's code and settings
    (every file of the `rag` package) and the index's manifest."""
    digest = hashlib.sha256((MODELS / f"{model}.onnx").read_bytes())
    for source in sorted(PACKAGE.rglob("*.py")):
        digest.update(source.read_bytes())
    digest.update((question_set.index / "current" / MANIFEST).read_bytes())
    return digest.hexdigest()


def cached(question_set: QuestionSet, model: str, kind: str, reading: Callable[[], list[dict]],
           cache: Path = Path("build/sweep")) -> list[dict]:
    """A reading of a question set, kept in `cache` (build/ is not committed) so each choice
    rereads nothing, under `reading_fingerprint`: a retrained model written under the old
    name, or a change to the engine or the index, must not be calibrated on old readings."""
    cache.mkdir(parents=True, exist_ok=True)
    digest = reading_fingerprint(question_set, model)[:12]
    path = cache / f"{model}-{digest}-{kind}-{question_set.name.replace(' ', '-')}.json"
    if not path.exists():
        path.write_text(json.dumps(reading()))
    return json.loads(path.read_text())


def cached_reading(question_set: QuestionSet, model: str, depth: int,
                   cache: Path = Path("build/sweep")) -> list[dict]:
    """`read_set`, cached."""
    return cached(question_set, model, str(depth),
                  lambda: read_set(question_set, model, depth), cache)


def cached_engine_set(question_set: QuestionSet, model: str,
                      cache: Path = Path("build/sweep")) -> list[dict]:
    """`engine_set`, cached."""
    return cached(question_set, model, "engine", lambda: engine_set(question_set, model), cache)


def recall_at_1(rows: list[dict], weight: float, depth: int) -> float:
    """Recall@1 when the first `depth` passages are reranked by logit + weight × fused score
    (weight inf: retrieval's order)."""
    judged = [r for r in rows if r["judged"] and r["fused"]]
    hits = 0
    for row in judged:
        first = 0 if weight == float("inf") else int(np.argmax(
            np.array(row["logits"][:depth]) + weight * np.array(row["fused"][:depth])))
        hits += row["relevant"][first]
    return hits / len(judged)


def signals(row: dict, depth: int) -> dict[str, float]:
    logits = np.array(row["logits"][:depth] or [-10.0])
    return {"similarity support (the rule without the reader)": row["support"],
            "best passage logit": float(logits.max()),
            "logsumexp of logits (P(answer) with a null slot at 0)":
                float(np.logaddexp.reduce(logits))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("evalsets", type=Path)
    parser.add_argument("--model", default="reader-l6")
    parser.add_argument("--depth", type=int, default=10)
    parser.add_argument("--test", action="store_true", help="the test sets (report only)")
    parser.add_argument("--cache", type=Path, default=Path("build/sweep"))
    args = parser.parse_args()
    sets = test_sets(args.evalsets) if args.test else dev_sets(args.evalsets)
    for question_set in sets:
        rows = cached_reading(question_set, args.model, args.depth, args.cache)
        print(f"## {question_set.name}: {len(rows)} questions, "
              f"{sum(r['unanswerable'] for r in rows)} unanswerable")
        for depth in DEPTHS:
            print(f"Recall@1, N = {depth}, by weight: " + ", ".join(
                f"{w}: {recall_at_1(rows, w, depth):.3f}" for w in WEIGHTS))
        labels = [not r["unanswerable"] for r in rows]
        table = [signals(r, args.depth) for r in rows]
        for name in table[0]:
            auc = roc_auc_score(labels, [t[name] for t in table])
            print(f"  answerable vs not, ROC AUC of {name}: {auc:.3f}")

if __name__ == "__main__":
    main()
