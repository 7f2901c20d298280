"""What the ``test_port_*.py`` files (cases ported from PyTorch's own test files) share:
PyTorch's ``assertEqual`` for tensors. Free of jitgrad imports, so that those files also run
against real PyTorch with ``jitgrad`` mapped to ``torch`` (how their expectations were checked)."""

from __future__ import annotations

from typing import Any

import numpy as np


def close(a: Any, b: Any, tol: float = 1e-6) -> None:
    """Values equal within ``tol`` (absolute and relative); shapes must agree."""
    a = np.asarray(a.detach() if hasattr(a, "detach") else a, dtype=np.float64)
    b = np.asarray(b.detach() if hasattr(b, "detach") else b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def same(actual: Any, expected: Any, tol: float = 0.0) -> None:
    """PyTorch's ``assertEqual`` on values and shape: exact by default (NaN equal to NaN;
    ``atol=rtol=0``), within ``tol`` when given; ``exact_dtype`` is checked by the caller
    where it matters."""
    a = np.asarray(actual.numpy() if hasattr(actual, "numpy") else actual)
    e = np.asarray(expected.numpy() if hasattr(expected, "numpy") else expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    if tol:
        np.testing.assert_allclose(a, e, rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(a, e)
