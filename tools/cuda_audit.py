"""Audit of the CUDA backend against the CPU: every row of the test case tables, run once with
the CPU as the default device and once with ``cuda`` (Numba's CUDA simulator without a GPU).

Why a script and not a test: the tables hold about a thousand rows and the simulator runs a
kernel thread by thread, so the whole audit takes minutes; the device tests
(``tests/cuda_sim/cases_*.py``) keep a small, fast selection of its rows. This prints, per
table, the rows whose device result differs from the CPU's (values, dtype, shape, node name,
error type and message), the rows that ran through the host fallback (``host fallback: <op>``
under ``JITGRAD_DEBUG=1``) and the device-to-host copies each row made.

Each table module is loaded twice, once per default device, so the tensors a module builds
at import (``tests/hostile_cases.py``'s ``x``) live on the device being audited.

Usage: ``NUMBA_ENABLE_CUDASIM=1 JITGRAD_DEBUG=1 python tools/cuda_audit.py [table ...]``
(tables: see :data:`TABLES`; ``--rows`` prints every row's outcome).
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

import jitgrad as torch

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))
_DEVICE_TEXT = re.compile(r",? ?device='cuda:0'|cuda:0|\bcuda\b|_cuda\b|_cpu\b", re.IGNORECASE)
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


class _Log(logging.Handler):
    """The ``jitgrad`` logger's messages of the row being run: fallbacks and launches."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


LOG = _Log()
COPIES = [0]


def _count_host_copies() -> None:
    """Count device-to-host copies: the simulator's (or the driver's) ``copy_to_host``."""
    from numba import cuda  # (after jitgrad: the simulator choice is made by the environment)

    cls = type(cuda.device_array(1))
    original = cls.copy_to_host

    def counted(self, *args, **kwargs):
        COPIES[0] += 1
        return original(self, *args, **kwargs)

    cls.copy_to_host = counted


def load(name: str, device: str) -> Any:
    """A fresh copy of ``tests/<name>.py`` imported with ``device`` as the default device."""
    spec = importlib.util.spec_from_file_location(f"{name}_{device}", TESTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up)
    torch.set_default_device(device)
    try:
        spec.loader.exec_module(module)
    finally:
        torch.set_default_device("cpu")
    return module


def describe(value: Any) -> Any:
    """A device-free summary of a result: tensors as (dtype, shape, node, host values)."""
    if isinstance(value, torch.Tensor):
        node = value.grad_fn.name() if value.grad_fn is not None else None
        host = value.detach().cpu()
        arr = host.numpy() if host.dtype not in (torch.bfloat16,) else host.float().numpy()
        return ("tensor", str(value.dtype), tuple(value.shape), node, np.array(arr))
    if isinstance(value, dict):
        return {k: describe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):  # (named tuples, torch.return_types: as tuples)
        items = [describe(v) for v in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, BaseException):
        return ("error", type(value).__name__, _DEVICE_TEXT.sub("", str(value)))
    if isinstance(value, str):
        return _DEVICE_TEXT.sub("", value)
    if isinstance(value, (int, float, bool, type(None), complex)):
        return value
    return ("repr", _ADDRESS.sub("", _DEVICE_TEXT.sub("", repr(value))))


def differ(a: Any, b: Any, path: str = "") -> str | None:
    """Where the device summary ``b`` differs from the CPU's ``a`` (None: the same)."""
    if isinstance(a, tuple) and a[:1] == ("tensor",) and isinstance(b, tuple) and b[:1] == a[:1]:
        if a[1:4] != b[1:4]:
            return f"{path}: {a[1:4]} vs {b[1:4]}"
        x, y = a[4], b[4]
        tight = x.dtype in (np.float64, np.complex128)
        if x.dtype.kind in "fc" and y.dtype == x.dtype:
            ok = np.allclose(
                y, x, rtol=1e-9 if tight else 1e-4, atol=1e-12 if tight else 1e-5, equal_nan=True
            )
        else:
            ok = x.dtype == y.dtype and np.array_equal(x, y)
        return None if ok else f"{path}: values {x.ravel()[:4]} vs {y.ravel()[:4]}"
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(a)} vs {sorted(b)}"
        return next((d for k in a if (d := differ(a[k], b[k], f"{path}.{k}"))), None)
    if isinstance(a, (list, tuple)) and type(a) is type(b) and len(a) == len(b):
        return next(
            (d for i, (u, v) in enumerate(zip(a, b)) if (d := differ(u, v, f"{path}[{i}]"))), None
        )
    if isinstance(a, float) and isinstance(b, float):
        return None if np.isclose(a, b, rtol=1e-5, equal_nan=True) else f"{path}: {a} vs {b}"
    return None if a == b else f"{path}: {a!r} vs {b!r}"[:300]


