"""Record real PyTorch's outputs for the parity table into ``expected.json``.

Run with a Python that has PyTorch (never jitgrad): ``/path/to/torch/python
tests/parity/record.py``. ``tests/test_parity.py`` compares jitgrad against the file, so the
parity tests run without PyTorch installed.
"""

from __future__ import annotations

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402
import torch  # noqa: E402
from programs import PROGRAMS  # noqa: E402


def main() -> None:
    torch.set_default_dtype(torch.float32)
    out = {"torch_version": torch.__version__, "programs": {}}
    for prog in PROGRAMS:
        torch.set_grad_enabled(True)
        torch.set_default_dtype(torch.float32)
        out["programs"][prog.name] = harness.run(prog.code, torch)
    path = HERE / "expected.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(PROGRAMS)} programs to {path}")


if __name__ == "__main__":
    main()
