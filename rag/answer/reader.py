"""The reader: our own cross-encoder (training/), run in ONNX Runtime with `tokenizers`, no
torch. It reads a question with one passage or sentence at a time and gives a logit: how likely
that text answers the question. The engine reranks with it, picks the answer sentence with it
and turns its logits, with retrieval's view of the same passages (rag.answer.evidence), into a
calibrated probability that the documents answer at all.

The graph ships in this package (rag/answer/models/), trained here from the shipped MiniLM
weights; it is loaded by path and never fetched.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rag.answer.evidence import Evidence
from rag.index.embedding import model_dir, usable_cores
from rag.index.mapped_graph import mapped_copy
from rag.index.onnx_encoder import ort  # telemetry is switched off there, before it loads
from rag.settings import cache_root

MODELS = Path(__file__).resolve().parent / "models"
DEFAULT_READER = "reader-l6"
MAX_LENGTH = 256


@dataclass(frozen=True)
class Calibration:
    """Logistic calibration fitted on the dev questions (training/calibrate_reader.py):
    P(answered) = sigmoid(scale * logit + the other scales times the rest of the question's
    `Evidence` (rag.answer.evidence: closeness, fused score and the two margins) + shift); and
    the probability below which the engine refuses, chosen there too. A record without a
    scale leaves that signal out."""

    scale: float = 1.0
    shift: float = 0.0
    threshold: float = 0.5
    closeness_scale: float = 0.0
    fused_scale: float = 0.0
    fused_margin_scale: float = 0.0
    logit_margin_scale: float = 0.0

    def probability(self, evidence: Evidence) -> float:
        z = (self.scale * evidence.logit + self.closeness_scale * evidence.closeness
             + self.fused_scale * evidence.fused + self.fused_margin_scale * evidence.fused_margin
             + self.logit_margin_scale * evidence.logit_margin + self.shift)
        return float(1.0 / (1.0 + np.exp(-z)))


class ReaderModel(Protocol):
    """What the engine needs of a reader: the ONNX model, or a stand-in in the fast tests."""

    calibration: Calibration

    def score(self, question: str, texts: list[str]) -> np.ndarray: ...


class OnnxReader:
    """(question, text) pairs in, one logit each out."""

    def __init__(self, path: Path, graph: Path | None = None, *,
                 workers: int | None = None) -> None:
        """`path` is the model as committed (its record beside it); `graph` the file to run,
        by default the same (`shared_reader` runs a memory-mapped copy of it).

        A call's pairs are read `workers` at a time (default: one per usable core), each on
        one thread; an intra-op pool's threads instead meet after every operation, which a
        pair of a few dozen tokens makes costly. Each call has its own workers, so questions
        asked at once share the cores as before (one pool for the process would queue each
        question's sentences behind every other question's passages).
        Measured on 40 dev questions (3 passages and 15 sentences each, interleaved): p50
        63.7 ms against 73.6 ms read one pair at a time on two intra-op threads, level with
        one core busy elsewhere (99.7 against 100.3 ms); the same logits. A call of one pair
        (a depth of 1, a single sentence) runs on one thread, not measured apart."""
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        from tokenizers import Tokenizer

        self.path = Path(path)
        self.tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_LENGTH, strategy="only_second")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(graph or self.path), sess_options=options,
                                            providers=["CPUExecutionProvider"])
        record = self.path.with_suffix(".json")
        meta = json.loads(record.read_text()) if record.is_file() else {}
        self.calibration = Calibration(**meta.get("calibration", {}))
        self.sha256 = meta.get("sha256")
        self.workers = workers or usable_cores()

    def logits(self, questions: list[str], texts: list[str]) -> np.ndarray:
        """One logit per pair, in input order, each pair run alone: dynamic int8 quantises
        activations with one scale per call, so in a batch a text's logit moved with its
        batch-mates (by up to 1.1 measured); alone it is the same every time, and with no
        padding three passages take 60 ms against 76 ms batched."""
        encodings = self.tokenizer.encode_batch(list(zip(questions, texts, strict=True)))
        if self.workers == 1 or len(encodings) <= 1:
            return np.array([self._logit(e) for e in encodings], dtype=np.float32)
        with ThreadPoolExecutor(self.workers, thread_name_prefix="rag-reader") as pool:
            return np.fromiter(pool.map(self._logit, encodings), dtype=np.float32,
                               count=len(encodings))

    def _logit(self, encoding: Any) -> float:  # encoding: tokenizers.Encoding
        ids = np.array([encoding.ids], dtype=np.int64)
        return float(self.session.run(["logit"], {
            "input_ids": ids, "attention_mask": np.ones_like(ids),
            "token_type_ids": np.array([encoding.type_ids], dtype=np.int64)})[0][0])

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        return self.logits([question] * len(texts), texts)


def reader_graph(name: str = DEFAULT_READER) -> Path:
    """The memory-mapped copy of a committed reader in the cache, made on first use (about a
    second, with `onnx` imported: `rag build` makes it, so a first question does not)."""
    path = MODELS / f"{name}.onnx"
    return mapped_copy(path, cache_root() / "models" / "readers")


@lru_cache(maxsize=2)
def shared_reader(name: str = DEFAULT_READER) -> OnnxReader:
    """One reader per process and model name, run from a memory-mapped copy in the cache; if
    the copy cannot be made or loaded (a read-only cache, a damaged file), from the committed
    file (about 24 MiB more memory)."""
    path = MODELS / f"{name}.onnx"
    try:
        return OnnxReader(path, graph=reader_graph(name))
    except Exception:  # onnxruntime's load errors derive from Exception only
        return OnnxReader(path)
