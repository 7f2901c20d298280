"""yunjey/pytorch-tutorial's linear regression (tutorials/01-basics/linear_regression/main.py):
nn.Linear fitted to a 15-point toy dataset with SGD on MSELoss, numpy arrays in.

Source: https://github.com/yunjey/pytorch-tutorial (MIT). Changes: the matplotlib plot is
replaced by printing the first fitted values.
"""

import numpy as np
import torch
import torch.nn as nn

# Hyper-parameters
input_size = 1
output_size = 1
num_epochs = 60
learning_rate = 0.001

# Toy dataset
x_train = np.array([[3.3], [4.4], [5.5], [6.71], [6.93], [4.168],
                    [9.779], [6.182], [7.59], [2.167], [7.042],
                    [10.791], [5.313], [7.997], [3.1]], dtype=np.float32)  # fmt: skip

y_train = np.array([[1.7], [2.76], [2.09], [3.19], [1.694], [1.573],
                    [3.366], [2.596], [2.53], [1.221], [2.827],
                    [3.465], [1.65], [2.904], [1.3]], dtype=np.float32)  # fmt: skip

model = nn.Linear(input_size, output_size)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

for epoch in range(num_epochs):
    inputs = torch.from_numpy(x_train)
    targets = torch.from_numpy(y_train)
    outputs = model(inputs)
    loss = criterion(outputs, targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 5 == 0:
        print("Epoch [{}/{}], Loss: {:.4f}".format(epoch + 1, num_epochs, loss.item()))  # noqa: UP032

predicted = model(torch.from_numpy(x_train)).detach().numpy()
print(predicted[:4].round(4))
torch.save(model.state_dict(), "model.ckpt")
