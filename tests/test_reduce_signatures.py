"""Integer and bool reductions run the int64 kernels (``reduce_call.widen``), so a test run
or a program compiles one integer signature per reduction kernel instead of one per input
dtype; and the values stay numpy's (int64 accumulation, as torch)."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad
from jitgrad.kernels.cpu import (
    reduce_extra,
    reduce_flat,
    reduce_minmax,
    reduce_softmax,
    reduce_sum,
)

#: Input dtypes that must reach no reduction kernel (bool may reach all/any: their one).
NARROW = ["int8", "int16", "int32", "uint8", "bool"]
_LOGICAL = ("all_fwd", "any_fwd")


def _signatures() -> set:
    """(kernel name, signature) of every compiled kernel of the reduction modules that an
    integer or bool sum, prod, cumsum, max/min or all/any can reach."""
    found = set()
    for module in (reduce_sum, reduce_flat, reduce_minmax, reduce_softmax, reduce_extra):
        for name, obj in vars(module).items():
            for sig in getattr(obj, "signatures", ()):
                found.add((name, sig))
    return found


def _narrow(sigs: set) -> list:
    """The signatures of narrow inputs among ``sigs`` (the test takes a diff: kernel tests
    may call the kernels with int32 themselves, which the public API then shares)."""
    dtype = lambda sig: str(getattr(sig[0], "dtype", ""))  # noqa: E731
    return [
        (name, sig)
        for name, sig in sigs
        if dtype(sig) in NARROW and not (name in _LOGICAL and dtype(sig) == "bool")
    ]


@pytest.mark.parametrize("dt", NARROW)
def test_narrow_integer_reductions_compile_no_signature_of_their_own(dt):
    before = _signatures()
    x = np.random.default_rng(3).integers(-100, 100, (4, 6, 5)).astype(dt)
    t = jitgrad.tensor(x)
    wide = x.astype(np.int64)
    assert t.sum().item() == int(wide.sum())
    assert np.array_equal(t.sum(1).numpy(), wide.sum(1)) and t.sum(1).dtype == jitgrad.int64
    assert np.array_equal(t.sum((0, 2)).numpy(), wide.sum((0, 2)))
    assert np.array_equal(t.prod(2).numpy(), np.prod(wide, 2))
    assert np.array_equal(t.cumsum(0).numpy(), np.cumsum(wide, 0))
    assert t.cumsum(0).dtype == jitgrad.int64
    values, indices = t.max(1)
    assert values.dtype == t.dtype and np.array_equal(values.numpy(), x.max(1))
    assert np.array_equal(indices.numpy(), x.argmax(1))
    assert np.array_equal(t.amin(2).numpy(), x.min(2)) and t.amin(2).dtype == t.dtype
    assert np.array_equal(t.argmin(0).numpy(), x.argmin(0))
    assert np.array_equal(t.all(1).numpy(), x.all(1))
    assert np.array_equal(t.any(2).numpy(), x.any(2))
    new = _signatures() - before
    assert not _narrow(new), _narrow(new)


def test_all_and_any_of_floats_treat_nan_and_negative_zero_as_the_kernels_did():
    x = np.array([[np.nan, 1.0, -0.0], [0.0, -0.0, 0.0], [np.inf, 2.0, 3.0]], np.float32)
    t = jitgrad.tensor(x)
    assert t.all(1).tolist() == [False, False, True]
    assert t.any(1).tolist() == [True, False, True]
    c = jitgrad.tensor(np.array([[0j, 1j], [0j, 0j]], np.complex64))
    assert c.any(1).tolist() == [True, False] and c.all(0).tolist() == [False, False]
