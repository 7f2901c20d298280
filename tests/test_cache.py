"""The kernel cache: a second identical step compiles nothing, in this process and the next;
processes sharing a cache directory and corrupt cache files never break a run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numba
import numpy as np
import pytest
from numba.core import event

import jitgrad
from jitgrad.fusion import diskcache
from jitgrad.kernels.cpu import compile_notice, jit

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


NOTICE = "jitgrad: compiling kernels ("


def _run(cache: Path, notices: list | None = None) -> list[str]:
    env = {**os.environ, "JITGRAD_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    env.pop("JITGRAD_COMPILE_NOTICE", None)
    res = subprocess.run(
        [sys.executable, "-c", STEP], env=env, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr
    if notices is not None:
        notices.append(res.stderr.count(NOTICE))
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


@pytest.fixture(scope="module")
def cold_step(tmp_path_factory) -> tuple[Path, list[str], list[int]]:
    """One run of STEP in an empty cache: the directory it filled, what it printed and how
    many compile notices it gave. Shared (the corrupt-file test damages a copy) because a cold
    run is most of this file's CPU."""
    cache = tmp_path_factory.mktemp("step")
    notices: list[int] = []
    return cache, _run(cache, notices), notices


def test_second_process_compiles_nothing(cold_step, tmp_path):
    cache = Path(shutil.copytree(cold_step[0], tmp_path / "cache"))
    first, notices = cold_step[1], list(cold_step[2])
    second = _run(cache, notices)
    assert int(first[0]) > 0
    assert second[0] == "0"
    assert first[1:] == second[1:]
    # the cold process said once that it was compiling (a dozen kernels: well over 0.5 s);
    # the warm one, which only loads, said nothing
    assert notices == [1, 0]


def _fresh_function():
    """A Numba function no process has compiled: its source differs per call."""
    ns: dict = {}
    exec(f"def f(x):\n    return x * {os.getpid()} + {len(_made)}\n", ns)
    _made.append(ns["f"])
    return numba.njit(ns["f"])


_made: list = []


def test_compile_notice_is_one_line_once_and_can_be_silenced(monkeypatch, capsys):
    notice = compile_notice.CompileNotice()
    notice.enabled = True
    monkeypatch.setattr(compile_notice, "NOTICE_SECONDS", 0.0)
    monkeypatch.setattr(jit.NOTICE, "enabled", False)  # the process's own, maybe not yet spent
    event.register("numba:compile", notice)
    try:
        _fresh_function()(1.0)
        _fresh_function()(2.0)
        err = capsys.readouterr().err
        assert err.count(NOTICE) == 1 and err.count("\n") == 1, err
        assert notice.count == 2 and notice.seconds > 0
        assert str(jitgrad.helpers.cache_dir()) in err and "JITGRAD_COMPILE_NOTICE=0" in err
        quiet = compile_notice.CompileNotice()
        quiet.enabled = False  # what JITGRAD_COMPILE_NOTICE=0 sets
        event.register("numba:compile", quiet)
        try:
            _fresh_function()(3.0)
        finally:
            event.unregister("numba:compile", quiet)
        assert quiet.count == 1 and NOTICE not in capsys.readouterr().err
    finally:
        event.unregister("numba:compile", notice)


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


def test_corrupt_cache_files_fall_back_to_compiling(cold_step, tmp_path):
    cache = Path(shutil.copytree(cold_step[0], tmp_path / "cache"))
    expected = cold_step[1][1:]
    kernels = next((cache / "kernels").iterdir())
    corrupted = 0
    for f in kernels.rglob("*"):
        if f.is_file() and (f.suffix in (".py", ".nbi", ".nbc")):
            f.write_bytes(b"\x00garbage(")
            corrupted += 1
    assert corrupted > 0
    assert _run(cache)[1:] == expected


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


def test_one_computation_under_two_node_names_keeps_two_files(monkeypatch, tmp_path, recwarn):
    """The cached file is the source, comment included: a spec that differs only in its
    comment (the same fused backward reached through other node names) gets its own file
    name, so neither rewrites the other's file nor reports the cache as damaged."""
    from dataclasses import replace

    from jitgrad.fusion import codegen

    monkeypatch.setattr(diskcache, "_dir", tmp_path)
    monkeypatch.setattr(jit, "_warned", False)
    spec = codegen.KernelSpec(
        label="add_log_fbwd",
        inputs=(("x", False),),
        stmts=(("v0", "math.log(x[i0] + 1.0)"),),
        outputs=(("out0", "v0", codegen.STORE, "float64"),),
        ndim=1,
        comment=("backward of 2 fused ops: AddBackward0 <- LogBackward0",),
    )
    other = replace(spec, comment=("backward of 2 fused ops: SubBackward0 <- LogBackward0",))
    assert spec != other and spec.function_name != other.function_name
    sources = {}
    for s in (spec, other, spec):
        diskcache.load(s.function_name, codegen.render_source(s), s.label)
        sources[s.function_name] = (tmp_path / f"{s.function_name}.py").read_text()
    assert all(name in text for name, text in sources.items())
    assert not [w for w in recwarn if "damaged" in str(w.message)]
