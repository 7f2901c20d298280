"""OpInfo-style rows for the integer ops and special in-place forms generated from their
declarations in session 11 (issue 14): ``bitwise_not``, ``bitwise_left_shift`` /
``bitwise_right_shift`` with ``<<``/``>>`` and ``<<=``/``>>=``, ``floor_divide`` with ``//`` and
``//=``, and the in-place forms of the special functions (``lgamma_``, ``atan2_`` ...).

Rows run against a module ``T`` (PyTorch in tests/fixtures/make_special_forms_torch.py,
jitgrad in tests/test_special_forms.py) through :func:`wrapped_op_cases.run_row`: value,
dtype, grad_fn name and gradient, or the error's type and message. Dtypes int8, int32,
int64, uint8, bool, float32, float64; broadcasting, 0-d, empty, in place, ``out=``.
"""

from __future__ import annotations

from typing import Any

from float_form_cases import ROWS as FLOAT_FORM_ROWS
from wrapped_op_cases import _f, _grad_row, _inplace_row, _value_row

DTYPES = ("int8", "int32", "int64", "uint8", "bool", "float32", "float64")
#: values that fit every dtype above (bool: nonzero is True; uint8: no negatives)
SMALL = {
    "int8": [-7, -3, -1, 0, 1, 2, 5, 100],
    "int32": [-70000, -3, -1, 0, 1, 2, 5, 123456],
    "int64": [-(2**40), -3, -1, 0, 1, 2, 5, 2**40],
    "uint8": [0, 1, 2, 5, 7, 100, 200, 255],
    "bool": [True, False, True, True, False, False, True, False],
    "float32": [-7.5, -3.0, -1.0, -0.0, 1.0, 2.5, 5.0, 100.0],
    "float64": [-7.5, -3.0, -1.0, -0.0, 1.0, 2.5, 5.0, 100.0],
}
#: shift counts: negative, zero, inside and past each width (bool and uint8: no negatives)
COUNTS = {
    "int8": [-1, 0, 1, 3, 7, 8, 9, 63],
    "int32": [-1, 0, 1, 3, 31, 32, 33, 63],
    "int64": [-1, 0, 1, 3, 62, 63, 64, 100],
    "uint8": [0, 1, 3, 7, 8, 9, 63, 200],
    "bool": [True, False, True, False, True, False, True, False],
    "float32": [1.0, 0.0, 2.0, 3.0, 1.0, 0.0, 2.0, 3.0],
    "float64": [1.0, 0.0, 2.0, 3.0, 1.0, 0.0, 2.0, 3.0],
}
DIVISORS = {
    "int8": [2, -2, 3, -3, 5, 1, -1, 7],
    "int32": [2, -2, 3, -3, 5, 1, -1, 7],
    "int64": [2, -2, 3, -3, 5, 1, -1, 7],
    "uint8": [2, 1, 3, 4, 5, 1, 7, 9],
    "bool": [True] * 8,
    "float32": [2.0, -2.0, 0.0, -0.0, 1.5, -1.5, 3.0, float("inf")],
    "float64": [2.0, -2.0, 0.0, -0.0, 1.5, -1.5, 3.0, float("inf")],
}


def _t(T: Any, table: dict, dtype: str):
    return _f(T, table[dtype], dtype)


def _not_rows() -> list:
    rows = []
    for dt in DTYPES:
        rows += [
            (f"bitwise_not_{dt}", _value_row(lambda T, d=dt: T.bitwise_not(_t(T, SMALL, d)))),
            (f"invert_{dt}", _value_row(lambda T, d=dt: ~_t(T, SMALL, d))),
            (f"bitwise_not_method_{dt}", _value_row(lambda T, d=dt: _t(T, SMALL, d).bitwise_not())),
            (f"bitwise_not__{dt}", _value_row(lambda T, d=dt: _t(T, SMALL, d).bitwise_not_())),
        ]
    rows += [
        ("bitwise_not_0d", _value_row(lambda T: T.bitwise_not(T.tensor(5, dtype=T.int16)))),
        ("bitwise_not_empty", _value_row(lambda T: T.bitwise_not(T.zeros(0, 3, dtype=T.int8)))),
        ("bitwise_not_out", _value_row(lambda T: _out(T, T.bitwise_not, "int64", SMALL["int64"]))),
        (
            "bitwise_not_out_bool",
            _value_row(lambda T: _out(T, T.bitwise_not, "bool", SMALL["bool"])),
        ),
        ("bitwise_not_grad_history", _not_history),
    ]
    return rows


