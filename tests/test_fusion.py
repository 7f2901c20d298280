"""The fusion pass: fused backward equals per-op backward, and the planner's groups.

Every differentiable op of ``op_cases`` runs inside a chain that fuses, fused and unfused;
randomized graphs (hypothesis) mix fan-out, broadcasting, scalars, hooks, retain_grad,
retain_graph and create_graph and compare fused, unfused and a float64 reference.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from op_cases import CASES

import jitgrad
from jitgrad.fusion import backward as FB
from jitgrad.fusion.planner import partition
from jitgrad.ops.registry import REGISTRY
from jitgrad.viz import graph_nodes

DIFF = [c for c in CASES if REGISTRY[c.op].differentiable]
SHAPED = [
    (c, s, dt)
    for c in DIFF
    for s in c.shape_sets()
    for dt in ("float32", "float64")
    if dt == "float32" or s == c.shapes
]
IDS = [f"{c.op}-{'x'.join(map(str, s))}-{dt}" for c, s, dt in SHAPED]


def _grads(build, leaves, seed, fuse: bool):
    for t in leaves:
        t.grad = None
    with jitgrad.fusion(fuse):
        out = build(*leaves)
        out.backward(seed)
    return [None if t.grad is None else t.grad.numpy().copy() for t in leaves]


def _graph_nodes(t):
    return graph_nodes(t.grad_fn)


def _groups(t):
    nodes = _graph_nodes(t)
    return [
        [m.name() for m in g] for g in partition(nodes, dict.fromkeys(nodes, True), [t.grad_fn])
    ]


@pytest.mark.parametrize(("case", "shapes", "dtype"), SHAPED, ids=IDS)
def test_every_op_fused_matches_unfused(case, shapes, dtype):
    rng = np.random.default_rng(3)
    arrays = case.sample(rng, shapes, dtype)
    leaves = [
        jitgrad.tensor(a, requires_grad=g) for a, g in zip(arrays, case.grad_inputs(), strict=True)
    ]

    def build(*xs):
        # x * 1.0 feeds the op from inside the group; the product closes it.
        y = case.call(jitgrad, *[x * 1.0 for x in xs])
        return y * (y * 0.5 + 2.0)

    probe = build(*leaves)
    assert len(_groups(probe)) == 1
    seed = jitgrad.tensor(rng.standard_normal(probe.shape).astype(dtype))
    fused = _grads(build, leaves, seed, True)
    plain = _grads(build, leaves, seed, False)
    tol = 2e-5 if dtype == "float32" else 1e-12
    for f, p in zip(fused, plain, strict=True):
        assert (f is None) == (p is None)
        if f is not None:
            assert f.dtype == p.dtype == np.dtype(dtype)
            np.testing.assert_allclose(f, p, rtol=tol, atol=tol)


# ---- randomized graphs --------------------------------------------------------------------
UNARY = ["sin", "tanh", "exp_neg", "sq", "sigmoid", "relu", "neg", "cube"]
BINARY = ["add", "sub", "mul", "div_pos", "max"]
SHAPES = [(3, 4), (4,), (3, 1), ()]


def _apply(kind, a, b=None, s=1.5):
    J = jitgrad
    return {
        "sin": lambda: J.sin(a),
        "tanh": lambda: J.tanh(a),
        "exp_neg": lambda: J.exp(-a * a),
        "sq": lambda: a * a,
        "sigmoid": lambda: J.sigmoid(a),
        "relu": lambda: J.relu(a) + 0.1 * a,
        "neg": lambda: -a + s,
        "cube": lambda: a**3,
        "add": lambda: a + b,
        "sub": lambda: a - s * b,
        "mul": lambda: a * b,
        "div_pos": lambda: a / (1 + b * b),
        "max": lambda: J.maximum(a, b),
    }[kind]()


programs = st.lists(
    st.tuples(
        st.sampled_from(UNARY + BINARY),
        st.integers(0, 100),
        st.integers(0, 100),
        st.floats(-2, 2, allow_nan=False).map(lambda v: round(v, 2)),
        st.sampled_from(["", "", "", "hook", "retain"]),
    ),
    min_size=1,
    max_size=8,
)


def _recorder(record, n):
    return lambda g: record.append((n, g.numpy().copy()))


def _run_program(program, leaves, fuse, record):
    """Evaluate the random program; ``record`` collects hook and retain_grad observations."""
    with jitgrad.fusion(fuse):
        vals = list(leaves)
        retained = []
        for kind, i, j, s, extra in program:
            a = vals[i % len(vals)]
            b = vals[j % len(vals)] if kind in BINARY else None
            v = _apply(kind, a, b, s)
            if extra == "hook" and v.requires_grad:
                v.register_hook(_recorder(record, len(vals)))
            if extra == "retain" and v.requires_grad:
                v.retain_grad()
                retained.append(v)
            vals.append(v)
        # Every value feeds the loss (fan-out): a weighted sum through a final product.
        out = vals[-1] * 1.0
        for k, v in enumerate(vals[len(leaves) : -1]):
            out = out + v * (0.5 + 0.1 * k)
        return out, retained


def _np(t):
    return None if t is None else t.numpy().copy()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    program=programs,
    shapes=st.lists(st.sampled_from(SHAPES), min_size=2, max_size=2),
    seed=st.integers(0, 2**16),
)
def test_random_graphs_fused_unfused_and_float64(program, shapes, seed):
    rng = np.random.default_rng(seed)
    base = [rng.uniform(-1.5, 1.5, s) for s in shapes]
    results = {}
    runs = ((True, np.float32), (False, np.float32), (False, np.float64), ("again", np.float32))
    for fuse, dtype in runs:
        leaves = [jitgrad.tensor(a.astype(dtype), requires_grad=True) for a in base]
        hooks: list = []
        out, retained = _run_program(program, leaves, bool(fuse), hooks)
        seed_grad = jitgrad.ones(out.shape, dtype=leaves[0].dtype)
        with jitgrad.fusion(bool(fuse)):
            out.backward(seed_grad, retain_graph=True)
            first = [_np(t.grad) for t in leaves]
            out.backward(seed_grad)  # a second backward accumulates into .grad
        results[(fuse, dtype)] = (
            first,
            [_np(t.grad) for t in leaves],
            [g for _, g in hooks],
            [_np(r.grad) for r in retained],
        )
    # The same structure again replays the recorded backward program: bitwise the same.
    for part, again in zip(
        results[(True, np.float32)], results[("again", np.float32)], strict=True
    ):
        for f, a in zip(part, again, strict=True):
            assert (f is None and a is None) or np.array_equal(f, a)
    fused, plain, ref = (
        results[(True, np.float32)],
        results[(False, np.float32)],
        results[(False, np.float64)],
    )
    for part in range(4):
        assert len(fused[part]) == len(plain[part]) == len(ref[part])
        for f, p, r in zip(fused[part], plain[part], ref[part], strict=True):
            assert (f is None) == (p is None) == (r is None)
            if f is None:
                continue
            scale = 1 + np.abs(r).max(initial=0)
            np.testing.assert_allclose(f, p, rtol=1e-4, atol=1e-4 * scale)
            np.testing.assert_allclose(f, r, rtol=1e-3, atol=1e-3 * scale)


def test_fused_gradients_are_deterministic():
    rng = np.random.default_rng(0)
    x = jitgrad.tensor(rng.standard_normal((300, 500)).astype(np.float32), requires_grad=True)
    y = jitgrad.tensor(rng.standard_normal(500).astype(np.float32), requires_grad=True)
    seed = jitgrad.ones(300, 500)
    runs = []
    for _ in range(2):
        x.grad = y.grad = None
        (jitgrad.tanh(x * y + jitgrad.sin(x)) * jitgrad.exp(-x * x)).backward(seed)
        runs.append((x.grad.numpy().copy(), y.grad.numpy().copy()))
    for a, b in zip(runs[0], runs[1], strict=True):
        assert np.array_equal(a, b)


# ---- semantics around a group -------------------------------------------------------------
def _chain(x, y):
    a = x * y
    b = jitgrad.tanh(a)
    c = b * b + y
    return a, b, c


def test_hooks_and_retain_grad_see_the_unfused_gradients():
    seen = {}
    for fuse in (True, False):
        x = jitgrad.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
        y = jitgrad.tensor([1.5, -0.5], requires_grad=True)
        with jitgrad.fusion(fuse):
            a, b, c = _chain(x, y)
            got = []
            b.register_hook(lambda g, got=got: got.append(g.numpy().copy()))
            a.retain_grad()
            c.backward(jitgrad.ones(2, 2))
        seen[fuse] = (got[0], a.grad.numpy(), x.grad.numpy(), y.grad.numpy())
    for f, p in zip(seen[True], seen[False], strict=True):
        np.testing.assert_allclose(f, p, rtol=1e-6)


def test_inputs_autograd_grad_and_create_graph_match_unfused():
    out = {}
    for fuse in (True, False):
        x = jitgrad.tensor([0.3, -0.7, 1.1], requires_grad=True, dtype=jitgrad.float64)
        y = jitgrad.tensor([2.0, 0.5, -1.0], requires_grad=True, dtype=jitgrad.float64)
        with jitgrad.fusion(fuse):
            a, b, c = _chain(x, y)
            (gx,) = jitgrad.autograd.grad(
                c, [x], jitgrad.ones(3, dtype=jitgrad.float64), retain_graph=True
            )
            (gb,) = jitgrad.autograd.grad(
                c, [b], jitgrad.ones(3, dtype=jitgrad.float64), retain_graph=True
            )
            c.backward(jitgrad.ones(3, dtype=jitgrad.float64), inputs=[y], retain_graph=True)
            (gg,) = jitgrad.autograd.grad(
                c, [x], jitgrad.ones(3, dtype=jitgrad.float64), create_graph=True
            )
            (ggx,) = jitgrad.autograd.grad(gg, [x], jitgrad.ones(3, dtype=jitgrad.float64))
        assert x.grad is None
        out[fuse] = [gx.numpy(), gb.numpy(), y.grad.numpy(), gg.detach().numpy(), ggx.numpy()]
    for f, p in zip(out[True], out[False], strict=True):
        np.testing.assert_allclose(f, p, rtol=1e-12)


def test_version_error_is_raised_fused_as_unfused():
    msgs = []
    for fuse in (True, False):
        x = jitgrad.tensor([1.0, 2.0], requires_grad=True)
        with jitgrad.fusion(fuse):
            a = x * 2
            b = jitgrad.exp(a)
            c = b * 3
            b.add_(1)
            with pytest.raises(RuntimeError) as err:
                c.backward(jitgrad.ones(2))
        msgs.append(str(err.value))
    assert msgs[0] == msgs[1]
    assert "modified by an inplace operation" in msgs[0]


def test_freed_graph_error_and_anomaly_mode():
    x = jitgrad.tensor([1.0, 2.0], requires_grad=True)
    c = jitgrad.exp(x * 2) * 3
    c.backward(jitgrad.ones(2))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        c.backward(jitgrad.ones(2))
    with jitgrad.autograd.detect_anomaly():
        y = jitgrad.tensor([0.0, 1.0], requires_grad=True)
        z = jitgrad.sqrt(y * 1.0) * 2
        with pytest.raises(RuntimeError, match="returned nan values"):
            z.backward(jitgrad.tensor([1.0, float("nan")]))


def test_zero_size_and_scalar_groups():
    for shape in ((0, 3), ()):
        x = jitgrad.zeros(shape, requires_grad=True)
        y = jitgrad.tanh(x * 2 + 1) * x
        y.backward(jitgrad.ones(shape))
        expected = np.tanh(1.0) * np.ones(shape, np.float32)
        np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)


def test_broadcast_and_scalar_reduction_into_leaves():
    rng = np.random.default_rng(5)
    xv, yv, zv = rng.standard_normal((4, 5)), rng.standard_normal((1, 5)), rng.standard_normal(())
    x, y, z = (jitgrad.tensor(v, requires_grad=True) for v in (xv, yv, zv))
    out = jitgrad.sin(x * y) * z + y
    out.backward(jitgrad.ones(4, 5, dtype=jitgrad.float64))
    gx = np.cos(xv * yv) * yv * zv
    gy = (np.cos(xv * yv) * xv * zv).sum(0, keepdims=True) + 4
    gz = np.sin(xv * yv).sum()
    np.testing.assert_allclose(x.grad.numpy(), gx, rtol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), gy, rtol=1e-12)
    np.testing.assert_allclose(z.grad.numpy(), gz, rtol=1e-12)


def test_mixed_dtypes_in_one_group():
    x = jitgrad.tensor([0.5, 1.5], requires_grad=True)
    d = jitgrad.tensor([2.0, 3.0], dtype=jitgrad.float64, requires_grad=True)
    res = {}
    for fuse in (True, False):
        x.grad = d.grad = None
        with jitgrad.fusion(fuse):
            (jitgrad.exp(x * 2).double() * d + x).backward(jitgrad.ones(2, dtype=jitgrad.float64))
        assert x.grad.dtype == jitgrad.float32 and d.grad.dtype == jitgrad.float64
        res[fuse] = (x.grad.numpy(), d.grad.numpy())
    np.testing.assert_allclose(res[True][0], res[False][0], rtol=1e-6)
    np.testing.assert_allclose(res[True][1], res[False][1], rtol=1e-12)


# ---- golden plans -------------------------------------------------------------------------
def test_plan_chain_is_one_group():
    x = jitgrad.ones(3, requires_grad=True)
    y = jitgrad.exp(jitgrad.sin(x * 2) + 1)
    assert _groups(y) == [["ExpBackward0", "AddBackward0", "SinBackward0", "MulBackward0"]]


def test_plan_fan_out_inside_the_group_stays_fused():
    x = jitgrad.ones(3, requires_grad=True)
    a = x * 2
    y = jitgrad.sin(a) * jitgrad.cos(a)
    assert _groups(y) == [["MulBackward0", "CosBackward0", "SinBackward0", "MulBackward0"]]


def test_plan_hooks_split_groups():
    x = jitgrad.ones(3, requires_grad=True)
    a = x * 2
    b = jitgrad.sin(a)
    b.register_hook(lambda g: g)  # b's node becomes the root of its own group
    y = jitgrad.exp(b) * 3
    assert _groups(y) == [["MulBackward0", "ExpBackward0"], ["SinBackward0", "MulBackward0"]]
    a.grad_fn.register_hook(lambda gi, go: None)  # a node hook: that node runs alone
    assert _groups(y) == [["MulBackward0", "ExpBackward0"]]


def test_plan_external_consumer_and_cap():
    x = jitgrad.ones(2, 3, requires_grad=True)
    a = jitgrad.sin(x)
    y = (a * 2) + a.t().t() * 1.0  # a is also consumed by a movement op: a is its own root
    groups = _groups(y)
    assert ["SinBackward0"] not in groups
    assert all("SinBackward0" not in g[1:] for g in groups)
    z = x
    for _ in range(10):
        z = z * 1.0
    nodes = _graph_nodes(z)
    sizes = [len(g) for g in partition(nodes, dict.fromkeys(nodes, True), [z.grad_fn], 4)]
    assert sizes == [4, 4, 2]


def test_fusion_switch_is_context_manager_decorator_and_function():
    assert jitgrad.fusion.is_enabled()
    with jitgrad.fusion(False):
        assert not jitgrad.fusion.is_enabled()
    assert jitgrad.fusion.is_enabled()

    @jitgrad.fusion(False)
    def off():
        return jitgrad.fusion.is_enabled()

    assert jitgrad.fusion.is_enabled() and off() is False
    jitgrad.fusion(False)
    try:
        assert not jitgrad.fusion.is_enabled()
    finally:
        jitgrad.fusion(True)
    from jitgrad.fusion import codegen

    assert hasattr(codegen, "render_source") and callable(FB.plan)


def test_in_place_change_of_an_unsaved_operand_is_not_recomputed_from():
    # add saves nothing, so modifying c afterwards is legal; the fused kernel must read the
    # saved sum, not recompute it from the modified c.
    res = {}
    for fuse in (True, False):
        c = jitgrad.tensor([1.0, 2.0])
        w = jitgrad.tensor([0.5, -1.0], requires_grad=True)
        v = jitgrad.tensor([3.0, 4.0], requires_grad=True)
        with jitgrad.fusion(fuse):
            b = (c + w) * v
            c.add_(10)
            b.backward(jitgrad.ones(2))
        res[fuse] = (w.grad.numpy(), v.grad.numpy())
    np.testing.assert_array_equal(res[True][1], [1.5, 1.0])
    for f, p in zip(res[True], res[False], strict=True):
        np.testing.assert_array_equal(f, p)


@pytest.mark.parametrize("n", [1, 4095, 4096, 4097, 3 * 4096 + 5, 40000])
def test_blocked_scalar_reductions_across_block_edges(n):
    """A gradient reduced into one element sums block partials (4096 per block, serial and
    prange variants): exact to float32 rounding of a float64 sum at every block edge."""
    rng = np.random.default_rng(n)
    xs, ys = rng.standard_normal(n), rng.standard_normal(1)
    x = jitgrad.tensor(xs.astype(np.float32), requires_grad=True)
    y = jitgrad.tensor(ys.astype(np.float32), requires_grad=True)
    with jitgrad.fusion(True):
        (jitgrad.tanh(x * y) * 2.0).backward(jitgrad.ones(n))
    xs32, ys32 = xs.astype(np.float32).astype(np.float64), ys.astype(np.float32).astype(np.float64)
    expected = (2 * (1 - np.tanh(xs32 * ys32) ** 2) * xs32).sum()
    np.testing.assert_allclose(y.grad.numpy()[0], expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("retain", [False, True], ids=["replayable", "retain_grad"])
def test_a_fused_backward_keeps_no_tensor_alive(retain):
    """Nothing the fusion pass remembers (the kernels explain reports, replay programs) may
    hold on to a graph: its leaves and their gradients must die with the user's references."""
    import gc
    import weakref

    refs = []
    for _ in range(3):
        x = jitgrad.randn(1000, requires_grad=True)
        y = (x * 2 + 1).tanh()
        if retain:
            y.retain_grad()
        loss = (y * y).sum()
        loss.backward()
        assert "_gen_" in str(jitgrad.explain(loss))  # the kernel that ran is still reported
        refs.append((weakref.ref(x), weakref.ref(x.grad), weakref.ref(y)))
        del x, y, loss
    gc.collect()
    assert [r() for trio in refs for r in trio] == [None] * 9
