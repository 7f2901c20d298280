"""Layer cases run identically by PyTorch (recording) and jitgrad (testing): interpolate,
adaptive_max_pool2d, embedding_bag and bilinear, each with its output, its node name and the
gradients of its floating inputs for a fixed linear weighting of the output."""

from __future__ import annotations

from typing import Any

import numpy as np

_RNG = np.random.default_rng(7)
X4 = _RNG.standard_normal((2, 3, 5, 7))
X3 = _RNG.standard_normal((2, 3, 5))
XP = _RNG.standard_normal((2, 3, 7, 5))
XP[0, 0, 1, 1] = XP[0, 0, 1, 2]  # a tie: the first maximum wins
W = _RNG.standard_normal((10, 4))
PSW = _RNG.standard_normal(7)
B1, B2 = _RNG.standard_normal((3, 2, 4)), _RNG.standard_normal((3, 2, 5))
BW, BB = _RNG.standard_normal((6, 4, 5)), _RNG.standard_normal(6)
IDX = [1, 2, 4, 5, 4, 3, 9]
OFF = [0, 2, 2, 5]

INTERP: dict[str, tuple[str, dict[str, Any]]] = {
    "nearest_x2": ("x4", {"scale_factor": 2}),
    "nearest_down": ("x4", {"size": (3, 4)}),
    "nearest_1p5": ("x4", {"scale_factor": 1.5}),
    "nearest_1d_x3": ("x3", {"scale_factor": 3}),
    "bilinear_size": ("x4", {"size": (8, 9), "mode": "bilinear"}),
    "bilinear_size_ac": ("x4", {"size": (8, 9), "mode": "bilinear", "align_corners": True}),
    "bilinear_0p6": ("x4", {"scale_factor": 0.6, "mode": "bilinear", "align_corners": False}),
    "bilinear_2p5_rec": ("x4", {"scale_factor": 2.5, "mode": "bilinear",
                                "recompute_scale_factor": True}),
    "bilinear_x2_ac": ("x4", {"scale_factor": (2, 3), "mode": "bilinear", "align_corners": True}),
    "linear_1d": ("x3", {"size": 9, "mode": "linear"}),
    "bicubic_size": ("x4", {"size": (8, 9), "mode": "bicubic"}),
    "bicubic_ac_down": ("x4", {"size": (3, 4), "mode": "bicubic", "align_corners": True}),
    "bicubic_1p7": ("x4", {"scale_factor": 1.7, "mode": "bicubic"}),
    "nearest_exact": ("x4", {"scale_factor": 1.5, "mode": "nearest-exact"}),
    "nearest_exact_1d": ("x3", {"size": 3, "mode": "nearest-exact"}),
    "area_down": ("x4", {"size": (2, 3), "mode": "area"}),
    "area_1d": ("x3", {"scale_factor": 0.5, "mode": "area"}),
}  # fmt: skip
POOL = {"pool_3x2": (3, 2), "pool_4x4": (4, 4), "pool_none_2": (None, 2), "pool_1": 1}
BAG: dict[str, dict[str, Any]] = {
    "bag_sum": {"mode": "sum"},
    "bag_mean": {"mode": "mean"},
    "bag_max": {"mode": "max"},
    "bag_psw": {"mode": "sum", "per_sample_weights": True},
    "bag_pad_mean": {"mode": "mean", "padding_idx": 4},
    "bag_last": {"mode": "sum", "include_last_offset": True},
    "bag_2d_mean": {"mode": "mean", "two_d": True},
}


def names() -> list[str]:
    return [*INTERP, *POOL, *BAG, "bilinear"]


def run(torch: Any, name: str) -> dict[str, Any]:
    F = torch.nn.functional
    t = lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True)  # noqa: E731
    if name in INTERP:
        which, kw = INTERP[name]
        ins = [t(X4 if which == "x4" else X3)]
        out = F.interpolate(ins[0], **kw)
    elif name in POOL:
        ins = [t(XP)]
        out, idx = F.adaptive_max_pool2d(ins[0], POOL[name], return_indices=True)
    elif name in BAG:
        kw = dict(BAG[name])
        ins = [t(W)]
        if kw.pop("per_sample_weights", False):
            ins.append(t(PSW))
            kw["per_sample_weights"] = ins[1]
        if kw.pop("two_d", False):
            out = F.embedding_bag(torch.tensor([IDX[:3], IDX[3:6]]), ins[0], **kw)
        else:
            out = F.embedding_bag(torch.tensor(IDX), ins[0], torch.tensor(OFF), **kw)
    else:
        ins = [t(B1), t(B2), t(BW), t(BB)]
        out = F.bilinear(*ins)
    weight = torch.linspace(-1, 1, out.numel(), dtype=out.dtype).reshape(out.shape)
    (out * weight).sum().backward()
    res = {
        "out": out.detach().numpy().tolist(),
        "node": type(out.grad_fn).__name__,
        "grads": [a.grad.numpy().tolist() for a in ins],
    }
    if name in POOL:
        res["indices"] = idx.numpy().tolist()
    return res
