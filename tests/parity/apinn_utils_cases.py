"""``nn.utils.parametrize``/``parametrizations``/``spectral_norm``/``prune``,
``optim.swa_utils``, lazy modules and ``nn.Buffer`` cases run identically by PyTorch
(recording) and jitgrad (testing): each returns JSON-able values (tensors as lists, reprs,
``state_dict`` keys, error texts)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

_RNG = np.random.default_rng(21)
W44 = _RNG.standard_normal((4, 4))
W35 = _RNG.standard_normal((5, 3))
W53 = _RNG.standard_normal((3, 5))
X = _RNG.standard_normal((6, 5))
M44 = _RNG.standard_normal((4, 4))
_U, _, _VT = np.linalg.svd(_RNG.standard_normal((4, 5)), full_matrices=False)
W_SN = _U @ np.diag([3.0, 1.2, 0.5, 0.2]) @ _VT  # a clear spectral gap: power iteration converges
U_FIX = _RNG.standard_normal(4)
V_FIX = _RNG.standard_normal(5)
W_PR = np.arange(1, 21, dtype=np.float64).reshape(4, 5) * np.where(_RNG.random((4, 5)) < 0.5, -1, 1)
W_PR = W_PR[_RNG.permutation(4)][:, _RNG.permutation(5)] / 7
W_PR2 = _RNG.standard_normal((3, 2))
BATCHES = [_RNG.standard_normal((5, 3)) for _ in range(3)]
STEPS = [_RNG.standard_normal((2, 3)) for _ in range(3)]


def _l(a: Any) -> Any:
    return a.detach().numpy().tolist()


def _linear(torch: Any, w: np.ndarray, bias: bool = True) -> Any:
    m = torch.nn.Linear(w.shape[1], w.shape[0], bias=bias, dtype=torch.float64)
    with torch.no_grad():
        m.weight.copy_(torch.tensor(w))
        if bias:
            m.bias.copy_(torch.linspace(-1, 1, w.shape[0], dtype=torch.float64))
    return m


def _err(fn: Callable) -> list[str]:
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the exception is the result
        return [type(e).__name__, str(e)]
    return ["no error", ""]


def _backward_grads(torch: Any, m: Any, params: list) -> list:
    out = m(torch.tensor(X[:, : m.in_features]))
    (out * torch.linspace(-1, 1, out.numel(), dtype=out.dtype).reshape(out.shape)).sum().backward()
    return [_l(p.grad) for p in params]


def param_sym(torch: Any) -> dict:
    P = torch.nn.utils.parametrize

    class Symmetric(torch.nn.Module):
        def forward(self, x: Any) -> Any:
            return x.triu() + x.triu(1).transpose(-1, -2)

    m = _linear(torch, W44)
    orig = m.weight
    P.register_parametrization(m, "weight", Symmetric())
    res = {
        "repr": repr(m),
        "keys": list(m.state_dict().keys()),
        "weight": _l(m.weight),
        "same_original": m.parametrizations.weight.original is orig,
        "is": [P.is_parametrized(m), P.is_parametrized(m, "weight"), P.is_parametrized(m, "bias")],
        "type_before": P.type_before_parametrizations(m).__name__,
        "class": type(m).__name__,
        "grads": _backward_grads(torch, m, [m.parametrizations.weight.original, m.bias]),
        "assign": _err(lambda: setattr(m, "weight", torch.zeros(4, 4, dtype=torch.float64))),
        "missing": _err(lambda: P.register_parametrization(m, "foo", Symmetric())),
    }
    with P.cached():
        res["cached_same"] = m.weight is m.weight
    res["uncached_same"] = m.weight is m.weight
    P.remove_parametrizations(m, "weight")
    res["removed"] = [type(m).__name__, list(m.state_dict().keys()), _l(m.weight)]
    res["remove_again"] = _err(lambda: P.remove_parametrizations(m, "weight"))
    return res


def param_chain(torch: Any) -> dict:
    P = torch.nn.utils.parametrize

    class Scale(torch.nn.Module):
        def __init__(self, s: float) -> None:
            super().__init__()
            self.s = s

        def forward(self, x: Any) -> Any:
            return x * self.s

        def right_inverse(self, x: Any) -> Any:
            return x / self.s

    m = _linear(torch, W35)
    P.register_parametrization(m, "weight", Scale(2.0))
    after_one = _l(m.parametrizations.weight.original)
    P.register_parametrization(m, "weight", Scale(-3.0))
    res = {"after_one": after_one, "weight": _l(m.weight), "repr": repr(m)}
    m.weight = torch.tensor(W35 * 0.5)
    res["assigned_original"] = _l(m.parametrizations.weight.original)
    res["assigned_weight"] = _l(m.weight)
    P.remove_parametrizations(m, "weight", leave_parametrized=False)
    res["left_original"] = _l(m.weight)
    return res


def _orth(torch: Any, w: np.ndarray, **kw: Any) -> dict:
    PZ = torch.nn.utils.parametrizations
    m = _linear(torch, w)
    PZ.orthogonal(m, **kw)
    weight = m.weight
    res = {
        "keys": list(m.state_dict().keys()),
        "weight": _l(weight),
        "original": _l(m.parametrizations.weight.original),
    }
    (grad,) = _backward_grads(torch, m, [m.parametrizations.weight.original])
    # Below the top square, the gradient passes through the random completion of a
    # non-square ``base``: only the square part is deterministic.
    k = min(w.shape)
    res["grads"] = np.array(grad)[:k, :k].tolist()
    return res


def param_spectral(torch: Any) -> dict:
    PZ = torch.nn.utils.parametrizations
    m = _linear(torch, W_SN)
    PZ.spectral_norm(m)
    res = {"keys": list(m.state_dict().keys()), "weight": _l(m.weight), "repr": repr(m)}
    m.eval()
    res["grads"] = _backward_grads(torch, m, [m.parametrizations.weight.original])
    return res


def param_weight_norm(torch: Any) -> dict:
    PZ = torch.nn.utils.parametrizations
    m = _linear(torch, W35)
    PZ.weight_norm(m)
    chain = m.parametrizations.weight
    res = {
        "keys": list(m.state_dict().keys()),
        "g": _l(chain.original0),
        "v": _l(chain.original1),
        "weight": _l(m.weight),
        "grads": _backward_grads(torch, m, [chain.original0, chain.original1]),
    }
    m2 = _linear(torch, W35)
    PZ.weight_norm(m2, dim=1)
    res["dim1_g"] = _l(m2.parametrizations.weight.original0)
    return res


def old_spectral(torch: Any) -> dict:
    U = torch.nn.utils
    m = _linear(torch, W_SN)
    U.spectral_norm(m)
    with torch.no_grad():
        m.weight_u.copy_(torch.tensor(U_FIX / np.linalg.norm(U_FIX)))
        m.weight_v.copy_(torch.tensor(V_FIX / np.linalg.norm(V_FIX)))
    res = {"keys": list(m.state_dict().keys()), "repr": repr(m)}
    res["grads"] = _backward_grads(torch, m, [m.weight_orig])
    res["weight"] = _l(m.weight)
    res["u"], res["v"] = _l(m.weight_u), _l(m.weight_v)
    res["twice"] = _err(lambda: U.spectral_norm(m))
    U.remove_spectral_norm(m)
    res["removed"] = [list(m.state_dict().keys()), _l(m.weight)]
    res["remove_again"] = _err(lambda: U.remove_spectral_norm(m))
    return res


def prune_cases(torch: Any) -> dict:
    prune = importlib.import_module(torch.__name__ + ".nn.utils.prune")
    res: dict[str, Any] = {}
    m = _linear(torch, W_PR)
    orig = m.weight
    prune.l1_unstructured(m, "weight", amount=0.3)
    res["l1_keys"] = list(m.state_dict().keys())
    res["l1_mask"] = _l(m.weight_mask)
    res["l1_weight"] = _l(m.weight)
    res["same_orig"] = m.weight_orig is orig
    res["is_pruned"] = prune.is_pruned(m)
    prune.l1_unstructured(m, "weight", amount=3)
    res["l1_again"] = _l(m.weight_mask)
    prune.ln_structured(m, "weight", amount=0.5, n=2, dim=0)
    res["ln_after"] = _l(m.weight_mask)
    res["grads"] = _backward_grads(torch, m, [m.weight_orig, m.bias])
    prune.remove(m, "weight")
    res["removed"] = [list(m.state_dict().keys()), _l(m.weight), prune.is_pruned(m),
                      m.weight is orig]  # fmt: skip
    res["remove_unpruned"] = _err(lambda: prune.remove(m, "weight"))
    m2 = _linear(torch, W_PR)
    prune.ln_structured(m2, "weight", amount=2, n=1, dim=1)
    res["ln1_dim1"] = _l(m2.weight_mask)
    m3 = _linear(torch, W_PR)
    prune.l1_unstructured(m3, "bias", amount=1, importance_scores=torch.tensor([4.0, 1, 3, 2]))
    res["scores"] = _l(m3.bias_mask)
    a, b = _linear(torch, W_PR), _linear(torch, W_PR2)
    prune.global_unstructured([(a, "weight"), (b, "weight")], prune.L1Unstructured, amount=0.4)
    res["global"] = [_l(a.weight_mask), _l(b.weight_mask)]
    c = _linear(torch, W_PR2)
    prune.custom_from_mask(c, "weight", torch.tensor([[1.0, 0], [0, 1], [1, 1]]))
    res["custom"] = [_l(c.weight), list(c.state_dict().keys())]
    d = _linear(torch, W_PR2)
    res["errors"] = [
        _err(lambda: prune.l1_unstructured(d, "weight", amount=-1)),
        _err(lambda: prune.l1_unstructured(d, "weight", amount=1.5)),
        _err(lambda: prune.l1_unstructured(d, "weight", amount="a")),
        _err(lambda: prune.l1_unstructured(d, "weight", amount=7)),
        _err(lambda: prune.ln_structured(d, "bias", amount=1, n=2, dim=0)),
    ]
    return res


def swa(torch: Any) -> dict:
    su = torch.optim.swa_utils
    res: dict[str, Any] = {}

    def run(**kw: Any) -> list:
        model = _linear(torch, STEPS[0])
        avg = su.AveragedModel(model, **kw)
        out = []
        for w in STEPS:
            with torch.no_grad():
                model.weight.copy_(torch.tensor(w))
                model.bias.add_(0.5)
            avg.update_parameters(model)
            out.append([_l(avg.module.weight), _l(avg.module.bias), int(avg.n_averaged)])
        return out

    res["swa"] = run()
    res["swa_multi"] = run(multi_avg_fn=su.get_swa_multi_avg_fn())
    net = torch.nn.Sequential(torch.nn.Linear(3, 3, dtype=torch.float64),
                              torch.nn.BatchNorm1d(3, dtype=torch.float64))  # fmt: skip
    avg_b = su.AveragedModel(net, use_buffers=True)
    seen = []
    for b in BATCHES:
        with torch.no_grad():
            net[0].weight.copy_(torch.tensor(W35[:3] + b[:3]))
            net[0].bias.fill_(0.25)
        net(torch.tensor(b))
        avg_b.update_parameters(net)
        seen.append([_l(avg_b.module[1].running_mean), _l(avg_b.module[1].running_var),
                     _l(avg_b.module[0].weight), int(avg_b.module[1].num_batches_tracked)])
    res["use_buffers"] = seen
    res["ema"] = run(multi_avg_fn=su.get_ema_multi_avg_fn(0.9))
    res["ema_fn"] = run(avg_fn=su.get_ema_avg_fn(0.8))
    model = torch.nn.Sequential(torch.nn.Linear(3, 3, dtype=torch.float64),
                                torch.nn.BatchNorm1d(3, dtype=torch.float64))  # fmt: skip
    avg = su.AveragedModel(model)
    res["avg_keys"] = list(avg.state_dict().keys())
    res["avg_repr"] = repr(avg)
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(W35[:3]))
        model[0].bias.zero_()
    su.update_bn([torch.tensor(b) for b in BATCHES], model)
    bn = model[1]
    res["update_bn"] = [_l(bn.running_mean), _l(bn.running_var), bn.momentum, model.training]
    lrs = {}
    for strategy, epochs in (("cos", 3), ("linear", 4), ("cos", 0)):
        p = torch.nn.Parameter(torch.zeros(2))
        opt = torch.optim.SGD([p], lr=0.5)
        sched = su.SWALR(opt, swa_lr=0.05, anneal_epochs=epochs, anneal_strategy=strategy)
        seq = [opt.param_groups[0]["lr"]]
        for _ in range(6):
            opt.step()
            sched.step()
            seq.append(opt.param_groups[0]["lr"])
        lrs[f"{strategy}{epochs}"] = seq
    res["swalr"] = lrs
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.5)
    res["swalr_errors"] = [
        _err(lambda: su.SWALR(opt, 0.1, anneal_strategy="exp")),
        _err(lambda: su.SWALR(opt, 0.1, anneal_epochs=-1)),
    ]
    return res


def skip_init(torch: Any) -> dict:
    m = torch.nn.utils.skip_init(torch.nn.Linear, 3, 4, bias=False)
    return {
        "repr": repr(m),
        "shape": list(m.weight.shape),
        "error": _err(lambda: torch.nn.utils.skip_init(torch.nn.ReLU)),
    }


def lazy(torch: Any) -> list:
    nn, out = torch.nn, []
    lin = nn.LazyLinear(3)
    out += [repr(lin), repr(lin.weight), type(lin.weight).__name__, list(lin.state_dict())]
    out.append(_err(lambda: lin.weight.shape))
    opt = torch.optim.SGD(lin.parameters(), lr=0.1)
    w0 = lin.weight
    y = lin(torch.ones(2, 5))
    out += [repr(lin), type(lin.weight).__name__, list(lin.weight.shape), lin.weight is w0]
    y.sum().backward()
    opt.step()
    out.append(list(lin.weight.grad.shape))
    for make, x in (
        (lambda: nn.LazyConv2d(4, 3, padding=1), torch.ones(1, 2, 5, 5)),
        (lambda: nn.LazyConv1d(4, 3, groups=2), torch.ones(6, 8)),
        (lambda: nn.LazyConv1d(4, 3, bias=False), torch.ones(2, 6, 8)),
        (lambda: nn.LazyBatchNorm2d(), torch.ones(2, 3, 4, 4)),
        (lambda: nn.LazyBatchNorm1d(affine=False, momentum=0.5), torch.ones(4, 3)),
        (lambda: nn.LazyConvTranspose1d(4, 3, stride=2), torch.ones(2, 6, 5)),
        (lambda: nn.LazyConvTranspose2d(4, 3, groups=2, bias=False), torch.ones(1, 6, 3, 3)),
        (lambda: nn.LazyInstanceNorm1d(), torch.ones(2, 3, 5)),
        (lambda: nn.LazyInstanceNorm2d(affine=False), torch.ones(2, 3, 4, 4)),
        (lambda: nn.LazyInstanceNorm3d(track_running_stats=False), torch.ones(2, 3, 2, 2, 2)),
    ):
        m = make()
        out += [repr(m), list(m.state_dict())]
        y = m(x)
        out += [repr(m), list(m.state_dict()), list(y.shape)]
        out += [[list(t.shape) for t in m.state_dict().values()]]
        if "Norm" in type(m).__name__:  # deterministic initial values (convolutions draw)
            out += [[_l(t) for t in m.state_dict().values()]]
    p = nn.UninitializedParameter()
    out += [repr(p), p.requires_grad]
    p.materialize((2, 3))
    out += [type(p).__name__, list(p.shape), repr(nn.UninitializedBuffer())]
    out.append(_err(lambda: nn.LazyLinear(3).weight + 1))
    out.append(_err(lambda: nn.LazyLinear(3).weight.numel()))
    return out


def buffer(torch: Any) -> list:
    nn = torch.nn
    b = nn.Buffer(torch.ones(2, requires_grad=True), persistent=False)
    out = [type(b).__name__, b.requires_grad, isinstance(b, nn.Buffer),
           isinstance(torch.ones(1), nn.Buffer), b.persistent]  # fmt: skip
    m = nn.Module()
    m.a = nn.Buffer(torch.ones(2))
    m.b = b
    m.c = torch.zeros(1)
    out += [list(m.state_dict()), list(dict(m.named_buffers())), repr(nn.Buffer(torch.ones(2)))]
    return out


ASM_X = _RNG.standard_normal((7, 8))
ASM_T = [0, 3, 5, 9, 11, 2, 7]


def adaptive(torch: Any) -> dict:
    nn = torch.nn
    m = nn.AdaptiveLogSoftmaxWithLoss(8, 12, [4, 8], div_value=2.0, head_bias=True,
                                      dtype=torch.float64)  # fmt: skip
    with torch.no_grad():
        for k, p in enumerate(m.parameters()):
            p.copy_(torch.linspace(-1, 1, p.numel(), dtype=p.dtype).reshape(p.shape) * (k + 1))
    x = torch.tensor(ASM_X, requires_grad=True)
    out, loss = m(x, torch.tensor(ASM_T))
    loss.backward()
    res = {
        "repr": repr(m),
        "keys": list(m.state_dict().keys()),
        "out": _l(out),
        "loss": float(loss),
        "grad_x": _l(x.grad),
        "grad_head": _l(m.head.weight.grad),
        "log_prob": _l(m.log_prob(x)),
        "predict": m.predict(x).tolist(),
        "single": _l(m(x[0], torch.tensor(ASM_T[1])).output),
        "errors": [
            _err(lambda: m(x, torch.tensor([0, 12, 1, 1, 1, 1, 1]))),
            _err(lambda: m(x, torch.tensor([0, 1]))),
            _err(lambda: m(x[0], torch.tensor([1]))),
            _err(lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 12, [4, 4])),
            _err(lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 12, [])),
        ],
    }
    return res


CASES: dict[str, Callable] = {
    "adaptive": adaptive,
    "lazy": lazy,
    "buffer": buffer,
    "param_sym": param_sym,
    "param_chain": param_chain,
    "orth_square": lambda t: _orth(t, W44),
    "orth_tall": lambda t: _orth(t, W35),
    "orth_wide": lambda t: _orth(t, W53),
    "orth_cayley": lambda t: _orth(t, W44, orthogonal_map="cayley"),
    "orth_householder_sq": lambda t: _orth(t, W44, orthogonal_map="householder"),
    "orth_exp_tall": lambda t: _orth(t, W35, orthogonal_map="matrix_exp"),
    "param_spectral": param_spectral,
    "param_weight_norm": param_weight_norm,
    "old_spectral": old_spectral,
    "prune": prune_cases,
    "swa": swa,
    "skip_init": skip_init,
}


def record_all(torch: Any) -> dict[str, Any]:
    return {name: fn(torch) for name, fn in CASES.items()}
