"""Focused tests for what the corpus programs added in session 4 found broken in jitgrad.

* ``y = conv(x); y += r; relu(y).backward()`` (a ResNet block's ``Y += X``): the in-place
  add's node was fused into the ReLU's backward group, which recomputed the add's result from
  its first operand's buffer after the add had overwritten it (r counted twice).
* ``torch.nn.grad.conv1d_input``/``conv1d_weight``/``conv2d_input``/``conv2d_weight`` were
  missing (PyTorch's "fusing convolution and batch norm" tutorial calls them).

Expected values come from formulas (the ReLU mask) or from a NumPy loop written here (the
convolution gradients), never from the code under test; error texts are PyTorch 2.13's.
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch

F = torch.nn.functional


def _producers():
    w = torch.tensor(np.eye(3).reshape(3, 3, 1, 1) * 1.5)
    return {
        "conv2d": lambda x: F.conv2d(x, w),
        "layer_norm": lambda x: F.layer_norm(x, (4,)),
        "batch_norm": lambda x: F.batch_norm(
            x,
            torch.zeros(3, dtype=torch.float64),
            torch.ones(3, dtype=torch.float64),
            training=True,
        ),  # fmt: skip
    }


@pytest.mark.parametrize("producer", ["conv2d", "layer_norm", "batch_norm"])
def test_inplace_add_on_an_op_output_then_relu_backward(producer: str) -> None:
    rng = np.random.default_rng(0)
    make = _producers()[producer]
    x = torch.tensor(rng.standard_normal((2, 3, 4, 4)), requires_grad=True)
    r = torch.tensor(rng.standard_normal((2, 3, 4, 4)), requires_grad=True)
    y = make(x)
    y += r
    assert y.grad_fn.name() == "AddBackward0"
    out = F.relu(y)
    out.sum().backward()
    # d relu(y) / d r is the mask of the (final) y
    np.testing.assert_array_equal(r.grad.numpy(), (y.detach().numpy() > 0).astype(np.float64))
    grad_inplace = x.grad.numpy().copy()
    x.grad = None
    F.relu(make(x) + r).sum().backward()
    np.testing.assert_allclose(grad_inplace, x.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_inplace_add_after_the_same_graph_out_of_place_replays_correctly() -> None:
    """Same structure and shapes, ``y + r`` then ``y += r``: the replay cache must not give
    the in-place graph the out-of-place graph's fusion groups (nor the other way round)."""
    rng = np.random.default_rng(5)
    w = torch.tensor(np.eye(3).reshape(3, 3, 1, 1))
    x = torch.tensor(rng.standard_normal((2, 3, 4, 4)), requires_grad=True)
    r = torch.tensor(rng.standard_normal((2, 3, 4, 4)), requires_grad=True)
    for inplace in (False, True, False, True):
        r.grad = None
        y = F.conv2d(x, w)
        if inplace:
            y += r
        else:
            y = y + r
        F.relu(y).sum().backward()
        mask = (y.detach().numpy() > 0).astype(np.float64)
        np.testing.assert_array_equal(r.grad.numpy(), mask)


def test_inplace_mul_that_reads_its_input_then_relu_backward() -> None:
    """``mul_`` keeps a copy of the operand (its rule reads it); the fused group reads that."""
    rng = np.random.default_rng(1)
    x = torch.tensor(rng.standard_normal((3, 8)), requires_grad=True)
    s = torch.tensor(rng.standard_normal((3, 8)), requires_grad=True)
    y = F.layer_norm(x, (8,))
    y0 = y.detach().numpy().copy()
    y *= s
    F.relu(y).sum().backward()
    mask = (y0 * s.detach().numpy() > 0).astype(np.float64)
    np.testing.assert_allclose(s.grad.numpy(), mask * y0, rtol=1e-12, atol=1e-12)


