"""``F.layer_norm`` as a host call, and ``F.dropout`` (its training mask drawn by a host call;
issue 16 section 1, the transformer block's norms and dropout).

Eager's :func:`jitgrad.nn._functional_layer_norm.layer_norm` is one row kernel forward
(``layer_norm_rows_fwd``: the output, each row's mean and ``rstd``) and one backward
(``layer_norm_rows_bwd``: the input's gradient and per-chunk partial sums for the weight and
bias, summed in chunk order by ``col_sum``). A replay calls the same kernels on views of the
arena; the means and ``rstd`` live in arena slots of their own between forward and backward.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from ..frontend.tensor import Tensor
from ..nn import _kernels as K
from ..nn._functional_extra import dropout_mask
from .optable import TABLE
from .record import _node, _out, slot_of
from .record_host import _into, _view
from .tape import Slot, Unsupported


def layer_norm(rec: Any, out: Any, input: Any, normalized_shape: Any, weight: Any = None,  # noqa: A002
               bias: Any = None, eps: float = 1e-5) -> None:  # fmt: skip
    """``F.layer_norm`` (see the module docstring)."""
    sx = slot_of(rec, input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    sw = None if weight is None else slot_of(rec, weight)
    sb = None if bias is None else slot_of(rec, bias)
    if not isinstance(out, Tensor) or not sx.n:
        raise Unsupported("an empty layer_norm")
    d = math.prod(shape)
    n = sx.n // d
    tape, np_dtype = rec.tape, out._value.dtype
    mean, rstd = Slot(tape.alloc(n), n, (n,)), Slot(tape.alloc(n), n, (n,))
    s = _out(rec, out)
    ones, zeros = np.ones(d, np_dtype), np.zeros(d, np_dtype)
    e = np_dtype.type(eps)

    def params(arena: np.ndarray) -> tuple:
        return (ones if sw is None else _view(arena, sw, (d,)),
                zeros if sb is None else _view(arena, sb, (d,)))  # fmt: skip

    def forward(arena: np.ndarray, args: tuple) -> None:
        y, m, r = _view(arena, s, (n, d)), _view(arena, mean), _view(arena, rstd)
        K.layer_norm_rows_fwd(_view(arena, sx, (n, d)), *params(arena), e, y, m, r)

    tape.host(forward)
    if out.grad_fn is not None and out.grad_fn.name() != "NativeLayerNormBackward0":
        raise Unsupported(f"eager recorded {out.grad_fn.name()} for layer_norm")
    inputs = [sx, sw, sb]
    backward = _backward(inputs, Slot(s.off, s.n, (n, d)), mean, rstd, params)
    if out.grad_fn is not None:  # None where eager's node has no weight or bias
        node = rec.tape.node("host", inputs, [s], 0, [0 if si is None else si.off for si in inputs])
        node.host = backward
        rec.nodes_by_fn[id(out.grad_fn)] = node
        rec.keep.append(out.grad_fn)


def _backward(inputs: list, s: Slot, mean: Slot, rstd: Slot, params: Any) -> Any:
    """layer_norm's node backward: eager's ``layer_norm_rows_bwd`` (the input's gradient,
    per-chunk partial sums for the weight and bias, summed in chunk order by ``col_sum``),
    each result into its target or scratch that a ``b_g`` row then adds in."""
    sx = inputs[0]
    n, d = s.shape

    def backward(tape: Any, node: Any, g: int | None, target: Any) -> None:
        if g is None:
            raise Unsupported("no gradient reached NativeLayerNormBackward0")
        outs = [None if si is None or not si.rg else (si, *_into(tape, si, target))
                for si in inputs]  # fmt: skip

        def grad(arena: np.ndarray, args: tuple) -> None:
            gx = np.empty((n, d), arena.dtype)
            pw = np.empty((K.chunks(n), d), arena.dtype)
            pb = np.empty_like(pw)
            K.layer_norm_rows_bwd(_view(arena, Slot(g, s.n, (n, d))), _view(arena, sx, (n, d)),
                                  params(arena)[0], _view(arena, mean), _view(arena, rstd),
                                  gx, pw, pb)  # fmt: skip
            for where, value in zip(outs, (gx, pw, pb), strict=True):
                if where is None:
                    continue
                into = _view(arena, where[1]).reshape(-1)
                if value is gx:
                    into[...] = gx.reshape(-1)
                else:
                    K.col_sum(value, into)

        tape.host(grad)
        for where in outs:
            if where is not None and where[3]:  # acc: added to what is there
                tape.row("b_g", where[2], where[1].off, n=where[0].n, acc=1)

    return backward


def dropout(rec: Any, out: Any, input: Any, p: float = 0.5, training: bool = True,  # noqa: A002
            inplace: bool = False) -> None:  # fmt: skip
    """``F.dropout``. Outside training (or ``p == 0``) it is the input itself: nothing to
    record. In training it is eager's ``input * mask``: a host call draws the mask at each
    run by eager's own :func:`~jitgrad.nn._functional_extra.dropout_mask` (the default
    generator, read afresh: a ``manual_seed`` between steps is seen), so the stream advances
    and the masks come out as eager's, bit for bit; then a ``mul`` row and its node
    (``MulBackward0``, the mask as the constant factor). Either way the flag and ``p`` are
    guarded: a module's ``forward`` passes ``self.training`` and ``self.p``, so the calling
    frame's ``self`` (a module) has them guarded as Python values (``model.train()`` traces
    again)."""
    guard_module(rec, sys._getframe(2))  # (wrapper, then the caller's frame)
    if not training or p == 0:
        if out is not input:
            raise Unsupported("dropout that did not return its input")
        return
    if inplace or not isinstance(out, Tensor):
        raise Unsupported("dropout with inplace=True")
    sx = slot_of(rec, input)
    tape = rec.tape
    shape, np_dtype = sx.shape, out._value.dtype
    mask = Slot(tape.alloc(sx.n), sx.n, shape)

    def draw(arena: np.ndarray, args: tuple) -> None:
        _view(arena, mask)[...] = dropout_mask(shape, p, np_dtype)

    tape.host(draw)
    s = _out(rec, out)
    tape.row(TABLE["mul"].forward, s.off, sx.off, mask.off, n=sx.n)
    _node(rec, "mul", out, [sx, mask], [s])


def guard_module(rec: Any, frame: Any) -> None:
    """Guard the ``training`` flag and dropout ``p`` of the module whose method ``frame``
    runs (its ``self``), if any, as Python values: the call's arguments came from them."""
    state = getattr(frame.f_locals.get("self"), "__dict__", None)
    if state is not None:
        for key in ("training", "p"):
            if type(state.get(key)) in (bool, float, int):
                rec.values.append((state, key, state[key]))


#: ``jitgrad.nn.functional`` names recorded here
NN: dict[str, Any] = {"layer_norm": layer_norm, "dropout": dropout}
