"""The examples of PyTorch's documentation for everyday tensor operations, as a user pastes
them: torch.gather, Tensor.scatter_ / scatter_add_ / scatter_reduce, index_select,
masked_select, take_along_dim, torch.where, cumsum / cumprod / cummax, topk, sort, argsort,
unique (sorted, return_inverse, return_counts), unique_consecutive, bincount, histc,
bucketize / searchsorted, einsum (matrix product, trace, batch, outer, ellipsis), bmm,
baddbmm, addmm, outer, cross, kron, tril_indices, meshgrid, chunk / split / tensor_split,
stack / hstack / vstack, flip / roll / rot90, diag / diagonal / diag_embed, repeat_interleave,
clamp, lerp, logsumexp, nan_to_num, count_nonzero, amax / aminmax, std_mean, var (correction=0),
quantile, allclose / isclose / equal, and narrow.

Source: the "Example::" blocks of https://pytorch.org/docs/stable/torch.html and
https://pytorch.org/docs/stable/tensors.html (pytorch/pytorch docstrings, BSD-3-Clause).
Written for jitgrad's corpus, not copied. Changes: where an example uses torch.randn its
tensor is built from torch.arange or fixed values instead, so the printed values are
reproducible; several examples are gathered into one program.
"""

import torch

t = torch.tensor([[1, 2], [3, 4]])
print(torch.gather(t, 1, torch.tensor([[0, 0], [1, 0]])))

src = torch.arange(1, 11).reshape((2, 5))
index = torch.tensor([[0, 1, 2, 0]])
print(torch.zeros(3, 5, dtype=src.dtype).scatter_(0, index, src))
index = torch.tensor([[0, 1, 2], [0, 1, 4]])
print(torch.zeros(3, 5, dtype=src.dtype).scatter_(1, index, src))
print(torch.full((2, 4), 2.0).scatter_(1, torch.tensor([[2], [3]]), 1.23, reduce="multiply"))
src = torch.ones((2, 5))
index = torch.tensor([[0, 1, 2, 0, 0]])
print(torch.zeros(3, 5, dtype=src.dtype).scatter_add_(0, index, src))
src = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
index = torch.tensor([0, 1, 0, 1, 2, 1])
input = torch.tensor([1.0, 2.0, 3.0, 4.0])
print(input.scatter_reduce(0, index, src, reduce="sum"))
print(input.scatter_reduce(0, index, src, reduce="sum", include_self=False))
print(input.scatter_reduce(0, index, src, reduce="amax"))

x = torch.arange(12.0).reshape(3, 4) / 10 - 0.5
print(torch.index_select(x, 0, torch.tensor([0, 2])))
print(torch.index_select(x, 1, torch.tensor([0, 2])))
mask = x.ge(0.25)
print(mask)
print(torch.masked_select(x, mask))
t = torch.tensor([[10, 30, 20], [60, 40, 50]])
max_idx = torch.argmax(t)
print(torch.take_along_dim(t, max_idx))
sorted_idx = torch.argsort(t, dim=1)
print(torch.take_along_dim(t, sorted_idx, dim=1))

x = torch.tensor([[-0.4620, 0.3139], [0.3898, -0.7197], [0.0478, -0.1657]])
print(torch.where(x > 0, 1.0, 0.0))
print(torch.where(x > 0, x, torch.zeros(3, 2)))
print(torch.where(torch.tensor([[True, False], [False, True]])))

a = torch.tensor(
    [-0.8286, -0.4890, 0.5155, 0.8443, 0.1865, -0.1752, -2.0595, 0.5101, -0.3330, 1.1270]
)
print(torch.cumsum(a, dim=0))
print(torch.cumprod(a[:5], dim=0))
values, indices = torch.cummax(a, dim=0)
print(values, indices)

x = torch.arange(1.0, 6.0)
print(torch.topk(x, 3))
print(torch.topk(x, 2, largest=False))
x = torch.tensor([[0.0785, 1.5267, -0.8521, 0.4065], [0.1598, 0.0788, -0.0745, -1.2700]])
sorted, indices = torch.sort(x)
print(sorted, indices)
print(torch.sort(x, 0))
print(torch.sort(torch.tensor([0, 1] * 9), stable=True))
print(torch.argsort(x, dim=1, descending=True))

