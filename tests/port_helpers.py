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
