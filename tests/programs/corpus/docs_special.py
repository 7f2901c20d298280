"""torch.special examples from its docs: the "Example::" blocks of the docstrings of
torch.special.digamma, torch.special.entr, torch.special.erf, torch.special.erfc,
torch.special.erfcx, torch.special.erfinv, torch.special.exp2, torch.special.expit,
torch.special.expm1, torch.special.gammainc, torch.special.gammaincc, torch.special.gammaln,
torch.special.i0, torch.special.i0e, torch.special.i1, torch.special.i1e,
torch.special.log_ndtr, torch.special.log_softmax, torch.special.logit,
torch.special.multigammaln, torch.special.ndtr, torch.special.ndtri, torch.special.polygamma,
torch.special.sinc, torch.special.softmax, torch.special.xlog1py, torch.special.xlogy,
torch.special.zeta, pasted one after the other as a user runs them; a line whose REPL echo the
docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered at
https://pytorch.org/docs/stable/). Changes: print() goes around echoed expressions, and a block
that echoes nothing prints its last result's shape and first values; random inputs come from
torch.randn/rand, which the corpus harness feeds the same draws under both libraries.
"""

import math

import torch

# torch.special.digamma
a = torch.tensor([1, 0.5])
print(torch.special.digamma(a))

# torch.special.entr
a = torch.arange(-0.5, 1, 0.5)
print(a)
print(torch.special.entr(a))

# torch.special.erf
print(torch.special.erf(torch.tensor([0, -1.0, 10.0])))

# torch.special.erfc
print(torch.special.erfc(torch.tensor([0, -1.0, 10.0])))

# torch.special.erfcx
print(torch.special.erfcx(torch.tensor([0, -1.0, 10.0])))

# torch.special.erfinv
print(torch.special.erfinv(torch.tensor([0, 0.5, -1.0])))

# torch.special.exp2
print(torch.special.exp2(torch.tensor([0, math.log2(2.0), 3, 4])))

# torch.special.expit
t = torch.randn(4)
print(t)
print(torch.special.expit(t))

# torch.special.expm1
print(torch.special.expm1(torch.tensor([0, math.log(2.0)])))

# torch.special.gammainc
a1 = torch.tensor([4.0])
a2 = torch.tensor([3.0, 4.0, 5.0])
a = torch.special.gammaincc(a1, a2)
b = torch.special.gammainc(a1, a2) + torch.special.gammaincc(a1, a2)
print(b.shape)
print(b.flatten()[:4])

# torch.special.gammaincc
a1 = torch.tensor([4.0])
a2 = torch.tensor([3.0, 4.0, 5.0])
a = torch.special.gammaincc(a1, a2)
b = torch.special.gammainc(a1, a2) + torch.special.gammaincc(a1, a2)
print(b.shape)
print(b.flatten()[:4])

# torch.special.gammaln
a = torch.arange(0.5, 2, 0.5)
print(torch.special.gammaln(a))

# torch.special.i0
print(torch.i0(torch.arange(5, dtype=torch.float32)))

# torch.special.i0e
print(torch.special.i0e(torch.arange(5, dtype=torch.float32)))

# torch.special.i1
print(torch.special.i1(torch.arange(5, dtype=torch.float32)))

# torch.special.i1e
print(torch.special.i1e(torch.arange(5, dtype=torch.float32)))

# torch.special.log_ndtr
print(torch.special.log_ndtr(torch.tensor([-3.0, -2, -1, 0, 1, 2, 3])))

# torch.special.log_softmax
t = torch.ones(2, 2)
print(torch.special.log_softmax(t, 0))

# torch.special.logit
a = torch.rand(5)
print(a)
print(torch.special.logit(a, eps=1e-6))

# torch.special.multigammaln
a = torch.empty(2, 3).uniform_(1, 2)
print(a)
print(torch.special.multigammaln(a, 2))

# torch.special.ndtr
print(torch.special.ndtr(torch.tensor([-3.0, -2, -1, 0, 1, 2, 3])))

# torch.special.ndtri
print(torch.special.ndtri(torch.tensor([0, 0.25, 0.5, 0.75, 1])))

# torch.special.polygamma
a = torch.tensor([1, 0.5])
print(torch.special.polygamma(1, a))
print(torch.special.polygamma(2, a))
print(torch.special.polygamma(3, a))
print(torch.special.polygamma(4, a))

# torch.special.sinc
t = torch.randn(4)
print(t)
print(torch.special.sinc(t))

# torch.special.softmax
t = torch.ones(2, 2)
print(torch.special.softmax(t, 0))

# torch.special.xlog1py
x = torch.zeros(
    5,
)
y = torch.tensor([-1, 0, 1, float("inf"), float("nan")])
print(torch.special.xlog1py(x, y))
x = torch.tensor([1, 2, 3])
y = torch.tensor([3, 2, 1])
print(torch.special.xlog1py(x, y))
print(torch.special.xlog1py(x, 4))
print(torch.special.xlog1py(2, y))

# torch.special.xlogy
x = torch.zeros(
    5,
)
y = torch.tensor([-1, 0, 1, float("inf"), float("nan")])
print(torch.special.xlogy(x, y))
x = torch.tensor([1, 2, 3])
y = torch.tensor([3, 2, 1])
print(torch.special.xlogy(x, y))
print(torch.special.xlogy(x, 4))
print(torch.special.xlogy(2, y))

# torch.special.zeta
x = torch.tensor([2.0, 4.0])
print(torch.special.zeta(x, 1))
print(torch.special.zeta(x, torch.tensor([1.0, 2.0])))
print(torch.special.zeta(2, torch.tensor([1.0, 2.0])))
