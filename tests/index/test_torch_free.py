"""Every query-time command runs with torch made unimportable: only the one-off ONNX export
(the first build of a checkout) needs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.index.embedding import exported_model
from tests.conftest import ROOT, SHIPPED_CORPUS
from tests.install_guard import TORCH_STACK, blocked_env

pytestmark = pytest.mark.slow
RAG = Path(sys.executable).with_name("rag")  # the installed console script


def run_without_torch(*args: str, index: Path) -> subprocess.CompletedProcess[str]:
    env = {**blocked_env(TORCH_STACK), "RAG_INDEX_DIR": str(index),
           "RAG_CORPUS_DIR": str(SHIPPED_CORPUS)}
    command = [str(RAG), *args[1:]] if args[0] == "rag" else [sys.executable, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=300)


def test_the_guard_really_blocks_torch(shipped_index: Path) -> None:
    blocked = run_without_torch("-c", "import torch", index=shipped_index)
    assert blocked.returncode != 0 and "ModuleNotFoundError" in blocked.stderr


def test_ask_cite_status_and_eval_run_without_torch(shipped_index: Path, tmp_path: Path) -> None:
    assert exported_model().fp32.is_file()  # made by the session's build, with torch
    cli = ["rag"]
    asked = run_without_torch(*cli, "ask", "What is a peace regime?", "--json",
                              index=shipped_index)
    assert asked.returncode == 0, asked.stderr
    key = json.loads(asked.stdout)["passages"][0]["key"]
    cited = run_without_torch(*cli, "cite", key, "--json", index=shipped_index)
    assert cited.returncode == 0 and json.loads(cited.stdout)["key"] == key
    status = run_without_torch(*cli, "status", "--json", index=shipped_index)
    assert status.returncode == 0, status.stderr
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "1", "question": "Who wrote the report?"}) + "\n")
    evaluated = run_without_torch(*cli, "eval", str(questions), "--json", index=shipped_index)
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["questions"] == 1


def test_a_search_imports_no_torch(shipped_index: Path) -> None:
    """Nor scipy (22 MiB; bm25s imports it only if it can) nor asyncio (with ssl, what bm25s's
    progress bars would import through tqdm.auto): rag.retrieval.lexical."""
    code = ("import sys; from rag.engine import Engine; "
            f"e = Engine.open(__import__('pathlib').Path({str(shipped_index)!r})); "
            "r = e.search('Which countries must take part in a peace regime?'); "
            "assert r.passages; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('torch', 'transformers', 'sentence_transformers', 'langchain_text_splitters', "
            "'pypdf', 'trafilatura', 'scipy', 'asyncio') and sys.modules[m] is not None))")
    done = run_without_torch("-c", code, index=shipped_index)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
