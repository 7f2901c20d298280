"""Records PyTorch's trajectories of ``nnmore_optim_cases`` into tests/fixtures/nnmore_optim.json
(run with PyTorch: ``/tmp/torchenv/bin/python tests/parity/record_nnmore_optim.py``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import torch  # noqa: E402
from nnmore_optim_cases import CASES, run  # noqa: E402

if __name__ == "__main__":
    out = {name: run(torch, name) for name in CASES}
    path = HERE.parent / "fixtures" / "nnmore_optim.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", path)
