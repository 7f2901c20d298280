"""The per-op lanes a scalar graph takes give what the general paths give: an activation with
two number arguments (softplus, hardtanh, elu) through ``pointwise.run``'s lane against
``pointwise._general`` bitwise; ``sum()`` over tensors (which starts with an int ``0``) with
IEEE's signed zeros; the elementwise backward's in-place checks when the change comes before
or after a node is recorded; stack/unbind gradients through their backward functions; the
forward lanes of a small vector's softmax, of stack and of unbind against their general
paths; a 0-d backward through the kernel's entry point against the dispatcher."""

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.frontend import pointwise as P
from jitgrad.frontend import pointwise_backward as PB
from jitgrad.ops.registry import REGISTRY

F = torch.nn.functional

VALUES = [-30.0, -2.5, -0.0, 0.0, 0.75, 1.5, 9.0, 25.0]
# (registry name, the nn.functional call, its two number arguments)
ACTIVATIONS = [
    ("softplus", lambda x: F.softplus(x, 2.0, 3.0), (2.0, 3.0)),
    ("softplus", lambda x: F.softplus(x), (1.0, 20.0)),
    ("softplus", lambda x: F.softplus(x, 1, 20), (1, 20)),
    ("hardtanh", lambda x: F.hardtanh(x, -1.25, 2), (-1.25, 2)),
    ("elu", lambda x: F.elu(x, 0.5), (0.5, 1.0)),
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(), (3,)])
@pytest.mark.parametrize("case", range(len(ACTIVATIONS)))
def test_number_argument_lane_matches_general_path(case, shape, dtype):
    name, fn, numbers = ACTIVATIONS[case]
    for v in VALUES:
        x = torch.full(shape, v, dtype=dtype, requires_grad=True)
        got = fn(x)
        ref = P._general(REGISTRY[name], (x, *numbers), None, None)
        assert got._value.tobytes() == ref._value.tobytes()
        assert type(got.grad_fn).__name__ == type(ref.grad_fn).__name__
        assert got.grad_fn.next_functions == ref.grad_fn.next_functions
        (g,) = torch.autograd.grad(got.sum(), x)
        (gr,) = torch.autograd.grad(ref.sum(), x)
        assert g._value.tobytes() == gr._value.tobytes()


def test_sum_over_tensors_keeps_signed_zeros():
    neg = torch.tensor(-0.0, requires_grad=True)
    for _ in range(3):  # the int 0 kept after the first call converts the same each time
        s = sum([neg, neg])  # 0 + -0.0 is +0.0, then +0.0 + -0.0 is +0.0 (IEEE)
        assert np.signbit(s._value) == np.False_
    assert np.signbit((neg + -0.0)._value) == np.True_  # a float -0.0 still is -0.0
    assert np.signbit((neg - 0)._value) == np.True_  # -0.0 - 0 is -0.0
    x = [torch.tensor(float(i), requires_grad=True) for i in range(1, 5)]
    total = sum(x)
    total.backward()
    assert total.item() == 10.0
    assert [t.grad.item() for t in x] == [1.0, 1.0, 1.0, 1.0]


MODIFIED = "one of the variables needed for gradient computation has been modified by an inplace"


def test_inplace_change_after_the_node_is_caught():
    a = torch.tensor(1.5, requires_grad=True)
    b = torch.tensor(2.0, requires_grad=True)
    a2 = a * 1
    y = a2 * b  # MulBackward0 saves a2 and b
    a2.add_(1.0)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.backward()


def test_inplace_change_before_the_node_or_elsewhere_is_fine():
    a = torch.tensor(1.5, requires_grad=True)
    b = torch.tensor(2.0, requires_grad=True)
    a2 = a * 1
    a2.mul_(2.0)  # before the node: the node saves the changed value
    y = a2 * b
    other = torch.zeros(3)
    other.add_(1.0)  # after the node, on a tensor the node does not save
    y.backward()
    assert a.grad.item() == 4.0  # d(2a * b)/da
    assert b.grad.item() == 3.0


