"""UvA Deep Learning Tutorial 4 ("Optimization and Initialization", Phillip Lippe): the
initialisation experiments (const_init with fill_, var_init with normal_(std=...),
equal_var_init 1 / sqrt(fan_in), xavier_init with bound sqrt(6) / sqrt(fan_in + fan_out) and
uniform_, kaiming_init with normal_(0, std) where std = sqrt(2 / fan_in) from
param.shape[1]), the activation / gradient variance check through a deep tanh / ReLU MLP
(register_forward_hook collecting layer outputs, torch.var), and optimizers written from scratch:
OptimizerTemplate with zero_grad (p.grad.detach_(); p.grad.zero_()) and a @torch.no_grad()
step, SGD, SGDMomentum with param_momentum dict keyed by parameter, and Adam with bias
correction; train_curve on the pathological curvature loss (x[0] ** 2 / curvature ... with
torch.tanh and torch.abs) from a fixed start, printing the trajectories' ends.

Source: https://uvadlc-notebooks.readthedocs.io/en/latest/tutorial_notebooks/tutorial4/Optimization_and_Initialization.html
(phlippe/uvadlc_notebooks, MIT; written for jitgrad's corpus after its structure, not copied).
Changes: width 32 and depth 6 instead of 512 and 8, random inputs instead of FashionMNIST, 40
optimizer steps, no plots.
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import math

import torch
import torch.nn as nn


class BaseNetwork(nn.Module):
    def __init__(self, act_fn, input_size=16, num_classes=10, hidden_sizes=[32, 32, 32, 32, 32]):
        super().__init__()
        layers = []
        layer_sizes = [input_size] + hidden_sizes
        for layer_index in range(1, len(layer_sizes)):
            layers += [nn.Linear(layer_sizes[layer_index - 1], layer_sizes[layer_index]), act_fn]
        layers += [nn.Linear(layer_sizes[-1], num_classes)]
        self.layers = nn.ModuleList(layers)  # A module list registers a list of modules as submodules (e.g. for parameters)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        for l in self.layers:
            x = l(x)
        return x


def const_init(model, fill=0.0):
    for name, param in model.named_parameters():
        param.data.fill_(fill)


def var_init(model, std=0.01):
    for name, param in model.named_parameters():
        param.data.normal_(mean=0.0, std=std)


def equal_var_init(model):
    for name, param in model.named_parameters():
        if name.endswith(".bias"):
            param.data.fill_(0)
        else:
            param.data.normal_(std=1.0 / math.sqrt(param.shape[1]))


def xavier_init(model):
    for name, param in model.named_parameters():
        if name.endswith(".bias"):
            param.data.fill_(0)
        else:
            bound = math.sqrt(6) / math.sqrt(param.shape[0] + param.shape[1])
            param.data.uniform_(-bound, bound)


def kaiming_init(model):
    for name, param in model.named_parameters():
        if name.endswith(".bias"):
            param.data.fill_(0.0)
        elif name.startswith("layers.0"):  # The first layer does not have ReLU applied on its input
            param.data.normal_(0, 1 / math.sqrt(param.shape[1]))
        else:
            param.data.normal_(0, math.sqrt(2) / math.sqrt(param.shape[1]))


def activation_variances(model, x):
    feats = []
    hooks = [m.register_forward_hook(lambda mod, inp, out: feats.append(out.detach())) for m in model.layers if isinstance(m, nn.Linear)]
    out = model(x)
    for h in hooks:
        h.remove()
    out.sum().backward()
    grads = {name: round(p.grad.var().item(), 6) for name, p in model.named_parameters() if "weight" in name}
    return [round(torch.var(f).item(), 4) for f in feats], grads


torch.manual_seed(42)
x = torch.randn(64, 16)
for act_fn, init in [(nn.Tanh(), const_init), (nn.Tanh(), var_init), (nn.Tanh(), equal_var_init), (nn.Tanh(), xavier_init), (nn.ReLU(), kaiming_init)]:
    model = BaseNetwork(act_fn=act_fn)
    init(model)
    acts, grads = activation_variances(model, x)
    print(init.__name__, act_fn, acts, list(grads.values())[:3])


class OptimizerTemplate:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def zero_grad(self):
        # Set gradients of all parameters to zero
        for p in self.params:
            if p.grad is not None:
                p.grad.detach_()  # For second-order optimizers important
                p.grad.zero_()

    @torch.no_grad()
    def step(self):
        # Apply update step to all parameters
        for p in self.params:
            if p.grad is None:  # We skip parameters without any gradients
                continue
            self.update_param(p)

    def update_param(self, p):
        # To be implemented in optimizer-specific classes
        raise NotImplementedError


class SGD(OptimizerTemplate):
    def __init__(self, params, lr):
        super().__init__(params, lr)

    def update_param(self, p):
        p_update = -self.lr * p.grad
        p.add_(p_update)  # In-place update => saves memory and does not create computation graph


class SGDMomentum(OptimizerTemplate):
    def __init__(self, params, lr, momentum=0.0):
        super().__init__(params, lr)
        self.momentum = momentum  # Corresponds to beta_1 in the equations above
        self.param_momentum = {p: torch.zeros_like(p.data) for p in self.params}  # Dict to store m_t

    def update_param(self, p):
        self.param_momentum[p] = (1 - self.momentum) * p.grad + self.momentum * self.param_momentum[p]
        p_update = -self.lr * self.param_momentum[p]
        p.add_(p_update)


class Adam(OptimizerTemplate):
    def __init__(self, params, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(params, lr)
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.param_step = {p: 0 for p in self.params}  # Remembers "t" for each parameter for bias correction
        self.param_momentum = {p: torch.zeros_like(p.data) for p in self.params}
        self.param_2nd_momentum = {p: torch.zeros_like(p.data) for p in self.params}

    def update_param(self, p):
        self.param_step[p] += 1
        self.param_momentum[p] = (1 - self.beta1) * p.grad + self.beta1 * self.param_momentum[p]
        self.param_2nd_momentum[p] = (1 - self.beta2) * (p.grad) ** 2 + self.beta2 * self.param_2nd_momentum[p]
        bias_correction_1 = 1 - self.beta1 ** self.param_step[p]
        bias_correction_2 = 1 - self.beta2 ** self.param_step[p]
        p_2nd_mom = self.param_2nd_momentum[p] / bias_correction_2
        p_mom = self.param_momentum[p] / bias_correction_1
        p_lr = self.lr / (torch.sqrt(p_2nd_mom) + self.eps)
        p_update = -p_lr * p_mom
        p.add_(p_update)


def pathological_curve_loss(w1, w2):
    # Example of a pathological curvature. There are many more possible, feel free to experiment here!
    x1_loss = torch.tanh(w1) ** 2 + 0.01 * torch.abs(w1)
    x2_loss = torch.sigmoid(w2)
    return x1_loss + x2_loss


def train_curve(optimizer_func, curve_func=pathological_curve_loss, num_updates=40, init=[5, 5]):
    weights = nn.Parameter(torch.FloatTensor(init), requires_grad=True)
    optimizer = optimizer_func([weights])
    list_points = []
    for _ in range(num_updates):
        loss = curve_func(weights[0], weights[1])
        list_points.append(torch.cat([weights.data.detach(), loss.unsqueeze(dim=0).detach()], dim=0))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    points = torch.stack(list_points, dim=0).numpy()
    return points


SGD_points = train_curve(lambda params: SGD(params, lr=10))
SGDMom_points = train_curve(lambda params: SGDMomentum(params, lr=10, momentum=0.9))
Adam_points = train_curve(lambda params: Adam(params, lr=1))
for name, pts in [("SGD", SGD_points), ("SGDMom", SGDMom_points), ("Adam", Adam_points)]:
    print(name, pts.shape, pts.dtype, pts[-1].round(4), pts[:, 2].min().round(4))
w = nn.Parameter(torch.tensor([1.0, 2.0]))
opt = Adam([w], lr=0.1)
(w ** 2).sum().backward()
g = w.grad
opt.step()
opt.zero_grad()
print(w, w.grad, w.grad is g, opt.param_step[w], torch.optim.Adam([w], lr=0.1).defaults["betas"])
