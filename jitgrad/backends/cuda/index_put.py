"""``index_put`` / ``index_put_`` and ``t[idx] = v`` with index tensors on device tensors.

These ran through the host fallback (two or three device-to-host copies a call). The index
tensors are broadcast together and folded, with device ops, into one row index of ``self``
seen as ``(rows, rest)`` (``rows`` the product of the indexed leading dims, ``rest`` the
rest); a row out of range in its own dim becomes ``rows`` itself, so the row write's range
check (:func:`.index_add._added`, the device flag) reports it at the next synchronization
as the device's other index errors are. The write is PyTorch's CUDA
``index_put_with_sort_kernel`` (:func:`~jitgrad.kernels.cuda.sort.fold_runs`): the rows
sorted stably, one thread per (run of equal rows, column), so distinct rows are parallel
(session 17's ``index_add`` write ran one thread per column: a full index was serial). A
repeated index without ``accumulate`` writes its last value (PyTorch's deterministic mode,
the CPU path's choice; PyTorch's default leaves it undefined); with ``accumulate`` (always
the sort path in PyTorch, deterministic) a run is summed in PyTorch's order: from 0, then
added to ``self`` once, for rows of at most 32 elements (a full index's run of 32 or more
first in its warp's lane order), one add at a time into ``self`` for wider rows. So the
bits are PyTorch CUDA's, not the CPU's (``((self + v1) + v2)``), for runs of two or more.

A boolean mask is turned into int64 indices by ``nonzero``, which needs its count on the
host: a synchronization, as in PyTorch. Recorded as the CPU's ``IndexPutBackward0``
(``self``: ``g`` with the written places zeroed, or ``g`` with ``accumulate``; ``values``:
``g`` read at the indices, summed to ``values``' shape), in device ops, so ``create_graph``
records them too. Left to the host fallback: ``None`` or non-integer indices, more index
tensors than dims, bool/complex/empty operands, a host index or value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import dtypes as D
from ...engine.grad_mode import STATE as GRAD
from ...engine.grad_mode import no_grad
from ...frontend.clamp_where import where
from ...frontend.pointwise_backward import sum_to_shape
from ...frontend.recording import record
from ...frontend.tensor import Tensor
from ...frontend.tensor_meta import marked
from . import index_add as IA
from . import masks, native
from .elementwise import on_device


def _int_indices(indices: Any) -> list | None:
    """The index tensors as int64 device tensors (a mask through ``nonzero``), or None."""
    if not isinstance(indices, tuple | list) or not indices:
        return None
    out: list = []
    for i in indices:
        if not isinstance(i, Tensor) or not on_device(i):
            return None
        if i._dtype is D.bool_:
            if not i.dim():
                return None
            # (the count is read back: one synchronization, as PyTorch's)
            out.extend(masks.nonzero_tensors(i))
        elif i._dtype in (D.int64, D.int32):
            out.append(i if i._dtype is D.int64 else i.to(D.int64))
        else:
            return None
    return out


def _rows(arrays: list, shape: tuple) -> Tensor:
    """The broadcast indices folded into one int64 row index of ``shape[:k]`` (a position
    out of range in its dim: ``prod(shape[:k])``, which the write's check flags)."""
    k = len(arrays)
    common = np.broadcast_shapes(*(tuple(a.shape) for a in arrays))
    arrays = [a.expand(common) for a in arrays]
    lead = arrays[0].new_zeros(tuple(arrays[0].shape))
    bad = lead.bool()
    for d, a in enumerate(arrays):
        n = shape[d]
        bad = bad | (a < -n) | (a >= n)
        lead = lead * n + where(a < 0, a + n, a)
    return where(bad, math.prod(shape[:k]), lead)


def index_put(input: Any, indices: Any, values: Any, accumulate: bool = False) -> Any:  # noqa: A002
    """``input`` with ``input[indices] = values`` (``+=`` with ``accumulate``), on the
    device (see the module docstring)."""
    if not IA._plain(input) or not isinstance(values, Tensor) or not on_device(values):
        return NotImplemented
    if values._dtype is not input._dtype:
        return NotImplemented  # (the CPU op's error)
    shape = tuple(input.shape)
    with no_grad():
        arrays = _int_indices(indices)
        if arrays is None or len(arrays) > len(shape):
            return NotImplemented
        try:
            rows = _rows(arrays, shape)
        except ValueError:
            return NotImplemented  # (indices that do not broadcast: the CPU op's error)
    k = len(arrays)
    lead_shape, rest = tuple(rows.shape), math.prod(shape[k:])
    out_shape = lead_shape + shape[k:]
    try:
        src = values.expand(out_shape)
    except RuntimeError:
        return NotImplemented  # (the CPU op's shape error)
    if not rows.numel() or not rest:
        return NotImplemented
    flat_rows = rows.reshape(-1)
    table = (math.prod(shape[:k]), rest)
    with no_grad():
        src2 = src.reshape(flat_rows.numel(), rest)
        value = IA._added(input.reshape(table), 0, flat_rows, src2, True, "index_put",
                          assign=not accumulate, runs=True)  # fmt: skip
    if value is NotImplemented:
        return value
    vshape = tuple(values.shape)

    def backward(g: Tensor) -> tuple:
        g2 = g.reshape(table)
        gi = g if accumulate else g2.index_fill(0, flat_rows, 0).reshape(shape)
        gv = sum_to_shape(g2.index_select(0, flat_rows).reshape(out_shape), vshape)
        return gi, gv

    return record("IndexPutBackward0", value.reshape(shape), input._dtype, [input, values],
                  backward, saved=[t for t in indices if isinstance(t, Tensor)])  # fmt: skip


def advanced_key(key: Any) -> tuple | None:
    """``t[key] = v``'s key as ``index_put``'s indices where every item is a device index
    tensor (the form the device write takes), else None."""
    keys = key if isinstance(key, tuple) else (key,)
    if keys and all(isinstance(k, Tensor) and on_device(k) for k in keys):
        return tuple(keys)
    return None


def setitem(self: Tensor, indices: tuple, value: Any) -> Any:
    """``self[indices] = value`` with index tensors: ``index_put``'s result made ``self``'s
    (its history ``IndexPutBackward0``, as the CPU's setitem of a tensor without a base)."""
    if self._base is not None or marked(self):
        return NotImplemented  # (through a view: CopySlices, the host fallback's)
    if not isinstance(value, Tensor):
        if type(value) not in (int, float, bool):
            return NotImplemented
        value = self.new_full((), value)
    elif value._dtype is not self._dtype:
        return NotImplemented  # (the CPU's dtype error)
    with_grad = GRAD.enabled and self._dtype.is_floating_point and (
        self._requires_grad or value._requires_grad)  # fmt: skip
    if with_grad and self._requires_grad and self.grad_fn is None:
        return NotImplemented  # (a leaf: the CPU's error through the fallback)
    if not with_grad:
        with no_grad():
            res = index_put(self, indices, value)
            return res if res is NotImplemented else _assign(self, res)
    res = index_put(self.clone(), indices, value)
    if res is NotImplemented:
        return res
    _assign(self, res)
    self.grad_fn, self._output_nr, self._requires_grad = res.grad_fn, res._output_nr, True
    if self._retains_grad:
        self._retain_on_new_node()
    return None


def _assign(self: Tensor, res: Tensor) -> None:
    with no_grad():
        self.copy_(res)


def _setitem_on(basic: Any):
    """``__setitem__``: index-tensor keys here, the others to ``basic`` (:mod:`.setitem`)."""

    def impl(self: Any, key: Any, value: Any) -> Any:
        indices = advanced_key(key) if isinstance(self, Tensor) else None
        return basic(self, key, value) if indices is None else setitem(self, indices, value)

    return impl


native.NATIVE.update(
    {
        "index_put": index_put,
        "index_put_": IA._in_place(index_put),
        "__setitem__": _setitem_on(native.NATIVE["__setitem__"]),
        "setitem": _setitem_on(native.NATIVE["setitem"]),
    }
)
