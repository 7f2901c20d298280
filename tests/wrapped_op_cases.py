"""OpInfo-style rows for the elementwise ops with their own argument handling (issue 14:
their public names are generated from the declaration's ``front`` hook and dtype data):
``div``'s ``rounding_mode``, ``fmod``/``remainder``'s integer zero divisor, the ``bitwise_*``
dtype rules, ``polygamma``'s order, ``nan_to_num``'s replacements and ``logit``'s ``eps``.

Each row is ``(name, fn)`` with ``fn(T)`` run against a module ``T`` (real PyTorch in
tests/fixtures/make_wrapped_ops_torch.py, jitgrad in tests/test_wrapped_ops.py). A row returns
``(result, leaf)`` (``leaf`` None when nothing requires grad); :func:`run_row` turns it into
the value, dtype, grad_fn name and the leaf's gradient after ``result.sum().backward()``, or
the ``[type, message]`` of what it raised.
"""

from __future__ import annotations

from typing import Any

INF, NAN = float("inf"), float("nan")
FLOATS = [-7.5, -3.0, -2.5, -0.0, 0.0, 1.0, 2.5, 3.0, 7.25, INF, -INF, NAN]
DIVISORS = [2.0, -2.0, 0.0, -0.0, 1.5, -1.5, 3.0, INF, 0.5, 2.0, -INF, 1.0]
INTS = [-7, -3, -2, 0, 1, 2, 3, 7, 9, -9, 5, -5]
INT_DIVISORS = [2, -2, 3, -3, 5, 1, -1, 2, 4, -4, 3, 7]


def _f(T: Any, values: list, dtype: str = "float32", grad: bool = False):
    return T.tensor(values, dtype=getattr(T, dtype), requires_grad=grad)


def _grad_row(op: Any, dtype: str = "float32"):
    """``op(T, leaf)`` over a float leaf that requires grad."""

    def fn(T: Any):
        leaf = _f(T, FLOATS, dtype, grad=True)
        return op(T, leaf), leaf

    return fn


def _value_row(op: Any):
    return lambda T: (op(T), None)


def _inplace_row(op: Any, values: list = FLOATS, dtype: str = "float32"):
    """``op(T, x)`` on a non-leaf copy of a leaf that requires grad: the node and gradient."""

    def fn(T: Any):
        leaf = _f(T, values, dtype, grad=True)
        x = leaf * 1
        op(T, x)
        return x, leaf

    return fn


def _div_rows() -> list:
    rows = []
    for mode in (None, "trunc", "floor"):
        for dtype in ("float32", "float64"):
            rows.append(
                (
                    f"div_{mode}_{dtype}",
                    _grad_row(
                        lambda T, x, m=mode, d=dtype: T.div(x, _f(T, DIVISORS, d), rounding_mode=m),
                        dtype,
                    ),
                )
            )
        rows += [
            (
                f"div_{mode}_int",
                _value_row(
                    lambda T, m=mode: T.div(
                        _f(T, INTS, "int64"), _f(T, INT_DIVISORS, "int64"), rounding_mode=m
                    )
                ),
            ),
            (
                f"div_{mode}_int_scalar",
                _value_row(lambda T, m=mode: T.div(_f(T, INTS, "int32"), -3, rounding_mode=m)),
            ),
            (
                f"div_{mode}_int_zero",
                _value_row(
                    lambda T, m=mode: T.div(
                        _f(T, INTS, "int64"), _f(T, [0] * 12, "int64"), rounding_mode=m
                    )
                ),
            ),
            (
                f"div_{mode}_int_scalar_zero",
                _value_row(lambda T, m=mode: _f(T, INTS, "int16").div(0, rounding_mode=m)),
            ),
            (
                f"div_{mode}_float_scalar_zero",
                _grad_row(lambda T, x, m=mode: T.div(x, 0.0, rounding_mode=m)),
            ),
            (
                f"div__{mode}",
                _inplace_row(lambda T, x, m=mode: x.div_(_f(T, DIVISORS), rounding_mode=m)),
            ),
            (
                f"div__{mode}_int_zero",
                _value_row(lambda T, m=mode: _f(T, INTS, "int64").div_(0, rounding_mode=m)),
            ),
        ]
    rows += [
        ("div_bad_mode", _value_row(lambda T: T.div(_f(T, FLOATS), 2.0, rounding_mode="round"))),
        ("divide_floor", _value_row(lambda T: T.divide(_f(T, FLOATS), 2.0, rounding_mode="floor"))),
        ("true_divide_int", _value_row(lambda T: T.true_divide(_f(T, INTS, "int64"), 4))),
    ]
    return rows


