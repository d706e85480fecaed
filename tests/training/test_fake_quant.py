"""Quantisation-aware training: the forward pass sees the grid ONNX Runtime's quantiser puts
the weights on at export, the gradient reaches the unrounded weight, and baking leaves the grid
values through a save and a load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from onnx import TensorProto
from onnxruntime.quantization.quant_utils import quantize_data

from rag.index.onnx_export import DEFAULT_PER_CHANNEL, DEFAULT_REDUCE_RANGE
from training.fake_quant import bake, fake_quantize
from training.seven_bit import SEVEN_BIT


def exported(weight: torch.Tensor) -> np.ndarray:
    """The weight as the export stores it: ONNX Runtime's own quantiser, one symmetric int8
    scale per output channel (a torch Linear's row), levels times scale."""
    assert DEFAULT_PER_CHANNEL
    rows = []
    for row in weight.detach().numpy():
        _, scale, levels = quantize_data(row, TensorProto.INT8, True,
                                         reduce_range=DEFAULT_REDUCE_RANGE)
        rows.append(levels.astype(np.float32) * scale)
    return np.stack(rows)


def test_the_forward_pass_sees_the_weights_the_export_stores() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    latent = model[0].weight.detach().clone()
    assert fake_quantize(model) == 2
    seen = model[0].weight.detach()
    assert np.allclose(seen.numpy(), exported(latent), atol=1e-7)  # what ONNX Runtime makes
    assert np.allclose(exported(seen), seen.numpy(), atol=1e-7)  # and keeps at export
    assert not torch.allclose(seen, latent)  # rounded, not the latent
    model(torch.randn(16, 8)).sum().backward()
    original = model[0].parametrizations.weight.original
    assert original.grad is not None and original.grad.abs().sum() > 0


def test_small_steps_accumulate_until_a_weight_changes_level() -> None:
    torch.manual_seed(1)
    layer = torch.nn.Linear(8, 4)
    fake_quantize(layer)
    before = layer.weight.detach().clone()
    step = layer.weight.detach().abs().amax() / SEVEN_BIT / 10  # a tenth of a level
    with torch.no_grad():
        layer.parametrizations.weight.original[0, 0] += step
    assert torch.equal(layer.weight.detach(), before)  # one small step: same weights
    with torch.no_grad():
        layer.parametrizations.weight.original[0, 0] += 10 * step
    assert not torch.equal(layer.weight.detach(), before)  # enough of them: a new level


def test_bake_leaves_the_rounded_weights_through_a_save_and_a_load(tmp_path: Path) -> None:
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(2)
    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, num_labels=1)
    model = BertForSequenceClassification(config)
    fake_quantize(model)
    rounded = model.bert.encoder.layer[0].intermediate.dense.weight.detach().clone()
    bake(model)
    assert not any(hasattr(m, "parametrizations") for m in model.modules())
    model.save_pretrained(tmp_path)
    loaded = BertForSequenceClassification.from_pretrained(tmp_path)
    weight = loaded.bert.encoder.layer[0].intermediate.dense.weight.detach()
    assert torch.equal(weight, rounded)
    assert np.allclose(exported(weight), weight.numpy(), atol=1e-7)
