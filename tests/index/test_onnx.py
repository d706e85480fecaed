"""The ONNX export and encoder: agreement with sentence-transformers, order, idempotence,
atomic writes, telemetry off, and encoding in a process where torch cannot be imported."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from rag.index.embedding import MAX_BUILD_WORKERS, OnnxEmbedder, model_dir, usable_cores
from rag.index.ffn_outliers import OUTLIER_RATIO, channel_maxima, split_outliers
from rag.index.files import sha256_file
from rag.index.mapped_graph import data_path
from rag.index.onnx_encoder import OnnxEncoder
from rag.index.onnx_export import (
    FP32_NAME,
    INT8_NAME,
    MAPPED_NAME,
    ModelFiles,
    export_model,
    largest_integer_weight,
    quantize,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
TORCH_STACK = ("torch", "transformers", "sentence_transformers")

LONG_PASSAGE = " ".join(
    ["The armistice of 1953 ended the fighting but not the war; a peace regime would replace "
     "it with a treaty, normalised relations and verifiable arms control."] * 30
)  # ~900 tokens: truncated at 256, as sentence-transformers does
VARIED = [
    "What is a peace regime?",
    "Which countries besides the two Koreas and the US must take part in a peace regime?",
    "Who wrote the report?",
    "Why did the Hanoi summit fail in February 2019?",
    "Should South Korea develop its own nuclear weapons?",
    "denuclearization of the Korean Peninsula",
    "Kim Jong Un and Donald Trump met in Singapore on June 12, 2018.",
    "The Panmunjom Declaration — signed on 27 April 2018 — called for a “permanent and solid” "
    "peace regime.",
    "SANCTIONS RELIEF, HUMANITARIAN AID, AND FAMILY REUNIONS!!!",
    "How many U.S. troops (roughly 28,500) are stationed in South Korea?",
    "ordinary North Koreans' views on unification, markets and the state",
    "The United States Institute of Peace (USIP) is an independent, nonpartisan institution "
    "founded by Congress to promote national security and global stability by reducing "
    "violent conflicts abroad.",
    "Engagement that focuses on people rather than governments can build trust over time, "
    "even when official talks stall.",
    "A freeze-for-freeze: halting missile tests in exchange for suspending joint exercises.",
    "Is China's role as a signatory of the armistice relevant to a peace treaty?",
    "risk; deterrence; extended deterrence; alliance credibility",
    "Mr. Moon's 2018 speech in Pyongyang addressed 150,000 people.",
    LONG_PASSAGE,
    "In 1991 the two Koreas signed the Basic Agreement on reconciliation, non-aggression, "
    "exchanges and cooperation, and joined the United Nations as separate members.",
]
# One to four tokens between [CLS] and [SEP]: no averaging over a text hides int8's error, so
# these agree less (cosine ~0.98, measured). A lower bar, so a regression still shows.
# "peace" (one token) was 0.992 when this was written and measured 0.9886 on 2026-12-04 with a
# fresh install (onnx 1.23.2, onnxruntime 1.32.0, torch 2.13.0): one-word texts belong here.
DEGENERATE = ["", "🙂", "한반도 평화 체제", "x" * 300, "Who?", "peace"]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> ModelFiles:
    """One export for the module, made with every non-loopback connection refused, so it
    proves the export downloads nothing (the session's own guard is per test)."""
    real_connect, real_lookup = socket.socket.connect, socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family == socket.AF_UNIX or str(host).startswith(("127.", "::1", "localhost")):
            return real_connect(self, address)
        raise AssertionError(f"the export tried the network: {address!r}")

    def lookup(host: object, *args: object, **kwargs: object) -> object:
        if host is None or str(host).startswith(("127.", "::1", "localhost")):
            return real_lookup(host, *args, **kwargs)  # type: ignore[arg-type]
        raise AssertionError(f"the export looked up a host: {host!r}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket, "getaddrinfo", lookup)
        return export_model(tmp_path_factory.mktemp("onnx-export"))


@pytest.fixture(scope="module")
def int8(exported: ModelFiles) -> OnnxEncoder:
    return OnnxEncoder(exported.int8, threads=2)


@pytest.fixture(scope="module")
def fp32(exported: ModelFiles) -> OnnxEncoder:
    return OnnxEncoder(exported.fp32, threads=2)


@pytest.fixture(scope="module")
def reference() -> object:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir()), device="cpu")


