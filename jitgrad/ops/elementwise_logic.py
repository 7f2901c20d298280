"""The comparison and logic ops (boolean results, no gradient), declared
as every elementwise op (see :mod:`.elementwise`, which imports this module)."""

from __future__ import annotations

import numpy as np

from .registry import BOOL, defop

# ---- comparisons and logic (boolean results, no gradient) ---------------------------------
defop("eq", "a == b", (None, None), np.equal, result=BOOL, torch=True, method=True, complex=True)
defop(
    "ne", "a != b", (None, None), np.not_equal, result=BOOL, torch=True, method=True, complex=True
)
defop("lt", "a < b", (None, None), np.less, result=BOOL, torch=("lt", "less"), method=True)
defop(
    "le",
    "a <= b",
    (None, None),
    np.less_equal,
    result=BOOL,
    torch=("le", "less_equal"),
    method=True,
)
defop("gt", "a > b", (None, None), np.greater, result=BOOL, torch=("gt", "greater"), method=True)
defop(
    "ge",
    "a >= b",
    (None, None),
    np.greater_equal,
    result=BOOL,
    torch=("ge", "greater_equal"),
    method=True,
)
defop("isnan", "isnan(a)", (None,), np.isnan, result=BOOL, torch=True, method=True, complex=True)
defop("isinf", "isinf(a)", (None,), np.isinf, result=BOOL, torch=True, method=True, complex=True)
defop(
    "isfinite",
    "isfinite(a)",
    (None,),
    np.isfinite,
    result=BOOL,
    torch=True,
    method=True,
    complex=True,
)
defop(
    "logical_and",
    "logical_and(a, b)",
    (None, None),
    np.logical_and,
    result=BOOL,
    compute="bool",
    torch=True,
    method=True,
)
defop(
    "logical_or",
    "logical_or(a, b)",
    (None, None),
    np.logical_or,
    result=BOOL,
    compute="bool",
    torch=True,
    method=True,
)
defop(
    "logical_not",
    "logical_not(a)",
    (None,),
    np.logical_not,
    result=BOOL,
    compute="bool",
    torch=True,
    method=True,
)
defop(
    "logical_xor",
    "a != b",
    (None, None),
    np.logical_xor,
    result=BOOL,
    compute="bool",
    torch=True,
    method=True,
)
