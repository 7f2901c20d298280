"""MorvanZhou's PyTorch-Tutorial, 201_torch_numpy.py, 202_variable.py and 203_activation.py:
numpy <-> tensor conversion, abs/sin/mean/mm/dot side by side with numpy, the legacy
``Variable`` wrapper with a mean-of-squares backward, and the activation functions the
tutorial plots (relu, sigmoid, tanh, F.softplus).

Source: https://github.com/MorvanZhou/PyTorch-Tutorial/tree/master/tutorial-contents (MIT).
Written for jitgrad's corpus from those three files. Changes: the matplotlib figure of 203 is
replaced by prints of the arrays it would plot (every 20th point).
"""
# ruff: noqa: E501  (the original's style, kept)
import numpy as np
import torch
import torch.nn.functional as F
from torch.autograd import Variable

# --- 201_torch_numpy.py
# convert numpy to tensor or vise versa
np_data = np.arange(6).reshape((2, 3))
torch_data = torch.from_numpy(np_data)
tensor2array = torch_data.numpy()
print(
    '\nnumpy array:', np_data,          # [[0 1 2], [3 4 5]]
    '\ntorch tensor:', torch_data,      #  0  1  2 \n 3  4  5    [torch.LongTensor of size 2x3]
    '\ntensor to array:', tensor2array, # [[0 1 2], [3 4 5]]
)

# abs
data = [-1, -2, 1, 2]
tensor = torch.FloatTensor(data)  # 32-bit floating point
print(
    '\nabs',
    '\nnumpy: ', np.abs(data),          # [1 2 1 2]
    '\ntorch: ', torch.abs(tensor)      # [1 2 1 2]
)

# sin
print(
    '\nsin',
    '\nnumpy: ', np.sin(data),      # [-0.84147098 -0.90929743  0.84147098  0.90929743]
    '\ntorch: ', torch.sin(tensor)  # [-0.8415 -0.9093  0.8415  0.9093]
)

# mean
print(
    '\nmean',
    '\nnumpy: ', np.mean(data),         # 0.0
    '\ntorch: ', torch.mean(tensor)     # 0.0
)

# matrix multiplication
data = [[1,2], [3,4]]
tensor = torch.FloatTensor(data)  # 32-bit floating point
# correct method
print(
    '\nmatrix multiplication (matmul)',
    '\nnumpy: ', np.matmul(data, data),     # [[7, 10], [15, 22]]
    '\ntorch: ', torch.mm(tensor, tensor)   # [[7, 10], [15, 22]]
)
# incorrect method
data = np.array(data)
print(
    '\nmatrix multiplication (dot)',
    '\nnumpy: ', data.dot(data),        # [[7, 10], [15, 22]]
)
try:
    print('\ntorch: ', tensor.dot(tensor))     # 2-D input: an error in today's PyTorch
except RuntimeError as e:
    print('RuntimeError:', e)
print('\ntorch: ', tensor.flatten().dot(tensor.flatten()))   # 30.0

# --- 202_variable.py
tensor = torch.FloatTensor([[1,2],[3,4]])            # build a tensor
variable = Variable(tensor, requires_grad=True)      # build a variable, usually for compute gradients

print(tensor)       # [torch.FloatTensor of size 2x2]
print(variable)     # [torch.FloatTensor of size 2x2]

t_out = torch.mean(tensor*tensor)       # x^2
v_out = torch.mean(variable*variable)   # x^2
print(t_out)
print(v_out)    # 7.5

v_out.backward()    # backpropagation from v_out
# v_out = 1/4 * sum(variable*variable)
# the gradients w.r.t the variable, d(v_out)/d(variable) = 1/4*2*variable = variable/2
print(variable.grad)
print(variable)     # this is data in variable format
print(variable.data)    # this is data in tensor format
print(variable.data.numpy())    # numpy format

# --- 203_activation.py
# fake data
x = torch.linspace(-5, 5, 200)  # x data (tensor), shape=(100, 1)
x = Variable(x)
x_np = x.data.numpy()   # numpy array for plotting

# following are popular activation functions
y_relu = torch.relu(x).data.numpy()
y_sigmoid = torch.sigmoid(x).data.numpy()
y_tanh = torch.tanh(x).data.numpy()
y_softplus = F.softplus(x).data.numpy() # there's no softplus in torch
y_softmax = torch.softmax(x, dim=0).data.numpy()

for name, y in [('relu', y_relu), ('sigmoid', y_sigmoid), ('tanh', y_tanh),
                ('softplus', y_softplus), ('softmax', y_softmax)]:
    print(name, y.dtype, y.shape, np.round(y[::20], 4))
print(x_np[::40])
