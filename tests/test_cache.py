"""The kernel cache: a second identical step compiles nothing, in this process and the next;
processes sharing a cache directory and corrupt cache files never break a run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

import jitgrad
from jitgrad.fusion import diskcache

ROOT = Path(__file__).resolve().parents[1]

STEP = textwrap.dedent(
    """
    import numpy as np, jitgrad
    x = jitgrad.tensor(np.linspace(-1, 1, 12).reshape(3, 4).astype(np.float32),
                       requires_grad=True)
    y = jitgrad.tensor(np.linspace(0.5, 1.5, 4).astype(np.float32), requires_grad=True)
    (jitgrad.tanh(x * y + jitgrad.sin(x)) * jitgrad.exp(-x * x) / (1 + y * y)).backward(
        jitgrad.ones(3, 4))
    info = jitgrad.cache_info()
    print(info["compiled"], float(x.grad.sum()), float(y.grad.sum()))
    """
)


def _run(cache: Path) -> list[str]:
    env = {**os.environ, "JITGRAD_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    res = subprocess.run(
        [sys.executable, "-c", STEP], env=env, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr
    return res.stdout.split()


def test_second_identical_step_compiles_nothing():
    x = jitgrad.randn(5, 6, requires_grad=True)
    w = jitgrad.randn(6, requires_grad=True)
    for step in range(3):
        x.grad = w.grad = None
        (jitgrad.sigmoid(x * w) * jitgrad.cos(x) + w).backward(jitgrad.ones(5, 6))
        if step == 0:
            before = dict(diskcache._stats)
            kernels = len(diskcache.MEMORY)
    assert diskcache._stats == before
    assert len(diskcache.MEMORY) == kernels


def test_second_process_compiles_nothing(tmp_path):
    first = _run(tmp_path)
    second = _run(tmp_path)
    assert int(first[0]) > 0
    assert second[0] == "0"
    assert first[1:] == second[1:]


def test_concurrent_processes_share_one_directory(tmp_path):
    env = {**os.environ, "JITGRAD_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", STEP],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    values = {tuple(o.split()[1:]) for o, _ in outs}
    assert len(values) == 1
    assert _run(tmp_path)[0] == "0"


def test_corrupt_cache_files_fall_back_to_compiling(tmp_path):
    expected = _run(tmp_path)[1:]
    kernels = next((tmp_path / "kernels").iterdir())
    for f in kernels.rglob("*"):
        if f.is_file() and (f.suffix in (".py", ".nbi", ".nbc")):
            f.write_bytes(b"\x00garbage(")
    assert _run(tmp_path)[1:] == expected


def test_clear_cache_and_info():
    x = jitgrad.randn(4, requires_grad=True)
    (jitgrad.exp(x * 2) * 3).backward(jitgrad.ones(4))
    info = jitgrad.cache_info()
    assert info["in_memory"] >= 1 and info["fused_groups_in_memory"] >= 1
    assert Path(info["directory"]).is_dir()
    jitgrad.clear_cache(disk=False)
    assert jitgrad.cache_info()["fused_groups_in_memory"] == 0
    x.grad = None
    (jitgrad.exp(x * 2) * 3).backward(jitgrad.ones(4))  # rebuilt from the disk cache
    np.testing.assert_allclose(x.grad.numpy(), 6 * np.exp(2 * x.detach().numpy()), rtol=1e-6)
