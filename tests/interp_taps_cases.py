"""Cases for ``F.interpolate`` with NaN and inf inputs, run the same way on PyTorch
(tests/fixtures/make_interp_taps_torch.py records them into interp_taps_torch.json, on one
thread) and on jitgrad (tests/test_interp_taps.py).

Each input is a ramp with NaN, inf and -inf planted at fixed positions, so a kernel that reads
more than its taps (a dense weight matrix: ``0 * nan`` is NaN) spreads them to outputs
PyTorch leaves finite, and one that merges clamped taps (bicubic's border: ``w1 * inf + w2 *
inf`` with weights of opposite signs is NaN, ``(w1 + w2) * inf`` is not) differs at the
borders. The upstream gradient is a ramp too, with one inf in the ``grad_inf`` cases: PyTorch's
backward adds every tap's ``w * g`` (a zero weight too), so that inf reaches the inputs its
output's taps name, and only those. Each case reports its output, grad_fn name and gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

F32, F64 = "float32", "float64"
SHAPES = {1: (2, 2, 8), 2: (1, 2, 5, 6), 3: (1, 2, 3, 4, 5)}
# (dims, kwargs, dtype, inf in the upstream gradient)
CASES: dict[str, tuple[int, dict[str, Any], str, bool]] = {}
for _dt in (F32, F64):
    _s = _dt[-2:]
    CASES |= {
        f"linear_x2_{_s}": (1, {"scale_factor": 2, "mode": "linear"}, _dt, False),
        f"linear_ac_{_s}": (1, {"size": 13, "mode": "linear", "align_corners": True}, _dt, True),
        f"linear_down_{_s}": (1, {"size": 5, "mode": "linear"}, _dt, False),
        f"linear_same_{_s}": (1, {"size": 8, "mode": "linear"}, _dt, False),
        f"linear_sf_same_{_s}": (1, {"scale_factor": 1.1, "mode": "linear"}, _dt, True),
        f"nearest_x2_{_s}": (1, {"scale_factor": 2, "mode": "nearest"}, _dt, True),
        f"nearest_1_7_{_s}": (1, {"scale_factor": 1.7, "mode": "nearest"}, _dt, False),
        f"nexact_{_s}": (1, {"size": 11, "mode": "nearest-exact"}, _dt, False),
        f"bilinear_x2_{_s}": (2, {"scale_factor": 2, "mode": "bilinear"}, _dt, True),
        f"bilinear_ac_{_s}": (2, {"size": (7, 4), "mode": "bilinear", "align_corners": True},
                              _dt, False),
        f"bilinear_rsf_{_s}": (2, {"scale_factor": 1.3, "mode": "bilinear",
                                   "recompute_scale_factor": True}, _dt, False),
        f"bicubic_x2_{_s}": (2, {"scale_factor": 2, "mode": "bicubic"}, _dt, True),
        f"bicubic_ac_{_s}": (2, {"size": (9, 8), "mode": "bicubic", "align_corners": True},
                             _dt, False),
        f"bicubic_down_{_s}": (2, {"size": (3, 4), "mode": "bicubic"}, _dt, False),
        f"bilinear_hsame_{_s}": (2, {"size": (5, 12), "mode": "bilinear"}, _dt, False),
        f"bilinear_sf_wsame_{_s}": (2, {"scale_factor": (2, 1.1), "mode": "bilinear"}, _dt,
                                    False),
        f"bicubic_same_{_s}": (2, {"size": (5, 6), "mode": "bicubic"}, _dt, False),
        f"bicubic_wsame_{_s}": (2, {"size": (8, 6), "mode": "bicubic"}, _dt, False),
        f"trilinear_dsame_{_s}": (3, {"size": (3, 6, 5), "mode": "trilinear"}, _dt, False),
        f"nearest2d_{_s}": (2, {"size": (7, 9), "mode": "nearest"}, _dt, False),
        f"nexact2d_{_s}": (2, {"scale_factor": (1.5, 0.7), "mode": "nearest-exact"}, _dt, False),
        f"trilinear_{_s}": (3, {"size": (5, 7, 9), "mode": "trilinear"}, _dt, True),
        f"trilinear_ac_{_s}": (3, {"scale_factor": 1.5, "mode": "trilinear",
                                   "align_corners": True}, _dt, False),
        f"nearest3d_{_s}": (3, {"scale_factor": 2, "mode": "nearest"}, _dt, False),
        f"nexact3d_{_s}": (3, {"size": (4, 3, 7), "mode": "nearest-exact"}, _dt, False),
    }  # fmt: skip


def inputs(dims: int, dt: str) -> tuple[np.ndarray, int]:
    """The input ramp with its planted NaN/inf/-inf, and the flat length of one plane."""
    shape = SHAPES[dims]
    x = (np.arange(int(np.prod(shape))) * 0.37 - 3.0).reshape(shape).astype(dt)
    flat = x.reshape(-1)
    plane = int(np.prod(shape[2:]))
    flat[2] = np.nan  # plane 0: an interior NaN (and, in 1-d, beside the border tap)
    flat[plane + 1] = np.inf  # plane 1: inf next to the first border
    flat[2 * plane - 1] = -np.inf  # plane 1: -inf at the last border (bicubic clamps it)
    flat[plane - 2] = np.nan
    return x, plane


def run_case(t: Any, name: str) -> dict[str, Any]:
    """The op on the framework ``t`` (torch or jitgrad): output, node name, gradient."""
    dims, kw, dt, grad_inf = CASES[name]
    a, _ = inputs(dims, dt)
    x = t.tensor(a, requires_grad=True)
    out = t.nn.functional.interpolate(x, **kw)
    n = int(np.prod(tuple(out.shape)))
    g = np.linspace(-1.0, 1.0, n).astype(dt)
    if grad_inf:
        g[n // 3] = np.inf
    (out * t.tensor(g.reshape(tuple(out.shape)))).sum().backward()
    return {
        "out": out.detach().numpy().tolist(),
        "node": out.grad_fn.name(),
        "grad": x.grad.numpy().tolist(),
    }
