"""MorvanZhou's PyTorch-Tutorial, 301_regression.py and 303_build_nn_quickly.py: a one-hidden-
layer net fitted to y = x^2 + noise with SGD and MSELoss, and the same net written as a class and
as nn.Sequential (their printed architectures).

Source: https://github.com/MorvanZhou/PyTorch-Tutorial/tree/master/tutorial-contents (MIT).
Written for jitgrad's corpus from those files. Changes: the live matplotlib plot becomes a print
of the loss (the tutorial's own 'Loss=%.4f' text) every 5 steps; manual_seed(1), commented out
in the source, is on.
"""
# ruff: noqa: UP008, UP031  (the original's style, kept)
import torch
import torch.nn.functional as F

torch.manual_seed(1)    # reproducible

x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)  # x data (tensor), shape=(100, 1)
y = x.pow(2) + 0.2*torch.rand(x.size())                 # noisy y data (tensor), shape=(100, 1)


class Net(torch.nn.Module):
    def __init__(self, n_feature, n_hidden, n_output):
        super(Net, self).__init__()
        self.hidden = torch.nn.Linear(n_feature, n_hidden)   # hidden layer
        self.predict = torch.nn.Linear(n_hidden, n_output)   # output layer

    def forward(self, x):
        x = F.relu(self.hidden(x))      # activation function for hidden layer
        x = self.predict(x)             # linear output
        return x

net = Net(n_feature=1, n_hidden=10, n_output=1)     # define the network
print(net)  # net architecture

optimizer = torch.optim.SGD(net.parameters(), lr=0.2)
loss_func = torch.nn.MSELoss()  # this is for regression mean squared loss

for t in range(200):
    prediction = net(x)     # input x and predict based on x

    loss = loss_func(prediction, y)     # must be (1. nn output, 2. target)

    optimizer.zero_grad()   # clear gradients for next train
    loss.backward()         # backpropagation, compute gradients
    optimizer.step()        # apply gradients

    if t % 5 == 0:
        print('Loss=%.4f' % loss.data.numpy(), prediction.data.numpy()[::25, 0])
print(loss.grad_fn, prediction.grad_fn)

# --- 303_build_nn_quickly.py
net1 = Net(1, 10, 1)

# easy and fast way to build your network
net2 = torch.nn.Sequential(
    torch.nn.Linear(1, 10),
    torch.nn.ReLU(),
    torch.nn.Linear(10, 1)
)

print(net1)     # net1 architecture
print(net2)     # net2 architecture
