"""The interpreter's branching element formulas as functions straight-line source can call.

Straight-line source (:mod:`.straight`) writes each tape row as one statement. A formula
with a branch (softplus, the ``where`` of a derivative) written inline would split the
generated function into many small blocks, which slows Numba's compile of a large tape
(its SSA and type passes walk the blocks); a call keeps the statement one expression. Each
function is the interpreter's branch of :func:`.interp.run` for that op, operation by
operation, so a straight-line replay rounds as the interpreter and the eager kernels do.
The zeros, ones and twos come in as arguments in the arena's dtype, as the loop's are.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .interp import fast_exp


@njit(error_model="numpy")
def softplus(a, beta, threshold):
    ab = a * beta
    return a if ab > threshold else np.log1p(fast_exp(ab)) / beta


@njit(error_model="numpy")
def b_softplus(g, a, beta, threshold, one):
    ab = a * beta
    return g if ab > threshold else (g * fast_exp(ab)) / (fast_exp(ab) + one)


@njit(error_model="numpy")
def b_relu(g, out, zero):
    return zero if out <= zero else g


@njit(error_model="numpy")
def b_powc(g, a, e, zero, one):
    return zero if e == zero else (g * e) * (a ** (e - one))


@njit(error_model="numpy")
def b_rpowc(g, out, a, base, zero):
    z = base == zero and a >= zero
    return zero if z else (g * out) * np.log(base)


@njit(error_model="numpy")
def b_clamp(g, a, lo, hi, zero):
    return g if (a >= lo and a <= hi) else zero


@njit(error_model="numpy")
def b_maxa(g, a, b, zero, two):
    if a == b:
        return g / two
    return g if a > b else zero


@njit(error_model="numpy")
def b_mina(g, a, b, zero, two):
    if a == b:
        return g / two
    return g if a < b else zero


@njit(error_model="numpy")
def b_maxb(g, a, b, zero, two):
    if a == b:
        return g / two
    return g if b > a else zero


@njit(error_model="numpy")
def b_minb(g, a, b, zero, two):
    if a == b:
        return g / two
    return g if b < a else zero