# ---- torch.nn.grad --------------------------------------------------------------------------
def _conv_grads_reference(x, w, go, stride, padding, dilation, groups):
    """Input and weight gradients of an N-d cross-correlation, by loops over NumPy arrays."""
    nd = x.ndim - 2
    pad = [(0, 0), (0, 0)] + [(padding, padding)] * nd
    xp = np.pad(x, pad)
    gxp = np.zeros_like(xp)
    gw = np.zeros_like(w)
    cout, cin_g = w.shape[:2]
    cout_g = cout // groups
    for n in range(x.shape[0]):
        for o in range(cout):
            g0 = (o // cout_g) * cin_g
            for opos in np.ndindex(*go.shape[2:]):
                for kpos in np.ndindex(*w.shape[2:]):
                    ipos = tuple(p * stride + k * dilation for p, k in zip(opos, kpos))
                    for c in range(cin_g):
                        v = go[(n, o) + opos]
                        gw[(o, c) + kpos] += v * xp[(n, g0 + c) + ipos]
                        gxp[(n, g0 + c) + ipos] += v * w[(o, c) + kpos]
    inner = tuple(slice(padding, padding + s) for s in x.shape[2:])
    return gxp[(slice(None), slice(None)) + inner], gw


@pytest.mark.parametrize(
    "shape_x, shape_w, stride, padding, dilation, groups",
    [
        ((2, 4, 7, 6), (6, 2, 3, 2), 2, 1, 1, 2),
        ((1, 2, 5, 5), (3, 2, 2, 2), 1, 0, 2, 1),
        ((2, 3, 9), (4, 3, 3), 1, 2, 2, 1),
        ((1, 4, 8), (2, 2, 3), 3, 1, 1, 2),
    ],
)
def test_nn_grad_conv_input_and_weight(shape_x, shape_w, stride, padding, dilation, groups):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape_x)
    w = rng.standard_normal(shape_w)
    nd = len(shape_x) - 2
    out_sp = [
        (s + 2 * padding - dilation * (k - 1) - 1) // stride + 1
        for s, k in zip(shape_x[2:], shape_w[2:])
    ]
    go = rng.standard_normal((shape_x[0], shape_w[0], *out_sp))
    want_x, want_w = _conv_grads_reference(x, w, go, stride, padding, dilation, groups)
    conv_input = getattr(torch.nn.grad, f"conv{nd}d_input")
    conv_weight = getattr(torch.nn.grad, f"conv{nd}d_weight")
    args = (stride, padding, dilation, groups)
    gx = conv_input(shape_x, torch.tensor(w), torch.tensor(go), *args)
    gw = conv_weight(torch.tensor(x), shape_w, torch.tensor(go), *args)
    assert tuple(gx.shape) == shape_x and tuple(gw.shape) == shape_w
    assert not gx.requires_grad and gx.grad_fn is None
    np.testing.assert_allclose(gx.numpy(), want_x, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gw.numpy(), want_w, rtol=1e-10, atol=1e-10)


def test_nn_grad_weight_is_differentiable_in_the_input() -> None:
    x = torch.rand(1, 2, 4, 4, requires_grad=True)
    gw = torch.nn.grad.conv2d_weight(x, (3, 2, 3, 3), torch.ones(1, 3, 2, 2))
    assert gw.requires_grad  # PyTorch 2.13: grad_fn=<ConvolutionBackwardBackward0>
    # every weight element sees the sum of a 2x2 window of x for each output channel
    want = torch.stack(
        [x[0, :, i : i + 2, j : j + 2].sum((1, 2)) for i in range(3) for j in range(3)]
    )
    np.testing.assert_allclose(
        gw[0].detach().numpy(), want.detach().numpy().T.reshape(2, 3, 3), rtol=1e-6
    )


@pytest.mark.parametrize(
    "fn, grad_shape, message",
    [
        (
            "conv2d_input",
            (2, 6, 4, 3),
            "Expected a tensor of dimension 4 and tensor.size[3] == 4 but got: dimension 4 and "
            "tensor.size[3] = 3",
        ),
        (
            "conv2d_input",
            (2, 6, 4),
            "Expected input and grad_output to have the same number of dimensions, but got: "
            "4 and 3",
        ),
    ],
)
def test_nn_grad_wrong_grad_output_shape(fn, grad_shape, message) -> None:
    w = torch.ones(6, 2, 3, 2, dtype=torch.float64)
    with pytest.raises(RuntimeError) as info:
        getattr(torch.nn.grad, fn)(
            (2, 4, 7, 6), w, torch.zeros(grad_shape, dtype=torch.float64), 2, 1, 1, 2
        )
    assert str(info.value) == message


def test_nn_grad_conv1d_wrong_length_message() -> None:
    with pytest.raises(RuntimeError, match=r"^grad_output\[2:\] shape\[1, 5\] must be equal to "
                       r"output size 1 9$"):  # fmt: skip
        torch.nn.grad.conv1d_input(
            (2, 3, 9), torch.ones(4, 3, 3), torch.zeros(2, 4, 5), padding=2, dilation=2
        )


