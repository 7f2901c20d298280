"""Saving and loading models as the "Saving and Loading Models" tutorial does: state_dict keys
and shapes (with BatchNorm buffers), torch.save/torch.load of a state_dict and of a checkpoint
dict (epoch, optimizer state, loss), load_state_dict into a fresh model, strict=False with
missing/unexpected keys, saving a whole tensor dict, named_parameters/named_buffers,
register_buffer (persistent or not), requires_grad freezing and parameter counting.

Model: https://pytorch.org/tutorials/beginner/saving_loading_models.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class TheModelClass(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(4 * 3 * 3, 10)
        self.register_buffer("scale", torch.tensor(2.0))
        self.register_buffer("cache", torch.zeros(2), persistent=False)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.conv1(x))))
        return self.fc1(torch.flatten(x, 1)) * self.scale


torch.manual_seed(0)
model = TheModelClass()
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", model.state_dict()[param_tensor].size())
print([n for n, _ in model.named_buffers()])
x = torch.randn(2, 3, 8, 8)
loss = model(x).pow(2).mean()
loss.backward()
optimizer.step()
print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])

torch.save(model.state_dict(), "model.pt")
model2 = TheModelClass()
print(model2.load_state_dict(torch.load("model.pt", weights_only=True)))
model.eval()
model2.eval()
print(torch.equal(model(x), model2(x)), model2.bn.num_batches_tracked)

torch.save({"epoch": 3, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(), "loss": loss.item()}, "ckpt.tar")
ckpt = torch.load("ckpt.tar")
opt2 = optim.SGD(model2.parameters(), lr=0.5)
opt2.load_state_dict(ckpt["optimizer_state_dict"])
print(ckpt["epoch"], round(ckpt["loss"], 5), opt2.param_groups[0]["lr"], opt2.param_groups[0]["momentum"])

sd = model.state_dict()
sd.pop("fc1.bias")
sd["extra.weight"] = torch.zeros(1)
res = model2.load_state_dict(sd, strict=False)
print(res.missing_keys, res.unexpected_keys)
try:
    model2.load_state_dict(sd)
except RuntimeError as e:
    print(str(e).splitlines()[0])

torch.save({"a": torch.arange(3), "b": [torch.ones(2), 5]}, "tensors.pt")
print(torch.load("tensors.pt"))
for p in model.conv1.parameters():
    p.requires_grad = False
print(sum(p.numel() for p in model.parameters()), sum(p.numel() for p in model.parameters() if p.requires_grad))
print([(n, p.requires_grad) for n, p in model.named_parameters()])
