"""The session-18 cuts on a scalar graph's non-elementwise ops give what the general paths
give: stack's recorder (``record_one.record_many``) against ``recording.record``;
``nn.functional.softmax``/``log_softmax`` straight to the body while ``Tensor.softmax`` is
jitgrad's own (values against float64 NumPy, gradients, node names; a swapped method is still
called); the small-vector lane's contiguity test; unbind's cached marks; the stale-view
registry's first list made without ``Views.__init__``."""

import copy
import re

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.frontend.view_registry import Views

F = torch.nn.functional


def _node_state(t):
    """What a recorded result shows: value bytes, dtype, node class and base, edges, record,
    version."""
    node = t.grad_fn
    if node is None:
        return t._value.tobytes(), t.dtype, None, t.requires_grad
    return (
        t._value.tobytes(), t.dtype, type(node), type(node).__bases__, node.next_functions,
        node._saved, node._saved_dim, t._version, node._key, type(node._extra),
    )  # fmt: skip


def _mode(mode):
    """The context a recorder runs in: grad mode on or off, anomaly mode, saved-tensor hooks."""
    if mode == "no_grad":
        return torch.no_grad()
    if mode == "anomaly":
        return torch.autograd.detect_anomaly(check_nan=False)
    if mode == "hooks":
        return torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t)
    return torch.enable_grad()


def test_record_many_gives_what_record_gives():
    """Stack's recorder for results, leaves, a tensor that needs no gradient, none that does,
    an integer result, grad mode off, anomaly mode and saved-tensor hooks (the last two hand
    the call to record): the same node class, edges, shared record and ``_saved_dim``."""
    from jitgrad.frontend.join_split import JoinBackward
    from jitgrad.frontend.record_one import lane_of, record_many
    from jitgrad.frontend.recording import record, shared

    backward = shared(lambda g: (g, g))
    backward.saved_dim = -1
    cls, fn, saved, _ = lane_of("StackBackward0", JoinBackward, backward)
    leaf = torch.tensor([1.0, 2.0], requires_grad=True)
    a, b = list(leaf * 2)  # results: outputs 0 and 1 of one UnbindBackward0
    plain = torch.tensor(3.0)
    cases = [(a, b), (b, leaf), (leaf[1], plain), (plain, plain)]
    for inputs in cases:
        for npdt in (np.float32, np.int64):
            for mode in ("plain", "no_grad", "anomaly", "hooks"):
                got = []
                for rec in ("many", "general"):
                    value = np.arange(2, dtype=npdt)
                    dt = torch.int64 if npdt is np.int64 else torch.float32
                    with _mode(mode):
                        if rec == "many":
                            out = record_many(cls, value, dt, inputs, fn, saved)
                        else:
                            out = record("StackBackward0", value, dt, inputs, backward, (),
                                         JoinBackward)  # fmt: skip
                    got.append(_node_state(out))
                assert got[0] == got[1], (mode, npdt, [t.requires_grad for t in inputs])
    out = record_many(cls, np.zeros(2, np.float32), torch.float32, (a, b), fn, saved)
    assert out.grad_fn.next_functions == ((a.grad_fn, 0), (a.grad_fn, 1))


def test_stack_of_results_and_leaves_records_pytorch_node():
    """The stack lane (record_many) on a scalar graph's results, then on leaves: the node,
    ``_saved_dim``, edges and gradients of a softmax over the stack, against float64 NumPy."""
    leaves = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x0, x1, x2 = list(leaves)
    for parts in ([x0 * 2, x1 * 2, x2 * 2], [x0, x1, x2]):
        s = torch.stack(parts, dim=0)
        assert type(s.grad_fn).__name__ == "StackBackward0" and s.grad_fn._saved_dim == 0
        assert [f for f, _ in s.grad_fn.next_functions] == [p.grad_fn for p in parts]
        leaves.grad = None
        (F.softmax(s, dim=0) * torch.tensor([1.0, 3.0, -2.0])).sum().backward()
        k = 2.0 if parts[0].grad_fn is not x0.grad_fn else 1.0
        z = k * np.array([0.5, -1.0, 2.0])
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        w = np.array([1.0, 3.0, -2.0])
        np.testing.assert_allclose(leaves.grad.numpy(), k * p * (w - (w * p).sum()), rtol=1e-6)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("shape,dim", [((4,), 0), ((4,), -1), ((2, 3), 1), ((2, 3), 0)])
