"""What the elementwise calls record, and the tables of every handler :mod:`.trace` installs.

An elementwise op becomes one forward row over its operands' slots (a Python number operand
goes into the constants, cast to the tape's dtype as the eager kernel casts it) and a node
whose backward rows are :mod:`.optable`'s. Operands have one shape, or one of them holds a
single element (a scalar parameter, ``x * w`` with ``w`` 0-d), spread into a full copy that
the rows read; its gradient is summed as the eager kernels sum it. Other broadcasting stops the
recording.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..frontend.lazy_order import epilogue_sum
from ..frontend.tensor import Tensor
from ..nn._functional_activation import SELU_ALPHA, SELU_SCALE
from . import record as R
from . import record_conv as RC
from . import record_embedding as RE
from . import record_host as RH
from . import record_layout as RL
from . import record_mask as RK
from . import record_matmul as RM
from . import record_norm as RN
from .optable import AUTOMATIC, TABLE, WITH_NUMBER
from .record import _node, _number, _out, slot_of
from .tape import Slot, Unsupported


def _elementwise(rec: Any, op: str, out: Any, a: Any, b: Any = None, consts: tuple = ()) -> Slot:
    """One elementwise op ``op`` (a table name) whose result is ``out``."""
    if not isinstance(out, Tensor):
        raise Unsupported("a result that is not a tensor")
    sa = slot_of(rec, a)
    tape = rec.tape
    if b is None:
        inputs = [sa]
    elif isinstance(b, Tensor):
        inputs = [sa, slot_of(rec, b)]
    elif _number(b) and op in WITH_NUMBER:
        op = WITH_NUMBER[op]
        consts = (b,)
        inputs = [sa]
    else:
        raise Unsupported(f"{op} with an operand of type {type(b).__name__}")
    sums = epilogue_sum(out)  # (before its value is read: that computes the chain)
    shape = out._value.shape
    n = out._value.size
    reads = []  # where the rows read each operand: a broadcast one from a spread copy
    for s in inputs:
        if s.shape != shape:
            reads.append(_spread(rec, s, shape, n, inputs))
        else:
            reads.append(s.off)
    c = tape.const(*[tape.dtype.np.type(v) for v in consts]) if consts else 0
    s = _out(rec, out)
    s.sums = sums
    tape.row(TABLE[op].forward, s.off, reads[0], reads[1] if len(reads) > 1 else 0, n=n, c=c)
    _node(rec, op, out, inputs, [s], c, reads)
    return s


def _spread(rec: Any, s: Slot, shape: tuple, n: int, inputs: list) -> int:
    """Where the rows read an operand broadcast to ``shape``: a one-element one spread by a
    row (its gradient summed as eager's kernel sums it), or one outside the graph (an
    attention's bias) copied broadcast by a host call (no gradient to reduce)."""
    tape = rec.tape
    spread = tape.alloc(n)
    if s.n == 1 and n != 1:
        tape.row("b_sum", spread, s.off, n=n)  # its one value at every position
        return spread
    if s.rg or n == 1 or np.broadcast_shapes(s.shape, shape) != shape:
        raise Unsupported(f"broadcasting {' with '.join(str(i.shape) for i in inputs)}")

    def copy(arena: Any, args: tuple) -> None:
        np.copyto(arena[spread : spread + n].reshape(shape), np.broadcast_to(RH._view(arena, s),
                                                                             shape))  # fmt: skip

    tape.host(copy)
    return spread


def binary(op: str):
    """``a op b``; ``add``/``sub`` also with ``alpha=`` (``a + alpha * b`` in one node)."""

    def handler(rec: Any, out: Any, a: Any, b: Any, *, alpha: Any = 1, **kw: Any) -> None:
        if out is NotImplemented:
            return
        if kw:
            raise Unsupported(f"keyword arguments {sorted(kw)}")
        if alpha == 1:
            _elementwise(rec, op, out, a, b)
        elif op in ("add", "sub") and _number(alpha) and isinstance(b, Tensor):
            _elementwise(rec, f"{op}_scaled", out, a, b, (alpha,))
        else:
            raise Unsupported(f"{op} with alpha={alpha!r} and a {type(b).__name__}")

    return handler


def rsub(rec: Any, out: Any, a: Any, b: Any) -> None:
    """``number - x`` (``x.__rsub__(number)``): one RsubBackward1 node."""
    if out is NotImplemented:
        return
    if not _number(b):
        raise Unsupported(f"{type(b).__name__} - tensor")
    _elementwise(rec, "rsubc", out, a, None, (b,))


def clamp(rec: Any, out: Any, a: Any, min: Any = None, max: Any = None) -> None:  # noqa: A002
    """``clamp`` of a float tensor between numbers (a missing bound is an infinity, as the
    eager op runs it)."""
    if not all(v is None or _number(v) for v in (min, max)) or (min is None and max is None):
        raise Unsupported("clamp with tensor bounds")
    lo = -math.inf if min is None else min
    hi = math.inf if max is None else max
    _elementwise(rec, "clamp", out, a, None, (lo, hi))


def unary(op: str):
    def handler(rec: Any, out: Any, a: Any, *rest: Any, **kw: Any) -> None:
        if rest or any(v for k, v in kw.items()):  # relu(x, inplace=False) is fine
            raise Unsupported("extra arguments")
        _elementwise(rec, op, out, a)

    return handler


def softplus(rec: Any, out: Any, a: Any, beta: Any = 1.0, threshold: Any = 20.0) -> None:
    if not (_number(beta) and _number(threshold)):
        raise Unsupported("a tensor beta or threshold")
    _elementwise(rec, "softplus", out, a, None, (beta, threshold))


def gelu(rec: Any, out: Any, a: Any, approximate: Any = "none") -> None:
    """``F.gelu``: the erf form, or the tanh approximation (a declaration each, as eager)."""
    _elementwise(rec, "gelu_tanh" if approximate == "tanh" else "gelu", out, a)


def activation(op: str, numbers: Any = None):
    """An ``nn.functional`` activation with number parameters: ``numbers(*params)`` gives
    the constants eager passes its declaration (``elu``'s ``(alpha, 1.0)``); ``inplace=True``
    is not captured (the in-place node differs)."""

    def handler(rec: Any, out: Any, a: Any, *params: Any, inplace: Any = False,
                **kw: Any) -> None:  # fmt: skip
        if params and type(params[-1]) is bool:  # inplace passed by position
            *params, inplace = params  # type: ignore[assignment]
        if inplace is not False:
            raise Unsupported(f"{op} with inplace={inplace!r}")
        given = (*params, *kw.values())
        if not all(_number(p) for p in given):
            raise Unsupported(f"{op} with a parameter that is not a number")
        consts = numbers(*params, **kw) if numbers is not None else ()
        _elementwise(rec, op, out, a, None, tuple(float(v) for v in consts))

    return handler


def rtruediv(rec: Any, out: Any, a: Any, b: Any) -> None:
    """``number / x``: eager computes ``reciprocal(x) * number`` (two nodes, as PyTorch)."""
    if out is NotImplemented:
        return
    if not _number(b):
        raise Unsupported(f"{type(b).__name__} / tensor")
    sa = slot_of(rec, a)
    tape = rec.tape
    mid = Slot(tape.alloc(sa.n), sa.n, sa.shape)
    tape.row("reciprocal", mid.off, sa.off, n=sa.n)
    fn = out.grad_fn
    if fn is not None:
        inner = fn.next_functions[0][0]
        rec.nodes_by_fn[id(inner)] = tape.node("reciprocal", [sa], [mid])
        rec.keep.append(inner)
    c = tape.const(tape.dtype.np.type(b))
    s = _out(rec, out)
    tape.row("mulc", s.off, mid.off, n=sa.n, c=c)
    if fn is not None:
        _node(rec, "mulc", out, [mid], [s], c)


def power(rec: Any, out: Any, a: Any, b: Any) -> None:
    """``x ** number`` (``x * x`` for 2, ``x * x * x`` for 3, as eager runs them) and
    ``number ** x`` (``torch.pow(2, x)``)."""
    if out is NotImplemented:
        return
    if _number(a) and isinstance(b, Tensor):
        _elementwise(rec, "rpowc", out, b, None, (a,))
    elif not _number(b):
        raise Unsupported(f"x ** {type(b).__name__} (only a number exponent)")
    elif b == 2 or b == 3:
        _elementwise(rec, "square" if b == 2 else "cube", out, a)
    else:
        _elementwise(rec, "powc", out, a, None, (b,))


def rpow(rec: Any, out: Any, a: Any, b: Any) -> None:
    """``number ** x`` (``x.__rpow__(number)``)."""
    power(rec, out, b, a)


_ELEMENTWISE_UNARY = (
    "exp", "log", "tanh", "sigmoid", "relu", "neg", "sqrt", "rsqrt", "abs", "sin", "cos",
    "log1p", "expm1",
)  # fmt: skip
_BINARY = ("add", "sub", "mul", "div", "maximum", "minimum")


def _declared(methods: bool) -> dict[str, Any]:
    """A handler under each ``torch.*`` name (each Tensor method, with ``methods``) of the
    declared ops :mod:`.optable` captures under their own name: a new declaration is
    captured with no edit here."""
    return {alias: (unary if op.arity == 1 else binary)(name)
            for name, op in AUTOMATIC.items() if op.method or not methods
            for alias in op.torch}  # fmt: skip


METHODS: dict[str, Any] = {
    **_declared(methods=True),
    **{f"__{n}__": binary(n) for n in ("add", "sub", "mul")},
    **{n: binary(n) for n in _BINARY},
    "__radd__": binary("add"), "__rmul__": binary("mul"), "__truediv__": binary("div"),
    "__rsub__": rsub, "__rtruediv__": rtruediv, "__neg__": unary("neg"), "__pow__": power,
    "__rpow__": rpow, "pow": power, "clamp": clamp, "clip": clamp, "abs": unary("abs"),
    "__abs__": unary("abs"), "square": lambda rec, out, a: power(rec, out, a, 2),
    **{n: unary(n) for n in _ELEMENTWISE_UNARY},
    "sum": R.total, "mean": R.average, "softmax": R.softmax, "unbind": R.unbind,
    "__iter__": R.iterate,
    "__getitem__": R.select, "detach": R.detach, "backward": R.backward,
    "view": R.reshaping("view"), "reshape": R.reshaping("view"),
    "flatten": R.reshaping("view"), "unsqueeze": R.reshaping("unsqueeze"),
    "__isub__": R.inplace("sub"), "__iadd__": R.inplace("add"), "__imul__": R.inplace("mul"),
    "sub_": R.inplace("sub"), "add_": R.inplace("add"), "mul_": R.inplace("mul"),
    "zero_": lambda rec, out, a: R.inplace("fill")(rec, out, a),
    **RH.METHODS,
    **RL.METHODS,
    **RM.METHODS,
    **RK.METHODS,
}  # fmt: skip
FUNCTIONS: dict[str, Any] = {
    **_declared(methods=False),
    **{n: binary(n) for n in _BINARY},
    **{n: unary(n) for n in _ELEMENTWISE_UNARY},
    "pow": power, "clamp": clamp, "clip": clamp,
    "square": lambda rec, out, a: power(rec, out, a, 2),
    "sum": R.total, "mean": R.average, "softmax": R.softmax, "stack": R.stack, "detach": R.detach,
    "zeros": R.zeros, "ones": R.ones,
    "reshape": R.reshaping("view"), "flatten": R.reshaping("view"),
    "unsqueeze": R.reshaping("unsqueeze"),
    **RH.METHODS,
    **RL.FUNCTIONS,
    **RM.FUNCTIONS,
    **RK.FUNCTIONS,
}  # fmt: skip
NN: dict[str, Any] = {
    "softplus": softplus, "softmax": R.softmax, "mse_loss": R.mse_loss, "relu": unary("relu"),
    "sigmoid": unary("sigmoid"), "tanh": unary("tanh"), "gelu": gelu,
    "silu": activation("silu"), "mish": activation("mish"),
    "logsigmoid": activation("log_sigmoid"),
    "leaky_relu": activation("leaky_relu", lambda negative_slope=0.01: (negative_slope,)),
    "elu": activation("elu", lambda alpha=1.0: (alpha, 1.0)),
    "celu": activation("celu", lambda alpha=1.0: (alpha, 1.0 / alpha)),
    "selu": activation("selu", lambda: (SELU_ALPHA * SELU_SCALE, SELU_SCALE)),
    "hardtanh": activation("hardtanh", lambda min_val=-1.0, max_val=1.0: (min_val, max_val)),
    "relu6": activation("hardtanh", lambda: (0.0, 6.0)),
    **RH.NN,
    **RC.NN,
    **RE.NN,
    **RN.NN,
    "scaled_dot_product_attention": RK.inline,
}  # fmt: skip
