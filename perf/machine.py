"""Machine and software description stored with every report.

Numbers without the machine, library versions, BLAS and thread counts cannot be compared or
reproduced, so every JSON/Markdown report carries them. Everything optional is probed
defensively: a missing library is recorded as such, never an error.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import numba
import numpy as np

REPO = Path(__file__).resolve().parent.parent


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _mem_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _blas() -> Any:
    """BLAS as threadpoolctl sees it (if installed), else numpy's build configuration."""
    try:
        from threadpoolctl import threadpool_info

        return [
            {k: d.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
            for d in threadpool_info()
            if d.get("user_api") == "blas"
        ]
    except ImportError:
        pass
    try:
        cfg = np.show_config(mode="dicts")
        return cfg.get("Build Dependencies", {}).get("blas", {})
    except Exception as exc:  # old numpy without mode=
        return f"unknown ({type(exc).__name__})"


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _versions(loaded: dict[str, str]) -> dict[str, str]:
    out = {"python": sys.version.split()[0], "numpy": np.__version__, "numba": numba.__version__}
    for name in ("torch", "jax", "jitgrad", "matplotlib"):
        mod = sys.modules.get(name)
        out[name] = loaded.get(name) or (
            getattr(mod, "__version__", "imported") if mod else "not loaded"
        )
    return out


def _load() -> list[float] | None:
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def describe(loaded: dict[str, str] | None = None) -> dict[str, Any]:
    """The machine at the start of a run; ``loaded`` maps library -> version or why missing.

    Taken at the start so the date, load average and jitgrad commit describe the code and
    conditions the timings ran under; ``finish`` adds what is only known later.
    """
    commit = _git("rev-parse", "--short", "HEAD")
    return {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_GB": _mem_gb(),
        "platform": platform.platform(),
        "load_average": _load(),
        "versions": _versions(loaded or {}),
        "blas": _blas(),
        "numba_threads": numba.config.NUMBA_NUM_THREADS,
        "git_commit": commit,
        "git_dirty": bool(_git("status", "--porcelain", "--", "jitgrad")) if commit else None,
    }


def finish(info: dict[str, Any]) -> dict[str, Any]:
    """Add end-of-run facts: thread pools (initialised by then), load, commit at the end.

    A commit that moved during the run matters: subprocesses started late (the compile-time
    probe) import the newer code.
    """
    try:
        info["numba_threading_layer"] = numba.threading_layer()
    except ValueError:
        info["numba_threading_layer"] = "not initialised"
    torch = sys.modules.get("torch")
    if torch is not None:
        info["torch_threads"] = torch.get_num_threads()
    info["load_average_end"] = _load()
    info["git_commit_end"] = _git("rev-parse", "--short", "HEAD")
    return info
