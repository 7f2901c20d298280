"""Device ops that run as CUDA kernels (no host fallback): amax/amin/argmax/argmin, batched
matmul, layer_norm, cross_entropy with class weights and ignore_index, strided views; and the
caching allocator. Values and gradients are compared with the same program on the CPU."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.backends.cuda import fallback, pool

F = torch.nn.functional
RNG = np.random.default_rng(7)


@pytest.fixture
def no_fallback(monkeypatch):
    """Any host fallback call fails the test: these ops must run on the device."""

    def refuse(fn, name, args, kwargs):
        raise AssertionError(f"host fallback: {name}")

    monkeypatch.setattr(fallback, "host_call", refuse)


def both(fn, *arrays, grad=True):
    """``fn`` on CPU tensors and on device copies: (cpu result, device result as numpy, cpu
    grads, device grads)."""
    cpu = [torch.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    dev = [torch.tensor(a).cuda().requires_grad_(grad and a.dtype.kind == "f") for a in arrays]
    out_c, out_d = fn(*cpu), fn(*dev)
    assert out_d.is_cuda
    if grad and out_c.requires_grad:
        out_c.float().pow(2).sum().backward()
        out_d.float().pow(2).sum().backward()
        for c, d in zip(cpu, dev, strict=True):
            if c.grad is not None:
                np.testing.assert_allclose(d.grad.cpu().numpy(), c.grad.numpy(), 1e-4, 1e-5)
        assert out_d.grad_fn.name() == out_c.grad_fn.name()
    np.testing.assert_allclose(out_d.detach().cpu().numpy(), out_c.detach().numpy(), 1e-5, 1e-6)


def f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.amax(1),
        lambda x: torch.amin(x, (0, 2), keepdim=True),
        lambda x: x.amax(),
        lambda x: x.sum((0, 2)),
        lambda x: x.mean(-1, keepdim=True),
    ],
)
def test_reductions_on_the_device(no_fallback, fn):
    x = f32(3, 4, 5)
    x[0, 1, :2] = 9.0  # a tie: amax's gradient is split between the two
    both(fn, x)


@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), (1, True), (-1, False)])
def test_argmax_argmin(no_fallback, dim, keepdim):
    x = f32(4, 6)
    for name in ("argmax", "argmin"):
        got = getattr(torch.tensor(x).cuda(), name)(dim, keepdim)
        want = getattr(torch.tensor(x), name)(dim, keepdim)
        assert got.is_cuda and got.dtype == torch.int64
        assert got.cpu().tolist() == want.tolist()


@pytest.mark.parametrize(
    "fn,shapes",
    [
        (lambda a, b: torch.bmm(a, b), [(2, 3, 4), (2, 4, 5)]),
        (lambda a, b: torch.matmul(a, b), [(2, 3, 4), (2, 4, 5)]),
        (lambda a, b: a @ b, [(2, 3, 4), (4, 5)]),
        (lambda a, b: a @ b.t(), [(3, 4), (5, 4)]),
        (lambda a, b: a.transpose(0, 1) @ b, [(4, 3), (4, 5)]),
    ],
)
def test_matrix_products(no_fallback, fn, shapes):
    both(fn, *(f32(*s) for s in shapes))


@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm(no_fallback, affine):
    w, b = f32(2, 5), f32(2, 5)
    if affine:
        both(lambda x, w, b: F.layer_norm(x, (2, 5), w, b), f32(3, 2, 5), w, b)
    else:
        both(lambda x: F.layer_norm(x, (5,)), f32(3, 2, 5))


def test_layer_norm_module_on_the_device(no_fallback):
    ln = torch.nn.LayerNorm(6).cuda()
    x = torch.tensor(f32(4, 6)).cuda().requires_grad_(True)
    ln(x).sum().backward()
    assert ln.weight.grad.is_cuda and x.grad.is_cuda


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_weight_and_ignore_index(no_fallback, reduction):
    t = np.array([0, 3, 2, 3, 1], np.int64)
    weight = np.array([0.5, 1.0, 2.0, 0.25], np.float32)

    def fn(x, w):
        target = torch.tensor(t).to(x.device)
        return F.cross_entropy(x, target, w.detach(), ignore_index=2, reduction=reduction)

    both(fn, f32(5, 4), weight)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.t(),
        lambda x: x.transpose(0, 1) * 2,
        lambda x: x.permute(1, 0) + 1,
        lambda x: x[1:, ::2],
        lambda x: x[:, 1],
        lambda x: x.unsqueeze(0).expand(3, 4, 6),
        lambda x: x.narrow(1, 2, 3),
        lambda x: x.T.mT,
    ],
)
def test_strided_views_are_device_gathers(no_fallback, fn):
    both(fn, f32(4, 6))


def test_a_repeated_training_step_reuses_pooled_blocks():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    model.cuda()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = torch.randn(5, 6).cuda()
    y = torch.tensor([0, 2, 1, 1, 0]).cuda()

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    step()
    step()
    before = pool.stats()
    for _ in range(2):
        step()
    after = pool.stats()
    assert after["driver_allocs"] == before["driver_allocs"], (before, after)
    assert 0 < torch.cuda.memory_allocated() <= torch.cuda.max_memory_allocated()
    assert torch.cuda.memory_reserved() >= torch.cuda.memory_allocated()
    torch.cuda.empty_cache()
    assert torch.cuda.memory_reserved() < after["held"]


def test_a_pooled_block_stays_taken_while_a_view_of_it_lives():
    a = pool.alloc((64,), np.float32)
    a.copy_to_device(np.full(64, 3.0, np.float32))
    v = a.reshape(8, 8)
    del a
    b = pool.alloc((64,), np.float32)  # same size class: must not be a's block
    b.copy_to_device(np.zeros(64, np.float32))
    assert (v.copy_to_host() == 3.0).all()
    del v, b
    before = pool.stats()["driver_allocs"]
    pool.alloc((60,), np.float32)  # a's or b's block, now idle, serves it
    assert pool.stats()["driver_allocs"] == before


def test_the_pool_lock_lets_a_finalizer_in_during_an_allocation():
    # on a GPU a block's finalizer (which takes the lock) can run inside alloc when the cyclic
    # garbage collector frees an array there; a non-reentrant lock would hang that thread
    with pool._lock:
        assert pool._lock.acquire(blocking=False)
        pool._lock.release()
