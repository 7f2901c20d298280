"""The numpy ufuncs that numba's CUDA targets cannot lower, as the CUDA renderer calls them:
devmath's libdevice versions (``_k.sqrt32``), checked against the CPU at the edge values where
libraries differ (halves for round, signed zeros, infinities, NaN). In the simulator these
are numpy's own ufuncs; on a GPU, libdevice's."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.backends.cuda import render

EDGES = [-2.5, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.5, 3.7, -3.7, 1e-7, np.inf, -np.inf, np.nan]


def test_the_renderer_swaps_the_ufuncs_numba_cuda_cannot_lower():
    stmts = (("v", "np.sqrt(x_) + np.log(x_) * np.float32(2)"), ("w", "np.sign(np.floor(v))"))
    assert render.device_stmts(stmts, wide=False) == (
        ("v", "_k.sqrt32(x_) + np.log(x_) * np.float32(2)"),
        ("w", "_k.sign32(_k.floor32(v))"),
    )
    assert render.device_stmts(stmts, wide=True)[1] == ("w", "_k.sign64(_k.floor64(v))")


EXACT = {
    "floor": torch.floor,
    "ceil": torch.ceil,
    "trunc": torch.trunc,
    "round": torch.round,  # halves to even
    "sign": torch.sign,
    "sqrt": torch.sqrt,  # correctly rounded on both
    "isinf": torch.isinf,
    "isnan": torch.isnan,
    "isfinite": torch.isfinite,
    "fmod": lambda x: torch.fmod(x, 1.25),
}
CLOSE = {"expm1": torch.expm1, "log1p": torch.log1p, "exp2": torch.exp2}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", sorted(EXACT) + sorted(CLOSE))
def test_edge_values_match_the_cpu(name, dtype):
    fn = EXACT.get(name) or CLOSE[name]
    x = torch.tensor(EDGES, dtype=dtype)
    want = fn(x).numpy()
    got = fn(x.cuda())
    assert got.is_cuda and got.dtype == fn(x).dtype
    if name in EXACT:
        np.testing.assert_array_equal(got.cpu().numpy(), want)
        if name == "sign":  # PyTorch's sign(-0.0) is 0.0 (the CPU kernel's np.sign gives -0.0)
            assert not np.signbit(got.cpu().numpy()[EDGES.index(-0.0)])
        else:
            np.testing.assert_array_equal(np.signbit(got.cpu().numpy()), np.signbit(want))
    else:
        np.testing.assert_allclose(
            got.cpu().numpy(), want, rtol=2e-6 if dtype == torch.float32 else 1e-12
        )


def test_abs_backward_and_rsqrt_in_a_fused_chain_match_the_cpu():
    # abs's derivative is sign(x) and rsqrt lowers through sqrt: both now device calls
    x = np.array([-2.0, -0.5, 0.25, 3.0], np.float32)
    grads = []
    for device in ("cpu", "cuda"):
        t = torch.tensor(x, device=device, requires_grad=True)
        (t.abs() * torch.rsqrt(t * t + 1)).sum().backward()
        grads.append(t.grad.cpu().numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)
