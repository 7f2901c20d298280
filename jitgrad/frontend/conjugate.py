"""``conj`` below the public API: the backwards of products (``mm``, ``bmm``, ``mv``, ``dot``)
read their other operand conjugated (PyTorch's ``grad @ other^H``), which is the operand
itself for every real dtype. Complex values otherwise live in :mod:`jitgrad.complex_ops`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .recording import record
from .tensor import Tensor


def conj(x: Any) -> Any:
    """``x.conj()`` for a Tensor (a recorded copy, ``ConjBackward0``; a real tensor is its
    own conjugate) or a Python number."""
    if not isinstance(x, Tensor):
        return complex(x).conjugate() if isinstance(x, complex) else x
    if not x._dtype.is_complex:
        return x
    return record("ConjBackward0", np.conj(x._value), x._dtype, [x], lambda g: (conj(g),))
