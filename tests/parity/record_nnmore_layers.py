"""Records PyTorch's results of ``nnmore_layer_cases`` into tests/fixtures/nnmore_layers.json
(``/tmp/torchenv/bin/python tests/parity/record_nnmore_layers.py``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import torch  # noqa: E402
from nnmore_layer_cases import names, run  # noqa: E402

if __name__ == "__main__":
    out = {name: run(torch, name) for name in names()}
    path = HERE.parent / "fixtures" / "nnmore_layers.json"
    path.write_text(json.dumps(out) + "\n")
    print("wrote", path)
