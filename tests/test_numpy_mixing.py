"""Mixing numpy and tensors never drops the graph silently: PyTorch's results case by case.

PyTorch's Tensor has ``__array_priority__ = 1000``, an ``__array__`` that is ``numpy()`` (refused
for a tensor that requires grad while grad mode is on: tensor_numpy.cpp checks
``GradMode::is_enabled() && requires_grad()``) and an ``__array_wrap__`` that turns a ufunc's
result back into a tensor. So: ``t * ndarray`` and ``np.exp(t)`` compute in numpy (refused when
``t`` requires grad), ``ndarray * t`` is a TypeError (numpy defers to the tensor, whose
operators do not take arrays), and a numpy scalar on the left defers to the tensor's reflected
operator, which keeps the graph.
"""

from __future__ import annotations

import math
import operator
import re

import numpy as np
import pytest

import jitgrad
from jitgrad.autograd import Function

NUMPY_REFUSED = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)

#: numpy computes through __array__: refused with grad, a Tensor result (via __array_wrap__)
#: or an ndarray (asarray) without
THROUGH_NUMPY = {
    "tensor * ndarray": lambda w: w * np.ones(3),
    "tensor + ndarray": lambda w: w + np.full(3, 2.0),
    "np.exp": np.exp,
    "np.multiply": lambda w: np.multiply(np.ones(3, np.float32), w),
    "np.asarray": np.asarray,
    "np.array": np.array,
}
EXPECTED = {
    "tensor * ndarray": ([1.0, 2.0, 3.0], np.float64),
    "tensor + ndarray": ([3.0, 4.0, 5.0], np.float64),
    "np.exp": ([math.e, math.e**2, math.e**3], np.float32),
    "np.multiply": ([1.0, 2.0, 3.0], np.float32),
    "np.asarray": ([1.0, 2.0, 3.0], np.float32),
    "np.array": ([1.0, 2.0, 3.0], np.float32),
}

OPERATORS = {"*": operator.mul, "+": operator.add, "-": operator.sub, "/": operator.truediv}
OPERATORS["**"] = operator.pow


def _w(requires_grad: bool):
    return jitgrad.tensor([1.0, 2.0, 3.0], requires_grad=requires_grad)


@pytest.mark.parametrize("name", list(THROUGH_NUMPY))
def test_numpy_computing_on_a_tensor_that_requires_grad_is_refused(name):
    with pytest.raises(RuntimeError, match=re.escape(NUMPY_REFUSED)):
        THROUGH_NUMPY[name](_w(True))


def _check_result(name, out) -> None:
    values, dtype = EXPECTED[name]
    as_array = name in ("np.asarray", "np.array")
    assert isinstance(out, np.ndarray if as_array else jitgrad.Tensor)
    got = out if as_array else out.numpy()
    assert got.dtype == dtype
    np.testing.assert_allclose(got, values, rtol=1e-6)
    if not as_array:
        assert out.grad_fn is None and not out.requires_grad


@pytest.mark.parametrize("name", list(THROUGH_NUMPY))
def test_numpy_computes_on_a_tensor_without_grad_and_hands_back_a_tensor(name):
    _check_result(name, THROUGH_NUMPY[name](_w(False)))


@pytest.mark.parametrize("name", list(THROUGH_NUMPY))
def test_numpy_is_allowed_under_no_grad_even_if_the_tensor_requires_grad(name):
    w = _w(True)
    with jitgrad.no_grad():
        out = THROUGH_NUMPY[name](w)
    _check_result(name, out)
    with pytest.raises(RuntimeError, match=re.escape(NUMPY_REFUSED)):
        THROUGH_NUMPY[name](w)  # and refused again once grad mode is back


@pytest.mark.parametrize("requires_grad", [True, False])
@pytest.mark.parametrize("op", list(OPERATORS))
def test_ndarray_on_the_left_is_a_type_error(op, requires_grad):
    w = _w(requires_grad)
    word = "** or pow()" if op == "**" else op
    message = f"for {word}: 'numpy.ndarray' and 'Tensor'"
    if op == "+":  # Python falls back to ndarray's sequence concat, which words its own refusal
        message = "Concatenation operation is not implemented for NumPy arrays"
    with pytest.raises(TypeError, match=re.escape(message)):
        OPERATORS[op](np.ones(3), w)


@pytest.mark.parametrize(
    "scalar, expr, grad",
    [
        (np.float32(2.0), lambda s, w: s * w, [2.0, 2.0, 2.0]),
        (np.float64(2.0), lambda s, w: s * w, [2.0, 2.0, 2.0]),
        (np.int64(3), lambda s, w: s + w, [1.0, 1.0, 1.0]),
        (np.float32(1.0), lambda s, w: s - w, [-1.0, -1.0, -1.0]),
        (np.float64(2.0), lambda s, w: s / w, [-2.0, -0.5, -2.0 / 9.0]),
        (np.float32(2.0), lambda s, w: w * s, [2.0, 2.0, 2.0]),
    ],
)
def test_numpy_scalar_keeps_the_graph(scalar, expr, grad):
    w = _w(True)
    out = expr(scalar, w)
    assert isinstance(out, jitgrad.Tensor) and out.dtype == jitgrad.float32
    assert out.grad_fn is not None
    out.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), grad, rtol=1e-6)


class NumpyExp(Function):
    """A forward computed in numpy: allowed, as PyTorch runs forward with grad mode off."""

    @staticmethod
    def forward(ctx, x):
        r = jitgrad.from_numpy(np.exp(x.numpy()))
        assert isinstance(np.exp(x), jitgrad.Tensor) and isinstance(np.asarray(x), np.ndarray)
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        return g * r


def test_numpy_inside_function_forward_is_allowed():
    w = _w(True)
    out = NumpyExp.apply(w)
    assert out.grad_fn is not None
    out.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.exp([1.0, 2.0, 3.0]), rtol=1e-6)
    with pytest.raises(RuntimeError, match=re.escape(NUMPY_REFUSED)):
        out.numpy()  # the result requires grad outside forward


def test_array_copy_does_not_alias_the_tensor():
    v = _w(False)
    a = np.array(v)
    a[0] = 7.0
    assert v.tolist() == [1.0, 2.0, 3.0]
    shared = np.asarray(v)  # asarray keeps sharing, as with PyTorch
    shared[0] = 7.0
    assert v.tolist() == [7.0, 2.0, 3.0]