def st_encode(model: object, texts: list[str]) -> np.ndarray:
    return model.encode(texts, batch_size=32, normalize_embeddings=True,  # type: ignore[attr-defined]
                        convert_to_numpy=True, show_progress_bar=False)


def test_int8_agrees_with_sentence_transformers(int8: OnnxEncoder, reference: object) -> None:
    got = int8.encode(VARIED)
    assert got.shape == (len(VARIED), 384) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    agreement = cosines(got, st_encode(reference, VARIED))
    assert agreement.min() >= 0.99, dict(zip(VARIED, agreement.round(4), strict=True))


def test_degenerate_texts_still_agree_roughly(int8: OnnxEncoder, reference: object) -> None:
    agreement = cosines(int8.encode(DEGENERATE), st_encode(reference, DEGENERATE))
    assert agreement.min() >= 0.95, agreement


def test_fp32_graph_is_sentence_transformers(fp32: OnnxEncoder, reference: object) -> None:
    texts = VARIED + DEGENERATE
    assert cosines(fp32.encode(texts), st_encode(reference, texts)).min() >= 0.99999


def test_truncates_at_max_seq_length_not_the_tokenizer_files_128(int8: OnnxEncoder) -> None:
    assert int8.max_seq_length == 256
    assert len(int8.tokenizer.encode(LONG_PASSAGE).ids) == 256
    assert len(int8.tokenizer.encode("peace").ids) == 3  # no fixed padding to 128


def test_rows_come_back_in_input_order(fp32: OnnxEncoder, int8: OnnxEncoder) -> None:
    """Batches are sorted by length inside; the caller must not see it."""
    texts = [LONG_PASSAGE, "peace", VARIED[11], "", VARIED[1], VARIED[3] * 3, "Who?"]
    one_by_one = np.vstack([fp32.encode([text]) for text in texts])
    batched = fp32.encode(texts, batch_size=3)
    assert np.allclose(batched, one_by_one, atol=1e-5)
    reversed_rows = fp32.encode(texts[::-1], batch_size=2)[::-1]
    assert np.allclose(reversed_rows, one_by_one, atol=1e-5)
    # int8 scales activations per batch, so a row moves a little with its batch-mates
    # (cosine ~0.97 for a two-token text, measured); each row must still be its own text's.
    quantised = int8.encode(texts, batch_size=3)
    singles = np.vstack([int8.encode([text]) for text in texts])
    assert list((quantised @ singles.T).argmax(axis=1)) == list(range(len(texts)))


def test_batches_run_by_several_workers_give_the_same_vectors(exported: ModelFiles) -> None:
    """A build runs its batches on one worker per core (rag.index.embedding): each batch is
    the same batch, so the vectors are exactly those of one batch at a time, in input order."""
    texts = VARIED * 3
    alone = OnnxEncoder(exported.int8, threads=1).encode(texts, batch_size=2)
    workers = OnnxEncoder(exported.int8, threads=1, workers=3)
    ran_on = set()
    encode_batch = workers._encode_batch

    def noting_the_thread(encodings: list) -> np.ndarray:
        ran_on.add(threading.current_thread().name)
        return encode_batch(encodings)

    workers._encode_batch = noting_the_thread  # type: ignore[method-assign]
    assert np.array_equal(workers.encode(texts, batch_size=2), alone)
    assert ran_on and all(name.startswith("rag-encode") for name in ran_on)
    embedder = OnnxEmbedder()
    embedder.encode(VARIED[:1])
    assert embedder._bulk is not None
    assert (embedder._bulk.threads, embedder._bulk.workers) == (
        1, min(usable_cores(), MAX_BUILD_WORKERS))


