"""Memory-mapped copies of ONNX graphs: the same outputs, made once, remade when the source
changes, readable by all, whole after a race (a tiny graph in the fast tier; the race on the
real reader model)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from rag.answer.reader import DEFAULT_READER, MODELS, OnnxReader
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


def test_the_copy_is_readable_by_all(tmp_path: Path) -> None:
    """onnx creates the weights file 0600; another user of a shared cache must read it."""
    source = tmp_path / "model.onnx"
    write_graph(source, seed=4)
    copy = mapped_copy(source, tmp_path / "cache")
    assert {oct(p.stat().st_mode & 0o777) for p in (copy, data_path(copy))} == {"0o644"}


@pytest.mark.slow
def test_two_processes_making_the_same_copy_at_once_leave_a_whole_one(tmp_path: Path) -> None:
    """Each writes in its own folder and renames into place. Writing one shared data file, as
    the first version did, left 23-45 MB of interleaved weights where 22.8 belong, and wrong
    logits, in 3 of 6 such races with the reader model."""
    source = MODELS / f"{DEFAULT_READER}.onnx"
    target = tmp_path / "copy" / source.name
    target.parent.mkdir()
    script = ("import sys, time; from pathlib import Path; from rag.index.mapped_graph import "
              "write_mapped\nwhile time.time() < float(sys.argv[3]): pass\n"
              "write_mapped(Path(sys.argv[1]), Path(sys.argv[2]))")
    for _ in range(3):  # both start writing at the same instant, after their imports
        start = str(time.time() + 2)
        writers = [subprocess.Popen([sys.executable, "-c", script, str(source), str(target),
                                     start]) for _ in range(2)]
        assert [w.wait(timeout=300) for w in writers] == [0, 0]
    alone = mapped_copy(source, tmp_path / "alone")
    assert data_path(target).stat().st_size == data_path(alone).stat().st_size
    pair = (["Who wrote the report?"] * 2, ["Authors: Frank Aum, Jacob Stokes", "Peace."])
    assert np.array_equal(OnnxReader(source, graph=target).logits(*pair),
                          OnnxReader(source).logits(*pair))
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".tmp-")]
