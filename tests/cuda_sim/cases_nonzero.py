"""``nonzero`` / ``argwhere`` / ``where(c)`` / ``x[mask]`` / ``masked_select`` on the device
(issue 15, Run nonzero17): before, ``nonzero`` read the device array with NumPy (the simulator
allows it; a GPU would fail or copy the whole mask). The coordinates must be NumPy's
(``np.argwhere``: row-major, int64), computed without the host fallback and without NumPy
touching a device array, with exactly one device-to-host read (the count, as PyTorch's CUDA
``nonzero`` synchronizes); ``x[mask]``'s gradient must be the CPU path's (``IndexBackward0``)."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch

RNG = np.random.default_rng(1517)


def _masks() -> dict:
    two = RNG.random((4, 5)) < 0.4
    return {
        "0d-true": np.array(True),
        "0d-false": np.array(False),
        "1d": RNG.random(7) < 0.5,
        "2d": two,
        "3d": RNG.random((2, 3, 4)) < 0.3,
        "4d": RNG.random((2, 1, 3, 2)) < 0.5,
        "none-set": np.zeros((3, 4), bool),
        "all-set": np.ones((2, 3), bool),
        "zero-size": np.zeros((3, 0), bool),
        "several-chunks": RNG.random(600) < 0.5,  # (chunks of 256: offsets carried over)
        "float": np.array([[0.0, -1.5, np.nan], [0.0, 0.0, 2.0]], np.float32),
        "int": np.array([0, 3, 0, -2], np.int64),
    }


MASKS = _masks()


@pytest.mark.parametrize("name", MASKS)
def test_nonzero_matches_numpy_without_reading_the_device_on_the_host(
    name, no_fallback, numpy_refused
):
    host = MASKS[name]
    d = torch.tensor(host, device="cuda")
    expect = np.argwhere(host)
    for out in (d.nonzero(), torch.nonzero(d), torch.argwhere(d)):
        assert out.is_cuda and out.dtype is torch.int64
        np.testing.assert_array_equal(out.cpu().numpy(), expect)
        assert out.cpu().numpy().shape == expect.shape
    cols = torch.nonzero(d, as_tuple=True)
    want = np.nonzero(host.reshape(1) if host.ndim == 0 else host)
    assert len(cols) == len(want)
    for c, w in zip(cols, want, strict=True):
        assert c.is_cuda and c.dtype is torch.int64
        np.testing.assert_array_equal(c.cpu().numpy(), w)
    if host.dtype == bool and host.ndim:
        for c, w in zip(torch.where(d), want, strict=True):
            np.testing.assert_array_equal(c.cpu().numpy(), w)


def test_a_non_contiguous_mask(no_fallback, numpy_refused):
    host = RNG.random((3, 5)) < 0.5
    d = torch.tensor(host, device="cuda")
    for dev, ref in ((d.t(), host.T), (d[:, ::2], host[:, ::2])):
        np.testing.assert_array_equal(dev.nonzero().cpu().numpy(), np.argwhere(ref))
    x = torch.tensor(RNG.standard_normal((5, 3)).astype(np.float32), device="cuda")
    np.testing.assert_array_equal(x[d.t()].cpu().numpy(), x.cpu().numpy()[host.T])


@pytest.mark.parametrize(
    "form",
    [
        lambda x, m: m.nonzero(),
        lambda x, m: torch.nonzero(m, as_tuple=True),
        lambda x, m: torch.argwhere(m),
        lambda x, m: x[m],
        lambda x, m: torch.masked_select(x, m),
        lambda x, m: x.index_put((m,), torch.tensor(1.0, device="cuda")),
    ],
    ids=["nonzero", "as_tuple", "argwhere", "getitem", "masked_select", "index_put"],
)
def test_one_read_back_per_call(form, host_copies):
    x = torch.tensor(RNG.standard_normal((4, 5)).astype(np.float32), device="cuda")
    m = torch.tensor(RNG.random((4, 5)) < 0.5, device="cuda")
    form(x, m)  # (warm: compiles, pools)
    before = host_copies[0]
    form(x, m)
    assert host_copies[0] - before == 1


@pytest.mark.parametrize("shape,k", [((4, 3, 2), 2), ((6,), 1), ((3, 4), 2), ((3, 4), 1)])
def test_mask_read_gradients_match_the_cpu(shape, k, no_fallback):
    xs = RNG.standard_normal(shape).astype(np.float32)
    ms = RNG.random(shape[:k]) < 0.5
    ms.flat[0] = True
    out = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(xs, device=device, requires_grad=True)
        y = x[torch.tensor(ms, device=device)]
        w = torch.tensor(
            np.linspace(0.5, 2, y.numel(), dtype=np.float32), device=device, requires_grad=True
        )
        (g,) = torch.autograd.grad((y * w.reshape(tuple(y.shape))).sum(), x, create_graph=True)
        (gg,) = torch.autograd.grad((g * g).sum(), w)  # (the gradient's graph, recorded)
        out.append((y.detach().cpu().numpy(), y.grad_fn.name(), g.detach().cpu().numpy(),
                    gg.cpu().numpy()))  # fmt: skip
    (v, node, g, gg), (dv, dnode, dg, dgg) = out
    assert node == dnode == "IndexBackward0"
    np.testing.assert_array_equal(dv, v)
    np.testing.assert_array_equal(dv, xs[ms])
    np.testing.assert_array_equal(dg, g)
    np.testing.assert_allclose(dgg, gg, rtol=1e-6)


def test_an_empty_selection_has_a_zero_gradient(no_fallback):
    x = torch.tensor(np.ones((2, 3), np.float32), device="cuda", requires_grad=True)
    y = x[torch.zeros((2, 3), dtype=torch.bool, device="cuda")]
    assert tuple(y.shape) == (0,) and y.is_cuda
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), np.zeros((2, 3), np.float32))
