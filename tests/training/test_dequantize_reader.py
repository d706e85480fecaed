"""The shipped int8 graph's weights under transformers' names (training/dequantize_reader.py);
the real conversion, checked against the graph's own logits, is run by the script itself."""

from __future__ import annotations

import numpy as np
import pytest

from training.dequantize_reader import state_dict


def fake_graph(layers: int, width: int = 4, inner: int = 8) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    found = {"inner.bert.pooler.dense.weight_Transposed": rng.normal(size=(width, width)),
             "inner.classifier.weight_Transposed": rng.normal(size=(width, 1)),
             "inner.bert.pooler.dense.bias": np.zeros(width)}
    number = 700
    for layer in range(layers):
        found[f"Attention_{layer}_qkv_weight"] = rng.normal(size=(width, 3 * width))
        found[f"Attention_{layer}_qkv_bias"] = np.arange(3 * width, dtype=float)
        for shape in ((width, width), (width, inner), (inner, width)):
            number += 1
            found[f"onnx::MatMul_{number}"] = rng.normal(size=shape)
    return found


def test_the_fused_attention_is_split_and_every_matrix_transposed() -> None:
    found = fake_graph(layers=2)
    state = state_dict(found, layers=2)
    qkv = found["Attention_1_qkv_weight"]
    assert np.array_equal(state["bert.encoder.layer.1.attention.self.key.weight"], qkv[:, 4:8].T)
    assert np.array_equal(state["bert.encoder.layer.1.attention.self.value.bias"],
                          np.arange(8, 12, dtype=float))
    # the unnamed MatMuls in the graph's order: attention output, intermediate, output
    assert np.array_equal(state["bert.encoder.layer.1.intermediate.dense.weight"],
                          found["onnx::MatMul_705"].T)
    assert state["bert.encoder.layer.0.output.dense.weight"].shape == (4, 8)
    assert state["classifier.weight"].shape == (1, 4)
    assert "bert.pooler.dense.bias" in state


def test_a_graph_of_another_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="unnamed MatMuls"):
        state_dict(fake_graph(layers=2), layers=3)
