"""Pruning tutorial: a LeNet, prune.random_unstructured on conv1.weight (weight_orig
parameter, weight_mask buffer, a forward pre-hook), prune.l1_unstructured on the bias with an
integer amount, iterative pruning with prune.ln_structured (n=2, dim=0) and the
PruningContainer's history, the pruned model's state_dict keys, prune.remove making it
permanent, pruning several parameters in a loop, global_unstructured with L1Unstructured and
the sparsity report, and a custom BasePruningMethod (FooBarPruningMethod) through a
foobar_unstructured helper.

Tutorial: https://pytorch.org/tutorials/intermediate/pruning_tutorial.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: none of substance (the
tutorial's LeNet and calls); the printed conv1 weights are summarised by their masks and
sums; module._forward_pre_hooks is printed by its values (its keys are process-wide hook
counters, which depend on the programs the corpus ran before).
"""
# ruff: noqa: B007, UP008, UP032  (the original's style, kept)

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.prune as prune

device = torch.device("cpu")


class LeNet(nn.Module):
    def __init__(self):
        super(LeNet, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square conv kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5x5 image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, int(x.nelement() / x.shape[0]))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


torch.manual_seed(0)
model = LeNet().to(device=device)
module = model.conv1
print([name for name, _ in module.named_parameters()])
print(list(module.named_buffers()))

prune.random_unstructured(module, name="weight", amount=0.3)
print([name for name, _ in module.named_parameters()])
print([name for name, _ in module.named_buffers()])
print(module.weight_mask.sum(), module.weight_mask.shape)
print(torch.equal(module.weight, module.weight_orig * module.weight_mask))
print(list(module._forward_pre_hooks.values()))

prune.l1_unstructured(module, name="bias", amount=3)
print([name for name, _ in module.named_parameters()])
print(module.bias_mask)
print(module.bias)

prune.ln_structured(module, name="weight", amount=0.5, n=2, dim=0)
print(module.weight_mask.sum(dim=(1, 2, 3)))
for hook in module._forward_pre_hooks.values():
    if hook._tensor_name == "weight":  # select out the correct hook
        break
print(list(hook))
print(model.state_dict().keys())

prune.remove(module, "weight")
print([name for name, _ in module.named_parameters()])
print([name for name, _ in module.named_buffers()])
print((module.weight == 0).sum())

new_model = LeNet()
for name, module in new_model.named_modules():
    # prune 20% of connections in all 2D-conv layers
    if isinstance(module, torch.nn.Conv2d):
        prune.l1_unstructured(module, name="weight", amount=0.2)
    # prune 40% of connections in all linear layers
    elif isinstance(module, torch.nn.Linear):
        prune.l1_unstructured(module, name="weight", amount=0.4)
print(dict(new_model.named_buffers()).keys())  # to verify that all masks exist

model = LeNet()
parameters_to_prune = (
    (model.conv1, "weight"),
    (model.conv2, "weight"),
    (model.fc1, "weight"),
    (model.fc2, "weight"),
    (model.fc3, "weight"),
)
prune.global_unstructured(parameters_to_prune, pruning_method=prune.L1Unstructured, amount=0.2)
for name, mod in (("conv1", model.conv1), ("conv2", model.conv2), ("fc1", model.fc1),
                  ("fc2", model.fc2), ("fc3", model.fc3)):  # fmt: skip
    print(
        "Sparsity in {}.weight: {:.2f}%".format(
            name, 100.0 * float(torch.sum(mod.weight == 0)) / float(mod.weight.nelement())
        )
    )
total_zero = sum(float(torch.sum(m.weight == 0)) for m, _ in parameters_to_prune)
total = sum(float(m.weight.nelement()) for m, _ in parameters_to_prune)
print("Global sparsity: {:.2f}%".format(100.0 * total_zero / total))

out = model(torch.rand(2, 1, 32, 32))
out.sum().backward()
print(
    out.shape,
    model.fc3.weight_orig.grad.shape,
    (model.fc3.weight_orig.grad[model.fc3.weight_mask == 0] == 0).all(),
)


class FooBarPruningMethod(prune.BasePruningMethod):
    """Prune every other entry in a tensor"""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        mask = default_mask.clone()
        mask.view(-1)[::2] = 0
        return mask


def foobar_unstructured(module, name):
    FooBarPruningMethod.apply(module, name)
    return module


model = LeNet()
foobar_unstructured(model.fc3, name="bias")
print(model.fc3.bias_mask)
