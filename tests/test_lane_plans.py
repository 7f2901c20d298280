"""The elementwise small lane's plan lookup (``pointwise_plan.LANES``, Run eager19): a call
whose plan exists builds no ``_plans`` key, and every operand arrangement the lane takes (one
tensor; a tensor and a Python int or float; two tensors of one or two dtypes; a tensor and
two numbers; 0-d and 1-d) finds its own plan: values and dtypes against float64 NumPy.
(A default-dtype change emptying the lanes: tests/test_default_dtype_plans.py.)"""

import dis
import sys

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.frontend import join_split, pointwise, pointwise_node, record_one, reduce_softmax
from jitgrad.frontend.pointwise_node import ElementwiseBackward
from jitgrad.frontend.pointwise_pass import PassBackward
from jitgrad.frontend.pointwise_plan import _plans
from jitgrad.ops.registry import REGISTRY

F = torch.nn.functional

A32 = np.array([0.5, -1.25, 2.0], np.float32)
A64 = np.array([1.5, 0.25, -3.0])
I64 = np.array([3, -2, 7])


def _softplus(x):
    return np.where(x > 20.0, x, np.log1p(np.exp(x)))


# name, the call on jitgrad tensors (t32, t64, ti), the float64 reference, its dtype
CASES = [
    ("exp", lambda a, b, i: a.exp(), lambda: np.exp(A32.astype(float)), torch.float32),
    ("add_tensors", lambda a, b, i: a + a, lambda: 2.0 * A32, torch.float32),
    ("add_two_dtypes", lambda a, b, i: a + b, lambda: A32 + A64, torch.float64),
    ("mul_float", lambda a, b, i: a * 1.5, lambda: A32 * 1.5, torch.float32),
    ("mul_int", lambda a, b, i: a * 2, lambda: A32 * 2.0, torch.float32),
    ("int_mul_int", lambda a, b, i: i * 2, lambda: I64 * 2, torch.int64),
    ("int_mul_float", lambda a, b, i: i * 0.5, lambda: I64 * 0.5, torch.float32),
    ("softplus", lambda a, b, i: F.softplus(a), lambda: _softplus(A32.astype(float)),
     torch.float32),
    ("softplus_int_beta", lambda a, b, i: F.softplus(b, 2, 20), lambda: _softplus(2 * A64) / 2,
     torch.float64),
]  # fmt: skip


@pytest.mark.parametrize("zero_d", [True, False], ids=["0d", "1d"])
def test_lane_finds_each_arrangement_without_a_key(zero_d, monkeypatch):
    pick = (lambda v: v[1]) if zero_d else (lambda v: v)
    ts = [torch.tensor(pick(v)) for v in (A32, A64, I64)]
    for case in CASES:  # twice each: the first makes the plan, the second enters it in the lane
        for _ in range(2):
            case[1](*ts)
    misses = []
    monkeypatch.setattr(pointwise, "lane_plan", lambda *a: misses.append(a))
    for name, call, ref, dtype in CASES:
        out = call(*ts)
        assert out.dtype == dtype, name
        np.testing.assert_allclose(out._value, pick(ref()), rtol=1e-6, err_msg=name)
    assert misses == []  # every call found its plan in the lane


def test_each_plan_records_through_its_own_code():
    """``Plan.record``/``Plan.set_edges`` are copies of ``_record``/``_edges`` with code objects
    of their own (``helpers.own_code``), and so is each ``record_one`` lane's recorder
    (softmax's, unbind's), and each elementwise node class's ``apply``/``release`` (the
    sweep's calls): on CPython 3.11 a copy's node stores specialize on its one node
    class while the ops alternate (a scalar graph's softplus, add, mul, stack, softmax,
    unbind), where one shared code object kept missing on the next op's class."""
    x = torch.arange(3, dtype=torch.float32, requires_grad=True)
    a, b = F.softplus(x[0]), F.softplus(x[1])
    for _ in range(40):  # (3.11 specializes a site after 8 executions of its code)
        outs = [F.softplus(a), a + b, a * b]
        parts = list(F.softmax(torch.stack(outs), dim=0))  # record_one's lanes: softmax, unbind
    assert [type(o.grad_fn).__name__ for o in outs + parts] == [
        "SoftplusBackward0", "AddBackward0", "MulBackward0", *["UnbindBackward0"] * 3
    ]  # fmt: skip
    s0 = torch.float32.sig0  # (the plan keys of 0-d float32 operands: _signature)
    keys = [("softplus", (float, float)), ("add", (s0,)), ("mul", (s0,))]
    plans = [_plans[(REGISTRY[name], None, s0, *rest)] for name, rest in keys]
    codes = [f.__code__ for p in plans for f in (p.record, p.set_edges)]
    lanes = [
        reduce_softmax._vector_lanes[(False, 0, 3)],
        join_split._unbind_fns[(0, (3,), torch.float32)][1],  # (keys, lane, marks)
    ]
    codes += [lane[3].__code__ for lane in lanes]
    for cls in {type(o.grad_fn) for o in outs}:  # the sweep's per-node calls: the class's own
        codes += [cls.apply.__code__, cls.release.__code__]
    assert len(set(map(id, codes))) == len(codes)
    shared = (pointwise_node._record, pointwise_node._edges, record_one.record_one)
    shared += (ElementwiseBackward.apply, ElementwiseBackward.release, PassBackward.apply)
    assert not [c for c in codes for f in shared if c is f.__code__]  # (== is by content)
    if sys.version_info[:2] == (3, 11):
        for fn in [p.record for p in plans] + [lane[3] for lane in lanes]:
            generic = [
                i.argval
                for i in dis.get_instructions(fn, adaptive=True)
                if i.opname in ("STORE_ATTR", "STORE_ATTR_ADAPTIVE")
                and i.argval in ("_seq", "_key", "_extra")  # (stores every path makes)
            ]
            assert generic == [], (fn.__name__, generic)
