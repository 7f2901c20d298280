"""The table of small PyTorch programs whose outputs jitgrad must reproduce.

Each program is code that uses ``torch`` (also ``nn`` and ``F``) and leaves what it shows in
``result``; it runs once under real PyTorch (``record.py``) and once as ``import jitgrad as
torch`` (``tests/test_parity.py``). Inputs are written out, never drawn from a seeded
generator, because the two libraries' generators differ. ``xfail`` names a known difference
(strict: a fix makes the test fail until the mark is removed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Program:
    name: str
    code: str
    rtol: float = 1e-5
    atol: float = 1e-6
    xfail: str | None = None


X = "x = torch.tensor([[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)\n"
P = "p = torch.tensor([0.2, 0.6, 0.9], requires_grad=True)\nt = torch.tensor([0.0, 1.0, 1.0])\n"


def _node(name: str, expr: str, setup: str = X) -> Program:
    """The node name and value of one op applied to ``x``."""
    return Program(f"node_{name}", f"{setup}out = {expr}\nresult = out\n")


def _grad(name: str, expr: str, setup: str = X) -> Program:
    """Value, node name and gradient (weighted sum) of one op applied to ``x``."""
    code = (
        f"{setup}out = {expr}\n"
        "w = torch.arange(out.numel(), dtype=out.dtype).reshape(out.shape) * 0.5 - 1\n"
        "(out * w).sum().backward()\n"
        "result = (out, x.grad)\n"
    )
    return Program(f"grad_{name}", code)


LOSSES = [
    _grad("mse_loss", "F.mse_loss(x[0], x[1].detach() * 2)"),
    _grad("mse_loss_none", "F.mse_loss(x, torch.ones(2, 3), reduction='none')"),
    _grad("mse_loss_sum", "F.mse_loss(x, torch.ones(2, 3), reduction='sum')"),
    _grad("l1_loss", "F.l1_loss(x, torch.zeros(2, 3))"),
    _grad("l1_loss_sum", "F.l1_loss(x, torch.zeros(2, 3), reduction='sum')"),
    _grad("smooth_l1_loss", "F.smooth_l1_loss(x, torch.zeros(2, 3))"),
    _grad("huber_loss", "F.huber_loss(x, torch.zeros(2, 3), delta=0.5)"),
    _grad("bce_with_logits", "F.binary_cross_entropy_with_logits(x, (x > 0).float())"),
    _grad(
        "bce_with_logits_none",
        "F.binary_cross_entropy_with_logits(x, (x > 0).float(), reduction='none')",
    ),
    _grad("bce", "F.binary_cross_entropy(x, t)", P.replace("p =", "x =")),
    _grad("nll_loss", "F.nll_loss(x.log_softmax(1), torch.tensor([2, 0]))"),
    _grad("cross_entropy", "F.cross_entropy(x, torch.tensor([2, 0]))"),
    _grad("kl_div", "F.kl_div(x.log_softmax(1), torch.full((2, 3), 1 / 3), reduction='batchmean')"),
    _node("nn_mseloss", "nn.MSELoss()(x, torch.zeros(2, 3))"),
    _node("nn_bcewithlogits", "nn.BCEWithLogitsLoss()(x, torch.ones(2, 3))"),
    _node("nn_l1loss", "nn.L1Loss()(x, torch.zeros(2, 3))"),
    _node("nn_crossentropy", "nn.CrossEntropyLoss()(x, torch.tensor([1, 2]))"),
]

CLAMP = [
    _grad("clamp_scalars", "x.clamp(-1, 1)"),
    _grad("clamp_tensors", "x.clamp(torch.full((3,), -1.0), torch.full((3,), 1.0))"),
    _grad("clamp_min_tensor", "x.clamp(min=torch.zeros(3))"),
    _grad("clamp_max_tensor", "torch.clamp(x, max=torch.ones(3))"),
    _grad("clamp_min_scalar", "x.clamp(min=0.0)"),
    _grad("clamp_min_method", "x.clamp_min(0.0)"),
    _grad("clamp_max_method", "x.clamp_max(0.5)"),
    _grad("clip", "x.clip(-0.5, 0.5)"),
]

WHERE = [
    Program(
        "where_method",
        "c = torch.tensor([True, False, True])\n"
        "a = torch.tensor([1.0, 2.0, 3.0])\nb = torch.tensor([10.0, 20.0, 30.0])\n"
        "result = (a.where(c, b), a.where(c, 0.5), torch.where(c, a, b))\n",
    ),
    _grad("where_same_tensor_both_branches", "torch.where(x > 0, x * x, x)"),
    _grad("where_identity_both_branches", "torch.where(x > 0, x, x)"),
    _grad("where_scalar_other", "torch.where(x > 0, x, 0.0)"),
    _grad("where_method_grad", "x.where(x < 1, x.exp())"),
    _grad("where_relu_like_nan", "torch.where(x > 0, x.sqrt(), torch.zeros(()))"),
]

GRAD_MODE = [
    Program(
        "decorators_grad_mode",
        X + "@torch.no_grad\ndef f(a):\n    return (a * 2).requires_grad\n"
        "@torch.no_grad()\ndef g(a):\n    return (a * 2).requires_grad\n"
        "@torch.enable_grad\ndef h(a):\n    return (a * 2).requires_grad\n"
        "@torch.enable_grad()\ndef h2(a):\n    return (a * 2).requires_grad\n"
        "@torch.set_grad_enabled(False)\ndef k(a):\n    return (a * 2).requires_grad\n"
        "@torch.no_grad()\ndef gen(a):\n    yield (a * 2).requires_grad\n"
        "    yield (a * 3).requires_grad\n"
        "@torch.no_grad\ndef gen2(a):\n    yield (a * 2).requires_grad\n"
        "outside = []\nfor v in gen(x):\n    outside.append((v, (x * 2).requires_grad))\n"
        "with torch.no_grad():\n    inner = h(x)\n"
        "result = (f(x), g(x), h(x), h2(x), k(x), outside, list(gen2(x)), inner,\n"
        "          torch.is_grad_enabled())\n",
    ),
    Program(
        "set_grad_enabled_function_form",
        X + "torch.set_grad_enabled(False)\na = (x * 2).requires_grad\n"
        "torch.set_grad_enabled(True)\nresult = (a, (x * 2).requires_grad)\n",
    ),
    Program("requires_grad_on_nonleaf", X + "y = x * 2\nresult = y.requires_grad_()\n"),
    Program("requires_grad_false_on_nonleaf", X + "y = x * 2\nresult = y.requires_grad_(False)\n"),
    Program(
        "numpy_of_grad_tensor_in_no_grad",
        X + "with torch.no_grad():\n    result = x.numpy().tolist()\n",
    ),
    Program("numpy_of_grad_tensor", X + "result = x.numpy()\n"),
    Program(
        "del_grad",
        X + "x.sum().backward()\nbefore = x.grad\ndel x.grad\nresult = (before, x.grad)\n",
    ),
    Program("assign_grad_wrong_size", X + "x.grad = torch.zeros(3)\n"),
    Program("assign_grad_wrong_dtype", X + "x.grad = torch.zeros(2, 3, dtype=torch.float64)\n"),
    Program("assign_grad_ok", X + "x.grad = torch.ones(2, 3)\nresult = x.grad\n"),
    Program("autograd_grad_empty_inputs", X + "result = torch.autograd.grad((x * 2).sum(), [])\n"),
    Program(
        "autograd_grad_output_without_grad",
        X + "result = torch.autograd.grad(torch.ones(2).sum(), [x])\n",
    ),
    Program(
        "autograd_grad_input_unused",
        X + "y = torch.ones(2, requires_grad=True)\n"
        "result = torch.autograd.grad((x * 2).sum(), [x, y])\n",
    ),
    Program(
        "autograd_grad_allow_unused",
        X + "y = torch.ones(2, requires_grad=True)\n"
        "result = torch.autograd.grad((x * 2).sum(), [x, y], allow_unused=True)\n",
    ),
    Program(
        "inference_tensor_version",
        "with torch.inference_mode():\n    t = torch.ones(2)\nresult = t._version\n",
    ),
    Program("version_counter", "t = torch.ones(2)\nt.add_(1)\nt.mul_(2)\nresult = t._version\n"),
]

AUTOGRAD = [
    Program(
        "variable_returns_new_leaf",
        "t = torch.tensor([1.0, 2.0])\nv = torch.autograd.Variable(t, requires_grad=True)\n"
        "result = (v is t, t.requires_grad, v.requires_grad, v.is_leaf, v)\n",
    ),
    Program(
        "variable_plain",
        "t = torch.tensor([1.0, 2.0])\nv = torch.autograd.Variable(t)\n"
        "result = (v.requires_grad, v.is_leaf, v)\n",
    ),
    Program(
        "retain_grad_then_inplace",
        "a = torch.tensor([1.0, 2.0], requires_grad=True)\nb = a * 2\nb.retain_grad()\n"
        "b.mul_(3)\nb.sum().backward()\nresult = (b.grad, a.grad, b.grad_fn)\n",
    ),
    Program(
        "retain_grad_plain",
        "a = torch.tensor([1.0, 2.0], requires_grad=True)\nb = a * 2\nb.retain_grad()\n"
        "(b * b).sum().backward()\nresult = (b.grad, a.grad)\n",
    ),
    Program(
        "post_accumulate_hook_returning_tensor",
        X + "x.register_post_accumulate_grad_hook(lambda p: p * 2)\n(x * 2).sum().backward()\n",
    ),
    Program(
        "post_accumulate_hook_none",
        X + "seen = []\nx.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.sum()))\n"
        "(x * 2).sum().backward()\nresult = seen\n",
    ),
    Program(
        "function_returns_none_for_input",
        "class Fn(torch.autograd.Function):\n"
        "    @staticmethod\n    def forward(ctx, a, b, k):\n        return a * b * k\n"
        "    @staticmethod\n    def backward(ctx, g):\n        return g * 2, None, None\n"
        "a = torch.tensor([1.0, 2.0], requires_grad=True)\n"
        "b = torch.tensor([3.0, 4.0], requires_grad=True)\n"
        "Fn.apply(a, b, 3).sum().backward()\nresult = (a.grad, b.grad)\n",
    ),
    Program(
        "function_non_tensor_in_and_out",
        "class Fn(torch.autograd.Function):\n"
        "    @staticmethod\n    def forward(ctx, a, k):\n        ctx.k = k\n"
        "        return a * k, k + 1\n"
        "    @staticmethod\n    def backward(ctx, g, gk):\n"
        "        return g * ctx.k, None\n"
        "a = torch.tensor([1.0, 2.0], requires_grad=True)\n"
        "o, k = Fn.apply(a, 3)\no.sum().backward()\nresult = (o, k, a.grad)\n",
    ),
    Program(
        "second_backward_raises",
        X + "y = (x * x).exp().sum()\ny.backward()\ny.backward()\n",
    ),
    Program(
        "second_backward_through_replayed_step",
        X + "for _ in range(3):\n    x.grad = None\n    y = ((x * 2.0).sin() * x).sum()\n"
        "    y.backward()\ny.backward()\n",
    ),
    Program(
        "retain_graph_twice",
        X + "y = (x * x).sum()\ny.backward(retain_graph=True)\ny.backward()\nresult = x.grad\n",
    ),
    Program(
        "second_order_elementwise",
        X + "y = (x.sin() * x.exp() + x * x).sum()\n"
        "(g,) = torch.autograd.grad(y, x, create_graph=True)\n"
        "(h,) = torch.autograd.grad(g.sum(), x)\nresult = (g, h)\n",
    ),
    Program(
        "second_order_tanh_sigmoid",
        X + "y = (x.tanh() * x.sigmoid() / (1 + x * x)).sum()\n"
        "(g,) = torch.autograd.grad(y, x, create_graph=True)\n"
        "(h,) = torch.autograd.grad((g * g).sum(), x)\nresult = (g, h)\n",
    ),
    Program(
        "second_order_backward",
        X + "y = (x ** 3).sum()\ny.backward(create_graph=True)\ng = x.grad\n"
        "x.grad = None\ng.sum().backward()\nresult = (g, x.grad)\n",
    ),
    Program(
        "full_backward_hook_input_without_grad",
        "lin = nn.Linear(2, 1)\nwith torch.no_grad():\n    lin.weight.fill_(0.5)\n"
        "    lin.bias.fill_(0.1)\nseen = []\n"
        "lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))\n"
        "lin(torch.ones(1, 2)).sum().backward()\nresult = seen\n",
    ),
    Program(
        "full_backward_hook",
        "lin = nn.Linear(2, 1)\nwith torch.no_grad():\n    lin.weight.fill_(0.5)\n"
        "    lin.bias.fill_(0.1)\nseen = []\n"
        "lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))\n"
        "inp = torch.ones(1, 2, requires_grad=True)\n"
        "lin(inp).sum().backward()\nresult = seen\n",
    ),
    Program(
        "relu_grad_at_nan",
        "t = torch.tensor([float('nan'), 1.0, -1.0, 0.0], requires_grad=True)\n"
        "a = torch.relu(t)\na.sum().backward()\ng1 = t.grad\nt.grad = None\n"
        "F.relu(t).sum().backward()\nresult = (a, g1, t.grad)\n",
    ),
    Program(
        "leaky_relu_and_hardtanh_at_nan",
        "t = torch.tensor([float('nan'), 1.0, -1.0, 0.0], requires_grad=True)\n"
        "(F.leaky_relu(t) + F.hardtanh(t)).sum().backward()\nresult = t.grad\n",
    ),
]

# From PyTorch's autograd tutorial and everyday use.
EVERYDAY = [
    Program(
        "tutorial_logistic",
        "x = torch.ones(5)\ny = torch.zeros(3)\n"
        "w = torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [0.7, -0.8, 0.9],\n"
        "                  [-0.1, 0.2, 0.3], [0.05, 0.15, -0.25]], requires_grad=True)\n"
        "b = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)\n"
        "z = torch.matmul(x, w) + b\n"
        "loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)\n"
        "loss.backward()\n"
        "result = (z.grad_fn, loss.grad_fn, loss, w.grad, b.grad, z.requires_grad)\n",
    ),
    Program(
        "tutorial_detach",
        "x = torch.ones(5)\nw = torch.ones(5, 3, requires_grad=True)\n"
        "z = torch.matmul(x, w)\nz_det = z.detach()\n"
        "with torch.no_grad():\n    z2 = torch.matmul(x, w)\n"
        "result = (z.requires_grad, z_det.requires_grad, z2.requires_grad)\n",
    ),
    Program(
        "tutorial_jacobian_product",
        "inp = torch.eye(4, 5, requires_grad=True)\nout = (inp + 1).pow(2).t()\n"
        "out.backward(torch.ones_like(out), retain_graph=True)\ng1 = inp.grad.clone()\n"
        "out.backward(torch.ones_like(out))\ng2 = inp.grad.clone()\ninp.grad.zero_()\n"
        "out2 = (inp + 1).pow(2).t()\nout2.backward(torch.ones_like(out2))\n"
        "result = (g1, g2, inp.grad, out.grad_fn)\n",
    ),
    Program(
        "backward_non_scalar_error",
        X + "(x * 2).backward()\n",
    ),
    Program("leaf_grad_fn", X + "result = (x.grad_fn, x.is_leaf, (x * 2).is_leaf)\n"),
    Program("nonleaf_grad_warning_none", X + "y = x * 2\ny.sum().backward()\nresult = y.grad\n"),
    Program(
        "grad_accumulates",
        X + "for _ in range(3):\n    (x * x).sum().backward()\nresult = x.grad\n",
    ),
    Program(
        "next_functions",
        X + "y = (x * 2).sum()\nnf = y.grad_fn.next_functions\n"
        "result = (y.grad_fn.name(), [(n.name() if n else None, i) for n, i in nf],\n"
        "          nf[0][0].next_functions[0][0].name())\n",
    ),
    Program("inplace_leaf_error", X + "x.add_(1)\n"),
    Program(
        "inplace_saved_error",
        X + "y = x.exp()\ny.add_(1)\ny.sum().backward()\n",
    ),
    Program("item_of_non_scalar", X + "x.item()\n"),
    Program("matmul_shape_error", "torch.ones(2, 3) @ torch.ones(2, 3)\n"),
    Program("add_broadcast_error", "torch.ones(2, 3) + torch.ones(4)\n"),
    Program("view_error", "torch.arange(6).view(4, 2)\n"),
    Program("cat_dtype_promotion", "result = torch.cat([torch.ones(2), torch.arange(2)])\n"),
    Program(
        "type_promotion",
        "a = torch.tensor([1, 2])\nb = torch.tensor([1.5, 2.5])\n"
        "result = (a + b, a * 2.5, a / 2, a // 2, a + True, (a > 1).sum(),\n"
        "          torch.tensor([True]) + torch.tensor([True]))\n",
    ),
    Program(
        "reductions",
        X + "result = (x.sum(), x.mean(0), x.max(), x.max(1), x.argmin(), x.std(), x.var(1),\n"
        "          x.prod(), x.norm(), x.amax(0), x.logsumexp(1))\n",
    ),
    Program(
        "repr_float32",
        "result = [repr(torch.tensor([1.0, 2.5, -3.0])), repr(torch.tensor(3.25)),\n"
        "          repr(torch.tensor([[1e-5, 1.0], [1e5, 2.0]])), repr(torch.zeros(0)),\n"
        "          repr(torch.tensor([1.0, float('nan'), float('inf')])),\n"
        "          repr(torch.arange(12.0).reshape(2, 2, 3)),\n"
        "          repr(torch.tensor([0.1, 0.123456789])), repr(torch.ones(2, 0))]\n",
    ),
    Program(
        "repr_dtypes",
        "result = [repr(torch.tensor([1, 2, 3])), repr(torch.tensor([True, False])),\n"
        "          repr(torch.tensor([1.5, 2.0], dtype=torch.float64)),\n"
        "          repr(torch.tensor([1, 2], dtype=torch.int32)),\n"
        "          repr(torch.tensor([1, 2], dtype=torch.uint8)),\n"
        "          repr(torch.tensor([1.0, 2.0], dtype=torch.float16)),\n"
        "          repr(torch.tensor([1, 2], dtype=torch.int8)),\n"
        "          repr(torch.tensor(7)), repr(torch.tensor(False)),\n"
        "          repr(torch.tensor([1e10, 1.0])), repr(torch.tensor([123456.0, 1.0]))]\n",
    ),
    Program(
        "repr_grad",
        X + "y = x * 2\nresult = [repr(x), repr(y), repr(y.sum()), repr(x.detach()),\n"
        "          repr(y.grad_fn)[:20], str(x.dtype), str(x.shape), repr(x.shape)]\n",
    ),
    Program(
        "repr_large",
        "result = [repr(torch.arange(2000.0)), repr(torch.arange(1200).reshape(30, 40)),\n"
        "          repr(torch.linspace(0, 1, 7))]\n",
    ),
    Program(
        "repr_parameter_and_module",
        "lin = nn.Linear(3, 2)\nseq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),\n"
        "                    nn.Dropout(0.1), nn.Linear(8, 1))\n"
        "result = [repr(seq), repr(lin), repr(nn.Parameter(torch.ones(2))),\n"
        "          repr(nn.MSELoss()), repr(nn.CrossEntropyLoss())]\n",
    ),
    Program(
        "creation",
        "result = (torch.zeros(2, 3), torch.ones(2, dtype=torch.int64), torch.full((2,), 7),\n"
        "          torch.arange(5), torch.arange(0, 1, 0.25), torch.linspace(-1, 1, 5),\n"
        "          torch.eye(3), torch.zeros_like(torch.ones(2, dtype=torch.int32)),\n"
        "          torch.tensor([[1, 2], [3, 4]]).dtype, torch.tensor(2.5).dtype,\n"
        "          torch.tensor([1, 2.0]).dtype, torch.empty(2, 3).shape,\n"
        "          torch.get_default_dtype())\n",
    ),
    Program(
        "mlp_step_sgd",
        "torch.set_default_dtype(torch.float32)\n"
        "w1 = torch.tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], requires_grad=True)\n"
        "b1 = torch.tensor([0.01, -0.02, 0.03], requires_grad=True)\n"
        "w2 = torch.tensor([[0.7, -0.8, 0.9]], requires_grad=True)\n"
        "opt = torch.optim.SGD([w1, b1, w2], lr=0.1, momentum=0.9)\n"
        "xs = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.3, -0.7]])\n"
        "ys = torch.tensor([[1.0], [0.0], [0.5]])\nlosses = []\n"
        "for _ in range(20):\n    opt.zero_grad()\n"
        "    loss = F.mse_loss(torch.tanh(xs @ w1.t() + b1) @ w2.t(), ys)\n"
        "    loss.backward()\n    opt.step()\n    losses.append(loss.item())\n"
        "result = (losses, w1, w2, loss.grad_fn)\n",
    ),
    Program(
        "zero_grad_sets_none",
        "lin = nn.Linear(2, 2)\nlin(torch.ones(1, 2)).sum().backward()\n"
        "opt = torch.optim.SGD(lin.parameters(), lr=0.1)\nopt.zero_grad()\n"
        "result = (lin.weight.grad, lin.bias.grad)\n",
    ),
    Program(
        "module_api",
        "lin = nn.Linear(3, 2)\nseq = nn.Sequential(lin, nn.ReLU())\n"
        "result = ([n for n, _ in seq.named_parameters()], [tuple(p.shape) for p in\n"
        "          seq.parameters()], list(seq.state_dict().keys()), seq.training,\n"
        "          seq.eval().training, lin.weight.requires_grad, lin.weight.is_leaf)\n",
    ),
    Program(
        "no_grad_inplace_param",
        "w = torch.ones(3, requires_grad=True)\nwith torch.no_grad():\n    w -= 0.5\n"
        "result = (w, w.requires_grad, w.is_leaf, w.grad_fn)\n",
    ),
    Program(
        "detach_shares_storage",
        X + "d = x.detach()\nwith torch.no_grad():\n    d[0, 0] = 9.0\n"
        "result = (x, d.requires_grad)\n",
    ),
    Program(
        "indexing_grads",
        X + "y = x[0, 1:] * 2 + x[1, [0, 2]] + x[x > 0].sum()\ny.sum().backward()\n"
        "result = (y, x.grad)\n",
    ),
    Program(
        "scatter_index_add_grads",
        X + "idx = torch.tensor([[0, 1, 0], [1, 0, 1]])\n"
        "y = torch.zeros(2, 3).scatter_add(0, idx, x) + torch.zeros(2, 3).index_add(\n"
        "    1, torch.tensor([0, 0, 2]), x)\n(y * y).sum().backward()\n"
        "result = (y, x.grad, y.grad_fn)\n",
    ),
    Program(
        "dtype_errors",
        "a = torch.ones(2, dtype=torch.int64, requires_grad=True)\n",
    ),
    Program(
        "int_requires_grad_error_via_method",
        "a = torch.ones(2, dtype=torch.int64)\na.requires_grad_()\n",
    ),
    Program(
        "softmax_cross_entropy_batch",
        "logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.2, 0.2, 3.1],\n"
        "                       [0.0, 0.0, 0.0]], requires_grad=True)\n"
        "target = torch.tensor([0, 1, 2, 1])\n"
        "loss = F.cross_entropy(logits, target, label_smoothing=0.1)\nloss.backward()\n"
        "result = (loss, logits.grad, loss.grad_fn)\n",
    ),
    Program(
        "layer_norm_batch_norm",
        X + "ln = nn.LayerNorm(3)\nbn = nn.BatchNorm1d(3)\ny = ln(x) + bn(x)\n"
        "(y * y).sum().backward()\nresult = (y, x.grad, bn.running_mean, bn.running_var)\n",
    ),
    Program(
        "hooks_on_tensor",
        X + "seen = []\ny = x * 2\ny.register_hook(lambda g: seen.append(g.clone()))\n"
        "x.register_hook(lambda g: g * 10)\n(y * y).sum().backward()\n"
        "result = (seen, x.grad)\n",
    ),
    Program(
        "clone_and_copy_grads",
        X + "y = torch.zeros(2, 3)\ny.copy_(x * 2)\nz = x.clone() * 3\n"
        "(y.sum() + z.sum()).backward()\nresult = (y.grad_fn, z.grad_fn, x.grad)\n",
    ),
    Program(
        "sum_dims_keepdim",
        X + "result = (x.sum((0, 1)), x.sum(-1, keepdim=True), x.mean(dtype=torch.float64),\n"
        "          x.sum(dtype=torch.float64), torch.tensor([1, 2, 3]).sum(),\n"
        "          torch.tensor([True, True]).sum(), torch.tensor([1, 2]).float().mean())\n",
    ),
    Program(
        "mean_of_int_error",
        "torch.tensor([1, 2, 3]).mean()\n",
    ),
    Program(
        "adam_few_steps",
        "w = torch.tensor([0.5, -0.3, 0.8], requires_grad=True)\n"
        "opt = torch.optim.Adam([w], lr=0.01)\n"
        "for _ in range(5):\n    opt.zero_grad()\n    ((w - 1) ** 2).sum().backward()\n"
        "    opt.step()\nresult = (w, opt.state[w]['exp_avg'], opt.state[w]['step'])\n",
    ),
]

ADAM_MLP = """
def mlp_run(opt_cls, dtype, steps, **kw):
    import math
    def init(rows, cols, k):
        vals = [[math.sin(0.7 * (i * cols + j) + k) * 0.5 for j in range(cols)]
                for i in range(rows)]
        return torch.tensor(vals, dtype=dtype, requires_grad=True)
    w1, w2 = init(16, 4, 0.1), init(1, 16, 0.3)
    b1 = torch.zeros(16, dtype=dtype, requires_grad=True)
    xs = torch.tensor([[math.cos(0.3 * i + j) for j in range(4)] for i in range(32)],
                      dtype=dtype)
    ys = torch.tensor([[math.sin(0.5 * i)] for i in range(32)], dtype=dtype)
    opt = opt_cls([w1, b1, w2], lr=1e-2, **kw)
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(torch.tanh(xs @ w1.t() + b1) @ w2.t(), ys)
        loss.backward()
        opt.step()
    return (loss, w1, b1, w2)
