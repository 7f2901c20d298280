"""Tensor methods that overwrite a tensor in place and rebase its history: the fills
(``fill_``, ``zero_``, ``copy_``, ``uniform_``, ``normal_``, ``random_``, ``bernoulli_``) and the
in-place shape changes (``unsqueeze_``, ``t_``, ``transpose_`` ...).

A fill replaces the values, so the old history must get zero gradient (:func:`_overwritten`);
a shape change makes the tensor the view it would return, under PyTorch's in-place node name.
:mod:`jitgrad.methods` binds them with the other methods.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import dtypes as D
from .engine.grad_mode import STATE
from .frontend.argcheck import invalid_args
from .frontend.checks import number_fits
from .frontend.creation import generator as rng
from .frontend.creation import zeros_like
from .frontend.overlap import assert_no_internal_overlap
from .frontend.pointwise import check_inplace
from .frontend.pointwise_inplace import apply_inplace, writes_through_view
from .frontend.recording import node_class, record
from .frontend.subscript import setitem
from .frontend.tensor import Tensor, _make
from .ops.registry import REGISTRY

#: What a binary operator or a fill takes besides a Tensor (anything else: NotImplemented).
_OPERANDS: tuple[type, ...] = (Tensor, int, float, complex, bool, np.number, np.bool_)


def _overwritten(self: Tensor, name: str, value: Any = None) -> Tensor:
    """Rebase a tensor whose values an in-place op replaced: its old history gets zero grad.

    Without this, ``y = x * 2; y.zero_()`` would still send gradient to ``x`` through
    ``MulBackward0``. ``value`` is a tensor fill value that requires grad (gets ``g.sum()``).
    """
    self._bump()
    if not (STATE.enabled and (self._requires_grad or isinstance(value, Tensor))):
        return self
    old = _make(self._value, self._dtype, self.grad_fn, output_nr=self._output_nr)
    old._requires_grad = self._requires_grad
    inputs = [old] if value is None else [old, value]
    res = record(name, self._value, self._dtype, inputs, lambda g: (zeros_like(g), g.sum()))
    if res.grad_fn is not None:
        self.grad_fn, self._output_nr, self._requires_grad = res.grad_fn, 0, True
    return self


def _inplace_fill(self: Tensor, value: Any) -> Tensor:
    if not isinstance(value, _OPERANDS):
        raise invalid_args("fill_", (value,))
    if writes_through_view(self):
        setitem(self, ..., value)
        return self
    check_inplace(self)
    if isinstance(value, Tensor):  # PyTorch copies a tensor value in (a number: no check)
        assert_no_internal_overlap(self._value)
    fill = value.item() if isinstance(value, Tensor) else number_fits(value, self._dtype)
    self._value[...] = fill
    if isinstance(value, Tensor) and value._requires_grad:
        return _overwritten(self, "FillBackward3", value)
    return _overwritten(self, "FillBackward2")


def _zero_(self: Tensor) -> Tensor:
    if writes_through_view(self):  # CopySlices on the root, as PyTorch records it
        setitem(self, ..., 0)
        return self
    check_inplace(self)
    self._value[...] = 0
    return _overwritten(self, "ZeroBackward0")


def _copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast) into self; differentiable with respect to ``src``.

    Unlike the other in-place ops, PyTorch's ``copy_`` casts any dtype into any other (float
    to integer truncates toward zero, to bool tests nonzero, integers wrap): a source of a
    higher category is cast first, detached, as the integer or bool destination can carry no
    gradient anyway."""
    if isinstance(src, Tensor) and src._dtype._category > self._dtype._category:
        src = src.detach().to(self._dtype)
    return apply_inplace(REGISTRY["copy"], self, (src,))


def _refuse_integers(self: Tensor, kernel: str) -> None:
    """PyTorch has no integer or bool kernel for the floating samplers: its error, not a
    silently rounded sample."""
    if not (self._dtype.is_floating_point or self._dtype.is_complex):
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{D.scalar_name(self._dtype)}'"
        )


