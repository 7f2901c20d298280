"""Installing a backend (the meta device here) wraps public op functions, never classes: a
wrapped ``LinAlgError`` turned ``except LinAlgError`` in every jitgrad module into a
TypeError, so ``linalg.inv_ex`` of a singular matrix failed after any meta tensor existed."""

from __future__ import annotations

import jitgrad as torch


def test_linalg_classes_stay_classes_after_the_meta_backend_is_installed() -> None:
    torch.empty(2, 2, device="meta")  # installs the meta backend's wrappers
    assert isinstance(torch.linalg.LinAlgError, type)
    assert issubclass(torch.linalg.LinAlgError, RuntimeError)
    singular = torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=torch.float64)
    _, info = torch.linalg.inv_ex(singular)
    assert info.item() == 2
    _, info = torch.linalg.cholesky_ex(-torch.eye(2, dtype=torch.float64))
    assert info.item() == 1
