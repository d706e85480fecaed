"""Put on PYTHONPATH by tests/install_guard.py: makes the modules named in
$RAG_BLOCKED_IMPORTS unimportable, as they are in a venv made with `pip install -e .` alone.

A `None` entry in `sys.modules` is Python's own way of saying "not importable": `import x`
raises ModuleNotFoundError and `importlib.util.find_spec(x)` returns None, so libraries that
probe for optional packages (transformers does) see them as missing, not as broken.
"""

from __future__ import annotations

import os
import sys

for name in filter(None, os.environ.get("RAG_BLOCKED_IMPORTS", "").split(",")):
    sys.modules[name] = None  # type: ignore[assignment]
