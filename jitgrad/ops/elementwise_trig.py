"""Elementwise declarations of the inverse trigonometric functions and the hyperbolic ones
(split from :mod:`.elementwise_math` for size; same language, registered by
:mod:`.elementwise`).

``asinh_``, ``acosh_`` and ``atanh_`` are not generated here (no ``inplace=True``): PyTorch
has no derivative for them, which jitgrad/tensor_inplace.py gives their nodes.
"""

from __future__ import annotations

import numpy as np

from .registry import FLOAT, defop

# The inverse functions' rules are PyTorch's formulas (derivatives.yaml: grad * (1 - a * a)
# .rsqrt()): a create_graph gradient's node is a MulBackward0 there, as PyTorch prints. Their
# complex forms are the same formulas conjugated (derivatives.yaml's ``.conj()``).
defop(
    "asin",
    "asin(a)",
    ("g * (1 / sqrt(1 - a * a))",),
    np.arcsin,
    result=FLOAT,
    torch=("asin", "arcsin"),
    complex=("g * conj(1 / sqrt(1 - a * a))",),
    method=True,
    inplace=True,
)
defop(
    "acos",
    "acos(a)",
    ("g * -(1 / sqrt(1 - a * a))",),
    np.arccos,
    result=FLOAT,
    torch=("acos", "arccos"),
    complex=("g * -conj(1 / sqrt(1 - a * a))",),
    method=True,
    inplace=True,
)
defop(
    "atan",
    "atan(a)",
    ("g / (a * a + 1)",),
    np.arctan,
    result=FLOAT,
    torch=("atan", "arctan"),
    complex=("g / conj(a * a + 1)",),
    method=True,
    inplace=True,
)
defop(
    "sinh",
    "sinh(a)",
    ("g * cosh(a)",),
    np.sinh,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    complex=("g * conj(cosh(a))",),
)
defop(
    "cosh",
    "cosh(a)",
    ("g * sinh(a)",),
    np.cosh,
    result=FLOAT,
    torch=True,
    method=True,
    inplace=True,
    complex=("g * conj(sinh(a))",),
)
defop(
    "asinh",
    "asinh(a)",
    ("g * (1 / sqrt(a * a + 1))",),
    np.arcsinh,
    result=FLOAT,
    torch=("asinh", "arcsinh"),
    complex=("g * conj(1 / sqrt(a * a + 1))",),
    method=True,
)
defop(
    "acosh",
    "acosh(a)",
    ("g * (1 / sqrt(a * a - 1))",),
    np.arccosh,
    result=FLOAT,
    torch=("acosh", "arccosh"),
    complex=("g * conj(1 / (sqrt(a - 1) * sqrt(a + 1)))",),  # (PyTorch 2.13: branch-correct)
    method=True,
)
defop(
    "atanh",
    "atanh(a)",
    ("g / (1 - a * a)",),
    np.arctanh,
    result=FLOAT,
    torch=("atanh", "arctanh"),
    complex=("g / conj(1 - a * a)",),
    method=True,
)
