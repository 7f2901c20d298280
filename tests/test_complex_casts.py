"""``Tensor.cfloat()``/``Tensor.cdouble()``: PyTorch's complex conversions (what its linalg
docstrings call to build complex matrices). Values, dtype, the ``ToCopyBackward0`` node and the
gradient back to the real input (PyTorch: the real part of the complex gradient)."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch


@pytest.mark.parametrize(
    "method, dtype", [("cfloat", torch.complex64), ("cdouble", torch.complex128)]
)
@pytest.mark.parametrize("src", [torch.float32, torch.float64, torch.int64])
def test_complex_cast_values_and_dtype(method: str, dtype, src) -> None:
    x = torch.tensor([[1, -2], [3, 0]], dtype=src)
    y = getattr(x, method)()
    assert y.dtype == dtype and y.shape == x.shape
    np.testing.assert_array_equal(y.numpy(), x.numpy().astype(np.complex128))


@pytest.mark.parametrize("method", ["cfloat", "cdouble"])
def test_complex_cast_gradient_is_the_real_part(method: str) -> None:
    x = torch.tensor([1.5, -2.0, 0.25], dtype=torch.float64, requires_grad=True)
    y = getattr(x, method)()
    assert type(y.grad_fn).__name__ == "ToCopyBackward0"
    w = torch.tensor([1 + 2j, -3 + 0.5j, 2 - 1j], dtype=y.dtype)
    (y * w).real.sum().backward()  # d/dx Re(w x) = Re(w)
    np.testing.assert_allclose(x.grad.numpy(), [1.0, -3.0, 2.0])
    assert x.grad.dtype == torch.float64
