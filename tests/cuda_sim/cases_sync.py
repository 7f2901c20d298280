"""Host synchronizations in a device training step (``loss.item()`` is the only one), and
what ``explain`` / ``JITGRAD_DEBUG`` say about a device graph.

Every copy between host and device memory (and ``cuda.synchronize``) is counted by
patching the simulator's device array class, so a round trip hidden in an op (a flag read
back, a host-made constant copied over) fails the count."""

from __future__ import annotations

import collections
import logging
import warnings

import numba
import numpy as np
import pytest
from numba import cuda
from numba.cuda.simulator.kernel import FakeCUDAKernel

import jitgrad as torch
from jitgrad import helpers
from jitgrad.backends.cuda import runtime


@pytest.fixture
def transfers(monkeypatch):
    """Counts of device-to-host copies, host-to-device copies and synchronizations."""
    counts = collections.Counter()
    array = runtime.DEVICE_ARRAY_TYPES[0]

    def counting(kind, original):
        def counted(*args, **kwargs):
            counts[kind] += 1
            return original(*args, **kwargs)

        return counted

    monkeypatch.setattr(array, "copy_to_host", counting("D2H", array.copy_to_host))
    monkeypatch.setattr(array, "copy_to_device", counting("H2D", array.copy_to_device))
    monkeypatch.setattr(cuda, "synchronize", counting("sync", cuda.synchronize))
    launch = FakeCUDAKernel.__call__

    def launching(self, *args):  # a host array given to a kernel: a synchronizing copy on a GPU
        if any(isinstance(a, np.ndarray) for a in args):
            counts["host array launch"] += 1
        return launch(self, *args)

    monkeypatch.setattr(FakeCUDAKernel, "__call__", launching)
    return counts


def _mlp():
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))


def _conv_layernorm():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.LayerNorm(2), torch.nn.Linear(2, 3),
    )  # fmt: skip


@pytest.mark.parametrize(
    "make,shape,opt_cls,kw",
    [
        (_mlp, (4,), torch.optim.SGD, {"momentum": 0.9}),
        (_mlp, (4,), torch.optim.Adam, {}),
        (_conv_layernorm, (1, 2, 2), torch.optim.Adam, {"weight_decay": 1e-2}),
    ],
    ids=["mlp-sgd-momentum", "mlp-adam", "conv-layernorm-adam"],
)
def test_a_training_step_synchronizes_only_at_loss_item(
    transfers, numpy_refused, make, shape, opt_cls, kw
):
    torch.manual_seed(0)
    model = make()
    model.to("cuda")
    opt = opt_cls(model.parameters(), lr=0.05, **kw)
    x = torch.randn(6, *shape, device="cuda")
    y = torch.tensor([0, 1, 2, 1, 0, 2], device="cuda")
    losses = []
    for step in range(3):
        before = sum(transfers.values())
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        if step:  # the first step may copy state over (e.g. optimizer constants)
            assert sum(transfers.values()) == before, dict(transfers)
        d2h, h2d, syncs = transfers["D2H"], transfers["H2D"], transfers["sync"]
        losses.append(loss.item())
        # one synchronization point: the loss and cross-entropy's target flag, read back
        # together once the device is idle
        assert (transfers["D2H"], transfers["H2D"], transfers["sync"]) == (d2h + 2, h2d, syncs)
    assert losses[2] < losses[0]
    assert transfers["host array launch"] == 0


def test_a_bad_target_raises_the_device_assert_at_the_next_synchronization():
    x = torch.randn(3, 4, device="cuda")
    loss = torch.nn.functional.cross_entropy(x, torch.tensor([0, 7, 1], device="cuda"))
    assert loss.is_cuda  # no error yet: the kernel's flag is read when the host next waits
    with pytest.raises(RuntimeError, match="device-side assert triggered") as info:
        loss.item()
    assert "Target 7 is out of bounds." in str(info.value)
    ok = torch.nn.functional.cross_entropy(x, torch.tensor([0, 3, 1], device="cuda"))
    np.testing.assert_allclose(
        ok.item(),
        torch.nn.functional.cross_entropy(x.cpu(), torch.tensor([0, 3, 1])).item(),
        rtol=1e-6,
    )


