"""Rows of the CPU suite's case tables that the device audit (``tools/cuda_audit.py``) found
wrong or on the host, each run on the device against the same program on the CPU.

* Elementwise ops declared outside ``frontend/functions`` (``lgamma``, ``fmax``,
  ``nan_to_num``, ``torch.celu`` ...) and the functional in-place forms (``torch.square_``)
  ran through the host fallback (a copy to the host and back per call): they must launch
  device kernels only.
* Under ``set_default_device("cuda")`` an op through the host fallback made its own tensors
  on the device beside its host operands (``stft``'s window, ``pad``'s gradient).
* ``sum((0, -2))`` of a matrix reduced once instead of raising; ``sum(dim=1.5)`` raised
  Python's TypeError; an in-place op through the fallback was named ``CopyBackwards``;
  ``histogramdd`` read the device buffer as a host array; ``const_data_ptr`` was a host
  copy's address.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
from op_cases import CASES

import jitgrad as torch
from jitgrad import helpers

#: op_cases rows (by op name) that must run as device kernels, no host fallback
KERNEL_OPS = (
    "lgamma digamma polygamma mvlgamma erfinv i0 sinc deg2rad rad2deg nan_to_num fmax fmin "
    "copysign signbit isposinf isneginf igamma igammac ldexp celu selu threshold hardshrink"
).split()
ROWS = [c for c in CASES if c.op in KERNEL_OPS]


@pytest.fixture
def host_log(monkeypatch, caplog):
    """The ``host fallback: <op>`` messages logged while the test runs."""
    monkeypatch.setattr(helpers, "DEBUG", 1)
    with caplog.at_level(logging.DEBUG, logger="jitgrad"):
        yield lambda: [r.getMessage() for r in caplog.records if "host fallback" in r.getMessage()]


def _run(case, arrays, device):
    xs = [
        torch.tensor(a, device=device, requires_grad=n)
        for a, n in zip(arrays, case.grad_inputs(), strict=True)
    ]
    out = case.call(torch, *xs)
    if out.requires_grad:
        out.sum().backward()
    return out, [None if x.grad is None else x.grad.cpu().numpy() for x in xs]


def test_the_kernel_rows_are_in_the_table():
    assert sorted({c.op for c in ROWS}) == sorted(KERNEL_OPS)


@pytest.mark.parametrize("case", ROWS, ids=[c.op for c in ROWS])
def test_elementwise_op_runs_as_a_device_kernel(case, host_log):
    arrays = case.sample(np.random.default_rng(0), case.shapes, np.float32)
    cpu, cpu_grads = _run(case, arrays, "cpu")
    dev, dev_grads = _run(case, arrays, "cuda")
    assert host_log() == []
    assert dev.device.type == "cuda" and dev.dtype == cpu.dtype
    assert (dev.grad_fn is None) == (cpu.grad_fn is None)
    if cpu.grad_fn is not None:
        assert dev.grad_fn.name() == cpu.grad_fn.name()
    np.testing.assert_allclose(dev.detach().cpu().numpy(), cpu.detach().numpy(), case.rtol,
                               case.atol)  # fmt: skip
    for g_dev, g_cpu in zip(dev_grads, cpu_grads, strict=True):
        assert (g_dev is None) == (g_cpu is None)
        if g_cpu is not None:
            np.testing.assert_allclose(g_dev, g_cpu, case.rtol, case.atol)


#: functional in-place forms: (name, call on y = x * 1)
INPLACE = [
    ("torch.square_", lambda y: torch.square_(y)),
    ("torch.clamp_min_", lambda y: torch.clamp_min_(y, 0.0)),
    ("torch.tan_", lambda y: torch.tan_(y)),
]


@pytest.mark.parametrize("call", [c for _, c in INPLACE], ids=[n for n, _ in INPLACE])
def test_functional_in_place_forms_run_on_the_device(call, host_log):
    results = []
    for device in ("cpu", "cuda"):
        x = torch.tensor([0.3, -0.5, 0.8, 0.1], dtype=torch.float64, device=device,
                         requires_grad=True)  # fmt: skip
        y = x * 1
        out = call(y)
        assert out is y and y._version == 1
        y.sum().backward()
        results.append((y.detach().cpu().tolist(), y.grad_fn.name(), x.grad.cpu().tolist()))
    assert host_log() == []
    assert results[1][1] == results[0][1]
    for k in (0, 2):  # (the device's tan may differ in the last bit)
        np.testing.assert_allclose(results[1][k], results[0][k], rtol=1e-14)


#: in-place ops through the host fallback: the CPU op's node name, not CopyBackwards
FALLBACK_INPLACE = [
    ("cumsum_", lambda y: y.cumsum_(0), "CumsumBackward0"),
    ("cumprod_", lambda y: y.cumprod_(0), "CumprodBackward0"),
    ("renorm_", lambda y: y.renorm_(2, 0, 0.5), "RenormBackward0"),
]


@pytest.mark.parametrize("call,node", [c[1:] for c in FALLBACK_INPLACE],
                         ids=[c[0] for c in FALLBACK_INPLACE])  # fmt: skip
def test_in_place_ops_through_the_host_keep_the_cpus_node(call, node):
    results = []
    for device in ("cpu", "cuda"):
        x = torch.tensor([[0.3, -0.5], [0.8, 0.1], [1.5, -2.0]], dtype=torch.float64,
                         device=device, requires_grad=True)  # fmt: skip
        y = x * 1
        assert call(y) is y
        (y * torch.arange(6.0, dtype=torch.float64, device=device).reshape(3, 2)).sum().backward()
        results.append((y.detach().cpu().tolist(), y.grad_fn.name(), x.grad.cpu().tolist()))
    assert results[0][1] == node
    assert results[1][1] == node
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12)
    np.testing.assert_allclose(results[1][2], results[0][2], rtol=1e-12)


def _stft_grad(device):
    x = torch.tensor(np.linspace(-1, 1, 20), device=device, requires_grad=True)
    s = torch.stft(x, 8, window=torch.hann_window(8, dtype=torch.float64, device=device),
                   return_complex=True)  # fmt: skip
    s.abs().sum().backward()
    return s.detach().cpu().numpy(), x.grad.cpu().numpy()


def _pad_grad(device):
    x = torch.tensor(np.arange(6.0).reshape(1, 2, 3), device=device, requires_grad=True)
    out = torch.nn.functional.pad(x, (2, 1), mode="reflect")
    (out * torch.arange(12.0, device=device).reshape(1, 2, 6)).sum().backward()
    return out.detach().cpu().numpy(), x.grad.cpu().numpy()


@pytest.mark.parametrize("program", [_stft_grad, _pad_grad], ids=["stft", "reflect_pad"])
def test_host_ops_under_a_cuda_default_device(program):
    """The CPU op of a host fallback, and its backward, keep their own tensors on the host
    (they raised the device-mixing error); a CPU program under the default is unchanged."""
    want = program("cpu")
    torch.set_default_device("cuda")
    try:
        got = program(None)  # (None: the default device)
        got_cpu = program("cpu")
    finally:
        torch.set_default_device("cpu")
    for a, b, c in zip(want, got, got_cpu, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(c, a, rtol=1e-12, atol=1e-12)


ERRORS = [
    (lambda x: x.sum((0, -2)), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda x: x.mean((1, -1)), RuntimeError, "dim 1 appears multiple times in the list of dims"),
    (lambda x: x.sum(dim=1.5), TypeError, "sum() received an invalid combination of arguments"),
    (lambda x: x.amax(dim=1.5), TypeError, "amax(): argument 'dim' must be tuple of ints"),
]


@pytest.mark.parametrize("call,kind,message", ERRORS)
def test_reduction_dim_errors_are_the_cpus(call, kind, message):
    for device in ("cpu", "cuda"):
        with pytest.raises(kind) as info:
            call(torch.ones(2, 3, device=device))
        assert str(info.value).startswith(message)


def test_histogramdd_and_data_pointers_of_device_tensors():
    points = [[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.5, 1.5]]
    cpu = torch.histogramdd(torch.tensor(points), bins=[2, 2])
    dev = torch.histogramdd(torch.tensor(points, device="cuda"), bins=[2, 2])
    assert dev.hist.device.type == "cuda"
    assert dev.hist.cpu().tolist() == cpu.hist.tolist()
    assert [e.cpu().tolist() for e in dev.bin_edges] == [e.tolist() for e in cpu.bin_edges]
    x = torch.ones(3, device="cuda")
    assert x.const_data_ptr() == x.data_ptr()


@pytest.mark.parametrize("which", ["conv1d_input", "conv1d_weight"])
def test_nn_grad_convolutions_stay_on_the_device(which):
    """``torch.nn.grad.conv1d_input`` held the raw CPU conv1d in a closure (returned a host
    tensor, or the device-mixing error under a cuda default device)."""
    results = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(np.linspace(-1, 1, 2 * 4 * 7).reshape(2, 4, 7), device=device)
        w = torch.tensor(np.linspace(-1, 1, 6 * 4 * 3).reshape(6, 4, 3), device=device)
        g = torch.tensor(np.linspace(-1, 1, 2 * 6 * 4).reshape(2, 6, 4), device=device)
        fn = getattr(torch.nn.grad, which)
        out = fn(x.shape, w, g, 2, 1) if which.endswith("input") else fn(x, w.shape, g, 2, 1)
        assert out.device.type == device
        results.append(out.cpu().numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12, atol=1e-12)


#: (padding_idx, index dtype): the embedding's device kernels against the CPU op
EMBEDDING = [(None, "int64"), (2, "int64"), (-1, "int32")]


@pytest.mark.parametrize("padding_idx,index_dtype", EMBEDDING)
def test_embedding_runs_as_device_kernels(padding_idx, index_dtype, host_log):
    """Was the host fallback (a copy per step); now a gather kernel and a row-add kernel
    whose sums are added in the CPU's order: bitwise the CPU's values and gradients."""
    results = []
    for device in ("cpu", "cuda"):
        w = torch.tensor(np.linspace(-1, 1, 20).reshape(5, 4), device=device, requires_grad=True)
        i = torch.tensor([[0, 4, -1], [2, 2, 0]], dtype=getattr(torch, index_dtype), device=device)
        out = torch.nn.functional.embedding(i, w, padding_idx=padding_idx)
        weights = torch.arange(24.0, dtype=torch.float64, device=device).reshape(2, 3, 4)
        (out * weights).sum().backward()
        results.append((out.detach().cpu().numpy(), w.grad.cpu().numpy(), out.grad_fn.name()))
    assert host_log() == []
    assert results[1][2] == results[0][2] == "EmbeddingBackward0"
    assert np.array_equal(results[1][0], results[0][0])
    assert np.array_equal(results[1][1], results[0][1])


def test_embedding_index_out_of_range_is_reported_at_the_next_synchronization():
    out = torch.nn.functional.embedding(torch.tensor([5], device="cuda"),
                                        torch.ones(5, 2, device="cuda"))  # fmt: skip
    with pytest.raises(RuntimeError, match=r"device-side assert triggered\n\(embedding: index"):
        out.sum().item()
    assert torch.ones(1, device="cuda").item() == 1.0  # the flag was read once


def test_an_embedding_training_step_stays_on_the_device(host_log):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Embedding(10, 4), torch.nn.Flatten(), torch.nn.Linear(12, 3)
    ).cuda()
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    x = torch.tensor([[1, 2, 3], [4, 5, 9]], device="cuda")
    y = torch.tensor([0, 2], device="cuda")
    for _ in range(2):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    assert host_log() == []


def test_device_storage_is_shared_as_in_pytorch():
    """A CUDA tensor's storage is shared (``share_memory_`` is a no-op); the fallback marked
    a host copy, so ``is_shared()`` answered False."""
    x = torch.ones(2, device="cuda")
    assert x.is_shared()
    assert x.share_memory_() is x and x.is_shared()
    assert not torch.ones(2).is_shared()
