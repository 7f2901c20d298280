"""The API main gained after the CUDA backend landed, on the device: a representative op of
each new family (Tensor methods bound by ``jitgrad/tensor_api.py`` and
``functional_aliases``, distributions, ``torch.func``, checkpointing, the new nn modules)
runs on "cuda" with the CPU run's values and gradients, or raises PyTorch's error."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
from jitgrad import nn

RNG = np.random.default_rng(3)
A34 = RNG.standard_normal((3, 4)).astype(np.float32)
B34 = RNG.standard_normal((3, 4)).astype(np.float32)
P34 = (np.abs(A34) + 0.5).astype(np.float32)
I34 = RNG.integers(1, 9, (3, 4)).astype(np.int64)
W34 = RNG.standard_normal((3, 4)).astype(np.float32)


def _both(fn, *arrays):
    """``fn`` on CPU and on device leaves built from ``arrays``; the loss is a weighted sum
    of the (first) output, so each gradient element is checked. (values, grads) per device."""
    out = {}
    for dev in ("cpu", "cuda"):
        xs = [torch.tensor(a, device=dev, requires_grad=a.dtype.kind == "f") for a in arrays]
        y = fn(*xs)
        y = y[0] if isinstance(y, tuple) else y
        assert y.device.type == dev, (dev, y.device)
        grads = []
        if y.requires_grad:
            w = torch.tensor(
                np.random.default_rng(5).standard_normal(y.shape).astype(np.float32), device=dev
            )
            (y * w).sum().backward()
            grads = [x.grad.cpu().numpy() for x in xs if x.requires_grad]
        out[dev] = (y.detach().cpu().numpy(), grads)
    return out


def _same(out, rtol=1e-5, atol=1e-5):
    (v0, g0), (v1, g1) = out["cpu"], out["cuda"]
    np.testing.assert_allclose(v1, v0, rtol, atol)
    assert len(g0) == len(g1)
    for a, b in zip(g1, g0, strict=True):
        np.testing.assert_allclose(a, b, rtol, atol)


METHOD_CASES = {
    # tensor_inplace (an in-place op on a non-leaf, recorded by autograd)
    "square_": (lambda x: (x * 1).square_(), A34),
    "clamp_min_": (lambda x: (x * 1).clamp_min_(0.1), A34),
    "cumsum_": (lambda x: (x * 1).cumsum_(1), A34),
    "gt_": (lambda x, y: x.detach().clone().gt_(y.detach()), A34, B34),
    "divide_": (lambda x, y: (x * 1).divide_(y), A34, P34),
    # tensor_query
    "ravel": (lambda x: x.t().ravel(), A34),
    "narrow_copy": (lambda x: x.narrow_copy(1, 1, 2), A34),
    "split_with_sizes": (lambda x: x.split_with_sizes([1, 3], 1)[1], A34),
    "new_empty_strided": (lambda x: x.new_empty_strided((2, 2), (2, 1)).fill_(1.0), A34),
    # math_extra
    "dist": (lambda x, y: x.dist(y, 3), A34, B34),
    "logcumsumexp": (lambda x: x.logcumsumexp(1), A34),
    "cov": (lambda x: x.cov(), A34),
    "renorm": (lambda x: x.renorm(2, 0, 1.0), A34),
    "diagflat": (lambda x: x[0].diagflat(1), A34),
    "sum_to_size": (lambda x: x.sum_to_size(1, 4), A34),
    "frexp": (lambda x: x.frexp()[0], A34),
    "gcd": (lambda a, b: a.gcd(b), I34, I34[::-1].copy()),
    # scatter_extra / reduce_extra
    "index_put": (
        lambda x, v: x.index_put((torch.tensor([0, 2], device=x.device),), v[:2]),
        A34,
        B34,
    ),
    "masked_scatter": (lambda x, v: x.masked_scatter(x > 0, v), A34, B34),
    "slice_scatter": (lambda x, v: x.slice_scatter(v[:, :2], 1, 0, 2), A34, B34),
    "quantile": (lambda x: x.quantile(0.3, dim=1), A34),
    "scatter_reduce": (
        lambda x, v: x.scatter_reduce(
            1, torch.tensor([[0, 1, 0, 1]] * 3, device=x.device), v, "amax"
        ),
        A34,
        B34,
    ),
    "mode": (lambda x: x.mode(1)[1], I34),
    # api_small / functional_aliases
    "angle": (lambda x: x.angle(), A34),
    "adjoint": (lambda x: x.adjoint() * 2, A34),
    "hardshrink": (lambda x: x.hardshrink(0.3), A34),
    "prelu": (lambda x, w: x.prelu(w[0, :1]), A34, P34),
    "torch.conv1d": (
        lambda x, w: torch.conv1d(x.unsqueeze(0), w[:2, :3].reshape(2, 1, 3).expand(2, 3, 3)),
        A34,
        B34,
    ),
}


@pytest.mark.parametrize("name", sorted(METHOD_CASES))
def test_new_tensor_methods_match_the_cpu(name):
    fn, *arrays = METHOD_CASES[name]
    _same(_both(fn, *arrays))


def test_queries_describe_the_device_tensor():
    x = torch.ones(2, 3, device="cuda")
    assert x.get_device() == 0 and torch.ones(2).get_device() == -1
    assert not x.is_cpu and x.nbytes == 24 and x.storage_offset() == 0
    assert x.new(2).device == x.device and x.new_empty_strided((2,), (1,)).is_cuda
    assert x.is_signed() and x.is_same_size(torch.ones(2, 3, device="cuda"))


def test_random_methods_fill_device_tensors():
    torch.manual_seed(0)
    p = torch.full((4, 5), 0.5, device="cuda")
    b = p.bernoulli()
    assert b.is_cuda and set(b.cpu().flatten().tolist()) <= {0.0, 1.0}
    e = torch.empty(50, device="cuda").exponential_(2.0)
    assert e.is_cuda and bool((e.cpu() > 0).all())
    m = torch.tensor([[0.0, 1.0, 0.0]], device="cuda").multinomial(2, replacement=True)
    assert m.is_cuda and m.cpu().tolist() == [[1, 1]]


def test_distributions_log_prob_and_rsample_gradients_match_the_cpu():
    def normal(mu, log_sigma, x):
        d = torch.distributions.Normal(mu, log_sigma.exp())
        torch.manual_seed(1)
        return d.log_prob(x) + d.rsample() + d.entropy()

    _same(_both(normal, A34, B34 * 0.1, P34))

    def categorical(logits):
        d = torch.distributions.Categorical(logits=logits)
        return d.log_prob(torch.tensor([0, 3, 1], device=logits.device)) + d.entropy()

    _same(_both(categorical, A34))

    def gamma(concentration):  # drawn on the host: the sample and its gradient round-trip
        torch.manual_seed(2)
        return torch.distributions.Gamma(concentration, 2.0).rsample()

    _same(_both(gamma, P34))


def test_distribution_draws_follow_the_parameters_device():
    mu = torch.zeros(3, device="cuda")
    for d in (
        torch.distributions.Normal(mu, 1.0),
        torch.distributions.Uniform(mu, mu + 1),
        torch.distributions.Bernoulli(probs=mu + 0.5),
        torch.distributions.Categorical(probs=torch.ones(2, 3, device="cuda")),
        torch.distributions.Exponential(mu + 1),
        torch.distributions.Gamma(mu + 2, mu + 1),
        torch.distributions.Dirichlet(mu + 1),
        torch.distributions.Binomial(5, probs=mu + 0.5),
        torch.distributions.Multinomial(4, probs=mu + 1),
        torch.distributions.MultivariateNormal(mu, torch.eye(3, device="cuda")),
    ):
        assert d.sample().is_cuda and d.sample((2,)).is_cuda, d
        assert d.log_prob(d.sample()).is_cuda, d


def test_func_grad_and_vmap_on_device_tensors():
    def f(x):
        return (x.sin() * x).sum()

    def g(x, y):
        return x @ y.t()

    for dev in ("cpu", "cuda"):
        x = torch.tensor(A34, device=dev)
        y = torch.tensor(B34, device=dev)
        gr = torch.func.grad(f)(x)
        vm = torch.func.vmap(g, in_dims=(0, None))(x, y)
        assert gr.device.type == dev and vm.device.type == dev
        if dev == "cpu":
            ref = (gr.numpy(), vm.numpy())
    np.testing.assert_allclose(gr.cpu().numpy(), ref[0], 1e-5, 1e-5)
    np.testing.assert_allclose(vm.cpu().numpy(), ref[1], 1e-5, 1e-5)
    np.testing.assert_allclose(ref[0], np.sin(A34) + A34 * np.cos(A34), 1e-5, 1e-5)


def _model(dev, make):
    torch.manual_seed(0)
    return nn.Sequential(*make()).to(dev)


def _module_both(make, x, rtol=1e-5):
    """A module on both devices from the same seed: its output and parameter gradients."""
    got = {}
    for dev in ("cpu", "cuda"):
        torch.manual_seed(0)
        m = make().to(dev)
        inp = torch.tensor(x, device=dev, requires_grad=True)
        y = m(inp)
        assert y.device.type == dev
        (y * y).sum().backward()
        got[dev] = [y.detach().cpu().numpy(), inp.grad.cpu().numpy()] + [
            p.grad.cpu().numpy() for p in m.parameters()
        ]
    for a, b in zip(got["cuda"], got["cpu"], strict=True):
        np.testing.assert_allclose(a, b, rtol, 1e-5)
    return got


X4 = RNG.standard_normal((2, 3, 4, 4)).astype(np.float32)
MODULES = {
    "RMSNorm": (lambda: nn.RMSNorm(4), A34),
    "ZeroPad2d": (lambda: nn.ZeroPad2d((1, 0, 2, 1)), X4),
    "ReflectionPad2d": (lambda: nn.ReflectionPad2d(1), X4),
    "LazyLinear": (lambda: nn.Sequential(nn.Linear(4, 4), nn.LazyLinear(2)), A34),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_new_modules_match_the_cpu(name):
    make, x = MODULES[name]
    _module_both(make, x)


def test_lazy_linear_materializes_on_the_device():
    m = nn.LazyLinear(3).to("cuda")
    m(torch.ones(2, 5, device="cuda"))
    assert m.weight.is_cuda and m.bias.is_cuda and tuple(m.weight.shape) == (3, 5)


def test_grid_sample_matches_the_cpu():
    grid = (RNG.random((2, 3, 3, 2)) * 2 - 1).astype(np.float32)

    def f(x, g):
        return torch.nn.functional.grid_sample(x, g, align_corners=False)

    _same(_both(f, X4, grid))


def test_checkpoint_on_a_device_model():
    from jitgrad.utils.checkpoint import checkpoint

    def run(dev):
        m = _model(dev, lambda: (nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)))
        x = torch.tensor(A34, device=dev, requires_grad=True)
        y = checkpoint(m, x, use_reentrant=False)
        y.pow(2).sum().backward()
        return [y.detach().cpu().numpy(), x.grad.cpu().numpy(), m[0].weight.grad.cpu().numpy()]

    for a, b in zip(run("cuda"), run("cpu"), strict=True):
        np.testing.assert_allclose(a, b, 1e-5, 1e-5)


def test_averaged_model_on_the_device():
    from jitgrad.optim.swa_utils import AveragedModel

    got = {}
    for dev in ("cpu", "cuda"):
        m = _model(dev, lambda: (nn.Linear(4, 2),))
        avg = AveragedModel(m)
        with torch.no_grad():
            m[0].weight.mul_(3.0)
        avg.update_parameters(m)
        assert avg.module[0].weight.device == m[0].weight.device
        got[dev] = avg(torch.tensor(A34, device=dev)).detach().cpu().numpy()
    np.testing.assert_allclose(got["cuda"], got["cpu"], 1e-5, 1e-5)


def test_a_parametrized_module_moves_to_the_device():
    from jitgrad.nn.utils import parametrize

    class Symmetric(nn.Module):
        def forward(self, w):
            return w.triu() + w.triu(1).t()

    got = {}
    for dev in ("cpu", "cuda"):
        torch.manual_seed(0)
        m = nn.Linear(3, 3)
        parametrize.register_parametrization(m, "weight", Symmetric())
        m = m.to(dev)
        w = m.weight
        assert w.device.type == dev and m.parametrizations.weight.original.device.type == dev
        y = m(torch.tensor(A34[:, :3], device=dev))
        y.sum().backward()
        got[dev] = (w.detach().cpu().numpy(), m.parametrizations.weight.original.grad.cpu())
    np.testing.assert_allclose(got["cuda"][0], got["cpu"][0], 1e-6)
    np.testing.assert_allclose(got["cuda"][1].numpy(), got["cpu"][1].numpy(), 1e-5, 1e-5)
