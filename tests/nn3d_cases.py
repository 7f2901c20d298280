"""Cases for the 3-d layers (conv3d, the 3-d pools, BatchNorm3d, 5-D interpolate), run the
same way on PyTorch (tests/fixtures/make_nn3d_torch.py records them into nn3d_torch.json) and
on jitgrad (tests/test_nn3d.py).

Each case builds float64 inputs from a seeded numpy generator, calls the op, and reports the
output (values, shape, grad_fn name), the indices where the op returns them, and the
gradient of every input for a seeded upstream gradient. ERRORS holds calls PyTorch refuses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

X = (1, 2, 3, 4, 5)  # (N, C, D, H, W)


def _conv(w_shape: tuple, **kw: Any) -> tuple:
    return ([X, w_shape, (w_shape[0],)], lambda t, F, x, w, b: F.conv3d(x, w, b, **kw))


#: name -> (input shapes, fn(torch, F, *inputs))
CASES: dict[str, tuple] = {
    "conv3d": _conv((3, 2, 2, 2, 2)),
    "conv3d_stride_pad_dil": _conv(
        (4, 2, 2, 2, 2), stride=(2, 1, 2), padding=(1, 0, 2), dilation=(1, 2, 1)
    ),
    "conv3d_groups": _conv((4, 1, 3, 1, 2), groups=2, padding=1),
    "conv3d_same": _conv((2, 2, 2, 3, 4), padding="same", dilation=(1, 1, 2)),
    "conv3d_valid": _conv((2, 2, 3, 3, 3), padding="valid"),
    "conv3d_unbatched": ([X[1:], (3, 2, 2, 2, 2)], lambda t, F, x, w: F.conv3d(x, w, None, 1, 1)),
    "Conv3d_reflect": (
        [X],
        lambda t, F, x: _module(t, t.nn.Conv3d(2, 3, 3, padding=1, padding_mode="reflect"))(x),
    ),
    "conv_transpose3d": (
        [X, (2, 3, 2, 3, 2), (3,)],
        lambda t, F, x, w, b: F.conv_transpose3d(x, w, b),
    ),
    "conv_transpose3d_args": (
        [X, (2, 1, 3, 2, 2), (2,)],
        lambda t, F, x, w, b: F.conv_transpose3d(
            x, w, b, (2, 1, 2), (1, 0, 1), (1, 0, 1), groups=2, dilation=(1, 2, 1)
        ),
    ),
    "conv_transpose3d_unbatched": (
        [X[1:], (2, 2, 2, 2, 2)],
        lambda t, F, x, w: F.conv_transpose3d(x, w, stride=2),
    ),
    "ConvTranspose3d_output_size": (
        [X],
        lambda t, F, x: _module(t, t.nn.ConvTranspose3d(2, 3, 3, stride=2, padding=1))(
            x, output_size=(6, 8, 10)
        ),
    ),
    "max_pool3d": ([X], lambda t, F, x: F.max_pool3d(x, 2, return_indices=True)),
    "max_pool3d_args": (
        [X],
        lambda t, F, x: F.max_pool3d(
            x, (3, 2, 2), (2, 1, 2), (1, 1, 0), (1, 2, 1), return_indices=True
        ),
    ),
    "max_pool3d_nan": ([X], lambda t, F, x: F.max_pool3d(_nans(t, x), 2, 1, return_indices=True)),
    "adaptive_max_pool3d_nan": (
        [X],
        lambda t, F, x: F.adaptive_max_pool3d(_nans(t, x), (1, 2, 2), return_indices=True),
    ),
    "max_pool3d_ceil": ([X], lambda t, F, x: F.max_pool3d(x, 2, 2, 1, ceil_mode=True)),
    "MaxPool3d": ([X], lambda t, F, x: t.nn.MaxPool3d(3, stride=2, padding=1)(x)),
    "avg_pool3d": ([X], lambda t, F, x: F.avg_pool3d(x, 2)),
    "avg_pool3d_pad": ([X], lambda t, F, x: F.avg_pool3d(x, (3, 2, 2), (2, 1, 2), (1, 1, 0))),
    "avg_pool3d_exclude_pad": (
        [X],
        lambda t, F, x: F.avg_pool3d(x, (3, 2, 2), (2, 1, 2), (1, 1, 0), count_include_pad=False),
    ),
    "avg_pool3d_ceil": (
        [X],
        lambda t, F, x: F.avg_pool3d(x, 2, 2, 1, ceil_mode=True, count_include_pad=False),
    ),
    "avg_pool3d_divisor": ([X], lambda t, F, x: F.avg_pool3d(x, 3, 2, divisor_override=5)),
    "AvgPool3d": ([X], lambda t, F, x: t.nn.AvgPool3d(2, stride=1)(x)),
    "adaptive_avg_pool3d": ([X], lambda t, F, x: F.adaptive_avg_pool3d(x, (2, 3, 3))),
    "AdaptiveAvgPool3d_none": ([X], lambda t, F, x: t.nn.AdaptiveAvgPool3d((None, 2, 1))(x)),
    "adaptive_max_pool3d": ([X], lambda t, F, x: F.adaptive_max_pool3d(x, (2, 3, 3), True)),
    "AdaptiveMaxPool3d": ([X], lambda t, F, x: t.nn.AdaptiveMaxPool3d(1)(x)),
    "trilinear": ([X], lambda t, F, x: F.interpolate(x, size=(4, 6, 7), mode="trilinear")),
    "trilinear_align": (
        [X],
        lambda t, F, x: F.interpolate(x, scale_factor=1.5, mode="trilinear", align_corners=True),
    ),
    "nearest3d": ([X], lambda t, F, x: F.interpolate(x, size=(5, 6, 7), mode="nearest")),
    "Upsample_nearest3d": ([X], lambda t, F, x: t.nn.Upsample(scale_factor=2)(x)),
    "area3d": ([X], lambda t, F, x: F.interpolate(x, size=(2, 3, 3), mode="area")),
    "BatchNorm3d_train": ([X], lambda t, F, x: _module(t, t.nn.BatchNorm3d(2))(x)),
}

#: name -> fn(torch, F): calls PyTorch refuses
ERRORS: dict[str, Any] = {
    "conv3d_4d_weight_5d_input_rank": lambda t, F: F.conv3d(
        t.zeros(2, 3, 4), t.zeros(1, 3, 1, 1, 1)
    ),
    "conv3d_kernel_too_big": lambda t, F: F.conv3d(t.zeros(1, 3, 4, 4, 4), t.zeros(1, 3, 5, 2, 2)),
    "conv3d_channels": lambda t, F: F.conv3d(t.zeros(1, 2, 3, 4, 5), t.zeros(1, 3, 2, 2, 2)),
    "conv3d_same_strided": lambda t, F: F.conv3d(
        t.zeros(1, 1, 4, 4, 4), t.zeros(1, 1, 2, 2, 2), stride=2, padding="same"
    ),
    "conv_transpose3d_rank": lambda t, F: F.conv_transpose3d(
        t.zeros(2, 3, 4), t.zeros(3, 1, 1, 1, 1)
    ),
    "conv_transpose3d_output_padding": lambda t, F: F.conv_transpose3d(
        t.zeros(1, 1, 2, 2, 2), t.zeros(1, 1, 2, 2, 2), output_padding=1
    ),
    "max_pool3d_rank": lambda t, F: F.max_pool3d(t.zeros(2, 3), 2),
    "avg_pool3d_rank": lambda t, F: F.avg_pool3d(t.zeros(2, 3, 4), 2),
    "adaptive_avg_pool3d_rank": lambda t, F: F.adaptive_avg_pool3d(t.zeros(2, 3), 2),
    "adaptive_max_pool3d_rank": lambda t, F: F.adaptive_max_pool3d(t.zeros(2, 3), 2),
    "max_pool3d_too_small": lambda t, F: F.max_pool3d(t.zeros(1, 1, 2, 2, 2), 3),
    "avg_pool3d_too_small": lambda t, F: F.avg_pool3d(t.zeros(1, 1, 2, 2, 2), 3),
    "max_pool3d_pad": lambda t, F: F.max_pool3d(t.zeros(1, 1, 4, 4, 4), 2, padding=2),
    "max_pool3d_stride0": lambda t, F: F.max_pool3d(t.zeros(1, 1, 4, 4, 4), 2, stride=0),
    "max_pool3d_kernel_pair": lambda t, F: F.max_pool3d(t.zeros(1, 1, 4, 4, 4), (2, 2)),
    "avg_pool3d_divisor0": lambda t, F: F.avg_pool3d(t.zeros(1, 1, 4, 4, 4), 2, divisor_override=0),
    "adaptive_avg_pool3d_negative": lambda t, F: F.adaptive_avg_pool3d(t.zeros(1, 1, 4, 4, 4), -1),
    "trilinear_4d": lambda t, F: F.interpolate(
        t.zeros(1, 1, 2, 2), scale_factor=2, mode="trilinear"
    ),
    "bilinear_5d": lambda t, F: F.interpolate(
        t.zeros(1, 1, 2, 2, 2), scale_factor=2, mode="bilinear"
    ),
    "BatchNorm3d_4d": lambda t, F: t.nn.BatchNorm3d(3)(t.zeros(2, 3, 4, 4)),
}


def _nans(torch: Any, x: Any) -> Any:
    """``x`` with NaNs at fixed places, several in some windows (PyTorch keeps the last)."""
    mask = np.zeros(X, bool)
    mask[0, 0, 0, 0, 0] = mask[0, 0, 1, 1, 0] = mask[0, 1, 2, 3, 4] = mask[0, 1, 2, 2, 4] = True
    return torch.where(torch.tensor(mask), torch.tensor(float("nan"), dtype=x.dtype), x)


def _module(torch: Any, m: Any) -> Any:
    """``m`` in float64 with seeded parameters (the same on both libraries)."""
    m = m.double()
    rng = np.random.default_rng(7)
    for p in m.parameters():
        with torch.no_grad():
            p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape))))
    return m


def inputs(torch: Any, shapes: list) -> list:
    rng = np.random.default_rng(0)
    return [torch.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]


def _values(t: Any) -> list:
    return np.asarray(t.detach().tolist(), dtype=np.float64).ravel().tolist()


def run_case(torch: Any, name: str) -> dict:
    shapes, fn = CASES[name]
    xs = inputs(torch, shapes)
    out = fn(torch, torch.nn.functional, *xs)
    res: dict = {}
    if isinstance(out, tuple):
        out, idx = out
        res["indices"] = np.asarray(idx.tolist()).ravel().tolist()
    g = np.random.default_rng(1).standard_normal(tuple(out.shape))
    (out * torch.tensor(g)).sum().backward()
    res.update(shape=list(out.shape), grad_fn=type(out.grad_fn).__name__, out=_values(out))
    res["grads"] = [_values(x.grad) for x in xs]
    return res


def run_error(torch: Any, name: str) -> dict:
    try:
        ERRORS[name](torch, torch.nn.functional)
    except Exception as e:  # noqa: BLE001 - the exception is the recorded answer
        return {"error": type(e).__name__, "message": str(e)}
    return {"error": None}