def run_row(thunk: Callable[[], Any]) -> tuple[Any, list[str], int]:
    """The row's summarized result (or error), its fallback messages and host copies."""
    LOG.messages.clear()
    COPIES[0] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = thunk()
        except Exception as exc:  # noqa: BLE001 - the error is the row's result
            value = exc
    copies = COPIES[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = describe(value)
        except Exception as exc:  # noqa: BLE001 - a result that cannot be read back
            result = ("unreadable", type(exc).__name__, str(exc)[:200])
    falls = sorted({m.split(": ", 1)[1] for m in LOG.messages if m.startswith("host fallback")})
    return result, falls, copies


def _weighted_backward(out: Any, leaves: list) -> dict:
    """``out`` and the leaves' gradients of ``(out * w).sum()`` for a fixed ``w``."""
    res = {"out": out}
    if isinstance(out, torch.Tensor) and out.requires_grad:
        w = np.linspace(0.5, 1.5, max(out.numel(), 1))[: out.numel()].reshape(tuple(out.shape))
        weight = torch.tensor(w, dtype=out.dtype if out.is_floating_point() else None)
        (out * weight.to(out.device)).sum().backward()
        res["grads"] = [x.grad for x in leaves]
    return res


def _leaves(arrays: list, device: str, needs: tuple | None = None, dt: Any = None) -> list:
    needs = needs or (True,) * len(arrays)
    if dt is not None:  # the float32 samples rounded to a reduced type (op_cases_bfloat16)
        xs = [torch.tensor(a, device=device).to(dt) for a in arrays]
        return [x.requires_grad_(n) for x, n in zip(xs, needs)]
    return [torch.tensor(a, device=device, requires_grad=n) for a, n in zip(arrays, needs)]


def op_cases(m: Any, device: str, dt: Any = None) -> Iterator:
    for case in m.CASES:
        for k, shapes in enumerate(case.shape_sets()[:2]):
            arrays = case.sample(np.random.default_rng(0), shapes, np.float32)

            def thunk(case=case, arrays=arrays):
                xs = _leaves(arrays, device, case.grad_inputs(), dt)
                return _weighted_backward(case.call(torch, *xs), xs)

            yield f"{case.op}#{k}", thunk


def _op_cases_in(dt: Any) -> Callable:
    """:func:`op_cases` with the inputs in float16 or bfloat16 (issue 15: the device rounds
    each op's result as the CPU does)."""
    return lambda m, device: op_cases(m, device, dt)


def reduce_cases(m: Any, device: str) -> Iterator:
    for name, call, _ref, shape in m.CASES:

        def thunk(call=call, name=name, shape=shape):
            xs = _leaves([m.case_input(name, shape)], device)
            return _weighted_backward(call(torch, xs[0]), xs)

        yield name, thunk
    for i, row in enumerate(m.ERRORS):
        yield f"ERRORS.{i}", (lambda row=row: row[0](torch))


def matmul_cases(m: Any, device: str) -> Iterator:
    for name, call, _ref, shapes, *_ in m.CASES:

        def thunk(call=call, name=name, shapes=shapes):
            xs = _leaves(m.case_arrays(name, shapes), device)
            return _weighted_backward(call(torch, *xs), xs)

        yield name, thunk
    for i, row in enumerate(m.ERRORS):
        yield f"ERRORS.{i}", (lambda row=row: row[0](torch))


def api_extra_cases(m: Any, device: str) -> Iterator:
    for name, call, shapes in m.GRAD_CASES:

        def grad(call=call, shapes=shapes):
            xs = _leaves([m.inputs(s, i) for i, s in enumerate(shapes)], device)
            return _weighted_backward(call(torch, *xs), xs)

        yield name, grad
    for name, call, shape in m.INPLACE_CASES:

        def inplace(call=call, shape=shape):
            x = _leaves([m.inputs(shape, 7)], device)[0]
            y = x * 1
            out = call(torch, y)
            res = _weighted_backward(y, [x])
            return {**res, "same": out is y, "version": y._version}

        yield name, inplace
    for table in ("VALUE_CASES", "ERRORS"):
        for name, call in getattr(m, table):
            yield f"{table}.{name}", (lambda call=call: call(torch))


def named_fn_cases(*tables: str) -> Callable:
    def rows(m: Any, device: str) -> Iterator:
        for table in tables:
            entries = getattr(m, table)
            items = entries.items() if isinstance(entries, dict) else entries
            for name, call in items:
                yield f"{table}.{name}", (lambda call=call: call(torch))

    return rows


def hostile_cases(m: Any, device: str) -> Iterator:
    yield from m.CASES


def program_cases(m: Any, device: str) -> Iterator:
    for name, program in m.cases().items():
        yield name, (lambda program=program: program(torch))
    for name in m.ERRORS:
        yield f"ERRORS.{name}", (lambda name=name: m.error_of(torch, name))


def nn3d_cases(m: Any, device: str) -> Iterator:
    for name in m.CASES:
        yield name, (lambda name=name: m.run_case(torch, name))
    for name in m.ERRORS:
        yield f"ERRORS.{name}", (lambda name=name: m.run_error(torch, name))


def creation_legacy_cases(m: Any, device: str) -> Iterator:
    yield "run", (lambda: m.run(torch))


#: tables that are another table's module run another way
MODULES = {"op_cases_bfloat16": "op_cases", "op_cases_float16": "op_cases"}
TABLES: dict[str, Callable] = {
    "op_cases": op_cases,
    "op_cases_bfloat16": _op_cases_in(torch.bfloat16),
    "op_cases_float16": _op_cases_in(torch.float16),
    "reduce_cases": reduce_cases,
    "matmul_cases": matmul_cases,
    "api_extra_cases": api_extra_cases,
    "names_cases": named_fn_cases("CASES", "EXTRA_CASES", "COPY_CASES"),
    "hostile_cases": hostile_cases,
    "complex_cases": program_cases,
    "fft_hermitian_cases": program_cases,
    "stft_cases": program_cases,
    "nn3d_cases": nn3d_cases,
    "pool_gaps_cases": nn3d_cases,
    "creation_legacy_cases": creation_legacy_cases,
}


def audit(table: str, every_row: bool) -> dict:
    """Run one table on both devices; print the differing rows; return the counts."""
    results = {}
    for device in ("cpu", "cuda"):
        module = load(MODULES.get(table, table), device)
        torch.set_default_device(device)
        try:
            results[device] = {rid: run_row(t) for rid, t in TABLES[table](module, device)}
        finally:
            torch.set_default_device("cpu")
        torch.manual_seed(0)
    counts = {"rows": 0, "differ": 0, "fallback": 0, "copies": 0}
    for rid, (cpu, _, _) in results["cpu"].items():
        dev, falls, copies = results["cuda"][rid]
        diff = differ(cpu, dev)
        counts["rows"] += 1
        counts["differ"] += diff is not None
        counts["fallback"] += bool(falls)
        counts["copies"] += copies > 0
        outcome = f"DIFF {diff}" if diff else "same"
        if diff or every_row or falls or copies:
            print(f"{table}::{rid}: {outcome}; fallback={falls} copies={copies}")
    print(f"== {table}: {counts}", flush=True)
    return counts


def main(argv: list[str]) -> None:
    logging.getLogger("jitgrad").addHandler(LOG)
    logging.getLogger("jitgrad").setLevel(logging.DEBUG)
    logging.getLogger("jitgrad").propagate = False
    torch.ones(1, device="cuda")  # activate the backend (and the fallback) before counting
    _count_host_copies()
    every_row = "--rows" in argv
    names = [a for a in argv if not a.startswith("--")] or list(TABLES)
    for name in names:
        audit(name, every_row)


if __name__ == "__main__":
    main(sys.argv[1:])
