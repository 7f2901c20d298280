"""OpInfo-style rows for the last hand-written elementwise forms, declared in session 12
(issue 14): ``ldexp``, ``mvlgamma``, ``heaviside``, ``float_power``, ``gcd``/``lcm`` and
``nextafter`` with their methods, in-place forms and ``out=``. Part of
tests/special_form_cases.py's table (recorded by tests/fixtures/make_special_forms_torch.py):
value, dtype, grad_fn name and gradient, or the error's type and message.
"""

from __future__ import annotations

from typing import Any

from wrapped_op_cases import _f, _inplace_row, _leaf_op, _value_row

INF, NAN = float("inf"), float("nan")
#: mantissas and integer exponents at the edges: below float32's subnormals (rounded once),
#: past its largest exponent with a small mantissa, negative (PyTorch's gradient is 0
#: there) and at and past int64's sign bit
SCALED = [3.0, 0.75, 1.5, -2.5, 1.0, 1.0, 7.0, -0.0, NAN, INF]
EXPONENTS = [-150, 128, -1, 3, 63, 64, 0, 5, 2, -3]
WHOLE = [-3.0, 2.0, 0.0, 1.0, 10.0, -1.0, 4.0, 5.0, 2.0, -3.0]
FRACTIONS = [0.5, -0.25, 1.75, -3.5, 0.1, 2.3, -1.1, 0.0, 7.9, -0.6]
#: per exponent dtype: negative, below, at and past the sign bit (uint8: no sign)
NARROW = {
    "int8": [-1, 6, 7, 8, 9, 0, 1, 2, 3, 4],
    "int32": [-1, 30, 31, 32, 33, 0, 1, 2, 3, 4],
    "uint8": [0, 6, 7, 8, 9, 1, 200, 2, 3, 4],
}


def _ldexp_rows() -> list:
    rows = []
    for dt in ("float32", "float64"):
        rows += [
            (
                f"ldexp_{dt}",
                lambda T, d=dt: _leaf_op(
                    T, SCALED, d, lambda x: T.ldexp(x, _f(T, EXPONENTS, "int64"))
                ),
            ),
            (
                f"ldexp_whole_{dt}",
                lambda T, d=dt: _leaf_op(T, WHOLE, d, lambda e: T.ldexp(_f(T, SCALED, d), e)),
            ),
            (
                f"ldexpfrac_{dt}",
                lambda T, d=dt: _leaf_op(T, FRACTIONS, d, lambda e: T.ldexp(_f(T, WHOLE, d), e)),
            ),
            (
                f"ldexpfrac_input_{dt}",
                lambda T, d=dt: _leaf_op(T, WHOLE, d, lambda x: T.ldexp(x, _f(T, FRACTIONS, d))),
            ),
        ]
    for dt, exps in NARROW.items():
        rows.append(
            (
                f"ldexp_exp_{dt}",
                lambda T, d=dt, e=exps: _leaf_op(
                    T, [1.0] * 10, "float32", lambda x: T.ldexp(x, _f(T, e, d))
                ),
            )
        )
    rows += [
        (
            "ldexp_int_int",
            _value_row(lambda T: T.ldexp(_f(T, [3, -2, 0], "int64"), _f(T, [1, -2, 3], "int64"))),
        ),
        (
            "ldexp_half",
            _value_row(lambda T: T.ldexp(_f(T, [1.5, 3.0], "float16"), _f(T, [2, -30], "int64"))),
        ),
        ("ldexp_f32_f64", _value_row(lambda T: T.ldexp(_f(T, [1.5]), _f(T, [2.0], "float64")))),
        ("ldexp_int8_float", _value_row(lambda T: T.ldexp(_f(T, [3], "int8"), _f(T, [2.0])))),
        ("ldexp_number", _value_row(lambda T: T.ldexp(_f(T, [1.5]), 2))),
        ("ldexp_bool_exponent", _value_row(lambda T: T.ldexp(_f(T, [1.5]), _f(T, [True], "bool")))),
        (
            "ldexp_method",
            lambda T: _leaf_op(T, SCALED, "float32", lambda x: x.ldexp(_f(T, EXPONENTS, "int32"))),
        ),
        ("ldexp__", _inplace_row(lambda T, x: x.ldexp_(_f(T, EXPONENTS, "int64")), SCALED)),
        ("ldexp__float", _inplace_row(lambda T, x: x.ldexp_(_f(T, WHOLE)), SCALED)),
        (
            "ldexp__int_self",
            _value_row(lambda T: _f(T, [1, 2], "int64").ldexp_(_f(T, [1, 2], "int64"))),
        ),
        (
            "ldexp_broadcast",
            _value_row(lambda T: T.ldexp(_f(T, [[1.5], [-3.0]]), _f(T, [0, 1, 2], "int64"))),
        ),
        ("ldexp_0d", _value_row(lambda T: T.ldexp(T.tensor(1.5), T.tensor(4)))),
        ("ldexp_empty", _value_row(lambda T: T.ldexp(T.zeros(0, 2), T.zeros(0, 2, dtype=T.int64)))),
        (
            "ldexp_out",
            _value_row(
                lambda T: _out2(T, T.ldexp, _f(T, [1.5, 2.0]), _f(T, [3, -1], "int64"), "float32")
            ),
        ),
    ]
    return rows


