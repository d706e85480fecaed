"""Which modules only the test extra installs, and how to run a command without them.

The sets are computed from pyproject.toml and the installed packages' metadata, so a package
moved between the runtime dependencies and the test extra changes what is blocked by itself.
"""

from __future__ import annotations

import os
import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
SITECUSTOMIZE_DIR = Path(__file__).resolve().parent / "blocked_imports"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(requirements: list[str]) -> set[str]:
    """Every installed distribution these requirements pull in, themselves included."""
    seen: set[str] = set()
    todo = [Requirement(text) for text in requirements]
    while todo:
        requirement = todo.pop()
        name = normalise(requirement.name)
        if name in seen or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        try:
            todo.extend(Requirement(text) for text in distribution(name).requires or [])
        except PackageNotFoundError:
            continue
    return seen


def top_level_modules(dist_name: str) -> set[str]:
    """The importable top-level names a distribution installs (packages and extensions)."""
    files = distribution(dist_name).files or []
    names = set()
    for file in files:
        first = file.parts[0]
        if first.endswith((".dist-info", ".data")) or first in ("..", "__pycache__"):
            continue
        if len(file.parts) == 1 and not file.name.endswith((".py", ".so", ".pyd")):
            continue
        names.add(first.split(".")[0])
    return names


def modules_of_the_test_extra(pyproject: Path = ROOT / "pyproject.toml") -> set[str]:
    """Top-level modules installed by the test extra and by nothing the runtime needs."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    runtime = closure(project["dependencies"])
    test_only = closure(project["optional-dependencies"]["test"]) - runtime
    modules: set[str] = set()
    for name in test_only:
        modules |= top_level_modules(name)
    return modules


# What only the one-off ONNX export may import: every question, citation and status runs without.
TORCH_STACK = frozenset({"torch", "transformers", "sentence_transformers"})


def blocked_env(modules: set[str] | frozenset[str]) -> dict[str, str]:
    """The environment of a subprocess that cannot import `modules`."""
    env = dict(os.environ)
    env["RAG_BLOCKED_IMPORTS"] = ",".join(sorted(modules))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SITECUSTOMIZE_DIR), str(ROOT),
                                                      env.get("PYTHONPATH")]))
    return env
