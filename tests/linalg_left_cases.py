"""Inputs and calls shared by the recorder (tests/fixtures/make_linalg_left_torch.py, real
PyTorch) and tests/test_linalg_left.py (jitgrad): lstsq's residuals, the nuclear norm through
``torch.norm`` and ``torch.linalg.householder_product``. Each call takes the module (``T``)
and leaf tensors, and returns the outputs whose node names, values and gradients are compared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

TALL = np.array([[1.0, 0.5, -0.3], [0.2, -1.1, 0.7], [0.9, 0.4, 1.3], [-0.6, 0.8, 0.1],
                 [0.3, -0.2, -0.9]])  # fmt: skip
RHS = np.array([[0.4, -1.0], [1.2, 0.3], [-0.5, 0.8], [0.7, 0.2], [0.1, -0.6]])
TALL_C = TALL + 1j * np.roll(TALL, 1, axis=0) * 0.5
RHS_C = RHS - 1j * np.roll(RHS, 2, axis=0) * 0.7


def _res(driver: str, vector: bool = False) -> Callable[[Any, Any, Any], Any]:
    """lstsq's solution and residuals; the loss reads both."""

    def call(T: Any, a: Any, b: Any) -> tuple:  # noqa: N803
        r = T.linalg.lstsq(a, b[:, 0] if vector else b, driver=driver)
        return r.solution, r.residuals

    return call


#: name -> (complex?, driver, vector rhs?)
LSTSQ = {
    "gelsd": (False, "gelsd", False),
    "gels": (False, "gels", False),
    "gelss_vector": (False, "gelss", True),
    "gelsy_empty": (False, "gelsy", False),
    "complex_gelsd": (True, "gelsd", False),
    "complex_gels_vector": (True, "gels", True),
}


def lstsq_inputs(T: Any, is_complex: bool) -> tuple[Any, Any]:  # noqa: N803
    a, b = (TALL_C, RHS_C) if is_complex else (TALL, RHS)
    return T.tensor(a).requires_grad_(), T.tensor(b).requires_grad_()


def lstsq_loss(T: Any, outs: tuple) -> Any:  # noqa: N803
    """A real loss of the solution (real and imaginary parts) and the residuals."""
    x, res = outs
    xr = T.view_as_real(x) if x.is_complex() else x
    return (xr * xr).sum() * 0.5 + (res * T.arange(1, res.numel() + 1).to(res.dtype)).sum()
