"""Host copies per call of ``index_put`` / ``x[idx] = v`` on device tensors (issue 15), in
Numba's CUDA simulator: the simulator's device array class is patched to count
device-to-host and host-to-device copies around one call (after a warm-up call), for the
forms below. Run from a tree: ``NUMBA_ENABLE_CUDASIM=1 python perf/cuda_index_put_copies.py``
(run it on main's tree too for the before figures)."""

from __future__ import annotations

import collections

import numpy as np

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
        print(f"{name:34s} D2H {counts['D2H']}  H2D {counts['H2D']}")


if __name__ == "__main__":
    main()