def _remainder_rows() -> list:
    rows = []
    for name in ("fmod", "remainder"):
        rows += [
            (f"{name}_float", _grad_row(lambda T, x, n=name: getattr(T, n)(x, _f(T, DIVISORS)))),
            (
                f"{name}_float_tt",
                _grad_row(lambda T, x, n=name: getattr(T, n)(_f(T, DIVISORS[::-1]), x)),
            ),
            (f"{name}_float_scalar", _grad_row(lambda T, x, n=name: getattr(T, n)(x, -2.5))),
            (f"{name}_float_zero", _grad_row(lambda T, x, n=name: getattr(T, n)(x, 0.0))),
            (
                f"{name}_int",
                _value_row(
                    lambda T, n=name: getattr(T, n)(
                        _f(T, INTS, "int64"), _f(T, INT_DIVISORS, "int64")
                    )
                ),
            ),
            (
                f"{name}_int_scalar",
                _value_row(lambda T, n=name: getattr(T, n)(_f(T, INTS, "int32"), -4)),
            ),
            (
                f"{name}_int_zero",
                _value_row(
                    lambda T, n=name: getattr(T, n)(
                        _f(T, INTS, "int64"), _f(T, [3] * 11 + [0], "int64")
                    )
                ),
            ),
            (
                f"{name}_int_scalar_zero",
                _value_row(lambda T, n=name: getattr(T, n)(_f(T, INTS, "int64"), 0)),
            ),
            (f"{name}_method", _grad_row(lambda T, x, n=name: getattr(x, n)(3.0))),
            (f"{name}_", _inplace_row(lambda T, x, n=name: getattr(x, n + "_")(_f(T, DIVISORS)))),
            (
                f"{name}__int_zero",
                _value_row(lambda T, n=name: getattr(_f(T, INTS, "int64"), n + "_")(0)),
            ),
        ]
    rows.append(("mod_int_zero", _value_row(lambda T: _f(T, INTS, "int64") % 0)))
    return rows


BOOLS = [True, False, True, True, False, False, True, False, True, False, True, False]


def _bitwise_rows() -> list:
    rows = []
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        rows += [
            (
                f"{name}_bool",
                _value_row(
                    lambda T, n=name: getattr(T, n)(
                        _f(T, BOOLS, "bool"), _f(T, BOOLS[::-1], "bool")
                    )
                ),
            ),
            (
                f"{name}_int",
                _value_row(
                    lambda T, n=name: getattr(T, n)(
                        _f(T, INTS, "int64"), _f(T, INT_DIVISORS, "int64")
                    )
                ),
            ),
            (
                f"{name}_int8_scalar",
                _value_row(lambda T, n=name: getattr(T, n)(_f(T, INTS, "int8"), 6)),
            ),
            (
                f"{name}_bool_int",
                _value_row(
                    lambda T, n=name: getattr(T, n)(_f(T, BOOLS, "bool"), _f(T, INTS, "int32"))
                ),
            ),
            (
                f"{name}_float",
                _value_row(lambda T, n=name: getattr(T, n)(_f(T, FLOATS), _f(T, FLOATS))),
            ),
            (
                f"{name}_double_int",
                _value_row(
                    lambda T, n=name: getattr(T, n)(_f(T, INTS, "int64"), _f(T, FLOATS, "float64"))
                ),
            ),
            (
                f"{name}_int_float_scalar",
                _value_row(lambda T, n=name: getattr(T, n)(_f(T, INTS, "int64"), 2.5)),
            ),
            (f"{name}_method", _value_row(lambda T, n=name: getattr(_f(T, INTS, "int16"), n)(3))),
        ]
    rows += [
        ("and_operator", _value_row(lambda T: _f(T, INTS, "int64") & _f(T, INT_DIVISORS, "int64"))),
        ("xor_operator_float", _value_row(lambda T: _f(T, FLOATS) ^ _f(T, FLOATS))),
    ]
    return rows


