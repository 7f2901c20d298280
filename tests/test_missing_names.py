"""A PyTorch name jitgrad lacks raises an AttributeError that says it is not implemented in
jitgrad (PyTorch's "module ... has no attribute ..." prefix kept), on every public module."""

from __future__ import annotations

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
        (jitgrad, "stft"),
        (jitgrad.nn, "Conv3d"),
        (jitgrad.nn.functional, "conv3d"),
        (jitgrad.optim, "SparseAdam"),
        (jitgrad.utils.data, "DistributedSampler"),
        (jitgrad.nn.init, "xavier_uniform"),
        (jitgrad.nn.utils, "convert_conv2d_weight_memory_format"),
        (jitgrad.distributions, "LowRankMultivariateNormal"),
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
