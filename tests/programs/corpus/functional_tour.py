"""torch.nn.functional helpers as the docs examples and vision/NLP tutorials call them: pad
(constant, reflect, replicate, circular), interpolate (nearest, bilinear with align_corners,
scale_factor), one_hot, normalize, cosine_similarity, pairwise_distance, cdist, softmax/
log_softmax/softmin on dims, gelu (tanh), silu, mish, hardtanh, softplus, glu, unfold/fold,
pixel_shuffle, adaptive pooling, avg_pool with padding, grid_sample with affine_grid.

Models: https://pytorch.org/docs/stable/nn.functional.html (pytorch/pytorch docstrings,
BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch
import torch.nn.functional as F

t4d = torch.arange(8.0).view(1, 2, 2, 2)
print(F.pad(t4d, (1, 1)).shape, F.pad(t4d, (1, 1, 2, 0), value=-1.0)[0, 0])
x = torch.arange(9.0).view(1, 1, 3, 3)
print(F.pad(x, (1, 1, 1, 1), mode="reflect"))
print(F.pad(x, (2, 0, 0, 1), mode="replicate"))
print(F.pad(torch.arange(4.0).view(1, 1, 4), (2, 1), mode="circular"))
small = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
print(F.interpolate(small, scale_factor=2, mode="nearest"))
print(F.interpolate(small, size=(3, 3), mode="bilinear", align_corners=True))
print(F.interpolate(small, scale_factor=1.5, mode="bilinear", align_corners=False))
print(F.interpolate(torch.arange(4.0).view(1, 1, 4), size=6, mode="linear"))
print(F.one_hot(torch.tensor([0, 2, 1])), F.one_hot(torch.arange(0, 5) % 3, num_classes=5))
v = torch.tensor([[3.0, 4.0], [1.0, 0.0]])
print(F.normalize(v), F.normalize(v, p=1, dim=0))
a = torch.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]])
b = torch.tensor([[1.0, 2.0, 2.0], [1.0, 0.0, 0.0]])
print(F.cosine_similarity(a, b), F.pairwise_distance(a, b), torch.cdist(a, b))
s = torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
print(F.softmax(s, dim=1), F.softmax(s, dim=0), F.log_softmax(s, dim=-1), F.softmin(s, dim=1))
z = torch.linspace(-3, 3, 7)
print(F.gelu(z), F.gelu(z, approximate="tanh"))
print(F.silu(z), F.mish(z), F.hardtanh(z, -2.0, 2.0), F.softplus(z, beta=2))
print(F.elu(z), F.selu(z), F.leaky_relu(z, 0.1), F.relu6(z * 3), F.hardswish(z), F.hardsigmoid(z))
print(F.logsigmoid(z), F.softsign(z), F.tanhshrink(z), F.threshold(z, 0.5, -1.0))
print(F.glu(torch.arange(8.0).view(2, 4), dim=-1))
img = torch.arange(16.0).view(1, 1, 4, 4)
patches = F.unfold(img, kernel_size=2, stride=2)
print(patches.shape, patches)
print(F.fold(patches, output_size=(4, 4), kernel_size=2, stride=2).equal(img))
print(F.pixel_shuffle(torch.arange(16.0).view(1, 4, 2, 2), 2))
print(F.pixel_unshuffle(img, 2).shape)
print(F.adaptive_avg_pool2d(img, (2, 2)), F.adaptive_max_pool2d(img, 1))
print(F.avg_pool2d(img, 3, stride=2, padding=1), F.avg_pool2d(img, 3, 2, 1, count_include_pad=False))
print(F.max_pool2d(img, 2, return_indices=True))
theta = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
grid = F.affine_grid(theta, (1, 1, 4, 4), align_corners=False)
print(torch.allclose(F.grid_sample(img, grid, align_corners=False), img))
rot = torch.tensor([[[0.0, -1.0, 0.0], [1.0, 0.0, 0.0]]])
print(F.grid_sample(img, F.affine_grid(rot, (1, 1, 4, 4), align_corners=False), align_corners=False))
