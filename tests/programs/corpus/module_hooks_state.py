"""torch.nn.Module's documented API around hooks and state (nn.Module docs, Module notes):
forward pre/post hooks with kwargs, full backward hooks, buffers (persistent or not),
load_state_dict's strict=False report, named_modules/children, apply and requires_grad_.

Model: https://pytorch.org/docs/stable/generated/torch.nn.Module.html (pytorch/pytorch,
BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.register_buffer("running", torch.zeros(3))
        self.register_buffer("scratch", torch.ones(1), persistent=False)

    def forward(self, x, scale=1.0):
        return self.fc(x) * scale

    def extra_repr(self):
        return "custom=True"


net = nn.Sequential(Block(), nn.Tanh(), Block())
print(net)
print([n for n, _ in net.named_modules()], [n for n, _ in net.named_buffers()])
print(list(net.state_dict().keys()))
sd = net.state_dict()
del sd["0.running"]
sd["extra"] = torch.zeros(1)
res = net.load_state_dict(sd, strict=False)
print(res)
print(res.missing_keys, res.unexpected_keys)
print(net.load_state_dict(net.state_dict()))
try:
    net.load_state_dict(sd)
except RuntimeError as e:
    print(str(e).splitlines()[0])


def pre(mod, args, kwargs):
    print("pre", type(mod).__name__, len(args), sorted(kwargs))
    return args, {**kwargs, "scale": 2.0}


def post(mod, args, kwargs, out):
    print("post", tuple(out.shape), kwargs)


b = net[0]
h1 = b.register_forward_pre_hook(pre, with_kwargs=True)
h2 = b.register_forward_hook(post, with_kwargs=True)
x = torch.randn(2, 3, requires_grad=True)
out = b(x, scale=1.0)
print(torch.allclose(out, b.fc(x) * 2))
h1.remove()
h2.remove()
grads = []
h3 = b.register_full_backward_hook(lambda m, gi, go: grads.append((gi[0].shape, go[0].shape)))
h4 = b.register_full_backward_pre_hook(lambda m, go: print("bpre", go[0].shape))
b(x).sum().backward()
print(grads)
h3.remove()
h4.remove()
print([n for n, _ in net.named_children()], len(list(net.modules())), len(list(net.parameters())))
net.requires_grad_(False)
print([p.requires_grad for p in net.parameters()])
count = []
net.apply(lambda m: count.append(type(m).__name__))
print(count)
net.train(False)
print(net.training, net[0].training, net.eval() is net)
print(net.get_submodule("2.fc"), net.get_parameter("2.fc.bias").shape, net.get_buffer("0.running"))
net.double()
print(net[0].fc.weight.dtype, net[0].running.dtype, net[0].scratch.dtype)
print(sum(p.numel() for p in net.parameters()))
