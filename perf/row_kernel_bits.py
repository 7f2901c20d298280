"""Bitwise check of the row kernels across two trees: layer_norm, softmax, log_softmax and
cross_entropy outputs and gradients (float32/64, serial and parallel sizes, affine or not).

    PYTHONPATH=<base tree> python perf/row_kernel_bits.py save /tmp/ref.npz
    PYTHONPATH=<branch tree> python perf/row_kernel_bits.py check /tmp/ref.npz
"""

import sys

import numpy as np

import jitgrad as torch
import jitgrad.nn.functional as F


def cases():
    rng = np.random.default_rng(0)
    for dt in (torch.float32, torch.float64):
        # (shape, normalized_shape): serial and parallel (>= 32768 elements) sizes, chunk edges
        for shape, ns in (
            ((3, 5), (5,)),
            ((7, 1), (1,)),
            ((130, 17), (17,)),
            ((2, 9, 4, 6), (4, 6)),
            ((600, 70), (70,)),
            ((4097, 9), (9,)),
            ((65, 513), (513,)),
        ):
            for affine in (False, True):
                x = torch.tensor(rng.standard_normal(shape) * 3 + 1).to(dt).requires_grad_()
                w = b = None
                if affine:
                    w = torch.tensor(rng.standard_normal(ns)).to(dt).requires_grad_()
                    b = torch.tensor(rng.standard_normal(ns)).to(dt).requires_grad_()
                y = F.layer_norm(x, ns, w, b, 1e-5)
                g = torch.tensor(rng.standard_normal(shape)).to(dt)
                y.backward(g)
                yield f"ln{shape}{affine}{dt}", [y, x.grad] + ([w.grad, b.grad] if affine else [])
        for shape in (
            (3, 5),
            (40, 33),
            (600, 70),
            (8, 3, 1500),
            (2, 1, 7),
            (100, 1500),
            (3, 300, 160),
        ):
            for dim in (-1, 0, 1):
                for fn in (F.softmax, F.log_softmax):
                    x = torch.tensor(rng.standard_normal(shape) * 4).to(dt).requires_grad_()
                    y = fn(x, dim=dim)
                    g = torch.tensor(rng.standard_normal(shape)).to(dt)
                    y.backward(g)
                    yield f"{fn.__name__}{shape}{dim}{dt}", [y, x.grad]
        for n, c in ((64, 10), (5000, 10), (3, 1)):
            x = torch.tensor(rng.standard_normal((n, c))).to(dt).requires_grad_()
            t = torch.tensor(rng.integers(0, c, n))
            for sm in (0.0, 0.1):
                x.grad = None
                loss = F.cross_entropy(x, t, label_smoothing=sm)
                loss.backward()
                yield f"ce{n}x{c}{sm}{dt}", [loss, x.grad]


out = {}
for k, ts in cases():
    for i, t in enumerate(ts):
        out[f"{k}#{i}"] = t.detach().numpy().copy()
if sys.argv[1] == "save":
    np.savez(sys.argv[2], **out)
else:
    ref = np.load(sys.argv[2])
    assert set(ref.files) == set(out), set(ref.files) ^ set(out)
    bad = [k for k in out if ref[k].dtype != out[k].dtype or ref[k].tobytes() != out[k].tobytes()]
    print(len(out), "arrays compared,", len(bad), "differ", bad[:10])
