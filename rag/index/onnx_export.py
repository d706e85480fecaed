"""Export the shipped MiniLM weights to ONNX once: an fp32 graph and an int8 copy, each with a
memory-mapped twin (the one that runs: rag.index.mapped_graph). The int8 graph encodes the
index's texts and the questions; the fp32 graph mines the reader's training pairs
(rag.index.embedding).

It is the only place that imports torch and transformers (inside `export_fp32`), and it runs
on the first build of a checkout. The fp32 graph gives sentence-transformers' vectors (cosine
1.0000); the int8 graph, with the feed-forward outliers multiplied apart in fp32
(rag.index.ffn_outliers), reads 1.5-2x as many texts a second at cosine >= 0.99 for ordinary
texts, less for one- or two-word ones (see `DEFAULT_FFN_OUTPUT`). Export needs torch,
transformers, onnx.
"""

from __future__ import annotations

import json
import logging
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.index.embedding import model_dir
from rag.index.ffn_outliers import (
    CALIBRATION_TEXTS,
    OUTLIER_RATIO,
    ffn_output_nodes,
    split_outliers,
)
from rag.index.files import (
    MANIFEST_FORMAT,
    atomic_target,
    file_record,
    read_manifest,
    restamp,
    sha256_file,
    still_matches,
    write_manifest,
)
from rag.index.mapped_graph import data_path, write_mapped
from rag.index.onnx_encoder import ort  # telemetry is switched off there, before it loads

FP32_NAME = "model_fp32.onnx"
INT8_NAME = "model_int8.onnx"
# The fp32 graph again, its weights in a side file (rag.index.mapped_graph): what is run.
MAPPED_NAME = "model_fp32_mapped.onnx"
MAPPED_INT8_NAME = "model_int8_mapped.onnx"
MANIFEST_NAME = "onnx_export.json"
OPSET = 17
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "token_embeddings"
WEIGHT_TYPES = ("qint8", "quint8")
# Measured by bench/bench_onnx_agreement.py on 1,000 SciFact abstracts (see its output):
# per-channel is what makes int8 usable (per-tensor: mean cosine 0.93); QInt8 and QUInt8 are
# equal on average and QInt8 has the better worst case.
DEFAULT_WEIGHT_TYPE = "qint8"
DEFAULT_PER_CHANNEL = True
# The feed-forward output projections (1536 -> 384) read GELU outputs with a few channels far
# past the rest, so one int8 scale per tensor leaves the bulk of them a handful of levels:
# "split" multiplies those channels apart in fp32 and the rest in int8 (rag.index.ffn_outliers;
# about 1.2-1.35x the texts a second of "fp32", at mean cosine 0.9947 to the fp32 graph against
# 0.9956); "fp32" keeps the six products in fp32 (short texts ~0.98 -> >= 0.99, e.g. "peace"
# 0.982 -> 0.992, against "int8"); "int8" quantises them whole.
FFN_OUTPUTS = ("fp32", "split", "int8")
DEFAULT_FFN_OUTPUT = "split"
# 7-bit weights, so the graph computes the same on every x86 CPU. ONNX Runtime multiplies
# 8-bit activations by 8-bit weights; with AVX-512 VNNI it sums the products exactly, with AVX2
# alone in 16-bit pairs, which saturate when two large activations meet two large weights.
# Measured with 8-bit weights (a Haswell CPU emulated by qemu-user against this AVX-512 VNNI
# one, docs/speed.md): question vectors at cosine 0.9937, reader logits 0.49 apart; with 7
# bits, identical question vectors and logits within 0.019.
DEFAULT_REDUCE_RANGE = True
DEFAULT_FUSE = True  # see fuse_layers
FLOAT_TENSOR = 1  # onnx.TensorProto.FLOAT, without importing onnx to say so


@dataclass(frozen=True)
class ModelFiles:
    """What an export left on disk; the hashes let an index record which graph made its vectors."""

    fp32: Path
    int8: Path
    mapped: Path  # the fp32 graph that is run: the same graph, weights memory-mapped
    mapped_int8: Path  # the int8 graph that is run, likewise
    fp32_sha256: str
    int8_sha256: str
    manifest: Path
    exported: bool  # False when everything was already in place and the call did nothing
    source_sha256: str = ""  # the shipped weights the graphs were exported from


# --------------------------------------------------------------------------- export


def _check_weight_type(weight_type: str) -> None:
    """Checked by name, so that a no-op `export_model` never imports the quantisation tools
    (and onnx): it runs on the query path."""
    if weight_type not in WEIGHT_TYPES:
        raise ValueError(f"weight_type must be one of {WEIGHT_TYPES}, not {weight_type!r}")


def _quant_type(weight_type: str) -> Any:
    from onnxruntime.quantization import QuantType

    _check_weight_type(weight_type)
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


