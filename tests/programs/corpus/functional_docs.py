"""The examples of torch.nn.functional's documentation: one_hot, pad (constant, reflect,
replicate, circular), interpolate (nearest, bilinear with and without align_corners,
bicubic), unfold / fold, pixel_shuffle / pixel_unshuffle, embedding (padding_idx, max_norm),
embedding_bag (sum / mean / max with offsets), cosine_similarity, pairwise_distance,
normalize, affine_grid + grid_sample, softmin, glu, hardtanh, relu6, elu, selu, celu, gelu
(tanh approximation), silu, mish, hardswish, hardsigmoid, logsigmoid, softsign, tanhshrink,
softshrink, hardshrink, threshold, local_response_norm, avg_pool1d / lp_pool1d,
adaptive_max_pool1d with indices, max_unpool1d.

Docs: https://pytorch.org/docs/stable/nn.functional.html and the linked function pages
(pytorch/pytorch docstrings, BSD-3-Clause). Written for jitgrad's corpus, not copied.
Changes: the docstrings' random inputs are arange/linspace based, and each result is printed.
"""

import torch
import torch.nn.functional as F

print(F.one_hot(torch.arange(0, 5) % 3))
print(F.one_hot(torch.arange(0, 5) % 3, num_classes=5))
print(F.one_hot(torch.arange(0, 6).view(3, 2) % 3))

t4d = torch.arange(24.0).view(1, 2, 3, 4)
p1d = (1, 1)  # pad last dim by 1 on each side
out = F.pad(t4d, p1d, "constant", 0)  # effectively zero padding
print(out.size())
p2d = (1, 1, 2, 2)  # pad last dim by (1, 1) and 2nd to last by (2, 2)
out = F.pad(t4d, p2d, "constant", 0)
print(out.size())
print(F.pad(t4d[0], (1, 2), mode="reflect")[0])
print(F.pad(t4d, (1, 1, 1, 1), mode="replicate")[0, 1])
print(F.pad(t4d[0], (2, 1), mode="circular")[0])
try:
    F.pad(t4d, (1, 2), mode="reflect")
except NotImplementedError as e:
    print(e)
print(F.pad(torch.arange(6.0).view(1, 1, 6), (2, 3), value=-1.5))

x = torch.arange(1.0, 5.0).view(1, 1, 2, 2)
print(F.interpolate(x, scale_factor=2, mode="nearest"))
print(F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False))
print(F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True))
print(F.interpolate(x, size=(3, 5), mode="bicubic", align_corners=False))
print(F.interpolate(torch.arange(4.0).view(1, 1, 4), size=7, mode="linear"))

inp = torch.arange(2 * 3 * 4 * 5.0).view(2, 3, 4, 5)
w = torch.linspace(-1, 1, 4 * 27).view(4, 27)
inp_unf = F.unfold(inp, (3, 3))
print(inp_unf.shape)
out_unf = inp_unf.transpose(1, 2).matmul(w.t()).transpose(1, 2)
out = F.fold(out_unf, (2, 3), (1, 1))
print(out.shape)
print((F.conv2d(inp, w.view(4, 3, 3, 3)) - out).abs().max() < 1e-2)
print(F.fold(F.unfold(inp, 2, stride=2), (4, 5), 2, stride=2).equal(inp[..., :4]))

ps = torch.arange(1 * 8 * 2 * 3.0).view(1, 8, 2, 3)
print(F.pixel_shuffle(ps, 2).shape, F.pixel_shuffle(ps, 2)[0, 0])
print(F.pixel_unshuffle(F.pixel_shuffle(ps, 2), 2).equal(ps))

# a batch of 2 samples of 4 indices each
inp = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])
# an embedding matrix containing 10 tensors of size 3
embedding_matrix = torch.arange(30.0).view(10, 3) / 10
print(F.embedding(inp, embedding_matrix))
inp = torch.tensor([[0, 2, 0, 5]])
print(F.embedding(inp, embedding_matrix, padding_idx=0))
weight = embedding_matrix.clone()
print(F.embedding(torch.tensor([1, 9]), weight, max_norm=1.0))
print(weight[9], weight[0])

embedding_matrix = torch.arange(30.0).view(10, 3)
inp = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9])
offsets = torch.tensor([0, 4])
print(F.embedding_bag(inp, embedding_matrix, offsets))
print(F.embedding_bag(inp, embedding_matrix, offsets, mode="mean"))
print(F.embedding_bag(inp, embedding_matrix, offsets, mode="max"))
print(F.embedding_bag(inp.view(2, 4), embedding_matrix, mode="sum"))

input1 = torch.linspace(-1, 1, 100 * 128).view(100, 128)
input2 = torch.linspace(1, -0.5, 100 * 128).view(100, 128).roll(7)
output = F.cosine_similarity(input1, input2)
print(output.shape, output[:4])
print(F.pairwise_distance(input1[:3], input2[:3]))
print(F.pairwise_distance(input1[:3], input2[:3], p=1.0, keepdim=True))
print(F.normalize(torch.arange(6.0).view(2, 3)))
print(F.normalize(torch.arange(6.0).view(2, 3), p=1.0, dim=0))

theta = torch.tensor([[[0.8, -0.2, 0.1], [0.3, 0.9, -0.1]]])
grid = F.affine_grid(theta, (1, 1, 3, 4), align_corners=False)
print(grid[0, 0])
img = torch.arange(12.0).view(1, 1, 3, 4)
print(F.grid_sample(img, grid, align_corners=False))
print(F.grid_sample(img, grid, mode="nearest", padding_mode="border", align_corners=True))

a = torch.linspace(-3, 3, 9)
for fn in (F.softmin, F.log_softmax):
    print(fn.__name__, fn(a.view(3, 3), dim=1))
print(F.glu(torch.arange(8.0).view(2, 4) / 4))
print(F.hardtanh(a), F.relu6(a * 3))
print(F.elu(a), F.selu(a), F.celu(a, alpha=0.5))
print(F.gelu(a), F.gelu(a, approximate="tanh"))
print(F.silu(a), F.mish(a), F.hardswish(a), F.hardsigmoid(a))
print(F.logsigmoid(a), F.softsign(a), F.tanhshrink(a))
print(F.softshrink(a, 1.0), F.hardshrink(a, 1.5), F.threshold(a, 0.5, -1.0))
print(F.softplus(a, beta=2, threshold=4), F.leaky_relu(a, 0.2), F.rrelu(a, training=False))

sig = torch.arange(1 * 4 * 6.0).view(1, 4, 6) / 10
print(F.local_response_norm(sig, 3))
print(F.avg_pool1d(sig, 3, stride=2, padding=1, count_include_pad=False))
print(F.lp_pool1d(sig, 2.0, 2))
out, idx = F.adaptive_max_pool1d(sig.flip(-1), 4, return_indices=True)
print(out, idx)
pooled, indices = F.max_pool1d(sig.sin(), 2, stride=2, return_indices=True)
print(F.max_unpool1d(pooled, indices, 2, stride=2))