def test_a_workers_failure_reaches_the_caller(exported: ModelFiles) -> None:
    workers = OnnxEncoder(exported.int8, threads=1, workers=3)
    calls = []

    def fail_third(encodings: list) -> np.ndarray:
        calls.append(len(encodings))
        if len(calls) == 3:
            raise RuntimeError("worker failed")
        return np.zeros((len(encodings), workers.dimension), dtype=np.float32)

    workers._encode_batch = fail_third  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="worker failed"):
        workers.encode(VARIED * 3, batch_size=2)
    with pytest.raises(ValueError, match="workers"):
        OnnxEncoder(exported.int8, workers=0)


def test_empty_input(int8: OnnxEncoder) -> None:
    empty = int8.encode([])
    assert empty.shape == (0, 384) and empty.dtype == np.float32
    assert int8.encode_query("What is a peace regime?").shape == (384,)


def test_export_again_is_a_no_op(exported: ModelFiles) -> None:
    paths = [exported.fp32, exported.int8, exported.mapped, exported.mapped_int8,
             exported.manifest]
    before = {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in paths}
    again = export_model(exported.fp32.parent)
    assert not again.exported
    assert (again.fp32_sha256, again.int8_sha256) == (exported.fp32_sha256, exported.int8_sha256)
    assert {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in paths} == before
    assert sha256_file(exported.fp32) == exported.fp32_sha256
    assert sha256_file(exported.int8) == exported.int8_sha256
    assert not [p for p in exported.fp32.parent.iterdir() if p.name.startswith(".tmp-")]


def test_the_mapped_graph_gives_the_single_files_vectors(exported: ModelFiles,
                                                         fp32: OnnxEncoder) -> None:
    data = data_path(exported.mapped)
    assert exported.mapped.stat().st_size < 1_000_000 < data.stat().st_size, "weights apart"
    mapped = OnnxEncoder(exported.mapped, threads=2)
    assert np.array_equal(mapped.encode(VARIED), fp32.encode(VARIED))


def test_the_mapped_int8_graph_gives_the_int8_files_vectors(exported: ModelFiles,
                                                            int8: OnnxEncoder) -> None:
    data = data_path(exported.mapped_int8)
    assert exported.mapped_int8.stat().st_size < 1_000_000 < data.stat().st_size
    mapped = OnnxEncoder(exported.mapped_int8, threads=2)
    assert all(np.array_equal(mapped.encode([text]), int8.encode([text])) for text in VARIED)


def test_the_question_graph_has_7_bit_weights(exported: ModelFiles) -> None:
    """So questions are encoded alike on CPUs with and without AVX-512 VNNI
    (DEFAULT_REDUCE_RANGE); 8-bit weights had reached 127."""
    assert largest_integer_weight(exported.int8) <= 64


def test_questions_and_the_index_texts_are_encoded_by_the_int8_graph(
        fp32: OnnxEncoder, int8: OnnxEncoder) -> None:
    """Both run the 7-bit int8 graph, close to the fp32 vectors but not equal (README, *The
    model*); the fp32 embedder, which mines training pairs, runs fp32 for both and names
    itself otherwise, so its vectors never mix with an int8 index's."""
    embedder = OnnxEmbedder()
    assert embedder.questions.model_path == embedder.files.mapped_int8
    texts = embedder.encode(VARIED)
    assert np.allclose(texts, int8.encode(VARIED), atol=1e-6)
    exact = fp32.encode(VARIED)
    cosines = np.sum(texts * exact, axis=1)
    assert cosines.min() >= 0.99 and cosines.max() < 0.99999
    # int8 activations are quantised over the whole batch, so a text alone comes out a
    # little differently from the same text among others
    assert 0.99 <= float(embedder.encode_query(VARIED[1]) @ texts[1]) < 0.99999
    fp32_embedder = OnnxEmbedder(graph="fp32")
    assert np.allclose(fp32_embedder.encode(VARIED[:2]), exact[:2], atol=1e-6)
    assert np.allclose(fp32_embedder.encode_query(VARIED[1]), exact[1], atol=1e-6)
    assert embedder.identity["encoder_sha256"] == embedder.files.int8_sha256
    assert fp32_embedder.identity["encoder_sha256"] == embedder.files.fp32_sha256
    assert fp32_embedder.identity["model_id"] != embedder.identity["model_id"]
    with pytest.raises(ValueError, match="graph"):
        OnnxEmbedder(graph="int4")