def fuse_layers(fp32: Path, target: Path, source_dir: Path | None = None) -> None:
    """ONNX Runtime's transformer optimizer: each layer's attention, its two residual layer
    norms and its GELU become one kernel each (the graph goes from hundreds of nodes to 46).
    A question is a few tokens, so the per-node overhead is much of its encoding: measured on
    the project's dev questions, the int8 graph fused encodes a question in 0.86-0.95x the
    time of the int8 graph unfused (four runs), at the same agreement with fp32
    (bench/bench_onnx_agreement.py)."""
    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads(((source_dir or model_dir()) / "config.json").read_text())
    model = optimize_model(str(fp32), model_type="bert", opt_level=0,
                           num_heads=int(config["num_attention_heads"]),
                           hidden_size=int(config["hidden_size"]))
    fused = model.get_fused_operator_statistics().get("Attention", 0)
    if fused != int(config["num_hidden_layers"]):
        raise RuntimeError(f"fused {fused} attention layers of {config['num_hidden_layers']}")
    model.save_model_to_file(str(target))


@contextmanager
def root_logging_untouched() -> Iterator[None]:
    """ONNX Runtime's quantisation tools log through the `logging` module's functions, and the
    first such call gives the root logger a handler, configuring logging for the whole process
    (the app's, a user's script's). Whatever they add is taken away again."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def quantize(fp32: Path, target: Path, *, weight_type: str = DEFAULT_WEIGHT_TYPE,
             per_channel: bool = DEFAULT_PER_CHANNEL, reduce_range: bool = DEFAULT_REDUCE_RANGE,
             ffn_output: str = DEFAULT_FFN_OUTPUT, fuse: bool = DEFAULT_FUSE,
             nodes_to_exclude: Sequence[str] = (), preprocess: bool = True,
             source_dir: Path | None = None) -> None:
    """Dynamic int8: weights stored as int8, activations quantised per call with one scale per
    tensor, so no calibration of the activations is needed (the "split" feed-forward outputs
    read a few fixed texts only to pick their outlier channels). That per-call scale covers
    the whole batch, so a text's int8 vector moves slightly with its batch-mates (fp32's does
    not). `ffn_output` says how the feed-forward output products run (`DEFAULT_FFN_OUTPUT`).

    `fuse` fuses each layer's operations first (`fuse_layers`). `preprocess` runs ONNX
    Runtime's recommended pre-quantisation pass (optimisation and ONNX shape inference;
    symbolic shape inference cannot complete on this graph and, failing, writes files into the
    working directory, so it is skipped). ONNX shape inference does not know the fused
    operators' output types, so the quantiser is told they are float."""
    from onnxruntime.quantization import quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    quant_type = _quant_type(weight_type)
    if ffn_output not in FFN_OUTPUTS:
        raise ValueError(f"ffn_output must be one of {FFN_OUTPUTS}, not {ffn_output!r}")
    with atomic_target(target) as temporary, tempfile.TemporaryDirectory() as scratch, \
            root_logging_untouched():
        source = Path(fp32)
        excluded = list(nodes_to_exclude)
        if ffn_output == "split":
            split = Path(scratch) / "split.onnx"
            excluded += split_outliers(source, split, source_dir)
            source = split
        elif ffn_output == "fp32":
            import onnx

            excluded += [node.name for node in ffn_output_nodes(onnx.load(str(source)))]
        if fuse:
            fused = Path(scratch) / "fused.onnx"
            fuse_layers(source, fused, source_dir)
            source = fused
        if preprocess:
            prepared = Path(scratch) / "preprocessed.onnx"
            quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
            source = prepared
        check_names(source, excluded)
        quantize_dynamic(source, temporary, per_channel=per_channel, reduce_range=reduce_range,
                         weight_type=quant_type, nodes_to_exclude=excluded,
                         extra_options={"DefaultTensorType": FLOAT_TENSOR} if fuse else {})


def check_names(model_path: Path, names: Sequence[str]) -> None:
    """The quantiser silently ignores a node name it cannot find, which would quantise what
    was meant to stay fp32: every name must be a node of the graph it is given."""
    import onnx

    present = {node.name for node in onnx.load(str(model_path), load_external_data=False)
               .graph.node}
    missing = sorted(set(names) - present)
    if missing:
        raise RuntimeError(f"nodes to keep in fp32 not in the graph: {missing}")


def integer_weights(graph: Any) -> list[str]:  # graph: onnx.ModelProto
    """The names of the int8 weights that ONNX Runtime multiplies in integers: the second input
    of each integer MatMul and quantised attention (what `DEFAULT_REDUCE_RANGE` is about)."""
    return sorted({node.input[1] for node in graph.graph.node
                   if node.op_type in ("MatMulInteger", "QAttention")})


