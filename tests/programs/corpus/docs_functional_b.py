"""torch.nn.functional examples from its docs (b): the "Example::" blocks of the docstrings of
F.ctc_loss, F.embedding, F.embedding_bag, F.gumbel_softmax, F.nll_loss, F.one_hot, F.pad,
F.pixel_shuffle, F.pixel_unshuffle, pasted one after the other as a user runs them; a line whose
REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch
import torch.nn.functional as F

# F.ctc_loss
log_probs = torch.randn(50, 16, 20).log_softmax(2).detach().requires_grad_()
targets = torch.randint(1, 20, (16, 30), dtype=torch.long)
input_lengths = torch.full((16,), 50, dtype=torch.long)
target_lengths = torch.randint(10, 30, (16,), dtype=torch.long)
loss = F.ctc_loss(log_probs, targets, input_lengths, target_lengths)
loss.backward()

# F.embedding
input = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])
embedding_matrix = torch.rand(10, 3)
print(F.embedding(input, embedding_matrix))
weights = torch.rand(10, 3)
weights[0, :].zero_()
embedding_matrix = weights
input = torch.tensor([[0, 2, 0, 5]])
print(F.embedding(input, embedding_matrix, padding_idx=0))

# F.embedding_bag
embedding_matrix = torch.rand(10, 3)
input = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9])
offsets = torch.tensor([0, 4])
print(F.embedding_bag(input, embedding_matrix, offsets))
embedding_matrix = torch.rand(10, 3)
input = torch.tensor([2, 2, 2, 2, 4, 3, 2, 9])
offsets = torch.tensor([0, 4])
print(F.embedding_bag(input, embedding_matrix, offsets, padding_idx=2, mode="sum"))

# F.gumbel_softmax
logits = torch.randn(20, 32)
F.gumbel_softmax(logits, tau=1, hard=False)
F.gumbel_softmax(logits, tau=1, hard=True)

# F.nll_loss
input = torch.randn(3, 5, requires_grad=True)
target = torch.tensor([1, 0, 4])
output = F.nll_loss(F.log_softmax(input, dim=1), target)
output.backward()

# F.one_hot
print(F.one_hot(torch.arange(0, 5) % 3))
print(F.one_hot(torch.arange(0, 5) % 3, num_classes=5))
print(F.one_hot(torch.arange(0, 6).view(3, 2) % 3))

# F.pad
t4d = torch.empty(3, 3, 4, 2)
p1d = (1, 1)  # pad last dim by 1 on each side
out = F.pad(t4d, p1d, "constant", 0)  # effectively zero padding
print(print(out.size()))
p2d = (1, 1, 2, 2)  # pad last dim by (1, 1) and 2nd to last by (2, 2)
out = F.pad(t4d, p2d, "constant", 0)
print(print(out.size()))
t4d = torch.empty(3, 3, 4, 2)
p3d = (0, 1, 2, 1, 3, 3)  # pad by (0, 1), (2, 1), and (3, 3)
out = F.pad(t4d, p3d, "constant", 0)
print(print(out.size()))

# F.pixel_shuffle
input = torch.randn(1, 9, 4, 4)
output = torch.nn.functional.pixel_shuffle(input, 3)
print(print(output.size()))

# F.pixel_unshuffle
input = torch.randn(1, 1, 12, 12)
output = torch.nn.functional.pixel_unshuffle(input, 3)
print(print(output.size()))
