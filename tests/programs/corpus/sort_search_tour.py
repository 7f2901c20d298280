"""Sorting, searching and counting (torch docs examples): sort with ties and stable=True,
argsort descending, topk/kthvalue, searchsorted and bucketize with right=, unique with
inverse/counts/dim, unique_consecutive, isin, histc/histogram, bincount with weights.

Model: https://pytorch.org/docs/stable/torch.html#sorting (pytorch/pytorch, BSD-3-Clause).
Written for jitgrad's corpus, not copied.
"""

import torch

x = torch.tensor([3, 1, 2, 3, 1, 0, 2, 3])
print(x.sort(), x.sort(descending=True, stable=True))
print(torch.sort(x.float(), stable=True).indices, x.argsort(descending=True, stable=True))
print(x.topk(3), x.topk(3, largest=False, sorted=True), x.float().kthvalue(4))
m = torch.tensor([[0.3, -1.0, 2.0], [1.0, 1.0, -2.0]])
print(m.sort(dim=0), m.argsort(dim=1), m.msort(), m.topk(1, dim=0))
print(m.max(dim=1), m.min(0), m.argmax(), m.argmin(dim=1, keepdim=True))
edges = torch.tensor([1.0, 3.0, 5.0, 7.0, 9.0])
vals = torch.tensor([[3.0, 6.0, 9.0], [3.0, 6.0, 10.0]])
print(torch.searchsorted(edges, vals), torch.searchsorted(edges, vals, right=True))
print(torch.searchsorted(edges, vals, side="right"), torch.searchsorted(edges, 4.0))
print(torch.bucketize(vals, edges), torch.bucketize(vals, edges, right=True, out_int32=True))
unsorted = torch.tensor([5.0, 1.0, 3.0])
print(torch.searchsorted(unsorted, torch.tensor([2.0, 4.0]), sorter=unsorted.argsort()))
print(torch.unique(x), torch.unique(x, return_inverse=True), torch.unique(x, return_counts=True))
print(torch.unique(torch.tensor([[1, 2], [1, 2], [0, 3]]), dim=0, return_counts=True))
print(
    torch.unique_consecutive(
        torch.tensor([1, 1, 2, 2, 3, 1, 1]), return_counts=True, return_inverse=True
    )
)
print(torch.isin(x, torch.tensor([1, 3])), torch.isin(x, torch.tensor([1, 3]), invert=True))
print(torch.histc(torch.tensor([1.0, 2, 1, 4, 2.5]), bins=4, min=0, max=4))
h = torch.histogram(torch.tensor([1.0, 2, 1, 4, 2.5]), bins=3)
print(h, h.hist, h.bin_edges)
print(
    torch.histogram(
        torch.tensor([1.0, 2, 1]),
        torch.tensor([0.0, 1.5, 3.0]),
        weight=torch.tensor([1.0, 2.0, 4.0]),
    )
)
print(
    torch.bincount(x),
    torch.bincount(x, weights=x.float() / 2),
    torch.bincount(torch.tensor([1]), minlength=4),
)
print(
    torch.count_nonzero(m),
    torch.count_nonzero(m, dim=0),
    (x == 3).nonzero(),
    (x == 3).nonzero(as_tuple=True),
)
print(torch.argwhere(m > 0), torch.where(m > 0), torch.masked_select(m, m > 0))
print(torch.mode(torch.tensor([1, 2, 2, 3, 3])), torch.median(torch.tensor([4.0, 1.0, 3.0, 2.0])))
print(
    torch.tensor([4.0, 1.0, 3.0, 2.0]).nanmedian(),
    torch.quantile(torch.tensor([1.0, 2.0, 4.0, 8.0]), 0.4),
)
print(
    torch.quantile(
        torch.tensor([1.0, 2.0, 4.0, 8.0]), torch.tensor([0.25, 0.5]), interpolation="nearest"
    )
)
print(
    torch.cummax(torch.tensor([1, 3, 2, 5, 4]), 0), torch.cummin(torch.tensor([3.0, 1.0, 2.0]), 0)
)
