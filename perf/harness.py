"""Correctness check and interleaved timing of one workload across implementations.

Why this shape:

* Every implementation's first call is checked against the numpy float64 reference *before*
  anything is timed; a mismatch is reported as WRONG and never timed, so a fast wrong answer
  cannot look like a win. An exception while building or running is "unavailable: <why>".
* Timing is round-robin: repetition r times every implementation once, starting at a rotating
  offset, so slow drift of the machine (thermal, a core dropping out, a noisy neighbour) hits
  every implementation alike instead of whichever happened to run during the bad minute.
* Calls much shorter than ``target`` seconds are looped ``k`` times per sample (``k`` calibrated
  after warm-up), so a 20 us call is not measured at timer resolution.
* ``gc.collect()`` runs before each sample, outside the clock, so one implementation's garbage
  is not collected on another's time.
* A sample is taken by a :class:`Sampler`: :class:`LocalSampler` in this process, or a worker
  process per implementation (:mod:`perf.isolated`, the runner's default).
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .impls import Call, Impl, summarize
from .workloads import Workload

#: (rtol, atol as a fraction of max|reference|) per dtype. Loose enough for float32
#: transcendental functions and summation order, tight enough that a wrong derivative fails.
TOLERANCE = {"float32": (2e-3, 2e-4), "float64": (1e-8, 1e-10)}


@dataclass
class Result:
    """What happened to one implementation on one workload. Times are seconds per call."""

    impl: str
    name: str
    status: str = "ok"
    message: str = ""
    first_call_s: float | None = None
    max_err: float | None = None
    calls_per_sample: int = 1
    times: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def median(self) -> float | None:
        return float(np.median(self.times)) if self.times else None


def check(
    workload: Workload,
    impl: Impl,
    outputs: dict[str, Any],
    reference: dict[str, np.ndarray],
    inputs: dict[str, np.ndarray],
) -> tuple[bool, float, str]:
    """Compare outputs with the reference; returns (passed, worst scaled error, message).

    The error of an array is ``max|got - ref| / max|ref|``; it passes when every element is
    within ``atol + rtol*|ref|``. A float32 workload returning float64 arrays passes with a note
    (slower, not wrong); a missing gradient fails.
    """
    rtol, atol_frac = TOLERANCE[workload.dtype]
    notes = []
    try:
        got = {k: impl.to_numpy(v) for k, v in outputs.items()}
    except Exception as exc:
        return False, math.inf, f"output not convertible: {summarize(exc)}"
    for k, v in got.items():
        if v.ndim and np.issubdtype(v.dtype, np.floating) and v.dtype != workload.dtype:
            notes.append(f"{k} is {v.dtype}")
    got = {k: np.asarray(v, np.float64) for k, v in got.items()}
    if workload.derive:
        try:
            got = workload.derive(got, inputs)
        except KeyError as exc:
            return False, math.inf, f"missing output {exc}"
    worst, failures = 0.0, []
    for k, ref in reference.items():
        if k not in got:
            return False, math.inf, f"missing output {k!r}"
        g = got[k]
        if g.shape != ref.shape:
            if g.size != ref.size:
                return False, math.inf, f"{k}: shape {g.shape}, expected {ref.shape}"
            g = g.reshape(ref.shape)
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
        err = float(np.max(np.abs(g - ref))) / scale if scale else float(np.max(np.abs(g)))
        worst = max(worst, err if np.isfinite(err) else math.inf)
        if not np.allclose(g, ref, rtol=rtol, atol=atol_frac * scale):
            failures.append(f"{k} (err {err:.2g})")
    if failures:
        return False, worst, "mismatch: " + ", ".join(failures)
    return True, worst, "; ".join(notes)


def prepare(
    workload: Workload,
    impl: Impl,
    inputs: dict[str, np.ndarray],
    reference: dict[str, np.ndarray],
) -> tuple[Result, Call | None]:
    """Load, build, run once and check one implementation; the call is returned only if OK."""
    res = Result(impl.key, impl.name)
    if not impl.load():
        res.status = impl.error
        return res, None
    if not impl.supports(workload):
        res.status = "n/a"
        return res, None
    try:
        call = impl.build(workload, inputs)
        t0 = time.perf_counter()
        outputs = call()
        res.first_call_s = time.perf_counter() - t0
    except Exception as exc:
        res.status = f"unavailable: {summarize(exc)}"
        return res, None
    passed, res.max_err, res.message = check(workload, impl, outputs, reference, inputs)
    if not passed:
        res.status = "WRONG"
        return res, None
    return res, call


def time_calls(call: Call, k: int) -> float:
    """Seconds per call of ``call`` run ``k`` times (garbage collected first, off the clock)."""
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(k):
        call()
    return (time.perf_counter() - t0) / k


def calibrate(call: Call, warmup_s: float, target_s: float) -> int:
    """Warm ``call`` up for ``warmup_s``; the number of calls per sample that takes ``target_s``."""
    t_end = time.perf_counter() + warmup_s
    n = 0
    while n < 1 or time.perf_counter() < t_end:
        once = time_calls(call, 1)
        n += 1
        if once > warmup_s:
            break
    return max(1, min(100_000, math.ceil(target_s / max(once, 1e-9))))


class Sampler(Protocol):
    """Times one prepared implementation: in this process, or in its worker process."""

    def calibrate(self, warmup_s: float, target_s: float) -> int: ...

    def sample(self, loops: int) -> float: ...


class LocalSampler:
    """A call timed in this process."""

    def __init__(self, call: Call) -> None:
        self.call = call

    def calibrate(self, warmup_s: float, target_s: float) -> int:
        return calibrate(self.call, warmup_s, target_s)

    def sample(self, loops: int) -> float:
        return time_calls(self.call, loops)


def measure(
    samplers: dict[str, Sampler],
    results: dict[str, Result],
    repeat: int,
    warmup_s: float,
    target_s: float,
    budget_s: float,
    tick: Callable[[str, int], None] = lambda label, n: None,
) -> None:
    """Warm up, calibrate and time ``samplers`` round-robin, filling ``results[key].times``.

    An implementation whose measured time exceeds ``budget_s`` stops being sampled once it has
    three samples (reported with fewer samples rather than stretching the run).
    An exception during timing turns the result into "failed: ..." with no times.
    """
    samplers = dict(samplers)
    loops: dict[str, int] = {}
    for key, sampler in list(samplers.items()):
        try:
            loops[key] = results[key].calls_per_sample = sampler.calibrate(warmup_s, target_s)
        except Exception as exc:
            results[key].status = f"failed: {summarize(exc)}"
            del samplers[key]
    spent = dict.fromkeys(samplers, 0.0)
    keys = list(samplers)
    for r in range(repeat):
        order = keys[r % len(keys) :] + keys[: r % len(keys)] if keys else []
        for key in order:
            if key not in samplers:
                tick(key, 1)
                continue
            res = results[key]
            if spent[key] > budget_s and len(res.times) >= 3:
                tick(key, 1)
                continue
            tick(key, 0)
            try:
                t = samplers[key].sample(loops[key])
            except Exception as exc:
                res.status = f"failed: {summarize(exc)}"
                res.times.clear()
                del samplers[key]
                tick(key, 1)
                continue
            res.times.append(t)
            spent[key] += t * loops[key]
            tick(key, 1)
