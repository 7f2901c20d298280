"""In-place methods on device tensors that compute out of place and write back
(``jitgrad.tensor_inplace``): the copy they compute from stays on the device, so the op and
its node are device ones and backward runs on the device, as on the CPU. Each case runs the
same program on both devices, through the tensor itself and through a transposed view."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import jitgrad as torch

CASES: dict[str, Callable] = {
    "round_decimals": lambda t: t.round_(decimals=1),
    "eq_tensor": lambda t: t.eq_(t[0:1].clone()),
    "lt_number": lambda t: t.lt_(0.3),
    "logical_and_": lambda t: t.logical_and_(t.clone()),
    "asinh_": lambda t: t.asinh_(),
    "square_": lambda t: t.square_(),
}


def _program(name: str, device: str, through_view: bool) -> tuple[list, list, str]:
    w = torch.tensor(np.linspace(0.5, 1.5, 9, dtype=np.float32).reshape(3, 3)).to(device)
    w.requires_grad_()
    base = (torch.arange(9.0).reshape(3, 3) / 7 - 0.2).to(device) * w
    CASES[name](base.t() if through_view else base)
    node = base.grad_fn.name()
    (base * base).sum().backward()
    return base.detach().cpu().numpy(), w.grad.cpu().numpy(), node


def _outcome(name: str, device: str, through_view: bool) -> tuple | str:
    try:
        return _program(name, device, through_view)
    except (RuntimeError, NotImplementedError) as e:  # the same refusal on both devices
        return f"{type(e).__name__}: {e}"


@pytest.mark.parametrize("through_view", [False, True])
@pytest.mark.parametrize("name", sorted(CASES))
def test_inplace_rewrite_matches_cpu(name: str, through_view: bool) -> None:
    cpu = _outcome(name, "cpu", through_view)
    dev = _outcome(name, "cuda", through_view)
    if isinstance(cpu, str) or isinstance(dev, str):
        assert dev == cpu
        return
    np.testing.assert_allclose(dev[0], cpu[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dev[1], cpu[1], rtol=1e-5, atol=1e-6)
    assert dev[2] == cpu[2]


def test_round_decimals_computes_on_the_device() -> None:
    leaf = torch.tensor([0.04, 0.15, 1.26]).cuda().requires_grad_()
    t = leaf.clone()
    t.round_(decimals=1)
    assert t.grad_fn.name() == "RoundBackward1"
    assert not isinstance(t._value, np.ndarray)  # a device buffer, not a host copy
    (t * leaf).sum().backward()
    np.testing.assert_allclose(t.detach().cpu().numpy(), [0.0, 0.2, 1.3], atol=1e-6)
    np.testing.assert_allclose(leaf.grad.cpu().numpy(), [0.0, 0.2, 1.3], atol=1e-6)
