"""Record every kernel launch the simulator runs, to compile each for a real GPU afterwards.

The simulator runs a kernel's Python as it is, so it accepts code and arguments that Numba's
real CUDA target refuses (untypable constructs, a signature never compiled), and it silently
copies a host numpy array passed to a kernel, which on a GPU is a synchronizing transfer
(and numba-cuda's "Host array used in CUDA kernel" warning). :func:`install` wraps the
simulator's kernel call so each launch of a kernel (hand-written or rendered) is noted once
per argument signature; :func:`dump` writes them to JSON, which ``ptx_generated.py check``
compiles with the real target (no GPU needed). The records are plain data:

- ``kernel``: ``["generated", source]`` for a rendered kernel, or ``["module", module,
  qualname, factory_args]`` for one defined in a module (``factory_args``: the closure values
  of a kernel made by a factory such as ``matmul._tiled(16)``);
- ``args``: per argument ``["a", dtype, ndim, layout]`` (a device array), ``["h", dtype, ndim]``
  (a HOST array: refused by the check), ``["n", dtype]`` (a numpy scalar), ``["p", type]`` (a
  Python bool, int or float) or ``["t", [items]]`` (a tuple): types only, so each signature
  is one record.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import numpy as np
from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray
from numba.cuda.simulator.kernel import FakeCUDAKernel

from jitgrad.backends.cuda import render

_SEEN: dict[str, dict] = {}
_LOCK = threading.Lock()


def _arg(v: Any) -> list:
    if isinstance(v, FakeCUDAArray):
        a = v._ary
        layout = "C" if a.flags.c_contiguous else "F" if a.flags.f_contiguous else "A"
        return ["a", a.dtype.str, a.ndim, layout]
    if isinstance(v, np.ndarray):
        return ["h", v.dtype.str, v.ndim]
    if isinstance(v, np.generic):
        return ["n", v.dtype.str]
    if isinstance(v, (bool, int, float)):
        return ["p", type(v).__name__]
    if isinstance(v, tuple):
        return ["t", [_arg(x) for x in v]]
    return ["?", type(v).__name__, repr(v)[:80]]


def _kernel(fn: Any) -> list:
    if fn.__globals__.get("__name__", "").startswith("jitgrad_cuda_"):
        for spec, kernel in list(render._KERNELS.items()):
            if kernel.py_func is fn:
                return ["generated", render._SOURCES[spec]]
        raise LookupError(f"no rendered source for {fn.__name__}")
    cells = [c.cell_contents for c in fn.__closure__ or ()]
    return ["module", fn.__module__, fn.__qualname__, cells]


def install() -> None:
    """Wrap the simulator's kernel launch (idempotent)."""
    if getattr(FakeCUDAKernel.__call__, "_recording", False):
        return
    call = FakeCUDAKernel.__call__

    def recording_call(self: Any, *args: Any) -> Any:
        if not self._device:
            record = {"kernel": _kernel(self.fn), "args": [_arg(a) for a in args]}
            key = json.dumps(record, sort_keys=True)
            with _LOCK:
                _SEEN.setdefault(key, record)
        return call(self, *args)

    recording_call._recording = True  # type: ignore[attr-defined]
    FakeCUDAKernel.__call__ = recording_call


def dump(path: str) -> int:
    """Write the launches seen so far to ``path`` (JSON); returns how many."""
    with _LOCK:
        records = list(_SEEN.values())
    with open(path, "w") as f:
        json.dump(records, f)
    return len(records)
