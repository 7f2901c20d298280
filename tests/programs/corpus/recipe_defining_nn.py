"""The "Defining a Neural Network in PyTorch" recipe: a convolutional MNIST-shaped network
(two Conv2d, Dropout2d, max_pool2d, flatten, two Linear, log_softmax) defined as an
nn.Module subclass, printed, and run on one random image.

Source: pytorch/tutorials, recipes_source/recipes/defining_a_neural_network.py (BSD-3-Clause;
https://pytorch.org/tutorials/recipes/recipes/defining_a_neural_network.html). Written for
jitgrad's corpus after the recipe, not copied. Changes: prints of the output's shape and node
and a backward pass added; the random image comes from torch.rand, which the corpus harness
feeds the same draws under both libraries.
"""

# ruff: noqa: UP008  (the original's style, kept)
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        # First 2D convolutional layer, taking in 1 input channel (image),
        # outputting 32 convolutional features, with a square kernel size of 3
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        # Second 2D convolutional layer, taking in the 32 input layers,
        # outputting 64 convolutional features, with a square kernel size of 3
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        # Designed to ensure that adjacent pixels are either all 0s or all active
        # with an input probability
        self.dropout1 = nn.Dropout2d(0.25)
        self.dropout2 = nn.Dropout2d(0.5)
        # First fully connected layer
        self.fc1 = nn.Linear(9216, 128)
        # Second fully connected layer that outputs our 10 labels
        self.fc2 = nn.Linear(128, 10)

    # x represents our data
    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        # Run max pooling over x
        x = F.max_pool2d(x, 2)
        # Pass data through dropout1
        x = self.dropout1(x)
        # Flatten x with start_dim=1
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        # Apply softmax to x
        output = F.log_softmax(x, dim=1)
        return output


my_nn = Net()
print(my_nn)

# Equates to one random 28x28 image
random_data = torch.rand((1, 1, 28, 28))

result = my_nn(random_data)
print(result)
print(result.shape, result.grad_fn)

my_nn.eval()
evaluated = my_nn(random_data)
print(evaluated.exp().sum())
evaluated[0, 3].backward()
print(my_nn.conv1.weight.grad.abs().sum() > 0, my_nn.fc2.bias.grad)
