"""``torch.cuda.amp.autocast`` / ``GradScaler`` (and ``torch.cpu.amp``'s): PyTorch's deprecated
aliases of ``torch.amp``, with its FutureWarning; without CUDA they disable themselves with
PyTorch's warning, as PyTorch 2.13 does on a CPU-only build (the messages below are its)."""

from __future__ import annotations

import warnings

import pytest

import jitgrad as torch

pytestmark = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA behaviour")


def _caught(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = fn()
    return value, [(w.category, str(w.message)) for w in caught]


def test_cuda_grad_scaler_warns_and_disables() -> None:
    scaler, caught = _caught(torch.cuda.amp.GradScaler)
    assert caught == [
        (FutureWarning, "`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
         "`torch.amp.GradScaler('cuda', args...)` instead."),
        (UserWarning, "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
         "Disabling."),
    ]
    assert isinstance(scaler, torch.amp.GradScaler) and not scaler.is_enabled()
    assert scaler.get_scale() == 1.0
    loss = torch.ones(2, requires_grad=True).sum()
    assert scaler.scale(loss) is loss  # disabled: no scaling, as PyTorch


def test_cuda_grad_scaler_disabled_only_deprecates() -> None:
    scaler, caught = _caught(lambda: torch.cuda.amp.GradScaler(init_scale=8.0, enabled=False))
    assert [c for c, _ in caught] == [FutureWarning] and not scaler.is_enabled()


def test_cuda_autocast_warns_disables_and_runs_float32() -> None:
    region, caught = _caught(torch.cuda.amp.autocast)
    assert caught == [
        (FutureWarning, "`torch.cuda.amp.autocast(args...)` is deprecated. Please use "
         "`torch.amp.autocast('cuda', args...)` instead."),
        (UserWarning, "CUDA is not available or torch_xla is imported. Disabling autocast."),
    ]
    assert isinstance(region, torch.amp.autocast)
    assert region.device == "cuda" and region.fast_dtype is torch.float16
    x = torch.ones(2, 2)
    with region:
        assert (x @ x).dtype is torch.float32
    with pytest.warns(FutureWarning):
        decorate = torch.cuda.amp.autocast(enabled=False)
    assert decorate(lambda t: t @ t)(x).dtype is torch.float32


def test_torch_autocast_cuda_without_cuda_matches() -> None:
    region, caught = _caught(lambda: torch.autocast("cuda"))
    assert caught == [
        (UserWarning, "CUDA is not available or torch_xla is imported. Disabling autocast.")
    ]
    with region:
        assert not torch.is_autocast_enabled()


def test_importable_and_cpu_aliases() -> None:
    from jitgrad.cuda.amp import GradScaler, autocast

    assert GradScaler is torch.cuda.amp.GradScaler and autocast is torch.cuda.amp.autocast
    scaler, caught = _caught(torch.cpu.amp.GradScaler)
    assert caught == [
        (FutureWarning, "`torch.cpu.amp.GradScaler(args...)` is deprecated. Please use "
         "`torch.amp.GradScaler('cpu', args...)` instead."),
    ]
    assert scaler.is_enabled() and scaler.get_scale() == 65536.0
