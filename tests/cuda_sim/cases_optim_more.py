"""The optimizers beyond SGD/Adam/AdamW/Adagrad on device parameters (issue 15).

RMSprop, Adadelta, Adamax, NAdam, RAdam, ASGD and Rprop update on the device (kernels in
jitgrad/kernels/cuda/optim.py and optim_more.py: the CPU kernels' operations in their order,
or the NumPy expressions' of jitgrad/optim/_elementwise.py's subclasses): a few steps with
the same gradients give the CPU's parameters and state, bitwise in the simulator (its
``cuda.fma`` stand-in rounds once, as the CPU's ``llvm.fma``; to a few ulps on a GPU, whose
compiler contracts a*b + c), their state lives on the device, and a step makes no
device-to-host copy.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
from numba import config

import jitgrad as torch
from jitgrad import helpers

SIM = bool(config.ENABLE_CUDASIM)
STEPS = 7  # (RAdam rectifies from its 6th step with beta2 = 0.9)


@pytest.fixture
def host_log(monkeypatch, caplog):
    """The ``host fallback: <op>`` messages logged while the test runs."""
    monkeypatch.setattr(helpers, "DEBUG", 1)
    with caplog.at_level(logging.DEBUG, logger="jitgrad"):
        yield lambda: [r.getMessage() for r in caplog.records if "host fallback" in r.getMessage()]


def same(got, want):
    """Bitwise in the simulator; to a few ulps on a GPU (which may contract a*b + c)."""
    if SIM:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=8 * np.finfo(got.dtype).eps, atol=1e-30)


def _steps(opt_cls, kwargs, device, dtype, copies=None):
    """``STEPS`` updates of two parameters from fixed gradients: (params, state arrays, opt)."""
    rng = np.random.default_rng(11)
    shapes = [(3, 5), (7,)]
    ps = [torch.tensor(rng.standard_normal(s).astype(dtype), device=device, requires_grad=True)
          for s in shapes]  # fmt: skip
    grads = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(STEPS)]
    opt = opt_cls(ps, **kwargs)
    for gs in grads:
        for p, g in zip(ps, gs, strict=True):
            p.grad = torch.tensor(g, device=device)
        before = copies[0] if copies is not None else 0
        opt.step()
        if copies is not None:
            assert copies[0] == before, "device-to-host copy inside the step"
    state = {
        (i, k): v.cpu().numpy()
        for i, p in enumerate(ps)
        for k, v in opt.state[p].items()
        if k != "step"
    }
    return [p.detach().cpu().numpy() for p in ps], state, opt, ps


NATIVE = [
    (torch.optim.RMSprop, dict(lr=0.01)),
    (torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, weight_decay=0.1, momentum=0.9)),
    (torch.optim.RMSprop, dict(lr=0.01, alpha=0.3, centered=True, maximize=True)),
    (torch.optim.RMSprop, dict(lr=0.02, centered=True, momentum=0.5, eps=1e-3)),
    (torch.optim.Adadelta, dict()),
    (torch.optim.Adadelta, dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    (torch.optim.Adamax, dict(lr=0.01)),
    (torch.optim.Adamax, dict(lr=0.01, betas=(0.3, 0.9), weight_decay=0.1, maximize=True)),
    (torch.optim.NAdam, dict(lr=0.01)),
    (torch.optim.NAdam, dict(lr=0.01, betas=(0.6, 0.9), weight_decay=0.1, maximize=True)),
    (torch.optim.NAdam, dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    (torch.optim.RAdam, dict(lr=0.01)),  # (rho_t <= 5 throughout: the unrectified step)
    (torch.optim.RAdam, dict(lr=0.01, betas=(0.8, 0.9))),  # (rectified from step 6)
    (torch.optim.RAdam, dict(lr=0.01, betas=(0.6, 0.5), weight_decay=0.1, maximize=True)),
    (
        torch.optim.RAdam,
        dict(lr=0.01, betas=(0.9, 0.5), weight_decay=0.1, decoupled_weight_decay=True),
    ),  # fmt: skip
    (torch.optim.ASGD, dict(lr=0.01)),
    (torch.optim.ASGD, dict(lr=0.05, lambd=0.1, t0=1, weight_decay=0.1, maximize=True)),
    (torch.optim.Rprop, dict(lr=0.01)),
    (torch.optim.Rprop, dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(0.05, 0.2), maximize=True)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("opt_cls", "kwargs"), NATIVE)
def test_updates_on_the_device(host_log, host_copies, opt_cls, kwargs, dtype):
    want_p, want_state, _, _ = _steps(opt_cls, kwargs, "cpu", dtype)
    got_p, got_state, opt, ps = _steps(opt_cls, kwargs, "cuda", dtype, host_copies)
    assert host_log() == []
    for p in ps:  # buffers beside the parameter; the 0-d step and schedule scalars
        for k, v in opt.state[p].items():  # (mu_product, eta, mu) on the host: no sync
            assert v.is_cuda if v.shape == p.shape else (v.ndim == 0 and not v.is_cuda), k
    assert sorted(got_state) == sorted(want_state)
    for got, want in zip(got_p, want_p, strict=True):
        same(got, want)
    for key, want in want_state.items():
        same(got_state[key], want)


class _HostOnly(torch.optim.Optimizer):
    """An optimizer without device kernels (its update is NumPy on host arrays)."""

    def __init__(self, params):
        super().__init__(params, {"lr": 0.5})

    def _update(self, group, params, dtype):
        for p in params:
            p._value -= dtype.np.type(group["lr"]) * p._grad._value


def test_a_host_update_is_logged(host_log):
    """What still updates host copies says so under ``JITGRAD_DEBUG``, once per step."""
    w = torch.tensor([1.0, 2.0], device="cuda", requires_grad=True)
    opt = _HostOnly([w])
    for _ in range(2):
        w.grad = torch.tensor([2.0, -4.0], device="cuda")
        opt.step()
    assert host_log() == ["host fallback: optim._HostOnly"] * 2
    assert w.detach().cpu().tolist() == [-1.0, 6.0]