def test_functional_softmax_against_float64_numpy(shape, dim, log, dtype):
    """``F.softmax``/``F.log_softmax`` (their straight call into the body): values against
    float64 NumPy, the node's name and ``_saved_dim``, and the gradient of a weighted sum."""
    rng = np.random.default_rng(len(shape) * 10 + dim)
    v = rng.standard_normal(shape) * 3
    w = rng.standard_normal(shape)
    x = torch.tensor(v, dtype=dtype, requires_grad=True)
    y = (F.log_softmax if log else F.softmax)(x, dim=dim)
    e = np.exp(v - v.max(axis=dim, keepdims=True))
    p = e / e.sum(axis=dim, keepdims=True)
    tol = 1e-6 if dtype == torch.float32 else 1e-13
    np.testing.assert_allclose(y.detach().numpy(), np.log(p) if log else p, rtol=tol, atol=tol)
    assert y.dtype == dtype
    assert type(y.grad_fn).__name__ == ("LogSoftmaxBackward0" if log else "SoftmaxBackward0")
    assert y.grad_fn._saved_dim == dim % (1 << 64)
    (y * torch.tensor(w, dtype=dtype)).sum().backward()
    if log:
        expected = w - p * w.sum(axis=dim, keepdims=True)
    else:
        expected = p * (w - (w * p).sum(axis=dim, keepdims=True))
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=10 * tol, atol=10 * tol)


def test_functional_softmax_calls_a_swapped_method(monkeypatch):
    """While ``Tensor.softmax`` is not jitgrad's own (a backend's or a trace's wrapper, with
    the module globals that named the op pointed at it), ``F.softmax`` calls the method, as
    before the straight call existed."""
    calls = []
    for name in ("softmax", "log_softmax"):
        original = getattr(torch.Tensor, name)

        def wrapper(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, wrapper)
        # as a backend's opwrap.reroute_imports: module globals naming the op -> the wrapper
        for key, value in list(vars(F).items()):
            if value is original:
                monkeypatch.setitem(vars(F), key, wrapper)
    x = torch.tensor([1.0, 2.0, 0.5], requires_grad=True)
    F.softmax(x, dim=0)
    F.log_softmax(x, dim=-1)
    assert calls == ["softmax", "log_softmax"]


@pytest.mark.parametrize("log", [False, True])
def test_one_element_vector_with_a_stride(log):
    """A one-element vector with a stride other than its item size is C-contiguous to NumPy,
    so it takes the small-vector lane now: the general path's value and node."""
    base = torch.tensor([2.5, 7.0], requires_grad=True)
    x = base[::2]
    assert x._value.strides == (8,) and x._value.flags.c_contiguous
    y = (F.log_softmax if log else F.softmax)(x, dim=0)
    row = (F.log_softmax if log else F.softmax)(base[::2].reshape(1, 1), dim=1)
    assert y.tolist() == row.reshape(1).tolist() == [0.0 if log else 1.0]
    y.sum().backward()
    assert base.grad.tolist() == [0.0, 0.0]


def test_unbind_cached_marks_name_each_output():
    """Unbind's lane keeps its outputs' marks: after a 3-element unbind, a 5-element one and
    the 3-element one again refuse an in-place change of output i in PyTorch's words."""
    for n in (3, 5, 3):
        y = torch.arange(float(n), requires_grad=True) * 1
        outs = list(y)
        for i in (0, n - 1):
            with pytest.raises(RuntimeError, match=f"^Output {i} of Unbind is a view"):
                outs[i].add_(1)


def test_first_view_list_of_a_counter():
    """The view list a counter gets with its first differentiable view (made without
    ``Views.__init__``) has ``__init__``'s limit, compacts past it, a copy of the counter
    still forgets the views (``Views.__reduce__``), and a change of the base reaches them."""
    x = torch.arange(4.0, requires_grad=True) * 1
    kept = list(x)
    refs = x._vc[1]
    assert type(refs) is Views and refs.limit == 32 and len(refs) == 4
    for _ in range(12):  # 48 more views, dropped: the list compacts at its limit
        list(x)
    assert len(refs) < 32 + 4 and refs.limit >= 32
    assert len(copy.deepcopy(x._vc)[1]) == 0
    with torch.no_grad():
        x.add_(1)
    with pytest.raises(RuntimeError, match="^Output 2 of Unbind is a view and its base"):
        _ = kept[2].grad_fn  # (the registry saw the change: PyTorch's stale multi-view error)


def test_stack_lane_sizes_and_dims_of_zero_d_tensors():
    """The lane compares a 0-d first tensor's followers by ``ndim`` and wraps an in-range dim
    itself: a 0-d tensor beside a 1-element vector (either order) is still refused in
    PyTorch's words, a negative dim is wrapped, an out-of-range one raises its IndexError."""
    z, v = torch.tensor(1.0), torch.tensor([1.0])
    for xs, sizes in (([z, v], "[] at entry 0 and [1] at entry 1"),
                      ([v, z], "[1] at entry 0 and [] at entry 1")):  # fmt: skip
        with pytest.raises(RuntimeError, match=rf"equal size, but got {re.escape(sizes)}$"):
            torch.stack(xs)
    a = torch.tensor(2.0, requires_grad=True)
    assert torch.stack([a, a * 3], dim=-1).tolist() == [2.0, 6.0]
    with pytest.raises(IndexError, match=re.escape("range of [-1, 0], but got 1)")):
        torch.stack([a, a], dim=1)