def test_stack_unbind_softmax_graph_gradients():
    x = torch.tensor([0.5, -1.0, 2.0, 0.25], requires_grad=True)
    parts = list(x * 1)
    s = torch.stack(parts, dim=0)
    y = list(F.softmax(s, dim=0))
    (y[0] * 3.0 + y[2]).backward()
    p = np.exp([0.5, -1.0, 2.0, 0.25])
    p /= p.sum()
    w = np.array([3.0, 0.0, 1.0, 0.0])
    expected = p * (w - (w * p).sum())  # softmax's Jacobian-vector product
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6, atol=1e-7)
    assert type(s.grad_fn).__name__ == "StackBackward0"
    assert type(y[0].grad_fn).__name__ == "UnbindBackward0"


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("n", [1, 4, 37])
def test_vector_softmax_lane_matches_strided_path(n, log, dtype):
    # a contiguous vector takes the slice kernel straight (kernels.cpu.reduce.vector_softmax);
    # the same values as a strided view take softmax_fwd's (A, R, B) path: bitwise equal
    fn = F.log_softmax if log else F.softmax
    vals = np.random.default_rng(n).standard_normal(2 * n) * 4
    x = torch.tensor(vals[::2].copy(), dtype=dtype, requires_grad=True)
    xs = torch.tensor(vals, dtype=dtype, requires_grad=True)
    w = torch.tensor(np.linspace(-1.0, 2.0, n), dtype=dtype)
    y, ys = fn(x, dim=0), fn(xs[::2], dim=-1)
    assert y._value.tobytes() == ys._value.tobytes()
    assert type(y.grad_fn).__name__ == ("LogSoftmaxBackward0" if log else "SoftmaxBackward0")
    assert y.grad_fn._saved_dim == 0
    (y * w).sum().backward()
    (ys * w).sum().backward()
    assert x.grad._value.tobytes() == xs.grad._value[::2].tobytes()


def test_stack_of_small_tensors_keeps_values_dtype_and_layout():
    # stack along dim 0 of a few small same-dtype tensors is numpy's own copy (np.array)
    parts = [torch.tensor([[1.5, -0.0], [2.0, 3.0]], dtype=torch.float64) * k for k in range(3)]
    s = torch.stack(parts)
    assert s.shape == (3, 2, 2) and s.dtype == torch.float64 and s.stride() == (4, 2, 1)
    for k in range(3):
        assert s[k]._value.tobytes() == parts[k]._value.tobytes()
    s[0, 0, 0] = 9.0  # a copy, not a view of the inputs
    assert parts[0][0, 0].item() == 0.0


