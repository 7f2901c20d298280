"""Attribute reads on the per-op paths that CPython 3.11 can specialize (issue 16, eager).

3.11 specializes a read of an instance attribute or a slot, and a module global, but not a
class attribute read through an instance, nor any attribute of a module that defines
``__getattr__`` (NumPy 2 does): those take the generic lookup, ~150-300 instructions each, on
every recorded op or backward step (Run eager17 in perf/RESULTS.md). These tests keep the
flags read per op out of class attributes and ``np.<name>`` out of the hottest functions;
behaviour is checked by the flags' own tests (anomaly mode, saved-tensor hooks, deferral).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types

import pytest

from jitgrad.engine import graph as G
from jitgrad.engine import node as N
from jitgrad.engine import sweep as S
from jitgrad.frontend import join_split, pointwise, pointwise_backward, reduce_grads, reduce_softmax
from jitgrad.frontend import pending as L


def _per_instance(obj, name):
    """Whether ``obj.name`` is a slot or an entry of ``obj``'s own dict (not the class's)."""
    if isinstance(type(obj).__dict__.get(name), types.MemberDescriptorType):
        return True
    return name in getattr(obj, "__dict__", {})


@pytest.mark.parametrize(
    "obj, name",
    [
        (N._anomaly, "enabled"),
        (N._anomaly, "check_nan"),
        (G.SAVED_HOOKS, "count"),
        (L.STATE, "enabled"),
        (L.STATE, "seen"),
        (L.STATE, "min_size"),
        (S.Step(0, []), "members"),
    ],
)
def test_per_op_flags_are_per_instance(obj, name):
    assert _per_instance(obj, name)


def test_the_flags_keep_their_defaults():
    assert N._anomaly.enabled is False and N._anomaly.check_nan is True
    assert G.SAVED_HOOKS.count == 0
    assert S.Step(3, [(1, 0)]).members is None
    assert L.STATE.min_size > 0


HOT = [
    pointwise.run,
    pointwise_backward._kernel_backward,
    pointwise_backward._lane_call,
    join_split._pieces_backward,
    join_split._stack_of,
    reduce_softmax._softmax_like,
    reduce_grads.softmax_backward_data,
]


BOUND = {"empty", "zeros", "array", "ndarray"}  # (np_bound's names)


@pytest.mark.parametrize("fn", HOT, ids=lambda f: f.__qualname__)
def test_hot_functions_read_no_numpy_attribute(fn):
    """``np.empty`` and the other names ``frontend.np_bound`` binds come in as plain names
    (the general paths' other NumPy calls, off the scalar lane, may stay ``np.``)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    reads = [
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "np"
        and node.attr in BOUND
    ]
    assert reads == []
