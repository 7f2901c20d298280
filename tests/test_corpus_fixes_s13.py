"""Focused tests for what the session-13 corpus programs (a Fourier Neural Operator, d2l's anchor
boxes ...) needed that jitgrad lacked.

* A complex parameter in the flat-kernel optimizers (Adam, AdamW, SGD, RMSprop, Adagrad)
  updates as PyTorch's ``view_as_real`` of it: real and imaginary parts as separate elements
  (the kernels raised a Numba typing error on complex values before).
* ``torch.stack``/``torch.cat``/``torch.concat`` take NumPy's ``axis=`` for ``dim=``, as
  PyTorch's argument parser does (d2l's ``torch.stack((cx, cy, w, h), axis=-1)``).

Expected values are PyTorch 2.13's for the same calls (printed with ``.tolist()``).
"""

from __future__ import annotations

import pytest

import jitgrad as torch

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
