"""The embedding model's ONNX graph, run without torch: ONNX Runtime, `tokenizers`, numpy.

Importing this module switches ONNX Runtime's telemetry off before the library loads (see
below); every other module reaches onnxruntime through it. The graph itself is made once by
`rag.index.onnx_export`.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from rag.index.embedding import model_dir

# onnxruntime ≥ 1.29 ships telemetry on Linux that is on by default: it writes a device id and
# an event store under ~/.cache/Microsoft and may upload. Only this variable, read when the
# library loads, stops it; `disable_telemetry_events()` alone still creates those files
# (checked on 1.32). So it must be set before onnxruntime is first imported.
if "onnxruntime" in sys.modules and os.environ.get("ORT_DISABLE_TELEMETRY") != "1":
    warnings.warn(
        "onnxruntime was imported before rag.index.onnx_encoder could set ORT_DISABLE_TELEMETRY=1;"
        " its telemetry may be on in this process", RuntimeWarning, stacklevel=2,
    )
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import onnxruntime as ort

if hasattr(ort, "disable_telemetry_events"):
    ort.disable_telemetry_events()


def max_seq_length(source_dir: Path | None = None) -> int:
    """sentence-transformers truncates at this length (256), not the tokenizer.json's 128."""
    config = json.loads(((source_dir or model_dir()) / "sentence_bert_config.json").read_text())
    return int(config["max_seq_length"])


def load_tokenizer(source_dir: Path | None = None) -> Any:  # -> tokenizers.Tokenizer
    """The model's tokenizer as sentence-transformers runs it: no fixed padding (the shipped
    tokenizer.json pads to 128; padding is done per batch), truncation at 256, not 128."""
    from tokenizers import Tokenizer

    source = source_dir or model_dir()
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_seq_length(source))
    return tokenizer


def batch_feeds(encodings: list[Any], input_names: set[str]
                ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """A graph's inputs for these tokenised texts, padded to the longest, and the mask."""
    ids = np.zeros((len(encodings), max(len(e.ids) for e in encodings)), dtype=np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        size = len(encoding.ids)
        ids[row, :size] = encoding.ids
        types[row, :size] = encoding.type_ids
        mask[row, :size] = 1
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    return {name: value for name, value in feeds.items() if name in input_names}, mask


def count_tokens(tokenizer: Any, texts: list[str]) -> np.ndarray:
    """Tokens the model reads of each text, the [CLS] and [SEP] it adds left out."""
    encodings = tokenizer.encode_batch(list(texts), add_special_tokens=False)
    return np.fromiter((len(e.ids) for e in encodings), dtype=np.float32, count=len(encodings))


# --------------------------------------------------------------------------- encode


class OnnxEncoder:
    """Normalised sentence embeddings from an exported graph, with no torch in the process.

    Mean pooling over the attention mask and L2 normalisation are done here in numpy, exactly
    as sentence-transformers' Pooling and Normalize modules do them."""

    def __init__(self, model_path: Path | str, threads: int | None = None, *,
                 tokenizer_dir: Path | None = None, spinning: bool = True,
                 workers: int = 1) -> None:
        """`threads` sets ONNX Runtime's intra-op pool (None: its default, one per physical
        core). It is fixed for the session's life, so a process that wants two-thread question
        latency and one batch per core for indexing holds two encoders (rag.index.embedding).

        `workers` > 1 runs that many of `encode`'s batches at once, each on its own Python
        thread (ONNX Runtime releases the GIL and a session may be run from many threads).
        With `threads=1` that is data parallelism: the workers never wait for one another,
        where an intra-op pool meets at a barrier after every operation, so a core taken by
        another process stalls one worker, not all. (With `threads` above 1 too, the workers'
        pools share the cores and fight.) The vectors are the same either way: each batch is
        the same batch."""
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.workers = workers
        source = tokenizer_dir or model_dir()
        self.max_seq_length = max_seq_length(source)
        self.tokenizer = load_tokenizer(source)

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or 0
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        if not spinning:  # idle workers sleep instead of spinning: see rag.index.embedding
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.model_path = Path(model_path)
        self.threads = threads
        self.session = ort.InferenceSession(str(self.model_path), sess_options=options,
                                            providers=["CPUExecutionProvider"])
        self.input_names = {node.name for node in self.session.get_inputs()}
        output = self.session.get_outputs()[0]
        self.output_name = output.name
        self.dimension = int(output.shape[-1])

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        """Rows in input order. Texts are batched by token length, longest first, so each batch
        pads to a length close to its own texts' (the graph's cost grows with padded length)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=True)
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64,
                              count=len(encodings))
        order = np.argsort(-lengths, kind="stable")
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)

        def encode_rows(rows: np.ndarray) -> None:
            vectors[rows] = self._encode_batch([encodings[i] for i in rows])

        batches = [order[start:start + batch_size] for start in range(0, len(order), batch_size)]
        if self.workers == 1 or len(batches) == 1:
            for rows in batches:
                encode_rows(rows)
        else:  # longest batches first, so the last ones to finish are the short ones
            with ThreadPoolExecutor(self.workers, thread_name_prefix="rag-encode") as pool:
                list(pool.map(encode_rows, batches))  # re-raises a worker's exception here
        return vectors

    def _encode_batch(self, encodings: list[Any]) -> np.ndarray:
        feeds, mask = batch_feeds(encodings, self.input_names)
        hidden = self.session.run([self.output_name], feeds)[0]
        weights = mask.astype(np.float32)
        summed = np.einsum("bld,bl->bd", hidden, weights)
        pooled = summed / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)

    def encode_few(self, texts: list[str]) -> np.ndarray:
        """Same as `encode`: kept so this class can stand where `Embedder` does. The thread
        count cannot change per call here; a question encoder is built with its own."""
        return self.encode(texts)

    def encode_query(self, question: str) -> np.ndarray:
        return self.encode([question])[0]
