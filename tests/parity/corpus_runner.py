"""Run corpus programs (tests/programs/corpus/) under one library; print their outputs as JSON.

``python corpus_runner.py torch|jitgrad PROGRAM.py ...``. Under ``jitgrad`` the programs'
``import torch`` (and ``torch.nn``, ``torch.utils.data``...) is answered with jitgrad's modules by
an import hook: the programs themselves are not edited. Both sides get the same random draws
(``same_random``). Each program runs in a fresh namespace in its own temporary directory, with
PyTorch's defaults restored before it (seed 0, float32, grad mode on, default print options
and numpy's); its stdout is captured, an exception is recorded as its type, message and the
program line that raised it.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.abc
import importlib.util
import io
import json
import os
import runpy
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import same_random  # noqa: E402


class _TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``torch`` and ``torch.X`` import as ``jitgrad`` and ``jitgrad.X``."""

    def find_spec(self, name, path=None, target=None):  # noqa: ANN001, ANN201
        if name != "torch" and not name.startswith("torch."):
            return None
        real = "jitgrad" + name[len("torch") :]
        if importlib.util.find_spec(real) is None:
            return None
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):  # noqa: ANN001, ANN201
        return importlib.import_module("jitgrad" + spec.name[len("torch") :])

    def exec_module(self, module) -> None:  # noqa: ANN001
        pass


def _error(exc: BaseException, path: str) -> list:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    where = f"line {frames[-1].lineno}: {frames[-1].line}" if frames else ""
    return [type(exc).__name__, str(exc)[:500], where]


def main() -> None:
    lib, paths = sys.argv[1], sys.argv[2:]
    if lib == "jitgrad":
        sys.meta_path.insert(0, _TorchAlias())
        # One runner meets ~200 new generated kernels in an empty cache (Run t0cover's census),
        # so it builds tier 0's interpreter at the first kernel NumPy cannot run, instead of
        # after 24 compiles (the rule for a program of unknown length): ~5 CPU s less cold;
        # the int64 one too (each half compiled ~45 int64 kernels, ~4 s: Run tcmd), and the
        # complex one (the corpus builds it anyway; after 16 complex compiles, ~3.5 CPU s of
        # them in a half: Run gen19)
        tier0 = importlib.import_module("jitgrad.fusion.tier0")
        tier0.AFTER_COMPILES = tier0.AFTER_INT64 = tier0.AFTER_COMPLEX = 0
    torch = importlib.import_module("torch")
    for sub in ("torch.nn.functional", "torch.utils.data"):  # bound before same_random rebinds
        importlib.import_module(sub)

    same_random.install(torch)
    results = {}
    home = os.getcwd()
    np_print = np.get_printoptions()
    for path in paths:
        path = str(Path(path).resolve())
        # print options a program set (fast.ai's notebooks set both) must not reach the next
        torch.set_printoptions(profile="default")
        np.set_printoptions(**np_print)
        torch.set_default_dtype(torch.float32)
        torch.set_grad_enabled(True)
        torch.manual_seed(0)
        out = io.StringIO()
        error = None
        t0, c0 = time.perf_counter(), time.process_time()
        with tempfile.TemporaryDirectory() as tmp:
            os.chdir(tmp)
            try:
                with contextlib.redirect_stdout(out), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    runpy.run_path(path, run_name="__main__")
            except BaseException as exc:  # noqa: BLE001 - the failure is the result
                error = _error(exc, path)
            finally:
                os.chdir(home)
        results[Path(path).stem] = {
            "stdout": out.getvalue(),
            "error": error,
            "seconds": round(time.perf_counter() - t0, 2),
            "cpu": round(time.process_time() - c0, 2),
        }
        # what the program left alive (compiled kernels, caches) is frozen, so the collections
        # Numba's compiles trigger in later programs skip it (a few percent of the run)
        gc.collect()
        gc.freeze()
    sys.__stdout__.write(json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
