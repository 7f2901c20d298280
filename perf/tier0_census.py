"""Why each generated kernel compiled instead of running in tier 0 (issue 16 section 3).

``install(out_dir)`` wraps :func:`jitgrad.fusion.tier0.attach`, ``Tier0.take``,
the translation and ``diskcache.Kernel._timed`` so that every compile
of a generated kernel (a first call that did not load compiled code from disk) appends a row to
``<out_dir>/t0-<pid>.jsonl``: the kernel, the compiling thread's CPU seconds, and the reason
tier 0 did not take it (the first condition of ``attach`` that failed, the node or call the
translation refused, no interpreter yet for a program NumPy cannot run, a shared-memory
output, or the budget). A script (the corpus runner as tests/test_corpus.py starts it):

    python perf/tier0_census.py /tmp/t0c --run tests/parity/corpus_runner.py jitgrad P.py ...

pytest, in process: ``JITGRAD_T0_CENSUS=/tmp/t0c PYTHONPATH=$PWD:$PWD/perf python -m pytest
-p tier0_census ...``; then ``python perf/tier0_census.py /tmp/t0c`` ranks the reasons by
compile CPU.
"""

from __future__ import annotations

import argparse
import ast
import collections
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

_REASON: dict[str, str] = {}
_DETAIL: dict[str, dict] = {}


def _attach_reason(kernel, tier0, interp) -> str:  # noqa: ANN001
    spec = kernel.spec
    if not tier0.ENABLED:
        return "tier0 off"
    if spec.parallel:
        return "parallel spec"
    if spec.ndim > 4:
        return "ndim > 4"
    n_arrays = sum(not s for _, s in spec.inputs)
    dtypes = {o[3] for o in spec.outputs}
    limited = "jitgrad.fusion.tier0_passes" not in sys.modules  # (t0wide: passes, no limit)
    if limited and n_arrays > interp.N_IN:
        return f"inputs > N_IN ({n_arrays})"
    if limited and len(spec.outputs) > interp.N_OUT:
        return f"outputs > N_OUT ({len(spec.outputs)})"
    taken = getattr(tier0, "DTYPES", {"float32": 0, "float64": 0})  # (int64 since Run tcmd)
    if not dtypes - {"bool"} <= taken.keys():
        return "output dtype " + "/".join(sorted(dtypes))
    if len(dtypes - {"bool"}) > 1:
        return "mixed output dtypes"
    return "on disk"


def _translate_reason(spec, args, block) -> str:  # noqa: ANN001
    from jitgrad.fusion import tier0_translate as mod

    extra = (block,)
    if any(np.iscomplexobj(a) for a in args):  # (tier0.translate's dispatch, since t0complex)
        from jitgrad.fusion import tier0_complex as mod

        extra = ()
    try:
        mod._Translation(spec, args).program(*extra)
    except mod._Unsupported as e:
        tb = e.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        frame = tb.tb_frame
        where = frame.f_code.co_name
        loc = frame.f_locals
        if where == "__init__":
            dts = sorted({a.dtype.name for a in args if hasattr(a, "dtype")})
            return "operand dtypes " + "/".join(dts)
        if where == "call" and "name" in loc:
            return f"call {loc['name']}"
        if "node" in loc and isinstance(loc["node"], ast.AST):
            node = loc["node"]
            text = ast.unparse(node)
            if isinstance(node, ast.Constant):
                return f"constant {type(node.value).__name__}"
            return f"{where}: {type(node).__name__} {text[:40]}"
        if where == "program":
            if "value" in loc and not hasattr(loc["value"], "dtype") and "out" not in loc:
                return "array input not an ndarray"
            out = loc.get("out")
            if out is not None:
                return f"output dtype/writeable {getattr(out, 'dtype', '?')}"
        return f"{where}:{tb.tb_lineno}"
    except Exception as e:  # noqa: BLE001
        return f"translate error {type(e).__name__}"
    return "translated"