def _out(T: Any, fn: Any, dtype: str, *operands: list):
    """``fn(*operands, out=o)`` into an ``o`` of the wrong size (resized, as PyTorch)."""
    o = T.empty(0, dtype=getattr(T, dtype))
    res = fn(*(_f(T, x, dtype) for x in operands), out=o)
    assert res is o
    return o


def _not_history(T: Any):
    """An integer in-place op keeps a float tensor's history elsewhere in the graph."""
    leaf = _f(T, [1.0, 2.0], "float32", grad=True)
    y = leaf * 2
    k = T.tensor([1, 2])
    k.bitwise_not_()
    return y * k, leaf


def _shift_rows() -> list:
    rows = []
    for name, sym in (("bitwise_left_shift", "<<"), ("bitwise_right_shift", ">>")):
        for dt in DTYPES:
            rows += [
                (
                    f"{name}_{dt}",
                    _value_row(
                        lambda T, d=dt, n=name: getattr(T, n)(_t(T, SMALL, d), _t(T, COUNTS, d))
                    ),
                ),
                (
                    f"{name}_operator_{dt}",
                    _value_row(lambda T, d=dt, s=sym: _op(s, _t(T, SMALL, d), _t(T, COUNTS, d))),
                ),
                (
                    f"{name}_scalar_{dt}",
                    _value_row(lambda T, d=dt, n=name: getattr(_t(T, SMALL, d), n)(3)),
                ),
                (
                    f"{name}__{dt}",
                    _value_row(
                        lambda T, d=dt, n=name: getattr(_t(T, SMALL, d), n + "_")(_t(T, COUNTS, d))
                    ),
                ),
                (
                    f"{name}_ioperator_{dt}",
                    _value_row(lambda T, d=dt, s=sym: _iop(s, _t(T, SMALL, d), 2)),
                ),
            ]
        rows += [
            (
                f"{name}_broadcast",
                _value_row(
                    lambda T, n=name: getattr(T, n)(
                        _f(T, [[1], [-8], [100]], "int32"), _f(T, [0, 1, 2, 40], "int64")
                    )
                ),
            ),
            (
                f"{name}_0d",
                _value_row(
                    lambda T, n=name: getattr(T, n)(
                        T.tensor(-9, dtype=T.int8), T.tensor(2, dtype=T.int8)
                    )
                ),
            ),
            (
                f"{name}_empty",
                _value_row(lambda T, n=name: getattr(T, n)(T.zeros(2, 0, dtype=T.int32), 1)),
            ),
            (
                f"{name}_reflected",
                _value_row(lambda T, s=sym: _op(s, 3, _f(T, [0, 1, 2, 65], "int64"))),
            ),
            (
                f"{name}_out",
                _value_row(
                    lambda T, n=name: _out(
                        T, getattr(T, n), "int32", SMALL["int32"], COUNTS["int32"]
                    )
                ),
            ),
            (
                f"{name}_float_scalar",
                _value_row(lambda T, n=name: getattr(T, n)(_f(T, [1, 2], "int64"), 1.5)),
            ),
            (
                f"{name}_bool_int",
                _value_row(
                    lambda T, n=name: getattr(T, n)(_t(T, SMALL, "bool"), _t(T, COUNTS, "int8"))
                ),
            ),
            (
                f"{name}__widening",
                _value_row(
                    lambda T, n=name: getattr(_f(T, [1, 2], "int8"), n + "_")(
                        _f(T, [1, 2], "int64")
                    )
                ),
            ),
        ]
    return rows


def _op(sym: str, a: Any, b: Any) -> Any:
    return a << b if sym == "<<" else a >> b


def _iop(sym: str, a: Any, b: Any) -> Any:
    if sym == "<<":
        a <<= b
    else:
        a >>= b
    return a


