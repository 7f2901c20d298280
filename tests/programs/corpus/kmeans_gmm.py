"""Classical clustering written with tensor ops, as blog posts on "k-means / GMM in PyTorch"
write it: k-means with torch.cdist, argmin assignments and index_add_/bincount centroid updates;
then a Gaussian mixture fitted by EM with log-probabilities, logsumexp responsibilities,
einsum-weighted covariances and MultivariateNormal log_prob, printing the log-likelihood.

Models: the k-means and EM recipes in many teaching repos (e.g. "kmeans_pytorch",
subhadarship/kmeans_pytorch, MIT); written for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501, B007  (one-line printouts; the loop counter is printed after the loop)

import math

import torch
from torch.distributions import MultivariateNormal

torch.manual_seed(0)
centers = torch.tensor([[0.0, 0.0], [3.0, 3.0], [0.0, 4.0]])
X = torch.cat([c + 0.5 * torch.randn(40, 2) for c in centers])
K = 3
C = X[torch.tensor([0, 40, 80])].clone()
for it in range(10):
    dist = torch.cdist(X, C)
    assign = dist.argmin(dim=1)
    counts = torch.bincount(assign, minlength=K).float()
    sums = torch.zeros(K, 2).index_add_(0, assign, X)
    new_C = sums / counts.unsqueeze(1)
    shift = (new_C - C).norm(dim=1).max()
    C = new_C
    if shift < 1e-4:
        break
print(it, C, counts)
inertia = ((X - C[assign]) ** 2).sum()
print(round(inertia.item(), 3))

pi = torch.full((K,), 1.0 / K)
mu = C.clone()
cov = torch.eye(2).repeat(K, 1, 1)
for step in range(8):
    log_p = torch.stack([MultivariateNormal(mu[k], cov[k]).log_prob(X) for k in range(K)], dim=1)
    log_w = log_p + pi.log()
    ll = torch.logsumexp(log_w, dim=1)
    resp = (log_w - ll.unsqueeze(1)).exp()
    Nk = resp.sum(0)
    pi = Nk / len(X)
    mu = resp.T @ X / Nk.unsqueeze(1)
    diff = X.unsqueeze(1) - mu.unsqueeze(0)
    cov = torch.einsum("nk,nki,nkj->kij", resp, diff, diff) / Nk.view(K, 1, 1) + 1e-6 * torch.eye(2)
    print(step, round(ll.sum().item(), 3))
print(pi.round(decimals=3), mu.round(decimals=3))
print(cov.diagonal(dim1=1, dim2=2).round(decimals=3))
print(round(-0.5 * 2 * math.log(2 * math.pi), 5), resp.argmax(1)[::20])
