"""The backward replay cache: a repeated graph replays a recorded program, observably the same.

Each test builds the same structure several times; the first backward records, later ones
replay (``cache_info()["backward_programs"]`` counts both). Replayed gradients must equal the
recorded run's bitwise and the unfused engine's to rounding, and everything that makes a
replay unsafe (hooks, in-place changes, freed graphs, arrays shared differently) must take
the engine's path with its usual results and errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jitgrad
from jitgrad.fusion import replay


def _counts() -> tuple[int, int]:
    info = jitgrad.cache_info()["backward_programs"]
    return info["recorded"], info["replayed"]


def _leaves(seed: int = 0):
    rng = np.random.default_rng(seed)
    w = jitgrad.tensor(rng.standard_normal((5, 4)).astype(np.float32), requires_grad=True)
    b = jitgrad.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
    x = jitgrad.tensor(rng.standard_normal((3, 5)).astype(np.float32))
    return w, b, x


def _loss(w, b, x):
    """Matmul, broadcast add, fan-out (h used twice), scalars, a reduction."""
    h = x @ w + b
    a = jitgrad.tanh(h) * 0.5 + h * h
    return (a * jitgrad.sigmoid(h) - 1.5).mean()


def _step(w, b, x):
    w.grad = b.grad = None
    loss = _loss(w, b, x)
    loss.backward()
    return loss.item(), w.grad.numpy().copy(), b.grad.numpy().copy()


def test_second_step_replays_bitwise_equal_to_the_recorded_step_and_close_to_unfused():
    replay.clear()
    w, b, x = _leaves()
    rec0, rep0 = _counts()
    first = _step(w, b, x)
    assert _counts() == (rec0 + 1, rep0)
    second = _step(w, b, x)
    third = _step(w, b, x)
    assert _counts() == (rec0 + 1, rep0 + 2)
    for got in (second, third):
        assert got[0] == first[0]
        np.testing.assert_array_equal(got[1], first[1])
        np.testing.assert_array_equal(got[2], first[2])
    with jitgrad.fusion(False):
        unfused = _step(w, b, x)
    np.testing.assert_allclose(unfused[1], first[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(unfused[2], first[2], rtol=1e-5, atol=1e-6)


def test_replay_uses_the_new_graphs_values():
    """Same structure, other numbers: the program must read this step's saved arrays."""
    replay.clear()
    w, b, x = _leaves(1)
    _step(w, b, x)
    x2 = jitgrad.tensor(np.random.default_rng(9).standard_normal((3, 5)).astype(np.float32))
    _, rec = _counts()
    replayed = _step(w, b, x2)
    assert _counts()[1] == rec + 1
    with jitgrad.fusion(False):
        expected = _step(w, b, x2)
    np.testing.assert_allclose(replayed[1], expected[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(replayed[2], expected[2], rtol=1e-5, atol=1e-6)


def test_gradients_accumulate_across_replayed_backwards():
    w, b, x = _leaves(2)
    once = _step(w, b, x)
    w.grad = b.grad = None
    for _ in range(3):
        _loss(w, b, x).backward()
    np.testing.assert_allclose(w.grad.numpy(), 3 * once[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), 3 * once[2], rtol=1e-5, atol=1e-6)


def test_hooks_and_retain_grad_are_honoured_on_a_structure_seen_before():
    w, b, x = _leaves(3)
    _step(w, b, x)
    _step(w, b, x)  # recorded and replayed: the structure is cached
    seen = []
    w.grad = b.grad = None
    h = x @ w + b
    h.register_hook(lambda g: seen.append(g.numpy().copy()) or g * 2)
    h.retain_grad()
    a = jitgrad.tanh(h) * 0.5 + h * h
    (a * jitgrad.sigmoid(h) - 1.5).mean().backward()
    with jitgrad.fusion(False):
        w2 = jitgrad.tensor(w.detach().numpy(), requires_grad=True)
        h2 = x @ w2 + b.detach()
        h2.register_hook(lambda g: g * 2)
        a2 = jitgrad.tanh(h2) * 0.5 + h2 * h2
        (a2 * jitgrad.sigmoid(h2) - 1.5).mean().backward()
    assert len(seen) == 1
    # retain_grad keeps the gradient the hooks produced (PyTorch runs it after them)
    np.testing.assert_allclose(h.grad.numpy(), 2 * seen[0], rtol=1e-6)
    np.testing.assert_allclose(w.grad.numpy(), w2.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_in_place_change_after_forward_is_an_error_on_a_cached_structure():
    x = jitgrad.tensor([0.5, 1.0, 2.0], requires_grad=True)
    for _ in range(2):
        (jitgrad.exp(x * 2.0) * 3.0).sum().backward()
    y = x * 2.0
    z = jitgrad.exp(y)
    loss = (z * 3.0).sum()
    z.add_(1.0)  # exp's backward reads its output
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_second_backward_through_a_replayed_graph_raises_or_repeats():
    x = jitgrad.tensor([0.5, 1.0, 2.0], requires_grad=True)
    for _ in range(2):
        (jitgrad.sin(x) * x).sum().backward()
    x.grad = None
    loss = (jitgrad.sin(x) * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()  # retained: runs again and accumulates
    expected = 2 * (np.cos(x.detach().numpy()) * x.detach().numpy() + np.sin(x.detach().numpy()))
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()


def test_arrays_shared_differently_than_when_recorded():
    """``c`` read by two members is passed to the kernel once; a later step with two
    different arrays there must not read the first one twice."""
    x = jitgrad.tensor([0.3, -0.7, 1.1], requires_grad=True)
    c = jitgrad.tensor([2.0, 3.0, 4.0])
    d = jitgrad.tensor([-1.0, 0.5, 0.25])

    def grad(p, q, fuse=True):
        x.grad = None
        with jitgrad.fusion(fuse):
            (jitgrad.tanh(x * p) * q).sum().backward()
        return x.grad.numpy().copy()

    grad(c, c)
    grad(c, c)  # recorded with p is q
    np.testing.assert_allclose(grad(c, d), grad(c, d, fuse=False), rtol=1e-6)
    np.testing.assert_allclose(grad(d, c), grad(d, c, fuse=False), rtol=1e-6)


def test_different_shapes_or_dtypes_record_their_own_programs():
    for dt, n in (("float32", 3), ("float64", 3), ("float32", 5), ("float32", 3)):
        x = jitgrad.tensor(np.linspace(-1, 1, n).astype(dt), requires_grad=True)
        (jitgrad.tanh(x) * x + 1.0).sum().backward()
        xs = np.linspace(-1, 1, n)
        expected = (1 - np.tanh(xs) ** 2) * xs + np.tanh(xs)
        assert x.grad.dtype == getattr(jitgrad, dt)
        np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5)


def test_clear_cache_forgets_programs():
    w, b, x = _leaves(4)
    _step(w, b, x)
    assert jitgrad.cache_info()["backward_programs"]["programs"] >= 1
    jitgrad.clear_cache(disk=False)
    assert jitgrad.cache_info()["backward_programs"]["programs"] == 0
    rec, _ = _counts()
    _step(w, b, x)
    assert _counts()[0] == rec + 1


def test_strided_one_dimensional_operands_replay_like_the_unfused_engine():
    """A 1-D group passes its arrays to the kernel as they are (no iteration views): an
    operand that is a strided view must still be read with its strides when replayed."""
    base = jitgrad.tensor(np.linspace(-2, 2, 12).astype(np.float32), requires_grad=True)
    y = jitgrad.tensor(np.linspace(0.5, 1.5, 6).astype(np.float32), requires_grad=True)

    def grads(fuse: bool) -> list[np.ndarray]:
        base.grad = y.grad = None
        with jitgrad.fusion(fuse):
            x = base[::2]  # stride 2
            (jitgrad.tanh(x * y + x) * y).sum().backward()
        return [base.grad.numpy().copy(), y.grad.numpy().copy()]

    reference = grads(False)
    before = _counts()
    for _ in range(3):
        for got, want in zip(grads(True), reference, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    recorded, replayed = _counts()
    assert replayed > before[1], "the later steps should have been replayed"


def test_zero_dimensional_graph_replays_like_the_unfused_engine():
    """Scalar (0-d) graphs run 0-d forward and backward kernels; replayed or not, the
    gradients are the unfused engine's, and torch's formula's."""
    w = jitgrad.tensor(0.3, requires_grad=True)
    x = jitgrad.tensor(-0.7, requires_grad=True)
    b = jitgrad.tensor(0.1, requires_grad=True)

    def grads(fuse: bool) -> list[float]:
        w.grad = x.grad = b.grad = None
        with jitgrad.fusion(fuse):
            out = 1 / (jitgrad.exp(-(w * x + b)) + 1)
            out.backward()
        return [w.grad.item(), x.grad.item(), b.grad.item()]

    z = 0.3 * -0.7 + 0.1
    s = 1 / (1 + np.exp(-z))
    analytic = [s * (1 - s) * -0.7, s * (1 - s) * 0.3, s * (1 - s)]
    unfused = grads(False)
    np.testing.assert_allclose(unfused, analytic, rtol=1e-5)
    for _ in range(3):
        assert grads(True) == pytest.approx(unfused, rel=1e-6)


def _grads_of(fn, *leaves, fuse: bool = True) -> list[np.ndarray]:
    for t in leaves:
        t.grad = None
    with jitgrad.fusion(fuse):
        fn(*leaves).backward()
    return [t.grad.numpy().copy() for t in leaves]


@pytest.mark.parametrize(
    ("seen", "other"),
    [
        # the same ops and leaves, sharing a leaf elsewhere: x read twice, then y read twice
        (
            lambda x, y: (jitgrad.tanh(x * y) * x).sum(),
            lambda x, y: (jitgrad.tanh(x * x) * y).sum(),
        ),
        # two products of the same operands, then one product used twice
        (
            lambda x, y: (jitgrad.tanh(x * y) * jitgrad.tanh(x * y)).sum(),
            lambda x, y: (lambda t: t * t)(jitgrad.tanh(x * y)).sum(),
        ),
        # the same ops created in another order (ranks differ, so does the engine's order)
        (
            lambda x, y: (jitgrad.sin(x) * jitgrad.cos(y)).sum(),
            lambda x, y: (lambda c, s: s * c)(jitgrad.cos(y), jitgrad.sin(x)).sum(),
        ),
    ],
    ids=["leaf-shared", "node-shared", "creation-order"],
)
def test_a_recognised_structure_never_stands_in_for_a_different_graph(seen, other):
    """After a structure is replayed through its generated matcher, graphs that differ in
    sharing or creation order get their own (correct) gradients."""
    x = jitgrad.tensor([0.3, -0.8, 1.2], requires_grad=True)
    y = jitgrad.tensor([1.1, 0.4, -0.6], requires_grad=True)
    replay.clear()
    for _ in range(3):  # recorded, replayed (matcher built), replayed through the matcher
        _grads_of(seen, x, y)
    assert replay._RECENT, "the structure should have a matcher by now"
    for got, want in zip(_grads_of(other, x, y), _grads_of(other, x, y, fuse=False), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    for got, want in zip(_grads_of(seen, x, y), _grads_of(seen, x, y, fuse=False), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_matcher_returns_the_nodes_of_an_equal_structure_and_none_otherwise():
    from jitgrad.engine.sweep import _edge_of
    from jitgrad.fusion import matcher

    x = jitgrad.tensor([0.3, -0.8], requires_grad=True)
    y = jitgrad.tensor([1.1, 0.4], requires_grad=True)
    one = jitgrad.ones(())

    def walked(loss):
        roots = [_edge_of(loss)]
        return roots, replay.structure(roots, [one])[1]

    roots, order = walked((jitgrad.tanh(x * y) + x).sum())
    match = matcher.build(order, roots, [one])
    again_roots, again = walked((jitgrad.tanh(x * y) + x).sum())
    assert match(again_roots, [one]) == again
    for loss in ((jitgrad.tanh(x * x) + x).sum(), (jitgrad.tanh(x * y) + y).sum()):
        other_roots = [_edge_of(loss)]
        assert match(other_roots, [one]) is None
    hooked_roots, _ = walked((jitgrad.tanh(x * y) + x).sum())
    hooked_roots[0][0].register_hook(lambda gi, go: None)
    assert match(hooked_roots, [one]) is None
    assert match(again_roots, [jitgrad.ones((), dtype=jitgrad.float64)]) is None


def test_graphs_above_the_matcher_size_still_replay(monkeypatch):
    from jitgrad.fusion import matcher

    monkeypatch.setattr(matcher, "MAX_NODES", 3)
    replay.clear()
    x = jitgrad.tensor([0.3, -0.8, 1.2], requires_grad=True)
    y = jitgrad.tensor([1.1, 0.4, -0.6], requires_grad=True)

    def loss(x, y):
        return (jitgrad.tanh(x * y) * y + x).sum()

    want = _grads_of(loss, x, y, fuse=False)
    before = _counts()[1]
    for _ in range(3):
        for got, w in zip(_grads_of(loss, x, y), want, strict=True):
            np.testing.assert_allclose(got, w, rtol=1e-6)
    assert _counts()[1] == before + 2
    assert not replay._RECENT  # no matcher was built


def test_gradients_summed_across_many_groups_match_the_unfused_engine():
    """A long chain splits into several fusion groups, each sending a gradient to the same
    leaves; the engine sums them (in place into its own fresh buffers). Every step, replayed
    or not, gives the unfused engine's gradients, and replays repeat bitwise."""
    rng = np.random.default_rng(5)
    x = jitgrad.tensor((rng.standard_normal(16) * 0.5).astype(np.float32), requires_grad=True)
    y = jitgrad.tensor(rng.standard_normal(16).astype(np.float32), requires_grad=True)

    def loss(x, y):
        h = x
        for _ in range(40):  # 160 ops: more than three groups of at most 48
            h = jitgrad.tanh(h * y + x) * 0.5
        return h.sum()

    want = _grads_of(loss, x, y, fuse=False)
    runs = [_grads_of(loss, x, y) for _ in range(4)]
    for run in runs:
        for got, w in zip(run, want, strict=True):
            np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)
    for run in runs[2:]:
        for got, first in zip(run, runs[1], strict=True):
            np.testing.assert_array_equal(got, first)


# ---- deferred (lazy) graphs: the joint kernel and deferred members replay too -----------------


def _deferred_step(x, y, reduce, read_loss=False, fuse=True):
    x.grad = y.grad = None
    with jitgrad.fusion(fuse):
        z = jitgrad.tanh(x * y + jitgrad.sin(x)) * jitgrad.exp(-x * x) / (1 + y * y)
        loss = z.sum() if reduce == "sum" else z.mean()
        if read_loss:  # the loss is computed before backward: no joint kernel this time
            loss.item()
        loss.backward()
    return loss.item(), x.grad.numpy().copy(), y.grad.numpy().copy()


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_deferred_chain_replays_its_joint_kernel(lazy, reduce):
    """A loss summed from a deferred chain runs forward and backward as one joint kernel;
    the same step again replays it (no re-planning) with the engine's exact results, also
    when the loss was read before backward (then the reduction's backward and the group run
    one after the other, as the engine would)."""
    replay.clear()
    rng = np.random.default_rng(7)
    x = jitgrad.tensor(rng.standard_normal(40).astype(np.float32), requires_grad=True)
    y = jitgrad.tensor(rng.standard_normal(40).astype(np.float32), requires_grad=True)
    recorded, replayed = _counts()
    first = _deferred_step(x, y, reduce)
    assert _counts() == (recorded + 1, replayed)
    for _ in range(3):
        again = _deferred_step(x, y, reduce)
        assert again[0] == first[0]
        for got, want in zip(again[1:], first[1:], strict=True):
            np.testing.assert_array_equal(got, want)
    assert _counts() == (recorded + 1, replayed + 3)
    unfused = _deferred_step(x, y, reduce, fuse=False)
    read = _deferred_step(x, y, reduce, read_loss=True)
    for got, want in zip(read, unfused, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    for got, want in zip(first, unfused, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_deferred_members_resolve_when_replayed(lazy):
    """backward(gradient) from a deferred chain (no reduction): its members are resolved
    (computed) as the engine's group would; replays match the unfused engine, and an
    intermediate read after backward still has its forward values."""
    rng = np.random.default_rng(8)
    xn = rng.standard_normal(24).astype(np.float32)
    x = jitgrad.tensor(xn, requires_grad=True)
    seed = jitgrad.tensor(rng.standard_normal(24).astype(np.float32))

    def step(fuse=True):
        x.grad = None
        with jitgrad.fusion(fuse):
            h = jitgrad.tanh(x * 1.5) + x
            out = jitgrad.exp(-h * h) * x
            out.backward(seed)
        return x.grad.numpy().copy(), h.detach().numpy().copy()

    want_grad, want_h = step(fuse=False)
    for _ in range(4):
        grad, h = step()
        np.testing.assert_allclose(grad, want_grad, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(h, np.tanh(xn * np.float32(1.5)) + xn, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(h, want_h, rtol=1e-6)


def test_in_place_change_of_a_deferred_input_is_an_error_on_a_cached_structure(lazy):
    x = jitgrad.tensor([0.5, 1.0, 2.0], requires_grad=True)
    c = jitgrad.tensor([1.0, 2.0, 3.0])
    for _ in range(3):
        x.grad = None
        (jitgrad.exp(x * c) * 3.0).sum().backward()
    loss = (jitgrad.exp(x * c) * 3.0).sum()
    c.add_(1.0)  # an input the deferred chain reads
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_deferred_loss_backward_twice_with_retain_graph(lazy):
    """The first backward computes the loss in the joint kernel; the second (retained) finds
    it computed and runs the loss's backward then the group: gradients accumulate twice."""
    x = jitgrad.tensor(np.linspace(-1.0, 1.0, 12).astype(np.float32), requires_grad=True)
    for _ in range(3):  # recorded, then replayed through the matcher
        x.grad = None
        (jitgrad.sin(x) * x).sum().backward()
    x.grad = None
    loss = (jitgrad.sin(x) * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    xn = x.detach().numpy().astype(np.float64)
    np.testing.assert_allclose(x.grad.numpy(), 2 * (np.cos(xn) * xn + np.sin(xn)), rtol=1e-5)
    np.testing.assert_allclose(loss.item(), np.sum(np.sin(xn) * xn), rtol=1e-5)


# ---- randomized: programs that share a root token but not a structure --------------------------

_UNARY = ("tanh", "sin", "exp", "neg")
_BINARY = ("mul", "add", "sub")


def _random_program(draw_ints: list[int], n_ops: int) -> list[tuple]:
    """A small elementwise program: each step an op over earlier values (0, 1: the leaves)."""
    prog, it = [], iter(draw_ints)
    for k in range(n_ops):
        avail = 2 + k
        if next(it) % 2:
            prog.append(("u", _UNARY[next(it) % len(_UNARY)], next(it) % avail))
        else:
            prog.append(("b", _BINARY[next(it) % len(_BINARY)], next(it) % avail, next(it) % avail))
    return prog


def _run_program(prog, x, y, fuse=True):
    x.grad = y.grad = None
    with jitgrad.fusion(fuse):
        vals = [x, y]
        for step in prog:
            if step[0] == "u":
                v = getattr(jitgrad, step[1])(vals[step[2]] * 0.5)
            else:
                a, b = vals[step[2]], vals[step[3]]
                v = {"mul": a * b, "add": a + b, "sub": a - b}[step[1]]
            vals.append(v)
        (vals[-1] + x * y).sum().backward()  # both leaves always reach the loss
    return [x.grad.numpy().copy(), y.grad.numpy().copy()]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.lists(st.integers(0, 1000), min_size=40, max_size=40),
    second=st.lists(st.integers(0, 1000), min_size=40, max_size=40),
    n_ops=st.integers(1, 9),
)
def test_random_programs_replay_like_the_unfused_engine(first, second, n_ops):
    """Two random programs with the same root token (the loss's SumBackward0): the first is
    recorded, replayed and then matched by its generated matcher; the second, run after it,
    must get its own gradients whether or not its structure happens to equal the first's."""
    # float64: fused and unfused may sum gradient contributions in another order, and a
    # random program can cancel; in float64 that stays far below the tolerance
    x = jitgrad.tensor(np.linspace(-0.9, 0.8, 6), requires_grad=True)
    y = jitgrad.tensor(np.linspace(0.4, 1.3, 6), requires_grad=True)
    for prog in (_random_program(first, n_ops), _random_program(second, n_ops)):
        want = _run_program(prog, x, y, fuse=False)
        scale = max([1.0] + [float(np.max(np.abs(w[np.isfinite(w)]), initial=0)) for w in want])
        for _ in range(3):
            for got, w in zip(_run_program(prog, x, y), want, strict=True):
                np.testing.assert_allclose(got, w, rtol=1e-9, atol=1e-9 * scale)
