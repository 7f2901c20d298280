"""A fused backward kernel's arguments: named by the graph's structure (the source is the cache
key), only those the kernel reads, and mapped back to the user's tensors by ``explain``; and
``explain``'s reasons for where each backward group starts and stops."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import jitgrad
from jitgrad.fusion import planner


def _signature(source: str) -> str:
    line = next(s for s in source.splitlines() if s.lstrip().startswith("def _gen_"))
    return line[line.index("(") :]


def test_unread_operands_and_numbers_are_not_passed():
    x = jitgrad.tensor([0.0, 0.5, 1.0, 2.0], requires_grad=True)
    with jitgrad.fusion(True):
        # add passes g on and reads neither input: sin's result and the 3.0 are not arguments
        report = jitgrad.explain((x * x + x.sin() + 3.0).sum())
    (group,) = report.groups
    assert _signature(group.source) == "(g, x0, out0):"
    assert [a for a, _ in group.arguments] == ["g", "x0", "out0"]


@pytest.mark.parametrize("scale", [2.0, -0.5])
def test_fused_and_unfused_gradients_agree_bitwise(scale):
    rng = np.random.default_rng(7)
    xn, wn = rng.standard_normal((2, 257)).astype(np.float32)
    grads = []
    for fused in (True, False):
        x = jitgrad.tensor(xn, requires_grad=True)
        w = jitgrad.tensor(wn, requires_grad=True)
        with jitgrad.fusion(fused):
            ((w * x + (x * scale).tanh() + 3.0).exp() * 0.5).sum().backward()
        grads.append((x.grad.numpy(), w.grad.numpy()))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])


def test_names_do_not_depend_on_the_program_so_the_kernel_is_shared():
    """Two programs with the same graph over different tensors run one kernel; explain tells
    them apart by the parameter names it is given."""
    reports = []
    for names in (("weight", "input"), ("p", "q")):
        a = jitgrad.ones(5, requires_grad=True)
        b = jitgrad.full((5,), 2.0, requires_grad=True)
        with jitgrad.fusion(True):
            loss = (a * b).sin().sum()
            reports.append(jitgrad.explain(loss, params=dict(zip(names, (a, b), strict=True))))
    first, second = (r.groups[0] for r in reports)
    assert first.kernel == second.kernel and first.source == second.source
    assert _signature(first.source) == "(g, x0, x1, out0, out1):"
    assert dict(first.arguments)["x0"] == "weight (shape (5,), requires_grad)"
    assert dict(second.arguments)["x1"] == "q (shape (5,), requires_grad)"
    assert dict(second.arguments)["out0"] == "the gradient of p (shape (5,), requires_grad)"
    assert dict(first.arguments)["g"] == "the gradient arriving at SinBackward0"


def test_arguments_without_params_number_the_leaves_and_name_saved_results():
    a = jitgrad.ones(3, requires_grad=True)
    b = jitgrad.ones(3, requires_grad=True)
    with jitgrad.fusion(True):
        # exp's rule reads its own result: a saved array, named after the op
        report = jitgrad.explain(((a + b).exp() * b * 4.0).sum())
    args = report.groups[0].arguments
    # a is not read (add's rule passes g on, exp's reads its own result): b is the only x
    names = ["g", "saved_exp2", "x0", "mul0_b", "out0", "out1"]
    assert [n for n, _ in args] == names
    args = dict(args)
    assert args["saved_exp2"] == "ExpBackward0's saved result"
    assert args["x0"] == "leaf 0 (shape (3,), requires_grad)"
    assert args["mul0_b"] == "the number 4.0 given to MulBackward0"
    assert args["out0"] == "the gradient of leaf 0 (shape (3,), requires_grad)"  # b's
    assert args["out1"] == "the gradient of leaf 1 (shape (3,), requires_grad)"  # a's


def test_arguments_of_a_joint_kernel(lazy):
    a = jitgrad.tensor(np.linspace(-1, 1, 300, dtype=np.float32), requires_grad=True)
    loss = (a.tanh() * a).sum()
    report = jitgrad.explain(loss, params={"a": a})
    (group,) = report.groups
    assert group.kernel.startswith("_gen_") and "joint" in group.kernel
    args = dict(group.arguments)
    assert args["g_"] == "the gradient arriving at SumBackward0 (one number)"
    assert args["x0"] == "a (shape (300,), requires_grad)"
    assert args["loss"] == "the loss (the sum the joint kernel computes)"
    assert group.reasons[0] == "starts at SumBackward0: backward starts there"


def test_arguments_are_empty_after_backward_freed_the_graph():
    x = jitgrad.ones(3, requires_grad=True)
    with jitgrad.fusion(True):
        y = (x * x).sin().sum()
        y.backward()
    (group,) = jitgrad.explain(y).groups
    assert group.kernel.startswith("_gen_") and group.arguments == []
    assert group.reasons  # the structure is still known


def _reasons(t):
    with jitgrad.fusion(True):
        return [why for g in jitgrad.explain(t).groups for why in g.reasons]


def test_cut_reasons_not_elementwise_and_leaf():
    x = jitgrad.ones(2, 4, requires_grad=True)
    m = jitgrad.ones(4, 4, requires_grad=True)
    reasons = _reasons(((x @ m).sin() * 2.0).sum())  # the matmul ends the group below
    assert reasons == [
        "starts at MulBackward0: the node above it, SumBackward0, is not in a fused group",
        "stops before MmBackward0: not elementwise: its own hand-written backward",
    ]
    reasons = _reasons(((x * 2.0).sin()).sum())
    assert reasons[1] == (
        "stops before AccumulateGrad of leaf 0 (shape (2, 4), requires_grad): "
        "adds the gradient into the leaf's .grad"
    )


def test_cut_reasons_tensor_hook_and_several_consumers():
    x = jitgrad.ones(4, requires_grad=True)
    h = (x * 3.0).sin()
    h.register_hook(lambda g: g)
    y = (h.exp() * 2.0).sum()
    reasons = _reasons(y)
    assert (
        "stops before SinBackward0: a tensor hook or retain_grad sees the gradient arriving there"
        in reasons
    ), reasons

    x = jitgrad.ones(4, requires_grad=True)
    s = (x * 3.0).sin()
    y = ((s.exp() * 2.0) + (s.cos() * 3.0).sum()).sum()
    reasons = _reasons(y)
    assert any(
        r.startswith("stops before SinBackward0: its gradient comes from several places (")
        for r in reasons
    ), reasons


def test_cut_reason_size_cap():
    x = jitgrad.ones(3, requires_grad=True)
    y = x
    for _ in range(planner.MAX_GROUP + 2):
        y = (y * 1.0).sin() if _ % 7 == 0 else y * 1.0
    reasons = _reasons(y.sum())
    want = f"the group above it reached the size cap ({planner.MAX_GROUP} ops)"
    assert any(r.endswith(want) for r in reasons), reasons


def test_cut_reason_node_hook():
    x = jitgrad.ones(4, requires_grad=True)
    h = (x * 3.0).sin()
    h.grad_fn.register_hook(lambda gi, go: None)
    y = (h.exp() * 2.0).sum()
    reasons = _reasons(y)
    assert "stops before SinBackward0: a hook on it sees its own gradients" in reasons, reasons


def test_debug_2_logs_who_the_arguments_are_outside_the_source():
    """The mapping goes to the log, never into the source (the source is the cache key)."""
    code = (
        "import jitgrad\n"
        "x = jitgrad.ones(3, requires_grad=True)\n"
        "(jitgrad.sin(x * x) * 3.0).sum().backward()\n"
    )
    env = {
        **os.environ,
        "JITGRAD_DEBUG": "2",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    res = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr
    log = res.stderr
    start = log.index("arguments of _gen_mul_sin_fbwd_")
    assert log[start:].splitlines()[1:5] == [
        "    g: the gradient arriving at MulBackward0",
        "    x0: leaf 0 (shape (3,), requires_grad)",
        "    mul0_b: the number 3.0 given to MulBackward0",
        "    out0: the gradient of leaf 0 (shape (3,), requires_grad)",
    ]
    assert "leaf 0" not in log[: log.index("arguments of")]  # not in the printed source
