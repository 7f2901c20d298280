"""Which ops still leave the device: every row of the op table (``tests/op_cases.py``, in
float32, float16 and bfloat16), the OpInfo samples (``tests/opinfo14_cases.py``,
``tests/opinfo15_cases.py``, float32 and float16) and the device sweep's rows
(``tests/cuda_sim/cases_sweep.py``), run on device tensors only, in Numba's CUDA simulator,
with every host fallback call counted (the op runs on, through the host, so one row can name
several ops).

Why a script and not a test: it is a census (a list that should shrink), not a check; the
device tests (``tests/cuda_sim/cases_*.py``) refuse the fallback for the rows that moved.
``tools/cuda_audit.py`` compares the same op table with the CPU; this one only lists.

Usage: ``NUMBA_ENABLE_CUDASIM=1 python tools/fallback_probe.py [--json=PATH] [table ...]``
(tables: ``op_cases opinfo sweep``); ``--compare BEFORE.json AFTER.json`` prints the change.
"""

from __future__ import annotations

import collections
import json
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / d) for d in ("", "tools", "tests", "tests/cuda_sim")]

import cuda_audit  # noqa: E402 - the audit's op-table rows (its loader and leaves)

import jitgrad as torch  # noqa: E402

FALLS: list[str] = []


def _counting() -> None:
    """Count each host fallback call by op name, then let it run (so later ops of a row are
    reached too)."""
    from jitgrad.backends.cuda import fallback  # (after the backend is active)

    original = fallback.host_call

    def host_call(fn: object, name: str, args: object, kwargs: object) -> object:
        FALLS.append(name)
        return original(fn, name, args, kwargs)

    fallback.host_call = host_call


def _op_rows() -> Iterator[tuple[str, Callable]]:
    m = cuda_audit.load("op_cases", "cuda")
    for dt in (None, torch.float16, torch.bfloat16):
        tag = "float32" if dt is None else str(dt).split(".")[-1]
        for rid, thunk in cuda_audit.op_cases(m, "cuda", dt):
            yield f"op_cases[{tag}]::{rid}", thunk


def _opinfo_rows() -> Iterator[tuple[str, Callable]]:
    from tests import opinfo14_cases as O14
    from tests import opinfo15_cases as O15

    for sample in (*O14.SAMPLES, *O15.SAMPLES):
        for dt in ("float32", "float16"):
            yield f"opinfo[{dt}]::{sample[0]}", lambda s=sample, d=dt: O14.run(torch, s, d)


def _sweep_rows() -> Iterator[tuple[str, Callable]]:
    import cases_sweep as S

    for name, (call, specs) in sorted(S.ROWS.items()):
        arrays = S._inputs(specs)
        yield f"sweep::{name}", lambda c=call, a=arrays: S._run(c, a, "cuda")


TABLES = {"op_cases": _op_rows, "opinfo": _opinfo_rows, "sweep": _sweep_rows}


def probe(tables: list[str]) -> dict:
    """``{op: [rows that sent it to the host]}`` over the rows of ``tables``."""
    by_op: dict[str, list[str]] = collections.defaultdict(list)
    for table in tables:
        rows = 0
        for rid, thunk in TABLES[table]():
            FALLS.clear()
            torch.set_default_device("cuda")
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    thunk()
            except Exception:  # noqa: BLE001, S110 - a row's error is the CPU op's too
                pass
            finally:
                torch.set_default_device("cpu")
            rows += 1
            for op in dict.fromkeys(FALLS):
                by_op[op].append(rid)
        print(f"== {table}: {rows} rows", flush=True)
    return dict(sorted(by_op.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def compare(before: dict, after: dict) -> None:
    for op in sorted(set(before) | set(after)):
        a, b = len(before.get(op, [])), len(after.get(op, []))
        if a != b:
            print(f"{op}: {a} -> {b} rows")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--compare"]:
        compare(*(json.loads(Path(p).read_text()) for p in argv[1:3]))
        return
    out = next((a.split("=", 1)[1] for a in argv if a.startswith("--json=")), None)
    # (imported here, not for --compare: it skips without a device or the simulator) the
    # simulator's race workarounds, as the device tests import them
    import kern_common  # noqa: F401

    torch.ones(1, device="cuda")  # activate the backend (and the fallback) before counting
    _counting()
    by_op = probe([a for a in argv if not a.startswith("--")] or list(TABLES))
    for op, rows in by_op.items():
        print(f"{op}: {len(rows)} rows, e.g. {rows[0]}")
    if out:
        Path(out).write_text(json.dumps(by_op, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