# ---- einsum: repeated subscripts, sublist form (NumPy's einsum is the reference) ------------
@pytest.mark.parametrize(
    "equation, shapes",
    [
        ("ii", [(3, 3)]),
        ("ii->i", [(4, 4)]),
        ("ijkk->ij", [(2, 3, 2, 2)]),
        ("iijj", [(2, 2, 3, 3)]),
        ("bii,bj->bij", [(2, 3, 3), (2, 2)]),
        ("ij,jj->i", [(2, 3), (3, 3)]),
        ("...ii->...i", [(2, 3, 3)]),
    ],
)
def test_einsum_repeated_subscript_takes_the_diagonal(equation, shapes) -> None:
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(s) for s in shapes]
    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    got = torch.einsum(equation, *xs)
    np.testing.assert_allclose(got.detach().numpy(), np.einsum(equation, *arrays), rtol=1e-12)
    got.sum().backward()
    # d/dx sum(einsum(eq, x, ...)) is einsum of ones against the others (NumPy, finite diff)
    eps = 1e-6
    for k, a in enumerate(arrays):
        flat = a.reshape(-1)
        num = np.zeros_like(flat)
        for i in range(flat.size):
            bumped = flat.copy()
            bumped[i] += eps
            args = [*arrays[:k], bumped.reshape(a.shape), *arrays[k + 1 :]]
            num[i] = (np.einsum(equation, *args).sum() - np.einsum(equation, *arrays).sum()) / eps
        np.testing.assert_allclose(xs[k].grad.numpy().reshape(-1), num, rtol=1e-4, atol=1e-5)


def test_einsum_repeated_subscript_sizes_must_match() -> None:
    with pytest.raises(RuntimeError) as info:
        torch.einsum("ii", torch.ones(2, 3))
    assert str(info.value) == (
        "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"
    )


def test_einsum_sublist_form() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    ta, tb = torch.tensor(a), torch.tensor(b)
    np.testing.assert_allclose(torch.einsum(ta, [0, 1], tb, [1, 2]).numpy(), a @ b, rtol=1e-12)
    np.testing.assert_allclose(
        torch.einsum(ta, [0, 1], tb, [1, 2], [2, 0]).numpy(), (a @ b).T, rtol=1e-12
    )
    np.testing.assert_allclose(torch.einsum(ta, [Ellipsis, 1], [1, Ellipsis]).numpy(), a.T)
    # implicit output: labels in PyTorch's order (0-25 are A-Z, before 26-51, a-z)
    assert tuple(torch.einsum(ta, [30, 1]).shape) == (3, 2)
    with pytest.raises(ValueError, match=r"not within the valid range \[0, 52\)"):
        torch.einsum(ta, [0, 60])


# ---- scatter(reduce=...), take_along_dim(dim=None / broadcast) -------------------------------
@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
def test_scatter_with_reduce_add_and_multiply() -> None:
    index = np.array([[0, 1, 2], [0, 0, 0]])
    src = np.arange(2.0, 8.0).reshape(2, 3)
    for reduce, ufunc, start in (("add", np.add, 0.0), ("multiply", np.multiply, 1.0)):
        want = np.full((3, 3), start)
        for i, j in np.ndindex(*index.shape):
            want[index[i, j], j] = ufunc(want[index[i, j], j], src[i, j])
        got = torch.full((3, 3), start).scatter_(
            0, torch.tensor(index), torch.tensor(src), reduce=reduce
        )
        np.testing.assert_array_equal(got.numpy(), want)
    got = torch.zeros(3, dtype=torch.long).scatter_(0, torch.tensor([0, 0, 2]), 5, reduce="add")
    assert got.tolist() == [10, 0, 5]
    x = torch.ones(2, 4, requires_grad=True)
    y = x.scatter(1, torch.tensor([[2], [3]]), 1.5, reduce="multiply")
    assert y.tolist() == [[1, 1, 1.5, 1], [1, 1, 1, 1.5]]
    assert y.grad_fn.name() == "torch::autograd::NotImplemented"
    with pytest.raises(RuntimeError, match="^derivative for aten::scatter is not implemented$"):
        y.sum().backward()
    with pytest.raises(RuntimeError, match="^reduce argument must be either add or multiply.$"):
        x.scatter(1, torch.tensor([[2], [3]]), 1.5, reduce="max")


def test_take_along_dim_flattens_without_dim_and_broadcasts() -> None:
    a = np.array([[10, 30, 20], [60, 40, 50]])
    t = torch.tensor(a)
    assert torch.take_along_dim(t, torch.tensor(4)).tolist() == [40]
    assert torch.take_along_dim(t, torch.argsort(t, dim=1), dim=1).tolist() == np.sort(a).tolist()
    idx = np.array([[1, 0, 1]])
    assert torch.take_along_dim(t, torch.tensor(idx), dim=0).tolist() == (
        np.take_along_axis(a, idx, 0).tolist()
    )
    x = np.arange(6.0).reshape(2, 3, 1)
    idx = np.array([[[0, 2]]])
    want = np.take_along_axis(np.broadcast_to(x, (2, 3, 2)), np.broadcast_to(idx, (2, 1, 2)), 1)
    got = torch.take_along_dim(torch.tensor(x), torch.tensor(idx), dim=1)
    np.testing.assert_array_equal(got.numpy(), want)


# ---- optim.lr_scheduler.CyclicLR -------------------------------------------------------------
def _triangle(it: int, base: float, top: float, up: int, down: int, scale) -> float:
    cycle, pos = divmod(it, up + down)
    frac = pos / up if pos <= up else 1 - (pos - up) / down
    return base + (top - base) * frac * scale(cycle + 1, it)


