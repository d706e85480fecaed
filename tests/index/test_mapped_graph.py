"""Memory-mapped copies of ONNX graphs: the same outputs, made once, remade when the source
changes (a tiny graph, so it runs in the fast tier)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from rag.index.mapped_graph import data_path, mapped_copy
from rag.index.onnx_encoder import ort


def write_graph(path: Path, seed: int) -> None:
    """y = x @ W with a 64 x 64 weight: large enough to be stored apart."""
    weight = np.random.default_rng(seed).standard_normal((64, 64)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["y"])], "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])],
        [numpy_helper.from_array(weight, "W")])
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
                    str(path))


def run(path: Path) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["y"], {"x": np.arange(64, dtype=np.float32)[None, :] / 64})[0]


def test_the_copy_runs_the_same_with_its_weights_apart(tmp_path: Path) -> None:
    source = tmp_path / "model.onnx"
    write_graph(source, seed=1)
    copy = mapped_copy(source, tmp_path / "cache")
    assert copy != source and data_path(copy).stat().st_size == 64 * 64 * 4
    assert copy.stat().st_size < 1024, "the graph file holds no weights"
    assert np.array_equal(run(copy), run(source))


def test_the_copy_is_made_once_and_again_when_the_source_changes(tmp_path: Path) -> None:
    source = tmp_path / "model.onnx"
    write_graph(source, seed=1)
    copy = mapped_copy(source, tmp_path / "cache")
    stamp = data_path(copy).stat().st_mtime_ns
    assert mapped_copy(source, tmp_path / "cache") == copy
    assert data_path(copy).stat().st_mtime_ns == stamp, "a stat, not a rewrite"

    write_graph(source, seed=2)
    os.utime(source, ns=(stamp + 10**9, stamp + 10**9))
    again = mapped_copy(source, tmp_path / "cache")
    assert data_path(again).stat().st_size == 64 * 64 * 4, "rewritten, not appended to"
    assert np.array_equal(run(again), run(source))


def test_a_lost_weights_file_is_made_again(tmp_path: Path) -> None:
    source = tmp_path / "model.onnx"
    write_graph(source, seed=3)
    copy = mapped_copy(source, tmp_path / "cache")
    data_path(copy).unlink()
    assert np.array_equal(run(mapped_copy(source, tmp_path / "cache")), run(source))
