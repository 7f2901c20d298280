"""Focused tests for what the session-13 corpus programs (a Fourier Neural Operator, d2l's anchor
boxes ...) needed that jitgrad lacked.

* A complex parameter in the flat-kernel optimizers (Adam, AdamW, SGD, RMSprop, Adagrad)
  updates as PyTorch's ``view_as_real`` of it: real and imaginary parts as separate elements
  (the kernels raised a Numba typing error on complex values before).
* ``torch.stack``/``torch.cat``/``torch.concat`` take NumPy's ``axis=`` for ``dim=``, as
  PyTorch's argument parser does (d2l's ``torch.stack((cx, cy, w, h), axis=-1)``); so do
  max/min/amax/amin/prod/std/var/any/all/logsumexp (with ``keepdims``), softmax/log_softmax,
  unsqueeze and chunk.
* ``tanh``'s backward is PyTorch's FMA-contracted ``g * (1 - y * y)``: near saturation the
  plain two-rounding form was off in the last bits (UvA tutorial 4's SGD with lr=10 on
  ``tanh(w) ** 2`` then drifted from PyTorch's trajectory).
* ``F.grid_sample(mode="bicubic")`` (it raised NotImplementedError): PyTorch's 16-tap cubic
  convolution, each integer tap moved by the padding mode.
* ``F.softmax``/``F.log_softmax`` (and ``nn.Softmax()``) without ``dim`` pick PyTorch's
  deprecated implicit dim (0 for 0-, 1- and 3-d inputs, else 1) with its warning, not the last.

Expected values are PyTorch 2.13's for the same calls (printed with ``.tolist()``).
"""

from __future__ import annotations

import math

import pytest

import jitgrad as torch
import jitgrad.nn.functional as F

#: (optimizer, keywords, PyTorch's view_as_real(p).flatten() after three steps)
COMPLEX_STEPS = [
    ("Adam", {"lr": 0.01, "weight_decay": 1e-4},
     [0.9700101017951965, 1.970004916191101, -0.4700213670730591, 0.22004739940166473,
      2.970003366470337, -0.9700101017951965]),
    ("AdamW", {"lr": 0.01},
     [0.9697132110595703, 1.9694080352783203, -0.46987444162368774, 0.21997550129890442,
      2.969106435775757, -0.9697131514549255]),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-3},
     [-0.5402249097824097, -1.0804498195648193, 0.46399247646331787, -0.23199623823165894,
      2.1925837993621826, -0.7308613061904907]),
    ("RMSprop", {"lr": 0.01},
     [0.7799822092056274, 1.775349497795105, -0.29043322801589966, 0.06614230573177338,
      2.77388858795166, -0.7799822688102722]),
    ("Adagrad", {"lr": 0.1},
     [0.7804561853408813, 1.7758214473724365, -0.2908991873264313, 0.06652790307998657,
      2.7743594646453857, -0.7804561257362366]),
    ("Adam", {"lr": 0.01, "amsgrad": True},
     [0.9700101017951965, 1.970004916191101, -0.4700213372707367, 0.22004738450050354,
      2.970003366470337, -0.9700101017951965]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "kw", "want"), COMPLEX_STEPS)
def test_complex_parameter_updates_as_its_real_view(name, kw, want) -> None:
    p = torch.nn.Parameter(torch.tensor([1 + 2j, -0.5 + 0.25j, 3 - 1j], dtype=torch.complex64))
    opt = getattr(torch.optim, name)([p], **kw)
    for _ in range(3):
        opt.zero_grad()
        (p * torch.tensor([1 - 1j, 2 + 0j, 0.5j])).abs().pow(2).sum().backward()
        opt.step()
    assert p.dtype == torch.complex64
    assert torch.view_as_real(p.detach()).flatten().tolist() == pytest.approx(want, abs=2e-7)
    assert all(v.dtype in (torch.float32, torch.complex64) for v in opt.state[p].values())


def test_complex_adam_state_stays_complex() -> None:
    p = torch.nn.Parameter(torch.ones(2, dtype=torch.complex64))
    opt = torch.optim.Adam([p])
    (p.abs() ** 2).sum().backward()
    opt.step()
    assert opt.state[p]["exp_avg"].dtype == torch.complex64
    assert opt.state[p]["exp_avg_sq"].dtype == torch.complex64


def test_stack_and_cat_take_numpy_axis() -> None:
    x = torch.arange(6.0).reshape(2, 3)
    assert torch.stack((x, x), axis=-1).shape == (2, 3, 2)
    assert torch.cat([x, x], axis=1).shape == (2, 6)
    assert torch.concat([x, x], axis=0).shape == (4, 3)
    y = torch.stack([x[:, 0], x[:, 1]], axis=1)
    assert y.tolist() == [[0.0, 1.0], [3.0, 4.0]]


