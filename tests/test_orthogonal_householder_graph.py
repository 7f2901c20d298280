"""``nn.utils.parametrizations.orthogonal(..., orthogonal_map='householder')`` builds the
graph PyTorch 2.13 builds: its Q comes from one ``LinalgHouseholderProductBackward0`` node
(the node names below were read off real PyTorch for a ``Linear(5, 3)``)."""

from __future__ import annotations

import numpy as np

import jitgrad as torch

#: PyTorch 2.13's graph of the parametrized weight, depth first, indented by depth
PYTORCH_GRAPH = [
    (0, "TransposeBackward0"),
    (1, "MmBackward0"),
    (2, "MulBackward0"),
    (3, "LinalgHouseholderProductBackward0"),
    (4, "TrilBackward0"),
    (5, "TransposeBackward0"),
    (6, "torch::autograd::AccumulateGrad"),
    (4, "MulBackward0"),
    (5, "ReciprocalBackward0"),
    (6, "AddBackward0"),
]


def _walk(node, depth: int = 0, out: list | None = None) -> list:
    out = [] if out is None else out
    if node is not None and depth <= 6:
        out.append((depth, node.name()))
        for nxt, _ in node.next_functions:
            _walk(nxt, depth + 1, out)
    return out


def test_householder_map_graph_and_orthogonality() -> None:
    torch.manual_seed(0)
    m = torch.nn.utils.parametrizations.orthogonal(
        torch.nn.Linear(5, 3), orthogonal_map="householder"
    )
    w = m.weight
    assert _walk(w.grad_fn) == PYTORCH_GRAPH
    np.testing.assert_allclose((w @ w.mT).detach().numpy(), np.eye(3), atol=1e-6)
    w.sum().backward()
    g = m.parametrizations.weight.original.grad.numpy()
    assert np.isfinite(g).all() and np.abs(g).sum() > 0
