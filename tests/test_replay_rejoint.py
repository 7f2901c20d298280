"""A structure first recorded without a joint step replays as joint once its loss arrives
deferred (``jitgrad.fusion.replay.lookup``).

A first step whose loss was computed before ``backward()`` (printed, or read by
``jitgrad.compile``'s trace, which reads every value as it records) records a program whose
chain and loss backward run one after the other. Later steps of the same structure with the
loss still a deferred reduction must get the one forward+backward kernel a fresh plan gives,
not that first program forever (the eager gelu step at 8M elements ran 24 ms instead of 7
after a ``jitgrad.compile`` of the same step in the process). Gradients compared bitwise with
a fresh plan's.
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as jg
from jitgrad.fusion import replay

LOSSES = {
    "gelu": lambda x: (0.5 * x * (1 + jg.tanh(0.79788456 * (x + 0.044715 * x**3)))).mean(),
    "mse": lambda x: ((x - 0.25) ** 2).sum(),
}


def _step(name, xn, read_first):
    x = jg.tensor(xn, requires_grad=True)
    loss = LOSSES[name](x)
    if read_first:
        loss.item()  # the loss computed before backward: no joint step possible
    loss.backward()
    return loss, x.grad.numpy().copy()


def _ran_joint(loss) -> bool:
    _kernel, spec = getattr(loss.grad_fn.next_functions[0][0], "_ran", (None, None))
    return spec is not None and spec.label.endswith("_joint")


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_a_deferred_loss_replays_joint_after_a_first_step_that_read_it(lazy, name, dt):
    xn = np.random.default_rng(3).standard_normal(5000).astype(dt)
    replay.clear()
    _, fresh = _step(name, xn, read_first=False)  # the reference: a fresh joint plan
    replay.clear()
    loss, g0 = _step(name, xn, read_first=True)
    assert not _ran_joint(loss)
    np.testing.assert_allclose(g0, fresh, rtol=1e-5 if dt == np.float32 else 1e-12)
    for _ in range(3):
        loss, g = _step(name, xn, read_first=False)
        assert _ran_joint(loss)
        assert g.tobytes() == fresh.tobytes()
    assert [p.joint for p in replay.PROGRAMS.values()] == [True]


def test_a_structure_that_cannot_run_joint_is_recorded_again_only_once(lazy):
    """A retained graph's loss is read each step before its backward: the program recorded
    again (final) is replayed from then on, not planned afresh every step."""
    xn = np.random.default_rng(4).standard_normal(5000).astype(np.float32)
    replay.clear()
    _step("mse", xn, read_first=True)
    before = replay.info()["recorded"]
    for _ in range(4):
        _step("mse", xn, read_first=True)
    assert replay.info()["recorded"] == before  # read first every time: plain replays


def test_eager_after_compile_of_the_same_step_runs_joint(lazy):
    xn = np.random.default_rng(5).standard_normal(5000).astype(np.float32)
    replay.clear()
    x = jg.tensor(xn, requires_grad=True)

    def step():
        x.grad = None
        loss = LOSSES["gelu"](x)
        loss.backward()
        return loss

    compiled = jg.compile(step)
    for _ in range(3):
        compiled()
    _, fresh = _step("gelu", xn, read_first=False)
    for _ in range(2):
        loss, g = _step("gelu", xn, read_first=False)
        assert _ran_joint(loss)
        assert g.tobytes() == fresh.tobytes()
