"""Train on the weights the shipped graph will hold: quantisation-aware training of the reader.

The engine runs the reader with 7-bit per-channel weights (rag.index.onnx_export,
DEFAULT_REDUCE_RANGE). A reader fine-tuned from the dequantized shipped graph
(training/dequantize_reader.py) starts exactly on that grid, and a short run moves most weights
by less than half a step: exported again, 99.4 % of its integer weights came back identical to
the shipped graph's (session 13, docs/reader.md), so the training was all but undone.

Here each linear layer's weight is rounded to its export grid in the forward pass (one scale
per output channel, max |w| / 64) while the gradient passes straight through to the unrounded
weight, which keeps accumulating small steps until a weight crosses to the next level. The
model trains on what it will run with, and `bake` leaves the rounded weights in place for the
export, which then quantises them without error.
"""

from __future__ import annotations

import torch
from torch.nn.utils import parametrize

from training.seven_bit import SEVEN_BIT


class SevenBitWeights(torch.nn.Module):
    """A weight rounded to its per-output-channel 7-bit grid; the gradient straight through."""

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        scale = weight.detach().abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / SEVEN_BIT
        rounded = torch.round(weight / scale).clamp(-SEVEN_BIT, SEVEN_BIT) * scale
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
