"""Model ensembling with torch.func: several copies of an MLP, their predictions by a loop,
then stack_module_state + functional_call on a 'meta' base model, vmapped over the stacked
parameters (in_dims=(0, 0, None) for one minibatch, (0, 0, 0) for one per model).

Model: https://pytorch.org/tutorials/intermediate/ensembling.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: 16-feature inputs instead of
784, hidden width 32, batch of 8.
"""

import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call, stack_module_state

torch.manual_seed(0)


class SimpleMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(32, 32)
        self.fc3 = nn.Linear(32, 10)

    def forward(self, x):
        x = x.flatten(1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.fc2(x)
        x = F.relu(x)
        x = self.fc3(x)
        return x


num_models = 4
data = torch.randn(32, 8, 1, 4, 4)
targets = torch.randint(10, (8,))
models = [SimpleMLP() for _ in range(num_models)]
minibatches = data[:num_models]
predictions_diff_minibatch_loop = [
    model(minibatch) for model, minibatch in zip(models, minibatches)
]
minibatch = data[0]
predictions2 = [model(minibatch) for model in models]

params, buffers = stack_module_state(models)
print({k: tuple(v.shape) for k, v in params.items()}, buffers)
print(params["fc1.bias"].requires_grad, params["fc1.bias"].is_leaf)
base_model = copy.deepcopy(models[0])
base_model = base_model.to("meta")
print(base_model.fc1.weight.device)


def fmodel(params, buffers, x):
    return functional_call(base_model, (params, buffers), (x,))


from torch import vmap  # noqa: E402

predictions1_vmap = vmap(fmodel)(params, buffers, minibatches)
assert torch.allclose(
    predictions1_vmap, torch.stack(predictions_diff_minibatch_loop), atol=1e-3, rtol=1e-5
)
predictions2_vmap = vmap(fmodel, in_dims=(0, 0, None))(params, buffers, minibatch)
assert torch.allclose(predictions2_vmap, torch.stack(predictions2), atol=1e-3, rtol=1e-5)
print(predictions1_vmap.shape, predictions2_vmap.shape)
print(predictions2_vmap[:, 0, :3])
loss = F.cross_entropy(predictions2_vmap.flatten(0, 1), targets.repeat(num_models))
loss.backward()
print(loss.grad_fn.name(), params["fc3.bias"].grad.shape)