def test_a_bad_target_is_also_reported_by_synchronize_and_cpu():
    x = torch.randn(3, 4, device="cuda")
    torch.nn.functional.cross_entropy(x, torch.tensor([0, -3, 1], device="cuda"))
    with pytest.raises(RuntimeError, match="Target -3 is out of bounds"):
        torch.cuda.synchronize()
    torch.nn.functional.cross_entropy(x, torch.tensor([4, 0, 1], device="cuda"), reduction="none")
    with pytest.raises(RuntimeError, match="Target 4 is out of bounds"):
        x.cpu()
    assert x.cpu().shape == (3, 4)  # reported once


def test_launch_blocking_reports_the_bad_target_at_the_op(monkeypatch):
    monkeypatch.setattr(runtime, "BLOCKING", True)
    x = torch.randn(3, 4, device="cuda")
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        torch.nn.functional.cross_entropy(x, torch.tensor([0, 7, 1], device="cuda"))


def test_explain_describes_what_the_device_runs(monkeypatch, caplog):
    """``explain`` on a CUDA graph reports the kernels the device launches, which
    ``JITGRAD_DEBUG`` logs as they launch: for a loss still deferred, the joint kernel
    (forward and backward in one); for one already read, the forward chain fused with its
    sum, then the backward chain as one group."""
    monkeypatch.setattr(helpers, "DEBUG", 1)
    x = torch.randn(3, 4, device="cuda", requires_grad=True)
    for read_first in (False, True):
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="jitgrad"):
            y = ((x * 2).sin() + 1).sum()
            if read_first:
                y.item()
            report = torch.explain(y)
            y.backward()
        launches = [r.getMessage() for r in caplog.records if "cuda launch" in r.getMessage()]
        text = str(report)
        assert report.on_device and report.forward_kernels == 1
        assert report.forward[0].ops == ["mul", "sin", "add", "sum"]
        assert "fusion on, 1 fused group(s)" in text and "1 fused chain(s)" in text
        ops = ["AddBackward0", "SinBackward0", "MulBackward0"]
        if read_first:  # one forward kernel for the chain, one for the backward group
            assert report.groups[0].ops == ops
            assert report.unfused == ["SumBackward0", "AccumulateGrad"]
            assert sum("_fwd_" in m for m in launches) == 1, launches
            assert sum("_fbwd_" in m for m in launches) == 1, launches
        else:  # one kernel for both, the one explain named
            assert report.groups[0].ops == ["SumBackward0", *ops]
            assert report.unfused == ["AccumulateGrad"]
            fused = [m for m in launches if "_fwd_" in m or "_fbwd_" in m or "_joint_" in m]
            assert len(fused) == 1 and f" {report.groups[0].kernel} " in fused[0], launches
        assert not any("_bwd_" in m for m in launches), launches
    cpu = torch.randn(3, 4, requires_grad=True)
    assert not torch.explain(((cpu * 2).sin() + 1).sum()).on_device


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_composed_losses_stay_on_the_device(transfers, name):
    loss_fn = getattr(torch.nn.functional, name)
    a = np.random.default_rng(4).standard_normal((3, 4)).astype(np.float32)
    b = np.random.default_rng(5).standard_normal((3, 4)).astype(np.float32)
    got = {}
    for dev in ("cpu", "cuda"):
        x = torch.tensor(a, device=dev, requires_grad=True)
        y = torch.tensor(b, device=dev)
        before = dict(transfers)
        loss = loss_fn(x, y)
        loss.backward()
        assert dev == "cpu" or dict(transfers) == before  # no host fallback, no round trip
        got[dev] = (loss.item(), loss.grad_fn.name(), x.grad.cpu().numpy())
    assert got["cuda"][1] == got["cpu"][1]
    np.testing.assert_allclose(got["cuda"][0], got["cpu"][0], rtol=1e-6)
    np.testing.assert_allclose(got["cuda"][2], got["cpu"][2], rtol=1e-6, atol=1e-7)