def _out2(T: Any, fn: Any, a: Any, b: Any, dtype: str):
    o = T.empty(0, dtype=getattr(T, dtype))
    res = fn(a, b, out=o)
    assert res is o
    return o


ABOVE = [0.6, 1.0, 1.5, 2.0, 2.5, 3.25, 4.0, 7.5, 10.0, 25.0]


def _mvlgamma_rows() -> list:
    rows = []
    for p in (1, 2, 3):
        for dt in ("float32", "float64"):
            rows.append(
                (
                    f"mvlgamma_{p}_{dt}",
                    lambda T, p=p, d=dt: _leaf_op(
                        T, [v + p for v in ABOVE], d, lambda x: T.mvlgamma(x, p)
                    ),
                )
            )
        rows += [
            (
                f"mvlgamma_{p}_method",
                lambda T, p=p: _leaf_op(
                    T, [v + p for v in ABOVE], "float64", lambda x: x.mvlgamma(p=p)
                ),
            ),
            (
                f"mvlgamma_{p}_special",
                _value_row(lambda T, p=p: T.special.multigammaln(_f(T, [v + p for v in ABOVE]), p)),
            ),
            (
                f"mvlgamma__{p}",
                _inplace_row(lambda T, x, p=p: x.mvlgamma_(p), [v + p for v in ABOVE]),
            ),
        ]
    rows += [
        ("mvlgamma_int", _value_row(lambda T: T.mvlgamma(_f(T, [2, 3], "int64"), 1))),
        ("mvlgamma__int", _value_row(lambda T: _f(T, [2, 3], "int64").mvlgamma_(1))),
        ("mvlgamma_p0", _value_row(lambda T: T.mvlgamma(_f(T, ABOVE), 0))),
        ("mvlgamma_float_p", _value_row(lambda T: T.mvlgamma(_f(T, ABOVE), 2.0))),
        ("mvlgamma_low", _value_row(lambda T: T.mvlgamma(_f(T, [0.4, 0.5, 0.6, 1.0]), 2))),
        ("mvlgamma_out", _value_row(lambda T: _mvl_out(T))),
    ]
    return rows


def _mvl_out(T: Any):
    o = T.empty(0)
    assert T.mvlgamma(_f(T, ABOVE), 2, out=o) is o
    return o


STEPS = [-2.0, -0.0, 0.0, NAN, 1.5, 0.0, -7.0, 3.0, INF, -INF]
STEP_VALUES = [0.5, 0.25, -1.0, 2.0, 7.0, 0.5, 0.5, 0.5, 0.5, 0.5]


