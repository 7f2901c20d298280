"""fast.ai course22p2 (Practical Deep Learning part 2), notebook 02_meanshift.ipynb: six
clusters sampled with MultivariateNormal, Gaussian and triangular kernels, mean-shift written
point by point (broadcasting a point against all data, in-place row assignment), then in
batches with a pairwise distance by broadcasting, checked with einsum and @.

Source: https://github.com/fastai/course22p2/blob/master/nbs/02_meanshift.ipynb (Apache-2.0).
Written for jitgrad's corpus from that notebook's code cells. Changes: 40 samples per cluster
(source 250) and a batch of 60 in the batched version (source 500), so the point-by-point loop
stays short; plots and the animation are left out; %time is dropped; echoed notebook
expressions are printed; the two meanshift results are summarised (sorted, rounded) and
compared.
"""
# ruff: noqa: B007, E402, E701, UP034  (the original's style, kept)
import math
from functools import partial

import torch

torch.manual_seed(42)
torch.set_printoptions(precision=3, linewidth=140, sci_mode=False)

n_clusters=6
n_samples =40

centroids = torch.rand(n_clusters, 2)*70-35
print(centroids)

from torch import tensor
from torch.distributions.multivariate_normal import MultivariateNormal


def sample(m): return MultivariateNormal(m, torch.diag(tensor([5.,5.]))).sample((n_samples,))

slices = [sample(c) for c in centroids]
data = torch.cat(slices)
print(data.shape)

midp = data.mean(0)
print(midp)

def gaussian(d, bw): return torch.exp(-0.5*((d/bw))**2) / (bw*math.sqrt(2*math.pi))

x = torch.linspace(0,10,100)
print(partial(gaussian, bw=2.5)(x)[::10])

def tri(d, i): return (-d+i).clamp_min(0)/i

print(partial(tri, i=8)(x)[::10])

X = data.clone()
x = data[0]
print(x)
print(x.shape,X.shape,x[None].shape)
print((x[None]-X)[:8])
print((x-X)[:8])

# rewrite using torch.einsum
dist = ((x-X)**2).sum(1).sqrt()
print(dist[:8])

weight = gaussian(dist, 2.5)
print(weight)
print(weight.shape,X.shape)
print(weight[:,None].shape)
print(weight[:,None]*X)

def one_update(X):
    for i, x in enumerate(X):
        dist = torch.sqrt(((x-X)**2).sum(1))
#         weight = gaussian(dist, 2.5)
        weight = tri(dist, 8)
        X[i] = (weight[:,None]*X).sum(0)/weight.sum()

def meanshift(data):
    X = data.clone()
    for it in range(5): one_update(X)
    return X

X=meanshift(data)
print(X[::n_samples])
print((X[::n_samples] - (centroids)).abs().max() < 5)

bs=5
X = data.clone()
x = X[:bs]
print(x.shape,X.shape)

def dist_b(a,b): return (((a[None]-b[:,None])**2).sum(2)).sqrt()

print(dist_b(X, x))
print(dist_b(X, x).shape)
print(X[None,:].shape, x[:,None].shape, (X[None,:]-x[:,None]).shape)

weight = gaussian(dist_b(X, x), 2)
print(weight)
print(weight.shape,X.shape)
print(weight[...,None].shape, X[None].shape)

num = (weight[...,None]*X[None]).sum(1)
print(num.shape)
print(num)
print(torch.einsum('ij,jk->ik', weight, X))
print(weight@X)

div = weight.sum(1, keepdim=True)
print(div.shape)
print(num/div)

def meanshift(data, bs=500):
    n = len(data)
    X = data.clone()
    for it in range(5):
        for i in range(0, n, bs):
            s = slice(i, min(i+bs,n))
            weight = gaussian(dist_b(X, X[s]), 2.5)
#             weight = tri(dist_b(X, X[s]), 8)
            div = weight.sum(1, keepdim=True)
            X[s] = weight@X/div
    return X

X2 = meanshift(data, bs=60)
print(X2[::n_samples])
print(X2.shape, (X2[::n_samples] - X[::n_samples]).shape)
