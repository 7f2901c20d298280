"""Run one check of a test module in a fresh Python process: for tests whose claim is about
what a process compiles ("no integer overload of this kernel"), which the tests run before them
on the same xdist worker may have compiled on purpose (a kernel test calling the kernel with
int64 arrays). The child shares the parent's kernel cache directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def run_fresh(module: str, function: str) -> None:
    """``module.function()`` (a module of tests/) in a new interpreter; its failure raised here."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS.parent), str(TESTS), env.get("PYTHONPATH", "")])
    code = f"import {module}; {module}.{function}()"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=TESTS.parent, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