def test_a_lost_weights_file_is_made_again_and_nothing_else(exported: ModelFiles,
                                                             tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(exported.fp32.parent, copy, copy_function=shutil.copyfile)
    export_model(copy)
    others = {name: (copy / name).stat().st_mtime_ns for name in (FP32_NAME, INT8_NAME)}
    data_path(copy / MAPPED_NAME).unlink()
    again = export_model(copy)
    assert again.exported and data_path(copy / MAPPED_NAME).is_file()
    assert {name: (copy / name).stat().st_mtime_ns for name in others} == others
    assert np.array_equal(OnnxEncoder(again.mapped, threads=1).encode(VARIED[:3]),
                          OnnxEncoder(exported.mapped, threads=1).encode(VARIED[:3]))
    assert not export_model(copy).exported


def test_the_question_graph_is_fused_and_agrees_with_the_unfused_one(
        exported: ModelFiles, int8: OnnxEncoder, tmp_path: Path) -> None:
    """Each layer's attention is one operator in the graph that encodes questions, and the
    quantisation tools leave the process's logging as it was."""
    import onnx

    ops = [n.op_type for n in onnx.load(str(exported.int8), load_external_data=False).graph.node]
    assert ops.count("QAttention") == 6 and "Softmax" not in ops
    root = logging.getLogger()
    kept = list(root.handlers)  # pytest's own capture handlers, which would hide a new one
    root.handlers.clear()
    try:
        quantize(exported.fp32, tmp_path / "unfused.onnx", fuse=False, preprocess=False)
        assert root.handlers == [], "the quantiser's warnings configured the root logger"
    finally:
        root.handlers[:] = kept
    unfused = OnnxEncoder(tmp_path / "unfused.onnx", threads=1).encode(VARIED)
    assert cosines(int8.encode(VARIED), unfused).min() > 0.99


def test_the_outlier_split_computes_what_the_fp32_graph_does(exported: ModelFiles,
                                                              fp32: OnnxEncoder,
                                                              tmp_path: Path) -> None:
    """Before quantisation the split graph is the fp32 graph rewritten: the ordinary channels'
    product plus the outliers' equals the whole product. A few channels of each layer are
    apart, not most (the first layer's extreme one among them)."""
    split = tmp_path / "split.onnx"
    apart = split_outliers(exported.fp32, split, model_dir())
    assert len(apart) == 6
    assert np.allclose(OnnxEncoder(split, threads=1).encode(VARIED), fp32.encode(VARIED),
                       atol=2e-5)
    maxima = channel_maxima(exported.fp32, model_dir())
    counts = [int((m > OUTLIER_RATIO * np.median(m)).sum()) for m in maxima.values()]
    assert all(0 < count < 1536 // 10 for count in counts), counts
    assert max(m.max() / np.median(m) for m in maxima.values()) > 8


def test_the_question_graph_keeps_only_the_outlier_products_in_fp32(
        exported: ModelFiles) -> None:
    import onnx

    graph = onnx.load(str(exported.int8), load_external_data=False).graph
    fp32_products = [n.name for n in graph.node if n.op_type == "MatMul"]
    assert len(fp32_products) == 6 and all(name.endswith("_outliers")
                                           for name in fp32_products), fp32_products


def test_new_quantisation_settings_redo_only_the_int8_file(exported: ModelFiles,
                                                           tmp_path: Path) -> None:
    """A copied folder (same sizes, new mtimes) is recognised by hash; a changed setting
    re-quantises from the fp32 file already there, with no second torch export."""
    copy = tmp_path / "copy"
    shutil.copytree(exported.fp32.parent, copy, copy_function=shutil.copyfile)
    assert not export_model(copy).exported
    manifest = copy / exported.manifest.name
    stamped = manifest.stat().st_mtime_ns  # rewritten once with the copies' new mtimes
    assert not export_model(copy).exported and manifest.stat().st_mtime_ns == stamped
    fp32_before = (copy / exported.fp32.name).stat().st_mtime_ns
    changed = export_model(copy, weight_type="quint8")
    assert changed.exported and changed.int8_sha256 != exported.int8_sha256
    assert changed.fp32_sha256 == exported.fp32_sha256
    assert changed.fp32.stat().st_mtime_ns == fp32_before
    assert sha256_file(changed.int8) == changed.int8_sha256
    assert np.array_equal(OnnxEncoder(changed.mapped_int8, threads=1).encode(VARIED[:1]),
                          OnnxEncoder(changed.int8, threads=1).encode(VARIED[:1]))
    assert not export_model(copy, weight_type="quint8").exported


def test_an_int8_graph_rewritten_then_interrupted_gets_its_mapped_twin_made_again(
        exported: ModelFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after the new int8 graph but before its mapped twin: the next call must not
    take the old twin for the new graph's (a review found it did)."""
    import rag.index.onnx_export as onnx_export

    copy = tmp_path / "copy"
    shutil.copytree(exported.fp32.parent, copy, copy_function=shutil.copyfile)
    real = onnx_export.write_mapped

    def killed(source: Path, target: Path) -> None:
        raise RuntimeError("killed before the twin")

    monkeypatch.setattr(onnx_export, "write_mapped", killed)
    with pytest.raises(RuntimeError, match="twin"):
        export_model(copy, weight_type="quint8")
    monkeypatch.setattr(onnx_export, "write_mapped", real)
    again = export_model(copy, weight_type="quint8")
    assert again.exported
    assert np.array_equal(OnnxEncoder(again.mapped_int8, threads=1).encode(VARIED[:1]),
                          OnnxEncoder(again.int8, threads=1).encode(VARIED[:1]))


def test_a_failed_quantisation_leaves_no_file(exported: ModelFiles, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import onnxruntime.quantization

    def crash(model_input: object, model_output: Path, **_: object) -> None:
        Path(model_output).write_bytes(b"half a model")
        raise RuntimeError("killed mid-write")

    monkeypatch.setattr(onnxruntime.quantization, "quantize_dynamic", crash)
    with pytest.raises(RuntimeError, match="mid-write"):
        quantize(exported.fp32, tmp_path / INT8_NAME, preprocess=False)
    assert list(tmp_path.iterdir()) == []


def run_python(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


ENCODE_WITHOUT_TORCH = """
import json, sys
for name in {stack!r}:
    sys.modules[name] = None  # any import of it now raises ImportError
try:
    import torch
except ImportError:
    pass
else:
    raise SystemExit("torch was importable")
from rag.index.onnx_encoder import OnnxEncoder
vectors = OnnxEncoder(sys.argv[1], threads=1).encode(sys.argv[2:])
print(json.dumps(vectors.tolist()))
"""


def test_int8_file_loads_and_encodes_with_torch_unimportable(exported: ModelFiles,
                                                             int8: OnnxEncoder) -> None:
    texts = ["What is a peace regime?", VARIED[11], ""]
    code = ENCODE_WITHOUT_TORCH.format(stack=TORCH_STACK)
    vectors = np.array(json.loads(run_python(code, str(exported.int8), *texts)),
                       dtype=np.float32)
    assert vectors.shape == (3, 384)
    assert np.allclose(vectors, int8.encode(texts), atol=1e-4)


def test_import_and_encode_load_no_torch(exported: ModelFiles) -> None:
    """Not just that it survives without torch: that nothing even tries to load it."""
    code = (
        "import sys; from rag.index.onnx_encoder import OnnxEncoder; "
        "OnnxEncoder(sys.argv[1], threads=1).encode(['peace', 'a longer sentence here']); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {TORCH_STACK!r}))"
    )
    assert run_python(code, str(exported.int8)) == "[]"


def test_telemetry_is_off_and_leaves_no_files(exported: ModelFiles, tmp_path: Path) -> None:
    """onnxruntime ≥ 1.29 writes a device id and an event store under the user's cache unless
    ORT_DISABLE_TELEMETRY is set before it loads; the module sets it."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("ORT_DISABLE_TELEMETRY", "CI")}
    env.update(HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    code = (
        "import os, sys; from rag.index.onnx_encoder import OnnxEncoder; "
        "OnnxEncoder(sys.argv[1], threads=1).encode(['peace']); "
        "print(os.environ['ORT_DISABLE_TELEMETRY'])"
    )
    assert run_python(code, str(exported.int8), env=env) == "1"
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == [], written