#: no poles (0, -1, -2 ...): PyTorch's and jitgrad's finite stand-ins for inf differ there
OFF_POLES = [-7.5, -2.5, -1.5, -0.5, 0.5, 1.0, 2.5, 3.0, 7.25, INF, -INF, NAN]
POSITIVE = [0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.5, 7.0, 10.0, 25.0, 100.0]


def _polygamma_rows() -> list:
    rows = []
    for n in range(4):
        for dtype in ("float32", "float64"):
            rows.append(
                (
                    f"polygamma_{n}_{dtype}",
                    lambda T, n=n, d=dtype: _leaf_op(T, POSITIVE, d, lambda x: T.polygamma(n, x)),
                )
            )
        rows += [
            (
                f"polygamma_{n}_method",
                lambda T, n=n: _leaf_op(T, POSITIVE, "float64", lambda x: x.polygamma(n)),
            ),
            (
                f"polygamma_{n}_special",
                _value_row(lambda T, n=n: T.special.polygamma(n, _f(T, OFF_POLES))),
            ),
            (f"polygamma_{n}_", _inplace_row(lambda T, x, n=n: x.polygamma_(n), POSITIVE)),
        ]
    rows += [
        ("polygamma_int_input", _value_row(lambda T: T.polygamma(1, _f(T, [1, 2, 3], "int64")))),
        ("polygamma_negative", _value_row(lambda T: T.polygamma(-1, _f(T, POSITIVE)))),
        ("polygamma_float_order", _value_row(lambda T: T.polygamma(1.5, _f(T, POSITIVE)))),
        ("polygamma_bool_order", _value_row(lambda T: T.polygamma(True, _f(T, POSITIVE)))),
        ("polygamma_method_float_order", _value_row(lambda T: _f(T, POSITIVE).polygamma(2.0))),
    ]
    return rows


def _leaf_op(T: Any, values: list, dtype: str, op: Any):
    leaf = _f(T, values, dtype, grad=True)
    return op(leaf), leaf


def _nan_to_num_rows() -> list:
    rows = []
    for dtype in ("float32", "float64"):
        for kw in (
            {},
            {"nan": 1.5},
            {"posinf": 9.0},
            {"neginf": -4.0},
            {"nan": -1.0, "posinf": 2.0, "neginf": -2.0},
            {"posinf": 5.0, "neginf": -7.0},
        ):
            key = "_".join(f"{k}{v}" for k, v in kw.items()) or "defaults"
            rows.append(
                (
                    f"nan_to_num_{dtype}_{key}",
                    _grad_row(lambda T, x, kw=kw: T.nan_to_num(x, **kw), dtype),
                )
            )
    rows += [
        ("nan_to_num_int", _value_row(lambda T: T.nan_to_num(_f(T, INTS, "int64"), posinf=1.0))),
        ("nan_to_num_method", _grad_row(lambda T, x: x.nan_to_num(nan=3.0, neginf=0.0))),
        ("nan_to_num_", _inplace_row(lambda T, x: x.nan_to_num_(2.0, 8.0, -8.0))),
    ]
    return rows


PROBS = [-0.5, 0.0, 1e-8, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0, 1.5]


