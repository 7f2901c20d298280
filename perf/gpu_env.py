"""What ``perf/gpu_run.sh`` runs on: Python and the versions of the packages the CUDA backend
and the GPU benchmark use (``-`` where missing), and the device numba.cuda sees."""

from __future__ import annotations

import importlib.metadata as md
import platform

PACKAGES = ("numpy", "numba", "numba-cuda", "llvmlite", "torch", "triton", "cupy-cuda12x",
            "cupy-cuda13x", "cuda-python", "cuda-bindings", "cuda-core")  # fmt: skip

print("python", platform.python_version())
for name in PACKAGES:
    try:
        print(name, md.version(name))
    except md.PackageNotFoundError:
        print(name, "-")
from numba import cuda  # noqa: E402 - after the versions, which print even if this fails

print("numba.cuda:", cuda.__file__, "available:", cuda.is_available())
if cuda.is_available() and hasattr(cuda, "get_current_device"):  # (not the simulator)
    dev = cuda.get_current_device()
    print("device:", dev.name, "compute capability", dev.compute_capability)
