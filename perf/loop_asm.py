"""Instructions per vector iteration of jitgrad's joint kernels and the hand-written floor's.

    python perf/loop_asm.py [chain gelu mse] [--show]

Runs each workload's forward+backward a few times through jitgrad (so its joint
forward+backward kernel is built), then disassembles that kernel and the floor's
(``perf/impl_numba.py``) with Numba's ``inspect_asm`` (in an empty kernel cache: Numba
cannot disassemble cached code) and prints, for the innermost loops with
the most vector instructions, the instruction count and the mnemonics (``--show``: the loop's
instructions too). A loop handles one vector of elements per iteration (16 float32 with
AVX-512) unless the vectorizer interleaved it (the floor's reductions are unrolled 4x; divide
by the number of ``vmovups`` loads per input to compare). Counts tell where a gap in time comes
from without timing noise: constants reloaded inside the loop (``movabsq`` + ``vbroadcastss``),
spills (extra ``vmovups``), a math function's length. See perf/RESULTS.md, Run Y.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
# Numba cannot disassemble code loaded from its cache: compile every kernel afresh.
os.environ["JITGRAD_CACHE_DIR"] = tempfile.mkdtemp(prefix="jitgrad-loop-asm-")

import numpy as np  # noqa: E402

import jitgrad  # noqa: E402
from jitgrad.fusion import diskcache  # noqa: E402
from perf import impl_module, impl_numba, workloads  # noqa: E402

_LABEL = re.compile(r"^(\.?[\w$.]+):")
_JUMP = re.compile(r"^j\w+\s+(\.?[\w$.]+)")
_VECTOR = re.compile(r"%[yz]mm")


def _instructions(lines: list[str]) -> list[str]:
    return [ln for ln in lines if ln and not ln.startswith((".", "#")) and not _LABEL.match(ln)]


def innermost_loops(asm: str) -> list[list[str]]:
    """Bodies (label to backward jump) of the loops that contain no other loop, most vector
    instructions first."""
    lines = [ln.strip() for ln in asm.splitlines()]
    labels = {m.group(1): i for i, ln in enumerate(lines) if (m := _LABEL.match(ln))}
    spans = []
    for i, ln in enumerate(lines):
        m = _JUMP.match(ln)
        if m and labels.get(m.group(1), i) < i:
            spans.append((labels[m.group(1)], i))
    inner = [s for s in spans if not any(s[0] <= o[0] and o[1] <= s[1] and o != s for o in spans)]
    bodies = [_instructions(lines[a + 1 : b + 1]) for a, b in inner]
    return sorted(bodies, key=lambda b: -sum(bool(_VECTOR.search(x)) for x in b))


def describe(title: str, asm: str, show: bool, top: int = 2) -> None:
    print(title)
    for body in innermost_loops(asm)[:top]:
        vec = sum(bool(_VECTOR.search(x)) for x in body)
        ops = Counter(x.split()[0] for x in body).most_common()
        print(f"  loop: {len(body)} instructions, {vec} vector")
        print("    " + ", ".join(f"{op} {n}" for op, n in ops))
        if show:
            print("\n".join("      " + x for x in body))


def _asm(dispatcher) -> str:
    return dispatcher.inspect_asm(dispatcher.signatures[0])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python perf/loop_asm.py")
    p.add_argument("workloads", nargs="*", default=["chain", "gelu", "mse"])
    p.add_argument("--show", action="store_true", help="print the loops' instructions")
    args = p.parse_args(argv)
    for name in args.workloads:
        inp = workloads.WORKLOADS[name].inputs(quick=False)
        diskcache.MEMORY.clear()
        run = getattr(impl_module, name)(jitgrad, inp)
        for _ in range(3):  # the joint kernel is built once the step has been seen
            run()
        for spec, kernel in list(diskcache.MEMORY.items()):
            if "joint" in spec.function_name:
                describe(
                    f"{name}: jitgrad {spec.function_name}", _asm(kernel.dispatcher), args.show
                )
        impl_numba.BUILDERS[name](inp)()
        floor = impl_numba._kernel(name, np.dtype(workloads.WORKLOADS[name].dtype))
        describe(f"{name}: floor (perf/impl_numba.py)", _asm(floor), args.show)


if __name__ == "__main__":
    main()
