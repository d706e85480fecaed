"""The shipped reader model: it loads from the package with the network blocked (the autouse
guard in conftest.py fails any connection), is the file its record names, and reads."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from rag.answer.evidence import Evidence
from rag.answer.reader import DEFAULT_READER, MODELS, OnnxReader, shared_reader
from rag.index.files import sha256_file
from rag.index.onnx_export import largest_integer_weight
from tests.conftest import NetworkBlocked
from training.seven_bit import SEVEN_BIT

pytestmark = pytest.mark.slow
QUESTION = "Which countries have interests in a Korean peace regime?"
ANSWERS = ("Six countries—North Korea, South Korea, the United States, China, Japan, and "
           "Russia—have substantial interests in a peace regime for the Korean Peninsula.")
NEAR_MISS = ("Peace is a process, not an event. A peace regime thus represents a comprehensive "
             "framework of declarations, agreements, norms, rules, processes, and institutions.")


@pytest.fixture(scope="module")
def reader() -> OnnxReader:
    return OnnxReader(MODELS / f"{DEFAULT_READER}.onnx")


def test_the_guard_is_on_while_the_model_loads() -> None:
    import socket

    with socket.socket() as probe, pytest.raises(NetworkBlocked):
        probe.connect(("192.0.2.1", 443))
    assert OnnxReader(MODELS / f"{DEFAULT_READER}.onnx").sha256


def test_the_model_is_the_file_its_record_names() -> None:
    record = json.loads((MODELS / f"{DEFAULT_READER}.json").read_text())
    path = MODELS / f"{DEFAULT_READER}.onnx"
    assert record["sha256"] == sha256_file(path)
    assert record["bytes"] == path.stat().st_size <= 25 * 1024 * 1024
    assert record["calibration"]["scale"] > 0  # a higher logit means likelier answered


def test_the_model_has_7_bit_weights_so_every_x86_cpu_computes_the_same() -> None:
    """8-bit weights had given logits 0.49 apart on an AVX2 CPU (rag.index.onnx_export,
    DEFAULT_REDUCE_RANGE)."""
    assert largest_integer_weight(MODELS / f"{DEFAULT_READER}.onnx") <= SEVEN_BIT


def test_the_sentence_that_answers_outscores_a_near_miss(reader: OnnxReader) -> None:
    title = "A Peace Regime for the Korean Peninsula\n\n"
    logits = reader.score(QUESTION, [title + ANSWERS, title + NEAR_MISS])
    assert logits[0] > logits[1]
    assert reader.calibration.probability(Evidence(float(logits[0]))) > 0.5


def test_a_pair_scores_the_same_alone_and_in_a_batch(reader: OnnxReader) -> None:
    texts = [ANSWERS, NEAR_MISS, "Short.", ANSWERS * 3]
    together = reader.score(QUESTION, texts)
    alone = np.array([reader.score(QUESTION, [t])[0] for t in texts])
    # int8 activations are quantised with one scale per call (rag.index.onnx_export.quantize),
    # so the reader runs each pair alone: a logit never depends on what else is read with it.
    assert np.array_equal(together, alone)


def test_pairs_read_by_several_workers_or_one_give_the_same_logits_in_order(
        reader: OnnxReader) -> None:
    texts = [ANSWERS, NEAR_MISS, "Short.", ANSWERS * 3]
    expected = OnnxReader(MODELS / f"{DEFAULT_READER}.onnx", workers=1).score(QUESTION, texts)
    assert np.array_equal(reader.score(QUESTION, texts), expected)  # the default, one per core
    three = OnnxReader(MODELS / f"{DEFAULT_READER}.onnx", workers=3)
    ran_on, calls = set(), []
    read_one = three._logit

    def noting_the_thread(encoding: object) -> float:
        ran_on.add(threading.current_thread().name)
        calls.append(encoding)
        if fail_at and len(calls) == fail_at:
            raise RuntimeError("worker failed")
        return read_one(encoding)

    fail_at = 0
    three._logit = noting_the_thread  # type: ignore[method-assign]
    assert np.array_equal(three.score(QUESTION, texts * 2), np.concatenate([expected] * 2))
    assert ran_on and all(name.startswith("rag-reader") for name in ran_on)
    calls.clear()
    fail_at = 3  # a worker's failure reaches the caller
    with pytest.raises(RuntimeError, match="worker failed"):
        three.score(QUESTION, texts)
    with pytest.raises(ValueError, match="workers"):
        OnnxReader(MODELS / f"{DEFAULT_READER}.onnx", workers=0)


def test_the_shared_reader_runs_a_mapped_copy_and_without_a_cache_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: OnnxReader) -> None:
    pair = ([QUESTION] * 2, [ANSWERS, NEAR_MISS])
    expected = reader.logits(*pair)
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "cache"))
    shared_reader.cache_clear()
    mapped = shared_reader()
    assert (tmp_path / "cache" / "models" / "readers" / f"{DEFAULT_READER}.onnx.data").is_file()
    assert np.array_equal(mapped.logits(*pair), expected)

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("RAG_CACHE_DIR", str(blocked))
    shared_reader.cache_clear()
    try:
        assert np.array_equal(shared_reader().logits(*pair), expected)
    finally:
        shared_reader.cache_clear()