def _complex_draw(self: Tensor, draw: Any, p: float, q: float) -> Any:
    """``draw(p, q, shape)`` for ``self``; a complex tensor draws its real and imaginary parts
    independently, as PyTorch samples ``view_as_real(self)`` (the imaginary part is not 0)."""
    shape = self._value.shape
    real = D.real_of(self._dtype).np if self._dtype.is_complex else self._dtype.np
    if not self._dtype.is_complex:
        return draw(p, q, shape, dtype=real)
    pairs = draw(p, q, (*shape, 2), dtype=real)
    return pairs[..., 0] + 1j * pairs[..., 1]


def _uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    _refuse_integers(self, "check_uniform_bounds")
    check_inplace(self)
    assert_no_internal_overlap(self._value)
    self._value[...] = _complex_draw(self, rng(generator).uniform, a, b)
    return _overwritten(self, "UniformBackward0")


def _normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    _refuse_integers(self, "normal_kernel_cpu")
    check_inplace(self)
    assert_no_internal_overlap(self._value)
    if self._dtype.is_complex:  # PyTorch: each part gets half the variance
        std = std / math.sqrt(2.0)
    self._value[...] = _complex_draw(self, rng(generator).normal, mean, std)
    return _overwritten(self, "NormalBackward0")


def _random_(self: Tensor, *args: Any, generator: Any = None, **kwargs: Any) -> Tensor:
    """``random_(to)`` / ``random_(from, to)``: integers uniform on [from, to) (PyTorch's
    ``random_()`` with no bounds draws from [0, 2**mantissa] for floats, [0, max] for ints)."""
    low, high = kwargs.get("from", 0), kwargs.get("to")
    if len(args) == 1:
        high = args[0]
    elif len(args) == 2:
        low, high = args
    if high is None:
        high = {"float32": 2**24, "float64": 2**53}.get(self._dtype.name, 2**31 - 1) + 1
        if self._dtype is D.int64:
            high = 2**63  # PyTorch: random64() % 2**63
        elif self._dtype is D.bool_:
            high = 2
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    check_inplace(self)
    assert_no_internal_overlap(self._value)
    self._value[...] = rng(generator).integers(low, high, self._value.shape, dtype=self._dtype.np)
    return _overwritten(self, "RandomBackward2")


def _bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    check_inplace(self)
    assert_no_internal_overlap(self._value)
    if isinstance(p, Tensor):  # PyTorch's tensor-p kernel; a float p is MKL's stream there
        probs = np.broadcast_to(p._value, self._value.shape)
        self._value[...] = rng(generator).bernoulli(probs)
    else:
        self._value[...] = rng(generator).random(self._value.shape) < p
    return _overwritten(self, "BernoulliBackward1")


#: PyTorch numbers the in-place shape changes' nodes after their out-of-place forms'
_INPLACE_NODES = {
    "TransposeBackward0": "TransposeBackward1",
    "TBackward0": "TBackward1",
    "SqueezeBackward0": "SqueezeBackward3",
    "SqueezeBackward1": "SqueezeBackward4",
    "SqueezeBackward2": "SqueezeBackward5",
    "UnsqueezeBackward0": "UnsqueezeBackward1",
}


def _rebased(op: Any):
    """An in-place shape change (``unsqueeze_``...): ``self`` becomes the view ``op`` makes,
    history included, under the in-place node's name (``TransposeBackward1``...)."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if self._requires_grad and self.grad_fn is None and STATE.enabled:
            check_inplace(self)
        res = op(self, *args, **kwargs)
        self._value = res._value
        node = res.grad_fn
        if node is not None:
            name = _INPLACE_NODES.get(type(node).__name__)
            if name is not None:  # same slots, same backward: only the name differs
                node.__class__ = node_class(name, type(node).__bases__[0])
            self.grad_fn, self._output_nr = node, res._output_nr
        return self

    return method
