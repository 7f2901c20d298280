"""Weight initialisation with torch.nn.init: calculate_gain, xavier/kaiming uniform and normal,
constant/zeros/ones/eye, orthogonal, and model.apply(init_fn) as the nn.init documentation and
common training scripts use them.

Model: https://pytorch.org/docs/stable/nn.init.html (BSD-3-Clause). Written for jitgrad's
corpus, not copied.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
print(
    nn.init.calculate_gain("leaky_relu", 0.2),
    nn.init.calculate_gain("tanh"),
    nn.init.calculate_gain("relu"),
)
w = torch.empty(3, 5)
print(nn.init.uniform_(w, a=-0.1, b=0.1))
print(nn.init.normal_(w, std=0.01).std() < 0.1)
print(nn.init.constant_(w, 0.3))
print(nn.init.ones_(w).sum(), nn.init.zeros_(w).sum())
print(nn.init.eye_(torch.empty(3, 5)))
print(nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("relu")))
print(nn.init.xavier_normal_(torch.empty(3, 5)))
print(nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu"))
print(nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"))


def init_weights(m):
    if isinstance(m, nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)
        m.bias.data.fill_(0.01)


net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
net.apply(init_weights)
print(net[0].weight, net[1].bias)
conv = nn.Conv2d(2, 4, 3)
nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
nn.init.constant_(conv.bias, 0)
print(conv.weight.shape, f"{conv.weight.std().item():.4f}")
q = nn.init.orthogonal_(torch.empty(3, 3))
print(torch.allclose(q @ q.T, torch.eye(3), atol=1e-5))
