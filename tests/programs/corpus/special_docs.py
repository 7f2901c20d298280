"""The examples of torch.special's documentation (and the matching torch.* functions): erf,
erfc, erfcx, erfinv, expit, logit (with eps), exp2, expm1, log1p, xlogy, xlog1py, i0, i0e, i1,
i1e, gammaln, digamma / psi, polygamma, multigammaln, ndtr, ndtri, log_ndtr, sinc, round,
softmax, log_softmax, logsumexp, entr, zeta, gammainc / gammaincc, and gradients of a few.

Docs: https://pytorch.org/docs/stable/special.html (pytorch/pytorch docstrings,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: fixed inputs where the docs
draw random ones; float64 where the docs' values are shown to many digits.
"""
# ruff: noqa: E501  (the source's code and long printouts, kept as written)

import torch

print(torch.special.erf(torch.tensor([0, -1.0, 10.0])))
print(torch.special.erfc(torch.tensor([0, -1.0, 5.0])))
print(torch.special.erfcx(torch.tensor([0, -1.0, 10.0])))
print(torch.special.erfinv(torch.tensor([0, 0.5, -1.0])))
t = torch.tensor([0.9213, 1.0887, -0.8858, -1.7683])
print(torch.special.expit(t))
a = torch.tensor([0.2796, 0.9331, 0.6486, 0.1523, 0.6516])
print(torch.special.logit(a, eps=1e-6), torch.special.logit(torch.tensor([0.0, 1.0]), eps=0.1))
print(torch.special.exp2(torch.tensor([0, 2.0, 5.0])))
print(torch.special.expm1(torch.tensor([0, 0.6931])))
print(torch.special.log1p(torch.tensor([-0.5, 1e-8, 2.0])))
x = torch.zeros(5)
y = torch.tensor([-1, 0, 1, float("inf"), float("nan")])
print(torch.special.xlogy(x, y))
x = torch.tensor([1, 2, 3])
y = torch.tensor([3, 2, 1])
print(torch.special.xlogy(x, y))
print(torch.special.xlogy(x, 4))
print(torch.special.xlogy(2, y))
print(torch.special.xlog1py(x, y), torch.special.xlog1py(torch.zeros(2), torch.tensor([-1.0, 0.5])))
print(torch.special.i0(torch.arange(5, dtype=torch.float32)))
print(torch.special.i0e(torch.arange(5, dtype=torch.float32)))
print(torch.special.i1(torch.arange(5, dtype=torch.float32)))
print(torch.special.i1e(torch.arange(5, dtype=torch.float32)))
a = torch.arange(0.5, 2, 0.5)
print(torch.special.gammaln(a))
a = torch.tensor([1, 0.5])
print(torch.special.digamma(a), torch.special.psi(a))
print(torch.special.polygamma(1, a), torch.special.polygamma(2, a), torch.special.polygamma(3, a))
a = torch.tensor([[1.6, 2.1, 1.9], [2.5, 3.0, 1.2]])
print(torch.special.multigammaln(a, 2))
print(torch.special.ndtr(torch.tensor([-3.0, -2, -1, 0, 1, 2, 3])))
print(torch.special.ndtri(torch.tensor([0, 0.25, 0.5, 0.75, 1])))
print(torch.special.log_ndtr(torch.tensor([-3.0, -2, -1, 0, 1, 2, 3])))
t = torch.tensor([0.2252, -0.2948, 1.0267, -1.1566, 0.0])
print(torch.special.sinc(t))
print(torch.special.round(torch.tensor([0.5, 1.5, 2.5, -0.5, 1.2345])))
t = torch.arange(6.0).view(2, 3)
print(torch.special.softmax(t, 0), torch.special.log_softmax(t, 1))
print(torch.special.logsumexp(t, 1), torch.special.logsumexp(t, (0, 1), keepdim=True))
a = torch.arange(-0.5, 1, 0.5)
print(torch.special.entr(a))
print(torch.special.zeta(torch.tensor([2.0, 4.0]), 1), torch.special.zeta(2, torch.tensor([1.0, 2.0])))
a1 = torch.tensor([4.0])
a2 = torch.tensor([3.0, 4.0, 5.0])
print(torch.special.gammaincc(a1, a2), torch.special.gammainc(a1, a2))
print(torch.special.gammainc(a1, a2) + torch.special.gammaincc(a1, a2))

x = torch.tensor([0.3, 1.2, 2.5], dtype=torch.float64, requires_grad=True)
for fn in (torch.special.erf, torch.special.erfinv, torch.special.gammaln, torch.special.digamma,
           torch.special.i0, torch.special.ndtr, torch.special.log_ndtr, torch.special.sinc,
           torch.special.entr, torch.special.expit, torch.special.erfcx):  # fmt: skip
    out = fn(x / 3)
    (g,) = torch.autograd.grad(out.sum(), x)
    print(out.grad_fn.name(), g)
(g,) = torch.autograd.grad(torch.special.xlog1py(x, x).sum(), x)
print(g)
