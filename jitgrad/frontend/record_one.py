"""Recording a node of one tensor input whose class and backward a caller looked up once:
the lane of :func:`.recording.record` that a scalar graph takes every few ops (a small
vector's softmax, iterating a tensor).

:func:`.recording.record` is general: any number of inputs, saved tensors, a node class
found by name, saved-tensor hooks, anomaly mode. :func:`record_one` does what it does for
one input that requires grad, no saved tensors, neither hooks nor anomaly mode open, with
the node class given, and hands every other case to it: the same node, edges, record and
result (tests/test_eager_lanes.py compares the two). :func:`record_many` is its form for a
node of several inputs (stack's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine import graph as G
from ..engine.grad_mode import GRAD_OFF, STATE
from ..engine.node import ONE_NRS
from ..engine.sweep import _anomaly, next_sequence
from ..helpers import own_code
from . import tensor as _tensor
from .recording import (
    _UNSAVED,
    ResultSaved,
    Saved,
    _input_edges,
    _new_node,
    node_class,
    record,
)


def record_one(
    cls: type, value: np.ndarray, dtype: D.dtype, x: Any, backward: Any, saved: Saved | None
) -> Any:
    """``record(cls.__name__, value, dtype, (x,), backward, (), base)`` where ``cls`` is
    ``node_class(name, base)`` and ``x`` a Tensor; ``saved``: the shared record of
    ``backward`` with no saved tensors (:func:`.recording.shared`), unused by a node that
    reads its result (its record is the result's array, dtype and version counter, per
    node); see :func:`lane_of`."""
    reads = cls.reads_result
    if not (
        (not GRAD_OFF[0] or STATE.enabled)
        and x._requires_grad
        and (dtype.is_floating_point or dtype.is_complex)
        and (reads or saved is not None)
        and not (_anomaly.enabled or G.SAVED_HOOKS.count)
    ):
        return record(cls.__name__, value, dtype, (x,), backward, (), cls.__bases__[0])
    node = _new_node(cls)
    fn = x.grad_fn  # next_functions, as the node keeps them (see Node)
    if fn is not None:
        node._next = (fn,)
        nr = x._output_nr
        node._nrs = ONE_NRS[nr] if nr < 64 else (nr,)
    else:
        node._next = (x._accumulator(),)
        node._nrs = ONE_NRS[0]
    node._seq = next_sequence()
    node._extra = None
    node._key = cls
    out = _tensor._make(value, dtype, node)
    if reads:  # a result-reading node: its own counter, as record gives it
        rec = node._saved = _new_saved(ResultSaved)  # (its __init__, written out)
        rec.fn, rec.tensors, rec.versions = backward, (), ()
        rec.value, rec.dtype, rec.counter, rec.version = value, dtype, [0], 0
        out._vc = rec.counter
    else:
        node._saved = saved
    return out


def record_many(
    cls: type, value: np.ndarray, dtype: D.dtype, inputs: Sequence[Any], backward: Any,
    saved: Saved | None,
) -> Any:  # fmt: skip
    """``record(cls.__name__, value, dtype, inputs, backward, (), base)`` for a node of
    several tensor ``inputs`` that reads no result (a stack of a scalar graph's earlier
    results), ``saved`` the shared record of ``backward`` (None: ``record`` makes one):
    without ``record``'s per-call lookups of the node class (by name and base) and the shared
    record, and its keyword call (~1k instructions). Hooks, anomaly mode and grad mode off go
    to ``record``."""
    if not (
        (not GRAD_OFF[0] or STATE.enabled)
        and saved is not None
        and (dtype.is_floating_point or dtype.is_complex)
        and not (_anomaly.enabled or G.SAVED_HOOKS.count)
    ):
        return record(cls.__name__, value, dtype, inputs, backward, (), cls.__bases__[0])
    nexts = _input_edges(inputs)
    if nexts is None:  # (no input requires grad)
        return _tensor._make(value, dtype)
    node = _new_node(cls)
    node._next, node._nrs = nexts
    node._seq = next_sequence()
    node._extra = None
    node._key = cls
    out = _tensor._make(value, dtype, node)
    node._saved = saved
    return out


_new_saved = ResultSaved.__new__  # (object.__new__: Saved defines none)


def lane_of(name: str, base: type, backward: Any) -> tuple:
    """``(cls, backward, saved, recorder)`` for :func:`record_one`: the node class ``record``
    would make for ``name`` and ``base``, the shared record of ``backward`` (None where
    ``record`` makes one per node: a result-reading ``base``, or a ``backward`` not
    registered by :func:`.recording.shared`; record_one then hands non-reading nodes to
    ``record``), and the lane's own copy of :func:`record_one` (:func:`.helpers.own_code`:
    its node stores specialize on ``cls``; stack's :func:`record_many` has one class)."""
    cls = node_class(name, base)
    saved = None if base.reads_result else _UNSAVED.get(backward)
    return cls, backward, saved, own_code(record_one)