output = torch.unique(torch.tensor([1, 3, 2, 3], dtype=torch.long))
print(output)
output, inverse_indices = torch.unique(
    torch.tensor([1, 3, 2, 3], dtype=torch.long), sorted=True, return_inverse=True
)
print(output, inverse_indices)
output, inverse_indices = torch.unique(
    torch.tensor([[1, 3], [2, 3]], dtype=torch.long), sorted=True, return_inverse=True
)
print(output, inverse_indices)
a = torch.tensor(
    [[[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1]], [[0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 1, 1]]]
)
print(torch.unique(a, dim=0))
print(torch.unique(torch.tensor([2, 1, 2, 5, 1]), return_counts=True))
x = torch.tensor([1, 1, 2, 2, 3, 1, 1, 2])
print(torch.unique_consecutive(x))
print(torch.unique_consecutive(x, return_inverse=True))
print(torch.unique_consecutive(x, return_counts=True))

input = torch.tensor([4, 3, 6, 3, 4])
weights = torch.linspace(0, 1, steps=5)
print(torch.bincount(input))
print(input.bincount(weights))
print(torch.bincount(input, minlength=9))
print(torch.histc(torch.tensor([1.0, 2, 1]), bins=4, min=0, max=3))
boundaries = torch.tensor([1, 3, 5, 7, 9])
v = torch.tensor([[3, 6, 9], [3, 6, 9]])
print(torch.bucketize(v, boundaries))
print(torch.bucketize(v, boundaries, right=True))
sorted_sequence = torch.tensor([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]])
values = torch.tensor([[3, 6, 9], [3, 6, 9]])
print(torch.searchsorted(sorted_sequence, values))
print(torch.searchsorted(sorted_sequence, values, right=True))

a = torch.arange(6.0).reshape(2, 3)
b = torch.arange(12.0).reshape(3, 4) / 4
print(torch.einsum("ij,jk->ik", a, b))
print(torch.einsum("ii", torch.arange(9.0).reshape(3, 3)))
print(torch.einsum("ii->i", torch.arange(9.0).reshape(3, 3)))
print(torch.einsum("i,j->ij", torch.arange(1.0, 4.0), torch.arange(1.0, 3.0)))
As = torch.arange(24.0).reshape(3, 2, 4) / 10
Bs = torch.arange(60.0).reshape(3, 4, 5) / 10
print(torch.einsum("bij,bjk->bik", As, Bs))
print(torch.einsum("...ij->...ji", As).shape)
print(torch.einsum(As, [..., 0, 1], Bs, [..., 1, 2], [..., 0, 2]).shape)
print(torch.einsum("bn,anm,bm->ba", torch.ones(2, 5), torch.ones(3, 5, 4), torch.ones(2, 4)))

print(torch.bmm(As, Bs).shape)
M = torch.ones(3, 2, 5)
print(torch.baddbmm(M, As, Bs, beta=0.5, alpha=2)[0])
print(torch.addmm(torch.ones(2, 4), a, b, beta=1, alpha=0.5))
print(torch.outer(torch.arange(1.0, 5.0), torch.arange(1.0, 4.0)))
print(torch.linalg.cross(torch.tensor([[1.0, 0, 0]]), torch.tensor([[0.0, 1, 0]])))
print(torch.cross(torch.tensor([[1.0, 2, 3]]), torch.tensor([[4.0, 5, 6]]), dim=1))
print(torch.kron(torch.eye(2), torch.ones(2, 2)))
print(torch.tril_indices(3, 3))
print(torch.tril_indices(4, 3, -1))
print(torch.triu_indices(3, 3, 1))
x = torch.tensor([1, 2, 3])
y = torch.tensor([4, 5, 6])
grid_x, grid_y = torch.meshgrid(x, y, indexing="ij")
print(grid_x, grid_y)
print(torch.meshgrid(x, y, indexing="xy")[0])

print(torch.arange(11).chunk(6))
print(torch.arange(12).chunk(6))
print(torch.arange(10).reshape(5, 2).split(2))
print(torch.arange(10).reshape(5, 2).split([1, 4]))
print(torch.tensor_split(torch.arange(8), 3))
print(torch.tensor_split(torch.arange(7), (1, 6)))
print(torch.stack((a, a), dim=1).shape, torch.hstack((a, a)).shape, torch.vstack((a, a)).shape)
print(torch.dstack((torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6]))))
print(torch.column_stack((torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6]))))

