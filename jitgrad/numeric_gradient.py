"""``torch.gradient``: finite-difference derivatives along dimensions (NumPy's ``gradient``).

Central differences inside, one-sided ones of order ``edge_order`` (1 or 2) at the ends,
with a uniform spacing per dimension or the coordinates of the samples. Written in tensor
ops (``narrow``, arithmetic, ``cat``), so it is differentiable and its node is PyTorch's
``CatBackward0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import dtypes as D
from .frontend.movement import cat
from .frontend.tensor import Tensor, _wrap_dim


def gradient(
    input: Tensor,  # noqa: A002 - PyTorch's name
    *,
    spacing: Any = 1,
    dim: int | Sequence[int] | None = None,
    edge_order: int = 1,
) -> tuple[Tensor, ...]:
    """One derivative per dimension in ``dim`` (all by default), as a tuple."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if isinstance(spacing, Tensor):
        raise TypeError(
            "gradient() received an invalid combination of arguments - got (Tensor, "
            "spacing=Tensor), but expected one of:\n"
            " * (Tensor input, *, tuple of ints dim, int edge_order = 1)\n"
            " * (Tensor input, *, Number spacing, tuple of ints dim, int edge_order = 1)\n"
            " * (Tensor input, *, Number spacing = None, int dim = None, int edge_order = 1)\n"
            " * (Tensor input, *, tuple of Scalars spacing, int dim = None, int edge_order = 1)\n"
            " * (Tensor input, *, tuple of Scalars spacing, tuple of ints dim, int edge_order = 1)"
            "\n * (Tensor input, *, tuple of Tensors spacing, int dim = None, int edge_order = 1)\n"
            " * (Tensor input, *, tuple of Tensors spacing, tuple of ints dim, int edge_order = 1)"
            "\n"
        )
    dims = _dims(input, dim)
    spacings = _spacings(input, spacing, dim, len(dims))
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError(
                "torch.gradient expected each dimension size to be at least edge_order+1"
            )
    f = input if input.dtype.is_floating_point else input.to(D.get_default_dtype())
    return tuple(_along(f, d, h, edge_order) for d, h in zip(dims, spacings, strict=True))


def _dims(input: Tensor, dim: Any) -> list[int]:
    if dim is None:
        return list(range(input.dim()))
    dims = [dim] if isinstance(dim, int) else list(dim)
    return [_wrap_dim(d, input.dim()) for d in dims]


def _spacings(input: Tensor, spacing: Any, dim: Any, n: int) -> list[Any]:
    if not isinstance(spacing, list | tuple):
        return [spacing] * n
    if len(spacing) != n:
        if dim is None:
            raise RuntimeError(
                "torch.gradient expected spacing to be unspecified, a scalar, or a list of "
                f"length equal to 'self.dim() = {input.dim()}', since dim argument was not "
                f"given, but got a list of length {len(spacing)}"
            )
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and "
            f"dim arguments to have the same length, but got a spacing argument of length "
            f"{len(spacing)} and a dim argument of length {n}."
        )
    return list(spacing)


def _along(f: Tensor, d: int, h: Any, edge_order: int) -> Tensor:
    n = f.shape[d]

    def at(start: int, length: int) -> Tensor:
        return f.narrow(d, start % n, length)

    if isinstance(h, Tensor):
        return _along_coordinates(f, d, h, edge_order, at)
    inner = (at(2, n - 2) - at(0, n - 2)) / (2 * h)
    if edge_order == 1:
        first = (at(1, 1) - at(0, 1)) / h
        last = (at(-1, 1) - at(-2, 1)) / h
    else:
        first = (-1.5 * at(0, 1) + 2 * at(1, 1) - 0.5 * at(2, 1)) / h
        last = (0.5 * at(-3, 1) - 2 * at(-2, 1) + 1.5 * at(-1, 1)) / h
    return cat([first, inner, last], d)


def _along_coordinates(f: Tensor, d: int, x: Tensor, edge_order: int, at: Any) -> Tensor:
    """Non-uniform samples at coordinates ``x`` (second-order accurate inside)."""
    x = x if x.dtype.is_floating_point else x.to(f.dtype)
    shape = [1] * f.dim()
    shape[d] = -1
    dx = (x[1:] - x[:-1]).reshape(shape)
    n = f.shape[d]
    hl, hr = dx.narrow(d, 0, n - 2), dx.narrow(d, 1, n - 2)
    inner = (
        -hr / (hl * (hl + hr)) * at(0, n - 2)
        + (hr - hl) / (hl * hr) * at(1, n - 2)
        + hl / (hr * (hl + hr)) * at(2, n - 2)
    )
    d0, d1 = dx.narrow(d, 0, 1), dx.narrow(d, n - 2, 1)
    if edge_order == 1:
        first = (at(1, 1) - at(0, 1)) / d0
        last = (at(-1, 1) - at(-2, 1)) / d1
    else:
        a, b = d0, dx.narrow(d, 1, 1)
        first = (
            -(2 * a + b) / (a * (a + b)) * at(0, 1)
            + (a + b) / (a * b) * at(1, 1)
            - a / (b * (a + b)) * at(2, 1)
        )
        a, b = dx.narrow(d, n - 3, 1), d1
        last = (
            b / (a * (a + b)) * at(-3, 1)
            - (a + b) / (a * b) * at(-2, 1)
            + (2 * b + a) / (b * (a + b)) * at(-1, 1)
        )
    return cat([first, inner, last], d)
