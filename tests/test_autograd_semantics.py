"""Autograd semantics: backward/grad arguments, accumulation, hooks, grad modes, in-place and
version counters, anomaly detection. Expected values are analytic; expected messages and call
orders are PyTorch's (read off torch 2.x; the *_recorded tests read them from
tests/fixtures/recorded_parity_torch.json).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from recorded_parity_cases import diamond_order, inplace_chain, recorded

import jitgrad as torch

FLOATS = [torch.float32, torch.float64]
FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


def leaf(values, dt=torch.float32):
    return torch.tensor(values, dtype=dt, requires_grad=True)


def message(exc_type, fn) -> str:
    with pytest.raises(exc_type) as e:
        fn()
    return str(e.value)


# ---- backward / grad arguments -------------------------------------------------------------
@pytest.mark.parametrize("dt", FLOATS)
def test_backward_with_gradient_is_a_vjp(dt) -> None:
    x = leaf([1.0, 2.0, 3.0], dt)
    y = x * x * 3
    v = torch.tensor([1.0, 0.5, -2.0], dtype=dt)
    y.backward(v)
    np.testing.assert_allclose(x.grad.tolist(), [6.0 * 1 * 1, 6.0 * 2 * 0.5, 6.0 * 3 * -2])
    assert x.grad.dtype is dt


def test_scalar_backward_and_sum_mean() -> None:
    x = leaf([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    x.grad = None
    (x * 3).mean().backward()
    np.testing.assert_allclose(x.grad.tolist(), [1.0, 1.0, 1.0])
    z = torch.tensor(3.0, requires_grad=True)
    (z * z).backward()
    assert z.grad.item() == 6.0 and z.grad.shape == ()


def test_empty_tensor_backward() -> None:
    e = torch.zeros(0, requires_grad=True)
    (e * 2).sum().backward()
    assert e.grad.shape == (0,)


def test_backward_errors_match_pytorch() -> None:
    x = leaf([1.0, 2.0])
    y = x * 2
    assert (
        message(RuntimeError, lambda: y.backward())
        == "grad can be implicitly created only for scalar outputs"
    )
    assert message(RuntimeError, lambda: y.backward(torch.ones(3))) == (
        "Mismatch in shape: grad_output[0] has a shape of jitgrad.Size([3]) and output[0] has a "
        "shape of jitgrad.Size([2])."
    )
    assert message(RuntimeError, lambda: torch.tensor(1.0).backward()) == (
        "element 0 of tensors does not require grad and does not have a grad_fn"
    )
    assert message(RuntimeError, lambda: torch.autograd.grad(y, x)) == (
        "grad can be implicitly created only for scalar outputs"
    )
    assert message(RuntimeError, lambda: y.backward(torch.ones(2), inputs=[])) == (
        "`inputs` argument to `backward()` cannot be empty."
    )


def test_second_backward_frees_saved_tensors_only() -> None:
    x = leaf([1.0, 2.0])
    y = x * x  # saves x
    y.backward(torch.ones(2))
    assert message(RuntimeError, lambda: y.backward(torch.ones(2))) == FREED
    e = x.exp()  # saves its result
    e.backward(torch.ones(2))
    assert message(RuntimeError, lambda: e.backward(torch.ones(2))) == FREED
    x.grad = None
    s = x + x  # saves nothing: PyTorch lets it run twice
    s.backward(torch.ones(2))
    s.backward(torch.ones(2))
    assert x.grad.tolist() == [4.0, 4.0]
    m = x * 3  # PyTorch saves the 3 as a wrapped-number tensor: freed too (2.13 checked,
    # tests/test_conformance17b.py::test_second_backward_after_a_saved_wrapped_number)
    m.backward(torch.ones(2))
    assert message(RuntimeError, lambda: m.backward(torch.ones(2))) == FREED
    assert x.grad.tolist() == [7.0, 7.0]


def test_retain_graph_and_accumulation() -> None:
    x = leaf([1.0, 2.0])
    y = x * x
    y.backward(torch.ones(2), retain_graph=True)
    y.backward(torch.ones(2))
    assert x.grad.tolist() == [4.0, 8.0]
    g = x.grad
    (x * 3).sum().backward()
    assert x.grad is g  # accumulated in place
    assert g.tolist() == [7.0, 11.0]
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0]


def test_autograd_backward_function() -> None:
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    torch.autograd.backward([a * b, a * 2], [torch.ones(2), torch.tensor([1.0, 10.0])])
    assert a.grad.tolist() == [5.0, 24.0] and b.grad.tolist() == [1.0, 2.0]
    c = leaf([1.0])
    torch.autograd.backward((c * c).sum())
    assert c.grad.tolist() == [2.0]


def test_backward_inputs_accumulates_only_into_those() -> None:
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a * b).sum().backward(inputs=[b])
    assert a.grad is None and b.grad.tolist() == [1.0, 2.0]
    (a * b).sum().backward(inputs=a)
    assert a.grad.tolist() == [3.0, 4.0] and b.grad.tolist() == [1.0, 2.0]


def test_autograd_grad_allow_unused_and_messages() -> None:
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    assert message(RuntimeError, lambda: torch.autograd.grad(x * 2, [x, w], torch.ones(2))) == (
        "The differentiated Tensor at index 1 appears to not have been used in the graph. Set "
        "allow_unused=True if this is the desired behavior."
    )
    gx, gw = torch.autograd.grad(x * 2, [x, w], torch.ones(2), allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gw is None
    gx, gw = torch.autograd.grad(x * 2, [x, w], torch.ones(2), materialize_grads=True)
    assert gw.tolist() == [0.0, 0.0]
    assert x.grad is None and w.grad is None  # grad() never accumulates
    assert message(RuntimeError, lambda: torch.autograd.grad((x * 2).sum(), torch.ones(1))) == (
        "One of the differentiated Tensors does not require grad"
    )


def test_autograd_grad_of_nonleaf_inputs() -> None:
    x = leaf([1.0, 2.0])
    m = x * 3
    gm, gx = torch.autograd.grad((m * m).sum(), [m, x])
    assert gm.tolist() == [6.0, 12.0] and gx.tolist() == [18.0, 36.0]


@pytest.mark.parametrize("dt", FLOATS)
def test_create_graph_to_third_order(dt) -> None:
    z = torch.tensor(2.0, dtype=dt, requires_grad=True)
    y = z**4
    (g1,) = torch.autograd.grad(y, z, create_graph=True)
    (g2,) = torch.autograd.grad(g1, z, create_graph=True)
    (g3,) = torch.autograd.grad(g2, z)
    assert (g1.item(), g2.item(), g3.item()) == (32.0, 48.0, 48.0)
    assert g1.requires_grad and not g3.requires_grad
    x = torch.tensor([0.5, 1.5], dtype=dt, requires_grad=True)
    (gx,) = torch.autograd.grad((x.sin() * x).sum(), x, create_graph=True)
    gx.sum().backward()  # d/dx (sin x + x cos x) = 2 cos x - x sin x
    expect = [2 * math.cos(v) - v * math.sin(v) for v in (0.5, 1.5)]
    np.testing.assert_allclose(x.grad.tolist(), expect, rtol=1e-6)


def test_backward_create_graph_warns_and_grad_is_differentiable() -> None:
    p = leaf([1.0, 2.0])
    with pytest.warns(UserWarning, match="Using backward\\(\\) with create_graph=True"):
        (p * p).sum().backward(create_graph=True)
    assert p.grad.tolist() == [2.0, 4.0] and p.grad.requires_grad


# ---- retain_grad and hooks -------------------------------------------------------------------
def test_retain_grad() -> None:
    x = leaf([1.0, 2.0])
    h = x * 2
    h.retain_grad()
    assert h.retains_grad and not x.retains_grad
    (h * h).backward(torch.ones(2))
    assert h.grad.tolist() == [4.0, 8.0] and x.grad.tolist() == [8.0, 16.0]
    x.retain_grad()  # no-op on a leaf
    assert message(RuntimeError, lambda: torch.tensor([1.0]).retain_grad()) == (
        "can't retain_grad on Tensor that has requires_grad=False"
    )


def test_retain_grad_sees_hooked_gradient_in_registration_order() -> None:
    r = leaf([1.0, 2.0])
    s = r * 2
    s.retain_grad()
    s.register_hook(lambda g: g * 100)
    (s * s).sum().backward()
    assert s.grad.tolist() == [400.0, 800.0] and r.grad.tolist() == [800.0, 1600.0]
    r2 = leaf([1.0, 2.0])
    s = r2 * 2
    s.register_hook(lambda g: g * 100)
    s.retain_grad()
    (s * s).sum().backward()
    assert s.grad.tolist() == [400.0, 800.0]


def test_tensor_and_node_hooks_order_and_replacement() -> None:
    x = leaf([1.0, 2.0])
    order: list = []
    handle = x.register_hook(lambda g: order.append(("leaf", g.tolist())) or g * 10)
    x.register_hook(lambda g: order.append(("leaf2", g.tolist())))
    x.register_post_accumulate_grad_hook(lambda t: order.append(("post", t.grad.tolist())))
    m = x * 2
    m.register_hook(lambda g: order.append(("m", g.tolist())))
    m.grad_fn.register_prehook(lambda go: order.append(("pre", go[0].tolist())))
    m.grad_fn.register_hook(lambda gi, go: order.append(("node", gi[0].tolist(), go[0].tolist())))
    m.backward(torch.ones(2))
    assert order == [
        ("m", [1.0, 1.0]),
        ("pre", [1.0, 1.0]),
        ("node", [2.0, 2.0], [1.0, 1.0]),
        ("leaf", [2.0, 2.0]),
        ("leaf2", [20.0, 20.0]),
        ("post", [20.0, 20.0]),
    ]
    assert x.grad.tolist() == [20.0, 20.0]
    handle.remove()
    order.clear()
    x.grad = None
    (x * 2).backward(torch.ones(2))
    assert order == [("leaf2", [2.0, 2.0]), ("post", [2.0, 2.0])]
    assert x.grad.tolist() == [2.0, 2.0]


def test_leaf_hook_runs_before_each_accumulation() -> None:
    q = leaf([1.0, 2.0])
    q.register_hook(lambda g: g * 2)
    (q * 3).sum().backward()
    (q * 3).sum().backward()
    assert q.grad.tolist() == [12.0, 12.0]


def test_node_hook_can_replace_grad_inputs() -> None:
    r = leaf([1.0, 2.0])
    s = r * 2
    s.grad_fn.register_hook(lambda gi, go: (gi[0] * 0 + 7, *gi[1:]))
    s.sum().backward()
    assert r.grad.tolist() == [7.0, 7.0]


def test_hook_errors() -> None:
    assert message(RuntimeError, lambda: torch.tensor([1.0]).register_hook(lambda g: g)) == (
        "cannot register a hook on a tensor that doesn't require gradient"
    )


def test_diamond_hook_order_matches_pytorch() -> None:
    expected = ["e", "pree", "d", "pred", "c", "prec", "b", "preb", "a"]
    assert diamond_order(torch) == expected


def test_diamond_hook_order_recorded() -> None:
    assert diamond_order(torch) == recorded("diamond_order")


# ---- grad modes ----------------------------------------------------------------------------
def test_grad_modes() -> None:
    x = leaf([1.0, 2.0])
    with torch.no_grad():
        assert not (x * 2).requires_grad and not torch.is_grad_enabled()
        with torch.enable_grad():
            assert (x * 2).requires_grad
    assert torch.is_grad_enabled()

    @torch.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad

    @torch.enable_grad()
    def triple(t):
        return t * 3

    with torch.no_grad():
        assert triple(x).requires_grad
    torch.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    torch.set_grad_enabled(True)
    with torch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert torch.is_grad_enabled()

    @torch.set_grad_enabled(False)
    def quad(t):
        return t * 4

    assert torch.is_grad_enabled() and not quad(x).requires_grad
    with torch.inference_mode():
        assert not (x * 2).requires_grad and torch.is_inference_mode_enabled()
    assert not torch.is_inference_mode_enabled()


# ---- in-place and version counters ---------------------------------------------------------
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."


@pytest.mark.parametrize(
    "op",
    [
        lambda t: t.add_(1),
        lambda t: t.mul_(2),
        lambda t: t.zero_(),
        lambda t: t.fill_(1),
        lambda t: t.copy_(torch.ones(2)),
        lambda t: t.exp_(),
        lambda t: t.uniform_(),
    ],
)
def test_inplace_on_leaf_refused(op) -> None:
    x = leaf([1.0, 2.0])
    assert message(RuntimeError, lambda: op(x)) == LEAF_INPLACE
    with torch.no_grad():
        op(x)  # allowed, and bumps the version
    assert x._version == 1 and x.requires_grad and x.is_leaf


@pytest.mark.parametrize(
    "name, op, node, value, grad",
    [
        ("add_", lambda t: t.add_(1), "AddBackward0", [2.0, 3.0, 4.0], [1.0, 1.0, 1.0]),
        ("sub_", lambda t: t.sub_(1), "SubBackward0", [0.0, 1.0, 2.0], [1.0, 1.0, 1.0]),
        ("mul_", lambda t: t.mul_(2), "MulBackward0", [2.0, 4.0, 6.0], [2.0, 2.0, 2.0]),
        ("div_", lambda t: t.div_(2), "DivBackward0", [0.5, 1.0, 1.5], [0.5, 0.5, 0.5]),
        ("pow_", lambda t: t.pow_(2), "PowBackward0", [1.0, 4.0, 9.0], [2.0, 4.0, 6.0]),
        ("zero_", lambda t: t.zero_(), "ZeroBackward0", [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]),
        ("fill_", lambda t: t.fill_(3), "FillBackward2", [3.0, 3.0, 3.0], [0.0, 0.0, 0.0]),
        (
            "copy_",
            lambda t: t.copy_(torch.tensor([5.0, 6.0, 7.0])),
            "torch::autograd::CopyBackwards",
            [5.0, 6.0, 7.0],
            [0.0, 0.0, 0.0],
        ),
    ],
)
def test_inplace_on_nonleaf_rebases_history(name, op, node, value, grad) -> None:
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1
    assert op(y) is y
    assert y.grad_fn.name() == node and y._version == 1
    assert y.tolist() == value
    y.sum().backward()
    assert x.grad.tolist() == grad


def test_modified_saved_tensor_raises_at_backward() -> None:
    x = leaf([1.0, 2.0])
    s = x.exp()
    t = s * 2
    s.add_(1)  # exp saved its result
    assert s._version == 1 and s.grad_fn.name() == "AddBackward0"
    assert message(RuntimeError, lambda: t.backward(torch.ones(2))) == (
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [2]], which is output 0 of Exp, is at version 1; "
        f"expected version 0 instead. {HINT}"
    )
    s = x * 1
    t = s * s
    s.add_(1)
    assert message(RuntimeError, lambda: t.backward(torch.ones(2))) == (
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [2]], which is output 0 of Add, is at version 1; "
        f"expected version 0 instead. {HINT}"
    )


def test_inplace_not_saved_is_fine() -> None:
    x = leaf([1.0, 2.0])
    s = x * 2
    t = s + 1  # add saves nothing
    s.mul_(3)
    t.backward(torch.ones(2))
    assert x.grad.tolist() == [2.0, 2.0]


def test_inplace_matches_torch_recorded() -> None:
    ours, theirs = inplace_chain(torch), recorded("inplace_chain")
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    assert ours[1:] == theirs[1:]


# ---- anomaly detection -----------------------------------------------------------------------
def test_detect_anomaly_names_node_and_warns_with_forward_trace() -> None:
    x = leaf([-1.0, 1.0])
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        ctx = torch.autograd.detect_anomaly()
    with ctx:
        y = x.sqrt()  # the forward line the warning must show
        with pytest.warns(UserWarning) as rec:
            msg = message(RuntimeError, lambda: y.backward(torch.ones(2)))
    assert msg == "Function 'SqrtBackward0' returned nan values in its 0th output."
    text = str(rec[-1].message)
    assert text.startswith("Error detected in SqrtBackward0. Traceback of forward call")
    assert "y = x.sqrt()" in text
    assert not torch.autograd.is_anomaly_enabled()


def test_set_detect_anomaly_function_and_context() -> None:
    x = leaf([-1.0])
    torch.autograd.set_detect_anomaly(True)
    try:
        assert torch.autograd.is_anomaly_enabled()
        y = x.sqrt()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError, match="returned nan values in its 0th output"):
                y.backward(torch.ones(1))
    finally:
        torch.autograd.set_detect_anomaly(False)
    assert not torch.autograd.is_anomaly_enabled()
    y = x.sqrt()
    y.backward(torch.ones(1))  # without anomaly mode NaN passes silently, as in PyTorch
    assert math.isnan(x.grad.item())


def test_backward_inputs_nonleaf_and_grad_argument_rules() -> None:
    x = leaf([1.0, 2.0])
    m = x * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (m * m).sum().backward(inputs=[m])
    assert m.grad.tolist() == [6.0, 12.0] and x.grad is None
    a = leaf([1.0, 2.0])
    (a * 2).backward(torch.tensor([1, 1]))  # real gradients are cast to the output's dtype
    assert a.grad.tolist() == [2.0, 2.0] and a.grad.dtype is torch.float32
    outs = [(a * a).sum(), (a * 3).sum()]
    assert message(RuntimeError, lambda: torch.autograd.grad(outs, a, [torch.tensor(1.0)])) == (
        "got 2 tensors and 1 gradients"
    )
    assert message(RuntimeError, lambda: torch.autograd.backward(outs, [torch.tensor(1.0)])) == (
        "got 2 tensors and 1 gradients"
    )
    (g,) = torch.autograd.grad(outs, a)
    assert g.tolist() == [5.0, 7.0]
