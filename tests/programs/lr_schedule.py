"""A PyTorch "adjusting the learning rate" program with jitgrad imported as torch: linear
regression trained by SGD with momentum under a StepLR schedule, then RMSprop under
ReduceLROnPlateau. Prints the learning rate and loss per epoch."""

import jitgrad as torch
from jitgrad import nn
from jitgrad.optim.lr_scheduler import ReduceLROnPlateau, StepLR

torch.manual_seed(1)
x = torch.randn(200, 3)
w_true = torch.tensor([[1.5], [-2.0], [0.5]])
y = x @ w_true + 0.3

model = nn.Linear(3, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = StepLR(optimizer, step_size=5, gamma=0.5)
for epoch in range(15):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(f"sgd epoch {epoch} lr {scheduler.get_last_lr()[0]:.5f} loss {loss.item():.5f}")

optimizer = torch.optim.RMSprop(model.parameters(), lr=0.01)
plateau = ReduceLROnPlateau(optimizer, factor=0.5, patience=1)
for epoch in range(10):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    plateau.step(loss.item())
    print(f"rmsprop epoch {epoch} lr {optimizer.param_groups[0]['lr']:.5f} loss {loss.item():.5f}")
print("weights", [round(v, 2) for v in model.weight.detach().reshape(-1).tolist()])
