"""Host copies per call of ``index_put`` / ``x[idx] = v`` and of the mask reads (``nonzero``,
``x[mask]`` ...) on device tensors (issue 15), in Numba's CUDA simulator: the simulator's
device array class is patched to count device-to-host and host-to-device copies around one
call (after a warm-up call), for the forms below; then NumPy's reads of a device array are
refused and the call made again ("numpy read": the simulator lets NumPy read device memory
directly, which no copy counter sees and a GPU would not allow).
Run from a tree: ``NUMBA_ENABLE_CUDASIM=1 python perf/cuda_index_put_copies.py``
(run it on main's tree too for the before figures)."""

from __future__ import annotations

import collections

import numpy as np
from numba import cuda

import jitgrad as torch
from jitgrad.backends.cuda import runtime


def forms() -> dict:
    x = torch.tensor(np.arange(24.0, dtype=np.float32).reshape(4, 3, 2), device="cuda")
    v = torch.ones(3, 2, device="cuda")
    i, j = torch.tensor([1, 3, 1], device="cuda"), torch.tensor([2, -1, 0], device="cuda")
    mask = torch.tensor([True, False, True, True], device="cuda")
    xg = x.clone().requires_grad_()

    def setitem(key, value):
        y = x.clone()
        y[key] = value

    return {
        "index_put (i,)": lambda: x.index_put((i,), v),
        "index_put (i, j) accumulate": lambda: x.index_put((i, j), v[0], accumulate=True),
        "index_put_ (i,)": lambda: x.clone().index_put_((i,), v),
        "x[i, j] = v": lambda: setitem((i, j), v[0]),
        "x[i] = 2.0": lambda: setitem(i, 2.0),
        "x[i] = v, recorded, + backward": lambda: _recorded(xg, i, v),
        "index_put (mask,)": lambda: x.index_put((mask,), v),
        "x[mask] = v": lambda: setitem(mask, v),
        "mask.nonzero()": lambda: mask.nonzero(),
        "nonzero(mask, as_tuple=True)": lambda: torch.nonzero(mask, as_tuple=True),
        "torch.argwhere(mask)": lambda: torch.argwhere(mask),
        "x[mask]": lambda: x[mask],
        "masked_select(x, mask[:, None, None])": lambda: torch.masked_select(
            x, mask[:, None, None]
        ),
    }


def _recorded(xg, i, v):
    y = xg * 1
    y[i] = v
    y.sum().backward()


def main() -> None:
    array = runtime.DEVICE_ARRAY_TYPES[0]
    counts = collections.Counter()
    for kind, name in (("D2H", "copy_to_host"), ("H2D", "copy_to_device")):
        original = getattr(array, name)

        def counted(*a, _o=original, _k=kind, **k):
            counts[_k] += 1
            return _o(*a, **k)

        setattr(array, name, counted)
    for name, fn in forms().items():
        fn()
        counts.clear()
        fn()
        d2h, h2d = counts["D2H"], counts["H2D"]
        read = _numpy_reads(type(cuda.device_array(1)), fn)
        print(f"{name:38s} D2H {d2h}  H2D {h2d}  numpy read {read}")


def _numpy_reads(array: type, fn) -> str:
    """ "yes" if ``fn`` makes NumPy read a device array (the patch refuses it), else "no"."""

    def refuse(*a, **k):
        raise RuntimeError("numpy read")

    names = ("__array__", "__array_interface__", "__array_struct__")
    saved = {n: array.__dict__.get(n) for n in names}
    array.__array__ = refuse
    array.__array_interface__ = property(refuse)
    array.__array_struct__ = property(refuse)
    try:
        fn()
        return "no"
    except RuntimeError as e:
        if "numpy read" not in str(e):
            raise
        return "yes"
    finally:
        for n, v in saved.items():
            if v is None:
                delattr(array, n)
            else:
                setattr(array, n, v)


if __name__ == "__main__":
    main()