def test_the_two_norm_is_a_device_reduction(transfers):
    a = np.random.default_rng(6).standard_normal((3, 4)).astype(np.float32)
    for fn in (torch.norm, torch.linalg.vector_norm, lambda t: t.norm(2)):
        x = torch.tensor(a, device="cuda", requires_grad=True)
        before = dict(transfers)
        n = fn(x)
        n.backward()
        assert dict(transfers) == before and n.grad_fn.name() == "LinalgVectorNormBackward0"
        np.testing.assert_allclose(n.item(), np.sqrt((a.astype(np.float64) ** 2).sum()), 1e-6)
        np.testing.assert_allclose(x.grad.cpu().numpy(), a / n.item(), rtol=1e-5, atol=1e-7)
    z = torch.zeros(3, device="cuda", requires_grad=True)
    torch.norm(z).backward()
    assert z.grad.cpu().tolist() == [0.0, 0.0, 0.0]  # PyTorch's zero gradient at the origin
    rows = torch.tensor(a, device="cuda").norm(dim=1)  # a case without a device kernel
    np.testing.assert_allclose(rows.cpu().numpy(), np.sqrt((a**2).sum(1)), rtol=1e-5)


def test_stack_cat_and_clip_grad_norm_stay_on_the_device(transfers):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    got = {}
    for dev in ("cpu", "cuda"):
        x = torch.tensor(a, device=dev, requires_grad=True)
        y = torch.tensor(a + 10, device=dev, requires_grad=True)
        w = torch.arange(12.0, device=dev).reshape(2, 2, 3)
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 2).to(dev)
        before = dict(transfers)
        s, c = torch.stack([x, y]), torch.cat([x, y[:1]])
        scalars = torch.stack([x.sum(), y.sum()])  # 0-d tensors, as clip_grad_norm_ stacks
        ((s * w).sum() + (c * c).sum() + (scalars * scalars).sum()).backward()
        model(x.detach()).pow(2).sum().backward()
        total = torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        assert dev == "cpu" or dict(transfers) == before, dict(transfers)
        assert (s.grad_fn.name(), c.grad_fn.name()) == ("StackBackward0", "CatBackward0")
        got[dev] = [s.detach(), c.detach(), scalars.detach(), x.grad, y.grad, total]
    for d, h in zip(got["cuda"], got["cpu"], strict=True):
        assert d.is_cuda and d.shape == h.shape
        np.testing.assert_allclose(d.cpu().numpy(), h.numpy(), rtol=1e-5)


def test_small_launches_warn_nothing():
    # numba-cuda warns at every launch of a grid under 128 blocks ("Grid size 1 will likely
    # result in GPU under-utilization"); PyTorch prints nothing for a small tensor's kernel
    for config in (numba.config, getattr(cuda, "config", numba.config)):
        assert config.CUDA_LOW_OCCUPANCY_WARNINGS == 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x = torch.ones(3, device="cuda", requires_grad=True)
        (x * 2).sum().backward()
        assert x.grad.cpu().tolist() == [2.0, 2.0, 2.0]
    assert [str(w.message) for w in caught] == []


def test_scatter_reduce_prod_backward_reads_nothing_back(transfers):
    """scatter_reduce prod's gradient asks whether two zeros of src meet at one place only
    when that gradient is recorded (create_graph: PyTorch's DelayedError node); a plain
    backward copies nothing to the host. The gradients are the CPU's."""
    x0 = np.array([[1.5, 2.0, -1.0], [0.5, 3.0, 2.0]], np.float32)
    s0 = np.array([[2.0, 0.0, 0.0, 1.5], [-1.0, 0.5, 2.0, 0.0]], np.float32)
    i0 = np.array([[0, 1, 1, 2], [2, 2, 0, 1]])
    got = {}
    for dev in ("cuda", "cpu"):
        x = torch.tensor(x0, device=dev, requires_grad=True)
        s = torch.tensor(s0, device=dev, requires_grad=True)
        i = torch.tensor(i0, device=dev)
        out = x.scatter_reduce(1, i, s, "prod")
        w = torch.arange(1.0, 7.0, device=dev).reshape(2, 3)
        before = [transfers[k] for k in ("D2H", "sync")]
        (out * w).sum().backward()  # (uploads of constants may happen: they wait for nothing)
        assert dev == "cpu" or [transfers[k] for k in ("D2H", "sync")] == before, transfers
        got[dev] = (x.grad.cpu().numpy(), s.grad.cpu().numpy())
    for d, h in zip(got["cuda"], got["cpu"], strict=True):
        np.testing.assert_allclose(d, h, rtol=1e-6)


