"""Gaussian-process regression with a Cholesky factor, after Rasmussen & Williams' Algorithm 2.1
as GPyTorch's and the d2l.ai GP chapter write it: an RBF kernel from squared distances
(torch.cdist), hyperparameters kept positive through softplus of raw parameters,
L = torch.linalg.cholesky(K + noise * I), alpha from torch.cholesky_solve, the negative log
marginal likelihood 0.5 y^T alpha + sum(log diag L) + n/2 log(2 pi), Adam on the raw
hyperparameters, then the predictive mean and variance via torch.linalg.solve_triangular.

Sources: https://d2l.ai/chapter_gaussian-processes/gp-inference.html (d2l-ai/d2l-en; CC BY-SA /
MIT-0 code), Rasmussen & Williams, Gaussian Processes for Machine Learning, Algorithm 2.1.
Written for jitgrad's corpus after their structure, not copied. Changes: float64 data, 20
training points, 25 Adam steps, no plotting.
"""
# ruff: noqa: E501, UP031  (the original's style, kept)

import math

import torch
import torch.nn.functional as F

torch.manual_seed(4)
torch.set_default_dtype(torch.float64)
train_x = torch.linspace(0, 1, 20).unsqueeze(-1)
train_y = torch.sin(train_x * (2 * math.pi)).squeeze(-1) + 0.1 * torch.randn(20)
test_x = torch.linspace(-0.1, 1.1, 7).unsqueeze(-1)


def rbf(a, b, lengthscale, outputscale):
    sq = torch.cdist(a / lengthscale, b / lengthscale).pow(2)
    return outputscale * torch.exp(-0.5 * sq)


raw_lengthscale = torch.zeros(1, requires_grad=True)
raw_outputscale = torch.zeros(1, requires_grad=True)
raw_noise = torch.tensor([-2.0], requires_grad=True)
optimizer = torch.optim.Adam([raw_lengthscale, raw_outputscale, raw_noise], lr=0.1)
n = train_x.shape[0]
for i in range(25):
    optimizer.zero_grad()
    ls, os_, noise = F.softplus(raw_lengthscale), F.softplus(raw_outputscale), F.softplus(raw_noise)
    K = rbf(train_x, train_x, ls, os_) + noise * torch.eye(n)
    L = torch.linalg.cholesky(K)
    alpha = torch.cholesky_solve(train_y.unsqueeze(-1), L)
    nll = 0.5 * (train_y.unsqueeze(-1) * alpha).sum() + torch.log(torch.diagonal(L)).sum() + 0.5 * n * math.log(2 * math.pi)
    nll.backward()
    optimizer.step()
    if i % 5 == 0:
        print("Iter %d - Loss: %.6f lengthscale: %.5f noise: %.5f" % (i, nll.item() / n, ls.item(), noise.item()))
print(nll.grad_fn.name(), raw_lengthscale.grad)
with torch.no_grad():
    ls, os_, noise = F.softplus(raw_lengthscale), F.softplus(raw_outputscale), F.softplus(raw_noise)
    K = rbf(train_x, train_x, ls, os_) + noise * torch.eye(n)
    L = torch.linalg.cholesky(K)
    alpha = torch.cholesky_solve(train_y.unsqueeze(-1), L)
    K_s = rbf(train_x, test_x, ls, os_)
    mean = (K_s.T @ alpha).squeeze(-1)
    v = torch.linalg.solve_triangular(L, K_s, upper=False)
    var = os_ - (v * v).sum(0)
    print("mean", mean)
    print("std", var.clamp_min(0).sqrt())
    print("log det", 2 * torch.log(torch.diagonal(L)).sum().item(), torch.logdet(K).item())
    lower, upper = mean - 2 * var.sqrt(), mean + 2 * var.sqrt()
    print(lower.dtype, (upper > lower).all().item())
