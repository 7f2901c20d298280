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
import numpy as np  # noqa: E402
import torch  # noqa: E402
from programs import PROGRAMS  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from op_cases import CASES  # noqa: E402  (the elementwise op table; it imports no jitgrad)


def _plain(g: torch.Tensor) -> torch.Tensor:
    """``g`` with storage (sgn's gradient is a ZeroTensor, which ``tolist`` refuses)."""
    return torch.zeros(g.shape, dtype=g.dtype).add_(g)


def record_op_grads() -> dict:
    """Per elementwise OpCase: PyTorch's node name and input gradients, for the inputs and
    output weights tests/test_ops.py draws (``default_rng(4)``, float64)."""
    out = {}
    for case in CASES:
        rng = np.random.default_rng(4)
        arrays = case.sample(rng, case.shapes, np.float64)
        ts = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, case.grad_inputs())]
        res = case.call(torch, *ts)
        if not res.requires_grad:
            continue
        res.backward(torch.tensor(rng.standard_normal(tuple(res.shape))))
        out[case.op] = {
            "node": res.grad_fn.name(),
            "grads": [None if t.grad is None else _plain(t.grad).tolist() for t in ts],
        }
    return out


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
    grads = record_op_grads()
    path = HERE / "op_grads.json"
    path.write_text(json.dumps({"torch_version": torch.__version__, "cases": grads}, indent=1))
    print(f"wrote {len(grads)} op cases to {path}")


if __name__ == "__main__":
    main()
