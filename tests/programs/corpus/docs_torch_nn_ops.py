"""Neural-network functions in the torch namespace, from the torch docs: the "Example::" blocks
of the docstrings of torch.avg_pool1d, torch.conv1d, torch.conv2d, torch.conv3d,
torch.conv_transpose1d, torch.conv_transpose2d, torch.conv_transpose3d, torch.cosine_similarity,
torch.pixel_shuffle, torch.pixel_unshuffle, torch.channel_shuffle, torch.native_channel_shuffle,
pasted one after the other as a user runs them; a line whose REPL echo the docstring shows is
printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch
import torch.nn.functional as F

# torch.avg_pool1d
input = torch.tensor([[[1, 2, 3, 4, 5, 6, 7]]], dtype=torch.float32)
print(F.avg_pool1d(input, kernel_size=3, stride=2))

# torch.conv1d
inputs = torch.randn(33, 16, 30)
filters = torch.randn(20, 16, 5)
F.conv1d(inputs, filters)

# torch.conv2d
filters = torch.randn(8, 4, 3, 3)
inputs = torch.randn(1, 4, 5, 5)
F.conv2d(inputs, filters, padding=1)

# torch.conv3d
filters = torch.randn(33, 16, 3, 3, 3)
inputs = torch.randn(20, 16, 50, 10, 20)
F.conv3d(inputs, filters)

# torch.conv_transpose1d
inputs = torch.randn(20, 16, 50)
weights = torch.randn(16, 33, 5)
F.conv_transpose1d(inputs, weights)

# torch.conv_transpose2d
inputs = torch.randn(1, 4, 5, 5)
weights = torch.randn(4, 8, 3, 3)
F.conv_transpose2d(inputs, weights, padding=1)

# torch.conv_transpose3d
inputs = torch.randn(20, 16, 50, 10, 20)
weights = torch.randn(16, 33, 3, 3, 3)
F.conv_transpose3d(inputs, weights)

# torch.cosine_similarity
input1 = torch.randn(100, 128)
input2 = torch.randn(100, 128)
output = F.cosine_similarity(input1, input2)
print(output)

# torch.pixel_shuffle
input = torch.randn(1, 9, 4, 4)
output = torch.nn.functional.pixel_shuffle(input, 3)
print(print(output.size()))

# torch.pixel_unshuffle
input = torch.randn(1, 1, 12, 12)
output = torch.nn.functional.pixel_unshuffle(input, 3)
print(print(output.size()))

# torch.channel_shuffle
input = torch.randn(1, 4, 2, 2)
print(print(input))
output = torch.nn.functional.channel_shuffle(input, 2)
print(print(output))

# torch.native_channel_shuffle
input = torch.randn(1, 4, 2, 2)
print(print(input))
output = torch.nn.functional.native_channel_shuffle(input, 2)
print(print(output))