#: ops whose index range is checked on the device: (op, sync point that reports it)
RANGE_CHECKED = {
    "index_select": (lambda x, i: x.index_select(0, i), "item"),
    "getitem": (lambda x, i: x[i], "cpu"),
    "gather": (lambda x, i: x.gather(0, i.reshape(3, 1).expand(3, 2)), "synchronize"),
    "take": (lambda x, i: x.take(i * 2), "item"),
    "embedding": (lambda x, i: torch.nn.functional.embedding(i, x), "cpu"),
    "one_hot": (lambda x, i: torch.nn.functional.one_hot(i, 4), "synchronize"),
    "index_add": (lambda x, i: x.index_add(0, i, x), "item"),
    "index_copy": (lambda x, i: x.index_copy(0, i, x), "cpu"),
    "index_fill": (lambda x, i: x.index_fill(0, i, 1.0), "synchronize"),
    "scatter": (lambda x, i: x.scatter(0, i.reshape(3, 1).expand(3, 2), x), "item"),
    "scatter_add": (lambda x, i: x.scatter_add(0, i.reshape(3, 1).expand(3, 2), x), "cpu"),
}
SYNC = {
    "item": lambda out: out.sum().item(),
    "cpu": lambda out: out.cpu(),
    "synchronize": lambda out: torch.cuda.synchronize(),
}


@pytest.mark.parametrize("name", RANGE_CHECKED)
def test_an_index_out_of_range_is_reported_at_the_next_synchronization(transfers, name):
    """PyTorch's CUDA ops report an index out of range asynchronously (a device-side assert,
    raised at the next synchronization); the op itself reads nothing back, so a step that
    indexes stays free of host round trips. The CPU op raises at once, as before."""
    op, sync = RANGE_CHECKED[name]
    x0 = np.arange(6, dtype=np.float32).reshape(3, 2)
    bad = np.array([0, 2, 3])  # 3: past dimension 0 (take: 6 past 6 elements; one_hot: 5, 4)
    with pytest.raises((IndexError, RuntimeError)):
        op(torch.tensor(x0), torch.tensor(bad if name != "one_hot" else bad + 2))
    x = torch.tensor(x0, device="cuda")
    i = torch.tensor(bad if name != "one_hot" else bad + 2, device="cuda")
    before = dict(transfers)
    out = op(x, i)  # launched: no error yet, nothing read back
    assert (transfers["D2H"], transfers["sync"]) == (before.get("D2H", 0), before.get("sync", 0))
    with pytest.raises(RuntimeError) as info:
        SYNC[sync](out)
    assert str(info.value).startswith("CUDA error: device-side assert triggered\n")
    assert "CUDA kernel errors might be asynchronously reported at some other API call" in str(
        info.value
    )
    torch.cuda.synchronize()  # reported once
    good = op(x, torch.tensor([0, 2, 1], device="cuda"))
    SYNC[sync](good)


def test_the_pending_index_checks_are_read_in_one_copy(transfers):
    """An embedding, a gather and a cross-entropy leave three device flags pending: the next
    synchronization reads them in one device-to-host copy (gathered on the device first),
    then the loss (PyTorch's ``loss.item()``: the loss alone; its asserts trap in the
    kernel). A bad index among them still raises its own op's error, once."""
    emb = torch.nn.Embedding(5, 3).to("cuda")
    target = torch.tensor([0, 2], device="cuda")

    def loss_of(rows):
        h = emb(torch.tensor(rows, device="cuda")).mean(1)
        picked = h.gather(1, torch.tensor([[0, 1], [2, 2]], device="cuda"))
        return torch.nn.functional.cross_entropy(h + picked.sum(1, keepdim=True), target)

    loss_of([[1, 2], [3, 4]]).item()  # (kernels compiled)
    before = transfers["D2H"]
    loss_of([[1, 2], [3, 4]]).item()
    assert transfers["D2H"] - before == 2
    bad = loss_of([[1, 2], [3, 7]])  # 7: past the embedding's 5 rows
    with pytest.raises(RuntimeError, match="device-side assert triggered") as info:
        bad.item()
    assert "(embedding: index out of range in self)" in str(info.value)
    torch.cuda.synchronize()  # reported once
