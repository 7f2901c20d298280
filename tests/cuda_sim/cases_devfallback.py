"""Ops that real programs sent through the host fallback (tools/fallback_rank.py over the
corpus), now device kernels: each row runs the same call on the CPU and on device copies of
its inputs, with the host fallback refused (``no_fallback``), and asserts the device's value,
dtype, node name and gradients are the CPU's."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch

F = torch.nn.functional
RNG = np.random.default_rng(15)


def f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def same(fn, *arrays, exact=False):
    """``fn`` on CPU tensors and on device copies; values, node and gradients compared
    (bitwise where ``exact``)."""
    cpu = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    dev = [torch.tensor(a).cuda().requires_grad_(a.dtype.kind == "f") for a in arrays]
    out_c, out_d = fn(*cpu), fn(*dev)
    outs_c = out_c if isinstance(out_c, tuple) else (out_c,)
    outs_d = out_d if isinstance(out_d, tuple) else (out_d,)
    check = np.testing.assert_array_equal if exact else _close
    for c, d in zip(outs_c, outs_d, strict=True):
        assert d.is_cuda and d.dtype == c.dtype and d.shape == c.shape
        check(d.detach().cpu().numpy(), c.detach().numpy())
        assert (d.grad_fn and d.grad_fn.name()) == (c.grad_fn and c.grad_fn.name())
    first_c, first_d = outs_c[0], outs_d[0]
    if first_c.requires_grad:
        w = f32(*first_c.shape)
        (first_c * torch.tensor(w)).sum().backward()
        (first_d * torch.tensor(w).cuda()).sum().backward()
        for c, d in zip(cpu, dev, strict=True):
            if c.grad is not None:
                check(d.grad.cpu().numpy(), c.grad.numpy())
    return out_d


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# ---- cat / stack along any dimension ---------------------------------------------------------
@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: torch.cat([a, b], dim=1),
        lambda a, b: torch.cat((a, b), -1),
        lambda a, b: torch.cat([a, b, a], 2),
        lambda a, b: torch.stack([a, b], dim=1),
        lambda a, b: torch.stack([a, b], -1),
        lambda a, b: torch.concat([a, b], dim=1),
    ],
)
def test_cat_stack_any_dim(no_fallback, fn):
    node = same(fn, f32(2, 3, 4), f32(2, 3, 4), exact=True)
    assert node.grad_fn.name() in ("CatBackward0", "StackBackward0")


def test_cat_different_lengths(no_fallback):
    same(lambda a, b: torch.cat([a, b], 1), f32(2, 3, 4), f32(2, 5, 4), exact=True)


# ---- linear over leading dims ------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn",
    [
        lambda x, w, b: F.linear(x, w, b),
        lambda x, w, b: F.linear(x, w),
        lambda x, w, b: F.linear(x.transpose(0, 1), w, b),
        lambda x, w, b: F.linear(x[0], w, b),
    ],
)
def test_linear_leading_dims(no_fallback, fn):
    same(fn, f32(2, 3, 4), f32(5, 4), f32(5))


# ---- max / min with a dim, whole, elementwise; gather ------------------------------------------
def _tied(*shape):
    x = f32(*shape)
    x[0, 0] = x[0, 1] = 5.0  # a tie: the first index wins, and only it gets the gradient
    return x


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: torch.max(x, 1),
        lambda x: x.max(dim=0, keepdim=True),
        lambda x: torch.min(x, -1),
        lambda x: x.min(1, True),
        lambda x: x.max(),
        lambda x: torch.min(x),
        lambda x: torch.max(x, x.flip(0)),
    ],
)
def test_max_min(no_fallback, fn):
    same(fn, _tied(3, 4), exact=True)


def test_max_dim_of_ints(no_fallback):
    same(lambda t: t.max(1), RNG.integers(-5, 5, (3, 4)).astype(np.int64), exact=True)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, i: torch.gather(x, 1, i),
        lambda x, i: x.gather(0, i % 3),
    ],
)
def test_gather(no_fallback, fn):
    idx = np.array([[0, 2, 2, 1], [3, 3, 0, 0], [1, 1, 1, 1]], np.int64)  # repeats: summed
    same(fn, f32(3, 4), idx, exact=True)


def test_gather_out_of_range_is_reported_at_synchronization(no_fallback):
    x = torch.tensor(f32(2, 3)).cuda()
    out = torch.gather(x, 1, torch.tensor([[0], [3]]).cuda())  # no error yet: no sync
    with pytest.raises(RuntimeError, match="device-side assert triggered"):
        out.sum().item()


@pytest.mark.parametrize(
    "fn", [lambda x: x.flip(0), lambda x: torch.flip(x, [0, 2]), lambda x: x.flip((-1, 1))]
)
def test_flip(no_fallback, fn):
    same(fn, f32(2, 3, 4), exact=True)


# ---- integer-tensor indexing: x[idx], index_select ----------------------------------------------
@pytest.mark.parametrize(
    "fn",
    [
        lambda x, i: x[i],
        lambda x, i: x[i.reshape(2, 3)],
        lambda x, i: x.index_select(0, i),
        lambda x, i: torch.index_select(x, 1, i % 4),
        lambda x, i: x[i - 3],  # negative indices count from the end
        lambda x, i: x[i.int()],
    ],
)
def test_tensor_index(no_fallback, fn):
    idx = np.array([2, 0, 2, 1, 0, 2], np.int64)  # repeats: their gradients summed
    same(fn, f32(3, 4, 2), idx, exact=True)


def test_tensor_index_out_of_range_is_reported_at_synchronization(no_fallback):
    x = torch.tensor(f32(2, 3)).cuda()
    out = x[torch.tensor([0, 5]).cuda()]
    with pytest.raises(RuntimeError, match="device-side assert triggered"):
        out.sum().item()


# ---- broadcast_tensors, all/any, batched matmul -------------------------------------------------
def test_broadcast_tensors(no_fallback):
    # (values bitwise; the gradient sums over the expanded dim in the device's tree order)
    out = same(lambda a, b: torch.broadcast_tensors(a, b), f32(3, 1), f32(4))
    assert [tuple(t.shape) for t in out] == [(3, 4), (3, 4)]


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: torch.all(x > 0),
        lambda x: (x > 0).all(1),
        lambda x: x.any(dim=0, keepdim=True),
        lambda x: torch.any(x > 1.5),
        lambda x: (x.round() != 0).all(-1),
    ],
)
def test_all_any(no_fallback, fn):
    x = f32(3, 4)
    x[1] = 0.0
    same(fn, x, exact=True)


def test_matmul_four_dims(no_fallback):
    same(lambda a, b: a @ b.transpose(-2, -1), f32(2, 3, 4, 5), f32(2, 3, 2, 5))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: F.pad(x, (1, 2)),
        lambda x: F.pad(x, [1, 0, 0, 2], value=-1.5),
        lambda x: F.pad(x, (0, 0, 1, 1, 2, 0)),
        lambda x: F.pad(x, (-1, 2, 1, -1)),  # negative amounts crop
    ],
)
def test_constant_pad(no_fallback, fn):
    same(fn, f32(2, 3, 4), exact=True)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.norm(dim=1),
        lambda x: torch.norm(x, 2, -1, True),
        lambda x: torch.linalg.vector_norm(x, dim=(0, 2)),
        lambda x: x.norm(),
    ],
)
def test_two_norm_over_dims(no_fallback, fn):
    x = f32(2, 3, 4)
    x[1, 2] = 0.0  # a zero row: a zero gradient, as PyTorch's
    same(fn, x)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.new_zeros((2, 3)),
        lambda x: x.new_ones(4, dtype=torch.int64),
        lambda x: x.new_full((2,), 7.5),
        lambda x: x.new_tensor([1.0, 2.0]),
        lambda x: x.new_zeros(3, requires_grad=True),
    ],
)
def test_new_factories_beside_a_device_tensor(no_fallback, fn):
    out = same(fn, f32(2, 3), exact=True)
    assert out.is_leaf


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, t, w: F.binary_cross_entropy_with_logits(x, t),
        lambda x, t, w: F.binary_cross_entropy_with_logits(x, t, reduction="sum"),
        lambda x, t, w: F.binary_cross_entropy_with_logits(x, t, w, reduction="none"),
        lambda x, t, w: F.binary_cross_entropy_with_logits(x, t, pos_weight=w[0]),
        lambda x, t, w: torch.nn.BCEWithLogitsLoss()(x, t),
    ],
)
def test_bce_with_logits(no_fallback, fn):
    t = (RNG.random((3, 4)) > 0.5).astype(np.float32)
    w = RNG.random((3, 4)).astype(np.float32) + 0.5
    same(lambda x, t_, w_: fn(x, t_.detach(), w_.detach()), f32(3, 4) * 3, t, w)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.softmax(0),
        lambda x: F.log_softmax(x, dim=1),
        lambda x: torch.softmax(x, -2),
        lambda x: F.softmax(x, -1),
    ],
)
def test_softmax_any_dim(no_fallback, fn):
    same(fn, f32(3, 4, 5))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.transpose(1, 2).reshape(2, 12),
        lambda x: x.permute(2, 1, 0).flatten(0, 1),
        lambda x: x[:, ::2].reshape(-1),
    ],
)
def test_reshape_that_copies(no_fallback, fn):
    out = same(fn, f32(2, 3, 4), exact=True)
    assert out._base is None  # a copy, as on the CPU


def test_reshape_copy_does_not_alias(no_fallback):
    x = torch.tensor(f32(2, 3)).cuda()
    y = x.t().reshape(6)
    x.zero_()
    assert float(y.abs().sum().item()) > 0


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, v: torch.dot(v, v * 2),
        lambda a, v: v @ v,
        lambda a, v: a @ v,
        lambda a, v: torch.mv(a, v),
    ],
)
def test_vector_products(no_fallback, fn):
    same(fn, f32(3, 5), f32(5))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.repeat_interleave(2, dim=1),
        lambda x: torch.repeat_interleave(x, 3),
        lambda x: x.repeat_interleave(2, -1),
    ],
)
def test_repeat_interleave(no_fallback, fn):
    same(fn, f32(2, 3), exact=True)


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: F.cosine_similarity(a, b),
        lambda a, b: F.cosine_similarity(a, b[:1], dim=-1),
        lambda a, b: torch.nn.CosineSimilarity(dim=0)(a, b),
    ],
)
def test_cosine_similarity(no_fallback, fn):
    same(fn, f32(3, 4), f32(3, 4))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: torch.triu(x),
        lambda x: x.triu(1),
        lambda x: torch.tril(x, -1),
        lambda x: x.tril(2),
        lambda x: torch.triu(x.masked_fill(x > 1.0, float("-inf")), 1),
    ],
)
def test_triangles(no_fallback, fn):
    same(fn, f32(2, 3, 4), exact=True)


@pytest.mark.parametrize(
    "fn",
    [lambda x: F.normalize(x), lambda x: F.normalize(x, dim=-1), lambda x: F.normalize(x, 2, 0)],
)
def test_normalize(no_fallback, fn):
    same(fn, f32(3, 4))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.masked_fill(x > 0.5, 0.0),
        lambda x: torch.masked_fill(x, (x < 0)[0], float("-inf")).softmax(-1),
        lambda x: x.masked_fill(torch.ones(4, 4, dtype=torch.bool, device=x.device).tril(), 2),
    ],
)
def test_masked_fill(no_fallback, fn):
    same(fn, f32(3, 4, 4))


# ---- optimizers with device kernels -------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"lr_decay": 0.1, "weight_decay": 0.01},
        {"initial_accumulator_value": 0.5, "maximize": True},
    ],
)
def test_adagrad_steps_on_the_device(no_fallback, monkeypatch, kwargs):
    from jitgrad.backends.cuda import optim as device_optim

    def refuse(*args, **kw):
        raise AssertionError("host update")

    monkeypatch.setattr(device_optim, "host_update", refuse)
    w0, x = f32(3, 4), f32(5, 4)
    params = []
    for device in ("cpu", "cuda"):
        w = torch.tensor(w0, device=device, requires_grad=True)
        opt = torch.optim.Adagrad([w], lr=0.1, **kwargs)
        xs = torch.tensor(x, device=device)
        for _ in range(3):
            opt.zero_grad()
            (xs @ w.t()).tanh().pow(2).sum().backward()
            opt.step()
        params.append(w.detach().cpu().numpy())
    # (to rounding: the gradients' device sums differ from the CPU's in the last bits)
    np.testing.assert_allclose(params[1], params[0], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "fn", [lambda x: x.repeat(2, 1), lambda x: x.repeat(3, 1, 2), lambda x: x.repeat((1, 3))]
)
def test_repeat(no_fallback, fn):
    same(fn, f32(2, 3))


def test_one_hot_with_num_classes(no_fallback):
    t = np.array([[0, 3], [2, 2]], np.int64)
    out = same(lambda i: F.one_hot(i, 5), t, exact=True)
    assert out.dtype == torch.int64


def test_one_hot_out_of_range_is_reported_at_synchronization(no_fallback):
    out = F.one_hot(torch.tensor([1, 4]).cuda(), 3)
    with pytest.raises(RuntimeError, match="device-side assert triggered"):
        out.sum().item()


def test_host_indices_index_device_tensors(no_fallback):
    """Host index tensors and lists of ints (a batch sampler's) are uploaded, 0-d tensors
    read as ints (SelectBackward0)."""
    x = f32(4, 3)
    for key in (torch.tensor([2, 0, 2]), torch.tensor(1), torch.tensor([[1], [3]]), [3, 1, -1]):
        c = torch.tensor(x, requires_grad=True)
        d = torch.tensor(x).cuda().requires_grad_()
        out_c, out_d = c[key], d[key]
        np.testing.assert_array_equal(out_d.detach().cpu().numpy(), out_c.detach().numpy())
        assert out_d.grad_fn.name() == out_c.grad_fn.name()
        out_c.sum().backward()
        out_d.sum().backward()
        np.testing.assert_array_equal(d.grad.cpu().numpy(), c.grad.numpy())
    idx = torch.tensor([[0, 2, 1], [1, 1, 0]])
    gathered = torch.tensor(x).cuda().gather(0, idx)
    np.testing.assert_array_equal(gathered.cpu().numpy(), torch.tensor(x).gather(0, idx).numpy())