def _heaviside_rows() -> list:
    rows = []
    for dt in ("float32", "float64"):
        rows.append(
            (
                f"heaviside_{dt}",
                _value_row(lambda T, d=dt: T.heaviside(_f(T, STEPS, d), _f(T, STEP_VALUES, d))),
            )
        )
    rows += [
        (
            "heaviside_int",
            _value_row(lambda T: T.heaviside(_f(T, [-3, 0, 5], "int64"), _f(T, [7], "int64"))),
        ),
        (
            "heaviside_uint8",
            _value_row(lambda T: T.heaviside(_f(T, [0, 3], "uint8"), _f(T, [9, 9], "uint8"))),
        ),
        (
            "heaviside_bool",
            _value_row(lambda T: T.heaviside(_f(T, [True, False], "bool"), _f(T, [False], "bool"))),
        ),
        (
            "heaviside_broadcast",
            _value_row(lambda T: T.heaviside(_f(T, [[0.0], [1.0]]), _f(T, [3.0, 4.0]))),
        ),
        ("heaviside_0d", _value_row(lambda T: T.heaviside(T.tensor(0.0), T.tensor(2.5)))),
        (
            "heaviside_mixed",
            _value_row(lambda T: T.heaviside(_f(T, [1.0, 0.0]), _f(T, [2.0], "float64"))),
        ),
        (
            "heaviside_int_float",
            _value_row(lambda T: T.heaviside(_f(T, [1, 0], "int64"), _f(T, [1.0]))),
        ),
        (
            "heaviside_complex",
            _value_row(lambda T: T.heaviside(T.tensor([1 + 1j]), T.tensor([1j]))),
        ),
        ("heaviside_number", _value_row(lambda T: T.heaviside(_f(T, [1.0]), 2.0))),
        (
            "heaviside_grad",
            lambda T: _leaf_op(T, STEPS, "float32", lambda x: T.heaviside(x, _f(T, STEP_VALUES))),
        ),
        (
            "heaviside_values_grad",
            lambda T: _leaf_op(T, STEP_VALUES, "float32", lambda v: T.heaviside(_f(T, STEPS), v)),
        ),
        ("heaviside_method", _value_row(lambda T: _f(T, STEPS).heaviside(_f(T, STEP_VALUES)))),
        ("heaviside__", _value_row(lambda T: _f(T, STEPS).heaviside_(_f(T, [0.5])))),
        ("heaviside__grad", _inplace_row(lambda T, x: x.heaviside_(_f(T, STEP_VALUES)), STEPS)),
        (
            "heaviside__broadcast_self",
            _value_row(lambda T: _f(T, [1.0, 0.0]).heaviside_(_f(T, [[1.0], [2.0]]))),
        ),
        (
            "heaviside_out",
            _value_row(
                lambda T: _out2(T, T.heaviside, _f(T, STEPS), _f(T, STEP_VALUES), "float32")
            ),
        ),
    ]
    return rows


BASES = [0.5, 1.5, 2.0, 3.0, 0.25, 4.0, 1.0, 9.0, 2.5, 0.1]
POWERS = [2.0, -1.0, 0.5, 3.0, 1.5, -0.5, 7.0, 0.0, 2.0, 1.0]


