"""Module and tensor hooks beyond the basics, as the nn.Module docs and "hooks in PyTorch"
posts use them: forward hooks with_kwargs, forward pre-hooks that replace the input,
always_call, full backward pre-hooks scaling the incoming gradient, backward hooks that modify
grad_input, a tensor hook that clips gradients, register_post_accumulate_grad_hook, global
module forward hooks via nn.modules.module, state_dict hooks (load_state_dict post hook), and
feature extraction with handles removed afterwards.

Models: https://pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_forward_hook
and https://pytorch.org/docs/stable/notes/autograd.html#backward-hooks-execution (BSD-3-Clause).
Written for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch
import torch.nn as nn

torch.manual_seed(0)
lin = nn.Linear(3, 2)
x = torch.randn(4, 3)


def double_input(module, args):
    return (args[0] * 2,)


h = lin.register_forward_pre_hook(double_input)
print(torch.allclose(lin(x), (2 * x) @ lin.weight.T + lin.bias, atol=1e-6))
h.remove()


def kw_hook(module, args, kwargs, output):
    print("kwargs seen:", sorted(kwargs), output.shape)
    return output + 1


class Scaled(nn.Module):
    def forward(self, x, scale=1.0):
        return x * scale


s = Scaled()
s.register_forward_hook(kw_hook, with_kwargs=True)
print(s(torch.ones(2), scale=3.0))


def pre_kw(module, args, kwargs):
    return args, {"scale": 10.0}


s2 = Scaled()
s2.register_forward_pre_hook(pre_kw, with_kwargs=True)
print(s2(torch.ones(2), scale=3.0))

net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
seen = []
net[2].register_full_backward_pre_hook(lambda m, gout: (gout[0] * 0.5,))
net[0].register_full_backward_hook(lambda m, gin, gout: seen.append(tuple(g.shape if g is not None else None for g in gin)))
xin = torch.randn(5, 3, requires_grad=True)
net(xin).sum().backward()
print(seen, net[2].bias.grad)

clip_log = []
p = nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
p.register_hook(lambda g: g.clamp(-1, 1))
accum = []
p.register_post_accumulate_grad_hook(lambda param: accum.append(param.grad.clone()))
(p * torch.tensor([5.0, -0.5, -7.0])).sum().backward()
print(p.grad, accum)

features = {}


def get_features(name):
    def hook(model, inp, output):
        features[name] = output.detach()

    return hook


cnn = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
handles = [cnn[i].register_forward_hook(get_features(f"layer{i}")) for i in (0, 2)]
cnn(torch.randn(1, 1, 5, 5))
print({k: tuple(v.shape) for k, v in features.items()})
for handle in handles:
    handle.remove()
features.clear()
cnn(torch.randn(1, 1, 5, 5))
print(features)

calls = []
g = nn.modules.module.register_module_forward_hook(lambda m, i, o: calls.append(type(m).__name__))
net(torch.randn(1, 3))
g.remove()
net(torch.randn(1, 3))
print(calls)

model = nn.Linear(2, 2)
model.register_load_state_dict_post_hook(lambda module, keys: print("loaded; missing:", keys.missing_keys))
model.load_state_dict(nn.Linear(2, 2).state_dict())


def always(module, args, output):
    print("always ran")


m = nn.Linear(2, 2)
m.register_forward_hook(always, always_call=True)
try:
    m(torch.ones(3))
except RuntimeError as e:
    print("error:", str(e).splitlines()[0])
