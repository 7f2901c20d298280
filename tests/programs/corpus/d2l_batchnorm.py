"""Batch normalization (Dive into Deep Learning 8.5, d2l 1.0 form): batch_norm from scratch
(torch.is_grad_enabled() choosing moving statistics, means over dim 0 or dims (0, 2, 3) with
keepdim, moving averages returned through .data), a BatchNorm module holding its moving
statistics as plain tensor attributes, LeNet with it, then the concise LeNet with nn.BatchNorm2d
/ nn.LazyBatchNorm1d and its running statistics.

Chapter: https://d2l.ai/chapter_convolutional-modern/batch-norm.html (d2l-ai/d2l-en; code under
MIT-0). Written for jitgrad's corpus, not copied. Changes: Fashion-MNIST is replaced by 16
synthetic 1x28x28 images in 4 batches; 2 epochs of SGD(lr=0.1, the d2l 1.0 rate) instead of 10
with the d2l Trainer; the lazy layers of the concise net are explicit (nn.BatchNorm1d(120)...).
"""

import torch
from torch import nn


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    # Use is_grad_enabled to determine whether we are in training mode
    if not torch.is_grad_enabled():
        # In prediction mode, use mean and variance obtained by moving average
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:
            # When using a fully connected layer, calculate the mean and
            # variance on the feature dimension
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:
            # When using a two-dimensional convolutional layer, calculate the
            # mean and variance on the channel dimension (axis=1). Here we
            # need to maintain the shape of X, so that the broadcasting
            # operation can be carried out later
            mean = X.mean(dim=(0, 2, 3), keepdim=True)
            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        # In training mode, the current mean and variance are used
        X_hat = (X - mean) / torch.sqrt(var + eps)
        # Update the mean and variance using moving average
        moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
        moving_var = (1.0 - momentum) * moving_var + momentum * var
    Y = gamma * X_hat + beta  # Scale and shift
    return Y, moving_mean.data, moving_var.data


class BatchNorm(nn.Module):
    # num_features: the number of outputs for a fully connected layer or the
    # number of output channels for a convolutional layer. num_dims: 2 for a
    # fully connected layer and 4 for a convolutional layer
    def __init__(self, num_features, num_dims):
        super().__init__()
        if num_dims == 2:
            shape = (1, num_features)
        else:
            shape = (1, num_features, 1, 1)
        # The scale parameter and the shift parameter (model parameters) are
        # initialized to 1 and 0, respectively
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        # The variables that are not model parameters are initialized to 0 and
        # 1
        self.moving_mean = torch.zeros(shape)
        self.moving_var = torch.ones(shape)

    def forward(self, X):
        # If X is not on the main memory, copy moving_mean and moving_var to
        # the device where X is located
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        # Save the updated moving_mean and moving_var
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var, eps=1e-5, momentum=0.1
        )
        return Y


def lenet_scratch():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(256, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10))  # fmt: skip


def lenet_concise():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, 10))  # fmt: skip


torch.manual_seed(0)
X_all = torch.rand(16, 1, 28, 28)
y_all = torch.randint(0, 10, (16,))


def train(net):
    trainer = torch.optim.SGD(net.parameters(), lr=0.1)
    loss = nn.CrossEntropyLoss()
    for epoch in range(2):
        net.train()
        total = 0.0
        for i in range(0, 16, 4):
            X, y = X_all[i : i + 4], y_all[i : i + 4]
            trainer.zero_grad()
            l = loss(net(X), y)
            l.backward()
            trainer.step()
            total += l.item()
        net.eval()
        with torch.no_grad():
            acc = (net(X_all).argmax(dim=1) == y_all).float().mean().item()
        print(f"epoch {epoch + 1}, loss {total / 4:.4f}, train acc {acc:.3f}")


net = lenet_scratch()
train(net)
print(net[1].gamma.reshape((-1,)), net[1].beta.reshape((-1,)))
print(net[1].moving_mean.reshape((-1,)), net[1].moving_var.reshape((-1,)))
print(net[1].moving_mean.requires_grad, net[1].moving_mean.grad_fn)

net = lenet_concise()
train(net)
print(net[1].weight.reshape((-1,)), net[1].bias.reshape((-1,)))
print(net[1].running_mean, net[1].num_batches_tracked)
print(net[11])
