"""The runtime install is enough: nothing `rag` or `app.py` imports comes from the test extra.

A venv made with `pip install -e .` (what `scripts/run.sh` makes) lacks the test extra; these
tests make its packages unimportable in a subprocess, so a module-level import of one fails
here instead of on a new user's machine.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.documents_factory import tiny_beir
from tests.install_guard import ROOT, blocked_env, modules_of_the_test_extra

RUNTIME_SOURCES = [ROOT / "app.py", *sorted((ROOT / "rag").rglob("*.py"))]
COMMANDS = ["build", "ask", "cite", "status", "add", "eval"]

# Imports every module of the rag package and everything app.py imports, anywhere in it.
IMPORT_ALL = """
import ast, importlib, pkgutil, sys
import rag
for module in pkgutil.walk_packages(rag.__path__, "rag."):
    if module.name != "rag.__main__":
        importlib.import_module(module.name)
for node in ast.walk(ast.parse(open(sys.argv[1], encoding="utf-8").read())):
    if isinstance(node, ast.Import):
        for alias in node.names:
            importlib.import_module(alias.name)
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        importlib.import_module(node.module)
print("imported")
"""


def imported_top_levels(path: Path) -> set[str]:
    """Top-level modules a file imports, at module level or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.partition(".")[0])
    return names


def run_blocked(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    blocked = {**blocked_env(modules_of_the_test_extra()), "HF_HUB_OFFLINE": "1", **env}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd,
                          env=blocked, timeout=600)


def test_the_test_extra_is_known_and_blocked_in_a_subprocess() -> None:
    blocked = modules_of_the_test_extra()
    assert {"pytest", "hypothesis", "fpdf", "playwright", "ruff"} <= blocked
    assert not blocked & {"rag", "streamlit", "faiss", "numpy", "pytrec_eval", "typer"}
    done = run_blocked("-c", "import pytest")
    assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr


def test_no_runtime_source_imports_a_test_only_package() -> None:
    blocked = modules_of_the_test_extra()
    offenders = {str(path.relative_to(ROOT)): sorted(imported_top_levels(path) & blocked)
                 for path in RUNTIME_SOURCES}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_every_runtime_module_and_every_command_loads_without_the_test_extra() -> None:
    done = run_blocked("-c", IMPORT_ALL, str(ROOT / "app.py"))
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr[-3000:]
    for command in [[], *([name] for name in COMMANDS)]:
        shown = run_blocked("-m", "rag", *command, "--help")
        assert shown.returncode == 0 and "Usage" in shown.stdout, (command, shown.stderr[-2000:])


@pytest.mark.slow
def test_the_cli_works_end_to_end_without_the_test_extra(corpus_copy: Path,
                                                         tmp_path: Path) -> None:
    places = {"RAG_CORPUS_DIR": str(corpus_copy), "RAG_INDEX_DIR": str(tmp_path / "index"),
              "RAG_CACHE_DIR": str(tmp_path / "cache")}
    assert run_blocked("-m", "rag", "build", **places).returncode == 0
    asked = run_blocked("-m", "rag", "ask", "What is a peace regime?", "--json", **places)
    assert asked.returncode == 0, asked.stderr[-3000:]
    key = json.loads(asked.stdout)["passages"][0]["key"]
    cited = run_blocked("-m", "rag", "cite", key, "--json", **places)
    assert cited.returncode == 0 and json.loads(cited.stdout)["key"] == key
    status = run_blocked("-m", "rag", "status", **places)
    assert status.returncode == 0, status.stderr[-3000:]
    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps({"id": "q1", "question": "What is a peace regime?"}) + "\n",
                         encoding="utf-8")
    evaluated = run_blocked("-m", "rag", "eval", str(questions), "--json", **places)
    assert evaluated.returncode == 0 and json.loads(evaluated.stdout)["questions"] == 1, \
        evaluated.stderr[-3000:]
    beir = run_blocked("-m", "rag", "eval", "--beir", str(tiny_beir(tmp_path / "tiny")),
                       "--json", **places)
    assert beir.returncode == 0 and json.loads(beir.stdout)["queries"] == 3, beir.stderr[-3000:]