def _float_power_rows() -> list:
    rows = [
        (
            "float_power_scalar",
            lambda T: _leaf_op(T, BASES, "float32", lambda x: T.float_power(x, 2)),
        ),
        (
            "float_power_scalar_half",
            lambda T: _leaf_op(T, BASES, "float32", lambda x: T.float_power(x, 0.5)),
        ),
        (
            "float_power_tensors",
            lambda T: _leaf_op(T, BASES, "float32", lambda x: T.float_power(x, _f(T, POWERS))),
        ),
        (
            "float_power_exponent_grad",
            lambda T: _leaf_op(T, POWERS, "float32", lambda e: T.float_power(_f(T, BASES), e)),
        ),
        (
            "float_power_number_base",
            lambda T: _leaf_op(T, POWERS, "float32", lambda e: T.float_power(2, e)),
        ),
        (
            "float_power_f64",
            lambda T: _leaf_op(
                T, BASES, "float64", lambda x: T.float_power(x, _f(T, POWERS, "float64"))
            ),
        ),
        (
            "float_power_int",
            _value_row(
                lambda T: T.float_power(_f(T, [2, 3, -1], "int64"), _f(T, [2, -1, 3], "int64"))
            ),
        ),
        ("float_power_int_scalar", _value_row(lambda T: T.float_power(_f(T, [2], "int32"), 0.5))),
        ("float_power_method", lambda T: _leaf_op(T, BASES, "float32", lambda x: x.float_power(3))),
        ("float_power__", _inplace_row(lambda T, x: x.float_power_(2), BASES, "float64")),
        (
            "float_power__tensor",
            _inplace_row(lambda T, x: x.float_power_(_f(T, POWERS)), BASES, "float64"),
        ),
        ("float_power__float32", _value_row(lambda T: _f(T, BASES).float_power_(2))),
        (
            "float_power_complex",
            _value_row(lambda T: T.view_as_real(T.float_power(T.tensor([1 + 2j, -0.5j]), 2))),
        ),
        (
            "float_power_complex_exponent",
            _value_row(lambda T: T.view_as_real(T.float_power(_f(T, [2.0, 0.5]), 1j))),
        ),
        (
            "float_power__complex",
            _value_row(
                lambda T: T.view_as_real(T.tensor([1 + 2j], dtype=T.complex128).float_power_(2))
            ),
        ),
        (
            "float_power__complex_exponent",
            _value_row(lambda T: _f(T, [2.0], "float64").float_power_(2j)),
        ),
        (
            "float_power_out",
            _value_row(lambda T: _out2(T, T.float_power, _f(T, BASES), _f(T, POWERS), "float64")),
        ),
    ]
    return rows


INTS8 = [-128, -128, 6, -128, 0, 12, -18, 100, -100, 100, 7, 0]
OTHERS8 = [6, 0, -128, -128, 0, 18, 12, 7, 7, 3, 0, 5]
INTS = {
    "int8": (INTS8, OTHERS8),
    "int16": (
        [300, -12, 0, 250, 1024, -32768, 7, 9, 14, 21, 35, 1],
        [45, 18, 5, 300, 96, 6, 0, 3, 21, 14, 10, 1],
    ),
    "int32": (
        [100000, -12, 0, 2**30, 46340, -(2**31), 7, 9, 14, 21, 35, 1],
        [70001, 18, 5, 3, 46341, 6, 0, 3, 21, 14, 10, 1],
    ),
    "int64": (
        [2**40, -12, 0, -(2**63), 2**62, 3, 7, 9, 14, 21, 35, 1],
        [2**30 + 1, 18, 5, 6, 6, 2**62, 0, 3, 21, 14, 10, 1],
    ),
    "uint8": (
        [200, 255, 0, 12, 100, 7, 9, 14, 21, 35, 1, 128],
        [3, 2, 5, 18, 7, 0, 3, 21, 14, 10, 1, 6],
    ),
}


