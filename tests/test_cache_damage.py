"""The kernel cache on disk can neither crash nor lie: damaged, swapped, altered or read-only
cache files, and threads or processes compiling into a fresh cache at once.

Every case runs a small program in a subprocess over a copy of one warm cache directory; the
program must exit 0 and print the numbers NumPy computes, and a damaged cache must be reported
by exactly one warning. Before ``jitgrad.kernels.cpu.jit``, a few flipped bytes in a compiled
file aborted every later process inside LLVM (SIGABRT), and the add and mul kernels' files
swapped made ``x * y`` return ``x + y``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
WARNING = "damaged kernel cache file"

#: The program's hand-written kernels are the cumulative sum's and the row maximum's, each in
#: float32 and float64 (four compiled files, each loaded by the program itself, one per kind of
#: damage): a row sum's kernel (``reduce_sum.sum_sq_fwd``, 2.1-2.4 CPU s per dtype against
#: 0.4-0.8 for these) was most of every cold child's compile, and its leaf helpers' files are
#: linked into it, never loaded (perf/RESULTS.md, Runs runner16 and ttime18b).
PROGRAM = textwrap.dedent(
    """
    import json, sys, threading
    import numpy as np, jitgrad

    a = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    b = np.linspace(0.5, 2, 12, dtype=np.float32).reshape(3, 4)

    def run():
        x, y = jitgrad.tensor(a), jitgrad.tensor(b)
        return {
            "add": (x + y).numpy().tolist(),
            "mul": (x * y).numpy().tolist(),
            "sin": jitgrad.sin(x).numpy().tolist(),
            "exp": jitgrad.exp(y).numpy().tolist(),
            "cumsum": (x * y).cumsum(1).numpy().tolist(),
            "cumsum64": jitgrad.tensor(a.astype(np.float64)).cumsum(1).numpy().tolist(),
            "amax": y.amax(1).numpy().tolist(),
            "amax64": jitgrad.tensor(b.astype(np.float64)).amax(1).numpy().tolist(),
        }

    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    barrier = threading.Barrier(threads)
    results, errors = [None] * threads, []

    def work(i):
        try:
            barrier.wait()
            results[i] = run()
        except Exception as exc:
            errors.append(repr(exc))

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors
    assert all(r == results[0] for r in results), "threads disagree"
    print(json.dumps({**results[0], "compiled": jitgrad.cache_info()["compiled"]}))
    """
)


def _expected() -> dict:
    a = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4).astype(np.float64)
    b = np.linspace(0.5, 2, 12, dtype=np.float32).reshape(3, 4).astype(np.float64)
    return {
        "add": a + b,
        "mul": a * b,
        "sin": np.sin(a),
        "exp": np.exp(b),
        "cumsum": (a * b).cumsum(1),
        "cumsum64": a.cumsum(1),
        "amax": b.max(1),
        "amax64": b.max(1),
    }


def _env(cache: Path, **extra: str) -> dict:
    # tier 0 off: these programs' small add/mul would run in numpy until hot, and the damage
    # under test is to the compiled kernels' files
    env = {"JITGRAD_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT), "JITGRAD_TIER0": "0"}
    return {**os.environ, **env, **extra}


def _check(res: subprocess.CompletedProcess, warnings: int) -> dict:
    """The program's output, after checking it exited 0, printed the right numbers and
    warned ``warnings`` times."""
    assert res.returncode == 0, res.stderr
    assert res.stderr.count(WARNING) == warnings, res.stderr
    out = json.loads(res.stdout.splitlines()[-1])
    for name, want in _expected().items():
        np.testing.assert_allclose(out[name], want, rtol=2e-6, atol=1e-6, err_msg=name)
    return out


def _run(cache: Path, *args: str, prefix: tuple = (), **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, sys.executable, "-c", PROGRAM, *args],
        env=_env(cache, **env),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def cold(tmp_path_factory) -> tuple[Path, dict]:
    """One run of the program on four threads at once in an empty cache: the directory it
    filled (generated and hand-written kernels) and what it printed. Never written again.
    Four threads, not one: the same cold run then serves the threads test below, and a
    cold run is most of this file's CPU."""
    cache = tmp_path_factory.mktemp("warm")
    return cache, _check(_run(cache, "4"), 0)


@pytest.fixture(scope="module")
def warm(cold) -> Path:
    """A cache directory after one run of the program (generated and hand-written kernels)."""
    assert cold[1]["compiled"] > 0
    return cold[0]


@pytest.fixture
def cache(warm, tmp_path) -> Path:
    """A private copy of the warm cache to damage."""
    return Path(shutil.copytree(warm, tmp_path / "cache"))


def _generated(cache: Path) -> list[Path]:
    return sorted(cache.glob("kernels/*/__pycache__/*.nbc"))


def _hand_written(cache: Path) -> list[Path]:
    return sorted(cache.glob("numba/*/*.nbc"))


def _all_data(cache: Path) -> list[Path]:
    files = _generated(cache) + _hand_written(cache)
    assert _generated(cache) and _hand_written(cache), files
    return files


def _truncate(f: Path) -> None:
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])


def _zero(f: Path) -> None:
    f.write_bytes(bytes(f.stat().st_size))


