"""File I/O and GPUs (Dive into Deep Learning 6.6 and 6.7): torch.save/torch.load of a tensor,
a list of tensors and a dict of them; an MLP's state_dict saved and loaded into a clone
(eval(), outputs compared); the device helpers cpu()/gpu(i)/num_gpus()/try_gpu()/
try_all_gpus() on a machine without a GPU, tensors and a network placed with device= and
.to(), and the device of a weight.

Model: https://d2l.ai/chapter_builders-guide/read-write.html and
https://d2l.ai/chapter_builders-guide/use-gpu.html (d2l-ai/d2l-en, code MIT-0). Written for
jitgrad's corpus after those sections, not copied. Changes: the d2l package's helpers are
written out; the GPU-only cells run on the CPU fallback the helpers choose; prints stand for
the notebook's cell outputs.
"""

import torch
from torch import nn
from torch.nn import functional as F

# 6.6 File I/O
x = torch.arange(4)
torch.save(x, 'x-file')
x2 = torch.load('x-file')
print(x2, x2.dtype)

y = torch.zeros(4)
torch.save([x, y], 'x-files')
x2, y2 = torch.load('x-files')
print((x2, y2))

mydict = {'x': x, 'y': y}
torch.save(mydict, 'mydict')
mydict2 = torch.load('mydict')
print(mydict2)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.LazyLinear(256)
        self.output = nn.LazyLinear(10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))


net = MLP()
X = torch.randn(size=(2, 20))
Y = net(X)
print(Y.shape, net.hidden.weight.shape)
torch.save(net.state_dict(), 'mlp.params')

clone = MLP()
print(clone.load_state_dict(torch.load('mlp.params')))
print(clone.eval())
Y_clone = clone(X)
print(Y_clone == Y)
print(torch.equal(Y_clone, Y), clone.hidden.weight.shape, type(clone.hidden).__name__)


# 6.7 GPUs
def cpu():
    """Get the CPU device."""
    return torch.device('cpu')


def gpu(i=0):
    """Get a GPU device."""
    return torch.device(f'cuda:{i}')


print(cpu(), gpu(), gpu(1))


def num_gpus():
    """Get the number of available GPUs."""
    return torch.cuda.device_count()


print(num_gpus())


def try_gpu(i=0):
    """Return gpu(i) if exists, otherwise return cpu()."""
    if num_gpus() >= i + 1:
        return gpu(i)
    return cpu()


def try_all_gpus():
    """Return all available GPUs, or [cpu(),] if no GPU exists."""
    return [gpu(i) for i in range(num_gpus())]


print(try_gpu(), try_gpu(10), try_all_gpus())

x = torch.tensor([1, 2, 3])
print(x.device)
X = torch.ones(2, 3, device=try_gpu())
print(X)
Y = torch.rand(2, 3, device=try_gpu(1))
print(Y.shape, Y.device)
Z = X.cuda(1) if num_gpus() > 1 else X.to(try_gpu(1))
print(X)
print(Z)
print(Y + Z > 1, Z.to(try_gpu(1)) is Z)

net = nn.Sequential(nn.LazyLinear(1))
net = net.to(device=try_gpu())
print(net(X))
print(net[0].weight.data.device, net[0].weight.device == X.device)
print(type(net[0]).__name__, net[0].in_features)
