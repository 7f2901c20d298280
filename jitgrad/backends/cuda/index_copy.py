"""``index_copy`` on device tensors, and ``index_add`` / ``index_copy`` of a 0-d ``self``.

``index_copy`` is ``index_add``'s kernel writing instead of adding
(:func:`.index_add._added` with ``assign``): ``source``'s slices written into a copy of
``self`` in index order (a repeated index: the last write, as the CPU's loop; PyTorch leaves
that order undefined), so the values are ``source``'s bits. Recorded as the CPU's
``IndexCopyBackward0`` with PyTorch's gradients (``self``: ``g`` with the copied slices
zeroed, ``index_fill``; ``source``: ``g`` read at the indices, ``index_select``), in device
ops, so ``create_graph`` records them too.

A 0-d ``self`` (and 0-d ``source``, one index) is a line of one: the kernel runs on the
reshaped buffers, the node is recorded over the 0-d operands with 0-d gradients, as the
CPU's. Bool, complex and empty operands, and a host index, stay with the host fallback.
"""

from __future__ import annotations

from typing import Any

from ... import dtypes as D
from ...engine.grad_mode import no_grad
from ...frontend.recording import record
from ...frontend.tensor import Tensor
from ...kernels.cuda.common import view as buffer_view
from . import index_add as IA
from . import native
from .elementwise import on_device


def _line(t: Tensor) -> Tensor:
    return t.reshape(1) if not t.dim() else t


def _plan(input: Any, dim: Any, index: Any, source: Any) -> Any:  # noqa: A002
    """``(dim wrapped, zero_d)`` where the device op takes the case, else None."""
    if not all(isinstance(t, Tensor) for t in (input, index, source)) or type(dim) is not int:
        return None
    zero_d = not input.dim()
    if zero_d and (source.dim() or index.numel() != 1):
        return None
    if not IA._plain(_line(input), _line(source)):
        return None
    shape = tuple(_line(input).shape)
    if index.dim() > 1 or index._dtype not in (D.int64, D.int32) or not on_device(index):
        return None
    if not -len(shape) <= dim < len(shape) or source._dtype is not input._dtype:
        return None
    d = dim % len(shape)
    if tuple(_line(source).shape) != (*shape[:d], index.numel(), *shape[d + 1 :]):
        return None
    return d, zero_d


def _op(assign: bool, node: str, op: str, original: Any):
    """``index_copy`` (``assign``) or a 0-d ``index_add`` (else ``original``, the 1-D+ op)."""

    def impl(input: Any, dim: Any, index: Any, source: Any, *, alpha: Any = 1) -> Any:  # noqa: A002
        plan = _plan(input, dim, index, source)
        if plan is None or not assign and not plan[1]:
            return NotImplemented if plan is None or original is None else original(
                input, dim, index, source, alpha=alpha)  # fmt: skip
        d, zero_d = plan
        idx = index.reshape(-1)
        with no_grad():
            src = source if alpha == 1 else source * alpha
        value = IA._added(_line(input), d, idx, _line(src), True, op, assign)
        if value is NotImplemented:
            return value
        value = buffer_view(value, ()) if zero_d else value

        def backward(g: Tensor) -> tuple:
            picked = _line(g).index_select(d, idx)
            picked = picked.reshape(()) if zero_d else picked
            picked = picked if alpha == 1 else picked * alpha
            return (g.index_fill(d, idx, 0) if assign else g), picked

        return record(node, value, input._dtype, [input, source], backward, saved=[index])

    return impl


def _index_copy(input: Any, dim: Any, index: Any, source: Any) -> Any:  # noqa: A002
    return _COPY(input, dim, index, source)


_COPY = _op(True, "IndexCopyBackward0", "index_copy", None)
_ADD = _op(False, "IndexAddBackward0", "index_add", native.NATIVE["index_add"])

native.NATIVE.update(
    {
        "index_copy": _index_copy,
        "index_copy_": IA._in_place(_index_copy),
        "index_add": _ADD,
        "index_add_": IA._in_place(_ADD),
    }
)