def largest_integer_weight(model_path: Path) -> int:
    """The largest |weight| among `integer_weights`: 64 or less for 7-bit weights."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(model_path))
    values = {tensor.name: tensor for tensor in graph.graph.initializer}
    return max(int(np.abs(numpy_helper.to_array(values[name]).astype(np.int16)).max())
               for name in integer_weights(graph))


def export_model(target_dir: Path, *, weight_type: str = DEFAULT_WEIGHT_TYPE,
                 per_channel: bool = DEFAULT_PER_CHANNEL,
                 ffn_output: str = DEFAULT_FFN_OUTPUT, force: bool = False,
                 source_dir: Path | None = None) -> ModelFiles:
    """Export fp32 and int8 ONNX graphs of the shipped model into `target_dir`.

    Idempotent and cheap to call again: a manifest records the source weights and each file's
    size, mtime and sha256, so with everything in place the call only stats files. Each file is
    written under a temporary name and renamed, and the manifest after each step, so a crash
    keeps whatever finished and never leaves half a file. Nothing is downloaded: the weights are
    loaded by path with local_files_only."""
    _check_weight_type(weight_type)
    source = source_dir or model_dir()
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    fp32, int8 = target_dir / FP32_NAME, target_dir / INT8_NAME
    mapped, mapped_int8 = target_dir / MAPPED_NAME, target_dir / MAPPED_INT8_NAME
    twins = {"mapped": fp32, "mapped_int8": int8}  # each mapped copy and its single file
    manifest_path = target_dir / MANIFEST_NAME
    manifest = {} if force else read_manifest(manifest_path)
    files = manifest.get("files", {})
    weights = source / "model.safetensors"
    quant_settings = {"weight_type": weight_type, "per_channel": per_channel,
                      "reduce_range": DEFAULT_REDUCE_RANGE, "preprocess": True,
                      "ffn_output": ffn_output, "fuse": DEFAULT_FUSE}
    if ffn_output == "split":  # another ratio or other texts make another graph
        quant_settings["ffn_outliers"] = {"ratio": OUTLIER_RATIO,
                                          "texts_sha256": sha256_file(CALIBRATION_TEXTS)}

    fp32_ok = (manifest.get("opset") == OPSET
               and still_matches(weights, manifest.get("source"))
               and still_matches(fp32, files.get("fp32")))
    int8_ok = (fp32_ok and manifest.get("quantization") == quant_settings
               and still_matches(int8, files.get("int8")))
    paths = {"fp32": fp32, "int8": int8, "mapped": mapped, "mapped_int8": mapped_int8}
    paths |= {f"{name}_data": data_path(paths[name]) for name in twins}
    mapped_ok = {name: (fp32_ok if source == fp32 else int8_ok)
                 and still_matches(paths[name], files.get(name))
                 and still_matches(paths[f"{name}_data"], files.get(f"{name}_data"))
                 for name, source in twins.items()}
    if fp32_ok and int8_ok and all(mapped_ok.values()):
        # Matched by hash after a copy or a reinstall: record the new mtimes, so the next call
        # is a stat again rather than another hash.
        restamped = [restamp(manifest["source"], weights)] + [
            restamp(files[name], path) for name, path in paths.items()]
        if any(restamped):
            write_manifest(manifest_path, manifest)
        return ModelFiles(fp32, int8, mapped, mapped_int8, files["fp32"]["sha256"],
                          files["int8"]["sha256"],
                          manifest_path, exported=False,
                          source_sha256=manifest["source"]["sha256"])

    if not fp32_ok:
        with atomic_target(fp32) as temporary:
            export_fp32(temporary, source)
        manifest = {
            "format": MANIFEST_FORMAT,
            "source": file_record(weights),
            "opset": OPSET,
            "outputs": {"name": OUTPUT_NAME, "inputs": list(INPUT_NAMES)},
            "versions": _versions(),
            "files": {"fp32": file_record(fp32)},
        }
        write_manifest(manifest_path, manifest)
    if not int8_ok:
        quantize(fp32, int8, weight_type=weight_type, per_channel=per_channel,
                 ffn_output=ffn_output, source_dir=source)
        manifest["quantization"] = quant_settings
        # The old mapped twin's records go with the old graph: interrupted before the twin is
        # written again, the next call must not find it matching.
        manifest["files"] = {**{name: record for name, record in manifest["files"].items()
                                if not name.startswith("mapped_int8")},
                             "int8": file_record(int8)}
        manifest["versions"] = {**manifest.get("versions", {}), "onnxruntime": ort.__version__}
        write_manifest(manifest_path, manifest)
    for name, source in twins.items():
        if not mapped_ok[name]:
            write_mapped(source, paths[name])
            manifest["files"] = {**manifest["files"], name: file_record(paths[name]),
                                 f"{name}_data": file_record(paths[f"{name}_data"])}
            write_manifest(manifest_path, manifest)
    return ModelFiles(fp32, int8, mapped, mapped_int8, manifest["files"]["fp32"]["sha256"],
                      manifest["files"]["int8"]["sha256"], manifest_path, exported=True,
                      source_sha256=manifest["source"]["sha256"])


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("torch", "transformers", "onnx", "onnxruntime"):
        with suppress(PackageNotFoundError):
            found[name] = version(name)
    return found


