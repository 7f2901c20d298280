"""``torch.version``: the version strings environment reports print. jitgrad runs on no CUDA
or ROCm toolkit of its own (its CUDA kernels come from numba-cuda), so those are None, as in
a CPU build of PyTorch."""

from __future__ import annotations

__version__ = "0.1.0"
debug = False
cuda: str | None = None
hip: str | None = None
rocm: str | None = None
xpu: str | None = None
git_version = "unknown"
