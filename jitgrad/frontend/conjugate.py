"""``conj`` and the other conj/neg-bit functions (PyTorch's lazy conjugation, see
:mod:`.bit_views`): ``conj`` returns a view with the conjugate bit, ``resolve_conj`` and
``resolve_neg`` materialize, ``neg_view`` is PyTorch's ``_neg_view`` (what ``imag`` of a
conj view returns). The backwards of products (``mm``, ``bmm``, ``mv``, ``dot``) read their
other operand conjugated through here (PyTorch's ``grad @ other^H``), which is the operand
itself for every real dtype. Complex elementwise ops are the declarations' complex forms
(``defop(complex=...)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .bit_views import ConjView, NegView
from .recording import record
from .tensor import _VALUE, Tensor
from .views import make_view


def conj(x: Any) -> Any:
    """``x.conj()``: for a complex tensor a view of its memory with the conjugate bit set
    (``ConjBackward0``); of a conj view, a plain view of the same memory (the bits cancel);
    a real tensor is its own conjugate; a Python number is conjugated."""
    if not isinstance(x, Tensor):
        return complex(x).conjugate() if isinstance(x, complex) else x
    if not x._dtype.is_complex:
        return x
    if type(x) is ConjView:
        return make_view(x, _VALUE.__get__(x), "ConjBackward0", _conj_backward)
    value = x._value
    if type(value) is not np.ndarray:  # a device or meta buffer: a conjugated copy, no bit
        return record("ConjBackward0", np.conj(value), x._dtype, [x], _conj_backward)
    out = make_view(x, value, "ConjBackward0", _conj_backward)
    out.__class__ = ConjView
    return out


def _conj_backward(g: Tensor) -> tuple:
    return (conj(g),)


def neg_view(x: Tensor) -> Tensor:
    """PyTorch's ``_neg_view``: a view of ``x``'s memory whose values read negated
    (``NegViewBackward0``); of a neg view, a plain view again."""
    if type(x) is NegView:
        return make_view(x, _VALUE.__get__(x), "NegViewBackward0", _neg_backward)
    out = make_view(x, x._value, "NegViewBackward0", _neg_backward)
    out.__class__ = NegView
    return out


def _neg_backward(g: Tensor) -> tuple:
    return (g.neg(),)


def resolve_conj(x: Tensor) -> Tensor:
    """A conj view's values in a new tensor (``CloneBackward0``, as PyTorch records it);
    any other tensor itself."""
    return _resolved(x) if type(x) is ConjView else x


def resolve_neg(x: Tensor) -> Tensor:
    """A neg view's values in a new tensor (``CloneBackward0``); any other tensor itself."""
    return _resolved(x) if type(x) is NegView else x


def _resolved(x: Tensor) -> Tensor:
    return record("CloneBackward0", x._value.copy(), x._dtype, [x], lambda g: g)


def is_conj(x: Tensor) -> bool:
    return type(x) is ConjView


def is_neg(x: Tensor) -> bool:
    return type(x) is NegView
