"""jitgrad.kernels.cpu.blas_threads: OpenBLAS's thread count set and restored without
threadpoolctl (the demo's small matrix products on one BLAS thread)."""

import numpy as np
import pytest

from jitgrad.kernels.cpu import blas_threads


def _loaded():
    found = blas_threads.threads()
    if not found:
        pytest.skip("no OpenBLAS loaded in this process (numpy built against another BLAS)")
    return found


def test_limit_sets_every_loaded_openblas_and_restores_it():
    before = _loaded()
    with blas_threads.limit(1):
        inside = blas_threads.threads()
        a = np.arange(64 * 64, dtype=np.float64).reshape(64, 64)
        product = a @ a  # BLAS still computes under the limit
    assert set(inside) == set(before)
    assert all(n == 1 for n in inside.values()), inside
    assert blas_threads.threads() == before
    np.testing.assert_array_equal(product[0, :2], [a[0] @ a[:, 0], a[0] @ a[:, 1]])


def test_limit_restores_after_an_exception():
    before = _loaded()
    with pytest.raises(ZeroDivisionError), blas_threads.limit(1):
        1 / 0  # noqa: B018
    assert blas_threads.threads() == before


def test_limit_above_the_current_count_changes_nothing():
    before = _loaded()
    with blas_threads.limit(max(before.values()) + 1):
        assert blas_threads.threads() == before
    assert blas_threads.threads() == before