x = torch.arange(8).view(2, 2, 2)
print(torch.flip(x, [0, 1]))
x = torch.tensor([1, 2, 3, 4, 5, 6, 7, 8]).view(4, 2)
print(torch.roll(x, 1))
print(torch.roll(x, 1, 0))
print(torch.roll(x, shifts=(2, 1), dims=(0, 1)))
x = torch.arange(4).view(2, 2)
print(torch.rot90(x, 1, [0, 1]))
print(torch.rot90(x, -1, [0, 1]))

a = torch.tensor([0.5950, -0.0872, 2.3298])
print(torch.diag(a))
print(torch.diag(a, 1))
m = torch.arange(9.0).reshape(3, 3)
print(torch.diag(m, -1), torch.diagonal(m, 1), torch.diagonal(m, offset=-1, dim1=1, dim2=0))
print(torch.diag_embed(torch.arange(6.0).reshape(2, 3)).shape)
x = torch.tensor([1, 2, 3])
print(x.repeat_interleave(2))
y = torch.tensor([[1, 2], [3, 4]])
print(torch.repeat_interleave(y, 2))
print(torch.repeat_interleave(y, 3, dim=1))
print(torch.repeat_interleave(y, torch.tensor([1, 2]), dim=0))
print(torch.repeat_interleave(torch.tensor([2, 1])))

a = torch.tensor([-1.7120, 0.1734, -0.0478, -0.0922])
print(torch.clamp(a, min=-0.5, max=0.5))
print(torch.clamp(a, min=torch.tensor([-0.1, 0.0, 0.1, 0.2])))
start = torch.arange(1.0, 5.0)
end = torch.empty(4).fill_(10)
print(torch.lerp(start, end, 0.5))
print(torch.lerp(start, end, torch.full_like(start, 0.5)))
print(torch.logsumexp(torch.arange(6.0).reshape(2, 3), dim=1))
x = torch.tensor([float("nan"), float("inf"), -float("inf"), 3.14])
print(torch.nan_to_num(x))
print(torch.nan_to_num(x, nan=2.0, posinf=1.0))
x = torch.tensor([[0, 1, 1, 0, 2], [0, 0, 0, 0, 3], [1, 0, 0, 0, 0]])
print(torch.count_nonzero(x), torch.count_nonzero(x, dim=0))
a = torch.tensor([[0.2035, 1.2959, 1.8101, -0.4644], [1.5027, -0.3270, 0.5905, 0.6538]])
print(torch.amax(a, 1), torch.amin(a, 0), torch.aminmax(a))
print(torch.std_mean(a, dim=1), torch.var(a, 1, correction=0), torch.var_mean(a, unbiased=False))
q = torch.tensor([0.25, 0.5, 0.75])
print(torch.quantile(a, q, dim=1, keepdim=True))
print(torch.quantile(torch.arange(4.0), 0.6, interpolation="nearest"))
print(torch.nanmean(torch.tensor([[float("nan"), 1], [1, 2]]), dim=0))

print(torch.allclose(torch.tensor([10000.0, 1e-07]), torch.tensor([10000.1, 1e-08])))
print(
    torch.allclose(
        torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")]), equal_nan=True
    )
)
print(torch.isclose(torch.tensor((1.0, 2, 3)), torch.tensor((1 + 1e-10, 3, 4))))
print(torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2])))
x = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
print(torch.narrow(x, 0, 0, 2))
print(torch.narrow(x, 1, 1, 2))
print(x.unfold(1, 2, 1))
print(torch.flatten(torch.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), start_dim=1))
print(torch.movedim(torch.arange(6).reshape(1, 2, 3), 1, 0).shape)
print(torch.argwhere(torch.tensor([[1, 0, 1], [0, 1, 1]])))
print(torch.nonzero(torch.tensor([0.6, 0.0, 0.0, 0.0]), as_tuple=True))
print(torch.diff(torch.tensor([1, 3, 2])), torch.diff(torch.tensor([[1, 2, 3], [3, 4, 5]]), dim=0))
print(
    torch.trapezoid(torch.tensor([1.0, 5.0, 10.0])),
    torch.cumulative_trapezoid(torch.tensor([1.0, 5.0, 10.0])),
)
print(
    torch.cdist(
        torch.tensor([[0.9041, 0.0196], [-0.3108, -2.4423]]),
        torch.tensor([[-2.1763, -0.4713], [-0.6986, 1.3702]]),
    )
)
print(torch.vander(torch.tensor([1, 2, 3, 5])))
