"""Shared test setup: a private kernel cache per test session, unless one is given, and the
order in which pytest-xdist hands test files to its workers (longest first)."""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import sys
import tempfile

# Bytecode: where PYTHONDONTWRITEBYTECODE is set (this sandbox sets it), every process the tests
# start (the cache, corpus, demo and runner programs: dozens) and each xdist worker compiled
# jitgrad's ~490 modules from source, ~0.7 of the ~1.5 CPU s of its ``import jitgrad``. The run
# gets a private PYTHONPYCACHEPREFIX instead, written by the first process to import a module
# and read by the rest, as an installed package's .pyc files are (perf/cold_start.py does the
# same for its runs); nothing is written into the tree, and the folder goes when the run ends.
if os.environ.get("PYTHONDONTWRITEBYTECODE") and "PYTHONPYCACHEPREFIX" not in os.environ:
    _PYC = tempfile.mkdtemp(prefix="jitgrad-test-pyc-")
    atexit.register(shutil.rmtree, _PYC, True)
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix = _PYC
    sys.dont_write_bytecode = False  # this process's imports fill it too

if "JITGRAD_CACHE_DIR" not in os.environ:
    os.environ["JITGRAD_CACHE_DIR"] = os.path.join(tempfile.gettempdir(), "jitgrad-test-cache")
# A compiled function's first replay waits for the tape interpreter's compile rather than
# running eagerly meanwhile, so every replay a test checks runs the tape (in a fresh cache
# too); tests/test_capture_background.py turns it back on.
os.environ.setdefault("JITGRAD_CAPTURE_BACKGROUND", "0")
# Tier 0 compiles a kernel in the process that calls it, at its budget: no background compile
# of hot kernels, no heat carried across processes (jitgrad.fusion.tier0_background). A child
# writing into the cache while a test lists it, and kernels compiled because an earlier test
# process ran them, would make the tests' compile counts and file sets depend on timing and
# order, and add compile CPU to the suite; tests/test_tier0_background.py turns it on.
os.environ.setdefault("JITGRAD_TIER0_BACKGROUND", "0")


import pytest  # noqa: E402 - after the cache directory is chosen

try:  # pytest-xdist is in the test extra; a plain ``pytest`` run works without it
    from xdist.scheduler import LoadFileScheduling
except ImportError:  # pragma: no cover
    LoadFileScheduling = None

