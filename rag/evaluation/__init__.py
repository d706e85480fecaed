"""Bulk evaluation: question files (JSONL/CSV) and BEIR benchmarks, scored per metric."""

from rag.evaluation.dataset import BadRow, Question, load_questions
from rag.evaluation.run import evaluate_file, evaluate_questions, summarize

__all__ = ["BadRow", "Question", "evaluate_file", "evaluate_questions", "load_questions",
           "summarize"]
