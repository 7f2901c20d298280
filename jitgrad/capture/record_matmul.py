"""``a @ b`` / ``matmul`` as a host call (issue 16 section 1, the transformer's attention).

Eager's :func:`jitgrad.frontend.linalg.matmul` runs every product through ``_matmul``
(``np.matmul`` of operands made C- or F-contiguous by ``_blas``): ``mm`` for two matrices,
one ``mm`` over the rows for a batch times a matrix, ``bmm`` for equal batches. A replay calls
the same ``_matmul`` on views of the arena, its backward the products eager's nodes compute
(``g @ b^T`` and ``a^T @ g`` over the same matrices). The arena's operands are C-contiguous
where eager's may be strided views (a ``transpose``): BLAS packs its operands before the
product, so the layout does not change the bits; the bitwise tests check the forms taken.
Broadcast batches and vectors are refused (eager's ``expand`` and ``mv`` paths).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..frontend.linalg import _matmul
from ..frontend.tensor import Tensor
from .record import _out, slot_of
from .record_host import _into, _node, _view
from .tape import Slot, Unsupported

#: the node eager's matmul leaves on its result, by the operands' dimensions
_NODES = ("MmBackward0", "UnsafeViewBackward0")


def _shapes(sa: Slot, sb: Slot) -> tuple:
    """The operands and the result as the matrices (or batches of them) eager multiplies."""
    a, b = sa.shape, sb.shape
    if len(a) >= 2 and len(b) == 2 and a[-1] == b[0]:  # rows folded into one mm
        rows = sa.n // a[-1]
        return (rows, a[-1]), b, (rows, b[1])
    if len(a) >= 3 and len(a) == len(b) and a[:-2] == b[:-2] and a[-1] == b[-2]:
        nb = sa.n // (a[-2] * a[-1])
        return (nb, *a[-2:]), (nb, *b[-2:]), (nb, a[-2], b[-1])
    raise Unsupported("matmul other than of matrices, a batch by a matrix or equal batches")


def matmul(rec: Any, out: Any, a: Any, b: Any) -> None:
    """``a @ b``: eager's ``_matmul`` into the output's slot; one node whose backward is
    eager's two products."""
    if out is NotImplemented or not isinstance(b, Tensor):
        raise Unsupported("matmul with an operand that is not a tensor")
    sa, sb = slot_of(rec, a), slot_of(rec, b)
    if not sa.n or not sb.n or not isinstance(out, Tensor):
        raise Unsupported("an empty matmul")
    am, bm, om = _shapes(sa, sb)
    if out.grad_fn is not None and out.grad_fn.name() not in _NODES:
        raise Unsupported(f"eager recorded {out.grad_fn.name()} for matmul")
    s = _out(rec, out)

    def forward(arena: np.ndarray, args: tuple) -> None:
        _view(arena, s, om)[...] = _matmul(_view(arena, sa, am), _view(arena, sb, bm))

    rec.tape.host(forward)
    shapes = {id(sa): am, id(sb): bm}

    def backward(tape: Any, node: Any, g: int | None, target: Any) -> None:
        if g is None:
            raise Unsupported("no gradient reached MmBackward0")
        sg = Slot(g, s.n, om)
        for si, which in ((sa, "a"), (sb, "b")):
            if not si.rg:
                continue
            into, dst, acc = _into(tape, si, target)
            tape.host(_grad(which, sg, Slot(sa.off, sa.n, am), Slot(sb.off, sb.n, bm),
                            Slot(into.off, into.n, shapes[id(si)])))  # fmt: skip
            if acc:
                tape.row("b_g", dst, into.off, n=si.n, acc=1)

    _node(rec, out, [sa, sb], [s], backward)


def _grad(which: str, sg: Slot, sa: Slot, sb: Slot, into: Slot) -> Any:
    """``g @ b^T`` (which="a") or ``a^T @ g`` (which="b"), as eager's node runs them."""

    def grad(arena: np.ndarray, args: tuple) -> None:
        g = _view(arena, sg)
        if which == "a":
            value = _matmul(g, np.swapaxes(_view(arena, sb), -1, -2))
        else:
            value = _matmul(np.swapaxes(_view(arena, sa), -1, -2), g)
        _view(arena, into)[...] = value

    return grad


def rmatmul(rec: Any, out: Any, a: Any, b: Any) -> None:
    """``b.__rmatmul__(a)``: ``a @ b`` with the operands named the other way."""
    matmul(rec, out, b, a)


#: ``Tensor`` methods recorded here
METHODS: dict[str, Any] = {"__matmul__": matmul, "matmul": matmul, "__rmatmul__": rmatmul}
#: ``jitgrad`` functions recorded here
FUNCTIONS: dict[str, Any] = {"matmul": matmul}
