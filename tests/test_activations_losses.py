"""nn activations, losses, containers and gradient clipping added for PyTorch programs.

Forward values are checked against float64 numpy formulas written here from the math (not
from jitgrad's declarations); first and second derivatives by gradcheck/gradgradcheck in
float64; node names and reprs against PyTorch 2.x's.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import jitgrad as torch
import jitgrad.nn as nn
import jitgrad.nn.functional as F
from jitgrad.autograd import gradcheck, gradgradcheck

X = np.array([-3.1, -1.7, -0.6, -0.2, 0.15, 0.7, 1.4, 2.6])


def x64(values=X, requires_grad=True):
    return torch.tensor(values, dtype=torch.float64, requires_grad=requires_grad)


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


SELU_A, SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

# (callable, numpy reference, PyTorch's node name)
ACTIVATIONS = {
    "softplus": (F.softplus, lambda a: np.log(1 + np.exp(a)), "SoftplusBackward0"),
    "softplus_beta": (
        lambda x: F.softplus(x, beta=2.0, threshold=3.0),
        lambda a: np.where(2 * a > 3, a, np.log(1 + np.exp(2 * a)) / 2),
        "SoftplusBackward0",
    ),
    "elu": (F.elu, lambda a: np.where(a > 0, a, np.exp(a) - 1), "EluBackward0"),
    "selu": (
        F.selu,
        lambda a: SELU_S * np.where(a > 0, a, SELU_A * (np.exp(a) - 1)),
        "EluBackward0",
    ),
    "celu": (
        lambda x: F.celu(x, alpha=2.0),
        lambda a: np.where(a > 0, a, 2 * (np.exp(a / 2) - 1)),
        "CeluBackward0",
    ),
    "leaky_relu": (F.leaky_relu, lambda a: np.where(a > 0, a, 0.01 * a), "LeakyReluBackward0"),
    "hardtanh": (F.hardtanh, lambda a: np.clip(a, -1, 1), "HardtanhBackward0"),
    "relu6": (lambda x: F.relu6(x * 3), lambda a: np.clip(3 * a, 0, 6), "HardtanhBackward0"),
    "silu": (F.silu, lambda a: a * sigmoid(a), "SiluBackward0"),
    "mish": (F.mish, lambda a: a * np.tanh(np.log(1 + np.exp(a))), "MishBackward0"),
    "logsigmoid": (F.logsigmoid, lambda a: np.log(sigmoid(a)), "LogSigmoidBackward0"),
    "hardsigmoid": (
        lambda x: F.hardsigmoid(x * 2),
        lambda a: np.clip(2 * a / 6 + 0.5, 0, 1),
        "HardsigmoidBackward0",
    ),
    "hardswish": (
        lambda x: F.hardswish(x * 2),
        lambda a: 2 * a * np.clip(2 * a / 6 + 0.5, 0, 1),
        "HardswishBackward0",
    ),
    "softshrink": (
        F.softshrink,
        lambda a: np.where(a > 0.5, a - 0.5, np.where(a < -0.5, a + 0.5, 0)),
        "SoftshrinkBackward0",
    ),
    "hardshrink": (F.hardshrink, lambda a: np.where(np.abs(a) > 0.5, a, 0), "HardshrinkBackward0"),
    "threshold": (
        lambda x: F.threshold(x, 0.1, 20.0),
        lambda a: np.where(a > 0.1, a, 20.0),
        "ThresholdBackward0",
    ),
    "tanhshrink": (F.tanhshrink, lambda a: a - np.tanh(a), "SubBackward0"),
    "softsign": (F.softsign, lambda a: a / (1 + np.abs(a)), "DivBackward0"),
    "gelu": (
        F.gelu,
        lambda a: a / 2 * (1 + np.vectorize(math.erf)(a / math.sqrt(2))),
        "GeluBackward0",
    ),
    "gelu_tanh": (
        lambda x: F.gelu(x, approximate="tanh"),
        lambda a: a / 2 * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a**3))),
        "GeluBackward0",
    ),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_values_node_and_derivatives(name: str) -> None:
    fn, ref, node = ACTIVATIONS[name]
    x = x64()
    y = fn(x)
    np.testing.assert_allclose(y.detach().numpy(), ref(X), rtol=1e-12, atol=1e-14)
    assert y.grad_fn.name() == node
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
    y32 = fn(torch.tensor(X, dtype=torch.float32))
    assert y32.dtype is torch.float32
    np.testing.assert_allclose(y32.numpy(), ref(X), rtol=1e-5, atol=1e-6)


def test_softplus_threshold_and_extremes_follow_pytorch() -> None:
    x = torch.tensor([25.0, 20.0, -100.0, 0.0])
    y = F.softplus(x)
    assert y[0].item() == 25.0  # above the threshold: exactly the input
    assert y[1].item() == pytest.approx(math.log1p(math.exp(20.0)), rel=1e-6)
    assert 0 < y[2].item() < 1e-40 or y[2].item() == 0.0
    assert y[3].item() == pytest.approx(math.log(2), rel=1e-6)
    assert F.softplus(torch.tensor([1e4])).item() == 1e4  # no overflow


@pytest.mark.parametrize(
    ("fn", "ref"),
    [
        (F.elu_, lambda a: np.where(a > 0, a, np.exp(a) - 1)),
        (F.leaky_relu_, lambda a: np.where(a > 0, a, 0.01 * a)),
        (F.hardtanh_, lambda a: np.clip(a, -1, 1)),
        (lambda x: F.threshold_(x, 0.0, -2.0), lambda a: np.where(a > 0, a, -2.0)),
        (lambda x: F.silu(x, inplace=True), lambda a: a * sigmoid(a)),
    ],
)
def test_inplace_activations_write_into_input_with_correct_gradients(fn, ref) -> None:
    leaf = x64()
    x = leaf * 1.0
    out = fn(x)
    assert out is x
    np.testing.assert_allclose(x.detach().numpy(), ref(X), rtol=1e-12)
    expected = x64(requires_grad=True)
    (F_ref := fn(expected * 1.0)).sum().backward()
    x.sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), expected.grad.numpy())
    assert F_ref.grad_fn is not None


def test_prelu_per_channel_weights() -> None:
    rng = np.random.default_rng(0)
    xv = rng.standard_normal((2, 3, 4))
    wv = np.array([0.1, 0.2, -0.3])
    x, w = x64(xv), x64(wv)
    y = F.prelu(x, w)
    expected = np.where(xv > 0, xv, wv[None, :, None] * xv)
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-12)
    assert y.grad_fn.name() == "PreluKernelBackward0"
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.where(xv > 0, 0, xv).sum((0, 2)), rtol=1e-12)
    assert gradcheck(F.prelu, (x, w))
    assert gradgradcheck(F.prelu, (x, w))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel"):
        F.prelu(x, x64([0.1, 0.2]))
    m = nn.PReLU(3)
    assert repr(m) == "PReLU(num_parameters=3)" and m.weight.tolist() == pytest.approx([0.25] * 3)


def test_glu_and_softmin() -> None:
    xv = np.arange(12.0).reshape(3, 4) / 7 - 0.5
    x = x64(xv)
    y = F.glu(x)
    np.testing.assert_allclose(y.detach().numpy(), xv[:, :2] * sigmoid(xv[:, 2:]), rtol=1e-12)
    assert y.grad_fn.name() == "GluBackward0"
    assert gradcheck(lambda t: F.glu(t, 0 if t.shape[0] % 2 == 0 else 1), (x,))
    assert gradgradcheck(F.glu, (x,))
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 0 is"):
        F.glu(x, 0)
    s = F.softmin(x, dim=1).detach().numpy()
    e = np.exp(-xv)
    np.testing.assert_allclose(s, e / e.sum(1, keepdims=True), rtol=1e-12)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        F.softmin(x)


def test_activation_module_reprs_and_forward() -> None:
    expected = {
        nn.Softplus(): "Softplus(beta=1.0, threshold=20.0)",
        nn.Softplus(beta=2, threshold=5): "Softplus(beta=2, threshold=5)",
        nn.ELU(): "ELU(alpha=1.0)",
        nn.ELU(alpha=0.5, inplace=True): "ELU(alpha=0.5, inplace=True)",
        nn.CELU(): "CELU(alpha=1.0)",
        nn.SELU(): "SELU()",
        nn.LeakyReLU(): "LeakyReLU(negative_slope=0.01)",
        nn.LeakyReLU(0.2, True): "LeakyReLU(negative_slope=0.2, inplace=True)",
        nn.Hardtanh(): "Hardtanh(min_val=-1.0, max_val=1.0)",
        nn.ReLU6(): "ReLU6()",
        nn.ReLU6(inplace=True): "ReLU6(inplace=True)",
        nn.SiLU(): "SiLU()",
        nn.Mish(): "Mish()",
        nn.LogSigmoid(): "LogSigmoid()",
        nn.Hardsigmoid(): "Hardsigmoid()",
        nn.Hardswish(): "Hardswish()",
        nn.Softshrink(): "Softshrink(0.5)",
        nn.Hardshrink(0.3): "Hardshrink(0.3)",
        nn.Threshold(0.1, 20): "Threshold(threshold=0.1, value=20)",
        nn.Tanhshrink(): "Tanhshrink()",
        nn.Softsign(): "Softsign()",
        nn.Softmin(dim=1): "Softmin(dim=1)",
        nn.GLU(): "GLU(dim=-1)",
        nn.Unflatten(1, (2, 3)): "Unflatten(dim=1, unflattened_size=(2, 3))",
    }
    for module, text in expected.items():
        assert repr(module) == text
    x = torch.tensor([[-2.0, 0.5]])
    assert nn.LeakyReLU(0.5)(x).tolist() == [[-1.0, 0.5]]
    assert nn.Softplus(beta=2.0)(x).tolist()[0] == pytest.approx(
        [math.log1p(math.exp(-4)) / 2, math.log1p(math.exp(1)) / 2], rel=1e-6
    )
    assert nn.Unflatten(1, (2, 3))(torch.zeros(4, 6)).shape == (4, 2, 3)
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints"):
        nn.Unflatten(1, 6)


def test_activations_train_in_a_model() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.SiLU(), nn.Linear(8, 8), nn.ELU(), nn.Linear(8, 1))
    x = torch.randn(64, 3)
    y = (x**2).sum(1, keepdim=True)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    first = None
    for _ in range(60):
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        first = first if first is not None else loss.item()
        loss.backward()
        opt.step()
    assert loss.item() < 0.3 * first


# ---- losses -------------------------------------------------------------------------------
A = np.array([[0.3, -1.2, 2.5], [0.05, 0.9, -0.4]])
B = np.array([[0.1, 0.8, 0.2], [-0.6, 0.95, -0.4]])


def _reduced(v, reduction):
    return {"mean": v.mean(), "sum": v.sum(), "none": v}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_smooth_l1_and_huber(reduction: str) -> None:
    d = np.abs(A - B)
    beta, delta = 0.7, 1.5
    sl1 = np.where(d < beta, 0.5 * d**2 / beta, d - 0.5 * beta)
    hub = np.where(d < delta, 0.5 * d**2, delta * (d - 0.5 * delta))
    x, t = x64(A), x64(B)
    out = F.smooth_l1_loss(x, t, reduction=reduction, beta=beta)
    np.testing.assert_allclose(out.detach().numpy(), _reduced(sl1, reduction), rtol=1e-12)
    assert out.grad_fn.name() == "SmoothL1LossBackward0"
    out = F.huber_loss(x, t, reduction=reduction, delta=delta)
    np.testing.assert_allclose(out.detach().numpy(), _reduced(hub, reduction), rtol=1e-12)
    assert out.grad_fn.name() == "HuberLossBackward0"
    for fn in (
        lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=beta),
        lambda a, b: F.huber_loss(a, b, reduction=reduction, delta=delta),
    ):
        assert gradcheck(fn, (x, t))
        assert gradgradcheck(fn, (x, t))


def test_smooth_l1_default_module_and_errors() -> None:
    d = np.abs(A - B)
    expected = np.where(d < 1, 0.5 * d**2, d - 0.5).mean()
    got = nn.SmoothL1Loss()(torch.tensor(A), torch.tensor(B)).item()
    assert got == pytest.approx(expected, rel=1e-12)
    l1 = F.smooth_l1_loss(x64(A), x64(B), beta=0.0)
    assert l1.item() == pytest.approx(d.mean(), rel=1e-12)
    with pytest.raises(RuntimeError, match="smooth_l1_loss does not support negative values"):
        F.smooth_l1_loss(x64(A), x64(B), beta=-1.0)
    with pytest.raises(RuntimeError, match="huber_loss does not support non-positive values"):
        F.huber_loss(x64(A), x64(B), delta=0.0)
    with pytest.raises(ValueError, match="meanx is not a valid value for reduction"):
        F.huber_loss(x64(A), x64(B), reduction="meanx")
    with pytest.warns(UserWarning, match="Using a target size"):
        F.smooth_l1_loss(x64(A), x64(B[0]))
    assert repr(nn.HuberLoss()) == "HuberLoss()" and repr(nn.SmoothL1Loss()) == "SmoothL1Loss()"


def test_soft_margin_kl_div_and_margin_losses() -> None:
    y = np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
    x = x64(A)
    sm = F.soft_margin_loss(x, x64(y, False))
    assert sm.item() == pytest.approx(np.log(1 + np.exp(-y * A)).mean(), rel=1e-12)
    assert sm.grad_fn.name() == "SoftMarginLossBackward0"
    assert gradcheck(lambda a: F.soft_margin_loss(a, x64(y, False)), (x,))

    logp = A - np.log(np.exp(A).sum(1, keepdims=True))
    q = np.exp(B) / np.exp(B).sum(1, keepdims=True)
    kl = F.kl_div(x64(logp), x64(q, False), reduction="batchmean")
    assert kl.item() == pytest.approx((q * (np.log(q) - logp)).sum() / 2, rel=1e-12)
    assert kl.grad_fn.name() == "DivBackward0"
    with pytest.warns(UserWarning, match="reduction: 'mean' divides the total loss by both"):
        F.kl_div(x64(logp), x64(q, False))
    log_q = F.kl_div(x64(logp), x64(np.log(q), False), reduction="sum", log_target=True)
    assert log_q.item() == pytest.approx((q * (np.log(q) - logp)).sum(), rel=1e-12)
    zero_t = F.kl_div(x64(logp), x64(np.zeros_like(q), False), reduction="sum")
    assert zero_t.item() == 0.0  # 0 * log 0 counts as 0

    x1, x2, t = A[0], A[1], np.array([1.0, -1.0, 1.0])
    mr = F.margin_ranking_loss(x64(x1), x64(x2), x64(t, False), margin=0.2)
    assert mr.item() == pytest.approx(np.maximum(0, -t * (x1 - x2) + 0.2).mean(), rel=1e-12)
    he = F.hinge_embedding_loss(x64(A), x64(y, False), margin=1.0, reduction="sum")
    assert he.item() == pytest.approx(np.where(y == 1, A, np.maximum(0, 1 - A)).sum(), rel=1e-12)
    cos = (A * B).sum(1) / np.sqrt((A * A).sum(1) * (B * B).sum(1))
    ce = F.cosine_embedding_loss(x64(A), x64(B), x64([1.0, -1.0], False), margin=0.1)
    expected = np.array([1 - cos[0], max(0.0, cos[1] - 0.1)]).mean()
    assert ce.item() == pytest.approx(expected, rel=1e-9)


def test_nll_family_and_triplet() -> None:
    target = np.abs(B) * 3
    p = F.poisson_nll_loss(x64(A), x64(target, False))
    assert p.item() == pytest.approx((np.exp(A) - target * A).mean(), rel=1e-12)
    rate = np.abs(A) + 0.5
    p2 = F.poisson_nll_loss(x64(rate), x64(target, False), log_input=False, full=True)
    stirling = target * np.log(target) - target + 0.5 * np.log(2 * np.pi * target)
    full = rate - target * np.log(rate + 1e-8) + np.where(target > 1, stirling, 0)
    assert p2.item() == pytest.approx(full.mean(), rel=1e-12)
    var = np.abs(B) + 0.1
    g = F.gaussian_nll_loss(x64(A), x64(B, False), x64(var), full=True)
    expected = (0.5 * (np.log(var) + (A - B) ** 2 / var) + 0.5 * np.log(2 * np.pi)).mean()
    assert g.item() == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="var has negative entry"):
        F.gaussian_nll_loss(x64(A), x64(B), x64(-var))
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(x64(A), x64(B), x64(var[:, :2]))
    anchor, pos, neg = A, B, A[::-1].copy()
    dp = np.linalg.norm(anchor - pos + 1e-6, axis=1)
    dn = np.linalg.norm(anchor - neg + 1e-6, axis=1)
    tm = F.triplet_margin_loss(x64(anchor), x64(pos), x64(neg), margin=1.0)
    assert tm.item() == pytest.approx(np.maximum(0, 1.0 + dp - dn).mean(), rel=1e-12)
    y = (B > 0).astype(float)
    ml = F.multilabel_soft_margin_loss(x64(A), x64(y, False))
    per = -(y * np.log(sigmoid(A)) + (1 - y) * np.log(sigmoid(-A)))
    assert ml.item() == pytest.approx(per.mean(1).mean(), rel=1e-12)


def test_loss_modules_forward_their_options() -> None:
    a, b = torch.tensor(A), torch.tensor(B)
    assert nn.HuberLoss(delta=0.5)(a, b).item() == F.huber_loss(a, b, delta=0.5).item()
    assert nn.SmoothL1Loss(beta=0.5, reduction="sum")(a, b).item() == pytest.approx(
        F.smooth_l1_loss(a, b, beta=0.5, reduction="sum").item()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert nn.KLDivLoss()(a, b.exp()).item() == F.kl_div(a, b.exp()).item()
    t = torch.tensor([1.0, -1.0])
    assert (
        nn.CosineEmbeddingLoss(0.1)(a, b, t).item() == F.cosine_embedding_loss(a, b, t, 0.1).item()
    )
    assert nn.CosineSimilarity()(a, b).shape == (2,)
    assert nn.PairwiseDistance()(a, b).shape == (2,)
    with pytest.raises(ValueError, match="TripletMarginLoss: expected margin to be greater"):
        nn.TripletMarginLoss(margin=0)


def test_vector_helpers() -> None:
    v = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(F.normalize(x64(v)).detach().numpy(), [[0.6, 0.8], [0, 0]])
    u = np.array([[1.0, 2.0, 2.0], [1.0, 0.0, 0.0]])
    w = np.array([[2.0, 1.0, 2.0], [0.0, 3.0, 0.0]])
    cs = F.cosine_similarity(x64(u), x64(w))
    np.testing.assert_allclose(cs.detach().numpy(), [8 / 9, 0.0], atol=1e-15)
    assert gradcheck(F.cosine_similarity, (x64(u), x64(w)))
    pd = F.pairwise_distance(x64(u), x64(w), p=1.0)
    np.testing.assert_allclose(pd.detach().numpy(), np.abs(u - w + 1e-6).sum(1), rtol=1e-12)
    oh = F.one_hot(torch.tensor([2, 0]), 4)
    assert oh.tolist() == [[0, 0, 1, 0], [1, 0, 0, 0]] and oh.dtype is torch.int64
    assert F.one_hot(torch.tensor([1, 3])).shape == (2, 4)
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        F.one_hot(torch.tensor([5]), 3)


def test_xlogy() -> None:
    x = torch.tensor([0.0, 0.0, 2.0, 3.0])
    y = torch.tensor([0.0, float("nan"), 3.0, 0.5])
    out = torch.xlogy(x, y)
    assert out[0].item() == 0.0 and math.isnan(out[1].item())
    assert out[2:].tolist() == pytest.approx([2 * math.log(3), 3 * math.log(0.5)], rel=1e-6)
    assert gradcheck(torch.xlogy, (x64([0.5, 2.0]), x64([1.5, 0.7])))


# ---- containers ---------------------------------------------------------------------------
def test_module_dict() -> None:
    md = nn.ModuleDict({"lin": nn.Linear(2, 3), "act": nn.ReLU()})
    assert list(md.keys()) == ["lin", "act"] and len(md) == 2 and "lin" in md
    assert len(list(md.parameters())) == 2
    md["out"] = nn.Linear(3, 1)
    assert [k for k, _ in md.items()] == ["lin", "act", "out"]
    assert set(md.state_dict()) == {"lin.weight", "lin.bias", "out.weight", "out.bias"}
    assert isinstance(md.pop("act"), nn.ReLU) and list(md) == ["lin", "out"]
    md.update([("extra", nn.Tanh())])
    assert list(md) == ["lin", "out", "extra"]
    assert repr(nn.ModuleDict({"a": nn.ReLU()})) == "ModuleDict(\n  (a): ReLU()\n)"
    with pytest.raises(TypeError, match="ModuleDict.update should be called with an iterable"):
        md.update(3)
    with pytest.raises(ValueError, match="ModuleDict update sequence element #0 has length 1"):
        md.update([("x",)])

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Linear(2, 1)})

        def forward(self, x, head):
            return self.heads[head](x)

    net = Net()
    assert net(torch.ones(1, 2), "b").shape == (1, 1)
    assert len(list(net.parameters())) == 4


def test_parameter_list_and_dict() -> None:
    pl = nn.ParameterList([nn.Parameter(torch.zeros(3)), torch.ones(2, 2)])
    assert len(pl) == 2 and isinstance(pl[1], nn.Parameter) and pl[1].requires_grad
    pl.append(torch.zeros(1))
    assert len(list(pl.parameters())) == 3 and list(dict(pl.named_parameters())) == ["0", "1", "2"]
    assert pl[-1].shape == (1,)
    assert repr(pl) == (
        "ParameterList(\n"
        "    (0): Parameter containing: [jitgrad.float32 of size 3]\n"
        "    (1): Parameter containing: [jitgrad.float32 of size 2x2]\n"
        "    (2): Parameter containing: [jitgrad.float32 of size 1]\n"
        ")"
    )
    with pytest.raises(TypeError, match="ParameterList.extend should be called with an iterable"):
        pl.extend(torch.zeros(2))
    pd = nn.ParameterDict({"w": torch.ones(2), "b": nn.Parameter(torch.zeros(1))})
    assert list(pd) == ["w", "b"] and isinstance(pd["w"], nn.Parameter)
    assert repr(nn.ParameterDict({"a": torch.zeros(2)})) == (
        "ParameterDict(  (a): Parameter containing: [torch.FloatTensor of size 2])"
    )
    pd["c"] = torch.zeros(4)
    assert len(pd) == 3 and "c" in pd and pd.get("zz") is None
    assert pd.pop("w").shape == (2,) and list(pd.keys()) == ["b", "c"]
    with pytest.raises(TypeError, match="Index given to ParameterDict cannot be used as a key"):
        pd[1] = torch.zeros(1)

    class Mix(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = nn.ParameterList([nn.Parameter(torch.ones(2)) for _ in range(3)])

        def forward(self, x):
            for w in self.ws:
                x = x * w
            return x.sum()

    m = Mix()
    m(torch.full((2,), 2.0)).backward()
    assert [w.grad.tolist() for w in m.ws] == [[2.0, 2.0]] * 3
    assert list(m.state_dict()) == ["ws.0", "ws.1", "ws.2"]


def test_sequential_and_module_list_editing() -> None:
    seq = nn.Sequential(nn.ReLU(), nn.Tanh())
    seq.insert(1, nn.Sigmoid())
    assert [type(m).__name__ for m in seq] == ["ReLU", "Sigmoid", "Tanh"]
    del seq[0]
    assert list(seq._modules) == ["0", "1"] and isinstance(seq[0], nn.Sigmoid)
    seq.extend([nn.ReLU()])
    assert isinstance(seq.pop(2), nn.ReLU) and len(seq) == 2
    ml = nn.ModuleList([nn.ReLU()])
    ml += [nn.Tanh()]
    ml.insert(0, nn.Sigmoid())
    assert [type(m).__name__ for m in ml] == ["Sigmoid", "ReLU", "Tanh"]
    del ml[1]
    assert list(ml._modules) == ["0", "1"]


# ---- gradient clipping --------------------------------------------------------------------
def _params_with_grads(grads):
    ps = []
    for g in grads:
        p = nn.Parameter(torch.zeros(len(g), dtype=torch.float64))
        p.grad = torch.tensor(g, dtype=torch.float64)
        ps.append(p)
    return ps


def test_clip_grad_norm() -> None:
    grads = [[3.0, 4.0], [12.0]]
    ps = _params_with_grads(grads)
    total = nn.utils.clip_grad_norm_(ps, max_norm=1.0)
    assert total.item() == pytest.approx(13.0)
    coef = 1.0 / (13.0 + 1e-6)
    assert ps[0].grad.tolist() == pytest.approx([3 * coef, 4 * coef], rel=1e-12)
    assert ps[1].grad.tolist() == pytest.approx([12 * coef], rel=1e-12)
    ps = _params_with_grads(grads)
    nn.utils.clip_grad_norm_(ps, max_norm=100.0)
    assert ps[0].grad.tolist() == [3.0, 4.0]  # never scaled up
    ps = _params_with_grads([[3.0, -7.0], [5.0]])
    assert nn.utils.clip_grad_norm_(ps, 1.0, norm_type="inf").item() == 7.0
    ps = _params_with_grads([[1.0, 2.0], [3.0]])
    assert nn.utils.clip_grad_norm_(ps, 100.0, norm_type=1).item() == 6.0
    ps = _params_with_grads([[float("inf")]])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from"):
        nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert nn.utils.clip_grad_norm_([nn.Parameter(torch.zeros(2))], 1.0).item() == 0.0


def test_clip_grad_value_and_vector_conversion() -> None:
    ps = _params_with_grads([[3.0, -0.5], [-7.0]])
    assert nn.utils.clip_grad_value_(ps, 1.0) is None
    assert ps[0].grad.tolist() == [1.0, -0.5] and ps[1].grad.tolist() == [-1.0]
    lin = nn.Linear(2, 2)
    vec = nn.utils.parameters_to_vector(lin.parameters())
    assert vec.shape == (6,)
    nn.utils.vector_to_parameters(torch.arange(6.0), lin.parameters())
    assert lin.weight.tolist() == [[0.0, 1.0], [2.0, 3.0]] and lin.bias.tolist() == [4.0, 5.0]
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        nn.utils.vector_to_parameters([1.0], lin.parameters())


# ---- pad and attention --------------------------------------------------------------------
def test_constant_pad_values_crop_and_gradient() -> None:
    a = np.arange(12.0).reshape(3, 4)
    x = x64(a)
    y = F.pad(x, (1, 2, 0, 1), value=-1.0)
    np.testing.assert_array_equal(
        y.detach().numpy(), np.pad(a, ((0, 1), (1, 2)), constant_values=-1.0)
    )
    assert y.grad_fn.name() == "ConstantPadNdBackward0"
    cropped = F.pad(x, (-1, 1))
    np.testing.assert_array_equal(cropped.detach().numpy(), np.pad(a[:, 1:], ((0, 0), (0, 1))))
    assert gradcheck(lambda t: F.pad(t, (2, -1, -1, 1)), (x,))
    assert gradgradcheck(lambda t: F.pad(t, (1, 1)) ** 2, (x,))
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(NotImplementedError, match="^Unrecognised padding mode wrap$"):
        F.pad(x, (1, 1), mode="wrap")


def test_scaled_dot_product_attention_matches_its_formula() -> None:
    rng = np.random.default_rng(4)
    q, k, v = (rng.standard_normal(s) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 6)))

    def reference(mask=None):
        s = q @ k.transpose(0, 2, 1) / math.sqrt(4)
        if mask is not None:
            s = np.where(mask, s, -np.inf)
        w = np.exp(s - s.max(-1, keepdims=True))
        return (w / w.sum(-1, keepdims=True)) @ v

    out = F.scaled_dot_product_attention(x64(q), x64(k), x64(v))
    np.testing.assert_allclose(out.detach().numpy(), reference(), rtol=1e-12)
    mask = rng.random((3, 5)) > 0.3
    mask[:, 0] = True
    masked = F.scaled_dot_product_attention(x64(q), x64(k), x64(v), attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(masked.detach().numpy(), reference(mask), rtol=1e-12)
    causal = F.scaled_dot_product_attention(x64(q), x64(q), x64(q), is_causal=True)
    s = q @ q.transpose(0, 2, 1) / 2.0
    s = np.where(np.tril(np.ones((3, 3))) > 0, s, -np.inf)
    w = np.exp(s - s.max(-1, keepdims=True))
    np.testing.assert_allclose(causal.detach().numpy(), (w / w.sum(-1, keepdims=True)) @ q)
    assert gradcheck(F.scaled_dot_product_attention, (x64(q), x64(k), x64(v)))
