"""The hand-written CUDA kernels (jitgrad/kernels/cuda), each with the argument types the
wrappers pass, for the PTX check (``tests/cuda_sim/ptx_generated.py check``, which compiles
them for sm_80 with Numba's real CUDA target together with the launches a device program
records, each kernel and signature once).

Argument types are C-contiguous arrays, Python ints (int64), dtype scalars and tuples, for
float32 and float64. A float32 case (no float64 or complex128 operand) must hold no float64
instruction at all (:func:`jobs`' ``strict``): a stray float literal or ``math.*`` call on a
float32 would otherwise make it compute in float64, slowly. No kernel may use atomic float
adds: the reductions are fixed trees, the same bits every run. This module only lists cases;
importing it compiles nothing.
"""

from __future__ import annotations

import numba
import numpy as np

from jitgrad.kernels.cuda import argreduce as AR
from jitgrad.kernels.cuda import compact as KC
from jitgrad.kernels.cuda import matmul as MM
from jitgrad.kernels.cuda import memory as M
from jitgrad.kernels.cuda import norm as N
from jitgrad.kernels.cuda import optim as O
from jitgrad.kernels.cuda import optim_more as OM
from jitgrad.kernels.cuda import random as KR
from jitgrad.kernels.cuda import reduce as R
from jitgrad.kernels.cuda import resample as RS
from jitgrad.kernels.cuda import rows as RW
from jitgrad.kernels.cuda import scan as SC
from jitgrad.kernels.cuda import sort as SO
from jitgrad.kernels.cuda import windows as WN

WIDE = (np.float64, np.complex128)  # (a kernel over these computes in float64)


def a(dt, ndim=1):
    return np.zeros((1,) * ndim, dt)


#: a window geometry as the wrappers pass it: 15 Python ints (kernel, stride, padding,
#: dilation, output size per dim)
GEO = (1, 3, 3, 1, 2, 2, 0, 1, 1, 1, 1, 1, 1, 4, 4)


