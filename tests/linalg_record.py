"""Record PyTorch's outputs for ``linalg_cases`` into ``linalg_expected.json``.

Run with a Python that has PyTorch (never jitgrad): ``/path/to/torch/python
tests/linalg_record.py``; ``tests/test_linalg_decomp.py`` compares jitgrad against the file.
"""

from __future__ import annotations

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "parity")]

import harness  # noqa: E402
import torch  # noqa: E402
from linalg_cases import programs  # noqa: E402


def main() -> None:
    out = {"torch_version": torch.__version__, "programs": {}}
    for name, code in programs().items():
        out["programs"][name] = harness.run(code, torch)
    path = HERE / "linalg_expected.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out['programs'])} programs to {path}")


if __name__ == "__main__":
    main()
