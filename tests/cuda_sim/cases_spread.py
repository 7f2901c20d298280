"""var, std, var_mean and std_mean on the device (correction, dims, keepdim): device kernels,
no host fallback; values, gradients (and second derivatives) the CPU's to float rounding
(the device's tree sums add in another order than the CPU's pairwise sums), node names the
CPU's. The cases without degrees of freedom still go to the CPU op, which warns."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import jitgrad as torch

RNG = np.random.default_rng(15)
X = (RNG.standard_normal((3, 4, 5)) * 2 + 1).astype(np.float32)

CASES: dict[str, Callable] = {
    "var_all": lambda x: x.var(),
    "var_dim": lambda x: x.var(1),
    "var_dims_keepdim": lambda x: torch.var(x, (0, 2), keepdim=True),
    "var_correction0": lambda x: x.var(-1, correction=0),
    "var_correction2": lambda x: torch.var(x, 1, correction=2),
    "var_unbiased_false": lambda x: x.var(0, False),
    "var_positional_bool": lambda x: torch.var(x, False),
    "std_all": lambda x: x.std(),
    "std_dim_keepdim": lambda x: torch.std(x, 2, keepdim=True),
    "std_correction0": lambda x: x.std((0, 1), correction=0),
    "var_mean": lambda x: torch.var_mean(x, 1),
    "var_mean_keepdim": lambda x: torch.var_mean(x, (1, 2), keepdim=True, correction=0),
    "std_mean": lambda x: torch.std_mean(x),
    "std_mean_dim": lambda x: torch.std_mean(x, -1, unbiased=False),
}


def _run(case: str, device: str, dtype=np.float32) -> tuple:
    x = torch.tensor(X.astype(dtype), device=device, requires_grad=True)
    out = CASES[case](x)
    outs = out if isinstance(out, tuple) else (out,)
    names = [o.grad_fn.name() for o in outs]
    loss = sum(((o * o).sum() if i == 0 else o.sum() * 3) for i, o in enumerate(outs))
    (g,) = torch.autograd.grad(loss, x, create_graph=True)
    (gg,) = torch.autograd.grad((g * g).sum(), x)
    arrays = [o.detach().cpu().numpy() for o in outs]
    return names, arrays, g.detach().cpu().numpy(), gg.cpu().numpy()


@pytest.mark.parametrize("case", sorted(CASES))
def test_on_the_device_as_on_the_cpu(no_fallback, case: str) -> None:
    dev = _run(case, "cuda")
    cpu = _run(case, "cpu")
    assert dev[0] == cpu[0]
    for d, c in zip(dev[1], cpu[1], strict=True):
        assert d.shape == c.shape and d.dtype == c.dtype
        np.testing.assert_allclose(d, c, rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(dev[2], cpu[2], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dev[3], cpu[3], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", ["var_dims_keepdim", "std_mean_dim"])
def test_float64_to_rounding(no_fallback, case: str) -> None:
    dev, cpu = _run(case, "cuda", np.float64), _run(case, "cpu", np.float64)
    for d, c in zip(dev[1:], cpu[1:], strict=True):
        for a, b in zip(d if isinstance(d, list) else [d], c if isinstance(c, list) else [c]):
            assert a.dtype == np.float64
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_no_degrees_of_freedom_warns_as_on_the_cpu() -> None:
    """correction >= N: the CPU op (through the fallback) warns, and gives inf/nan as it."""
    out = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(X[:, :1, 0], device=device)
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            v = x.var(1)
        out.append(v.cpu().numpy())
    np.testing.assert_array_equal(out[1], out[0])
