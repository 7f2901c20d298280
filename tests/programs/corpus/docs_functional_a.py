"""torch.nn.functional examples from its docs: the "Example::" blocks of the docstrings of
F.avg_pool1d, F.binary_cross_entropy, F.binary_cross_entropy_with_logits, F.channel_shuffle,
F.conv1d, F.conv2d, F.conv3d, F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d,
F.cosine_similarity, F.cross_entropy, pasted one after the other as a user runs them; a line
whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered at
https://pytorch.org/docs/stable/). Changes: the batch and spatial sizes (and for the Transformer
layers d_model, feed-forward width and depth, with dropout off since PyTorch draws attention
dropout inside its C++ kernel) of the larger examples are shrunk so the program runs in seconds;
print() goes around echoed expressions, and a block that echoes nothing prints its last result's
shape and first values; random inputs come from torch.randn/rand, which the corpus harness feeds
the same draws under both libraries.
"""

import torch
import torch.nn.functional as F

# F.avg_pool1d
input = torch.tensor([[[1, 2, 3, 4, 5, 6, 7]]], dtype=torch.float32)
print(F.avg_pool1d(input, kernel_size=3, stride=2))

# F.binary_cross_entropy
input = torch.randn(3, 2, requires_grad=True)
target = torch.rand(3, 2, requires_grad=False)
loss = F.binary_cross_entropy(torch.sigmoid(input), target)
loss.backward()

# F.binary_cross_entropy_with_logits
input = torch.randn(3, requires_grad=True)
target = torch.empty(3).random_(2)
loss = F.binary_cross_entropy_with_logits(input, target)
loss.backward()

# F.channel_shuffle
input = torch.randn(1, 4, 2, 2)
print(print(input))
output = torch.nn.functional.channel_shuffle(input, 2)
print(print(output))

# F.conv1d
inputs = torch.randn(3, 16, 30)
filters = torch.randn(20, 16, 5)
F.conv1d(inputs, filters)

# F.conv2d
filters = torch.randn(8, 4, 3, 3)
inputs = torch.randn(1, 4, 5, 5)
F.conv2d(inputs, filters, padding=1)

# F.conv3d
filters = torch.randn(33, 16, 3, 3, 3)
inputs = torch.randn(2, 16, 10, 10, 20)
F.conv3d(inputs, filters)

# F.conv_transpose1d
inputs = torch.randn(2, 16, 50)
weights = torch.randn(16, 33, 5)
F.conv_transpose1d(inputs, weights)

# F.conv_transpose2d
inputs = torch.randn(1, 4, 5, 5)
weights = torch.randn(4, 8, 3, 3)
F.conv_transpose2d(inputs, weights, padding=1)

# F.conv_transpose3d
inputs = torch.randn(2, 16, 10, 10, 20)
weights = torch.randn(16, 33, 3, 3, 3)
F.conv_transpose3d(inputs, weights)

# F.cosine_similarity
input1 = torch.randn(100, 128)
input2 = torch.randn(100, 128)
output = F.cosine_similarity(input1, input2)
print(output)

# F.cross_entropy
input = torch.randn(3, 5, requires_grad=True)
target = torch.randint(5, (3,), dtype=torch.int64)
loss = F.cross_entropy(input, target)
loss.backward()
input = torch.randn(3, 5, requires_grad=True)
target = torch.randn(3, 5).softmax(dim=1)
loss = F.cross_entropy(input, target)
loss.backward()
