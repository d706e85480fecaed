"""Train on the weights the shipped graph will hold: quantisation-aware training of the reader.

The engine runs the reader with 7-bit per-channel weights in every linear layer
(rag.index.onnx_export, DEFAULT_REDUCE_RANGE; `export_reader` quantises the feed-forward outputs
like the rest, `ffn_output="int8"`). Here each linear layer's weight is rounded to that grid in
the forward pass (one scale per output channel, max |w| / 64) while the gradient passes straight
through to the unrounded weight, and `bake` leaves the rounded weights in place, which the export
then quantises to exactly the same levels. So a run's own dev figures are those of the linear
weights it exports.

What it does not do: the export also quantises the word, position and segment embeddings (8-bit,
one scale per tensor) and every activation, per call; those are not rounded here, so the int8
graph still differs a little from torch (session 13: ROC AUC 0.9161 in torch, 0.9148 int8). And
it does not stop a short run from the dequantized shipped reader (training/dequantize_reader.py)
being rounded back onto the shipped weights: a weight must still move half a step to change
level (99.3 % did not in a quarter epoch at lr 2e-5, docs/reader.md).
"""

from __future__ import annotations

import torch
from torch.nn.utils import parametrize

from rag.index.onnx_export import DEFAULT_REDUCE_RANGE
from training.seven_bit import SEVEN_BIT

LEVELS = SEVEN_BIT if DEFAULT_REDUCE_RANGE else 127  # the export's largest weight level


class SevenBitWeights(torch.nn.Module):
    """A weight rounded to its per-output-channel grid; the gradient straight through."""

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        scale = weight.detach().abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / LEVELS
        rounded = torch.round(weight / scale) * scale
        return weight + (rounded - weight).detach()


def fake_quantize(model: torch.nn.Module) -> int:
    """Round every linear layer's weight in the forward pass; returns how many layers."""
    layers = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    for layer in layers:
        parametrize.register_parametrization(layer, "weight", SevenBitWeights())
    return len(layers)


def bake(model: torch.nn.Module) -> None:
    """Leave each rounded weight in place of its unrounded one, for saving and export."""
    for layer in model.modules():
        if isinstance(layer, torch.nn.Linear) and parametrize.is_parametrized(layer, "weight"):
            parametrize.remove_parametrizations(layer, "weight", leave_parametrized=True)