# ---- the forward lanes of softmax, stack and unbind (issue 16) against their general paths --
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("dim", [0, -1])
def test_small_vector_softmax_lane_matches_the_general_path(log, dim):
    """A 1-d float vector's softmax takes the lane (node class and shared record looked up
    once per (log, dim, size)); the same values as a (1, n) row, which takes the general
    path, bitwise; PyTorch's node, ``_saved_dim`` (-1 read as uint64) and ``_saved_result``,
    the same on the first call (which fills the lane) and on the later ones."""
    fn = F.log_softmax if log else F.softmax
    name = "LogSoftmaxBackward0" if log else "SoftmaxBackward0"
    v = np.array([0.5, -1.25, 3.0, 0.0], np.float32)
    for _ in range(3):
        x = torch.tensor(v, requires_grad=True)
        y = fn(x, dim=dim)
        row = fn(torch.tensor(v[None]), dim=1)
        assert y._value.tobytes() == row._value[0].tobytes()
        assert type(y.grad_fn).__name__ == name
        assert y.grad_fn._saved_dim == (18446744073709551615 if dim == -1 else 0)
        assert y.grad_fn._saved_result._value.tobytes() == y._value.tobytes()
        (g,) = torch.autograd.grad((y * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum(), x)
        xr = torch.tensor(v[None], requires_grad=True)
        (gr,) = torch.autograd.grad(
            (fn(xr, dim=1) * torch.tensor([[1.0, 2.0, 3.0, 4.0]])).sum(), xr
        )
        assert g._value.tobytes() == gr._value[0].tobytes()


def test_small_vector_softmax_lane_without_grad_records_nothing():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    F.softmax(x, dim=0)  # the lane filled
    with torch.no_grad():
        assert F.softmax(x, dim=0).grad_fn is None
    assert F.softmax(torch.tensor([1.0, 2.0]), dim=0).grad_fn is None
    with pytest.raises(NotImplementedError, match="softmax_lastdim_kernel_impl"):
        F.softmax(torch.tensor([1, 2]), dim=0)  # an integer vector: the general path's error


def test_stack_lane_and_checked_path_agree():
    """Plain same-dtype tensors (list or tuple) take stack's one-pass lane; a Parameter or a
    mixed dtype takes the checked path: the same values, node and ``_saved_dim``."""
    a = torch.tensor(1.5, requires_grad=True)
    b = torch.tensor(-2.0, requires_grad=True)
    p = torch.nn.Parameter(torch.tensor(-2.0))
    for xs in ([a, b], (a, b), [a, p]):
        s = torch.stack(xs, dim=-1)
        assert s.tolist() == [1.5, -2.0]
        assert type(s.grad_fn).__name__ == "StackBackward0"
        assert s.grad_fn._saved_dim == 18446744073709551615
        g = torch.autograd.grad((s * torch.tensor([3.0, 5.0])).sum(), xs)
        assert [t.item() for t in g] == [3.0, 5.0]
    assert torch.stack([a, b.double()]).dtype == torch.float64


def test_stack_errors_keep_pytorch_order():
    """A non-tensor element is reported before a bad dim, a size mismatch after both, as
    PyTorch's argument parser checks them (the lane defers every irregular call)."""
    a = torch.ones(2)
    with pytest.raises(TypeError, match="expected Tensor as element 1 in argument 0"):
        torch.stack([a, 3], dim=5)
    with pytest.raises(IndexError):
        torch.stack([a, a], dim=5)
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        torch.stack([a, torch.ones(3)])
    with pytest.raises(RuntimeError, match="non-empty TensorList"):
        torch.stack([])


def test_unbind_lane_repeats_the_first_call():
    """Iterating a tensor again takes unbind's cached keys and backward: each output is
    output i of one UnbindBackward0, shares the base's counter, carries the multi-view mark
    (an in-place change is refused as PyTorch refuses it) and gets its gradient."""
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    for _ in range(3):
        outs = list(y)
        node = outs[0].grad_fn
        assert type(node).__name__ == "UnbindBackward0"
        assert [o.grad_fn is node for o in outs] == [True] * 3
        assert [o.output_nr for o in outs] == [0, 1, 2]
        assert [o._version for o in outs] == [y._version] * 3
        with pytest.raises(RuntimeError, match="^Output 1 of Unbind is a view"):
            outs[1].mul_(2)
        # retain_graph: y = x * 2 saves the 2 as a tensor, freed by a backward (PyTorch 2.13)
        (g,) = torch.autograd.grad(outs[0] * 1 + outs[2] * 3, x, retain_graph=True)
        assert g.tolist() == [2.0, 0.0, 6.0]
    with torch.no_grad():
        assert [o.output_nr for o in y.unbind(0)] == [0, 0, 0]


def _node_state(t):
    """What a recorded result shows: value bytes, dtype, node class and base, edges,
    record's fields, version counter and version."""
    node = t.grad_fn
    if node is None:
        return t._value.tobytes(), t.dtype, None
    rec = node._saved
    fields = {k: getattr(rec, k) for k in ("fn", "tensors", "versions", "dtype", "version")
              if hasattr(rec, k)}
    return (
        t._value.tobytes(), t.dtype, type(node), type(node).__bases__, node.next_functions,
        type(rec), fields, t._version, node._key, type(node._extra),
    )


@pytest.mark.parametrize("reads", [False, True])
def test_record_one_gives_what_record_gives(reads):
    """record_one (the softmax and unbind lanes' recorder) against recording.record, for a
    result-reading node and one with a shared record: grad mode on and off, an input that
    requires no grad, an integer result, anomaly mode and saved-tensor hooks (the last two
    hand the call to record). Each pair: the same node class, edges, record, counter."""
    from jitgrad.frontend.record_one import lane_of, record_one
    from jitgrad.frontend.recording import FunctionBackward, ResultBackward, record, shared

    base = ResultBackward if reads else FunctionBackward
    backward = shared(lambda g, *r: (g,))
    cls, fn, saved, lane_record = lane_of("LaneTestBackward0", base, backward)  # (its own copy)
    leaf = torch.tensor([1.0, 2.0], requires_grad=True)
    mid = leaf * 2
    cases = [(mid, np.float32), (leaf, np.float32), (torch.tensor([1.0, 2.0]), np.float32),
             (mid, np.int64)]
    for x, npdt in cases:
        for mode in ("plain", "no_grad", "anomaly", "hooks"):
            got = []
            for rec in ("one", "general"):
                value = np.arange(2, dtype=npdt)
                dt = torch.int64 if npdt is np.int64 else torch.float32
                if mode == "no_grad":
                    ctx = torch.no_grad()
                elif mode == "anomaly":
                    ctx = torch.autograd.detect_anomaly(check_nan=False)
                elif mode == "hooks":
                    ctx = torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t)
                else:
                    ctx = torch.enable_grad()
                with ctx:
                    if rec == "one":
                        out = lane_record(cls, value, dt, x, fn, saved)
                    else:
                        out = record("LaneTestBackward0", value, dt, (x,), backward, (), base)
                got.append(_node_state(out))
                if out.grad_fn is not None and reads:  # a counter of its own, the record's
                    assert out._vc is out.grad_fn._saved.counter
            assert got[0] == got[1], (mode, x.requires_grad, npdt)
    y = record_one(cls, np.arange(2, dtype=np.float32), torch.float32, mid, fn, saved)
    assert type(y.grad_fn).__name__ == "LaneTestBackward0"
    assert y.grad_fn.next_functions == ((mid.grad_fn, 0),)


