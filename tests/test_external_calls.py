"""Calls of compiled functions by symbol (:mod:`jitgrad.kernels.cpu.external_calls`), as the
straight-line tapes call the tape interpreter's loop: the loop's code must stay out of the
generated functions (Numba linked and re-emitted it into each: most of a small graph's
compile, perf/RESULTS.md Run straight17), a compiled caller must load from the disk cache in
a new process (the symbol registered before it loads), and arguments of other types must be
a typing error, never a call with another ABI. Bit equality of the replays with eager is
tests/test_capture_straight.py's."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest
from numba import njit, types

import jitgrad as torch
from jitgrad.capture import interp, straight
from jitgrad.fusion import diskcache
from jitgrad.kernels.cpu import external_calls
from tests.test_capture_straight import _program

ROOT = Path(__file__).resolve().parent.parent


@njit
def _axpy(x, y, out):
    for i in range(out.shape[0]):
        out[i] = 2.0 * x[i] + y[i]


_F64 = types.Array(types.float64, 1, "C")
_axpy_by_symbol = external_calls.external(_axpy, (_F64, _F64, _F64))


@njit
def _caller(x, y, out):
    _axpy_by_symbol(x, y, out)
    out[0] += 1.0


def test_a_call_by_symbol_runs_the_function_and_refuses_other_types() -> None:
    x, y = np.arange(4.0), np.full(4, 0.5)
    out = np.zeros(4)
    _caller(x, y, out)
    assert out.tolist() == [1.5, 2.5, 4.5, 6.5]
    with pytest.raises(numba.core.errors.TypingError):
        _caller(x.astype(np.float32), y, out)


def test_straight_line_functions_declare_the_interpreter_loop_not_a_copy() -> None:
    # rows of three elements: the generated function calls the interpreter's loop on them
    program = _program(lambda x: torch.exp(x * 2.0) - x, (3,))
    kernel = straight.build(program)
    first = sys.modules[kernel.name]._s0  # plain @njit: compiled here, never loaded
    sig = (numba.typeof(program.arena), numba.typeof(program.consts), numba.typeof(program.ins))
    first.compile(sig)
    ir = first.overloads[sig].library.get_llvm_str()
    defined = [line for line in ir.splitlines() if line.startswith("define")]
    assert not [d for d in defined if "_gen_interp_" in d], defined
    assert any(line.startswith("declare") and "@jitgrad_ext_" in line for line in ir.splitlines())


_LOADS = """if 1:
    import json, sys
    import numpy as np
    from jitgrad.capture import interp
    from jitgrad.fusion import diskcache
    spec = json.loads(sys.stdin.read())
    interp.module(spec["dtype"], frozenset(spec["codes"]))  # as straight.build does first
    fn = diskcache.load(spec["name"], spec["text"], "tape").dispatcher
    arena = np.array(spec["arena"], spec["dtype"])
    fn(np.array(spec["ins"], np.int32), np.array(spec["consts"]), arena)
    print(sum(fn.stats.cache_hits.values()), arena.tobytes().hex())
"""


def test_a_compiled_straight_line_kernel_loads_in_a_new_process() -> None:
    # its compiled code calls the interpreter's loop by a symbol that must be registered
    # before the code loads (else LLVM cannot resolve it): a new process loads and runs it
    program = _program(lambda x: torch.sigmoid(x * 3.0) * x, (4,))
    kernel = straight.build(program)  # compiled or loaded here: on disk either way
    text = diskcache.kernel_dir().joinpath(f"{kernel.name}.py").read_text()
    loop = re.search(r"^import (_gen_interp_\w+) as _e", text, re.M).group(1)
    (codes,) = [c for (_, c), m in interp._MODULES.items() if m.__name__ == loop]
    arena = program.arena.copy()
    kernel.fn(program.ins, program.consts, arena)
    spec = {"dtype": arena.dtype.name, "codes": sorted(codes), "name": kernel.name,
            "text": text, "ins": program.ins.tolist(), "consts": program.consts.tolist(),
            "arena": program.arena.tolist()}  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-c", _LOADS], input=json.dumps(spec), cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    hits, got = run.stdout.split()
    assert int(hits) == 1 and got == arena.tobytes().hex()
