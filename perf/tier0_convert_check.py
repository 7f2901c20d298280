"""Every dtype pair tier 0's conversions take, compared byte for byte with the compiled kernel.

``jitgrad/fusion/tier0_convert.py`` runs a ``cast`` kernel on NumPy for the pairs whose
conversion is defined (float to float, integer or bool to float, integer or bool to integer,
anything real to bool). ``tests/test_tier0_convert.py`` checks one pair per rule (each pair's
reference is a compile); this script checks them all, with extremes (NaN payloads, signalling
and negative NaNs, infinities, subnormals, rounding ties, integers past 2**24 and 2**53,
wrapping values), once per toolchain:

    PYTHONPATH=$PWD JITGRAD_CACHE_DIR=$(mktemp -d) python perf/tier0_convert_check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_tier0_convert import FLOATS, INTS, _kernel, _quietly  # noqa: E402

import jitgrad as torch  # noqa: E402
from jitgrad.fusion import tier0_convert  # noqa: E402

DTYPES = ("float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")


def values(dt: str) -> np.ndarray:
    """Extremes of ``dt``: the float table for floats, the integer table wrapped to ``dt``."""
    if dt == "bool":
        return np.array([True, False, True, False])
    return _quietly((FLOATS if dt.startswith("float") else INTS).astype, np.dtype(dt))


def main() -> int:
    checked, bad = 0, []
    for src in DTYPES:
        for dst in DTYPES:
            if src == dst or not tier0_convert.exact(np.dtype(src), np.dtype(dst)):
                continue
            a = values(src)
            got = torch.from_numpy(a.copy()).to(getattr(torch, dst)).numpy()
            kernel = _kernel(dst)
            assert isinstance(kernel.fn, tier0_convert.Conversion), (src, dst)
            want = np.empty_like(got)
            kernel.dispatcher(a, want)
            checked += 1
            if got.tobytes() != want.tobytes():
                bad.append((src, dst))
    print(f"{checked} pairs compared with the compiled kernel; differing: {bad or 'none'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