@pytest.mark.parametrize(
    ("call", "want"),
    [
        (lambda x: x.max(axis=1).values.tolist(), [2.0, 5.0]),
        (lambda x: torch.min(x, axis=0, keepdims=True).values.tolist(), [[0.0, 1.0, 2.0]]),
        (lambda x: x.amax(axis=0).tolist(), [3.0, 4.0, 5.0]),
        (lambda x: torch.amin(x, axis=1, keepdims=True).tolist(), [[0.0], [3.0]]),
        (lambda x: x.prod(axis=0).tolist(), [0.0, 4.0, 10.0]),
        (lambda x: torch.var(x, axis=1).tolist(), [1.0, 1.0]),
        (lambda x: x.std(axis=1, keepdims=True).shape, (2, 1)),
        (lambda x: x.any(axis=0).tolist(), [True, True, True]),
        (lambda x: torch.all(x, axis=1).tolist(), [False, True]),
        (lambda x: x.logsumexp(axis=1, keepdims=True).shape, (2, 1)),
        (lambda x: torch.softmax(x, axis=1).sum(1).tolist(), pytest.approx([1.0, 1.0])),
        (lambda x: torch.log_softmax(x, axis=0).shape, (2, 3)),
        (lambda x: x.unsqueeze(axis=0).shape, (1, 2, 3)),
        (lambda x: torch.unsqueeze(x, axis=-1).shape, (2, 3, 1)),
        (lambda x: [c.shape for c in torch.chunk(x, 3, axis=1)], [(2, 1)] * 3),
    ],
)
def test_numpy_axis_spelling(call, want) -> None:
    assert call(torch.arange(6.0).reshape(2, 3)) == want


def test_tanh_backward_rounds_as_pytorchs_fused_kernel() -> None:
    # (points where jitgrad's float32 tanh itself is PyTorch's to the bit: its vectorizing
    # rational tanh is 1 ulp off at some others, 0.5 among them)
    x = torch.tensor([5.0, 4.8963695, 3.0, -2.5, 7.0], requires_grad=True)
    torch.tanh(x).backward(torch.tensor([1.0, 2.0, -3.0, 1.5, 1.0]))
    assert x.grad.tolist() == [
        0.0001815475116018206, 0.0004467714752536267, -0.029597945511341095,
        0.039888374507427216, 3.3378573789377697e-06,
    ]  # fmt: skip


def test_tanh_backward_float64_and_double_backward_still_exact() -> None:
    """(a guard, passes on main too: float64 and create_graph keep their values and names)"""
    x = torch.tensor([0.3, -1.2], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(torch.tanh(x).sum(), x, create_graph=True)
    t = [math.tanh(0.3), math.tanh(-1.2)]
    assert g.tolist() == pytest.approx([1 - v * v for v in t], rel=1e-15)
    assert type(g.grad_fn).__name__ == "TanhBackwardBackward0"
    (gg,) = torch.autograd.grad(g.sum(), x)
    assert gg.tolist() == pytest.approx([-2 * v * (1 - v * v) for v in t], rel=1e-12)


def test_softmax_without_dim_takes_pytorchs_implicit_dim() -> None:
    x = torch.arange(24.0).reshape(2, 3, 4) / 10
    msg = "Implicit dimension choice for softmax has been deprecated"
    with pytest.warns(UserWarning, match=msg):
        y = F.softmax(x)
    assert y[:, 0, 0].tolist() == pytest.approx([0.23147520422935486, 0.7685248255729675])
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        z = F.log_softmax(torch.arange(8.0).reshape(2, 2, 2, 1))
    assert z[0, :, 0, 0].tolist() == pytest.approx([-2.1269280910491943, -0.12692804634571075])
    with pytest.warns(UserWarning, match=msg):
        assert torch.nn.Softmax()(x).sum(0).flatten().tolist() == pytest.approx([1.0] * 12)
    with pytest.warns(UserWarning, match=msg):
        assert F.softmax(torch.tensor([1.0, 2.0])).sum().item() == pytest.approx(1.0)


#: (align_corners, padding_mode, PyTorch's out[0, 0] flattened, theta's gradient, x's gradient
#: at [0, 1, 1]) for a (1, 2, 2, 3) affine grid over a (1, 2, 3, 5) input
BICUBIC = [
    (False, "zeros", [-0.02706, 0.44787, 1.05652, 2.49942, 3.63211, 4.40719],
     [0.5517, 6.2978, -2.1468, -11.6016, -6.2068, -8.8484],
     [0.27308, 0.26374, 0.17189, -0.05948, 0.09524]),
    (True, "reflection", [0.78688, 0.72984, 0.71619, 2.69144, 3.45027, 3.76638],
     [1.5747, 2.3514, 0.6299, -4.3567, -4.3326, -0.4829],
     [0.09227, 0.07377, -0.01084, 0.2699, 0.24999]),
    (False, "border", [0.04925, 0.46829, 1.25747, 2.0822, 3.25107, 4.36469],
     [0.737, 1.543, 2.0445, 0.2983, 2.4183, 4.192],
     [0.23013, 0.26374, 0.17189, -0.05948, 0.13453]),
]  # fmt: skip


@pytest.mark.parametrize(("align", "pm", "want", "want_gt", "want_gx"), BICUBIC)
def test_grid_sample_bicubic(align, pm, want, want_gt, want_gx) -> None:
    x = (torch.arange(30.0).reshape(1, 2, 3, 5) ** 1.3 / 7).requires_grad_()
    theta = torch.tensor([[[0.9, -0.3, 0.15], [0.35, 1.2, -0.1]]], requires_grad=True)
    grid = F.affine_grid(theta, (1, 2, 2, 3), align_corners=align)
    out = F.grid_sample(x, grid, mode="bicubic", padding_mode=pm, align_corners=align)
    assert out.grad_fn.name() == "GridSampler2DBackward0"
    assert out[0, 0].flatten().tolist() == pytest.approx(want, abs=1e-5)
    w = torch.linspace(-1, 1, out.numel()).view_as(out)
    gx, gt = torch.autograd.grad((out * w).sum(), (x, theta))
    assert gt.flatten().tolist() == pytest.approx(want_gt, abs=2e-4)
    assert gx[0, 1, 1].tolist() == pytest.approx(want_gx, abs=1e-5)
