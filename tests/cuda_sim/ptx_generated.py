"""The generated (rendered) CUDA kernels compile for sm_80 with Numba's real CUDA target.

The simulator runs kernels as Python, so it cannot catch code the real target cannot type or
lower. Two steps, each in its own process (``tests/test_cuda_kernels.py`` runs both):

    NUMBA_ENABLE_CUDASIM=1 python tests/cuda_sim/ptx_generated.py dump OUT.json
    python tests/cuda_sim/ptx_generated.py check OUT.json

``dump`` runs small device programs that launch every kind of rendered kernel (an op alone,
a fused forward chain with broadcast and scalar operands, a chain with a sum/mean epilogue, a
fused backward group with stored, broadcast-summed and one-element gradients, the dropout
chain) in float32 and float64, and records each kernel's source with the argument types it
was launched with. ``check`` compiles each to PTX (no GPU needed) and requires a float32
kernel to hold no float64 instruction.
"""

from __future__ import annotations

import json
import re
import sys
import types

import numpy as np


def dump(path: str) -> None:
    import jitgrad as torch
    from jitgrad.backends.cuda import render, runtime

    seen: dict[str, list] = {}
    build = render.get_kernel

    class Recorder:
        def __init__(self, spec):
            self.kernel = build(spec)
            self.source = render._SOURCES[spec]

        def __getitem__(self, config):
            def launch(*args):
                kinds = []
                for a in args:
                    if isinstance(a, runtime.DEVICE_ARRAY_TYPES):
                        kinds.append(["a", np.dtype(a.dtype).str])
                    elif isinstance(a, int):
                        kinds.append(["i", ""])
                    else:
                        kinds.append(["s", np.dtype(type(a)).str])
                seen.setdefault(self.source, kinds)
                return self.kernel[config](*args)

            return launch

    render.get_kernel = Recorder
    for dt in (torch.float32, torch.float64):
        a = torch.randn(6, 5, device="cuda", dtype=dt, requires_grad=True)
        b = torch.randn(5, device="cuda", dtype=dt, requires_grad=True)
        s = torch.randn(1, device="cuda", dtype=dt, requires_grad=True)
        with torch.fusion(False):
            (a * 2).sum().backward()  # one op alone, forward and backward
        loss = ((a * b + 1.5).tanh() * s - b.exp()).mean()  # chain + epilogue
        loss.backward()
        (torch.nn.functional.dropout(a, 0.3).relu() * b).sum().backward()
        (a.sigmoid() * b).cpu()  # a chain stored, no reduction
    json.dump(seen, open(path, "w"))
    print(len(seen), "kernels")


def check(path: str) -> None:
    import numba
    from numba import cuda
    from numba.cuda import dispatcher

    # device functions ask the current GPU for its compute capability; there is none here
    dispatcher.get_current_device = lambda: types.SimpleNamespace(compute_capability=(8, 0))
    kernels = json.load(open(path))
    assert len(kernels) >= 10, len(kernels)
    for source, kinds in kernels.items():
        namespace: dict = {}
        exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102
        name = re.search(r"def (\w+)\(", source).group(1)
        sig = []
        for kind, dt in kinds:
            if kind == "a":
                sig.append(numba.from_dtype(np.dtype(dt))[::1])
            elif kind == "i":
                sig.append(numba.int64)
            else:
                sig.append(numba.from_dtype(np.dtype(dt)))
        ptx, _ = cuda.compile_ptx(namespace[name].py_func, tuple(sig), cc=(8, 0))
        assert ".entry" in ptx, name
        if all(dt not in ("<f8", "float64") for _k, dt in kinds):
            assert ".f64" not in ptx, f"{name} computes in float64:\n{source}"
    print(len(kernels), "kernels compiled")


if __name__ == "__main__":
    {"dump": dump, "check": check}[sys.argv[1]](sys.argv[2])