_frozen_for: list = [None, 0]  # the module that last froze the heap, tests since
#: Tests between two freezes inside one long module (the kernels they compile are frozen too)
FREEZE_EVERY = 25


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before a module's first test and every :data:`FREEZE_EVERY` tests: collect, then
    freeze what survives (``gc.freeze``).

    A worker of the full suite holds every test module and hundreds of compiled kernels, over
    half a million objects; each full collection walks them all (1-2 s on a busy machine).
    Numba's compiles trigger dozens of those per module, and the memory and graph-lifetime
    tests call ``gc.collect()`` before each test: about a tenth of the suite's time. Frozen
    objects are skipped by the collector (and by ``gc.get_objects``), so a collection walks
    what the latest tests made. Garbage is collected before it is frozen; an object frozen
    alive that later dies in a reference cycle stays until the worker exits (a few MB)."""
    module = getattr(item, "module", None)
    _frozen_for[1] += 1
    if module is not _frozen_for[0] or _frozen_for[1] >= FREEZE_EVERY:
        _frozen_for[:] = [module, 0]
        gc.collect()
        gc.freeze()


#: Seconds a file takes beyond its number of tests times :data:`PER_TEST` (cold kernel cache,
#: one worker of ``-n 2``): subprocesses running whole suites or programs, cold caches, big
#: captured graphs (``pytest --durations=0`` on these files, scaled to an idle machine).
#: Estimates that only order the queue; a stale one costs time, never a test.
LONG_FILES = {
    # Estimates from a full run's per-file CPU (children included) on 68dca606 (Dec 7, session
    # 16, /tmp/ft16.jsonl, load ~18), scaled by the measured cuts merged after it (Runs
    # simtime16, tapecodes, subproc in perf/RESULTS.md).
    # the corpus runner: 90.8 and 78.1 CPU s, nearly all first use of kernels
    "tests/test_corpus.py": 90,
    "tests/test_corpus_b.py": 80,
    "tests/test_perf_runner.py": 50,
    # each group's simulator subprocess: 58.8 and 43.9 CPU s in the full run, 2.2x and 2.8x less
    # since (barrier blocks stepped as generators, Run simtime16)
    "tests/test_cuda_backend.py": 30,
    "tests/test_cuda_backend_b.py": 27,  # + the kern_* modules (~7 CPU s: Run cudatime19)
    # ahead of every other capture file on purpose: its tests build both dtypes' small tape
    # interpreters and then, their rent paid, the full ones (2 x ~17 s CPU: capture.build's
    # RENT), on which the other files' tapes then replay; 67.9-71.4 CPU s in a fresh cache
    # (Dec 7, load 19, Run tapecodes), estimated 2.1 s once (Run tslow)
    "tests/test_capture_activations.py": 50,
    # 73.0 CPU s in the last full run; its straight-line modules no longer re-emit the
    # interpreter loop each: median 131.8 -> 96.9 CPU s alone in fresh caches (Run straight17)
    "tests/test_capture_straight.py": 35,
    # the tape interpreter's float64 build (~22 s CPU) and two generated tapes: 63.9 s CPU alone
    # in a fresh cache, with the float32 build (~22 s) that test_capture.py also needs (Dec 7);
    # estimated 1.3 s, it was once 142nd of 189 in the queue (in a full run the interpreters
    # now come from test_capture_activations.py's builds: ~22 s less each for these two)
    "tests/test_capture_declared.py": 30,
    "tests/test_capture.py": 30,  # the float32 interpreter's build: 34 s CPU for 35 tests
    # both interpreters (shared with the two above) and ~40 BLAS/conv kernels' first use: 41-51 s
    # for 35 tests with the interpreters cached (Dec 7, load 13-18)
    "tests/test_capture_model.py": 15,
    # subprocesses over fresh caches: 36.5 and 20.2 CPU s (alone, fresh caches, Dec 7, load 18)
    "tests/test_cache_damage.py": 36,
    "tests/test_cache.py": 20,
    # the hand-written kernels' sm_80 PTX moved to test_cuda_ptx_generated.py's one compiler
    # process (55-58 CPU s alone, load 9-14: Run cuda17), their simulator modules into
    # test_cuda_backend_b.py's process (Run cudatime19): what is left is one import check
    "tests/test_cuda_kernels.py": 2,
    "tests/test_cuda_ptx_generated.py": 56,
    "tests/test_programs.py": 15,
    "tests/test_demo.py": 15,
    "tests/test_hostile.py": 15,
    "tests/test_viz_explain.py": 10,
    "tests/test_rss_scripts.py": 8,
    "tests/test_entry_lock.py": 6,
}
#: Typical seconds per test elsewhere: 0.045 CPU s over the 1660 tests of the first 16 files
#: without an entry above, in a fresh cache, first use of the common kernels included (Dec 7,
#: Run tslow); 0.1 (the whole suite's time over its tests, long files included) ranked
#: test_readme_features.py (872 quick tests) ahead of both CUDA simulator groups.
PER_TEST = 0.05
#: Tests of its current file a worker has left when it is handed its next file
PENDING = 1


def _expected_seconds(path: str, tests: dict) -> float:
    return LONG_FILES.get(path, 0) + PER_TEST * len(tests)


if LoadFileScheduling is not None:

    class LongestFirst(LoadFileScheduling):
        """``--dist loadfile`` with the queue of files ordered by expected time, longest first.

        xdist orders the queue by number of tests, which leaves the files that run a subprocess
        for a few tests (the CUDA simulator suites, the comparison runner) to the end of the
        run, where one worker spent minutes on them while the other sat idle. Longest first
        (the LPT rule) lets the many short files fill in around them."""

        _ordered = False

        def _assign_work_unit(self, node) -> None:  # noqa: ANN001 - xdist's WorkerController
            if not self._ordered:  # the queue is complete before the first unit is handed out
                self._ordered = True
                units = sorted(self.workqueue.items(), key=lambda u: -_expected_seconds(*u))
                self.workqueue.clear()
                self.workqueue.update(units)
            super()._assign_work_unit(node)

        def _reschedule(self, node) -> None:  # noqa: ANN001 - xdist's WorkerController
            """xdist's, except that a worker gets its next file when :data:`PENDING` tests of
            its current one are left, not 2: with 2, a file of two tests whose first is long
            (test_cuda_backend_b.py: the simulator, ~2 min of CPU) took the next file at once,
            and that file waited behind it while the other worker took the files after it. A
            worker always holds back its last test until it knows what runs next, so 1 leaves
            it no gap between files."""
            if node.shutting_down:
                return
            if not self.workqueue:
                node.shutdown()
                return
            if self._pending_of(self.assigned_work[node]) > PENDING:
                return
            self._assign_work_unit(node)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN001, ANN201
        if config.getoption("dist") == "loadfile":
            return LongestFirst(config, log)
        return None


@pytest.fixture
def lazy():
    """Forward deferral forced on (and the fusion pass, in the test's own thread) for one test."""
    import jitgrad
    from jitgrad.frontend import lazy as deferral

    prev = deferral.STATE.enabled
    deferral.STATE.enabled = True
    with jitgrad.fusion(True):
        yield
    deferral.STATE.enabled = prev
