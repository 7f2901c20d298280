"""Matrix products on device tensors: mm, bmm, matmul (2-D and 3-D operands) and linear
(any leading dims).

All go to :func:`jitgrad.kernels.cuda.matmul.matmul` (cuBLAS through CuPy where it imports,
else the shared-memory tiled kernel), whose ``trans_a``/``trans_b`` flags read an operand
transposed in place: the backward products ``g @ b.T`` and ``a.T @ g`` copy nothing. Node
names are the CPU's (``MmBackward0``, ``BmmBackward0``, ``AddmmBackward0``, and PyTorch's
``UnsafeViewBackward0`` over a folded or batched ``matmul``). Other cases (4-D and up,
broadcast batches, mixed dtypes, integer matrices) return ``NotImplemented``: the host
fallback runs the CPU op and raises its errors.
"""

from __future__ import annotations

import math
from typing import Any

from ...engine.grad_mode import no_grad
from ...frontend.recording import product_saved, record
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import matmul as K
from . import runtime
from .elementwise import on_device

#: Tile edge of the tiled kernel: the simulator runs one Python thread per CUDA thread, so a
#: small tile keeps its blocks cheap.
TILE = 4 if runtime.SIMULATOR else K.TILE


def _product(a: Tensor, ta: bool, b: Tensor, tb: bool) -> Any:
    """op(a) @ op(b) as a new device array (op: transpose of the last two axes)."""
    av, bv = runtime.contiguous(a._value), runtime.contiguous(b._value)
    return K.matmul(av, bv, trans_a=ta, trans_b=tb, tile=TILE)


def _unbatch(g: Tensor, operand: Tensor) -> Tensor:
    """A batched gradient of a 2-D operand summed over the batch."""
    return g.sum(0) if g.dim() == 3 and operand.dim() == 2 else g


def mm_t(a: Tensor, ta: bool, b: Tensor, tb: bool, name: str = "MmBackward0") -> Tensor:
    """op(a) @ op(b), recorded: each gradient is another transposed product."""

    def backward(g: Tensor):
        ga = mm_t(b, tb, g, True) if ta else mm_t(g, False, b, not tb)
        gb = mm_t(g, True, a, ta) if tb else mm_t(a, not ta, g, False)
        return _unbatch(ga, a), _unbatch(gb, b)

    value = _product(a, ta, b, tb)
    return record(name, value, a._dtype, [a, b], backward, saved=product_saved(a, b))


def _same_device(method: str, operands: list) -> None:
    """PyTorch's dispatcher check: the first operand's device is the common one, and the
    first operand elsewhere is named."""
    common = None
    for name, t in operands:
        dev = "cuda:0" if on_device(t) else "cpu"
        if common is None:
            common = dev
        elif dev != common:
            raise RuntimeError(
                "Expected all tensors to be on the same device, but found at least two "
                f"devices, {common} and {dev}! (when checking argument for argument {name} in "
                f"method {method})"
            )


def _operands(a: Any, b: Any, method: str, ndims: tuple[int, ...]) -> bool:
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        return False
    _same_device(method, [("self", a), ("mat2", b)])
    return (
        a.dim() in ndims
        and b.dim() in ndims
        and a._dtype is b._dtype
        and a._dtype.is_floating_point
        and a.shape[-1] == b.shape[-2]
    )


def mm(input: Any, mat2: Any) -> Any:  # noqa: A002
    if not _operands(input, mat2, "wrapper_CUDA_mm", (2,)):
        return NotImplemented  # shapes, dtypes: the CPU op (and its errors)
    return mm_t(input, False, mat2, False)


def bmm(input: Any, mat2: Any) -> Any:  # noqa: A002
    if not _operands(input, mat2, "wrapper_CUDA_bmm", (3,)) or input.shape[0] != mat2.shape[0]:
        return NotImplemented
    return mm_t(input, False, mat2, False, "BmmBackward0")


