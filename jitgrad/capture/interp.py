"""The tape interpreter: one pre-compiled Numba loop runs a captured step.

A captured program is three arrays: ``ins`` (one row of :data:`WIDTH` int32 per instruction),
``consts`` (its numbers, float64) and the arena (every tensor, gradient and scratch value of
the step, one after another in one flat array). The loop is compiled once per dtype and
cached on disk, so a new graph costs a trace, never a Numba compile.

A row is ``[op, dst, x, y, n, acc, c, aux]``: write ``n`` elements at ``dst`` from operands
at ``x``/``y`` (constants at ``consts[c]``, ``consts[c + 1]``: each rounded to the arena's
dtype when recorded, so reading one back in that dtype is exact; the optimizers' Python-side
numbers stay double, as the eager optimizers compute with them). Backward rows read the incoming
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
from numba import njit, types
from numba.extending import overload

from ..kernels.cpu import fastmath as _fm
from ..kernels.cpu import scalar as _k
from ..kernels.cpu.jit import cached_njit
from ..kernels.cpu.optim import _adam_tensor, _fma
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
_sin = _by_dtype("_sin", _fm.sin32, _fm.sin64)
_cos = _by_dtype("_cos", _fm.cos32, _fm.cos64)


#: Columns of an instruction row.
WIDTH = 8

#: Op codes, in the order the interpreter tests them (the commonest first). The constants
#: below (the names upper-cased) number them for the loop; a test checks they agree.
OPS = (
    # forward, elementwise: dst = f(x[, y]) or f(x, consts[c])
    "add", "sub", "mul", "div", "addc", "subc", "mulc", "divc", "neg", "exp", "log", "tanh",
    "sigmoid", "relu", "softplus", "reciprocal", "square", "copy", "fill", "rsubc", "cube",
    "powc", "rpowc", "sqrt", "rsqrt", "abs", "clamp", "maximum", "minimum", "add_scaled",
    "sub_scaled", "sin", "cos", "log1p", "expm1",
    # forward, whole-slot
    "sum", "mean", "softmax", "sgd", "adam", "b_reduce",
    # backward: d from gradient x and operands y, aux; dst = d or dst + d
    "b_g", "b_neg", "b_mul", "b_mulc", "b_diva", "b_divb", "b_divc", "b_exp", "b_log",
    "b_tanh", "b_sigmoid", "b_relu", "b_softplus", "b_reciprocal", "b_square", "b_zero",
    "b_sum", "b_mean", "b_softmax", "b_negc", "b_cube", "b_powc", "b_rpowc", "b_sqrt", "b_rsqrt",
    "b_abs", "b_clamp", "b_maxa", "b_maxb", "b_mina", "b_minb", "b_sin", "b_cos", "b_log1p",
    "b_expm1",
)  # fmt: skip
CODE = {name: i for i, name in enumerate(OPS)}
(ADD, SUB, MUL, DIV, ADDC, SUBC, MULC, DIVC, NEG, EXP, LOG, TANH, SIGMOID, RELU, SOFTPLUS,
 RECIPROCAL, SQUARE, COPY, FILL, RSUBC, CUBE, POWC, RPOWC, SQRT, RSQRT, ABS, CLAMP, MAXIMUM,
 MINIMUM, ADD_SCALED, SUB_SCALED, SIN, COS, LOG1P, EXPM1,
 SUM, MEAN, SOFTMAX, SGD, ADAM, B_REDUCE,
 B_G, B_NEG, B_MUL, B_MULC, B_DIVA, B_DIVB, B_DIVC, B_EXP, B_LOG, B_TANH, B_SIGMOID, B_RELU,
 B_SOFTPLUS, B_RECIPROCAL, B_SQUARE, B_ZERO, B_SUM, B_MEAN, B_SOFTMAX, B_NEGC, B_CUBE, B_POWC,
 B_RPOWC, B_SQRT, B_RSQRT, B_ABS, B_CLAMP, B_MAXA, B_MAXB, B_MINA, B_MINB, B_SIN, B_COS,
 B_LOG1P, B_EXPM1) = range(len(OPS))  # fmt: skip


#: flags of an SGD row (its ``aux`` column)
SGD_MOMENTUM, SGD_NESTEROV, SGD_MAXIMIZE = 1, 2, 4


@njit(inline="always")
def _blocked_sum(parts, block):
    """The sum a generated backward kernel makes of a broadcast operand's gradient
    (:func:`jitgrad.fusion.codegen._blocked_reduction`): each block of ``block`` summands
    (its ``REDUCE_BLOCK``, which the row carries: a constant baked in here would outlive a
    change there in the disk cache), stored in a fresh array of their dtype, is summed by
    ``fold_sum`` (its pairwise order), and the block sums are added in order in float64."""
    acc = np.float64(0)
    n = parts.shape[0]
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        blk = np.empty(hi - lo, parts.dtype)
        for i in range(hi - lo):
            blk[i] = parts[lo + i]
        acc += _k.fold_sum(blk, np.float64(0))
    return acc


@njit(inline="always")
def _sgd(arena, p, g, buf, n, consts, c, flags):
    """:func:`jitgrad.kernels.cpu.optim.sgd_step` for one parameter whose momentum buffer
    (at ``buf``, when ``flags`` has it) exists: d = (+-g) + wd*p; buf = momentum*buf +
    undamped*d; d = d + momentum*buf (Nesterov) or buf; p = p - lr*d, each a fused
    multiply-add as there. ``consts[c:]``: lr,
    momentum, 1 - dampening, weight decay (rounded to the dtype)."""
    T = arena.dtype.type  # noqa: N806
    lr, momentum, undamped, weight_decay = (T(consts[c]), T(consts[c + 1]),
                                            T(consts[c + 2]), T(consts[c + 3]))  # fmt: skip
    zero = arena.dtype.type(0)
    for i in range(n):
        pj = arena[p + i]
        d = -arena[g + i] if flags & SGD_MAXIMIZE else arena[g + i]
        if weight_decay != zero:
            d = _fma(pj, weight_decay, d)
        if flags & SGD_MOMENTUM:
            b = _fma(d, undamped, arena[buf + i] * momentum)
            arena[buf + i] = b
            d = _fma(b, momentum, d) if flags & SGD_NESTEROV else b
        arena[p + i] = _fma(d, -lr, pj)


@njit(inline="always")
def _adam(arena, consts, p, g, m, v, step, n, c):
    """:func:`jitgrad.kernels.cpu.optim.adam_step` (no amsgrad) for one parameter: the step
    counter, then its step size and bias correction in double as ``optim.Adam`` computes
    them (``consts[c + 7:]``: lr, beta1, beta2, and the exponent 0.5 at run time, so that
    the compiler cannot turn the ``pow`` into a ``sqrt``), then the moments and the update
    by the kernel's body. ``T(consts[c:])``: 1 - beta1, beta2, 1 - beta2, eps, L2 decay, decoupled
    decay, sign."""
    T = arena.dtype.type  # noqa: N806
    one = T(1)
    t = arena[step] + one
    arena[step] = t
    s = np.float64(t)
    step_size = arena.dtype.type(consts[c + 7] / (1.0 - consts[c + 8] ** s))
    bc2 = arena.dtype.type((1.0 - consts[c + 9] ** s) ** consts[c + 10])
    # the kernel's own body; ``sign`` as a double, the type adam_step hands it (its
    # ``one = w1 - w1 + 1`` is float64), so the moments are computed as eager's are
    w1, beta2, w2, eps = T(consts[c]), T(consts[c + 1]), T(consts[c + 2]), T(consts[c + 3])
    wd, decay = T(consts[c + 4]), T(consts[c + 5])
    _adam_tensor(arena[p : p + n], arena[g : g + n], arena[m : m + n], arena[v : v + n],
                 arena[v : v + n], step_size, bc2, consts[c + 6], decay, wd, w1, beta2, w2,
                 eps, t != t)  # fmt: skip


# One long function on purpose (measured when issue 14 tried to split it): helpers inlined per
# element that take the arena cost array reference counting per element (vector rows 3-10x
# slower); helpers per op-code range, each looping over its row, matched on vector rows but cost
# 11.0 instead of 7.8 ns per scalar row on Rogozhnikov's 77,602-row tape.
@cached_njit(error_model="numpy", nogil=True)
def run(ins, consts, arena):  # noqa: C901 - one flat dispatch loop is the point
    T = arena.dtype.type  # noqa: N806 - a constant's value in the arena's dtype: exact
    zero = T(0)
    one = T(1)
    two = T(2)
    three = arena.dtype.type(3)
    half = arena.dtype.type(0.5)
    stack = np.empty(_STACK, arena.dtype)
    for r in range(ins.shape[0]):
        op = ins[r, 0]
        dst = ins[r, 1]
        x = ins[r, 2]
        y = ins[r, 3]
        n = ins[r, 4]
        c = ins[r, 6]
        if op == MUL:  # the commonest rows get loops of their own (a flat loop each, which
            for i in range(n):  # the compiler vectorizes; the generic one is ~20% slower)
                arena[dst + i] = arena[x + i] * arena[y + i]
        elif op == ADD:
            for i in range(n):
                arena[dst + i] = arena[x + i] + arena[y + i]
        elif op == B_MUL or op == B_G:
            if ins[r, 5]:  # acc
                if op == B_MUL:
                    for i in range(n):
                        arena[dst + i] = arena[dst + i] + arena[x + i] * arena[y + i]
                else:
                    for i in range(n):
                        arena[dst + i] = arena[dst + i] + arena[x + i]
            elif op == B_MUL:
                for i in range(n):
                    arena[dst + i] = arena[x + i] * arena[y + i]
            else:
                for i in range(n):
                    arena[dst + i] = arena[x + i]
        elif op < SUM:  # forward elementwise
            for i in range(n):
                a = arena[x + i]
                if op == ADD:
                    v = a + arena[y + i]
                elif op == SUB:
                    v = a - arena[y + i]
                elif op == MUL:
                    v = a * arena[y + i]
                elif op == DIV:
                    v = a / arena[y + i]
                elif op == ADDC:
                    v = a + T(consts[c])
                elif op == SUBC:
                    v = a - T(consts[c])
                elif op == MULC:
                    v = a * T(consts[c])
                elif op == DIVC:
                    v = a / T(consts[c])
                elif op == NEG:
                    v = -a
                elif op == EXP:
                    v = fast_exp(a)
                elif op == LOG:
                    v = np.log(a)
                elif op == TANH:
                    v = _tanh(a)
                elif op == SIGMOID:
                    v = one / (one + fast_exp(-a))
                elif op == RELU:
                    v = _k.maximum(a, zero)
                elif op == SOFTPLUS:  # where(a * b > c, a, log1p(exp(a * b)) / b)
                    ab = a * T(consts[c])
                    v = a if ab > T(consts[c + 1]) else np.log1p(fast_exp(ab)) / T(consts[c])
                elif op == RECIPROCAL:
                    v = one / a
                elif op == SQUARE:
                    v = a * a
                elif op == COPY:
                    v = a
                elif op == FILL:
                    v = T(consts[c])
                elif op == RSUBC:  # number - x
                    v = T(consts[c]) - a
                elif op == CUBE:
                    v = (a * a) * a
                elif op == POWC:  # x ** number
                    v = a ** T(consts[c])
                elif op == RPOWC:  # number ** x
                    v = T(consts[c]) ** a
                elif op == SQRT:
                    v = np.sqrt(a)
                elif op == RSQRT:
                    v = one / np.sqrt(a)
                elif op == ABS:
                    v = abs(a)
                elif op == CLAMP:  # minimum(maximum(a, lo), hi)
                    v = _k.minimum(_k.maximum(a, T(consts[c])), T(consts[c + 1]))
                elif op == MAXIMUM:
                    v = _k.maximum(a, arena[y + i])
                elif op == MINIMUM:
                    v = _k.minimum(a, arena[y + i])
                elif op == ADD_SCALED:  # a + alpha * b
                    v = a + T(consts[c]) * arena[y + i]
                elif op == SUB_SCALED:  # a - alpha * b
                    v = a - T(consts[c]) * arena[y + i]
                elif op == SIN:
                    v = _sin(a)
                elif op == COS:
                    v = _cos(a)
                elif op == LOG1P:
                    v = np.log1p(a)
                else:  # EXPM1
                    v = np.expm1(a)
                arena[dst + i] = v
        elif op == SUM:  # the reduction kernel's pairwise sum (of one row)
            arena[dst] = _pw_sum(arena, x, n, zero, stack)
        elif op == MEAN:  # mean_fwd: the pairwise sum, then one division by the count
            arena[dst] = _pw_sum(arena, x, n, zero, stack) / arena.dtype.type(n)
        elif op == SOFTMAX:  # softmax of one contiguous slice
            _softmax_slices(arena[x : x + n], arena[dst : dst + n], 1, n, _NO)
        elif op == SGD:  # the optimizer kernel's update, operation by operation
            _sgd(arena, dst, x, y, n, consts, c, ins[r, 7])
        elif op == ADAM:
            _adam(arena, consts, dst, x, y, ins[r, 7], ins[r, 5], n, c)
        elif op == B_REDUCE:  # a broadcast operand's gradient: eager's blocked sum into zeros
            d = zero + T(_blocked_sum(arena[x : x + n], ins[r, 7]))
            arena[dst] = arena[dst] + d if ins[r, 5] else d
        elif op == B_SOFTMAX:  # softmax backward into dst (assigned; a b_g row routes it)
            _softmax_bwd_slices(arena[x : x + n], arena[y : y + n], arena[dst : dst + n], 1, n, _NO)
        else:  # backward elementwise
            acc = ins[r, 5]
            aux = ins[r, 7]
            for i in range(n):
                if op == B_SUM:  # sum's gradient: the row's one value spread
                    g = arena[x]
                elif op == B_MEAN:  # mean's: that value / count (eager's ``g / n``)
                    g = arena[x] / arena.dtype.type(n)
                else:
                    g = arena[x + i]
                if op == B_G or op == B_SUM or op == B_MEAN:
                    d = g
                elif op == B_NEG:
                    d = -g
                elif op == B_MUL:
                    d = g * arena[y + i]
                elif op == B_MULC:
                    d = g * T(consts[c])
                elif op == B_DIVA:
                    d = g / arena[y + i]
                elif op == B_DIVB:  # -g * a / (b * b)
                    b = arena[aux + i]
                    d = ((-g) * arena[y + i]) / (b * b)
                elif op == B_DIVC:
                    d = g / T(consts[c])
                elif op == B_EXP:  # g * out
                    d = g * arena[y + i]
                elif op == B_LOG:  # g / a
                    d = g / arena[y + i]
                elif op == B_TANH:  # g * (1 - out * out)
                    o = arena[y + i]
                    d = g * (one - o * o)
                elif op == B_SIGMOID:  # g * out * (1 - out)
                    o = arena[y + i]
                    d = (g * o) * (one - o)
                elif op == B_RELU:  # where(out <= 0, 0, g)
                    d = zero if arena[y + i] <= zero else g
                elif op == B_SOFTPLUS:  # where(a * b > c, g, g * exp(a * b) / (exp(a * b) + 1))
                    ab = arena[y + i] * T(consts[c])
                    d = g if ab > T(consts[c + 1]) else (g * fast_exp(ab)) / (fast_exp(ab) + one)
                elif op == B_RECIPROCAL:  # -g * out * out
                    o = arena[y + i]
                    d = ((-g) * o) * o
                elif op == B_SQUARE:  # 2 * g * a
                    d = (two * g) * arena[y + i]
                elif op == B_ZERO:  # no gradient arrived for this element (unbind's zeros)
                    d = zero
                elif op == B_NEGC:  # -g * c
                    d = (-g) * T(consts[c])
                elif op == B_CUBE:  # 3 * g * a * a
                    a = arena[y + i]
                    d = ((three * g) * a) * a
                elif op == B_POWC:  # where(b == 0, 0, g * b * a ** (b - 1))
                    e = T(consts[c])
                    d = zero if e == zero else (g * e) * (arena[y + i] ** (e - one))
                elif op == B_RPOWC:  # where(logical_and(a == 0, b >= 0), 0, g * out * log(a))
                    base = T(consts[c])
                    z = base == zero and arena[aux + i] >= zero
                    d = zero if z else (g * arena[y + i]) * np.log(base)
                elif op == B_SQRT:  # g / (2 * out)
                    d = g / (two * arena[y + i])
                elif op == B_RSQRT:  # -0.5 * g * out * out * out
                    o = arena[y + i]
                    d = ((((-half) * g) * o) * o) * o
                elif op == B_ABS:  # g * sign(a), torch.sign's 0 at +-0 and NaN (np.sign: -0., nan)
                    a = arena[y + i]
                    d = g * (one if a > zero else (-one if a < zero else zero))
                elif op == B_CLAMP:  # where(logical_and(a >= lo, a <= hi), g, 0)
                    a = arena[y + i]
                    d = g if (a >= T(consts[c]) and a <= T(consts[c + 1])) else zero
                elif op == B_MAXA or op == B_MINA or op == B_MAXB or op == B_MINB:
                    a = arena[y + i]  # where(a == b, g / 2, where(a > b, g, 0)) and kin
                    b = arena[aux + i]
                    if a == b:
                        d = g / two
                    elif op == B_MAXA:
                        d = g if a > b else zero
                    elif op == B_MINA:
                        d = g if a < b else zero
                    elif op == B_MAXB:
                        d = g if b > a else zero
                    else:
                        d = g if b < a else zero
                elif op == B_SIN:  # g * cos(a)
                    d = g * _cos(arena[y + i])
                elif op == B_COS:  # -g * sin(a)
                    d = (-g) * _sin(arena[y + i])
                elif op == B_LOG1P:  # g / (a + 1)
                    d = g / (arena[y + i] + one)
                else:  # B_EXPM1: g * (out + 1)
                    d = g * (arena[y + i] + one)
                if acc:
                    arena[dst + i] = arena[dst + i] + d
                else:
                    arena[dst + i] = d
