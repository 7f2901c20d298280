"""Fusing the optimizer step into the backward pass (PyTorch tutorial): one optimizer per
parameter, each stepped by a post-accumulate-grad hook (register_post_accumulate_grad_hook)
that also zeroes the gradient, so no .grad outlives the backward; checked against the usual
loop of backward, step and zero_grad on a copy of the model.

Model: https://pytorch.org/tutorials/intermediate/optimizer_step_in_backward_tutorial.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: a
small MLP instead of the ViT, no memory snapshot, three steps.
"""

import copy

import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(6, 8), nn.GELU(), nn.Linear(8, 3))
reference = copy.deepcopy(model)
data = [(torch.randn(5, 6), torch.randint(0, 3, (5,))) for _ in range(3)]
loss_fn = nn.CrossEntropyLoss()

optimizer = torch.optim.Adam(reference.parameters(), lr=0.01)
for x, y in data:
    loss = loss_fn(reference(x), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    print("reference loss", round(loss.item(), 5))

optimizer_dict = {p: torch.optim.Adam([p], lr=0.01, foreach=False) for p in model.parameters()}


def optimizer_hook(parameter) -> None:
    optimizer_dict[parameter].step()
    optimizer_dict[parameter].zero_grad()


handles = [p.register_post_accumulate_grad_hook(optimizer_hook) for p in model.parameters()]
for x, y in data:
    loss = loss_fn(model(x), y)
    loss.backward()
    print("fused loss", round(loss.item(), 5), [p.grad for p in model.parameters()][:1])

for (name, p), q in zip(model.named_parameters(), reference.parameters()):
    print(name, torch.allclose(p, q, atol=1e-6), (p - q).abs().max().item() < 1e-6)
print(model[2].bias)
for h in handles:
    h.remove()
model(data[0][0]).sum().backward()
print(model[2].bias.grad)
