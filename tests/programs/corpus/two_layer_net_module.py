"""A custom nn.Module two-layer network (TwoLayerNet: Linear, clamp(min=0), Linear) trained with
MSELoss(reduction='sum') and SGD, after the older "Learning PyTorch with Examples" example.

Model: https://github.com/pytorch/tutorials/blob/main/beginner_source/examples_nn/
two_layer_net_module.py (BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes:
N, D_in, H, D_out = 16, 100, 20, 5 and 200 steps.
"""

import torch


class TwoLayerNet(torch.nn.Module):
    def __init__(self, D_in, H, D_out):
        super().__init__()
        self.linear1 = torch.nn.Linear(D_in, H)
        self.linear2 = torch.nn.Linear(H, D_out)

    def forward(self, x):
        h_relu = self.linear1(x).clamp(min=0)
        return self.linear2(h_relu)


N, D_in, H, D_out = 16, 100, 20, 5
x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
model = TwoLayerNet(D_in, H, D_out)
criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)
for t in range(200):
    y_pred = model(x)
    loss = criterion(y_pred, y)
    if t % 40 == 39:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(model)
print(model.linear2.bias)