"""

OPTIM = [
    Program(
        "adam_mlp_float32_300_steps",
        ADAM_MLP + "result = mlp_run(torch.optim.Adam, torch.float32, 300)\n",
        rtol=2e-5,
        atol=2e-6,
    ),
    Program(
        "adamw_mlp_float32_300_steps",
        ADAM_MLP + "result = mlp_run(torch.optim.AdamW, torch.float32, 300, weight_decay=0.1)\n",
        rtol=2e-5,
        atol=2e-6,
    ),
    Program(
        "adam_amsgrad_mlp_float32_100_steps",
        ADAM_MLP + "result = mlp_run(torch.optim.Adam, torch.float32, 100, amsgrad=True)\n",
        rtol=2e-5,
        atol=2e-6,
    ),
    Program(
        "adam_mlp_float64_300_steps",
        ADAM_MLP + "result = mlp_run(torch.optim.Adam, torch.float64, 300)\n",
        rtol=1e-9,
        atol=1e-11,
    ),
]

XY = (
    "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
    "y = torch.tensor([3.0, 4.0], requires_grad=True)\n"
)
HOOKS_LOG = (
    "log = []\n"
    "def pack(t):\n    log.append(('pack', t))\n    return t\n"
    "def unpack(t):\n    log.append(('unpack', t))\n    return t\n"
)

GRAPH = [
    Program(
        "saved_tensors_hooks_order",
        XY + HOOKS_LOG + "with torch.autograd.graph.saved_tensors_hooks(pack, unpack):\n"
        "    s = ((x * y).exp() + x.sin()).sum()\n"
        "log.append('forward')\ns.backward()\nresult = (log, x.grad, y.grad)\n",
    ),
    Program(
        "saved_tensors_hooks_unpack_value_used",
        XY + "with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t * 2):\n"
        "    (x * x).sum().backward()\nresult = x.grad\n",
    ),
    Program(
        "saved_tensors_hooks_unpack_not_tensor",
        XY + "with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: None):\n"
        "    z = x.sin()\nz.sum().backward()\n",
    ),
    Program(
        "save_on_cpu_grads",
        XY + "with torch.autograd.graph.save_on_cpu():\n    z = (x * y).tanh()\n"
        "z.sum().backward()\nresult = (x.grad, y.grad)\n",
    ),
    Program(
        "saved_attributes",
        XY + "m = (x * y).grad_fn\np = (x ** 2).grad_fn\ne = x.exp()\n"
        "result = (m._saved_self, m._saved_other, p._saved_self, p._saved_exponent,\n"
        "          e.grad_fn._saved_result, (x * 2).grad_fn._saved_self,\n"
        "          (x * 2).grad_fn._saved_other, x.sin().grad_fn._saved_self)\n",
    ),
    Program(
        "saved_attribute_after_backward",
        XY + "z = x.exp()\nz.sum().backward()\nz.grad_fn._saved_result\n",
    ),
    Program(
        "multi_grad_hook_all",
        XY + "seen = []\n"
        "torch.autograd.graph.register_multi_grad_hook((x, y), lambda gs: seen.append(gs))\n"
        "(x * 3).sum().backward()\n(x * y).sum().backward()\nresult = seen\n",
    ),
    Program(
        "node_metadata_and_name",
        XY + "n = (x * y).grad_fn\nn.metadata['tag'] = 1\n"
        "result = (n.name(), n.metadata, isinstance(n, torch.autograd.graph.Node))\n",
    ),
    Program(
        "vhp_hvp",
        "f = lambda a: (a ** 3).sum() + (a[0] * a[1]) ** 2\n"
        "x = torch.tensor([1.0, 2.0])\nv = torch.tensor([0.5, -1.0])\n"
        "result = (torch.autograd.functional.vhp(f, x, v),"
        " torch.autograd.functional.hvp(f, x, v))\n",
    ),
    Program(
        "vhp_not_scalar",
        "torch.autograd.functional.vhp(lambda a: a * 2, torch.ones(2), torch.ones(2))\n",
    ),
]

PROGRAMS: list[Program] = [
    *LOSSES,
    *CLAMP,
    *WHERE,
    *GRAD_MODE,
    *AUTOGRAD,
    *EVERYDAY,
    *OPTIM,
    *GRAPH,
]


def _nodes(group: str, exprs: list[str], setup: str = X) -> list[Program]:
    """One program per op: its value and node name (a missing op fails only its own test)."""
    out = []
    for expr in exprs:
        words = expr
        for sym, word in (
            ("**", " pow "),
            ("@", " at "),
            ("+", " plus "),
            ("-", " minus "),
            ("*", " mul "),
            ("/", " div "),
            (">", " gt "),
        ):
            words = words.replace(sym, word)
        slug = re.sub(r"[^0-9a-zA-Z]+", "_", words).strip("_")[:60]
        out.append(Program(f"node_{group}_{slug}", f"{setup}out = {expr}\nresult = out\n"))
    return out


Y = X + "y = (x.detach().abs() + 0.5).requires_grad_()\n"
M = X + "m = torch.tensor([[2.0, 0.5], [0.5, 3.0]], requires_grad=True)\n"

NODES = [
    *_nodes(
        "reduce",
        [
            "x.sum()",
            "x.mean()",
            "x.max()",
            "x.max(1)[0]",
            "x.max(1)[1]",
            "x.amax(0)",
            "x.prod()",
            "x.norm()",
            "x.std()",
            "x.var()",
            "x.logsumexp(1)",
            "x.min()",
            "x.min(0)[0]",
            "x.amin(1)",
            "x.sum(0)",
            "x.mean(1, keepdim=True)",
            "x.cumsum(1)",
            "x.cumprod(1)",
            "x.norm(p=1)",
            "x.median()",
            "x.sort(1)[0]",
            "x.topk(2)[0]",
            "x.argmax(1)",
            "x.std(0, unbiased=False)",
            "x.var(1, correction=0)",
            "x.all()",
            "x.any()",
            "x.count_nonzero()",
            "x.nansum()",
            "x.kthvalue(2, 1)[0]",
        ],
    ),
    *_nodes(
        "move",
        [
            "x.t()",
            "x.view(3, 2)",
            "x.reshape(6)",
            "x[0]",
            "x[:, 1:]",
            "x.permute(1, 0)",
            "x.unsqueeze(0)",
            "x.squeeze()",
            "x.expand(2, 2, 3)",
            "x.flatten()",
            "x.transpose(0, 1)",
            "torch.cat([x, x])",
            "torch.stack([x, x])",
            "x.contiguous()",
            "x.narrow(1, 0, 2)",
            "x.flip(0)",
            "x.roll(1, 1)",
            "x.repeat(2, 1)",
            "x.chunk(2, 1)[0]",
            "x.split(1)[0]",
            "x.gather(1, torch.tensor([[0], [1]]))",
            "x[torch.tensor([1, 0])]",
            "x.clone()",
            "x.index_select(1, torch.tensor([0, 2]))",
            "x.masked_fill(x > 0, 0.0)",
            "x.tril()",
            "x.triu()",
            "x.diagonal()",
            "x.unbind()[0]",
            "x.movedim(0, 1)",
            "x[x > 0]",
            "x.T",
            "x.mT",
            "x.view(-1)",
            "x.unflatten(1, (3, 1))",
            "x[None, :, 1]",
            "x.expand_as(torch.ones(4, 2, 3))",
            "x.tile((1, 2))",
            "x.swapaxes(0, 1)",
            "x.select(1, 2)",
            "x.unfold(1, 2, 1)",
            "torch.hstack([x, x])",
            "torch.vstack([x, x])",
            "x.repeat_interleave(2, 0)",
            "x.take(torch.tensor([0, 5]))",
            "x.diag_embed()",
            "x.masked_select(x > 0)",
            "x.index_fill(1, torch.tensor([0]), 1.0)",
            "x.scatter(1, torch.tensor([[0], [1]]), 5.0)",
            "x.new_zeros(2) + x[0, :2]",
            "torch.diag(x[0])",
            "x.flatten(0, 1)",
            "x.squeeze(0)",
            "x.unsqueeze(-1)",
        ],
    ),
    *_nodes(
        "pointwise",
        [
            "x + 1",
            "x - 1",
            "x * 2",
            "x / 2",
            "-x",
            "x ** 2",
            "2 ** x",
            "x.exp()",
            "y.log()",
            "x.sin()",
            "x.cos()",
            "x.tanh()",
            "x.sigmoid()",
            "y.sqrt()",
            "y.rsqrt()",
            "x.abs()",
            "x.relu()",
            "x.pow(3.0)",
            "y.pow(x)",
            "x.reciprocal()",
            "x.exp2()",
            "x.expm1()",
            "y.log1p()",
            "y.log2()",
            "y.log10()",
            "x.erf()",
            "x.sign()",
            "x.floor()",
            "x.ceil()",
            "x.round()",
            "x.trunc()",
            "x.sinh()",
            "x.cosh()",
            "x.atan()",
            "x.tan()",
            "x.square()",
            "torch.maximum(x, y)",
            "torch.minimum(x, y)",
            "x.lerp(y, 0.3)",
            "x.addcmul(y, y)",
            "x.addcdiv(y, y)",
            "x.float()",
            "x.double()",
            "x.to(torch.float64)",
            "x.frac()",
            "torch.atan2(x, y)",
            "x.fmod(1.5)",
            "x.remainder(1.5)",
            "x.hypot(y)",
            "x.logaddexp(y)",
            "x.xlogy(y)",
            "y.lgamma()",
            "y.digamma()",
            "x.sgn()",
            "x.softmax(0)",
            "x.log_softmax(1)",
            "torch.sub(x, y, alpha=2)",
            "torch.add(x, y, alpha=2)",
            "(x / 3).asin()",
            "(x / 3).acos()",
            "x.asinh()",
            "y.acosh()",
            "(x / 3).atanh()",
            "x.nan_to_num()",
            "(y / 3).logit()",
            "x.deg2rad()",
            "x.rad2deg()",
            "x + y",
            "x * y",
            "x / y",
            "x - y",
            "y ** y",
            "x.erfc()",
            "x.erfinv() if False else (x / 3).erfinv()",
            "x.sinc()",
            "x.log_sigmoid() if hasattr(x, 'log_sigmoid') else F.logsigmoid(x)",
            "x.fmax(y)",
            "x.fmin(y)",
            "torch.where(x > 0, x, y)",
            "x.mul(2).add_(1)",
            "x.exp().mul_(2)",
            "x.clamp(-1, 1)",
            "x.clamp_min(0.0)",
            "x.clamp_max(0.0)",
            "x.float_power(2)",
            "x.true_divide(2)",
            "x.div(2, rounding_mode='floor')",
            "x.positive()",
            "x.i0()",
            "x.lerp(y, y)",
            "x.copysign(y)",
            "x.heaviside(y)",
            "x.logical_not()",
            "x.isnan()",
            "x > y",
            "x.eq(y)",
            "x.polygamma(1) if False else y.polygamma(1)",
            "x.mvlgamma(1) if False else y.mvlgamma(1)",
        ],
        setup=Y,
    ),
    *_nodes(
        "nn",
        [
            "F.relu(x)",
            "F.gelu(x)",
            "F.silu(x)",
            "F.elu(x)",
            "F.leaky_relu(x)",
            "F.softplus(x)",
            "F.hardtanh(x)",
            "F.selu(x)",
            "F.celu(x)",
            "F.mish(x)",
            "F.hardswish(x)",
            "F.hardsigmoid(x)",
            "F.relu6(x)",
            "F.logsigmoid(x)",
            "F.softsign(x)",
            "F.tanhshrink(x)",
            "F.softshrink(x)",
            "F.hardshrink(x)",
            "F.dropout(x, 0.0)",
            "F.normalize(x)",
            "F.layer_norm(x, (3,))",
            "F.linear(x, torch.ones(4, 3))",
            "F.linear(x, torch.ones(4, 3), torch.ones(4))",
            "F.softmax(x, 1)",
            "F.log_softmax(x, 1)",
            "F.glu(torch.cat([x, x], 1))",
            "F.pad(x, (1, 1))",
            "F.embedding(torch.tensor([1, 0]), x)",
            "F.cosine_similarity(x, x + 1)",
            "F.pairwise_distance(x, x + 1)",
            "F.one_hot(torch.tensor([1, 0]), 3).float() * x",
            "F.gelu(x, approximate='tanh')",
            "F.prelu(x, torch.tensor([0.25]))",
            "F.rrelu(x, training=False)",
            "F.threshold(x, 0.1, 20.0)",
            "F.softmin(x, 1)",
            "F.log_softmax(x, 0)",
            "F.group_norm(x[None], 1)",
            "F.instance_norm(x[None])",
            "F.batch_norm(x, torch.zeros(3), torch.ones(3))",
            "F.sigmoid(x)",
            "F.tanh(x)",
            "F.elu(x, alpha=0.5)",
            "F.dropout(x, 0.5, training=False)",
            "F.local_response_norm(x[None], 2)",
            "F.pixel_shuffle(x.reshape(1, 4, 1, 1)"
            " if False else torch.ones(1, 4, 1, 1, requires_grad=True), 2)",
            "F.margin_ranking_loss(x[0], x[1], torch.ones(3))",
            "F.soft_margin_loss(x, torch.ones(2, 3))",
            "F.hinge_embedding_loss(x, torch.ones(2, 3))",
            "F.poisson_nll_loss(x, torch.ones(2, 3))",
            "F.gaussian_nll_loss(x, torch.ones(2, 3), torch.ones(2, 3))",
            "F.multi_margin_loss(x, torch.tensor([0, 2]))",
            "F.triplet_margin_loss(x, x + 1, x - 1)",
            "F.cosine_embedding_loss(x, x + 1, torch.ones(2))",
            "F.multilabel_soft_margin_loss(x, torch.ones(2, 3))",
        ],
    ),
    *_nodes(
        "linalg",
        [
            "x @ x.t()",
            "x.mm(x.t())",
            "x.matmul(x.t())",
            "torch.bmm(x[None], x.t()[None])",
            "x.mv(torch.ones(3))",
            "x[0].dot(x[1])",
            "torch.outer(x[0], x[1])",
            "torch.einsum('ij,kj->ik', x, x)",
            "m.inverse()",
            "m.det()",
            "torch.linalg.solve(m, torch.ones(2))",
            "m.trace()",
            "torch.addmm(torch.ones(2, 2), x, x.t())",
            "torch.linalg.norm(m)",
            "torch.linalg.cholesky(m)",
            "torch.cdist(x, x)",
            "x[0] @ x[1]",
            "x @ x[0]",
            "torch.matmul(x[None], x.t())",
            "torch.linalg.vector_norm(x)",
            "m.logdet()",
            "torch.linalg.matrix_norm(m)",
            "torch.tensordot(x, x, dims=([1], [1]))",
            "torch.kron(m, m)",
            "torch.baddbmm(torch.ones(1, 2, 2), x[None], x.t()[None])",
            "torch.linalg.slogdet(m)[1]",
            "torch.linalg.eigh(m)[0]",
            "torch.linalg.qr(m)[1]",
            "torch.linalg.svdvals(m)",
            "torch.cross(x[0], x[1], dim=0)",
            "torch.inner(x, x)",
        ],
        setup=M,
    ),
]

PROGRAMS.extend(NODES)

#: Known differences, each with its reason (see the module docstring: strict xfails).
KNOWN: dict[str, str] = {
    "node_move_x_repeat_interleave_2_0": "repeat_interleave shows IndexSelectBackward0 "
    "(PyTorch: ViewBackward0 over an expand)",
}

PROGRAMS = [Program(p.name, p.code, p.rtol, p.atol, KNOWN.get(p.name, p.xfail)) for p in PROGRAMS]
assert set(KNOWN) <= {p.name for p in PROGRAMS}, set(KNOWN) - {p.name for p in PROGRAMS}
