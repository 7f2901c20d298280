"""``torch.fft``: discrete Fourier transforms with PyTorch's arguments, dtypes and gradients.

The transforms run in ``numpy.fft`` (pocketfft), not in Numba kernels: Numba has no FFT
(``np.fft`` is not supported in nopython mode) and numpy is already a dependency. Each
public function resizes its input first (``n``/``s``: a crop is a ``narrow``, a longer size a
zero ``pad``, as PyTorch's ``SliceBackward0``/``ConstantPadNdBackward0``), then runs one of
three recorded transforms, PyTorch's three nodes:

* ``FftC2CBackward0`` complex to complex; its gradient is the inverse transform with the
  adjoint normalization (``backward`` <-> ``forward``, ``ortho`` stays);
* ``FftR2CBackward0`` real to complex (``rfft``; ``fft`` of a real input, all bins): the
  gradient zero-fills the dropped half, inverts, and keeps the real part;
* ``FftC2RBackward0`` complex (one-sided) to real (``irfft``): the gradient is the
  one-sided forward transform with the bins that stand for two (their mirror image was
  dropped) doubled, PyTorch's ``fft_c2r_backward``.

These ops stay out of fusion (complex elementwise ops fuse: ``defop(complex=...)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import dtypes as D
from .complex_api import real
from .frontend.conjugate import conj
from .frontend.creation import tensor
from .frontend.movement import narrow
from .frontend.recording import record
from .frontend.tensor import Tensor, _make, _wrap_dim
from .torch_aliases import constant_pad_nd

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}

__all__ = [
    "fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn",
    "rfftn", "irfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift",
    "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn",
]  # fmt: skip


# ---- the three recorded transforms -----------------------------------------------------------
def _c2c(x: Tensor, dims: tuple[int, ...], norm: str, forward: bool) -> Tensor:
    fn = np.fft.fftn if forward else np.fft.ifftn
    value = np.asarray(fn(x._value, axes=dims, norm=norm), x._dtype.np)

    def backward(g: Tensor) -> Tensor:
        return _c2c(g, dims, _DUAL[norm], not forward)

    return record("FftC2CBackward0", value, x._dtype, [x], backward)


def _r2c(x: Tensor, dims: tuple[int, ...], norm: str, forward: bool, onesided: bool) -> Tensor:
    cdt = D.complex_of(x._dtype)
    if onesided:
        value = np.fft.rfftn(x._value, axes=dims, norm=norm)
    else:
        value = (np.fft.fftn if forward else np.fft.ifftn)(x._value, axes=dims, norm=norm)
    value = np.asarray(value, cdt.np)
    last, size = dims[-1], x._value.shape[dims[-1]]

    def backward(g: Tensor) -> Tensor:
        if onesided and g.shape[last] < size:  # the dropped half: zero
            pad = [0, 0] * (g.dim() - 1 - last) + [0, size - g.shape[last]]
            g = constant_pad_nd(g, pad)
        return real(_c2c(g, dims, _DUAL[norm], not forward))

    return record("FftR2CBackward0", value, cdt, [x], backward)


def _c2r(x: Tensor, dims: tuple[int, ...], norm: str, last_size: int) -> Tensor:
    shape = [x._value.shape[d] for d in dims[:-1]] + [last_size]
    rdt = D.real_of(x._dtype)
    value = np.asarray(np.fft.irfftn(x._value, s=shape, axes=dims, norm=norm), rdt.np)
    last = dims[-1]

    def backward(g: Tensor) -> Tensor:
        gi = _r2c(g, dims, _DUAL[norm], True, True)
        double = last_size - gi.shape[last]  # bins 1 .. double stand for their mirror too
        if double <= 0:
            return gi
        scale = np.ones(gi.shape[last], rdt.np)
        scale[1 : 1 + double] = 2
        scale = scale.reshape((-1,) + (1,) * (gi.dim() - 1 - last))
        return gi * _make(scale, rdt)

    return record("FftC2RBackward0", value, rdt, [x], backward)


# ---- arguments ---------------------------------------------------------------------------------
def _norm(norm: str | None) -> str:
    if norm is None:
        return "backward"
    if norm not in _DUAL:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _input(x: Any, fn: str, real_only: bool = False) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"fft_{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")  # fmt: skip
    dt = x._dtype
    if dt.round is not None:
        raise RuntimeError(f"Unsupported dtype {D.scalar_name(dt)}")
    if real_only and dt.is_complex:
        raise RuntimeError(f"{fn} expects a real input tensor, but got {D.scalar_name(dt)}")
    if not (dt.is_floating_point or dt.is_complex):
        x = x.to(D.get_default_dtype())
    return x


def _plan(
    x: Tensor, s: Sequence[int] | None, dim: Sequence[int] | int | None
) -> tuple[tuple[int, ...], list[int | None]]:
    """The wrapped dims and the requested size along each (None: as it is)."""
    nd = x.dim()
    if dim is None:
        dims = tuple(range(nd)) if s is None else tuple(range(nd - len(s), nd))
    else:
        dims = tuple(_wrap_dim(d, nd) for d in ((dim,) if isinstance(dim, int) else dim))
        if nd == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    sizes: list[int | None] = [None] * len(dims) if s is None else list(s)
    if len(sizes) != len(dims):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    for n in sizes:
        if n is not None and n != -1 and n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return dims, [None if n == -1 else n for n in sizes]


def _resize(x: Tensor, dims: Sequence[int], sizes: Sequence[int | None]) -> Tensor:
    """Crop (``narrow``) or zero-pad (``constant_pad_nd``) ``x`` to ``sizes`` along ``dims``."""
    pad = [0] * (2 * x.dim())
    for d, n in zip(dims, sizes, strict=True):
        if n is None or n == x.shape[d]:
            continue
        if n < x.shape[d]:
            x = narrow(x, d, 0, n)
        else:
            pad[2 * (x.dim() - 1 - d) + 1] = n - x.shape[d]
    return constant_pad_nd(x, pad) if any(pad) else x


def _c2c_any(x: Tensor, dims: tuple, norm: str, forward: bool) -> Tensor:
    if x._dtype.is_complex:
        return _c2c(x, dims, norm, forward)
    if forward:
        return _r2c(x, dims, norm, True, onesided=False)
    # PyTorch's inverse of a real signal: the conjugate of the forward one, scaled as the
    # inverse (``ConjBackward0`` over ``FftR2CBackward0``)
    return conj(_r2c(x, dims, _DUAL[norm], True, onesided=False))


def _fftn(fn: str, x: Any, s: Any, dim: Any, norm: str | None, forward: bool) -> Tensor:
    x = _input(x, fn)
    dims, sizes = _plan(x, s, dim)
    if fn not in ("fft", "ifft") and not x._dtype.is_complex:
        x = x.to(D.complex_of(x._dtype))  # PyTorch's n-dim transforms are complex to complex
    x = _resize(x, dims, sizes)
    return _c2c_any(x, dims, _norm(norm), forward)


def _rfftn(fn: str, x: Any, s: Any, dim: Any, norm: str | None) -> Tensor:
    x = _input(x, fn, real_only=True)
    dims, sizes = _plan(x, s, dim)
    return _r2c(_resize(x, dims, sizes), dims, _norm(norm), True, True)


def _half_spectrum(fn: str, x: Any, s: Any, dim: Any) -> tuple[Tensor, list, int]:
    """A c2r transform's input (complex, cut or padded to ``last // 2 + 1`` bins in the last
    dim), its dims and ``last``, the real output length (default ``2 * (m - 1)``)."""
    x = _input(x, fn)
    if not x._dtype.is_complex:
        x = x.to(D.complex_of(x._dtype))
    dims, sizes = _plan(x, s, dim)
    last = sizes[-1] if sizes[-1] is not None else 2 * (x.shape[dims[-1]] - 1)
    if last < 1:
        raise RuntimeError(f"Invalid number of data points ({last}) specified")
    sizes[-1] = last // 2 + 1
    return _resize(x, dims, sizes), dims, last


def _irfftn(fn: str, x: Any, s: Any, dim: Any, norm: str | None) -> Tensor:
    x, dims, last = _half_spectrum(fn, x, s, dim)
    return _c2r(x, dims, _norm(norm), last)


def _hfftn(fn: str, x: Any, s: Any, dim: Any, norm: str | None) -> Tensor:
    """PyTorch's ``hfftn``: a forward c2c over all dims but the last, then the conjugate's
    c2r over the last (``FftC2RBackward0`` over ``ConjBackward0``); a forward transform, so
    ``"backward"`` leaves it unscaled."""
    x, dims, last = _half_spectrum(fn, x, s, dim)
    norm = _norm(norm)
    if len(dims) > 1:
        x = _c2c(x, dims[:-1], norm, True)
    return _c2r(conj(x), dims[-1:], _DUAL[norm], last)


def _ihfftn(fn: str, x: Any, s: Any, dim: Any, norm: str | None) -> Tensor:
    """PyTorch's ``ihfftn``: the one-sided r2c over the last dim, conjugated, then an inverse
    c2c over the others; an inverse transform, so ``"backward"`` scales by ``1/n``."""
    if isinstance(x, Tensor) and x._dtype.is_complex and fn not in ("ihfft",):
        raise RuntimeError(
            f"Only supports floating-point dtypes, but found: {D.scalar_name(x._dtype)}"
        )
    x = _input(x, fn, real_only=True)
    dims, sizes = _plan(x, s, dim)
    norm = _norm(norm)
    y = conj(_r2c(_resize(x, dims, sizes), dims[-1:], _DUAL[norm], True, True))
    return y if len(dims) == 1 else _c2c(y, dims[:-1], norm, False)


# ---- the public functions ----------------------------------------------------------------------
def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:  # noqa: A002
    """The 1-D discrete Fourier transform over ``dim`` (``n``: crop or zero-pad first)."""
    return _fftn("fft", input, None if n is None else [n], dim, norm, True)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:  # noqa: A002
    """The inverse of :func:`fft`."""
    return _fftn("ifft", input, None if n is None else [n], dim, norm, False)


def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:  # noqa: A002
    """The one-sided transform of a real signal: bins 0 .. n // 2."""
    return _rfftn("rfft", input, None if n is None else [n], dim, norm)


