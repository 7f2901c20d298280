"""Adamax, NAdam, RAdam, Rprop, ASGD and LBFGS against real PyTorch 2.13 trajectories.

The same code (``tests/parity/nnmore_optim_cases.py``) ran under PyTorch to write
``tests/fixtures/nnmore_optim.json``; here it runs under jitgrad.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch

sys.path.insert(0, str(Path(__file__).parent / "parity"))
from nnmore_optim_cases import CASES, lbfgs_exact, run  # noqa: E402

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "nnmore_optim.json").read_text())
#: float32 LBFGS: its strong-Wolfe trajectory magnifies an ulp of gradient difference (the
#: tanh/matmul/mean kernels' rounding): PyTorch's own trajectory moved by 2.1e-6 to 9.5e-6
#: (10 seeds) when its gradients were perturbed by at most 1-2 ulps per element
TOL_F32 = {"lbfgs_f32": 1e-5}


@pytest.mark.parametrize("name", sorted(CASES))
def test_trajectory_matches_pytorch(name: str) -> None:
    got, want = run(torch, name), EXPECTED[name]
    tol = 1e-12 if CASES[name][2] == "float64" else TOL_F32.get(name, 2e-6)
    np.testing.assert_allclose(got["losses"], want["losses"], rtol=tol, atol=tol)
    np.testing.assert_allclose(got["params"], want["params"], rtol=tol, atol=tol)
    assert got["state_keys"] == want["state_keys"]
    assert got["group_keys"] == want["group_keys"]


def test_lbfgs_rounds_as_pytorch_when_the_gradients_are_pytorchs() -> None:
    """With gradients of the same bits (an elementwise loss), LBFGS's float32 trajectory is
    PyTorch's exactly: its parameter and two-loop updates round once, as PyTorch's
    ``add_(alpha=)`` (an ulp apart from the first step when they rounded twice)."""
    want = json.loads((Path(__file__).parent / "fixtures" / "lbfgs_exact_torch.json").read_text())
    got = lbfgs_exact(torch)
    assert got["losses"] == want["losses"]
    assert got["params"] == want["params"]


def _model() -> tuple[torch.Tensor, torch.Tensor]:
    w = torch.tensor([[0.5, -0.25], [1.0, 2.0]], requires_grad=True)
    return w, (w * w.sum()).tanh().sum()


@pytest.mark.parametrize("cls", [torch.optim.Adamax, torch.optim.NAdam, torch.optim.RAdam,
                                 torch.optim.Rprop, torch.optim.ASGD])  # fmt: skip
def test_state_dict_round_trip_continues_identically(cls: type) -> None:
    w1, loss = _model()
    opt1 = cls([w1], lr=0.1)
    loss.backward()
    opt1.step()
    w2 = w1.detach().clone().requires_grad_(True)
    opt2 = cls([w2], lr=0.1)
    opt2.load_state_dict(opt1.state_dict())
    for w, opt in ((w1, opt1), (w2, opt2)):
        opt.zero_grad()
        (w * w.sum()).tanh().sum().backward()
        opt.step()
    assert torch.equal(w1, w2)


def test_argument_errors_have_pytorch_wording() -> None:
    w = torch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"^Invalid learning rate: -1$"):
        torch.optim.NAdam([w], lr=-1)
    with pytest.raises(ValueError, match=r"^Invalid beta parameter at index 1: 1.0$"):
        torch.optim.RAdam([w], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match=r"^Invalid eta values: 1.5, 2$"):
        torch.optim.Rprop([w], etas=(1.5, 2))
    with pytest.raises(ValueError, match=r"^Invalid momentum_decay value: -0.1$"):
        torch.optim.NAdam([w], momentum_decay=-0.1)
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        torch.optim.LBFGS([{"params": [w]}, {"params": [torch.zeros(1, requires_grad=True)]}])
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        w.grad = torch.ones(2)
        torch.optim.LBFGS([w], line_search_fn="armijo").step(lambda: (w * w).sum())
