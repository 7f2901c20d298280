"""Inputs and calls shared by the recorder (tests/fixtures/make_linalg_geqrf_torch.py, real
PyTorch) and tests/test_linalg_geqrf.py (jitgrad): ``torch.geqrf`` and ``torch.ormqr``. Each
call takes the module (``T``) and returns what is compared."""

from __future__ import annotations

from typing import Any

import numpy as np

TALL = np.array([[1.0, 0.5, -0.3], [0.2, -1.1, 0.7], [0.9, 0.4, 1.3], [-0.6, 0.8, 0.1],
                 [0.3, -0.2, -0.9]])  # fmt: skip
TALL_C = TALL + 1j * np.roll(TALL, 1, axis=0) * 0.5
WIDE = TALL.T.copy()  # 3 x 5
BATCH = np.stack([TALL[:4], TALL[1:] * 0.7 - 0.2])  # 2 x 4 x 3

#: name -> (array, dtype name)
GEQRF = {
    "tall": (TALL, "float64"),
    "wide": (WIDE, "float64"),
    "complex": (TALL_C, "complex128"),
    "batch": (BATCH, "float64"),
    "float32": (TALL, "float32"),
    "complex64_wide": (TALL_C.T.copy(), "complex64"),
}

TAU = np.array([1.3, 0.6, 1.8])
TAU_C = TAU + 1j * np.array([0.4, -0.7, 0.2])


def other(shape: tuple[int, ...], is_complex: bool) -> np.ndarray:
    """A fixed right-hand side of ``shape``."""
    n = int(np.prod(shape))
    x = np.sin(np.arange(1, n + 1) * 0.7).reshape(shape)
    return x + 1j * np.cos(np.arange(n) * 1.3).reshape(shape) if is_complex else x


#: name -> (input, tau, other shape, left, transpose)
ORMQR = {
    "left": (TALL, TAU, (5, 2), True, False),
    "left_t": (TALL, TAU, (5, 2), True, True),
    "right": (TALL, TAU, (2, 5), False, False),
    "right_t": (TALL, TAU, (2, 5), False, True),
    "wide_left": (WIDE, TAU, (3, 4), True, False),
    "complex_left_t": (TALL_C, TAU_C, (5, 2), True, True),
    "complex_right": (TALL_C, TAU_C, (2, 5), False, False),
    "complex_right_t": (TALL_C, TAU_C, (2, 5), False, True),
    "batch": (BATCH, np.stack([TAU, TAU[::-1] * 0.5]), (2, 4, 3), True, False),
}


def ormqr_call(T: Any, name: str) -> tuple[Any, Any, Any, Any]:  # noqa: N803
    """``(y, a, tau, c)`` with the leaves requiring grad, and ``loss`` run backward."""
    a, tau, shape, left, transpose = ORMQR[name]
    is_complex = np.iscomplexobj(a)
    a = T.tensor(a, requires_grad=True)
    tau = T.tensor(tau, requires_grad=True)
    c = T.tensor(other(shape, is_complex), requires_grad=True)
    y = T.ormqr(a, tau, c, left=left, transpose=transpose)
    w = T.tensor(other(tuple(y.shape), is_complex) * 0.8 + 0.3)
    ((y + w).abs() ** 2).sum().backward()
    return y, a, tau, c


def _f64(T: Any, shape: tuple[int, ...]) -> Any:  # noqa: N803
    return T.ones(shape, dtype=T.float64)


#: name -> call raising PyTorch's error
ERRORS = {
    "geqrf_1d": lambda T: T.geqrf(_f64(T, (3,))),
    "geqrf_int": lambda T: T.geqrf(T.ones((3, 3), dtype=T.int32)),
    "geqrf_half": lambda T: T.geqrf(T.ones((3, 3), dtype=T.float16)),
    "geqrf_backward": lambda T: T.geqrf(_f64(T, (3, 2)).requires_grad_()).tau.sum().backward(),
    "geqrf_complex_grad": lambda T: T.geqrf(
        T.ones((3, 2), dtype=T.complex128).requires_grad_()
    ),
    "ormqr_input_1d": lambda T: T.ormqr(_f64(T, (3,)), _f64(T, (3,)), _f64(T, (3, 3))),
    "ormqr_other_1d": lambda T: T.ormqr(_f64(T, (3, 3)), _f64(T, (3,)), _f64(T, (3,))),
    "ormqr_rows": lambda T: T.ormqr(_f64(T, (4, 3)), _f64(T, (3,)), _f64(T, (3, 2))),
    "ormqr_cols": lambda T: T.ormqr(_f64(T, (4, 3)), _f64(T, (3,)), _f64(T, (2, 3)), left=False),
    "ormqr_tau_len": lambda T: T.ormqr(_f64(T, (4, 3)), _f64(T, (2,)), _f64(T, (4, 2))),
    "ormqr_tau_ndim": lambda T: T.ormqr(_f64(T, (2, 4, 3)), _f64(T, (3,)), _f64(T, (2, 4, 2))),
    "ormqr_other_ndim": lambda T: T.ormqr(_f64(T, (2, 4, 3)), _f64(T, (2, 3)), _f64(T, (4, 2))),
    "ormqr_tau_batch": lambda T: T.ormqr(_f64(T, (2, 4, 3)), _f64(T, (3, 3)), _f64(T, (2, 4, 2))),
    "ormqr_other_batch": lambda T: T.ormqr(
        _f64(T, (2, 4, 3)), _f64(T, (2, 3)), _f64(T, (3, 4, 2))
    ),
    "ormqr_tau_dtype": lambda T: T.ormqr(_f64(T, (4, 3)), T.ones(3), _f64(T, (4, 2))),
    "ormqr_other_dtype": lambda T: T.ormqr(_f64(T, (4, 3)), _f64(T, (3,)), T.ones((4, 2))),
    "ormqr_int": lambda T: T.ormqr(
        T.ones((4, 3), dtype=T.int32), T.ones(3, dtype=T.int32), T.ones((4, 2), dtype=T.int32)
    ),
}