def install(out_dir: str) -> None:
    """Wrap tier 0 and the first call to record why each compiled generated kernel compiled."""
    from jitgrad.fusion import diskcache, tier0, tier0_numpy
    from jitgrad.fusion import tier0_interp as interp

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"t0-{os.getpid()}.jsonl")
    attach, take, timed = tier0.attach, tier0.Tier0.take, diskcache.Kernel._timed

    def attach_wrapper(kernel, block):  # noqa: ANN001, ANN202
        attach(kernel, block)
        fn = kernel.fn
        if type(fn).__name__ == "Conversion":  # (tier0_convert's, over the kernel's own path)
            _REASON[kernel.name] = "conversion: hot or not exact"
            fn = fn.other
        if not isinstance(fn, tier0.Tier0):
            _REASON[kernel.name] = "attach: " + _attach_reason(kernel, tier0, interp)

    def take_wrapper(self, args):  # noqa: ANN001, ANN202
        program = take(self, args)
        if program is None:
            prog = self.programs.get(tier0._key(args))  # (tier0's own key: Numba fingerprints)
            size = args[prog.shape_arg].size if prog is not None else 0
            interp_ok = prog is not None and (
                prog.dtype in sys.modules["jitgrad.fusion.tier0_complex_interp"].SIGNATURES
                if prog.dtype.startswith("complex")
                else self.interp
            )
            if prog is None:
                reason = "translate: " + _translate_reason(self.kernel.spec, args, self.block)
            elif not interp_ok and not prog.plain:
                reason = f"no {prog.dtype} interpreter yet (not a NumPy program)"
            elif not interp_ok and size > tier0_numpy.MAX_SIZE:
                reason = f"no {prog.dtype} interpreter yet (size > NumPy's MAX_SIZE)"
            elif any(args[k].size > 1 and 0 in args[k].strides for k in prog.outputs):
                reason = "stride-0 output"  # (since t0cover: one stored, or sharing memory)
            elif self.calls:
                reason = f"budget (hot after {self.calls} calls, {size} el)"
            else:
                reason = f"budget (first call, {size} el)"
            _REASON[self.kernel.name] = reason
            if prog is not None:  # (the program's size: rows, elements, calls, estimated cost)
                _DETAIL[self.kernel.name] = {
                    "rows": prog.rows, "size": int(size), "calls": self.calls, "spent": self.spent,
                }  # fmt: skip
        return program

    depth = [0]

    def timed_wrapper(self, args):  # noqa: ANN001, ANN202
        before = diskcache._stats["compiled"]
        depth[0] += 1
        c0 = time.thread_time()
        try:
            return timed(self, args)
        finally:
            depth[0] -= 1
            cpu = time.thread_time() - c0
            if diskcache._stats["compiled"] > before:
                spec = self.spec
                row = {
                    "kernel": self.name,
                    "label": self.label,
                    "cpu": cpu,
                    "depth": depth[0],
                    "reason": _REASON.get(self.name, "never in tier 0 (no spec?)"),
                    "ndim": getattr(spec, "ndim", None),
                    "dtypes": sorted({o[3] for o in spec.outputs}) if spec else None,
                    "args": sorted({str(getattr(a, "dtype", type(a).__name__)) for a in args}),
                    "test": os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0],
                    **_DETAIL.get(self.name, {}),
                }
                with open(path, "a") as f:
                    f.write(json.dumps(row) + "\n")

    tier0.attach = attach_wrapper
    tier0.Tier0.take = take_wrapper
    diskcache.Kernel._timed = timed_wrapper


def pytest_configure(config):  # noqa: ANN001, ANN201
    """With ``-p tier0_census`` (perf/ on the path) and ``JITGRAD_T0_CENSUS`` set."""
    if os.environ.get("JITGRAD_T0_CENSUS"):
        install(os.environ["JITGRAD_T0_CENSUS"])


def report(directory: str) -> str:
    rows = []
    for p in sorted(Path(directory).glob("t0-*.jsonl")):
        rows += [json.loads(line) for line in p.read_text().splitlines() if line]
    outer = [r for r in rows if r["depth"] == 0]
    total = sum(r["cpu"] for r in outer)
    lines = [f"{len(rows)} generated compiles ({len(outer)} outermost), {total:.1f} CPU s"]
    by = collections.defaultdict(lambda: [0, 0.0])
    for r in outer:
        by[r["reason"]][0] += 1
        by[r["reason"]][1] += r["cpu"]
    for reason, (n, cpu) in sorted(by.items(), key=lambda kv: -kv[1][1]):
        lines.append(f"{cpu:8.1f} s {n:5d}  {reason}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--run", nargs=argparse.REMAINDER, help="run this script under the census")
    a = ap.parse_args()
    if a.run:
        import runpy

        install(a.dir)
        sys.argv = a.run
        runpy.run_path(a.run[0], run_name="__main__")
        return
    print(report(a.dir))


if __name__ == "__main__":
    sys.exit(main())
