"""Records PyTorch's results of ``apinn_cases`` into tests/fixtures/apinn_nn.json
(``/tmp/torchenv/bin/python tests/parity/record_apinn.py``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import torch  # noqa: E402
from apinn_cases import record_all  # noqa: E402

if __name__ == "__main__":
    path = HERE.parent / "fixtures" / "apinn_nn.json"
    path.write_text(json.dumps(record_all(torch)) + "\n")
    print("wrote", path)