def _flip_elf_header(f: Path) -> None:
    """The bytes of the ELF section-header offset (``e_shoff``): LLVM aborted on these."""
    data = bytearray(f.read_bytes())
    elf = data.find(b"\x7fELF")
    assert elf > 0, f
    for k in range(elf + 40, elf + 48):
        data[k] ^= 0xFF
    f.write_bytes(bytes(data))


def _flip_middle(f: Path) -> None:
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0x01
    f.write_bytes(bytes(data))


DAMAGES = (_truncate, _zero, _flip_elf_header, _flip_middle)


def test_damaged_compiled_files_are_recompiled_with_one_warning(cache):
    """Every kind of damage at once, each on generated and hand-written files (one cold
    recompile for all four kinds instead of one per kind): each damaged file is detected and
    rewritten, the first one reported by the process's one warning."""
    damaged = {}
    for group in (_generated(cache), _hand_written(cache)):
        assert len(group) >= len(DAMAGES), group
        for k, f in enumerate(group):
            DAMAGES[k % len(DAMAGES)](f)
            damaged[f] = f.read_bytes()
    out = _check(_run(cache), warnings=1)
    assert out["compiled"] > 0
    # The damaged files were replaced: the next process loads everything without a warning.
    assert _check(_run(cache), warnings=0)["compiled"] == 0
    assert {f.name for f in damaged} <= {f.name for f in _all_data(cache)}
    assert [f.name for f, data in damaged.items() if f.read_bytes() == data] == []


def test_swapped_files_and_a_file_of_another_signature_are_not_loaded(cache):
    """Two independent damages in one process (one child instead of two; each damage still
    a real file in a real cache): two generated kernels' compiled files of one size swapped
    (add and mul: loaded, ``x * y`` would return ``x + y``), and one of the cumulative sum's
    two compiled files (float32, float64: hand-written) copied over the other. The process
    warns once (its one warning), prints NumPy's numbers, and compiles each damaged kernel
    again, which rewrites each damaged file: the two generated ones counted in ``compiled``,
    the cumulative sum's file no longer the other signature's bytes."""
    by_size: dict[int, list[Path]] = {}
    for f in _generated(cache):
        by_size.setdefault(f.stat().st_size, []).append(f)
    pair = next((fs for fs in by_size.values() if len(fs) >= 2), None)
    assert pair is not None, "expected two generated kernels (add, mul) of one size"
    first, second = pair[0].read_bytes(), pair[1].read_bytes()
    pair[0].write_bytes(second)
    pair[1].write_bytes(first)
    sums = [f for f in _hand_written(cache) if f.name.startswith("reduce_softmax.cumsum_dir-")]
    assert len(sums) == 2, sums
    shutil.copyfile(sums[0], sums[1])
    assert _check(_run(cache), warnings=1)["compiled"] == 2
    assert pair[0].read_bytes() != second and pair[1].read_bytes() != first
    assert sums[1].read_bytes() != sums[0].read_bytes()


def test_an_altered_generated_module_is_rewritten(cache):
    source = next(f for f in cache.glob("kernels/*/_gen_mul_*.py") if " * " in f.read_text())
    original = source.read_text()
    source.write_text(original.replace(" * ", " + "))
    _check(_run(cache), warnings=1)
    assert source.read_text() == original


def _drop_capabilities() -> tuple:
    """A command prefix under which root is refused writes to a read-only directory."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    return (setpriv, "--bounding-set=-all", "--inh-caps=-all") if setpriv else ()


def _snapshot(root: Path) -> dict:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_read_only_cache_is_used_and_not_written(cache, tmp_path):
    # One generated and one hand-written kernel missing: they compile in memory.
    missing = next(cache.glob("kernels/*/_gen_sin_*.py"))
    missing.unlink()
    for f in missing.parent.glob(f"__pycache__/{missing.stem}.*"):
        f.unlink()
    _hand_written(cache)[0].unlink()
    for p in [cache, *cache.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    prefix = _drop_capabilities()
    probe = subprocess.run([*prefix, "touch", str(cache / "probe")], capture_output=True)
    if probe.returncode == 0:
        pytest.skip("cannot make a directory read-only here (root without setpriv)")
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir(mode=0o777)
    before = _snapshot(cache)
    try:
        out = _check(_run(cache, prefix=prefix, TMPDIR=str(private_tmp)), warnings=0)
    finally:
        for p in [cache, *cache.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
    assert out["compiled"] == 1  # only the kernel that was missing; the rest loaded
    assert _snapshot(cache) == before
    assert list(private_tmp.iterdir()) == []


def _names(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.rglob("*"))


def test_threads_share_one_compile_per_kernel_in_a_cold_cache(cold):
    """Four threads in an empty cache compiled each generated kernel once: ``compiled``
    counts generated kernels' compiles, one compiled file each (a single-threaded cold run
    gives compiled == files too: 4 and 4 on Dec 7), so a kernel compiled by two threads
    would count twice over its one file."""
    four_dir, four = cold
    assert four["compiled"] == len(_generated(four_dir)) > 0
    assert _hand_written(four_dir)


def test_two_processes_fill_one_cold_cache(cold, tmp_path):
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PROGRAM, "2"],
            env=_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for p in procs:
        stdout, stderr = p.communicate(timeout=600)
        _check(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr), 0)
    assert not list(tmp_path.rglob("*.tmp"))
    assert _check(_run(tmp_path), 0)["compiled"] == 0
    assert _names(tmp_path) == _names(cold[0])  # the files one process on four threads wrote
