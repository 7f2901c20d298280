"""Karpathy's reproduction of LeCun et al. 1989 (karpathy/lecun1989-repro, repro.py): a Net
whose weights are nn.Parameter tensors initialised by hand, (torch.rand(...) - 0.5) * 2 *
2.4 / winit ** 0.5 with fan-in winit, F.pad(x, (2, 2, 2, 2), 'constant', -1.0) before each
stride-2 conv, the H3 layer's sparse connectivity by slicing 8 of 12 input planes
(x[:, 0:8], x[:, 4:12], torch.cat((x[:, 0:4], x[:, 8:12]), dim=1)), torch.tanh
after every layer, targets of -1/+1 and a mean squared error, plain SGD one example at a time,
and the eval loop's misclassification count with argmax.

Source: https://github.com/karpathy/lecun1989-repro (MIT; written for jitgrad's corpus after its
structure, not copied). Changes: 12 random 16x16 "digits" instead of the 7291 USPS images, two
passes.
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    """ 1989 LeCun ConvNet per description in the paper """

    def __init__(self):
        super().__init__()
        # initialization as described in the paper to my best ability, but it doesn't look right...
        winit = lambda fan_in, *shape: (torch.rand(*shape) - 0.5) * 2 * 2.4 / fan_in**0.5
        macs = 0  # keep track of MACs (multiply accumulates)
        acts = 0  # keep track of number of activations
        # H1 layer parameters and their initialization
        self.H1w = nn.Parameter(winit(5 * 5 * 1, 12, 1, 5, 5))
        self.H1b = nn.Parameter(torch.zeros(12, 8, 8))  # presumably init to zero for biases
        macs += (5 * 5 * 1) * (8 * 8) * 12
        acts += (8 * 8) * 12
        # H2 layer parameters and their initialization
        self.H2w = nn.Parameter(winit(5 * 5 * 8, 12, 8, 5, 5))
        self.H2b = nn.Parameter(torch.zeros(12, 4, 4))  # presumably init to zero for biases
        macs += (5 * 5 * 8) * (4 * 4) * 12
        acts += (4 * 4) * 12
        # H3 is a fully connected layer
        self.H3w = nn.Parameter(winit(4 * 4 * 12, 4 * 4 * 12, 30))
        self.H3b = nn.Parameter(torch.zeros(30))
        macs += (4 * 4 * 12) * 30
        acts += 30
        # output layer is also fully connected layer
        self.outw = nn.Parameter(winit(30, 30, 10))
        self.outb = nn.Parameter(-torch.ones(10))  # 9/10 targets are -1, so makes sense to init slightly towards it
        macs += 30 * 10
        acts += 10
        self.macs = macs
        self.acts = acts

    def forward(self, x):
        # x has shape (1, 1, 16, 16)
        x = F.pad(x, (2, 2, 2, 2), 'constant', -1.0)  # pad by two using constant -1 for background
        x = F.conv2d(x, self.H1w, stride=2) + self.H1b
        x = torch.tanh(x)
        # x is now shape (1, 12, 8, 8)
        x = F.pad(x, (2, 2, 2, 2), 'constant', -1.0)  # pad by two using constant -1 for background
        slice1 = F.conv2d(x[:, 0:8], self.H2w[0:4], stride=2)  # first 4 planes look at first 8 input planes
        slice2 = F.conv2d(x[:, 4:12], self.H2w[4:8], stride=2)  # next 4 planes look at last 8 input planes
        slice3 = F.conv2d(torch.cat((x[:, 0:4], x[:, 8:12]), dim=1), self.H2w[8:12], stride=2)  # last 4 planes are cross
        x = torch.cat((slice1, slice2, slice3), dim=1) + self.H2b
        x = torch.tanh(x)
        # x is now shape (1, 12, 4, 4)
        x = x.flatten(start_dim=1)  # (1, 12*4*4)
        x = x @ self.H3w + self.H3b
        x = torch.tanh(x)
        # x is now shape (1, 30)
        x = x @ self.outw + self.outb
        x = torch.tanh(x)
        # x is now shape (1, 10)
        return x


torch.manual_seed(1337)
Xtr = torch.randn(12, 1, 16, 16).clamp(-1, 1)
Ytr = -torch.ones(12, 10)
Ytr[torch.arange(12), torch.arange(12) % 10] = 1.0
model = Net()
print("model stats:")
print("# params:      ", sum(p.numel() for p in model.parameters()))  # in paper total is 9,760
print("# MACs:        ", model.macs)
print("# activations: ", model.acts)
print([n for n, p in model.named_parameters()], model.outb)
optimizer = torch.optim.SGD(model.parameters(), lr=0.03)


def eval_split(split):
    # eval the full train/test set, batched implementation for efficiency
    model.eval()
    X, Y = Xtr, Ytr
    Yhat = model(X)
    loss = torch.mean((Y - Yhat)**2)
    err = torch.mean((Y.argmax(dim=1) != Yhat.argmax(dim=1)).float())
    print(f"eval: split {split:5s}. loss {loss.item():e}. error {err.item()*100:.2f}%. misses: {int(err.item()*Y.size(0))}")


for pass_num in range(2):
    model.train()
    for step_num in range(Xtr.size(0)):
        x, y = Xtr[[step_num]], Ytr[[step_num]]
        yhat = model(x)
        loss = torch.mean((y - yhat)**2)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    print(pass_num + 1)
    eval_split('train')
print(model.H2b.grad.shape, model(Xtr[:2]).argmax(dim=1))