def _floor_rows() -> list:
    rows = []
    for dt in DTYPES:
        rows += [
            (
                f"floor_divide_{dt}",
                _value_row(lambda T, d=dt: T.floor_divide(_t(T, SMALL, d), _t(T, DIVISORS, d))),
            ),
            (
                f"floordiv_operator_{dt}",
                _value_row(lambda T, d=dt: _t(T, SMALL, d) // _t(T, DIVISORS, d)),
            ),
            (
                f"floor_divide__{dt}",
                _value_row(lambda T, d=dt: _t(T, SMALL, d).floor_divide_(_t(T, DIVISORS, d))),
            ),
            (
                f"floor_divide_zero_{dt}",
                _value_row(lambda T, d=dt: T.floor_divide(_t(T, SMALL, d), 0)),
            ),
        ]
    rows += [
        ("floor_divide_grad", _grad_row(lambda T, x: T.floor_divide(x, 2.0))),
        ("floor_divide_method_grad", _grad_row(lambda T, x: x.floor_divide(x * 0 + 3.0))),
        ("floordiv_grad", _grad_row(lambda T, x: x // 2.0)),
        ("rfloordiv_grad", _grad_row(lambda T, x: 7.0 // x)),
        ("floor_divide__grad", _inplace_row(lambda T, x: x.floor_divide_(2.0))),
        ("ifloordiv_grad", _inplace_row(lambda T, x: _ifloordiv(x, 2.0))),
        (
            "floor_divide_broadcast",
            _value_row(
                lambda T: T.floor_divide(
                    _f(T, [[7], [-7], [9]], "int64"), _f(T, [2, -3, 4], "int32")
                )
            ),
        ),
        ("floor_divide_0d", _value_row(lambda T: T.floor_divide(T.tensor(-7.5), T.tensor(2.0)))),
        ("floor_divide_empty", _value_row(lambda T: T.floor_divide(T.zeros(0, dtype=T.int64), 3))),
        (
            "floor_divide_out",
            _value_row(
                lambda T: _out(T, T.floor_divide, "int64", SMALL["int64"], DIVISORS["int64"])
            ),
        ),
        (
            "floor_divide_int_zero_tensor",
            _value_row(lambda T: T.floor_divide(_f(T, [1, 2], "int64"), _f(T, [1, 0], "int64"))),
        ),
        ("floor_divide__int_zero", _value_row(lambda T: _f(T, [1, 2], "int32").floor_divide_(0))),
    ]
    return rows


def _ifloordiv(x: Any, other: Any) -> Any:
    x //= other
    return x


POSITIVE = [0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.5]
MIXED = [-2.5, -1.0, -0.25, 0.0, 0.5, 1.0, 2.0, 7.0]


def _special_inplace_rows() -> list:
    rows = []
    for name, values in (
        ("lgamma", POSITIVE),
        ("digamma", POSITIVE),
        ("erfinv", [-0.9, -0.5, -0.1, 0.0, 0.1, 0.3, 0.5, 0.9]),
        ("i0", MIXED),
        ("sinc", MIXED),
        ("deg2rad", MIXED),
        ("rad2deg", MIXED),
    ):
        for dt in ("float32", "float64"):
            rows.append(
                (
                    f"{name}__{dt}",
                    _inplace_row(lambda T, x, n=name: getattr(x, n + "_")(), values, dt),
                )
            )
        rows.append(
            (
                f"{name}__int",
                _value_row(lambda T, n=name: getattr(_f(T, [1, 2], "int64"), n + "_")()),
            )
        )
    for name in ("copysign", "xlogy", "hypot", "atan2", "arctan2"):
        for dt in ("float32", "float64"):
            rows.append(
                (
                    f"{name}__{dt}",
                    _inplace_row(
                        lambda T, x, n=name, d=dt: getattr(x, n + "_")(_f(T, MIXED[::-1], d)),
                        POSITIVE,
                        dt,
                    ),
                )
            )
        rows += [
            (
                f"{name}__scalar",
                _inplace_row(lambda T, x, n=name: getattr(x, n + "_")(2.0), POSITIVE),
            ),
            (
                f"{name}__broadcast",
                _value_row(
                    lambda T, n=name: getattr(_f(T, [[1.0], [2.0]], "float64"), n + "_")(
                        _f(T, [1.0], "float64")
                    )
                ),
            ),
            (
                f"{name}__int",
                _value_row(
                    lambda T, n=name: getattr(_f(T, [1, 2], "int64"), n + "_")(
                        _f(T, [3, 4], "int64")
                    )
                ),
            ),
        ]
    return rows


INF, NAN = float("inf"), float("nan")
NON_FINITE = [NAN, INF, -INF, -0.0, 1.5, -2.5, 3.4e38, -1e-45]


def _nan_to_num_rows() -> list:
    rows = []
    for dt in DTYPES:
        values = NON_FINITE if dt.startswith("float") else SMALL[dt]
        rows += [
            (f"nan_to_num_{dt}", _value_row(lambda T, d=dt, v=values: T.nan_to_num(_f(T, v, d)))),
            (
                f"nan_to_num_kw_{dt}",
                _value_row(
                    lambda T, d=dt, v=values: _f(T, v, d).nan_to_num(
                        nan=1.0, posinf=2.0, neginf=-3.0
                    )
                ),
            ),
            (
                f"nan_to_num__{dt}",
                _value_row(lambda T, d=dt, v=values: _f(T, v, d).nan_to_num_(7.0, None, -9.0)),
            ),
            (
                f"nan_to_num_out_{dt}",
                _value_row(lambda T, d=dt, v=values: _out(T, T.nan_to_num, d, v)),
            ),
        ]
    rows += [
        ("nan_to_num_grad_sided", _grad_row(lambda T, x: T.nan_to_num(x, posinf=5.0, neginf=-7.0))),
        ("nan_to_num__grad_sided", _inplace_row(lambda T, x: x.nan_to_num_(1.0, 5.0, -7.0))),
        ("nan_to_num_0d", _value_row(lambda T: T.nan_to_num(T.tensor(float("nan")), nan=4.0))),
        ("nan_to_num_empty", _value_row(lambda T: T.nan_to_num(T.zeros(0, 2)))),
        ("nan_to_num_half", _value_row(lambda T: T.nan_to_num(_f(T, NON_FINITE[:3], "float16")))),
        (
            "nan_to_num_complex",
            _value_row(
                lambda T: T.view_as_real(
                    T.nan_to_num(
                        T.tensor([complex(NAN, INF), complex(-INF, 1.0), 2 + 3j]), posinf=1.0
                    )
                )
            ),
        ),
        (
            "nan_to_num_complex_grad",
            _value_row(lambda T: T.nan_to_num(T.tensor([1 + 1j], requires_grad=True))),
        ),
        ("nan_to_num_not_tensor", _value_row(lambda T: T.nan_to_num(1.5))),
        (
            "nan_to_num_function_inplace",
            _value_row(lambda T: T.nan_to_num_(_f(T, NON_FINITE, "float64"))),
        ),
    ]
    return rows


def _logic_inplace_rows() -> list:
    """``bitwise_and_``/``or_``/``xor_``: generated with the other in-place forms."""
    rows = []
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        for dt in ("int8", "uint8", "int64", "bool", "float32"):
            rows.append(
                (
                    f"{name}__{dt}",
                    _value_row(
                        lambda T, n=name, d=dt: getattr(_t(T, SMALL, d), n + "_")(_t(T, COUNTS, d))
                    ),
                )
            )
        rows += [
            (
                f"{name}__widening",
                _value_row(
                    lambda T, n=name: getattr(_t(T, SMALL, "bool"), n + "_")(_t(T, SMALL, "int8"))
                ),
            ),
            (
                f"{name}__scalar",
                _value_row(lambda T, n=name: getattr(_t(T, SMALL, "int32"), n + "_")(6)),
            ),
        ]
    return rows


ROWS: list = (
    _not_rows()
    + _shift_rows()
    + _floor_rows()
    + _special_inplace_rows()
    + _nan_to_num_rows()
    + _logic_inplace_rows()
    + FLOAT_FORM_ROWS
)
