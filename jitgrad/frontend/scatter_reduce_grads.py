"""The gradients of ``scatter_reduce`` (PyTorch's ``scatter_reduce_backward``) in Tensor ops
and methods only, so one body serves both devices: the CPU op (:mod:`jitgrad.reduce_extra`)
and the CUDA backend's (``backends/cuda/index_add.py``) record these as their backward.
The masks and tie counts are constants (as in PyTorch); prod's products are recomputed by
``Tensor.scatter_reduce`` itself (the device's op on device tensors), so a gradient of the
gradient goes through them.
"""

from __future__ import annotations

from ..engine.grad_mode import no_grad
from .clamp_where import where as choose
from .recording import record
from .tensor import Tensor


def grads(g, reduce, input, src, out, d, index, include_self):  # noqa: A002
    """PyTorch's gradients of scatter_reduce for ``input`` and ``src`` (``src`` shaped as
    ``index``), in Tensor ops on ``g``'s device: a gradient of the gradient goes through them
    (the masks and tie counts are constants, as in PyTorch). Shared by the CUDA backend."""
    if reduce == "prod":
        return _prod_grads(g, input, src, d, index, include_self)
    dt = g._dtype
    with no_grad():
        hits = index.new_zeros(tuple(input.shape)).scatter_add(d, index, index.new_ones(
            tuple(index.shape)))  # fmt: skip
        keep_self = (hits == 0) if not include_self else None
        if reduce in ("sum", "mean"):
            count = hits + int(bool(include_self))
            scale = 1.0 / count.clamp_min(1).to(dt) if reduce == "mean" else None
            mask = None if keep_self is None else keep_self.to(dt)
        else:  # amax/amin: the gradient shared evenly among the elements equal to the result
            equal_src = src == out.gather(d, index)
            equal_self = input == out  # (PyTorch counts self even without include_self)
            n = equal_self.long().scatter_add(d, index, equal_src.long())
            scale = 1.0 / n.clamp_min(1).to(dt)
            mask = (equal_self if keep_self is None else equal_self & keep_self).to(dt)
    share = g if scale is None else g * scale
    g_src = share.gather(d, index)
    if reduce in ("amax", "amin"):
        g_src = g_src * equal_src.to(dt)
    return (share if mask is None else share * mask), g_src


def _prod_grads(g, input, src, d, index, include_self):  # noqa: A002
    """PyTorch's prod gradients (``scatter_reduce_backward``) in Tensor ops: each element gets
    the product of the others at its position; for a zero, that product is recomputed with it
    replaced by one, so a second derivative sees the other factors too."""
    kw = {"include_self": include_self}
    with no_grad():
        src_zero = src == 0
        zeros = index.new_zeros(tuple(input.shape)).scatter_add(d, index, src_zero.long())
        single = src_zero & (zeros.gather(d, index) == 1)
    result = input.scatter_reduce(d, index, src, "prod", **kw)
    masked_self = choose(input == 0, 1.0, input)
    g_self = g * masked_self.scatter_reduce(d, index, src, "prod", **kw) / masked_self
    if not include_self:  # (as PyTorch: ScatterBackward1 under create_graph)
        g_self = g_self.scatter(d, index, 0.0)
    masked_src = choose(single, 1.0, src)
    by_one = (g * input.scatter_reduce(d, index, masked_src, "prod", **kw)).gather(d, index)
    by_src = (g * result).gather(d, index) / choose(src_zero, 1.0, src)
    g_src = choose(single, by_one, by_src)
    # PyTorch's DelayedError: a second derivative for src raises. Asked only when this
    # gradient is recorded (create_graph): the test reads one value back from a device, a
    # synchronization a plain backward does not need (there no node would be recorded)
    if g_src._requires_grad and bool((zeros > 1).any()):
        g_src = record("Error", g_src._value, g._dtype, (g_src,), _refuse_src_double_backward)
    return g_self, g_src


PROD_ZEROS = (
    "scatter_reduce(): Double backward is unsupported for src when >1 zeros in src are "
    "scattered to the same position in self"
)


def _refuse_src_double_backward(g: Tensor) -> Tensor:
    """The ``Error`` node's backward over prod's src gradient when two zeros of src meet at
    one position (the product of the others is no longer a smooth function there)."""
    raise RuntimeError(PROD_ZEROS)
