"""nn.utils.weight_norm / remove_weight_norm; expected values printed by PyTorch 2.13 for the
same float64 module (weight_v = [[0.5, -1, 2], [1.5, 0.25, -0.5]], weight_g = 0.7, bias
[0.1, -0.2], x and the output weighting below)."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.nn.utils import remove_weight_norm, weight_norm

V = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]]
X = [[1.0, 2.0, -1.0], [0.5, -0.5, 0.25]]
OUT_W = [[1.0, -2.0], [0.5, 3.0]]
EXPECTED = {  # dim -> (output, weight_g.grad, weight_v.grad, weight_g shape)
    0: (
        [[-0.9692676621563626, 0.8932163332202425], [0.48188130791298667, 0.018643266644048417]],
        [[-1.2547528688569562], [-2.186432666440485]],
        [[0.4655314991701171, 0.3673334485639205, 0.06728384948943106],
         [0.677260850336443, -2.2557585802544513, 0.9039032608821028]],
        (2, 1),
    ),
    1: (
        [[-1.7159398140934101, 0.973403121211659], [0.7200045306821925, 0.0047079511736049795]],
        [[-0.07905694150420949, -3.031695312954162, -1.515847656477081]],
        [[0.5644665623400555, -0.808927643503534, 0.2022319108758835],
         [-0.18815552078001854, -3.2357105740141363, 0.8089276435035341]],
        (1, 3),
    ),
    None: (
        [[-0.7765386471799174, 0.426099033699941], [0.4130495168499705, -0.07478019326001184]],
        -2.2807893370497854,
        [[0.4152288791498009, 0.23391059899029795, 0.18958278740434212],
         [0.18131828015950283, -1.326328192989955, 0.5865295747701047]],
        (),
    ),
}  # fmt: skip


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_pytorch(dim: int | None) -> None:
    m = weight_norm(torch.nn.Linear(3, 2, dtype=torch.float64), dim=dim)
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight_g", "weight_v"]
    out, g_grad, v_grad, g_shape = EXPECTED[dim]
    assert tuple(m.weight_g.shape) == g_shape
    with torch.no_grad():
        m.weight_v.copy_(torch.tensor(V, dtype=torch.float64))
        m.weight_g.fill_(0.7)
        m.bias.copy_(torch.tensor([0.1, -0.2], dtype=torch.float64))
    y = m(torch.tensor(X, dtype=torch.float64))
    np.testing.assert_allclose(y.tolist(), out, rtol=1e-13)
    (y * torch.tensor(OUT_W, dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(m.weight_g.grad.tolist(), g_grad, rtol=1e-13)
    np.testing.assert_allclose(m.weight_v.grad.tolist(), v_grad, rtol=1e-13, atol=1e-15)


def test_weight_norm_keeps_the_function_and_can_be_removed() -> None:
    torch.manual_seed(0)
    lin = torch.nn.Linear(4, 3)
    x = torch.randn(2, 4)
    before = lin(x)
    weight_norm(lin)
    assert torch.allclose(lin(x), before, atol=1e-6)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        weight_norm(lin)
    remove_weight_norm(lin)
    assert [n for n, _ in lin.named_parameters()] == ["bias", "weight"]
    assert torch.allclose(lin(x), before, atol=1e-6)
