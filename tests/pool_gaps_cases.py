"""Cases for the pools added in issue 13 (fractional max pooling, ``max_unpool3d``,
``lp_pool3d``) and for integer convolutions, run the same way on PyTorch
(tests/fixtures/make_pool_gaps_torch.py records them into pool_gaps_torch.json, on one
thread) and on jitgrad (tests/test_pool_gaps.py).

Inputs come from a seeded numpy generator: ``("x", shape, dtype)`` normal values (floating
ones require grad), ``("u", shape, dtype)`` uniform samples in [0, 1) (fractional pooling's
``_random_samples``), ``("i", shape, dtype)`` small integers. Each case reports its output
(values, shape, dtype, grad_fn name), the indices where the op returns them, and the
gradient of every input that requires grad for a seeded upstream gradient. ERRORS holds
calls PyTorch refuses; REPRS module reprs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

F32, F64, I64 = "float32", "float64", "int64"


def _fmp2(*shape: int, dt: str = F64, b: int | None = None) -> list:
    n, c = (1, shape[0]) if len(shape) == 3 else shape[:2]
    return [("x", shape, dt), ("u", (b or n, c, 2), dt)]


def _fmp3(*shape: int, dt: str = F64) -> list:
    n, c = (1, shape[0]) if len(shape) == 4 else shape[:2]
    return [("x", shape, dt), ("u", (n, c, 3), dt)]


def _nan_where_big(t: Any, x: Any) -> Any:
    return t.where(x > 1.2, t.tensor(float("nan"), dtype=x.dtype), x)


def _unpool3(x: Any, t: Any, k: Any, **kw: Any) -> Any:
    y, i = t.nn.functional.max_pool3d(x, k, return_indices=True, **kw)
    return t.nn.functional.max_unpool3d(y, i, k, **kw)


def _conv(fn: str, *specs: tuple, **kw: Any) -> tuple:
    return (list(specs), lambda t, F, *a: getattr(F, fn)(*a, **kw))


#: name -> (input specs, fn(torch, F, *inputs))
CASES: dict[str, tuple] = {
    "fmp2d_f64": (
        _fmp2(2, 3, 10, 9),
        lambda t, F, x, u: F.fractional_max_pool2d(
            x, 2, output_size=(7, 6), return_indices=True, _random_samples=u
        ),
    ),
    "fmp2d_f32": (
        _fmp2(2, 3, 10, 9, dt=F32),
        lambda t, F, x, u: F.fractional_max_pool2d(
            x, 2, output_size=(7, 6), return_indices=True, _random_samples=u
        ),
    ),
    "fmp2d_f32_many_planes": (
        _fmp2(4, 8, 23, 17, dt=F32),
        lambda t, F, x, u: F.fractional_max_pool2d(
            x, (3, 2), output_size=(9, 11), return_indices=True, _random_samples=u
        ),
    ),
    "fmp2d_ratio": (
        _fmp2(1, 2, 13, 11),
        lambda t, F, x, u: F.fractional_max_pool2d(
            x, (3, 2), output_ratio=(0.5, 0.7), _random_samples=u
        ),
    ),
    "fmp2d_unbatched": (
        _fmp2(3, 8, 8),
        lambda t, F, x, u: F.fractional_max_pool2d_with_indices(
            x, 3, output_size=4, _random_samples=u
        ),
    ),
    "fmp2d_one_window": (
        _fmp2(2, 2, 5, 6),
        lambda t, F, x, u: F.fractional_max_pool2d(x, 3, 1, _random_samples=u),
    ),
    "fmp2d_more_samples": (
        _fmp2(2, 3, 6, 7, b=4),
        lambda t, F, x, u: F.fractional_max_pool2d(x, 2, (4, 5), _random_samples=u),
    ),
    "fmp2d_empty_batch": (
        _fmp2(0, 3, 6, 6),
        lambda t, F, x, u: F.fractional_max_pool2d(x, 2, 3, _random_samples=u),
    ),
    "fmp2d_output_0": (
        _fmp2(2, 3, 6, 6),
        lambda t, F, x, u: F.fractional_max_pool2d(x, 2, 0, _random_samples=u),
    ),
    "fmp2d_nan": (
        _fmp2(2, 2, 7, 7),
        lambda t, F, x, u: F.fractional_max_pool2d(
            _nan_where_big(t, x), 2, 4, return_indices=True, _random_samples=u
        ),
    ),
    "FractionalMaxPool2d": (
        _fmp2(2, 3, 9, 8),
        lambda t, F, x, u: t.nn.FractionalMaxPool2d(
            3, output_ratio=0.5, return_indices=True, _random_samples=u
        )(x),
    ),
    "fmp3d_f64": (
        _fmp3(2, 2, 7, 6, 8),
        lambda t, F, x, u: F.fractional_max_pool3d(
            x, (2, 3, 2), output_size=(4, 3, 5), return_indices=True, _random_samples=u
        ),
    ),
    "fmp3d_f32": (
        _fmp3(2, 2, 9, 6, 8, dt=F32),
        lambda t, F, x, u: F.fractional_max_pool3d(
            x, (2, 3, 2), output_size=(5, 3, 6), return_indices=True, _random_samples=u
        ),
    ),
    "fmp3d_ratio": (
        _fmp3(1, 3, 6, 7, 8),
        lambda t, F, x, u: F.fractional_max_pool3d(x, 2, output_ratio=0.5, _random_samples=u),
    ),
    "fmp3d_unbatched": (
        _fmp3(2, 5, 5, 5),
        lambda t, F, x, u: F.fractional_max_pool3d_with_indices(x, 2, 3, _random_samples=u),
    ),
    "FractionalMaxPool3d": (
        _fmp3(1, 2, 6, 6, 6),
        lambda t, F, x, u: t.nn.FractionalMaxPool3d(2, output_size=3, _random_samples=u)(x),
    ),
    "max_unpool3d": ([("x", (1, 2, 4, 6, 6), F64)], lambda t, F, x: _unpool3(x, t, 2)),
    "max_unpool3d_f32": ([("x", (2, 2, 4, 4, 4), F32)], lambda t, F, x: _unpool3(x, t, 2)),
    "max_unpool3d_stride_pad": (
        [("x", (1, 2, 5, 5, 7), F64)],
        lambda t, F, x: _unpool3(x, t, 3, stride=2, padding=1),
    ),
    "max_unpool3d_output_size": (
        [("x", (2, 1, 5, 6, 7), F64)],
        lambda t, F, x: F.max_unpool3d(
            *F.max_pool3d(x, 2, return_indices=True), 2, output_size=(5, 6, 7)
        ),
    ),
    "max_unpool3d_unbatched": (
        [("x", (2, 4, 4, 6), F64)],
        lambda t, F, x: F.max_unpool3d(
            *F.max_pool3d(x, (2, 2, 3), return_indices=True), (2, 2, 3), output_size=[1, 2, 5, 5, 7]
        ),
    ),
    "MaxUnpool3d": (
        [("x", (1, 2, 4, 4, 4), F64)],
        lambda t, F, x: t.nn.MaxUnpool3d(2)(*t.nn.MaxPool3d(2, return_indices=True)(x)),
    ),
    "max_unpool2d": (
        [("x", (2, 2, 5, 7), F64)],
        lambda t, F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2, 2, 0, (5, 7)),
    ),
    "lp_pool3d_p2": ([("x", (2, 2, 4, 5, 6), F64)], lambda t, F, x: F.lp_pool3d(x, 2, 2)),
    "lp_pool3d_args": (
        [("x", (1, 2, 5, 6, 7), F64)],
        lambda t, F, x: F.lp_pool3d(
            x.abs() + 0.1, 1.5, (2, 3, 2), stride=(1, 2, 2), ceil_mode=True
        ),
    ),
    "lp_pool3d_f32": ([("x", (1, 2, 4, 4, 4), F32)], lambda t, F, x: F.lp_pool3d(x, 3, 2)),
    "lp_pool3d_inf": (
        [("x", (1, 2, 4, 4, 4), F64)],
        lambda t, F, x: F.lp_pool3d(x, float("inf"), 2),
    ),
    "lp_pool2d_inf": ([("x", (1, 2, 5, 5), F64)], lambda t, F, x: F.lp_pool2d(x, float("inf"), 2)),
    "lp_pool1d_ninf": (
        [("x", (1, 2, 7), F64)],
        lambda t, F, x: F.lp_pool1d(x, -float("inf"), 3, 2),
    ),
    "LPPool3d": (
        [("x", (2, 1, 4, 4, 5), F64)],
        lambda t, F, x: t.nn.LPPool3d(2, (2, 2, 3), stride=1)(x),
    ),
    "conv2d_int64": _conv(
        "conv2d",
        ("i", (2, 3, 6, 7), I64),
        ("i", (4, 3, 3, 2), I64),
        ("i", (4,), I64),
        stride=(2, 1),
        padding=1,
        dilation=(1, 2),
    ),
    "conv2d_int64_same_groups": _conv(
        "conv2d", ("i", (1, 4, 5, 5), I64), ("i", (6, 2, 3, 3), I64), padding="same", groups=2
    ),
    "conv2d_int64_unbatched": _conv("conv2d", ("i", (3, 5, 5), I64), ("i", (2, 3, 2, 2), I64)),
    "conv1d_int32": _conv(
        "conv1d",
        ("i", (2, 3, 9), "int32"),
        ("i", (4, 3, 3), "int32"),
        ("i", (4,), "int32"),
        stride=2,
    ),
    "conv3d_int16": _conv(
        "conv3d", ("i", (1, 2, 4, 4, 5), "int16"), ("i", (3, 2, 2, 2, 3), "int16")
    ),
    "conv2d_int8_wraps": _conv(
        "conv2d", ("i", (1, 3, 5, 5), "int8"), ("i", (2, 3, 3, 3), "int8"), ("i", (2,), "int8")
    ),
    "conv2d_uint8_wraps": _conv(
        "conv2d", ("i", (1, 3, 5, 5), "uint8"), ("i", (2, 3, 3, 3), "uint8")
    ),
    "conv_transpose2d_int64": _conv(
        "conv_transpose2d",
        ("i", (1, 2, 4, 3), I64),
        ("i", (2, 3, 3, 3), I64),
        ("i", (3,), I64),
        stride=2,
        padding=1,
    ),
    "conv_transpose1d_int64": _conv(
        "conv_transpose1d", ("i", (2, 2, 5), I64), ("i", (2, 3, 3), I64)
    ),
    "Conv2d_int64_no_bias": (
        [("i", (1, 2, 5, 5), I64)],
        lambda t, F, x: _int_conv_module(t)(x),
    ),
}


def _int_conv_module(t: Any) -> Any:
    m = t.nn.Conv2d(2, 3, 2, bias=False)
    with t.no_grad():
        m.weight = t.nn.Parameter(t.arange(24).reshape(3, 2, 2, 2) - 10, requires_grad=False)
    return m


def _x(t: Any, *shape: int, dt: str = "float32") -> Any:
    return t.ones(*shape, dtype=getattr(t, dt))


def _spread(t: Any, *shape: int) -> Any:
    """Distinct values in a scrambled order, the same in both libraries (no random stream)."""
    n = int(np.prod(shape))
    return ((t.arange(n) * 7919) % n).reshape(*shape).float()


def _pooled3(t: Any, shape: tuple = (2, 3, 5, 6, 7), k: int = 2) -> tuple:
    return t.nn.functional.max_pool3d(_spread(t, *shape), k, return_indices=True)


def _bad_index(t: Any, nd: int) -> Any:
    """Pooled values and indices with two out-of-range entries (PyTorch names the last)."""
    if nd == 2:
        y, i = t.nn.functional.max_pool2d(_spread(t, 2, 3, 4, 6), 2, return_indices=True)
    else:
        y, i = _pooled3(t, (2, 3, 4, 4, 4))
    i = i.clone()
    i.view(-1)[0] = 999
    i.view(-1)[-3] = -5
    return y, i


def _fm(nd: int) -> Any:
    return lambda t, F: getattr(F, f"fractional_max_pool{nd}d")


#: name -> fn(torch, F) that raises in PyTorch
ERRORS: dict[str, Any] = {
    "fmp2d_no_size": lambda t, F: F.fractional_max_pool2d(_x(t, 2, 3, 7, 8), 2),
    "fmp2d_ratio_len": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8), 2, output_ratio=(0.5, 0.5, 0.5)
    ),
    "fmp2d_ratio_scalar": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8), 2, output_ratio=0.5
    ),
    "fmp2d_pool_height": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8), 2, 7, _random_samples=_x(t, 2, 3, 2)
    ),
    "fmp2d_pool_width": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8), 2, (4, 8), _random_samples=_x(t, 2, 3, 2)
    ),
    "fmp2d_kernel_len": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8), (2, 2, 2), 3, _random_samples=_x(t, 2, 3, 2)
    ),
    "fmp2d_output_len": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8), 2, (3, 3, 3), _random_samples=_x(t, 2, 3, 2)
    ),
    "fmp2d_2d_input": lambda t, F: F.fractional_max_pool2d(
        _x(t, 7, 8), 2, 3, _random_samples=_x(t, 2, 3, 2)
    ),
    "fmp2d_empty_dim": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 0, 8), 2, 3, _random_samples=_x(t, 2, 3, 2)
    ),
    "fmp2d_samples_dtype": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8), 2, 3, _random_samples=_x(t, 2, 3, 2, dt="float64")
    ),
    "fmp2d_samples_dims": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8), 2, 3, _random_samples=_x(t, 2, 3)
    ),
    "fmp2d_samples_batch": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8), 2, 3, _random_samples=_x(t, 1, 3, 2)
    ),
    "fmp2d_samples_channels": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8), 2, 3, _random_samples=_x(t, 2, 2, 2)
    ),
    "fmp2d_samples_last": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8), 2, 3, _random_samples=_x(t, 2, 3, 3)
    ),
    "fmp2d_long": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8, dt="int64"), 2, 3, _random_samples=_x(t, 2, 3, 2, dt="int64")
    ),
    "fmp2d_negative_output": lambda t, F: F.fractional_max_pool2d(
        _x(t, 2, 3, 7, 8), 2, -1, _random_samples=_x(t, 2, 3, 2)
    ),
    "fmp3d_no_size": lambda t, F: F.fractional_max_pool3d(_x(t, 2, 3, 5, 6, 7), 2),
    "fmp3d_ratio_short": lambda t, F: F.fractional_max_pool3d(
        _x(t, 2, 3, 5, 6, 7), 2, output_ratio=(0.5, 0.5)
    ),
    "fmp3d_pool_time": lambda t, F: F.fractional_max_pool3d(
        _x(t, 2, 3, 5, 6, 7), 2, 5, _random_samples=_x(t, 2, 3, 3)
    ),
    "fmp3d_pool_width": lambda t, F: F.fractional_max_pool3d(
        _x(t, 2, 3, 5, 6, 7), 2, (3, 3, 7), _random_samples=_x(t, 2, 3, 3)
    ),
    "fmp3d_kernel_len": lambda t, F: F.fractional_max_pool3d(
        _x(t, 2, 3, 5, 6, 7), (2, 2), 3, _random_samples=_x(t, 2, 3, 3)
    ),
    "fmp3d_output_len": lambda t, F: F.fractional_max_pool3d(
        _x(t, 2, 3, 5, 6, 7), 2, (3, 3), _random_samples=_x(t, 2, 3, 3)
    ),
    "fmp3d_3d_input": lambda t, F: F.fractional_max_pool3d(
        _x(t, 5, 6, 7), 2, 3, _random_samples=_x(t, 2, 3, 3)
    ),
    "fmp3d_empty_dim": lambda t, F: F.fractional_max_pool3d(
        _x(t, 2, 3, 0, 6, 7), 2, 3, _random_samples=_x(t, 2, 3, 3)
    ),
    "fmp3d_samples_last": lambda t, F: F.fractional_max_pool3d(
        _x(t, 2, 3, 5, 6, 7), 2, 3, _random_samples=_x(t, 2, 3, 2)
    ),
    "FractionalMaxPool2d_no_size": lambda t, F: t.nn.FractionalMaxPool2d(2),
    "FractionalMaxPool2d_both": lambda t, F: t.nn.FractionalMaxPool2d(2, 3, 0.5),
    "FractionalMaxPool2d_ratio_1": lambda t, F: t.nn.FractionalMaxPool2d(2, output_ratio=1.0),
    "FractionalMaxPool3d_ratio": lambda t, F: t.nn.FractionalMaxPool3d(
        2, output_ratio=(0.5, 1.2, 0.3)
    ),
    "FractionalMaxPool3d_kernel_0": lambda t, F: t.nn.FractionalMaxPool3d((2, 0, 2), output_size=2),
    "max_unpool3d_default_size": lambda t, F: F.max_unpool3d(*_pooled3(t), 2),
    "max_unpool3d_bad_output_size": lambda t, F: F.max_unpool3d(
        *_pooled3(t), 2, output_size=(7, 6, 7)
    ),
    "max_unpool3d_output_len": lambda t, F: F.max_unpool3d(*_pooled3(t), 2, output_size=(5, 6)),
    "max_unpool3d_kernel_len": lambda t, F: F.max_unpool3d(
        *_pooled3(t), (2, 2), output_size=(5, 6, 7)
    ),
    "max_unpool3d_3d_input": lambda t, F: F.max_unpool3d(*[v[0, 0] for v in _pooled3(t)], 2),
    "max_unpool3d_indices_shape": lambda t, F: F.max_unpool3d(
        _pooled3(t)[0], _pooled3(t)[1][:, :, :1], 2, output_size=(5, 6, 7)
    ),
    "max_unpool3d_indices_int": lambda t, F: F.max_unpool3d(
        _pooled3(t)[0], _pooled3(t)[1].int(), 2, output_size=(5, 6, 7)
    ),
    "max_unpool3d_stride_0": lambda t, F: F.max_unpool3d(*_pooled3(t), 2, stride=0),
    "max_unpool3d_long": lambda t, F: F.max_unpool3d(
        _pooled3(t)[0].long(), _pooled3(t)[1], 2, output_size=(5, 6, 7)
    ),
    "max_unpool3d_empty_channels": lambda t, F: F.max_unpool3d(*[v[:, :0] for v in _pooled3(t)], 2),
    "max_unpool3d_last_bad_index": lambda t, F: F.max_unpool3d(*_bad_index(t, 3), 2),
    "max_unpool2d_last_bad_index": lambda t, F: F.max_unpool2d(*_bad_index(t, 2), 2),
    "max_unpool2d_indices_int": lambda t, F: F.max_unpool2d(
        _bad_index(t, 2)[0], _bad_index(t, 2)[1].int(), 2
    ),
    "max_unpool2d_long": lambda t, F: F.max_unpool2d(
        _bad_index(t, 2)[0].long(), _bad_index(t, 2)[1], 2
    ),
    "max_unpool2d_empty_channels": lambda t, F: F.max_unpool2d(
        *[v[:, :0] for v in _bad_index(t, 2)], 2
    ),
    "lp_pool3d_kernel_len": lambda t, F: F.lp_pool3d(_x(t, 1, 2, 4, 4, 4), 2, (1, 2)),
    "lp_pool3d_4d_kernel_too_big": lambda t, F: F.lp_pool3d(_x(t, 2, 3, 5, 6, 7), 2, 9),
    "lp_pool3d_3d_input": lambda t, F: F.lp_pool3d(_x(t, 5, 6, 7), 2, 2),
    "conv2d_bool": lambda t, F: F.conv2d(
        _x(t, 1, 3, 5, 5, dt="bool"), _x(t, 2, 3, 3, 3, dt="bool")
    ),
    "conv3d_bool": lambda t, F: F.conv3d(
        _x(t, 1, 3, 2, 5, 5, dt="bool"), _x(t, 2, 3, 1, 3, 3, dt="bool")
    ),
    "conv1d_bool_long_weight": lambda t, F: F.conv1d(
        _x(t, 1, 3, 5, dt="bool"), _x(t, 2, 3, 3, dt="int64")
    ),
    "conv2d_long_float_weight": lambda t, F: F.conv2d(
        _x(t, 1, 3, 5, 5, dt="int64"), _x(t, 2, 3, 3, 3)
    ),
    "conv2d_float_long_weight": lambda t, F: F.conv2d(
        _x(t, 1, 3, 5, 5), _x(t, 2, 3, 3, 3, dt="int64")
    ),
    "conv2d_float_double_weight": lambda t, F: F.conv2d(
        _x(t, 1, 3, 5, 5), _x(t, 2, 3, 3, 3, dt="float64")
    ),
    "conv2d_bfloat16_float_weight": lambda t, F: F.conv2d(
        _x(t, 1, 3, 5, 5, dt="bfloat16"), _x(t, 2, 3, 3, 3)
    ),
    "conv2d_half_float_weight": lambda t, F: F.conv2d(
        _x(t, 1, 3, 5, 5, dt="float16"), _x(t, 2, 3, 3, 3)
    ),
    "conv2d_long_int_weight": lambda t, F: F.conv2d(
        _x(t, 1, 3, 5, 5, dt="int64"), _x(t, 2, 3, 3, 3, dt="int32")
    ),
    "conv2d_long_float_bias": lambda t, F: F.conv2d(
        _x(t, 1, 3, 5, 5, dt="int64"), _x(t, 2, 3, 3, 3), _x(t, 2)
    ),
    "conv2d_float_double_bias": lambda t, F: F.conv2d(
        _x(t, 1, 3, 5, 5), _x(t, 2, 3, 3, 3), _x(t, 2, dt="float64")
    ),
    "Conv2d_long_input": lambda t, F: t.nn.Conv2d(3, 4, 3)(_x(t, 1, 3, 5, 5, dt="int64")),
    "conv2d_groups_divisible": lambda t, F: F.conv2d(
        _x(t, 1, 4, 5, 5), _x(t, 3, 2, 3, 3), groups=2
    ),
    "conv2d_groups_at_least": lambda t, F: F.conv2d(_x(t, 1, 5, 5, 5), _x(t, 4, 1, 3, 3), groups=5),
    "conv_transpose2d_int": lambda t, F: F.conv_transpose2d(
        _x(t, 1, 2, 4, 4, dt="int32"), _x(t, 2, 3, 3, 3, dt="int32")
    ),
    "conv_transpose1d_uint8": lambda t, F: F.conv_transpose1d(
        _x(t, 1, 2, 4, dt="uint8"), _x(t, 2, 3, 3, dt="uint8")
    ),
    "conv_transpose3d_bool": lambda t, F: F.conv_transpose3d(
        _x(t, 1, 2, 2, 4, 4, dt="bool"), _x(t, 2, 3, 1, 3, 3, dt="bool")
    ),
    "conv_transpose2d_long_float_bias": lambda t, F: F.conv_transpose2d(
        _x(t, 1, 2, 4, 4, dt="int64"), _x(t, 2, 3, 3, 3, dt="int64"), _x(t, 3)
    ),
    "conv_transpose2d_float_long_weight": lambda t, F: F.conv_transpose2d(
        _x(t, 1, 2, 4, 4), _x(t, 2, 3, 3, 3, dt="int64")
    ),
}

#: name -> fn(torch) giving a module's repr
REPRS: dict[str, Any] = {
    "MaxUnpool3d": lambda t: t.nn.MaxUnpool3d(2),
    "MaxUnpool3d_args": lambda t: t.nn.MaxUnpool3d((2, 1, 2), stride=1, padding=(0, 1, 0)),
    "LPPool3d": lambda t: t.nn.LPPool3d(2, 3),
    "LPPool3d_args": lambda t: t.nn.LPPool3d(1.5, (2, 3, 1), stride=2, ceil_mode=True),
    "FractionalMaxPool2d": lambda t: t.nn.FractionalMaxPool2d(2, output_size=3),
    "FractionalMaxPool3d": lambda t: t.nn.FractionalMaxPool3d(2, output_ratio=0.5),
}


def inputs(torch: Any, specs: list) -> list:
    rng = np.random.default_rng(0)
    out = []
    for kind, shape, dt in specs:
        if kind == "x":
            v = rng.standard_normal(shape)
        elif kind == "u":
            v = rng.uniform(0.0, 1.0, shape)
        else:
            v = rng.integers(-20 if dt != "uint8" else 0, 60, shape)
        t = torch.tensor(v, dtype=getattr(torch, dt))
        out.append(t.requires_grad_() if kind == "x" else t)
    return out


def _values(t: Any) -> list:
    return np.asarray(t.detach().double().tolist() if t.is_floating_point() else t.tolist())


def run_case(torch: Any, name: str) -> dict:
    specs, fn = CASES[name]
    xs = inputs(torch, specs)
    out = fn(torch, torch.nn.functional, *xs)
    res: dict = {}
    if isinstance(out, tuple):
        out, idx = out
        res["indices"] = np.asarray(idx.tolist()).ravel().tolist()
    res.update(
        shape=list(out.shape),
        dtype=str(out.dtype).split(".")[-1],
        grad_fn=type(out.grad_fn).__name__ if out.grad_fn is not None else None,
        out=np.nan_to_num(_values(out), nan=1e300).ravel().tolist(),
    )
    if out.requires_grad:
        g = np.random.default_rng(1).standard_normal(tuple(out.shape))
        (out * torch.tensor(g, dtype=out.dtype)).sum().backward()
        res["grads"] = [_values(x.grad).ravel().tolist() for x in xs if x.requires_grad]
    return res


def run_error(torch: Any, name: str) -> dict:
    try:
        ERRORS[name](torch, torch.nn.functional)
    except Exception as e:  # noqa: BLE001 - the exception is the recorded answer
        return {"error": type(e).__name__, "message": str(e).replace("jitgrad.", "torch.")}
    return {"error": None}


def run_repr(torch: Any, name: str) -> str:
    return repr(REPRS[name](torch))
