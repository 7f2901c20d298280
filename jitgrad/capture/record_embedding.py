"""``F.embedding`` as a host call, and views of integer index tensors (issue 16 section 1,
the transformer's token lookup and its ``targets.view(-1)``).

The lookup is eager's :func:`jitgrad.nn.functional.embedding` kernel by kernel: the indices
read from the caller's tensor at each run (as class-index targets are, :func:`.record_host._ref`),
checked and wrapped as eager checks them, ``gather_rows`` into the output's slot; the
backward eager's ``_embedding_dense_backward``: a zeroed weight-sized buffer and
``scatter_add_rows`` (repeated indices added in the same order). ``max_norm`` (which changes
the weight in place) and ``scale_grad_by_freq`` are refused.

An integer tensor is not arena data: ``view``/``reshape``/``flatten`` of one that needs no
gradient is noted as the same reference (its values read afresh where a host call uses it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..frontend.tensor import Tensor
from ..nn import _kernels as K
from .record import _out, slot_of
from .record_host import _ref, _view, one_input_backward
from .tape import Slot, Unsupported


def int_view(rec: Any, out: Any, a: Any) -> bool:
    """Note ``out`` (a reshape of integer ``a``) as ``a``'s reference; False if not one."""
    if not isinstance(a, Tensor) or a._dtype.is_floating_point or a._requires_grad:
        return False
    if not isinstance(out, Tensor) or out.grad_fn is not None:
        return False
    rec.int_views[id(out)] = _ref(rec, a)
    rec.keep.append(out)
    return True


def _indices(ref: tuple, args: tuple, n: int) -> np.ndarray:
    """The looked-up rows as eager's ``embedding`` makes them: flat int64, checked, wrapped."""
    kind, r = ref
    t = args[r] if kind == "arg" else r
    flat = t._value.reshape(-1).astype(np.int64)
    if flat.size and (flat.min() < -n or flat.max() >= n):
        raise IndexError("index out of range in self")
    return np.where(flat < 0, flat + n, flat) if flat.size and flat.min() < 0 else flat


def embedding(rec: Any, out: Any, input: Any, weight: Any, padding_idx: Any = None,  # noqa: A002
              max_norm: Any = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> None:  # fmt: skip
    """``F.embedding`` of an integer tensor into a (n, d) weight (see the module docstring)."""
    sw = slot_of(rec, weight)
    if max_norm is not None or scale_grad_by_freq or sparse or len(sw.shape) != 2:
        raise Unsupported("embedding with max_norm, scale_grad_by_freq or sparse")
    if not isinstance(input, Tensor) or input._dtype.name not in ("int64", "int32"):
        raise Unsupported("embedding of other than an int64/int32 tensor")
    ref = _ref(rec, input)
    n, d = sw.shape
    pad = -1 if padding_idx is None else padding_idx % n
    s = _out(rec, out)
    rows = s.n // d

    def forward(arena: np.ndarray, args: tuple) -> None:
        K.gather_rows(_view(arena, sw), _indices(ref, args, n), _view(arena, s, (rows, d)))

    rec.tape.host(forward)

    def make(sg: Slot, into: Slot) -> Any:
        def grad(arena: np.ndarray, args: tuple) -> None:
            gw = _view(arena, into)
            gw[...] = 0  # eager's np.zeros
            K.scatter_add_rows(_view(arena, sg, (rows, d)), _indices(ref, args, n), pad, gw)

        return grad

    if out.grad_fn is not None and out.grad_fn.name() != "EmbeddingBackward0":
        raise Unsupported(f"eager recorded {out.grad_fn.name()} for embedding")
    if out.grad_fn is not None:
        node = rec.tape.node("host", [sw], [s])
        node.host = one_input_backward("EmbeddingBackward0", sw, s, make)
        rec.nodes_by_fn[id(out.grad_fn)] = node
        rec.keep.append(out.grad_fn)


#: ``jitgrad.nn.functional`` names recorded here
NN: dict[str, Any] = {"embedding": embedding}