def _gcd_rows() -> list:
    rows = []
    for name in ("gcd", "lcm"):
        for dt, (a, b) in INTS.items():
            rows.append(
                (
                    f"{name}_{dt}",
                    _value_row(
                        lambda T, n=name, d=dt, a=a, b=b: getattr(T, n)(_f(T, a, d), _f(T, b, d))
                    ),
                )
            )
        rows += [
            (
                f"{name}_method",
                _value_row(
                    lambda T, n=name: getattr(_f(T, [6, 4], "int64"), n)(_f(T, [4, 10], "int64"))
                ),
            ),
            (
                f"{name}__",
                _value_row(
                    lambda T, n=name: getattr(_f(T, [6, 4], "int64"), n + "_")(
                        _f(T, [4, 10], "int64")
                    )
                ),
            ),
            (
                f"{name}__narrow_self",
                _value_row(
                    lambda T, n=name: getattr(_f(T, [6, 100], "int8"), n + "_")(
                        _f(T, [4, 300], "int64")
                    )
                ),
            ),
            (
                f"{name}_promote",
                _value_row(
                    lambda T, n=name: getattr(T, n)(_f(T, [5, 4], "int8"), _f(T, [300, 6], "int16"))
                ),
            ),
            (
                f"{name}_bool_int",
                _value_row(
                    lambda T, n=name: getattr(T, n)(
                        _f(T, [True, False], "bool"), _f(T, [3, 4], "int8")
                    )
                ),
            ),
            (
                f"{name}_bool",
                _value_row(
                    lambda T, n=name: getattr(T, n)(_f(T, [True], "bool"), _f(T, [False], "bool"))
                ),
            ),
            (
                f"{name}_float",
                _value_row(lambda T, n=name: getattr(T, n)(_f(T, [1.5]), _f(T, [1], "int64"))),
            ),
            (f"{name}_number", _value_row(lambda T, n=name: getattr(T, n)(_f(T, [6], "int64"), 4))),
            (
                f"{name}__number",
                _value_row(lambda T, n=name: getattr(_f(T, [6], "int64"), n + "_")(4)),
            ),
            (
                f"{name}_broadcast",
                _value_row(
                    lambda T, n=name: getattr(T, n)(
                        _f(T, [[6], [15]], "int64"), _f(T, [4, 10, 0], "int64")
                    )
                ),
            ),
            (f"{name}_0d", _value_row(lambda T, n=name: getattr(T, n)(T.tensor(12), T.tensor(18)))),
            (
                f"{name}_empty",
                _value_row(
                    lambda T, n=name: getattr(T, n)(
                        T.zeros(0, dtype=T.int64), T.zeros(0, dtype=T.int64)
                    )
                ),
            ),
            (
                f"{name}_out",
                _value_row(
                    lambda T, n=name: _out2(
                        T, getattr(T, n), _f(T, [6, 4], "int64"), _f(T, [4, 10], "int64"), "int64"
                    )
                ),
            ),
        ]
    return rows


#: from each float dtype's edges: zeros of both signs, the smallest subnormal, the smallest
#: normal, powers of two (a step down is half a step up), the largest finite, infinities, NaN
TOWARDS = [
    (0.0, 1.0),
    (-0.0, -1.0),
    (0.0, -0.0),
    (-0.0, 0.0),
    (1.0, 2.0),
    (1.0, 0.0),
    (-1.0, 0.0),
    (2.0, -INF),
    (0.5, 0.5),
    (INF, 0.0),
    (-INF, 0.0),
    (NAN, 1.0),
    (1.0, NAN),
    (3.0, INF),
    (1e-45, 0.0),
    (1.1754943508222875e-38, 0.0),
    (3.4028234663852886e38, INF),
    (65504.0, INF),
    (6.1035156e-05, 0.0),
    (5.96e-08, 0.0),
    (-5.0, -4.0),
    (100.0, -100.0),
]


