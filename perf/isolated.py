"""One worker process per implementation; the parent interleaves their samples.

Why: jitgrad (Numba's OpenMP threads), torch (its own OpenMP runtime), JAX (XLA's thread
pool) and numpy (OpenBLAS threads) each keep worker threads that spin for a while after they
finish. In one process those pools compete for the same cores long after their own call
returned, so each library was timed with the others' threads in its way. Measured on the
2-core project machine, the 784-512-10 MLP step, torch eager: 8.8-12.5 ms alone, 19-30 ms in
the shared process; jitgrad: 9-11 ms alone, 16-24 ms shared. Separate processes give every
library the machine it would have in a user's program, and the round-robin order of
:func:`perf.harness.measure` still spreads the machine's drift over all of them.

Each worker imports only its own library, builds the workload's inputs from the same seed,
reads the float64 reference the parent computed (an ``.npz`` file) and checks its first call
against it exactly as in-process runs do. The environment a worker starts with is the user's:
settings jitgrad applies at import (``GOMP_SPINCOUNT``, see ``jitgrad.helpers``) are made
again by the jitgrad workers themselves and not passed to the others.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import sys
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from . import harness
from .impls import summarize
from .workloads import WORKLOADS


class WorkerError(RuntimeError):
    """The worker raised; the message is the status to report."""


class Worker:
    """A process that runs one implementation's calls on request (a :class:`harness.Sampler`)."""

    def __init__(self, impl_key: str) -> None:
        ctx = mp.get_context("spawn")  # fork is unsafe once OpenMP runtimes have started
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, impl_key), daemon=True)
        with _user_environment():
            self.proc.start()
        child.close()

    def _ask(self, *msg: Any) -> Any:
        self.conn.send(msg)
        kind, value = self.conn.recv()
        if kind == "err":
            raise WorkerError(value)
        return value

    def prepare(self, workload: str, quick: bool, ref_path: Path) -> harness.Result:
        return self._ask("prepare", workload, quick, str(ref_path))

    def calibrate(self, warmup_s: float, target_s: float) -> int:
        return self._ask("calibrate", warmup_s, target_s)

    def sample(self, loops: int) -> float:
        t = self._ask("sample", loops)
        self.settle()
        return t

    def settle(self, quiet_ns: int = 200_000, window_s: float = 0.005, cap_s: float = 0.5) -> None:
        """Wait (off every clock) until this worker's threads stop using CPU.

        Thread pools spin after their work: OpenBLAS's for up to ~0.1 s after a matmul.
        Starting the next implementation's sample then would time it against this worker's
        spinning threads, which is the interference separate processes are meant to remove.
        Idle means less than ``quiet_ns`` of CPU over ``window_s``, all threads together.
        """
        deadline = time.perf_counter() + cap_s
        before = _cpu_ns(self.proc.pid)
        while before is not None and time.perf_counter() < deadline:
            time.sleep(window_s)
            now = _cpu_ns(self.proc.pid)
            if now is None or now - before < quiet_ns:
                return
            before = now

    def close(self) -> None:
        try:
            self._ask("quit")
        except (EOFError, OSError, WorkerError):
            pass
        self.proc.join(timeout=10)
        if self.proc.is_alive():
            self.proc.kill()


class _user_environment:
    """Start children without the variables jitgrad set in this process at import."""

    def __enter__(self) -> None:
        helpers = sys.modules.get("jitgrad.helpers")
        self.saved = None
        if helpers is not None and getattr(helpers, "SET_SPINCOUNT", False):
            self.saved = os.environ.pop("GOMP_SPINCOUNT", None)

    def __exit__(self, *exc: object) -> None:
        if self.saved is not None:
            os.environ["GOMP_SPINCOUNT"] = self.saved


def _cpu_ns(pid: int) -> int | None:
    """CPU nanoseconds used so far by every thread of ``pid`` (Linux), or None."""
    total = 0
    try:
        for task in os.scandir(f"/proc/{pid}/task"):
            with open(f"{task.path}/schedstat") as f:
                total += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return total


def save_reference(reference: dict[str, np.ndarray], path: Path) -> Path:
    np.savez(path, **reference)
    return path


def _serve(conn: Connection, impl_key: str) -> None:  # pragma: no cover - runs in the worker
    from .impls import all_impls

    impl = next(i for i in all_impls() if i.key == impl_key)
    impl.load()
    call = None
    while True:
        msg = conn.recv()
        try:
            if msg[0] == "quit":
                conn.send(("ok", None))
                return
            if msg[0] == "prepare":
                call = None
                gc.unfreeze()
                gc.collect()
                _, name, quick, ref_path = msg
                wl = WORKLOADS[name]
                inputs = wl.inputs(quick)
                with np.load(ref_path) as f:
                    ref = {k: f[k] for k in f.files}
                res, call = harness.prepare(wl, impl, inputs, ref)
                del ref
                gc.collect()
                gc.freeze()  # the per-sample gc.collect() then scans only what calls create
                conn.send(("ok", res))
            elif msg[0] == "calibrate":
                conn.send(("ok", harness.calibrate(call, msg[1], msg[2])))
            elif msg[0] == "sample":
                conn.send(("ok", harness.time_calls(call, msg[1])))
            else:
                conn.send(("err", f"unknown request {msg[0]!r}"))
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            conn.send(("err", summarize(exc)))
