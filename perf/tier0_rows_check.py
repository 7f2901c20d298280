"""Are the wide kernels of tests/tier0_rows.py's op rows bitwise each row's own kernel?

tests/test_tier0_ops.py, tests/test_tier0_complex.py and tests/test_tier0_numpy.py compare
tier 0 (or NumPy) with compiled kernels that hold several op rows each (one compile per 8
outputs instead of one per row). This script
compiles every row's own kernel as well (what the tests did before, ~240 compiles) and
compares its outputs' bytes (any NaN as one NaN, as the tests) with the row's outputs in the
wide kernel, forward and backward, float32/float64 and complex64/complex128:

    PYTHONPATH=. python perf/tier0_rows_check.py

Prints one line per dtype (rows checked, rows differing) and exits 1 if any row differs.
"""

from __future__ import annotations

import sys

from jitgrad.fusion import codegen as C
from jitgrad.fusion import tier0_interp as I
from tests import test_tier0 as T
from tests import test_tier0_complex as X
from tests import test_tier0_ops as O
from tests import tier0_rows as R


def _differing(rows: list, label: str) -> list[str]:
    bad = []
    for row, wide in zip(rows, R.outputs(rows, label, I.N_IN, I.N_OUT), strict=True):
        own = [make() for make in row.outs]
        C.get_kernel(row.spec).dispatcher(*row.args, *own)
        if [T._bits(a) for a in own] != [T._bits(a) for a in wide]:
            bad.append(row.name)
    return bad


def main() -> int:
    failed = 0
    for dt in ("float32", "float64"):
        fwd, ops_of = O._rows(dt)
        outs = [o[0] for o in R.outputs(fwd, f"tier0_rows_{dt}_fwd", I.N_IN, I.N_OUT)]
        bwd = [O._backward_row(*o, out, dt) for o, out in zip(ops_of, outs, strict=True)]
        bwd = [row for row in bwd if row is not None]
        bad = _differing(fwd, f"tier0_rows_{dt}_fwd") + _differing(bwd, f"tier0_rows_{dt}_bwd")
        print(f"{dt}: {len(fwd)} forward + {len(bwd)} backward rows, differing: {bad}")
        failed += len(bad)
    for dt in ("complex64", "complex128"):
        fwd, bwd = X._rows(dt)
        bad = _differing(fwd, f"tier0_cx_{dt}_fwd") + _differing(bwd, f"tier0_cx_{dt}_bwd")
        mixed = X._mixed_rows(dt)
        bad += _differing(mixed, f"tier0_cx_{dt}_mixed")
        bwd += mixed
        print(f"{dt}: {len(fwd)} forward + {len(bwd)} backward rows, differing: {bad}")
        failed += len(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
