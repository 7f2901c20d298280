"""The tape interpreter: one pre-compiled Numba loop runs a captured step.

A captured program is three arrays: ``ins`` (one row of :data:`WIDTH` int32 per instruction),
``consts`` (its numbers, in the arena's dtype) and the arena (every tensor, gradient and
scratch value of the step, one after another in one flat array). The loop is compiled once
per dtype and cached on disk, so a new graph costs a trace, never a Numba compile.

A row is ``[op, dst, x, y, n, acc, c, aux]``: write ``n`` elements at ``dst`` from operands
at ``x``/``y`` (constants at ``consts[c]``, ``consts[c + 1]``). Backward rows read the incoming
gradient at ``x`` and their operands at ``y`` and ``aux``; with ``acc`` set they add into
``dst`` (``dst + d``: the engine's ``previous + new``), else they assign. Every formula below
is the op declaration's expression (:mod:`jitgrad.ops.elementwise`) as the kernel generator
renders it for this dtype, operation by operation and with the same fast-math helpers, so a
replay rounds exactly as the eager kernels do. Sums and softmax call the reduction kernels'
own bodies (pairwise sums, max-shifted softmax).

The op codes are numbered by :data:`OPS`; :mod:`.optable` maps jitgrad's ops onto them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import types
from numba.extending import overload

from ..kernels.cpu import fastmath as _fm
from ..kernels.cpu import scalar as _k
from ..kernels.cpu.jit import cached_njit
from ..kernels.cpu.reduce_leaves import _NO, _STACK, _pw_sum
from ..kernels.cpu.reduce_softmax import _softmax_bwd_slices, _softmax_slices


def _by_dtype(name: str, f32: Any, f64: Any) -> Any:
    """A function Numba compiles as ``f32`` or ``f64`` by its argument's type (as
    :func:`fastmath.fast_exp` does), not inlined: inlining it at each of the loop's call
    sites trips a Numba SSA warning and slows the compile."""

    def stub(x):  # pragma: no cover - Numba compiles the overload below instead
        raise NotImplementedError

    stub.__name__ = stub.__qualname__ = name

    @overload(stub)
    def _impl(x):
        if x == types.float32:
            return lambda x: f32(x)
        if x == types.float64:
            return lambda x: f64(x)
        return None

    return stub


fast_exp = _by_dtype("fast_exp", _fm.exp32, _fm.exp64)
_tanh = _by_dtype("_tanh", _fm.tanh32, _fm.tanh64)


#: Columns of an instruction row.
WIDTH = 8

#: Op codes, in the order the interpreter tests them (the commonest first).
OPS = (
    # forward, elementwise: dst = f(x[, y]) or f(x, consts[c])
    "add", "sub", "mul", "div", "addc", "subc", "mulc", "divc", "neg", "exp", "log", "tanh",
    "sigmoid", "relu", "softplus", "reciprocal", "square", "copy", "fill",
    # forward, whole-slot
    "sum", "softmax", "sgd",
    # backward: d from gradient x and operands y, aux; dst = d or dst + d
    "b_g", "b_neg", "b_mul", "b_mulc", "b_diva", "b_divb", "b_divc", "b_exp", "b_log",
    "b_tanh", "b_sigmoid", "b_relu", "b_softplus", "b_reciprocal", "b_square", "b_zero",
    "b_sum", "b_softmax",
)  # fmt: skip
CODE = {name: i for i, name in enumerate(OPS)}


@cached_njit(error_model="numpy", nogil=True)
def run(ins, consts, arena):  # noqa: C901 - one flat dispatch loop is the point
    zero = arena.dtype.type(0)
    one = arena.dtype.type(1)
    two = arena.dtype.type(2)
    stack = np.empty(_STACK, arena.dtype)
    for r in range(ins.shape[0]):
        op = ins[r, 0]
        dst = ins[r, 1]
        x = ins[r, 2]
        y = ins[r, 3]
        n = ins[r, 4]
        c = ins[r, 6]
        if op < 19:  # forward elementwise
            for i in range(n):
                a = arena[x + i]
                if op == 0:
                    v = a + arena[y + i]
                elif op == 1:
                    v = a - arena[y + i]
                elif op == 2:
                    v = a * arena[y + i]
                elif op == 3:
                    v = a / arena[y + i]
                elif op == 4:
                    v = a + consts[c]
                elif op == 5:
                    v = a - consts[c]
                elif op == 6:
                    v = a * consts[c]
                elif op == 7:
                    v = a / consts[c]
                elif op == 8:
                    v = -a
                elif op == 9:
                    v = fast_exp(a)
                elif op == 10:
                    v = np.log(a)
                elif op == 11:
                    v = _tanh(a)
                elif op == 12:
                    v = one / (one + fast_exp(-a))
                elif op == 13:
                    v = _k.maximum(a, zero)
                elif op == 14:  # where(a * b > c, a, log1p(exp(a * b)) / b)
                    ab = a * consts[c]
                    v = a if ab > consts[c + 1] else np.log1p(fast_exp(ab)) / consts[c]
                elif op == 15:
                    v = one / a
                elif op == 16:
                    v = a * a
                elif op == 17:
                    v = a
                else:
                    v = consts[c]
                arena[dst + i] = v
        elif op == 19:  # sum: the reduction kernel's pairwise sum
            arena[dst] = _pw_sum(arena, x, n, zero, stack)
        elif op == 20:  # softmax of one contiguous slice
            _softmax_slices(arena[x : x + n], arena[dst : dst + n], 1, n, _NO)
        elif op == 21:  # SGD without momentum or decay: p = p - lr * g (optim kernel's order)
            lr = consts[c]
            for i in range(n):
                arena[dst + i] = arena[dst + i] - lr * arena[x + i]
        elif op == 39:  # softmax backward into dst (assigned; a b_g row routes it)
            _softmax_bwd_slices(arena[x : x + n], arena[y : y + n], arena[dst : dst + n], 1, n, _NO)
        else:  # backward elementwise
            acc = ins[r, 5]
            aux = ins[r, 7]
            for i in range(n):
                if op == 38:  # sum's gradient: the scalar spread
                    g = arena[x]
                else:
                    g = arena[x + i]
                if op == 22 or op == 38:
                    d = g
                elif op == 23:
                    d = -g
                elif op == 24:
                    d = g * arena[y + i]
                elif op == 25:
                    d = g * consts[c]
                elif op == 26:
                    d = g / arena[y + i]
                elif op == 27:  # -g * a / (b * b)
                    b = arena[aux + i]
                    d = ((-g) * arena[y + i]) / (b * b)
                elif op == 28:
                    d = g / consts[c]
                elif op == 29:  # g * out
                    d = g * arena[y + i]
                elif op == 30:  # g / a
                    d = g / arena[y + i]
                elif op == 31:  # g * (1 - out * out)
                    o = arena[y + i]
                    d = g * (one - o * o)
                elif op == 32:  # g * out * (1 - out)
                    o = arena[y + i]
                    d = (g * o) * (one - o)
                elif op == 33:  # where(out <= 0, 0, g)
                    d = zero if arena[y + i] <= zero else g
                elif op == 34:  # where(a * b > c, g, g * exp(a * b) / (exp(a * b) + 1))
                    ab = arena[y + i] * consts[c]
                    d = g if ab > consts[c + 1] else (g * fast_exp(ab)) / (fast_exp(ab) + one)
                elif op == 35:  # -g * out * out
                    o = arena[y + i]
                    d = ((-g) * o) * o
                elif op == 36:  # 2 * g * a
                    d = (two * g) * arena[y + i]
                else:  # 37: no gradient arrived for this element (unbind's zeros)
                    d = zero
                if acc:
                    arena[dst + i] = arena[dst + i] + d
                else:
                    arena[dst + i] = d
