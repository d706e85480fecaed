"""Quantisation-aware training: the forward pass sees the export's 7-bit grid, the gradient
reaches the unrounded weight, and baking leaves the grid values."""

from __future__ import annotations

import torch

from training.fake_quant import bake, fake_quantize
from training.seven_bit import SEVEN_BIT


def levels(weight: torch.Tensor) -> torch.Tensor:
    scale = weight.abs().amax(dim=1, keepdim=True) / SEVEN_BIT
    return weight / scale


def test_the_forward_pass_sees_weights_on_the_grid_and_the_gradient_passes() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    latent = model[0].weight.detach().clone()
    assert fake_quantize(model) == 2
    seen = levels(model[0].weight.detach())
    assert torch.allclose(seen, seen.round(), atol=1e-4)  # whole levels
    assert not torch.allclose(model[0].weight.detach(), latent)  # rounded, not the latent
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


def test_bake_leaves_the_rounded_weights() -> None:
    layer = torch.nn.Linear(8, 4)
    fake_quantize(layer)
    rounded = layer.weight.detach().clone()
    bake(layer)
    assert not hasattr(layer, "parametrizations")
    assert torch.equal(layer.weight.detach(), rounded)
