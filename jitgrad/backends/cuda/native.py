"""Device implementations of the non-elementwise ops: :data:`NATIVE` maps the public name to
the implementation the host fallback's wrapper (:mod:`.fallback`) calls first; an
implementation returns ``NotImplemented`` for a case it does not cover, which then takes the
fallback. Reductions live in :mod:`.reductions`, matrix products in :mod:`.linalg`, row ops
(softmax, cross_entropy, layer_norm) in :mod:`.rows`, strided views in :mod:`.views`; this
module holds the reshape family (true views of the same device buffer) and fills.

Backward functions are written with device ops, so ``create_graph`` records them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import dtypes as D
from ...engine.grad_mode import STATE as GRAD
from ...frontend.recording import record
from ...frontend.tensor import Tensor, _make
from ...frontend.view_registry import register as register_view
from ...kernels.cuda import memory as M
from ...kernels.cuda.common import view as buffer_view
from . import (
    aliasing,
    complex_views,
    joining,
    linalg,
    masks,
    random,
    reductions,
    rows,
    runtime,
    scans,
    selecting,
    setitem,
    sorting,
    spread,
    views,
)


# ---- reshape family: views of the same contiguous device buffer ---------------------------
def _view(name: str, node: str):
    """``x.<name>(...)`` as a view: the new shape is the CPU op's on a stand-in array
    (so its checks and errors are the CPU's), the data stays where it is."""

    strided = views.view_op(name)

    def impl(x: Any, *args: Any, **kwargs: Any) -> Any:
        if any(isinstance(a, D.dtype) for a in (*args, *kwargs.values())):
            # view(dtype) reinterprets bytes, which a stand-in's shape does not carry
            raise NotImplementedError("view(dtype) of a device tensor is not implemented")
        if isinstance(x, aliasing.DeviceView):  # its own buffer is a copy: view the root's
            out = strided(x, *args, **kwargs)
            if out is NotImplemented and name in ("reshape", "flatten"):
                return _copied(x, _shape_of(x, name, args, kwargs))
            return out
        if not isinstance(x, Tensor):
            return NotImplemented
        shape = _shape_of(x, name, args, kwargs)
        if not x._value.is_c_contiguous():
            return _copied(x, shape) if name in ("reshape", "flatten") else NotImplemented
        before = tuple(x.shape)
        value = buffer_view(x._value, shape)  # (an empty one too: numba's reshape may refuse)
        out = record(node, value, x._dtype, [x], lambda g: g.reshape(before))
        out._vc = x._counter()
        out._base = x if x._base is None else x._base
        if out.grad_fn is not None:
            register_view(out)  # a change in place of its base makes it stale (views.py)
        return out

    return impl


def _shape_of(x: Tensor, name: str, args: tuple, kwargs: dict) -> tuple:
    """The shape ``x.<name>(...)`` has on the CPU (its checks and errors too), from a
    contiguous stand-in."""
    stand_in = _make(np.empty(tuple(x.shape), x._dtype.np), x._dtype)
    return tuple(getattr(stand_in, name)(*args, **kwargs).shape)


def _copied(x: Tensor, shape: tuple) -> Tensor:
    """A reshape that copies (of a non-contiguous view), as the CPU's: a contiguous copy of
    ``x``'s elements at ``shape``, no view of it (``UnsafeViewBackward0``)."""
    value = M.copy(runtime.contiguous(x._value)).reshape(shape)
    before = tuple(x.shape)
    return record("UnsafeViewBackward0", value, x._dtype, [x], lambda g: g.reshape(before))


# ---- fills ----------------------------------------------------------------------------------
def fill_(t: Any, value: Any) -> Any:
    """``t.fill_(number)`` / ``t.zero_()`` by a fill kernel (recorded cases: the fallback)."""
    if not isinstance(value, int | float | bool) or GRAD.enabled and t._requires_grad:
        return NotImplemented
    if isinstance(t, aliasing.DeviceView):
        return aliasing.fill(t, value)
    runtime.fill(t._value, value)
    t._bump()
    return t


NATIVE: dict[str, Any] = {
    **reductions.NATIVE,
    **linalg.NATIVE,
    **rows.NATIVE,
    **views.NATIVE,
    **joining.NATIVE,
    **complex_views.NATIVE,
    **random.NATIVE,
    **spread.NATIVE,
    **scans.NATIVE,
    **selecting.NATIVE,
    **sorting.NATIVE,
    **masks.NATIVE,
    "fill_": fill_,
    "__setitem__": setitem.setitem,
    "setitem": setitem.setitem,
    "zero_": lambda t: fill_(t, 0),
    "reshape": _view("reshape", "ViewBackward0"),
    "view": _view("view", "ViewBackward0"),
    "flatten": _view("flatten", "ViewBackward0"),
    "unsqueeze": _view("unsqueeze", "UnsqueezeBackward0"),
}
NATIVE["view_as"] = lambda x, other: (
    NATIVE["view"](x, tuple(other.shape)) if isinstance(other, Tensor) else NotImplemented
)
