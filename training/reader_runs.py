"""Run question sets through the engine with given reader settings: what calibration and the
ablation both need. A set is (name, question file, index folder, corpus folder)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rag.engine import Engine
from rag.evaluation.dataset import load_questions
from rag.evaluation.records import ResultRow, Summary
from rag.evaluation.run import evaluate_questions, summarize
from rag.settings import QuerySettings, ReaderSettings


@dataclass(frozen=True)
class QuestionSet:
    name: str
    questions: Path
    index: Path
    corpus: Path


def dev_sets(evalsets: Path) -> list[QuestionSet]:
    """The sets choices may be made on: the new data's dev split and the project's dev set."""
    return [QuestionSet("new dev", evalsets / "dev.jsonl", evalsets / "index",
                        evalsets / "corpus"),
            QuestionSet("project dev", Path("eval/devset.jsonl"), Path("index"), Path("corpus"))]


def test_sets(evalsets: Path) -> list[QuestionSet]:
    """The sets nothing is chosen on."""
    return [QuestionSet("new test", evalsets / "test.jsonl", evalsets / "index",
                        evalsets / "corpus"),
            QuestionSet("project held-out", Path("eval/heldout.jsonl"), Path("index"),
                        Path("corpus"))]


def run(question_set: QuestionSet, reader: ReaderSettings,
        k: int = 10) -> tuple[list[ResultRow], Summary]:
    engine = Engine.open(question_set.index, question_set.corpus,
                         query=QuerySettings(reader=reader))
    questions, _ = load_questions(question_set.questions)
    rows = evaluate_questions(questions, engine, k)
    return rows, summarize(rows, k, source=str(question_set.questions))
