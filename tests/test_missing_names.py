"""A PyTorch name jitgrad lacks raises an AttributeError that says it is not implemented in
jitgrad (PyTorch's "module ... has no attribute ..." prefix kept), on every public module;
and the names jitgrad lacks, against PyTorch's public names (recorded in
tests/fixtures/torch_public_names.json), may only get fewer: tests/fixtures/missing_names.json
lists them (``python3 tests/test_missing_names.py`` rewrites it after names are added)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import jitgrad
import jitgrad.distributions
import jitgrad.jit
import jitgrad.nn
import jitgrad.nn.functional
import jitgrad.optim
import jitgrad.utils.checkpoint
import jitgrad.utils.data


@pytest.mark.parametrize(
    ("module", "name"),
    [
        (jitgrad.nn, "LinearCrossEntropyOptions"),
        (jitgrad.nn.functional, "grouped_mm"),
        (jitgrad.optim, "Muon"),
        (jitgrad.utils.data, "IterDataPipe"),
        (jitgrad.nn.functional, "scaled_mm"),
        (jitgrad.nn.utils, "convert_conv2d_weight_memory_format"),
        (jitgrad.nn.functional, "SwizzleType"),
        (jitgrad.jit, "CompilationUnit"),
        (jitgrad.utils.checkpoint, "CheckpointPolicy"),
    ],
)
def test_missing_name_says_not_implemented(module, name) -> None:
    with pytest.raises(AttributeError) as info:
        getattr(module, name)
    assert str(info.value) == (
        f"module '{module.__name__}' has no attribute '{name}' (not implemented in jitgrad)"
    )
    assert not hasattr(module, name)


def test_dunder_probes_and_submodule_imports_still_work() -> None:
    with pytest.raises(AttributeError, match="^module 'jitgrad' has no attribute '__wrapped__'$"):
        jitgrad.__wrapped__  # noqa: B018
    from jitgrad import viz  # a submodule through the package attribute path

    assert viz.__name__ == "jitgrad.viz"
    assert callable(jitgrad.fusion) and jitgrad.nn.Linear is not None


FIXTURES = Path(__file__).parent / "fixtures"
TORCH_NAMES = json.loads((FIXTURES / "torch_public_names.json").read_text())["names"]
SPACES = {
    "torch": jitgrad,
    "Tensor": jitgrad.Tensor,
    "F": jitgrad.nn.functional,
    "nn": jitgrad.nn,
}


def missing_now() -> dict[str, list[str]]:
    """PyTorch's public names each namespace of jitgrad lacks."""
    return {k: [n for n in names if not hasattr(SPACES[k], n)] for k, names in TORCH_NAMES.items()}


@pytest.mark.parametrize("space", sorted(SPACES))
def test_no_name_goes_missing(space: str) -> None:
    listed = set(json.loads((FIXTURES / "missing_names.json").read_text())[space])
    lost = sorted(set(missing_now()[space]) - listed)
    assert not lost, f"jitgrad.{space} lost PyTorch names it had: {lost}"


if __name__ == "__main__":  # rewrite the list after names were added
    (FIXTURES / "missing_names.json").write_text(json.dumps(missing_now(), indent=0) + "\n")
    print({k: len(v) for k, v in missing_now().items()}, file=sys.stderr)
