"""The machine code of the generated kernels of the chain and gelu workloads, as a digest.

    JITGRAD_CACHE_DIR=$(mktemp -d) PYTHONPATH=<tree> python perf/fm_codegen_asm.py

Why: wall and CPU times of the chain workload move ~25% from one process to the next on the
shared machine, more than the ~4% a change of inlining could cost; if two trees' kernels have
the same instructions, they run at the same speed. Runs both workloads once (small inputs, one
thread), then for every compiled overload of every generated module (``sys.modules`` names
starting ``_gen``): the assembly with symbol names, labels and comments dropped, counted
(instructions, calls) and hashed; prints one line per overload and a digest over all.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

if __package__ in (None, ""):  # perf's helpers; jitgrad itself comes from PYTHONPATH's tree
    sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import numba  # noqa: E402

import jitgrad  # noqa: E402
from perf import impl_module, workloads  # noqa: E402


def _normal(asm: str) -> list[str]:
    out = []
    for line in asm.splitlines():
        line = line.split("#")[0].strip()
        if not line or line.endswith(":") or line.startswith("."):
            continue
        out.append(re.sub(r"[_A-Za-z$.][\w$.@]*(?=[,)\s]|$)", lambda m: m.group(0)
                          if re.fullmatch(r"%\w+|[a-z]+\d*[a-z]*", m.group(0)) else "SYM", line))
    return out


def main() -> None:
    numba.set_num_threads(1)
    for name in ("chain", "gelu"):
        inp = workloads.WORKLOADS[name].inputs(quick=False)
        getattr(impl_module, name)(jitgrad, inp)()
    total = hashlib.sha256()
    for mod_name in sorted(m for m in sys.modules if m.startswith("_gen")):
        for attr, disp in sorted(vars(sys.modules[mod_name]).items()):
            if not isinstance(disp, numba.core.registry.CPUDispatcher):
                continue
            for sig in disp.signatures:
                lines = _normal(disp.inspect_asm(sig))
                calls = sum(ln.startswith("call") for ln in lines)
                h = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12]
                total.update(h.encode())
                print(f"{attr[:60]} {len(lines)} instructions {calls} calls {h}")
    print(f"asm digest {total.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
