"""Per-parameter options and optimizer state (torch.optim docs): param_groups with their own
learning rates, add_param_group, the defaults dict, state_dict's layout, zero_grad's
set_to_none, and a scheduler changing the groups' lr.

Model: https://pytorch.org/docs/stable/optim.html (pytorch/pytorch, BSD-3-Clause). Written
for jitgrad's corpus, not copied. Changes: a tiny two-layer model, three steps.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
opt = torch.optim.SGD(
    [{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": 1e-3}],
    lr=1e-2,
    momentum=0.9,
)
print(sorted(opt.defaults))
print([sorted(g) for g in opt.param_groups])
print([g["lr"] for g in opt.param_groups], [len(g["params"]) for g in opt.param_groups])
x, y = torch.randn(5, 3), torch.randn(5, 2)
for _ in range(3):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    print(round(loss.item(), 5))
sd = opt.state_dict()
print(sorted(sd), sorted(sd["state"]), sorted(sd["state"][0]))
print(
    [
        {k: v for k, v in g.items() if k != "params"}
        == {k: v for k, v in opt.param_groups[i].items() if k != "params"}
        for i, g in enumerate(sd["param_groups"])
    ]
)
print([g["params"] for g in sd["param_groups"]])
extra = nn.Parameter(torch.zeros(2))
opt.add_param_group({"params": extra, "lr": 0.5})
print(len(opt.param_groups), opt.param_groups[2]["momentum"], opt.param_groups[2]["lr"])
try:
    opt.add_param_group({"params": model[0].weight})
except ValueError as e:
    print("ValueError:", e)
opt.zero_grad()
print(model[0].weight.grad)
loss = nn.functional.mse_loss(model(x), y)
loss.backward()
opt.zero_grad(set_to_none=False)
print(model[0].bias.grad)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
for _ in range(2):
    opt.step()
    sched.step()
    print(sched.get_last_lr(), [g["lr"] for g in opt.param_groups])
adam = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.8, 0.99), weight_decay=1e-2)
print(sorted(adam.defaults), adam.defaults["betas"], adam.defaults["amsgrad"])
nn.functional.mse_loss(model(x), y).backward()
adam.step()
st = adam.state_dict()["state"][0]
print(sorted(st), st["step"], st["exp_avg"].shape)
opt2 = torch.optim.SGD(model.parameters(), lr=0.1)
opt2.load_state_dict(opt2.state_dict())
print(opt2)