def _unsafe_view(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    before = tuple(t.shape)
    value = t._value.reshape(shape)
    return record("UnsafeViewBackward0", value, t._dtype, [t], lambda g: g.reshape(before))


def matmul(input: Any, other: Any) -> Any:  # noqa: A002
    """``input @ other`` for 2-D and 3-D operands (3-D ones with the same batch), operands
    of more dims with the same batch dims (attention's ``(B, H, T, D)``), and a vector
    on the right of a vector or a matrix (``dot``, ``mv``)."""
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        if input.dim() > 3:
            return _batched(input, other)
        if other.dim() == 1 and input.dim() in (1, 2):
            return (dot if input.dim() == 1 else mv)(input, other)
    if not _operands(input, other, "wrapper_CUDA_mm", (2, 3)):
        return NotImplemented
    if input.dim() == other.dim() == 2:
        return mm_t(input, False, other, False)
    if input.dim() == 3 and other.dim() == 2:  # PyTorch folds the batch into the rows
        z, m, k = input.shape
        flat = mm_t(input.reshape(z * m, k), False, other, False)
        return _unsafe_view(flat, (z, m, other.shape[1]))
    if input.dim() == other.dim() == 3 and input.shape[0] != other.shape[0]:
        return NotImplemented  # broadcast batches: the CPU op
    out = mm_t(input, False, other, False, "BmmBackward0")
    return _unsafe_view(out, tuple(out.shape))


def _batched(a: Tensor, b: Tensor) -> Any:
    """``a @ b`` with the same leading batch dims (3 or more dims in all): the batch folded
    into one ``bmm`` (``BmmBackward0``) over reshaped operands, viewed back
    (``UnsafeViewBackward0``), as the CPU op records it."""
    if not _operands(a, b, "wrapper_CUDA_bmm", (a.dim(),)) or a.shape[:-2] != b.shape[:-2]:
        return NotImplemented  # (broadcast batches, mixed dims: the CPU op)
    batch = tuple(a.shape[:-2])
    z = math.prod(batch)
    a3 = a.contiguous().reshape(z, *a.shape[-2:])
    b3 = b.contiguous().reshape(z, *b.shape[-2:])
    out = mm_t(a3, False, b3, False, "BmmBackward0")
    return _unsafe_view(out, (*batch, a.shape[-2], b.shape[-1]))


def _vector_operands(a: Any, b: Any, method: str, ndim: int) -> bool:
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        return False
    _same_device(method, [("self", a), ("vec", b)])
    return (
        a.dim() == ndim
        and b.dim() == 1
        and a._dtype is b._dtype
        and a._dtype.is_floating_point
        and a.shape[-1] == b.shape[0]
        and b.shape[0] > 0
    )


def dot(input: Any, tensor: Any) -> Any:  # noqa: A002
    """``torch.dot`` of two device vectors (``DotBackward0``) by the matrix kernel."""
    if not _vector_operands(input, tensor, "wrapper_CUDA__dot", 1):
        return NotImplemented
    n = input.shape[0]
    value = _product(input.reshape(1, n), False, tensor.reshape(n, 1), False).reshape(())
    return record("DotBackward0", value, input._dtype, [input, tensor],
                  lambda g: (g * tensor, g * input), saved=[input, tensor])  # fmt: skip


def mv(input: Any, vec: Any) -> Any:  # noqa: A002
    """``torch.mv`` (matrix times vector, ``MvBackward0``) by the matrix kernel."""
    if not _vector_operands(input, vec, "wrapper_CUDA_mv", 2):
        return NotImplemented
    m, n = input.shape

    def backward(g: Tensor):
        g2 = g.reshape(m, 1)
        return mm_t(g2, False, vec.reshape(1, n), False), mm_t(input, True, g2, False).reshape(n)

    value = _product(input, False, vec.reshape(n, 1), False).reshape((m,))
    return record("MvBackward0", value, input._dtype, [input, vec], backward,
                  saved=[input, vec])  # fmt: skip


def rmatmul(self: Any, other: Any) -> Any:
    return matmul(other, self)


def linear(input: Any, weight: Any, bias: Any = None) -> Any:  # noqa: A002
    """``input @ weight.T + bias`` for ``input`` of 2 or more dims: the leading dims folded
    into the rows of one product, as the CPU op does (``AddmmBackward0`` / ``MmBackward0``
    for 2-D input, one ``ViewBackward0`` node over the same inputs otherwise)."""
    if not isinstance(input, Tensor) or input.dim() < 2 or not isinstance(weight, Tensor):
        return NotImplemented
    if weight.dim() != 2 or input.shape[-1] != weight.shape[1] or input._dtype is not weight._dtype:
        return NotImplemented
    if not input._dtype.is_floating_point or input.numel() == 0:
        return NotImplemented
    if bias is None:
        _same_device("wrapper_CUDA_mm", [("self", input), ("mat2", weight)])
        if input.dim() == 2:
            return mm_t(input, False, weight, True)
    else:
        _same_device("wrapper_CUDA_addmm", [("self", bias), ("mat1", input), ("mat2", weight)])
        if bias._dtype is not input._dtype or bias.dim() > 1:
            return NotImplemented
    return _folded_linear(input, weight, bias)


def _folded_linear(input: Tensor, weight: Tensor, bias: Any) -> Tensor:  # noqa: A002
    """:func:`linear` as one product over ``input``'s rows (its leading dims folded), one
    node with the CPU op's name and inputs (bias first, as PyTorch's addmm lists it)."""
    shape = tuple(input.shape)
    rows, n = input.numel() // shape[-1], weight.shape[0]
    x2 = _make(runtime.contiguous(input._value).reshape((rows, shape[-1])), input._dtype)
    with no_grad():
        product = _make(_product(x2, False, weight, True), input._dtype)
        value = product._value if bias is None else (product + bias)._value

    def backward(g: Tensor):
        g2 = g.contiguous().reshape(rows, n) if len(shape) > 2 else g
        a = input if len(shape) == 2 else input.contiguous().reshape(rows, shape[-1])
        gi = mm_t(g2, False, weight, False)
        grads = (gi if len(shape) == 2 else gi.reshape(shape), mm_t(g2, True, a, False))
        return grads if bias is None else (g2.sum(0) if bias.dim() else g2.sum(), *grads)

    if len(shape) > 2:
        name = "ViewBackward0"
        value = value.reshape((*shape[:-1], n))
    else:
        name = "MmBackward0" if bias is None else "AddmmBackward0"
    inputs = [input, weight] if bias is None else [bias, input, weight]
    return record(name, value, input._dtype, inputs, backward, saved=product_saved(input, weight))


NATIVE: dict[str, Any] = {
    "mm": mm,
    "bmm": bmm,
    "matmul": matmul,
    "__matmul__": matmul,
    "__rmatmul__": rmatmul,
    "linear": linear,
    "dot": dot,
    "mv": mv,
}
