"""What a device training step sends between host and device (issue 15: "a training step
launches kernels only, ``loss.item()`` is the one synchronization"), in Numba's CUDA
simulator: per step, after one warm-up step, the device-to-host and host-to-device copies
(the simulator's device array class patched), ``cuda.synchronize`` calls, NumPy reads of a
device array (which the simulator allows silently and a GPU cannot do: each would be a copy
or a failure there), host code reading or writing one element of a device array (a copy on
a GPU, which no copy counter of the simulator sees), kernel launches given a host array (a
synchronizing copy there) and the launches themselves; then the same counts for
``loss.item()``.

Models: an MLP (Linear+ReLU+Linear, cross-entropy) under SGD, SGD with momentum and weight
decay, Adam and AdamW, and a small conv/layernorm model (Conv2d, ReLU, MaxPool2d, LayerNorm,
Linear, cross-entropy) under SGD with momentum and Adam, and an embedding bag (Embedding,
mean, Linear, cross-entropy) under Adam.
Run from a tree: ``NUMBA_ENABLE_CUDASIM=1 python perf/cuda_step_copies.py``.
"""

from __future__ import annotations

import collections
from typing import Any

import numpy as np
from numba import cuda
from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray
from numba.cuda.simulator.kernel import FakeCUDAKernel

import jitgrad as torch

COUNTS: collections.Counter = collections.Counter()
IN_KERNEL = [0]


def _install() -> None:
    """Count copies, synchronizations, NumPy reads and launches (host arrays among them)."""
    for kind, name in (("D2H", "copy_to_host"), ("H2D", "copy_to_device")):
        original = getattr(FakeCUDAArray, name)

        def counted(*a: Any, _o: Any = original, _k: str = kind, **k: Any) -> Any:
            COUNTS[_k] += 1
            return _o(*a, **k)

        setattr(FakeCUDAArray, name, counted)
    sync = cuda.synchronize

    def synced() -> Any:
        COUNTS["sync"] += 1
        return sync()

    cuda.synchronize = synced

    def array(self: Any, *a: Any, **k: Any) -> Any:
        COUNTS["numpy read"] += 1
        return np.asarray(self._ary, *a, **k)

    def interface(name: str) -> Any:
        def read(self: Any) -> Any:
            COUNTS["numpy read"] += 1
            return getattr(self._ary, name)

        return property(read)

    getitem, setitem = FakeCUDAArray.__getitem__, FakeCUDAArray.__setitem__

    def item_read(self: Any, key: Any) -> Any:  # host code reading an element: a copy on a GPU
        out = getitem(self, key)
        COUNTS["element read/write"] += not IN_KERNEL[0] and not isinstance(out, FakeCUDAArray)
        return out

    def item_write(self: Any, key: Any, value: Any) -> Any:  # (a host-to-device copy there)
        COUNTS["element read/write"] += not IN_KERNEL[0]
        return setitem(self, key, value)

    FakeCUDAArray.__getitem__, FakeCUDAArray.__setitem__ = item_read, item_write
    FakeCUDAArray.__array__ = array
    for name in ("__array_interface__", "__array_struct__"):  # (NumPy asks for either)
        setattr(FakeCUDAArray, name, interface(name))
    call = FakeCUDAKernel.__call__

    def launch(self: Any, *args: Any) -> Any:
        if not self._device:
            COUNTS["launches"] += 1
            COUNTS["host-array launches"] += any(isinstance(a, np.ndarray) for a in args)
        IN_KERNEL[0] += 1  # (a kernel's own element reads and writes are not counted)
        try:
            return call(self, *args)
        finally:
            IN_KERNEL[0] -= 1

    FakeCUDAKernel.__call__ = launch


def _mlp() -> Any:
    return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 4))


def _conv() -> Any:
    return torch.nn.Sequential(
        torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.LayerNorm(16), torch.nn.Linear(16, 4),
    )  # fmt: skip


class _Bag(torch.nn.Module):
    """Embedding rows averaged, then a Linear: two index checks (the embedding's, the
    cross-entropy's) pending at ``loss.item()``."""

    def __init__(self) -> None:
        super().__init__()
        self.emb, self.out = torch.nn.Embedding(10, 8), torch.nn.Linear(8, 4)

    def forward(self, x: Any) -> Any:
        return self.out(self.emb(x).mean(1))


def cases() -> dict:
    sgd, adam = torch.optim.SGD, torch.optim.Adam
    return {
        "mlp SGD": (_mlp, (8,), sgd, {"lr": 0.1}),
        "mlp SGD momentum+wd": (
            _mlp,
            (8,),
            sgd,
            {"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4},
        ),  # fmt: skip
        "mlp Adam": (_mlp, (8,), adam, {"lr": 1e-2}),
        "mlp AdamW": (_mlp, (8,), torch.optim.AdamW, {"lr": 1e-2}),
        "conv+layernorm SGD momentum": (_conv, (2, 4, 4), sgd, {"lr": 0.1, "momentum": 0.9}),
        "conv+layernorm Adam": (_conv, (2, 4, 4), adam, {"lr": 1e-2}),
        "embedding bag Adam": (_Bag, None, adam, {"lr": 1e-2}),
    }


def measure(make: Any, shape: tuple, opt_cls: Any, kw: dict, steps: int = 2) -> tuple:
    """``(per-step counts, counts of loss.item())`` after a warm-up step."""
    torch.manual_seed(0)
    model = make().to("cuda")
    opt = opt_cls(model.parameters(), **kw)
    x = torch.randn(6, *shape, device="cuda") if shape else torch.tensor(
        np.arange(18).reshape(6, 3) % 10, device="cuda")  # fmt: skip
    y = torch.tensor([0, 1, 2, 3, 1, 0], device="cuda")
    per_step, item = collections.Counter(), collections.Counter()
    for step in range(steps + 1):
        COUNTS.clear()
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        if step:
            per_step.update(COUNTS)
        COUNTS.clear()
        loss.item()
        if step:
            item.update(COUNTS)
    return ({k: v // steps for k, v in per_step.items()}, {k: v // steps for k, v in item.items()})


def main() -> None:
    _install()
    keys = ("D2H", "H2D", "sync", "numpy read", "element read/write", "host-array launches",
            "launches")  # fmt: skip
    print(f"{'per step (after a warm-up step)':30s} " + " | ".join(keys) + " || loss.item()")
    for name, (make, shape, opt_cls, kw) in cases().items():
        step, item = measure(make, shape, opt_cls, kw)
        row = " | ".join(str(step.get(k, 0)) for k in keys)
        at = " | ".join(str(item.get(k, 0)) for k in keys[:6])
        print(f"{name:30s} {row} || {at}")


if __name__ == "__main__":
    main()
