"""Record PyTorch's outputs for the op tables (``linalg_cases``, ``nn_norm_cases``) into
their ``*_expected.json`` files.

Run with a Python that has PyTorch (never jitgrad): ``/path/to/torch/python
tests/ops_record.py``; ``tests/test_linalg_decomp.py`` and ``tests/test_nn_norm.py`` compare
jitgrad against the files.
"""

from __future__ import annotations

import importlib
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "parity")]

import harness  # noqa: E402
import torch  # noqa: E402

#: case module -> the file its PyTorch outputs go to
TABLES = {"linalg_cases": "linalg_expected.json", "nn_norm_cases": "nn_norm_expected.json"}


def main() -> None:
    for module, filename in TABLES.items():
        out = {"torch_version": torch.__version__, "programs": {}}
        for name, code in importlib.import_module(module).programs().items():
            torch.manual_seed(0)
            out["programs"][name] = harness.run(code, torch)
        path = HERE / filename
        path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
        print(f"wrote {len(out['programs'])} programs to {path}")


if __name__ == "__main__":
    main()