def _logit_rows() -> list:
    rows = []
    for eps in (None, 0.0, 1e-6, 0.1, 0.25, 0.6):
        for dtype in ("float32", "float64"):
            rows.append(
                (
                    f"logit_{eps}_{dtype}",
                    lambda T, e=eps, d=dtype: _leaf_op(T, PROBS, d, lambda x: T.logit(x, e)),
                )
            )
        rows += [
            (
                f"logit_{eps}_method",
                lambda T, e=eps: _leaf_op(T, PROBS, "float32", lambda x: x.logit(eps=e)),
            ),
            (
                f"logit_{eps}_special",
                _value_row(lambda T, e=eps: T.special.logit(_f(T, PROBS), eps=e)),
            ),
            (f"logit__{eps}", _inplace_row(lambda T, x, e=eps: x.logit_(e), PROBS)),
        ]
    rows.append(("logit_int", _value_row(lambda T: T.logit(_f(T, [0, 1, 2], "int64"), 0.25))))
    return rows


ROWS: list = (
    _div_rows()
    + _remainder_rows()
    + _bitwise_rows()
    + _polygamma_rows()
    + _nan_to_num_rows()
    + _logit_rows()
)


def run_row(T: Any, fn: Any) -> dict:
    """What a row gives under ``T``: value, dtype, grad_fn and gradient, or the error."""
    try:
        out, leaf = fn(T)
        row = {"value": out.detach().tolist(), "dtype": str(out.dtype).split(".")[-1]}
        row["grad_fn"] = type(out.grad_fn).__name__ if out.grad_fn is not None else None
        if leaf is not None and out.requires_grad:
            out.sum().backward()
            row["grad"] = leaf.grad.tolist() if leaf.grad is not None else None
        return row
    except Exception as err:  # noqa: BLE001 - recording whatever is raised
        return {"error": [type(err).__name__, str(err)]}


def same(got: object, want: object, rtol: float) -> bool:
    """Equal values: bit for bit (the sign of zero included, a NaN's sign not) when ``rtol``
    is 0, else within ``rtol``."""
    import numpy as np

    a = np.asarray(got, dtype=np.float64)
    b = np.asarray(want, dtype=np.float64)
    if a.shape != b.shape or not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    if rtol == 0.0:
        signs = np.signbit(a[~np.isnan(a)]) == np.signbit(b[~np.isnan(b)])
        return bool(np.array_equal(a, b, equal_nan=True) and signs.all())
    return bool(np.allclose(a, b, rtol=rtol, atol=0.0, equal_nan=True))


def assert_row(got: dict, want: dict, rtol: float) -> None:
    """A row as jitgrad ran it against PyTorch's record (:func:`run_row`'s dicts)."""
    if "error" in want:
        assert got.get("error") == want["error"]
        return
    assert "error" not in got, got["error"]
    assert (got["dtype"], got["grad_fn"]) == (want["dtype"], want["grad_fn"])
    assert same(got["value"], want["value"], rtol)
    assert ("grad" in got) == ("grad" in want)
    if "grad" in want:
        assert same(got["grad"], want["grad"], rtol)


def record_rows(rows: list, path: Any) -> None:
    """PyTorch's answers to ``rows`` written to ``path`` (the fixtures' make_*_torch.py)."""
    import json

    import torch

    data = {"torch": torch.__version__, "rows": {name: run_row(torch, fn) for name, fn in rows}}
    with open(path, "w") as f:
        json.dump(data, f, indent=0, sort_keys=True)


def row_params(rows: list, known: dict[str, str]) -> list:
    """pytest params of a recorded-row table: a row in ``known`` (where jitgrad still differs
    from PyTorch, name -> why) is a strict xfail, so a fix shows up."""
    import pytest  # here: the recorders import this module in a venv without pytest

    xfail = pytest.mark.xfail
    return [
        pytest.param(name, fn, id=name, marks=[xfail(strict=True, reason=known[name])])
        if name in known
        else pytest.param(name, fn, id=name)
        for name, fn in rows
    ]


def check_row(T: Any, fn: Any, want: dict, approximate: bool) -> None:
    """One row against PyTorch's recorded answer: bit for bit, or (``approximate``: series or
    libm values that need not round as PyTorch's) to a relative tolerance by dtype."""
    rtol = (4e-6 if want.get("dtype", "") == "float32" else 1e-12) if approximate else 0.0
    assert_row(run_row(T, fn), want, rtol)
