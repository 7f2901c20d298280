"""Tier 0's conversions: a generated kernel that only converts or copies an array.

Why: ``x.float()``, ``.long()``, ``.bool()``, ``.to(torch.int8)``... is a kernel of its own
for each pair of dtypes (and each layout): ~0.1 CPU s of compile apiece, 35 of them when the
two corpus halves run on a fresh cache (perf/RESULTS.md, Run ttime18a), and tier 0's
interpreters hold one dtype. A conversion has no arithmetic to interpret: NumPy's unsafe cast
writes the value the compiled store writes wherever that conversion is defined, so such a
kernel runs on NumPy (as fast as the compiled loop: it is never compiled for speed) when the
pair is one of these:

* float32/float64 to float32/float64: IEEE rounding to nearest (NaN payloads kept as the
  hardware keeps them, in both);
* bool or a signed integer (or uint8/16/32) to float32/float64: correctly rounded in both
  (one rounding from the integer, not through float64);
* bool or an integer to an integer: the low bits (two's complement), as LLVM's ``trunc`` /
  ``sext`` / ``zext``;
* any of those to bool: nonzero (NaN true, -0.0 false), as Numba's ``np.bool_(x)``;
* any of those to its own dtype (the ``copy`` kernel): the same bytes.

Float to integer stays compiled: out of range (and for NaN) LLVM leaves the result undefined, so
the compiled kernel's bits there are the hardware's and may change with vectorization: "the
same bits" cannot be promised. Complex and float16 stay compiled too.
``tests/test_tier0_convert.py`` compares one pair per rule with the compiled kernel, extremes
included; ``perf/tier0_convert_check.py`` every pair.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Source kinds and item sizes a conversion reads (NumPy ``dtype.kind``, ``itemsize``): floats
#: of 4 and 8 bytes, signed integers, unsigned of 1-4 bytes (uint64 to a float is left to the
#: kernel), booleans.
_FLOAT = {("f", 4), ("f", 8)}
_INT = {("i", 1), ("i", 2), ("i", 4), ("i", 8), ("u", 1), ("u", 2), ("u", 4)}
_BOOL = {("b", 1)}


def takes(spec: Any) -> bool:
    """Whether ``spec`` is a pure conversion: one array operand stored, converted, into one
    output: the ``cast`` op's kernel ``(a, out)``, or the ``copy`` op's ``(dst, src, out)``
    (``x.copy_(y)``, ``x[idx] = y`` of another dtype or layout; ``out`` is ``dst``, which the
    body never reads). A fused chain that casts on the way is not one."""
    if spec.compact or len(spec.stmts) != 1 or len(spec.outputs) != 1:
        return False
    (local, expr), (_, value, mode, dtype) = spec.stmts[0], spec.outputs[0]
    if mode != "store" or value != local:
        return False
    if spec.label == "cast" and spec.inputs == (("a", False),):
        return expr == f"np.{dtype}(a_)"
    if spec.label == "copy" and spec.inputs == (("a", False), ("b", False)):
        return expr in ("b_", f"np.{dtype}(b_)")
    return False


def exact(src: np.dtype, dst: np.dtype) -> bool:
    """Whether NumPy's unsafe cast from ``src`` to ``dst`` is the compiled store's, bit for
    bit (see the module docstring)."""
    s, d = (src.kind, src.itemsize), (dst.kind, dst.itemsize)
    if src == dst:  # a copy: the same bytes (floats are moved, never rounded, in both)
        return s in _FLOAT or s in _INT or s in _BOOL or s == ("u", 8)
    if d in _FLOAT:
        return s in _FLOAT or s in _INT or s in _BOOL
    if d in _INT or (d == ("u", 8)):
        return s in _INT or s in _BOOL or s == ("u", 8)
    if d in _BOOL:
        return s in _FLOAT or s in _INT or s in _BOOL or s == ("u", 8)
    return False


def run(a: np.ndarray, out: np.ndarray) -> bool:
    """``out[...] = a`` converted, when the pair is :func:`exact` and ``out`` has memory of its
    own (no element written through stride 0, nothing shared with ``a``); False (nothing done)
    otherwise: the call compiles, as before."""
    if not exact(a.dtype, out.dtype):
        return False
    if (out.size > 1 and 0 in out.strides) or np.may_share_memory(a, out):
        return False
    if a.dtype.kind == "f" and out.dtype.kind == "f" and out.itemsize < a.itemsize:
        with np.errstate(over="ignore", invalid="ignore"):  # (the compiled store warns of
            np.copyto(out, a, casting="unsafe")  # nothing; only a narrowing float can)
    else:
        np.copyto(out, a, casting="unsafe")
    return True


#: Estimated extra seconds of a call on NumPy over the compiled kernel's entry point (measured
#: on small casts: ~1.5-2.6 us more per call, Run ttime18a): a conversion called often enough to
#: spend tier 0's budget this way compiles, as an interpreted kernel does.
CALL_S = 2e-6


class Conversion:
    """A conversion kernel's ``fn``: NumPy for the pairs it takes until its calls have cost
    ``budget`` seconds more than compiled ones would (then the kernel's other path takes
    over for good, as a hot kernel in tier 0 compiles); every other call goes to that other
    path (``other``: the kernel's tier-0 interpreter, e.g. a complex cast, or its first-call
    path, which compiles or loads it), while later taken pairs stay on NumPy."""

    __slots__ = ("kernel", "other", "calls", "budget")

    def __init__(self, kernel: Any, other: Any, budget: float) -> None:
        self.kernel = kernel
        self.other = other
        self.calls = 0
        self.budget = budget

    def __call__(self, *args: np.ndarray) -> Any:
        if self.calls * CALL_S < self.budget and run(args[-2], args[-1]):
            self.calls += 1  # (the source, the output: the last two arguments)
            return None
        kernel = self.kernel
        kernel.fn = self.other  # (the other path sees itself as the kernel's fn, as before)
        try:
            return self.other(*args)
        finally:
            self.other = kernel.fn  # (the compiled code, once that path has handed over)
            if self.calls * CALL_S < self.budget:
                kernel.fn = self