def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:  # noqa: A002
    """The real signal of length ``n`` (default ``2 * (m - 1)``) whose rfft is ``input``."""
    return _irfftn("irfft", input, None if n is None else [n], dim, norm)


def fft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:  # noqa: A002
    return _fftn("fft2", input, s, dim, norm, True)


def ifft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:  # noqa: A002
    return _fftn("ifft2", input, s, dim, norm, False)


def rfft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:  # noqa: A002
    return _rfftn("rfft2", input, s, dim, norm)


def irfft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:  # noqa: A002
    return _irfftn("irfft2", input, s, dim, norm)


def fftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:  # noqa: A002
    return _fftn("fftn", input, s, dim, norm, True)


def ifftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:  # noqa: A002
    return _fftn("ifftn", input, s, dim, norm, False)


def rfftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:  # noqa: A002
    return _rfftn("rfftn", input, s, dim, norm)


def irfftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:  # noqa: A002
    return _irfftn("irfftn", input, s, dim, norm)


def fftfreq(n: int, d: float = 1.0, *, dtype: Any = None, **kwargs: Any) -> Tensor:
    """Sample frequencies of an ``n``-point transform: ``[0, 1, ..., -1] / (d * n)``."""
    ints = np.arange(n)
    ints[(n + 1) // 2 :] -= n
    return _scaled(ints, n, d, dtype, kwargs)


def rfftfreq(n: int, d: float = 1.0, *, dtype: Any = None, **kwargs: Any) -> Tensor:
    """Sample frequencies of :func:`rfft`'s bins: ``[0, 1, ..., n // 2] / (d * n)``."""
    return _scaled(np.arange(n // 2 + 1), n, d, dtype, kwargs)


def _scaled(ints: np.ndarray, n: int, d: float, dtype: Any, kwargs: dict) -> Tensor:
    """``ints * (1 / (n * d))`` in ``dtype`` (the default float dtype), PyTorch's rounding."""
    freq = tensor(ints.tolist(), dtype=dtype or D.get_default_dtype(), **kwargs)
    return freq * (1.0 / (n * d))


def _shift(x: Tensor, dim: Any, sign: int) -> Tensor:
    if dim is None:
        dim = tuple(range(x.dim()))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    shifts = [sign * (x.shape[_wrap_dim(d, x.dim())] // 2) for d in dims]
    return x.roll(shifts, dims)


def fftshift(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """Move the zero frequency to the middle (``roll`` by half of each dim)."""
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """The inverse of :func:`fftshift`."""
    return _shift(input, dim, -1)


def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:  # noqa: A002
    """The real spectrum of length ``n`` (default ``2 * (m - 1)``) of a Hermitian-symmetric
    signal given by its first half ``input``."""
    return _hfftn("hfft", input, None if n is None else [n], dim, norm)


def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:  # noqa: A002
    """The inverse of :func:`hfft`: the one-sided half of a real signal's inverse transform."""
    return _ihfftn("ihfft", input, None if n is None else [n], dim, norm)


def hfft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:  # noqa: A002
    return _hfftn("hfft2", input, s, dim, norm)


def ihfft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:  # noqa: A002
    return _ihfftn("ihfft2", input, s, dim, norm)


def hfftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:  # noqa: A002
    return _hfftn("hfftn", input, s, dim, norm)


def ihfftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:  # noqa: A002
    return _ihfftn("ihfftn", input, s, dim, norm)
