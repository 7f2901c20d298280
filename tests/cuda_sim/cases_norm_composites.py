"""The composites built on the vector norm stay on the device. ``torch.norm`` grew matrix
orders this session (frontend.linalg_norm), and jitgrad's composites import the vector norm
(frontend.reduce.norm) by name: once it was no longer the public op, the device wrapper missed
it and ``clip_grad_norm_``'s total norm came back on the host (two extra host-to-device copies
per step). Each result here must be on cuda:0 and equal the CPU's."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
import jitgrad.nn.functional as F

A = np.arange(1, 7, dtype=np.float32).reshape(2, 3) / 3

CASES = {
    "get_total_norm": lambda x: torch.nn.utils.get_total_norm([x, x * 2]),
    "normalize": lambda x: F.normalize(x),
    "cosine_similarity": lambda x: F.cosine_similarity(x, x + 1),
    "pairwise_distance": lambda x: F.pairwise_distance(x, x * 3),
    "cdist": lambda x: torch.cdist(x, x + 0.5),
    "dist": lambda x: torch.dist(x, x + 1),
    "renorm": lambda x: torch.renorm(x, 2, 0, 1.0),
    "norm": lambda x: torch.norm(x),
    "nuclear norm": lambda x: torch.norm(x, "nuc"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_norm_composite_stays_on_the_device(name: str) -> None:
    f = CASES[name]
    host = f(torch.tensor(A))
    dev = f(torch.tensor(A, device="cuda"))
    assert dev.device == torch.device("cuda", 0), dev.device
    np.testing.assert_allclose(dev.cpu().numpy(), host.numpy(), rtol=1e-5, atol=1e-6)
