"""The numpy references (``ref``) of the elementwise declarations that numpy lacks as one
function; the tests compare each op's forward against its ``ref``."""

from __future__ import annotations

import math

import numpy as np


def np_sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def np_erf(a):
    return np.vectorize(math.erf, otypes=[np.float64])(a).astype(np.result_type(a, np.float32))


def np_relu(a):
    return np.maximum(a, 0)


def np_trunc_div(a, b):
    return np.trunc(np.true_divide(a, b)).astype(np.result_type(a, b))


def np_xlogy(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isnan(b), b, np.where(a == 0, 0, a * np.log(b)))


def np_lshift(a, b):
    """PyTorch's ``<<``: 0 for a count below 0 or past 63 (64-bit shift, cast back)."""
    a, b = np.asarray(a), np.asarray(b)
    ok = (b >= 0) & (b <= 63)
    wide = np.left_shift(a.astype(np.int64), np.where(ok, b, 0).astype(np.int64))
    return np.where(ok, wide, 0).astype(np.result_type(a, b))


def np_rshift(a, b):
    """PyTorch's ``>>``: the sign for a count below 0 or past 63 (64-bit shift, cast back)."""
    a, b = np.asarray(a), np.asarray(b)
    count = np.where((b < 0) | (b > 63), 63, b).astype(np.int64)
    return np.right_shift(a.astype(np.int64), count).astype(np.result_type(a, b))