@pytest.mark.parametrize(
    "mode, up, down, scale",
    [
        ("triangular", 2, None, lambda c, it: 1.0),
        ("triangular2", 2, 3, lambda c, it: 0.5 ** (c - 1)),
        ("exp_range", 3, None, lambda c, it: 0.9**it),
    ],
)
def test_cyclic_lr_follows_the_triangle(mode, up, down, scale) -> None:
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=1.0, momentum=0.9)
    sched = torch.optim.lr_scheduler.CyclicLR(
        opt, 0.01, 0.1, step_size_up=up, step_size_down=down, mode=mode, gamma=0.9
    )
    d = down or up
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)
    for it in range(1, 12):
        opt.step()
        sched.step()
        lr = _triangle(it, 0.01, 0.1, up, d, scale)
        assert sched.get_last_lr()[0] == pytest.approx(lr, rel=1e-12)
        # momentum cycles the other way, between 0.9 and 0.8
        frac = (lr - 0.01) / 0.09
        assert opt.param_groups[0]["momentum"] == pytest.approx(0.9 - 0.1 * frac, rel=1e-9)


def test_cyclic_lr_needs_momentum_and_a_valid_mode() -> None:
    p = torch.nn.Parameter(torch.zeros(1))
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        torch.optim.lr_scheduler.CyclicLR(torch.optim.Adagrad([p]), 0.1, 1.0)
    with pytest.raises(ValueError, match="^mode is invalid and scale_fn is None$"):
        torch.optim.lr_scheduler.CyclicLR(torch.optim.SGD([p], 0.1), 0.1, 1.0, mode="saw")
    opt = torch.optim.Adam([p])
    torch.optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0, cycle_momentum=True)
    assert opt.param_groups[0]["betas"][0] == 0.9


# ---- nn.utils.fusion -------------------------------------------------------------------------
def _trained_bn(bn, x):
    bn.train()
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.5, 0.5)
    bn(x)
    bn.eval()
    return bn


@pytest.mark.parametrize("transpose", [False, True])
def test_fuse_conv_bn_eval_matches_conv_then_bn(transpose: bool) -> None:
    torch.manual_seed(0)
    conv = (torch.nn.ConvTranspose2d if transpose else torch.nn.Conv2d)(2, 3, 3).eval()
    bn = _trained_bn(torch.nn.BatchNorm2d(3), conv(torch.randn(4, 2, 5, 5)) * 3 + 1)
    fused = torch.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=transpose)
    x = torch.randn(2, 2, 5, 5)
    np.testing.assert_allclose(
        fused(x).detach().numpy(), bn(conv(x)).detach().numpy(), rtol=1e-5, atol=1e-5
    )
    assert isinstance(fused.weight, torch.nn.Parameter) and fused.weight.grad_fn is None
    assert fused is not conv and torch.equal(conv.weight, conv.weight.detach())


def test_fuse_linear_bn_eval_matches_linear_then_bn() -> None:
    torch.manual_seed(1)
    lin = torch.nn.Linear(4, 3).eval()
    bn = _trained_bn(torch.nn.BatchNorm1d(3), lin(torch.randn(8, 4)) * 2 - 1)
    fused = torch.nn.utils.fusion.fuse_linear_bn_eval(lin, bn)
    x = torch.randn(5, 4)
    np.testing.assert_allclose(
        fused(x).detach().numpy(), bn(lin(x)).detach().numpy(), rtol=1e-5, atol=1e-5
    )
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        torch.nn.utils.fuse_linear_bn_eval(lin.train(), bn)


@pytest.mark.parametrize(
    "args, method_msg, function_msg",
    [
        ((None,), "argument 'indices' (position 1) must be Tensor, not NoneType", "(position 2)"),
        (([0],), "argument 'indices' (position 1) must be Tensor, not list", "(position 2)"),
        (
            (torch.tensor([[0]]), "x"),
            "argument 'dim' (position 2) must be int, not str",
            "(position 3)",
        ),
        (
            (torch.tensor([[0]]), True),
            "argument 'dim' (position 2) must be int, not bool",
            "(position 3)",
        ),
    ],
)
def test_take_along_dim_argument_errors(args, method_msg, function_msg) -> None:
    """PyTorch 2.13's words; the function counts ``input`` as position 1, the method does not."""
    t = torch.ones(2, 3)
    with pytest.raises(TypeError) as info:
        t.take_along_dim(*args)
    assert str(info.value) == "take_along_dim(): " + method_msg
    with pytest.raises(TypeError) as info:
        torch.take_along_dim(t, *args)
    pos = method_msg.split("(position ")[1][0]
    assert str(info.value) == "take_along_dim(): " + method_msg.replace(
        f"(position {pos})", function_msg
    )
