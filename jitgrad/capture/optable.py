"""What capture can record: one row per op, forward code and the derivative of each input.

A row maps an op as the user calls it onto the interpreter's codes (:mod:`.interp`):
``forward`` is the code that computes it; ``grads`` has one entry per tensor input, the
backward code and which operand it reads (``"a"``/``"b"``: the inputs, ``"out"``: the result,
``"c"``: the op's constants). The backward codes are the declared derivatives of
:mod:`jitgrad.ops.elementwise`, so a captured step computes what the eager one does.

Ops whose backward is not elementwise (sums, means, softmax, stack, unbind, select) are written out
in :mod:`.tape`; their rows here name no grads.
"""

from __future__ import annotations

from typing import NamedTuple


class Row(NamedTuple):
    forward: str
    #: per tensor input: (backward code, operand it reads or None, a second operand or None)
    grads: tuple[tuple[str, str | None, str | None], ...]
    #: node name eager gives the op (what explain reports)
    node: str


def _r(forward: str, node: str, *grads: tuple) -> Row:
    return Row(forward, tuple((*g, None)[:3] for g in grads), node)


#: op -> row. "…c" ops take one Python number as their second operand (``x * 2``), "r…c" ops
#: as their first (``2 - x``).
TABLE: dict[str, Row] = {
    "add": _r("add", "AddBackward0", ("b_g", None), ("b_g", None)),
    "sub": _r("sub", "SubBackward0", ("b_g", None), ("b_neg", None)),
    "mul": _r("mul", "MulBackward0", ("b_mul", "b"), ("b_mul", "a")),
    "div": _r("div", "DivBackward0", ("b_diva", "b"), ("b_divb", "a", "b")),
    "addc": _r("addc", "AddBackward0", ("b_g", None)),
    "subc": _r("subc", "SubBackward0", ("b_g", None)),
    "mulc": _r("mulc", "MulBackward0", ("b_mulc", "c")),
    "divc": _r("divc", "DivBackward0", ("b_divc", "c")),
    "rsubc": _r("rsubc", "RsubBackward1", ("b_neg", None)),
    "add_scaled": _r("add_scaled", "AddBackward0", ("b_g", None), ("b_mulc", "c")),
    "sub_scaled": _r("sub_scaled", "SubBackward0", ("b_g", None), ("b_negc", "c")),
    "neg": _r("neg", "NegBackward0", ("b_neg", None)),
    "exp": _r("exp", "ExpBackward0", ("b_exp", "out")),
    "log": _r("log", "LogBackward0", ("b_log", "a")),
    "tanh": _r("tanh", "TanhBackward0", ("b_tanh", "out")),
    "sigmoid": _r("sigmoid", "SigmoidBackward0", ("b_sigmoid", "out")),
    "relu": _r("relu", "ReluBackward0", ("b_relu", "out")),
    "softplus": _r("softplus", "SoftplusBackward0", ("b_softplus", "a")),
    "reciprocal": _r("reciprocal", "ReciprocalBackward0", ("b_reciprocal", "out")),
    "square": _r("square", "PowBackward0", ("b_square", "a")),
    "cube": _r("cube", "PowBackward0", ("b_cube", "a")),
    "powc": _r("powc", "PowBackward0", ("b_powc", "a")),
    "rpowc": _r("rpowc", "PowBackward2", ("b_rpowc", "out", "a")),
    "sqrt": _r("sqrt", "SqrtBackward0", ("b_sqrt", "out")),
    "rsqrt": _r("rsqrt", "RsqrtBackward0", ("b_rsqrt", "out")),
    "abs": _r("abs", "AbsBackward0", ("b_abs", "a")),
    "clamp": _r("clamp", "ClampBackward1", ("b_clamp", "a")),
    "maximum": _r("maximum", "MaximumBackward0", ("b_maxa", "a", "b"), ("b_maxb", "a", "b")),
    "minimum": _r("minimum", "MinimumBackward0", ("b_mina", "a", "b"), ("b_minb", "a", "b")),
    "sin": _r("sin", "SinBackward0", ("b_sin", "a")),
    "cos": _r("cos", "CosBackward0", ("b_cos", "a")),
    "log1p": _r("log1p", "Log1PBackward0", ("b_log1p", "a")),
    "expm1": _r("expm1", "Expm1Backward0", ("b_expm1", "out")),
    "sum": _r("sum", "SumBackward0"),
    "sum_dim": _r("sum", "SumBackward1"),
    "mean": _r("mean", "MeanBackward0"),
    "mean_dim": _r("mean", "MeanBackward1"),
    "softmax": _r("softmax", "SoftmaxBackward0"),
    "mse_loss": _r("mean", "MseLossBackward0"),
    "stack": _r("copy", "StackBackward0"),
    "unbind": _r("copy", "UnbindBackward0"),
    "select": _r("copy", "SelectBackward0"),
}

#: binary op -> its form with a Python number as the second operand
WITH_NUMBER = {"add": "addc", "sub": "subc", "mul": "mulc", "div": "divc"}
