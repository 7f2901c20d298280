"""Complex convolutions, one table for jitgrad's tests and the PyTorch recorder
(tests/fixtures/make_complex_conv_torch.py): each case a call over ``(T, x, w, b)`` (``T``
is torch or jitgrad) and the operands' shapes (the bias None where the call takes none)."""

from __future__ import annotations

from typing import Any

import numpy as np

CASES: dict[str, tuple] = {
    "conv1d_padded": (lambda T, x, w, b: T.nn.functional.conv1d(x, w, b, padding=1),
                      (2, 2, 5), (3, 2, 3), (3,)),
    "conv2d_groups_stride": (lambda T, x, w, b: T.nn.functional.conv2d(x, w, b, stride=2, groups=2),
                             (1, 4, 5, 5), (2, 2, 3, 3), None),
    "conv2d_unbatched": (lambda T, x, w, b: T.nn.functional.conv2d(x, w, b, dilation=2),
                         (2, 5, 5), (3, 2, 2, 2), (3,)),
    "conv3d": (lambda T, x, w, b: T.nn.functional.conv3d(x, w, b),
               (1, 1, 3, 3, 3), (2, 1, 2, 2, 2), (2,)),
    "conv_transpose2d": (lambda T, x, w, b: T.nn.functional.conv_transpose2d(x, w, b, stride=2),
                         (1, 2, 3, 3), (2, 3, 2, 2), (3,)),
    "conv_transpose1d": (lambda T, x, w, b: T.nn.functional.conv_transpose1d(x, w, b, padding=1),
                         (1, 2, 4), (2, 1, 3), None),
}  # fmt: skip


def operand(shape: tuple, seed: int) -> np.ndarray:
    """Complex128 values for an operand (the same on both sides of the comparison)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def run(T: Any, name: str, dtype: Any = None, device: str = "cpu") -> dict:
    """The case's output, its node's name and the gradients of ``(y * v).real.sum()`` (``v``
    fixed) for the input, weight and bias; ``dtype`` (T's complex dtype) defaults to
    complex128; ``device`` is where the operands live."""
    fn, *shapes = CASES[name]
    dtype = dtype or T.complex128

    def leaf(shape: tuple | None, seed: int) -> Any:
        if shape is None:
            return None
        return T.tensor(operand(shape, seed), dtype=dtype, device=device).requires_grad_()

    ts = [leaf(s, i) for i, s in enumerate(shapes)]
    out = fn(T, *ts)
    v = T.tensor(operand(tuple(out.shape), 9), dtype=dtype, device=device)
    (out * v).real.sum().backward()
    return {
        "out": out,
        "node": out.grad_fn.name(),
        "grads": [None if t is None else t.grad for t in ts],
    }
