"""Full reductions of one contiguous run (``x.sum()``, ``x.mean()``, a loss): ``sum_fwd`` and
``mean_fwd`` for ``A == B == 1`` as kernels of their own, for the first run's sake.

Numba compiles every branch of a kernel, so a program's first ``x.sum()`` through ``sum_fwd``
also compiled its strided row-pairwise driver (``B > 1``), which a full reduction never runs:
2.2 s of the README example's 3.2 s of compiling. These make exactly the calls ``sum_fwd`` and
``mean_fwd`` make for ``A == B == 1`` (the same pairwise tree from the same helpers, then the
same division), so results are bit for bit the same, and compile only the pairwise sum.

:func:`sum_leaf` and :func:`mean_leaf` are the same for 1 to ``BLOCK`` elements, where the
pairwise tree is one leaf: they call the leaf (``_leaf_sum``) as ``_pw_sum`` does, without the
tree's driver and scratch stack, so a program's first short ``sum()`` (the README example's)
compiles only the leaf (0.1 s of CPU; 0.5 s through ``sum_flat``); a later long sum's
``sum_flat`` reuses the compiled leaf. The same compiled leaf on the same values: the same
bits. ``sum_leaf`` calls it from Python (a kernel around it cost 0.25 s more to compile);
``mean_leaf`` stays a kernel (see there).

``mean_flat`` is ``sum_flat`` and then ``reduce_sum.divide_by``, as ``mean_fwd`` is ``sum_fwd``
and then the division: no kernel of its own (it was a compile per dtype for one division).
``mean_leaf`` stays a kernel: see there.
"""

from __future__ import annotations

import numpy as np

from .entry_points import entry_point
from .jit import cached_njit
from .reduce_leaves import _JIT, _STACK, _leaf_sum, _pw_sum
from .reduce_sum import divide_by


@cached_njit(**_JIT)
def sum_flat(x3, out2):
    # out2[0, 0] = sum of the (1, R, 1) x3: sum_fwd's B == 1 branch for its one slice.
    R = x3.shape[1]
    of = out2.reshape(1)
    zero = of.dtype.type(0)
    stack = np.empty(_STACK, of.dtype)
    of[0] = _pw_sum(x3.reshape(R), R - R, R, zero, stack)  # R - R: an int64 0, not a literal


def sum_leaf(x3, out2):
    """sum_flat for 1 <= R <= BLOCK: ``out2[0, 0] = leaf_total(x3 as 1-D, out2.dtype)``."""
    out2[0, 0] = leaf_total(x3.reshape(x3.shape[1]), out2.dtype)


def leaf_total(x, out_dtype):
    """The sum of the 1-D C-contiguous ``x`` (1 to BLOCK elements) in ``out_dtype``, as a Python
    number holding it exactly: _pw_sum's one leaf, called with the argument types _pw_sum calls
    it with (a 1-D C array, int64 bounds, the output's zero). Not a kernel: a wrapper kernel
    was 0.25 s of the README example's compile CPU for two reshapes. Once the dispatcher has
    run the leaf for an output dtype, later calls go to that overload's entry point
    (:mod:`.entry_points`): Numba's type resolution of four arguments made a small ``x.sum()``
    slower than through the wrapper kernel (5.14 us against 4.72 us)."""
    hot = _HOT.get(out_dtype)
    if hot is not None and x.dtype is hot[1] and x.flags.aligned:
        return hot[2](x, 0, x.shape[0], hot[0])
    zero = out_dtype.type(0)
    total = _leaf_sum(x, 0, x.shape[0], zero)
    if x.flags.aligned:  # the overload's array type says aligned: only such arrays may reach it
        entry = entry_point(_leaf_sum, (x, 0, x.shape[0], zero))
        if entry is not None:
            _HOT[out_dtype] = (zero, x.dtype, entry)
    return total


#: Output dtype -> (its zero, the leaf's accumulator: typed, so a float32 sum adds in float32;
#: the input dtype the overload takes; the overload's entry point), learned on first use.
_HOT: dict = {}


def mean_flat(x3, out2):
    """out2[0, 0] = sum / R as ``mean_fwd`` computes it (``sum_flat``, then its division);
    R = 0 gives NaN."""
    sum_flat(x3, out2)
    divide_by(out2, x3.shape[1])


@cached_njit(**_JIT)
def mean_leaf(x3, out2):
    # mean_flat for 1 <= R <= BLOCK: the leaf's sum stored, then mean_flat's division. A kernel
    # of its own (0.13 s of compile CPU per dtype), unlike the other means: a small x.mean() is
    # the per-call path, where a division outside the kernel costs ~1 us more per call.
    R = x3.shape[1]
    of = out2.reshape(1)
    T = of.dtype.type
    of[0] = _leaf_sum(x3.reshape(R), R - R, R, T(0))
    of[0] = T(of[0] / T(R))
