"""``optim.LBFGS`` on device parameters (issue 15): its flat gradient, directions and history
are device tensors and the two-loop recursion runs as device ops; only its scalar decisions
read a value back. Guard: NumPy applied to a device array raises (the simulator's device
array otherwise converts silently, where a GPU's would fail or copy)."""

from __future__ import annotations

import numpy as np
import pytest
from numba import config

import jitgrad as torch

SIM = bool(config.ENABLE_CUDASIM)


def _run(device, kwargs, dtype):
    rng = np.random.default_rng(5)
    w0, b0 = rng.standard_normal((3, 4)).astype(dtype), rng.standard_normal(4).astype(dtype)
    x, y = rng.standard_normal((6, 3)).astype(dtype), rng.standard_normal((6, 4)).astype(dtype)
    w = torch.tensor(w0, device=device, requires_grad=True)
    b = torch.tensor(b0, device=device, requires_grad=True)
    xt, yt = torch.tensor(x, device=device), torch.tensor(y, device=device)
    opt = torch.optim.LBFGS([w, b], **kwargs)

    def closure():
        opt.zero_grad()
        loss = (((xt @ w + b).tanh() - yt) ** 2).mean()
        loss.backward()
        return loss

    losses = [float(opt.step(closure)) for _ in range(3)]
    state = opt.state[w]
    return losses, [w.detach().cpu().numpy(), b.detach().cpu().numpy()], state


CASES = [
    dict(lr=0.5, max_iter=5, history_size=3),
    dict(lr=1, max_iter=6, line_search_fn="strong_wolfe"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", CASES)
def test_lbfgs_runs_on_the_device(kwargs, dtype, numpy_refused):
    want_losses, want_params, _ = _run("cpu", kwargs, dtype)
    got_losses, got_params, state = _run("cuda", kwargs, dtype)
    for key in ("d", "prev_flat_grad", "H_diag"):
        assert state[key].is_cuda, key
    assert all(v.is_cuda for k in ("old_dirs", "old_stps", "ro") for v in state[k])
    # (device reductions sum in another order: float32 rounding grows over the iterations,
    # and this fit, whose weights grow to |w| ~ 12, magnifies it: on the CPU alone, rounding
    # the updates once instead of twice moved the strong-Wolfe case's weights by 2.5e-4)
    tol = 1e-3 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(got_losses, want_losses, rtol=tol, atol=tol)
    for got, want in zip(got_params, want_params, strict=True):
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
