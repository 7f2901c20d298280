"""The optimizer update kernels compile once per dtype, whatever the number of parameters.

A kernel typed on a tuple of parameters is compiled again for every tuple length (the length
is part of the Numba type), so the first step of every model size waited on the compiler.
Here the first step with one parameter may compile; groups of 2, 3 and 5 parameters must then
add no compiled signature to any kernel of the optimizer kernel modules.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.kernels.cpu import adadelta as KD
from jitgrad.kernels.cpu import optim as K

OPTIMIZERS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("Adagrad", {"lr": 0.1}),
    ("Adadelta", {"lr": 1.0}),
]


def signatures() -> dict[str, set[Any]]:
    """Every compiled signature of every dispatcher in the optimizer kernel modules."""
    found = {}
    for mod in (K, KD):
        for name, obj in vars(mod).items():
            sigs = getattr(obj, "signatures", None)
            if isinstance(sigs, list):
                found[f"{mod.__name__}.{name}"] = set(sigs)
    return found


def step(name: str, kwargs: dict[str, Any], count: int, dtype: Any) -> list[list[float]]:
    """Two steps of ``optim.<name>`` on ``count`` parameters of different sizes."""
    params = [torch.ones(i + 2, dtype=dtype, requires_grad=True) for i in range(count)]
    opt = getattr(torch.optim, name)(params, **kwargs)
    for _ in range(2):
        for p in params:
            p.grad = torch.full_like(p, 0.5)
        opt.step()
    return [p.tolist() for p in params]


@pytest.mark.parametrize(("name", "kwargs"), OPTIMIZERS, ids=lambda v: str(v))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_no_compile_per_parameter_count(name: str, kwargs: dict[str, Any], dtype: Any) -> None:
    single = step(name, kwargs, 1, dtype)
    before = signatures()
    assert any(before.values())  # the kernels were found and compiled (or loaded) above
    for count in (2, 3, 5):
        values = step(name, kwargs, count, dtype)
        # each parameter follows the trajectory it follows alone (size does not matter here:
        # every element starts at 1 and sees the same gradient)
        assert [v[0] for v in values] == [single[0][0]] * count
        assert signatures() == before, f"{name} compiled again for {count} parameters"


def test_group_of_many_small_parameters_steps_each() -> None:
    params = [torch.full((3,), float(i), requires_grad=True) for i in range(100)]
    opt = torch.optim.SGD(params, lr=0.5, momentum=0.9)
    for p in params:
        p.grad = torch.ones(3)
    opt.step()
    opt.step()
    # buf = 1, then 0.9 + 1 = 1.9; p = i - 0.5 - 0.95
    expected = np.arange(100, dtype=np.float32)[:, None] - np.float32(0.5) - np.float32(0.95)
    got = np.stack([p.detach().numpy() for p in params])
    np.testing.assert_allclose(got, np.repeat(expected, 3, 1))
