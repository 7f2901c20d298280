"""The examples of torch.nn.utils' documentation: weight_norm (the old hook form and
nn.utils.parametrizations.weight_norm, original0 / original1), spectral_norm (power
iteration; sigma close to the largest singular value), clip_grad_norm_ (returned total norm,
norm_type=inf), clip_grad_value_, get_total_norm and clip_grads_with_norm_,
parameters_to_vector / vector_to_parameters, rnn.pad_sequence / pack_sequence /
pad_packed_sequence / unpad_sequence, fuse_conv_bn_eval, skip_init and
remove_weight_norm.

Docs: https://pytorch.org/docs/stable/nn.html#utilities and the linked pages
(pytorch/pytorch docstrings, BSD-3-Clause). Written for jitgrad's corpus, not copied.
Changes: the docstrings' Linear(20, 40) becomes Linear(4, 3); random inputs are seeded; values
the docs show only as shapes are printed.
"""

import torch
import torch.nn as nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters
from torch.nn.utils.rnn import pack_sequence, pad_packed_sequence, pad_sequence, unpad_sequence

torch.manual_seed(0)
m = nn.utils.weight_norm(nn.Linear(4, 3), name="weight")
print(m)
print(m.weight_g.size(), m.weight_v.size())
print(m.weight_g.view(-1))
out = m(torch.ones(2, 4))
out.sum().backward()
print(m.weight_g.grad.view(-1), m.weight_v.grad.shape)
nn.utils.remove_weight_norm(m)
print(sorted(n for n, _ in m.named_parameters()))

m = nn.utils.parametrizations.weight_norm(nn.Linear(4, 3))
print(m)
print(m.parametrizations.weight.original0.size(), m.parametrizations.weight.original1.size())
print(torch.allclose(m.weight.norm(dim=1), m.parametrizations.weight.original0.view(-1)))

m = nn.utils.spectral_norm(nn.Linear(4, 3))
print(m)
print(m.weight_u.size(), m.weight_orig.shape)
for _ in range(20):
    m(torch.ones(1, 4))
sigma = torch.linalg.matrix_norm(m.weight_orig.detach(), ord=2)
print(abs(torch.linalg.matrix_norm(m.weight.detach(), ord=2) - 1.0) < 1e-2, sigma > 0)

m = nn.utils.parametrizations.spectral_norm(nn.Linear(4, 3))
print(m.parametrizations.weight.original.shape)
m.eval()
print(torch.linalg.matrix_norm(m.weight.detach(), ord=2) <= 1.0 + 1e-3)

model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
loss = model(torch.arange(8.0).reshape(2, 4)).pow(2).sum()
loss.backward()
grads = [p.grad.clone() for p in model.parameters()]
total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
print(total)
print(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in model.parameters()])))
for p, g in zip(model.parameters(), grads):
    p.grad = g.clone()
print(nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5, norm_type=float("inf")))
print(max(p.grad.abs().max() for p in model.parameters()))
for p, g in zip(model.parameters(), grads):
    p.grad = g.clone()
nn.utils.clip_grad_value_(model.parameters(), clip_value=0.1)
print(model[0].bias.grad)
for p, g in zip(model.parameters(), grads):
    p.grad = g.clone()
norm = nn.utils.get_total_norm([p.grad for p in model.parameters()])
print(norm)
nn.utils.clip_grads_with_norm_(model.parameters(), 1.0, norm)
print(model[2].bias.grad)

vec = parameters_to_vector(model.parameters())
print(vec.shape, vec[:3])
vector_to_parameters(torch.arange(vec.numel(), dtype=torch.float32) / 100, model.parameters())
print(model[2].bias, model[0].weight[0])

a = torch.ones(25, 300)
b = torch.ones(22, 300)
c = torch.ones(15, 300)
print(pad_sequence([a, b, c]).size())
print(pad_sequence([a, b, c], batch_first=True, padding_value=-1.0).shape)
a = torch.tensor([1, 2, 3])
b = torch.tensor([4, 5])
c = torch.tensor([6])
packed = pack_sequence([a, b, c])
print(packed)
padded, lengths = pad_packed_sequence(packed, batch_first=True)
print(padded, lengths)
print(pad_sequence([a, b, c], padding_side="left", batch_first=True))
print(unpad_sequence(padded, lengths, batch_first=True))

conv = nn.Conv2d(2, 3, 3)
bn = nn.BatchNorm2d(3)
bn.train()
bn(conv(torch.randn(4, 2, 5, 5)))
conv.eval()
bn.eval()
fused = torch.nn.utils.fusion.fuse_conv_bn_eval(conv, bn)
x = torch.randn(1, 2, 5, 5)
print(torch.allclose(fused(x), bn(conv(x)), atol=1e-5), fused.bias.shape)

lin = torch.nn.utils.skip_init(nn.Linear, 5, 1)
print(lin.weight.shape, lin.bias.shape)
