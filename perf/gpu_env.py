"""What ``perf/gpu_run.sh`` runs on: Python and the versions of the packages the CUDA backend
and the GPU benchmark use (``-`` where missing), whether the ``cuda`` extra's requirements
(pyproject.toml) are met, whether CuPy imports (jitgrad's matmul falls back to a slow tiled
kernel, silently, where it does not), and the device numba.cuda sees.

Exits non-zero when numba.cuda sees no device, or (not ``--dry``) CuPy does not import or a
requirement of the ``cuda`` extra is missing, so the run says so at its first stage.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import platform
import re
import sys
from pathlib import Path

PACKAGES = ("numpy", "numba", "numba-cuda", "llvmlite", "torch", "triton", "cupy-cuda12x",
            "cupy-cuda13x", "cuda-python", "cuda-bindings", "cuda-core")  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent


def _version(name: str) -> str | None:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None


def _at_least(have: str, want: str) -> bool:
    def nums(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", v)[:3])

    return nums(have) >= nums(want)


def extra_problems() -> list[str]:
    """The ``cuda`` extra's requirements that are not installed here (``name>=version``)."""
    # (the line itself: tomllib is Python 3.11's, and the GPU machine's Python may be older)
    line = re.search(r"^cuda = \[(.*)\]$", (ROOT / "pyproject.toml").read_text(), re.M)
    if line is None:
        return ["no `cuda = [...]` extra found in pyproject.toml"]
    out = []
    for req in re.findall(r'"([^"]+)"', line.group(1)):
        name, _, want = req.partition(">=")
        names = [name.strip()]
        if name.startswith("cupy-cuda"):  # (CuPy built for another CUDA major does as well)
            names += [f"cupy-cuda{v}x" for v in (11, 12, 13)]
        have = next((v for v in map(_version, names) if v), None)
        if have is None or (want and not _at_least(have, want.strip())):
            out.append(f"{req} (installed: {have or 'none'})")
    return out


def main() -> int:
    dry = "--dry" in sys.argv
    print("python", platform.python_version())
    for name in PACKAGES:
        print(name, _version(name) or "-")
    problems = [f"cuda extra: {p}" for p in extra_problems()]
    try:
        cp = importlib.import_module("cupy")
        print("cupy imports:", cp.__version__)
    except Exception as exc:  # noqa: BLE001 - what jitgrad's matmul swallows, said here
        problems.append(f"import cupy: {type(exc).__name__}: {exc}"[:300])
    from numba import cuda

    print("numba.cuda:", cuda.__file__, "available:", cuda.is_available())
    if not cuda.is_available():
        print("FAILED: numba.cuda sees no device")
        return 1
    if hasattr(cuda, "get_current_device"):  # (not the simulator)
        dev = cuda.get_current_device()
        print("device:", dev.name, "compute capability", dev.compute_capability)
    for p in problems:
        print(("note (dry run): " if dry else "FAILED: ") + p)
    return 0 if dry or not problems else 1


if __name__ == "__main__":
    sys.exit(main())