def _zero_d_grads(make):
    """Gradients (bits) of ``make()``'s result w.r.t. the tensors it returns as inputs."""
    out, inputs = make()
    return [g._value.tobytes() for g in torch.autograd.grad(out, inputs)]


# 0-d backward calls: a float32 product, a float64 one, an operand of another dtype that
# needs no gradient, softplus's number arguments (NumPy scalars), a read-only operand
ZERO_D_CASES = [
    lambda: _pair(torch.float32, torch.float32, lambda a, b: a * b),
    lambda: _pair(torch.float64, torch.float64, lambda a, b: a * b),
    lambda: _pair(torch.float32, torch.int32, lambda a, b: a * b, grad_b=False),
    lambda: _pair(torch.float32, torch.float32, lambda a, b: F.softplus(a * b, 2.0, 3.0)),
    lambda: _readonly_product(),
]


def _pair(da, db, fn, grad_b=True):
    a = torch.tensor(1.5, dtype=da, requires_grad=True)
    b = torch.tensor(3, dtype=db, requires_grad=grad_b)
    return fn(a, b), [a, b] if grad_b else [a]


def _readonly_product():
    arr = np.array(2.5, np.float32)
    arr.flags.writeable = False
    b = torch.from_numpy(arr)
    a = torch.tensor(1.5, requires_grad=True)
    return a * b, [a]


def test_zero_d_backward_entry_points_give_the_dispatchers_bits(monkeypatch):
    """The small lane's 0-d backward calls go through the lane's compiled entry point
    (``pointwise_backward._lane_call``) once the kernel is compiled: the same bits as
    through Numba's dispatcher; an operand of another dtype than the lane's goes through
    the dispatcher."""
    for c in ZERO_D_CASES:  # the lanes' kernels, compiled now (a new one starts in tier 0)
        _zero_d_grads(c)
    for lane in list(PB._small.values()):
        promote = getattr(lane[0].fn, "promote", None)
        if promote is not None:
            promote()
    fast = [[_zero_d_grads(c) for c in ZERO_D_CASES] for _ in range(3)]
    assert any(lane[4] for key, lane in PB._small.items() if key[3] == 0), "no entry taken"
    with monkeypatch.context() as m:
        m.setattr(PB, "_lane_call", lambda lane, call, *rest: lane[0].fn(*call))
        slow = [_zero_d_grads(c) for c in ZERO_D_CASES]
    assert fast[0] == fast[1] == fast[2] == slow
    assert np.frombuffer(slow[2][0], np.float32).tolist() == [3.0]  # d(a*b)/da, b int32 3
    assert np.frombuffer(slow[0][0], np.float32).tolist() == [3.0]
    assert np.frombuffer(slow[4][0], np.float32).tolist() == [2.5]


def test_zero_d_entry_is_taken_only_for_the_lanes_types():
    """``_lane_call`` takes (or looks up) the entry only where every operand is of the
    lane's compute dtype, arrays plain ndarrays and numbers NumPy scalars of that dtype."""
    calls = []

    class Kernel:
        def __init__(self):
            self.dispatcher = self.fn = lambda *a: calls.append("fn")
            self.asked = 0

        def entry_for(self, args):
            self.asked += 1
            return lambda *a: calls.append("entry")

    f32, npdt = np.zeros((), np.float32), np.dtype(np.float32)
    lane = [Kernel(), None, None, None, None]

    def call(values, smask, out=f32, garr=f32):
        PB._lane_call(lane, [garr, out, *values], values, smask, garr, out, npdt)

    call([np.zeros((), np.float64)], "t")  # another dtype
    call([f32, 2.0], "ts")  # a Python number
    call([f32, np.float64(2.0)], "ts")  # a NumPy scalar of another dtype
    call([f32], "t", out=np.zeros((), np.float64))
    call([f32], "t", garr=np.ma.masked_array(1.0, dtype=np.float32))  # not a plain ndarray
    assert calls == ["fn"] * 5 and lane[4] is None and lane[0].asked == 0
    call([f32, np.float32(2.0)], "ts")  # the lane's types: looked up once, then taken
    call([f32, np.float32(3.0)], "ts")
    call([f32, 2.0], "ts")
    assert calls[5:] == ["fn", "entry", "fn"] and lane[0].asked == 1
