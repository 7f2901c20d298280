"""yunjey/pytorch-tutorial's "PyTorch Basics" (tutorials/01-basics/pytorch_basics/main.py):
the two basic autograd examples, the numpy bridge, a custom dataset's DataLoader, and saving and
loading a model's parameters.

Source: https://github.com/yunjey/pytorch-tutorial (MIT). Changes: the CIFAR-10 download and the
pretrained ResNet-18 (torchvision) are left out; the custom dataset returns synthetic pairs; the
numpy array and the loaded parameters are printed.
"""

import numpy as np
import torch
import torch.nn as nn

# 1. Basic autograd example 1
x = torch.tensor(1.0, requires_grad=True)
w = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)
y = w * x + b  # y = 2 * x + 3
y.backward()
print(x.grad)  # x.grad = 2
print(w.grad)  # w.grad = 1
print(b.grad)  # b.grad = 1

# 2. Basic autograd example 2
x = torch.randn(10, 3)
y = torch.randn(10, 2)
linear = nn.Linear(3, 2)
print("w: ", linear.weight)
print("b: ", linear.bias)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(linear.parameters(), lr=0.01)
pred = linear(x)
loss = criterion(pred, y)
print("loss: ", loss.item())
loss.backward()
print("dL/dw: ", linear.weight.grad)
print("dL/db: ", linear.bias.grad)
optimizer.step()
pred = linear(x)
loss = criterion(pred, y)
print("loss after 1 step optimization: ", loss.item())

# 3. Loading data from numpy
x = np.array([[1, 2], [3, 4]])
y = torch.from_numpy(x)
z = y.numpy()
print(y, z, y.dtype)


# 5. Input pipeline for custom dataset
class CustomDataset(torch.utils.data.Dataset):
    def __init__(self):
        self.data = torch.arange(24, dtype=torch.float32).reshape(8, 3)

    def __getitem__(self, index):
        return self.data[index], index % 2

    def __len__(self):
        return len(self.data)


custom_dataset = CustomDataset()
train_loader = torch.utils.data.DataLoader(dataset=custom_dataset, batch_size=3, shuffle=False)
data_iter = iter(train_loader)
images, labels = next(data_iter)
print(images, labels)
for images, labels in train_loader:
    print(images.size(), labels)

# 7. Save and load the model parameters
torch.save(linear.state_dict(), "params.ckpt")
linear2 = nn.Linear(3, 2)
print(linear2.load_state_dict(torch.load("params.ckpt")))
print(linear2.weight)
torch.save(linear, "model.ckpt")
model = torch.load("model.ckpt", weights_only=False)
print(model)
