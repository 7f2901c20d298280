"""Numba kernels for the non-elementwise reductions: sum, mean, var, prod, max/min, logsumexp,
softmax, log_softmax and cumsum, forward and backward.

Layout contract, shared by every kernel here: the caller reshapes a reduction over a contiguous
run of axes to a C-contiguous 3-D array ``x3`` of shape ``(A, R, B)`` reduced over ``R`` (``A`` =
product of the leading dims, ``B`` = product of the trailing ones) and preallocates the output,
``(A, B)`` for reductions and ``(A, R, B)`` for the shape-keeping ops. :func:`reduction_plan`
tells the caller whether a transpose is needed first. Kernels take no default arguments (they slow
Numba's dispatch) and allocate only scratch.

Accuracy: sums are pairwise like numpy's. A contiguous slice (``B == 1``) is cut into leaves of
:data:`BLOCK` elements, each summed by a loop that LLVM vectorises (``fastmath`` with only
``reassoc``, so NaN and inf still behave), and the leaf sums are combined by a binary counter,
which builds the same balanced tree as recursive pairwise summation without recursion. A strided
slice (``B > 1``) does the same over blocks of :data:`ROW_BLOCK` rows, vectorised across ``B``.
float32 stays float32 throughout; integer sums accumulate in the output's dtype (int64, as torch).
The softmax family handles ``B > 1`` by transposing to ``(A, B, R)`` scratch, which is rare
enough in practice not to deserve its own strided code.

Parallel variants (``*_par``, same arguments) run the serial kernels, which release the GIL, on
contiguous views from a thread pool: groups of ``A`` slices, or, for the reductions when there
are few long slices, chunks of ``R`` whose size is a power-of-two number of pairwise leaves, so
that every chunk is a whole subtree of the serial tree and the partials are combined by the same
binary counter. Results are therefore the serial kernel's bit for bit, whatever the thread count
or timing. Not split: a single slice of the softmax family or of cumsum, and ``A == 1`` with an
``R`` too short to chunk (a wide sum over few rows); those run on one thread. ``prange`` drivers
were tried first and dropped for compile time: with them a cold run of this module's tests took
~190 s of CPU on an idle 16-core machine, against ~45 s now, and threads cost no compile at all.
Use :func:`pick` to choose serial or parallel by size.

Compile time drives the structure: Numba re-optimises every callee's code inside each caller, so
kernels are one level deep over small helpers, and op codes are never passed as literals. Helpers
without fastmath flags of their own are ``inline="always"`` (``reduce_leaves._INLINE``): typed
inside each kernel, never compiled as functions of their own (a first program's first reduction
compiles 35-50% less; perf/RESULTS.md, Run W).

Signatures, for the first run's sake (a cold test run compiles each once per process): the
frontend widens bool and integer inputs narrower than 64 bits to int64 (all/any: to bool), so
a kernel has one integer signature; ``mean_fwd``, ``mean_var_fwd``, ``var_fwd`` and
``mean_flat`` are Python around the sum kernels and one numpy division (IEEE's, as the
kernels' was; ``mean_leaf``, the small full mean of the per-op path, stays a kernel);
max and min are one kernel (``extreme_fwd``), as are cumsum and its reverse (``cumsum_dir``),
with the direction a run-time flag (perf/RESULTS.md, Run coldtests).

This module is the family's entry point; the code lives in its parts, bottom up:
:mod:`.reduce_plan` (the ``(A, R, B)`` planning), :mod:`.reduce_leaves` (pairwise leaves and
drivers), :mod:`.reduce_sum` (sum, mean, var, prod), :mod:`.reduce_minmax`,
:mod:`.reduce_softmax` (logsumexp, softmax, log_softmax, cumsum), :mod:`.reduce_parallel`
(the ``*_par`` variants and :func:`pick`) and :mod:`.reduce_call` (calls on arrays of any
shape).
"""

from __future__ import annotations

from .reduce_call import sum_to_shape
from .reduce_leaves import BLOCK, PAR_CHUNK
from .reduce_minmax import amax_bwd, max_bwd, max_fwd, min_fwd
from .reduce_parallel import (
    PARALLEL_MIN_EXP,
    PARALLEL_MIN_REDUCE,
    cumsum_bwd_par,
    cumsum_fwd_par,
    log_softmax_bwd_par,
    log_softmax_fwd_par,
    logsumexp_fwd_par,
    max_fwd_par,
    mean_fwd_par,
    mean_var_fwd_par,
    min_fwd_par,
    pick,
    prod_fwd_par,
    softmax_bwd_par,
    softmax_fwd_par,
    sum_fwd_par,
    sum_leading_fwd,
    var_fwd_par,
    vector_softmax,
    vector_softmax_bwd,
)
from .reduce_plan import as_3d, reduction_plan
from .reduce_softmax import (
    cumsum_bwd,
    cumsum_fwd,
    log_softmax_bwd,
    log_softmax_fwd,
    logsumexp_fwd,
    softmax_bwd,
    softmax_fwd,
)
from .reduce_sum import (
    mean_fwd,
    mean_var_fwd,
    prod_bwd,
    prod_fwd,
    sqdev_fwd,
    sum_fwd,
    var_bwd,
    var_fwd,
)

__all__ = [
    "BLOCK",
    "PAR_CHUNK",
    "PARALLEL_MIN_EXP",
    "PARALLEL_MIN_REDUCE",
    "amax_bwd",
    "as_3d",
    "cumsum_bwd",
    "cumsum_bwd_par",
    "cumsum_fwd",
    "cumsum_fwd_par",
    "log_softmax_bwd",
    "log_softmax_bwd_par",
    "log_softmax_fwd",
    "log_softmax_fwd_par",
    "logsumexp_fwd",
    "logsumexp_fwd_par",
    "max_bwd",
    "max_fwd",
    "max_fwd_par",
    "mean_fwd",
    "mean_fwd_par",
    "mean_var_fwd",
    "mean_var_fwd_par",
    "min_fwd",
    "min_fwd_par",
    "pick",
    "prod_bwd",
    "prod_fwd",
    "prod_fwd_par",
    "reduction_plan",
    "softmax_bwd",
    "softmax_bwd_par",
    "softmax_fwd",
    "softmax_fwd_par",
    "sqdev_fwd",
    "sum_fwd",
    "sum_fwd_par",
    "sum_leading_fwd",
    "sum_to_shape",
    "var_bwd",
    "var_fwd",
    "var_fwd_par",
    "vector_softmax",
    "vector_softmax_bwd",
]
