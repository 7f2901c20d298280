"""The "Tips for Loading an nn.Module from a Checkpoint" recipe: save a module's state_dict,
load it back with ``mmap=True`` and ``weights_only=True``, build the module on the meta device
(``with torch.device('meta')``) so no memory is allocated for its parameters, then
``load_state_dict(..., assign=True)`` to take the loaded tensors as the parameters.

Source: pytorch/tutorials, recipes_source/recipes/module_load_state_dict_tips.py
(BSD-3-Clause; https://pytorch.org/tutorials/recipes/recipes/module_load_state_dict_tips.html).
Written for jitgrad's corpus after the recipe, not copied. Changes: a smaller model (the recipe
uses 1000 Linear layers of 1000 features); prints added to show where each parameter lives and
that the loaded module computes what the saved one did; random inputs from torch.randn, which
the corpus harness feeds the same draws under both libraries.
"""

import torch
from torch import nn


class SomeModule(torch.nn.Module):
    def __init__(self, size):
        super().__init__()
        self.linears = nn.ModuleList([nn.Linear(size, size) for i in range(4)])

    def forward(self, x):
        return self.linears(x)


m = SomeModule(16)
torch.save(m.state_dict(), "checkpoint.pth")

state_dict = torch.load("checkpoint.pth", mmap=True, weights_only=True)
print(sorted(state_dict)[:3], len(state_dict))

with torch.device("meta"):
    new_m = SomeModule(16)
print(new_m.linears[0].weight.device, new_m.linears[0].weight.is_meta)

new_m.load_state_dict(state_dict, assign=True)
print(new_m.linears[0].weight.device, new_m.linears[0].weight.requires_grad)
print(type(new_m.linears[0].weight).__name__)

x = torch.randn(3, 16)
a, b = x, x
for old, new in zip(m.linears, new_m.linears):
    a, b = old(a), new(b)
print(torch.equal(a, b))

# load into an allocated module: copies into the existing parameters
cpu_m = SomeModule(16)
before = cpu_m.linears[1].bias
cpu_m.load_state_dict(torch.load("checkpoint.pth", weights_only=True))
print(cpu_m.linears[1].bias is before, torch.equal(cpu_m.linears[1].bias, m.linears[1].bias))
