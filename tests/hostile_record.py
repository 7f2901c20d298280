"""Record what real PyTorch answers each hostile call with into ``hostile_expected.json``.

Run with a Python that has PyTorch (never jitgrad): ``/path/to/torch/python
tests/hostile_record.py``. It loads ``hostile_cases.py`` with its ``import jitgrad as torch``
line swapped for ``import torch`` (the rows' code lives in that one file, shared with
``tests/test_hostile_table.py``), runs every row and writes each outcome: the exception's
type name and full message, or a summary of the result.
"""

from __future__ import annotations

import json
import pathlib
import sys
import types

HERE = pathlib.Path(__file__).resolve().parent
JITGRAD_IMPORT = "import jitgrad as torch  #"


def load_cases_under_torch() -> types.ModuleType:
    """``hostile_cases`` as a module whose ``torch`` is real PyTorch."""
    path = HERE / "hostile_cases.py"
    source = path.read_text()
    if source.count(JITGRAD_IMPORT) != 1:
        raise SystemExit(f"{path}: expected exactly one line starting {JITGRAD_IMPORT!r}")
    module = types.ModuleType("hostile_cases_torch")
    module.__file__ = str(path)
    sys.modules[module.__name__] = module  # dataclasses and friends look the module up
    code = compile(source.replace(JITGRAD_IMPORT, "import torch  #"), str(path), "exec")
    exec(code, module.__dict__)  # noqa: S102 - the project's own table
    if "jitgrad" in sys.modules:
        raise SystemExit("jitgrad was imported: the recording must come from PyTorch alone")
    return module


def main() -> None:
    cases = load_cases_under_torch()
    torch = cases.torch
    out = {}
    for label, call in cases.CASES:
        if label in out:
            raise SystemExit(f"duplicate row label {label!r}")
        torch.set_grad_enabled(True)
        out[label] = cases.outcome(call)
    data = {"torch_version": torch.__version__, "cases": out}
    cases.EXPECTED.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} hostile calls to {cases.EXPECTED}")


if __name__ == "__main__":
    main()