def cases(dt):
    """(kernel, example arguments) for each kernel at float dtype ``dt``."""
    z = dt(0)
    i64 = a(np.int64)
    return [
        (R._rows_kernel, (a(dt, 2), a(dt), 0, z, 1)),
        (R._cols_kernel, (a(dt, 3), a(dt, 3), 0, z)),
        (R._rows_kernel, (a(np.int64, 2), i64, 0, np.int64(0), 1)),
        (R._cols_kernel, (a(np.int64, 3), a(np.int64, 3), 0, np.int64(0))),
        (R._rows_kernel, (a(np.uint8, 2), a(np.uint8), 1, np.uint8(0), 1)),
        (R._cols_kernel, (a(np.int32, 3), a(np.int32, 3), 2, np.int32(0))),
        (M._copy_kernel, (a(np.bool_), a(np.uint8))),
        (M._nonzero_kernel, (a(np.uint8), a(np.bool_))),
        (R._div_kernel, (a(dt), z)),
        (AR._arg_kernel, (a(np.int32, 3), i64, False)),
        (AR._arg_kernel, (a(dt, 3), i64, True)),
        (M._fill_kernel, (a(dt), z)),
        (M._onehot_kernel, (i64, -100, 3, a(dt))),
        (M._onehot_kernel, (a(np.uint8), 255, 3, a(dt))),
        (M._copy_kernel, (a(dt), a(np.int64))),
        (M._copy_kernel, (a(np.int32), i64)),  # (error flags gathered: runtime._read_flags)
        (M._copy_kernel, (i64, i64)),
        (M._copy_kernel, (a(np.float32), a(dt))),
        (M._nonzero_kernel, (a(dt), a(np.bool_))),
        (M._gather_kernel, (a(dt), (1, 2), (1, 2), 0, a(dt))),
        (M._scatter_kernel, (a(dt), (1, 2), (1, 2), 0, a(dt))),
        (M._gather_rows_kernel, (a(dt), i64, 5, 4, a(dt), a(np.int32))),
        (M._add_rows_kernel, (a(dt), i64, 5, 4, -1, a(dt))),
        (M._take_along_kernel, (a(dt), i64, 5, 2, 4, True, True, a(dt), a(np.int32))),
        (M._take_along_kernel, (a(np.int64), i64, 5, 2, 4, False, False, i64, a(np.int32))),
        (M._add_along_kernel, (a(dt), i64, 5, 2, 4, False, 0, a(dt))),
        (M._triangle_kernel, (a(dt), 3, 4, -1, True, a(dt))),
        (M._onehot_checked_kernel, (i64, 5, i64, a(np.int32))),
        (O._adagrad_kernel, (a(dt), a(dt), a(dt), z, z, z, False)),
        (O._rmsprop_kernel, (a(dt),) * 5 + (z,) * 6 + (True, False)),
        (O._adadelta_kernel, (a(dt),) * 4 + (z,) * 5 + (True,)),
        (OM._adamax_kernel, (a(dt),) * 4 + (z, z, True) + (z,) * 4 + (False,)),
        (OM._nadam_kernel, (a(dt),) * 4 + (z, z, True) + (z,) * 8 + (False,)),
        (OM._radam_kernel, (a(dt),) * 4 + (z, z, False) + (z,) * 9 + (True, True)),
        (OM._asgd_kernel, (a(dt),) * 3 + (z,) * 4 + (True, False)),
        (OM._rprop_kernel, (a(dt),) * 4 + (z,) * 4 + (True,)),
        (MM._tiled(16), (a(dt, 3), a(dt, 3), a(dt, 3), False, True)),
        (MM._tiled(32), (a(dt, 3), a(dt, 3), a(dt, 3), True, False)),
        (MM._tiled(16), (a(np.int8, 3), a(np.int8, 3), a(np.int8, 3), False, False)),
        (MM._tiled(16), (a(np.int64, 3), a(np.int64, 3), a(np.int64, 3), True, False)),
        (MM._tiled(16), (a(np.complex64, 3),) * 3 + (False, True)),
        (MM._tiled(16), (a(np.complex128, 3),) * 3 + (False, False)),
        (RS._rows_kernel, (a(dt, 3), i64, i64, a(dt), z, a(dt, 3))),
        (RW._softmax_kernel, (a(dt, 2), a(dt, 2), True)),
        (RW._softmax_bwd_kernel, (a(dt, 2), a(dt, 2), a(dt, 2), False)),
        (RW._ce_fwd_kernel, (a(dt, 2), i64, a(dt), True, -100, a(dt), a(dt), a(dt), i64)),
        (RW._ce_bwd_kernel, (a(dt, 2), i64, a(dt), False, -100, a(dt), a(dt), 2, a(dt), a(dt, 2))),
        (RW._ce_fwd_kernel, (a(dt, 2), a(np.uint8), a(dt), False, -100, a(dt), a(dt), a(dt), i64)),
        (
            RW._ce_bwd_kernel,
            (a(dt, 2), a(np.uint8), a(dt), True, -1, a(dt), a(dt), 0, a(dt), a(dt, 2)),
        ),
        (RW._div_kernel, (a(dt), a(dt), a(dt))),
        (N._ln_fwd_kernel, (a(dt, 2), a(dt), a(dt), True, False, z, a(dt, 2), a(dt), a(dt))),
        (O._sgd_kernel, (a(dt), a(dt), a(dt), z, z, z, z, True, False, True)),
        (O._adam_kernel, (a(dt),) * 5 + (z,) * 9 + (True,)),
        (N._ln_bwd_kernel, (a(dt, 2), a(dt, 2), a(dt), a(dt), a(dt), True, a(dt, 2), a(dt, 2))),
        (SC._scan_kernel, (a(dt), a(dt), 3, 2, 0, True, z)),
        (SC._scan_kernel, (a(dt), a(dt), 3, 2, 1, False, dt(1))),
        (SC._scan_kernel, (i64, a(np.int64), 3, 2, 0, False, np.int64(0))),
        (SO._merge_pass, (a(dt), i64, a(dt), a(np.int64), 5, 2, 1, False)),
        (SO._merge_pass, (a(np.int32), i64, a(np.int32), a(np.int64), 5, 2, 4, True)),
        (SO._merge_pass, (i64, i64, a(np.int64), a(np.int64), 5, 1, 2, True)),
        (SO._positions, (i64, 5, 2)),
        (SO._cum_extreme_kernel, (a(dt), a(dt), i64, 5, 2, True)),
        (SO._cum_extreme_kernel, (i64, a(np.int64), i64, 5, 1, False)),
        (KC._block_write, (a(dt), a(np.bool_), i64, 256, a(dt), a(np.int64))),
        (KC._block_sums, (i64, a(np.int64), 256)),
        (KC._block_sums, (a(np.bool_), a(np.int64), 256)),
        (SO._mode_kernel, (a(dt), 5, 2, a(np.int64))),
        (KC._block_scan_kernel, (i64, i64, 3, 256, a(np.int64))),
        (KC._block_coords, (a(np.bool_), i64, 256, (5,), a(np.int64, 2), True)),
        (KC._block_coords, (a(np.bool_), i64, 256, (2, 3), a(np.int64, 2), False)),
        (KC._block_coords, (a(np.bool_), i64, 256, (1, 2, 3, 4), a(np.int64, 2), False)),
        (SO._fold_runs_kernel, (i64, i64, a(dt), 5, 1, False, False, z, a(dt), a(np.int32))),
        (SO._fold_runs_kernel, (i64, i64, i64, 5, 1, False, True, np.int64(0), i64,
                                a(np.int32))),  # fmt: skip
        (SO._fold_runs_kernel, (i64, i64, a(np.int8), 5, 1, False, True, np.int8(0),
                                a(np.int8), a(np.int32))),  # fmt: skip
        (SO._targets_kernel, (i64, 5, 2, 4, True, i64)),
        (M._add_along_kernel, (i64, i64, 5, 2, 4, False, 3, a(np.int64))),
        (WN._im2col_kernel, (a(dt, 4), GEO, a(dt, 3))),
        (WN._col2im_kernel, (a(dt, 3), 1, GEO, a(dt, 4))),
        (WN._add_channel_kernel, (a(dt, 3), a(dt))),
        (WN._max_pool_kernel, (a(dt, 4), GEO, a(dt, 4), a(np.int64, 4))),
        (WN._max_pool_bwd_kernel, (a(dt, 2), a(np.int64, 2), GEO, a(dt, 4))),
        (WN._take_kernel, (a(dt, 2), a(np.int64, 2), a(dt, 2))),
        (WN._window_max_kernel, (a(dt, 4),) + (i64,) * 6 + (a(dt, 4), a(np.int64, 4))),
        (WN._window_max_bwd_kernel, (a(dt, 2), a(np.int64, 2)) + (i64,) * 6 + (a(dt, 4),)),
        (WN._avg_pool_kernel, (a(dt, 4),) + (i64,) * 6 + (a(dt, 3), a(dt, 4))),
        (WN._avg_pool_bwd_kernel, (a(dt, 4),) + (i64,) * 6 + (a(dt, 3), a(dt, 4))),
        (KR._dropout_mask_kernel, (a(dt), np.uint64(1 << 31), z, z) + (np.uint64(0),) * 4),
        (KR._uniform_kernel, (a(dt), z, z) + (np.uint64(0),) * 5),
    ]


def jobs():
    """``(python function, numba signature, strict)`` per case of both dtypes; ``strict``: a
    float32 case without float64/complex128 operands, whose PTX must hold no ``.f64``."""
    for dt in (np.float32, np.float64):
        for kernel, args in cases(dt):
            sig = tuple(numba.typeof(v) for v in args)
            narrow = all(np.dtype(getattr(v, "dtype", dt)) not in WIDE for v in args)
            yield kernel.py_func, sig, dt is np.float32 and narrow
