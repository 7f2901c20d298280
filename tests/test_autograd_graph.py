"""``torch.autograd.graph`` (saved-tensor hooks, Node API, multi-grad hooks, ``_saved_*``),
``autograd.functional.vhp``/``hvp`` and the minimal profiler.

Expected values and messages written as literals below were printed by real PyTorch 2.13
(/tmp/torchenv) for the same program; the rest follow from formulas (finite differences).
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.autograd.functional import hvp, vhp


def _cube(x):
    return (x**3).sum()


@pytest.mark.parametrize("fn", [vhp, hvp])
def test_second_order_products_match_torch(fn):
    # PyTorch 2.13: vhp/hvp(lambda x: (x**3).sum(), [1., 2.], ones) == (9., [6., 12.])
    out, prod = fn(_cube, torch.tensor([1.0, 2.0]), torch.ones(2))
    assert out.item() == 9.0
    assert prod.tolist() == [6.0, 12.0]
    assert prod.grad_fn is None and not prod.requires_grad
    out, prods = fn(
        lambda a, b: (a * b * b).sum(),
        (torch.tensor([1.0, 2.0]), torch.tensor([2.0, 3.0])),
        (torch.ones(2), torch.ones(2)),
    )
    assert out.item() == 22.0
    assert [p.tolist() for p in prods] == [[4.0, 6.0], [6.0, 10.0]]


@pytest.mark.parametrize("fn", [vhp, hvp])
def test_second_order_products_finite_differences(fn):
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(4)
    v = rng.standard_normal(4)

    def f(x):
        return (x.sin() * x.exp() + x * x * x.sum()).sum()

    def grad_at(x):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        return torch.autograd.grad(f(xt), xt)[0].numpy()

    eps = 1e-6
    fd = (grad_at(x0 + eps * v) - grad_at(x0 - eps * v)) / (2 * eps)
    _, prod = fn(f, torch.tensor(x0, dtype=torch.float64), torch.tensor(v, dtype=torch.float64))
    np.testing.assert_allclose(prod.numpy(), fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("fn", [vhp, hvp])
def test_second_order_products_errors_match_torch(fn):
    x = torch.tensor([1.0, 2.0])
    name = fn.__name__
    with pytest.raises(
        RuntimeError,
        match=f"^The Tensor returned by the function given to {name} "
        "should contain a single element$",
    ):
        fn(lambda x: x * 2, x, torch.ones(2))
    with pytest.raises(
        RuntimeError,
        match=r"^The vector v can only be None if the input to the "
        r"user-provided function is a single Tensor with a single element\.$",
    ):
        fn(_cube, x)
    with pytest.raises(
        RuntimeError,
        match=r"^v has invalid size: should be torch\.Size\(\[2\]\) "
        r"but got torch\.Size\(\[3\]\)\.$",
    ):
        fn(lambda x: x.sum(), x, torch.ones(3))
    out, prod = fn(_cube, torch.ones(1))
    assert prod.tolist() == [6.0]


def test_second_order_create_graph_and_linear():
    out, prod = vhp(_cube, torch.tensor([1.0, 2.0]), torch.ones(2), create_graph=True)
    assert out.grad_fn is not None and prod.grad_fn is not None
    _, prod = hvp(lambda x: (x * 2).sum(), torch.tensor([1.0, 2.0]), torch.ones(2))
    assert prod.tolist() == [0.0, 0.0]


# --- saved_tensors_hooks --------------------------------------------------------------------
def _logging_hooks(log):
    def pack(t):
        log.append(("pack", t.tolist()))
        return ("P", t.tolist())

    def unpack(p):
        log.append(("unpack", p[1]))
        return torch.tensor(p[1])

    return torch.autograd.graph.saved_tensors_hooks(pack, unpack)


def test_saved_tensors_hooks_call_order_matches_torch():
    # The event sequence and gradients below were printed by PyTorch 2.13 for this program.
    log = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0], requires_grad=True)
    with _logging_hooks(log):
        z = x * y
        log.append("mul")
        e = z.exp()
        log.append("exp")
        s = (e + x * 2).sum()
    log.append("forward")
    assert z.grad_fn._saved_self.tolist() == [1.0, 2.0]
    log.append("read")
    s.backward()
    e3, e8 = float(np.float32(np.exp(3.0))), float(np.float32(np.exp(8.0)))
    assert log == [
        ("pack", [3.0, 4.0]),
        ("pack", [1.0, 2.0]),
        "mul",
        ("pack", [e3, e8]),
        "exp",
        "forward",
        ("unpack", [1.0, 2.0]),
        "read",
        ("unpack", [e3, e8]),
        ("unpack", [3.0, 4.0]),
        ("unpack", [1.0, 2.0]),
    ]
    np.testing.assert_allclose(x.grad.numpy(), [62.2566, 11925.832], rtol=1e-5)
    np.testing.assert_allclose(y.grad.numpy(), [20.0855, 5961.916], rtol=1e-5)


def test_unpacked_values_are_what_backward_reads():
    # PyTorch 2.13: unpack doubling the saved tensors makes d(x*x)/dx = 4x -> [4., 8.]
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t * 2):
        (x * x).sum().backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_saved_tensors_hooks_innermost_and_scope():
    seen = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    outer = torch.autograd.graph.saved_tensors_hooks(lambda t: seen.append("outer") or t, id)
    inner = torch.autograd.graph.saved_tensors_hooks(lambda t: seen.append("inner") or t, id)
    with outer, inner:
        x * x
    assert seen == ["inner", "inner"]
    seen.clear()
    with outer:
        x + x  # saves nothing
        torch.ones(2) * torch.ones(2)  # records nothing
    (x * x).sum()  # outside every context
    assert seen == []


def test_unpack_must_return_tensor():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: None):
        z = x.sin()
    with pytest.raises(
        TypeError,
        match="^Output of saved tensor unpack_hook expected to be a "
        "Tensor but got result of type NoneType$",
    ):
        z.sum().backward()


def test_save_on_cpu_and_disable():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0], requires_grad=True)
    with torch.autograd.graph.save_on_cpu():
        z = x * y
    z.sum().backward()
    assert x.grad.tolist() == [3.0, 4.0]
    with torch.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="^no hooks here$"):
            with torch.autograd.graph.saved_tensors_hooks(id, id):
                pass


def test_saved_tensors_hooks_custom_function_and_result_nodes():
    # Event order printed by PyTorch 2.13 (pack at save, unpack when backward reads).
    log = []

    class Sq(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * x
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            log.append(("bw", x.tolist(), y.tolist()))
            return g * 2 * x

    def pack(t):
        log.append(("p", t.tolist()))
        return t * 1

    def unpack(t):
        log.append(("u", t.tolist()))
        return t * 3

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        s = torch.softmax(Sq.apply(x), 0)
        m = x.view(1, 2) @ x.view(2, 1)
    (s[1] + m.sum()).backward()
    sm = [float(v) for v in np.float32([np.exp(-3.0), 1.0]) / np.float32(1 + np.exp(-3.0))]
    assert [e[0] for e in log] == ["p", "p", "p", "p", "p", "u", "u", "u", "u", "u", "bw"]
    assert log[-1] == ("bw", [3.0, 6.0], [3.0, 12.0])
    np.testing.assert_allclose(log[2][1], sm, rtol=1e-6)
    assert log[3][1] == [[1.0], [2.0]] and log[4][1] == [[1.0, 2.0]]  # mm: mat2, then self


# --- grad_fn._saved_* -------------------------------------------------------------------------
def _show(v):
    if not isinstance(v, torch.Tensor):
        return v
    fn = v.grad_fn.name() if v.grad_fn is not None else None
    return v.tolist(), str(v.dtype).split(".")[1], v.requires_grad, fn


X = [1.0, 2.0]
Y = [3.0, 4.0]
# (expression, node, {attribute: value}) as PyTorch 2.13 printed them (float32 results).
SAVED = [
    (
        "x*y",
        "MulBackward0",
        {"_saved_self": (X, "float32", True, None), "_saved_other": (Y, "float32", True, None)},
    ),
    ("x*2", "MulBackward0", {"_saved_self": None, "_saved_other": (2, "int64", False, None)}),
    (
        "x*y.detach()",
        "MulBackward0",
        {"_saved_self": None, "_saved_other": (Y, "float32", False, None)},
    ),
    (
        "x/y",
        "DivBackward0",
        {"_saved_self": (X, "float32", True, None), "_saved_other": (Y, "float32", True, None)},
    ),
    ("x**2", "PowBackward0", {"_saved_self": (X, "float32", True, None), "_saved_exponent": 2}),
    (
        "x**y",
        "PowBackward1",
        {
            "_saved_self": (X, "float32", True, None),
            "_saved_exponent": (Y, "float32", True, None),
            "_saved_result": ([1.0, 16.0], "float32", True, "PowBackward1"),
        },
    ),
    (
        "x.exp()",
        "ExpBackward0",
        {
            "_saved_result": (
                [2.7182817459106445, 7.389056205749512],
                "float32",
                True,
                "ExpBackward0",
            )
        },
    ),
    ("x.sin()", "SinBackward0", {"_saved_self": (X, "float32", True, None)}),
    ("x.log()", "LogBackward0", {"_saved_self": (X, "float32", True, None)}),
    (
        "x.tanh()",
        "TanhBackward0",
        {
            "_saved_result": (
                [0.7615941762924194, 0.9640275835990906],
                "float32",
                True,
                "TanhBackward0",
            )
        },
    ),
    (
        "x.sqrt()",
        "SqrtBackward0",
        {"_saved_result": ([1.0, 1.4142135381698608], "float32", True, "SqrtBackward0")},
    ),
]


@pytest.mark.parametrize(("expr", "node", "attrs"), SAVED, ids=[s[0] for s in SAVED])
def test_saved_attributes_match_torch(expr, node, attrs):
    x = torch.tensor(X, requires_grad=True)
    y = torch.tensor(Y, requires_grad=True)
    fn = eval(expr, {"x": x, "y": y}).grad_fn
    assert fn.name() == node
    assert {a: _show(getattr(fn, a)) for a in attrs} == attrs


def test_saved_attributes_identity_freed_and_missing():
    x = torch.tensor(X, requires_grad=True)
    z = x.exp()
    assert z.grad_fn._saved_result is not z and z.grad_fn._saved_result.equal(z)
    z.sum().backward()
    with pytest.raises(
        RuntimeError,
        match=r"^Trying to backward through the graph a second "
        r"time \(or directly access saved tensors after they have already been "
        r"freed\)\. Saved intermediate values",
    ):
        _ = z.grad_fn._saved_result
    with pytest.raises(
        AttributeError, match="^'MulBackward0' object has no attribute '_saved_foo'$"
    ):
        _ = (x * x).grad_fn._saved_foo


# --- register_multi_grad_hook -----------------------------------------------------------------
def test_multi_grad_hook_matches_torch():
    # The list below is what PyTorch 2.13 recorded for the same calls.
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0], requires_grad=True)
    c = torch.tensor([5.0], requires_grad=True)
    out = []

    def every(gs):
        out.append([None if g is None else g.tolist() for g in gs])

    h = torch.autograd.graph.register_multi_grad_hook((a, b, c), every)
    (a * 2).sum().backward()
    (a * b).sum().backward()
    (a.sum() * b * c).sum().backward()
    h.remove()
    (a * b).sum().backward()
    assert out == [
        [[2.0, 2.0], None, None],
        [[3.0, 3.0], [3.0], None],
        [[15.0, 15.0], [15.0], [9.0]],
    ]
    out.clear()
    u = a * 2
    v = u * b
    torch.autograd.graph.register_multi_grad_hook(
        (u, v), lambda g: out.append(("any", g.tolist())), mode="any"
    )
    torch.autograd.graph.register_multi_grad_hook((u, v), every)
    (v * v).sum().backward()
    assert out == [("any", [12.0, 24.0]), [[36.0, 72.0], [12.0, 24.0]]]
    with pytest.raises(ValueError, match=r"^Expects mode to be one of \('all', 'any'\) but got x$"):
        torch.autograd.graph.register_multi_grad_hook((a,), print, mode="x")


def test_node_api():
    x = torch.tensor(X, requires_grad=True)
    z = x * 2
    fn = z.grad_fn
    assert isinstance(fn, torch.autograd.graph.Node)
    assert fn.name() == "MulBackward0"
    fn.metadata["k"] = 1
    assert fn.metadata == {"k": 1}
    seen = []
    fn.register_prehook(lambda go: seen.append("pre"))
    fn.register_hook(lambda gi, go: seen.append("post"))
    z.sum().backward()
    assert seen == ["pre", "post"]


# --- profiler -------------------------------------------------------------------------------
def test_profiler_records_ops_backward_and_ranges():
    x = torch.rand(16, requires_grad=True)
    y = torch.rand(16, requires_grad=True)
    plain_mul = torch.Tensor.__mul__
    with torch.autograd.profiler.profile() as prof:
        with torch.autograd.profiler.record_function("my_block"):
            z = (x * y).sum()
        z.backward()
    assert torch.Tensor.__mul__ is plain_mul  # unwrapped on leaving
    (x * y).sum()  # outside: not recorded
    names = [e.key for e in prof.key_averages()]
    assert {"my_block", "aten::mul", "aten::sum"} <= set(names)
    assert "autograd::engine::evaluate_function: SumBackward0" in names
    counts = {e.key: e.count for e in prof.key_averages()}
    assert counts["aten::mul"] == 1 and counts["my_block"] == 1
    block = next(e for e in prof.function_events if e.name == "my_block")
    assert {c.name for c in block.cpu_children} == {"aten::mul", "aten::sum"}
    inner = sum(c.cpu_time_total for c in block.cpu_children)
    assert block.self_cpu_time_total == pytest.approx(block.cpu_time_total - inner)
    assert 0 < inner <= block.cpu_time_total


def test_profiler_table_has_torch_columns():
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        with torch.profiler.record_function("step"):
            torch.ones(4).sum()
    lines = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=2).splitlines()
    # PyTorch 2.13's header line for a CPU-only profile, columns right-aligned, 2 spaces apart
    assert lines[1].split() == [
        "Name", "Self", "CPU", "%", "Self", "CPU", "CPU", "total", "%", "CPU", "total",
        "CPU", "time", "avg", "#", "of", "Calls",
    ]  # fmt: skip
    assert set(lines[0]) == {"-", " "} and lines[0] == lines[2] == lines[5]
    assert len(lines) == 7 and lines[6].startswith("Self CPU time total: ")
    assert lines[6].endswith(("us", "ms", "s"))
    rows = prof.key_averages()
    top = max(rows, key=lambda e: e.self_cpu_time_total)
    assert lines[3].split()[0] == top.key


def test_profiler_nested_and_record_function_outside():
    with torch.autograd.profiler.record_function("nothing open"):
        torch.ones(2).sum()  # no profile: no error, nothing recorded
    plain_sum = torch.Tensor.sum
    with torch.autograd.profiler.profile() as outer:
        with torch.autograd.profiler.profile() as inner:  # PyTorch 2.13 allows nesting too
            torch.ones(2).sum()
        torch.ones(2).sum()
    assert torch.Tensor.sum is plain_sum
    assert [e.count for e in inner.key_averages() if e.key == "aten::sum"] == [1]
    assert [e.count for e in outer.key_averages() if e.key == "aten::sum"] == [2]


def test_saved_tensors_hooks_are_per_thread():
    import threading

    packed = []
    x = torch.tensor(X, requires_grad=True)
    inside, done = threading.Event(), threading.Event()

    def other():
        inside.wait()
        (x * x).sum().backward()  # another thread: its ops save plainly
        done.set()

    worker = threading.Thread(target=other)
    worker.start()
    with torch.autograd.graph.saved_tensors_hooks(lambda t: packed.append(t) or t, lambda t: t):
        inside.set()
        done.wait(timeout=120)
        assert packed == []
        x.sin()
    worker.join()
    assert len(packed) == 1 and x.grad.tolist() == [2.0, 4.0]


# (in-place code, b.grad, a.grad) printed by PyTorch 2.13 for
# a = [1., 2.] (requires grad); b = a * 2; b.retain_grad(); <code>; (b * b).sum().backward()
RETAINED = [
    ("b.mul_(3)", [12.0, 24.0], [72.0, 144.0]),
    ("b[0] = 5.0", [10.0, 8.0], [0.0, 16.0]),
    ("b.masked_fill_(b > 2, 0.0)", [4.0, 0.0], [8.0, 0.0]),
    ("b.unsqueeze_(0)", [4.0, 8.0], [8.0, 16.0]),  # PyTorch keeps the old node's gradient
    ("b.add_(1); b.exp_()", [40.17107391357422, 296.8263244628906], [1613.7152, 88105.867]),
]


@pytest.mark.parametrize(("code", "b_grad", "a_grad"), RETAINED, ids=[r[0] for r in RETAINED])
def test_retain_grad_follows_inplace_ops(code, b_grad, a_grad):
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    b.retain_grad()
    exec(code)
    (b * b).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), b_grad, rtol=1e-6)
    np.testing.assert_allclose(a.grad.numpy(), a_grad, rtol=1e-6)