def _nextafter_rows() -> list:
    xs = [x for x, _ in TOWARDS]
    ys = [y for _, y in TOWARDS]
    rows = []
    for dt in ("float16", "bfloat16", "float32", "float64"):
        rows.append(
            (f"nextafter_{dt}", _value_row(lambda T, d=dt: T.nextafter(_f(T, xs, d), _f(T, ys, d))))
        )
    rows += [
        (
            "nextafter_grad",
            lambda T: _leaf_op(T, xs, "float32", lambda x: T.nextafter(x, _f(T, ys))),
        ),
        (
            "nextafter_other_grad",
            lambda T: _leaf_op(T, ys, "float64", lambda y: T.nextafter(_f(T, xs, "float64"), y)),
        ),
        ("nextafter_method", _value_row(lambda T: _f(T, xs).nextafter(_f(T, ys)))),
        ("nextafter__", _inplace_row(lambda T, x: x.nextafter_(_f(T, ys)), xs)),
        (
            "nextafter__f64_other",
            _value_row(lambda T: _f(T, [1.0, 2.0]).nextafter_(_f(T, [2.0, 0.0], "float64"))),
        ),
        (
            "nextafter_promote",
            _value_row(lambda T: T.nextafter(_f(T, [1.0], "float64"), _f(T, [2.0]))),
        ),
        (
            "nextafter_int",
            _value_row(lambda T: T.nextafter(_f(T, [1], "int64"), _f(T, [2], "int64"))),
        ),
        (
            "nextafter_bool",
            _value_row(lambda T: T.nextafter(_f(T, [True], "bool"), _f(T, [False], "bool"))),
        ),
        ("nextafter_number", _value_row(lambda T: T.nextafter(_f(T, [1.0]), 2.0))),
        ("nextafter__number", _value_row(lambda T: _f(T, [1.0]).nextafter_(2.0))),
        (
            "nextafter_broadcast",
            _value_row(lambda T: T.nextafter(_f(T, [[1.0], [-1.0]]), _f(T, [0.0, 5.0]))),
        ),
        ("nextafter_0d", _value_row(lambda T: T.nextafter(T.tensor(1.0), T.tensor(0.0)))),
        (
            "nextafter_out",
            _value_row(lambda T: _out2(T, T.nextafter, _f(T, xs), _f(T, ys), "float32")),
        ),
    ]
    return rows


ROWS: list = (
    _ldexp_rows()
    + _mvlgamma_rows()
    + _heaviside_rows()
    + _float_power_rows()
    + _gcd_rows()
    + _nextafter_rows()
)

ROWS += [
    ("ldexp__number", _value_row(lambda T: _f(T, [1.5]).ldexp_(2))),
    ("heaviside__number", _value_row(lambda T: _f(T, [1.5]).heaviside_(0.5))),
]

#: frexp: zeros of both signs, a subnormal (its gradient overflows float32 as PyTorch's), inf, NaN
SPLIT = [1.5, -3.0, 0.0, INF, NAN, -0.0, 1e-40, 6.0, 0.1, -1e30]
ROWS += [
    *(
        (f"frexp_{dt}", lambda T, d=dt: _leaf_op(T, SPLIT, d, lambda x: T.frexp(x)[0]))
        for dt in ("float32", "float64")
    ),
    ("frexp_exponent", _value_row(lambda T: T.frexp(_f(T, SPLIT, "float64")).exponent)),
    ("frexp_method", lambda T: _leaf_op(T, SPLIT, "float32", lambda x: x.frexp().mantissa)),
    ("frexp_half", _value_row(lambda T: T.frexp(_f(T, [1.5, -3.0, 6e-5], "float16")).mantissa)),
    ("frexp_int", _value_row(lambda T: T.frexp(_f(T, [1, 2], "int64"))[0])),
]

#: igamma_/igammac_: PyTorch has no derivative for the first argument (found by the audit:
#: the in-place forms ran the declaration, whose ``None`` gave no error and no gradient)
_SHAPES = [0.5, 1.0, 2.0, 3.5]
ROWS += (
    [
        (
            f"{n}__grad",
            _inplace_row(
                lambda T, x, n=n: getattr(x, n + "_")(_f(T, [1.0, 0.5, 2.0, 4.0])), _SHAPES
            ),
        )
        for n in ("igamma", "igammac")
    ]
    + [
        (
            f"{n}__other_grad",
            lambda T, n=n: _leaf_op(
                T,
                [1.0, 0.5, 2.0, 4.0],
                "float64",
                lambda y: getattr(_f(T, _SHAPES, "float64"), n + "_")(y),
            ),
        )
        for n in ("igamma", "igammac")
    ]
    + [
        (
            f"{n}__values",
            _value_row(
                lambda T, n=n: getattr(_f(T, _SHAPES), n + "_")(_f(T, [1.0, 0.5, 2.0, 4.0]))
            ),
        )
        for n in ("igamma", "igammac")
    ]
)
