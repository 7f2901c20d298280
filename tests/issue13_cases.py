"""Issue 13's named behaviours, one small program each, run with either library (``torch``:
PyTorch 2.13 by tests/fixtures/make_issue13_torch.py into tests/fixtures/issue13_torch.json;
jitgrad by tests/test_issue13.py): docs/issue13-status.md cites each key. A value is plain
JSON (rounded numbers, dtype names without the module, node names, error texts)."""

# ruff: noqa: E501, E701, E702, E731, E741, N806, B023
from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np


def run(torch: Any) -> dict:
    """Every check, by name: its result, or ``"EXC <type>: <message>"``."""
    R: dict = {}
    dt = lambda d: str(d).split(".")[-1]

    def chk(name):
        def deco(f):
            try: R[name] = f()
            except Exception as e: R[name] = "EXC " + type(e).__name__ + ": " + str(e)[:160]
            return f
        return deco
    def r(t, n=5):
        if isinstance(t, (list, tuple)): return [r(x, n) for x in t]
        if hasattr(t, "detach"): return np.round(t.detach().double().numpy(), n).tolist() if t.numel() else []
        return t
    nm = lambda t: type(t.grad_fn).__name__
    Dataset, TensorDataset, DataLoader, random_split = torch.utils.data.Dataset, torch.utils.data.TensorDataset, torch.utils.data.DataLoader, torch.utils.data.random_split
    @chk("data.TensorDataset+DataLoader")
    def _():
        ds = TensorDataset(torch.arange(10.), torch.arange(10) * 2)
        g = torch.Generator(); g.manual_seed(0)
        dl = DataLoader(ds, batch_size=3, shuffle=False, drop_last=True)
        return [r(b) for b in dl]
    @chk("data.collate_dict")
    def _():
        class D(Dataset):
            def __len__(s): return 4
            def __getitem__(s, i): return {"x": torch.tensor([float(i)]), "y": i}
        return [ {k: r(v) for k, v in b.items()} for b in DataLoader(D(), batch_size=2)]
    @chk("data.random_split_lengths")
    def _():
        a, b = random_split(range(10), [7, 3], generator=torch.Generator().manual_seed(1)); return (len(a), len(b))
    @chk("data.shuffle_generator_len")
    def _():
        dl = DataLoader(TensorDataset(torch.arange(10.)), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0))
        return [b[0].shape[0] for b in dl]
    @chk("normal_overloads")
    def _():
        torch.manual_seed(0)
        return [tuple(torch.normal(torch.zeros(3), torch.ones(3)).shape), tuple(torch.normal(0., 1., size=(2, 2)).shape), tuple(torch.normal(torch.zeros(2), 1.).shape), tuple(torch.normal(0., torch.ones(2)).shape)]
    @chk("like_randoms")
    def _():
        x = torch.zeros(2, 3); return [tuple(torch.rand_like(x).shape), dt(torch.randn_like(x).dtype), dt(torch.randint_like(x, 5).dtype), tuple(torch.randn(size=(2, 2)).shape), tuple(torch.rand(size=(3,)).shape)]
    @chk("set_default_dtype64")
    def _():
        torch.set_default_dtype(torch.float64)
        try: return [dt(torch.tensor([1.5]).dtype), dt(torch.zeros(2).dtype), dt(torch.nn.Linear(2, 2).weight.dtype), dt(torch.arange(0., 3).dtype), dt(torch.randn(2).dtype)]
        finally: torch.set_default_dtype(torch.float32)
    @chk("set_default_device_cpu")
    def _():
        torch.set_default_device("cpu"); d = str(torch.zeros(1).device); torch.set_default_device(None); return d
    @chk("saved_tensors_hooks")
    def _():
        log = []
        x = torch.ones(2, requires_grad=True)
        with torch.autograd.graph.saved_tensors_hooks(lambda t: (log.append("pack"), t)[1], lambda t: (log.append("unpack"), t)[1]):
            y = (x * x).sum()
        y.backward(); return [sorted(set(log)), r(x.grad)]
    @chk("save_on_cpu")
    def _():
        x = torch.ones(2, requires_grad=True)
        with torch.autograd.graph.save_on_cpu(): y = (x * x).sum()
        y.backward(); return r(x.grad)
    @chk("node_api")
    def _():
        x = torch.ones(2, requires_grad=True); y = x * 2; n = y.grad_fn; seen = []
        n.register_prehook(lambda go: seen.append("pre")); n.register_hook(lambda gi, go: seen.append("post"))
        n.metadata["k"] = 1; y.sum().backward(); return [n.name(), seen, n.metadata]
    @chk("multi_grad_hook")
    def _():
        a = torch.ones(1, requires_grad=True); b = torch.ones(1, requires_grad=True); got = []
        torch.autograd.graph.register_multi_grad_hook((a, b), lambda gs: got.append(len(gs)))
        (a * b).sum().backward(); return got
    @chk("saved_self_other")
    def _():
        a = torch.tensor([1., 2.], requires_grad=True); b = torch.tensor([3., 4.], requires_grad=True); y = a * b
        return [r(y.grad_fn._saved_self), r(y.grad_fn._saved_other), r(a.exp().grad_fn._saved_result)]
    @chk("vhp_hvp")
    def _():
        f = lambda x: (x ** 3).sum(); x = torch.tensor([1., 2.]); v = torch.ones(2)
        return [r(torch.autograd.functional.vhp(f, x, v)), r(torch.autograd.functional.hvp(f, x, v))]
    @chk("profiler")
    def _():
        with torch.autograd.profiler.profile() as p:
            with torch.autograd.profiler.record_function("blk"): (torch.ones(2) * 2).sum()
        return "ok" if p is not None else None
    @chk("ModuleDict_ParameterList_Dict")
    def _():
        m = torch.nn.ModuleDict({"a": torch.nn.Linear(1, 1)}); pl = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(1))]); pd = torch.nn.ParameterDict({"p": torch.nn.Parameter(torch.ones(2))})
        return [list(m.keys()), len(list(pl.parameters())), [k for k, _ in pd.named_parameters()]]
    @chk("activations")
    def _():
        x = torch.tensor([-2., -0.5, 0., 0.5, 2.], requires_grad=True); nn = torch.nn; out = {}
        for c in [nn.Softplus(), nn.ELU(), nn.LeakyReLU(0.1), nn.SELU(), nn.SiLU(), nn.Mish(), nn.Hardtanh(), nn.Softsign(), nn.LogSigmoid(), nn.GELU(), nn.Tanhshrink(), nn.Hardswish(), nn.CELU()]:
            y = c(x); out[type(c).__name__] = [r(y), nm(y)]
        return out
    @chk("losses")
    def _():
        F = torch.nn.functional; a = torch.tensor([0.2, 0.7, 1.5], requires_grad=True); b = torch.tensor([0., 1., 1.])
        ls = {"mse": F.mse_loss(a, b), "l1": F.l1_loss(a, b), "smooth_l1": F.smooth_l1_loss(a, b), "huber": F.huber_loss(a, b, delta=0.5), "bce_logits": F.binary_cross_entropy_with_logits(a, b), "bce": F.binary_cross_entropy(torch.sigmoid(a), b), "kl": F.kl_div(a.log_softmax(0), b.softmax(0), reduction="batchmean"), "nll": F.nll_loss(a.unsqueeze(0).log_softmax(1), torch.tensor([2])), "ce": F.cross_entropy(a.unsqueeze(0), torch.tensor([1])), "soft_margin": F.soft_margin_loss(a, b * 2 - 1), "cos_emb": F.cosine_embedding_loss(a.unsqueeze(0), b.unsqueeze(0), torch.tensor([1])), "margin_rank": F.margin_ranking_loss(a, b, torch.ones(3)), "poisson_nll": F.poisson_nll_loss(a, b), "hinge_emb": F.hinge_embedding_loss(a, b * 2 - 1), "gaussian_nll": F.gaussian_nll_loss(a, b, torch.ones(3))}
        return {k: [r(v), nm(v)] for k, v in ls.items()}
    @chk("gelu_clamp_names")
    def _():
        x = torch.tensor([0.5, -1.], requires_grad=True)
        return [nm(torch.nn.functional.gelu(x)), nm(x.clamp(min=torch.zeros(2))), nm(x.clamp(min=0.)), nm(torch.nn.functional.gelu(x, approximate="tanh"))]
    @chk("conv_pool_bn")
    def _():
        torch.manual_seed(0); x = torch.arange(2 * 2 * 5 * 5, dtype=torch.float32).reshape(2, 2, 5, 5) / 50; x.requires_grad_()
        w = torch.linspace(-1, 1, 3 * 2 * 3 * 3).reshape(3, 2, 3, 3); y = torch.nn.functional.conv2d(x, w, stride=2, padding=1, dilation=1)
        w1 = torch.linspace(-1, 1, 4 * 1 * 2).reshape(4, 1, 2); y1 = torch.nn.functional.conv1d(x.reshape(2, 2, 25)[:, :, :7], w1, groups=2)
        p = torch.nn.functional.max_pool2d(x, 2); a = torch.nn.functional.avg_pool2d(x, 2); ad = torch.nn.functional.adaptive_avg_pool2d(x, (2, 3))
        bn = torch.nn.BatchNorm2d(2); z = bn(x); bn.eval(); z2 = bn(x)
        (y.sum() + y1.sum() + p.sum() + a.sum() + ad.sum() + (z * z).sum()).backward()
        return [r(y.sum()), r(y1.sum()), nm(y), r(p.sum()), r(a.sum()), r(ad.sum()), r(bn.running_mean), r(z2.sum(), 3), r(x.grad.sum(), 3)]
    @chk("rnns")
    def _():
        out = []
        for cls in ("RNN", "LSTM", "GRU"):
            torch.manual_seed(0); m = getattr(torch.nn, cls)(3, 4, num_layers=2, batch_first=True)
            with torch.no_grad():
                for i, p in enumerate(m.parameters()): p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * (1 + i * 0.01))
            x = torch.linspace(-1, 1, 2 * 5 * 3).reshape(2, 5, 3); o = m(x)[0]; out.append([tuple(o.shape), r(o.sum(), 4)])
        return out
    @chk("flatten_clip")
    def _():
        x = torch.ones(2, 3, 4); f = torch.nn.Flatten()(x); u = torch.nn.Unflatten(1, (3, 4))(f)
        p = torch.nn.Parameter(torch.tensor([3., 4.])); p.grad = torch.tensor([3., 4.]); n = torch.nn.utils.clip_grad_norm_([p], 1.0)
        q = torch.nn.Parameter(torch.tensor([3., -4.])); q.grad = torch.tensor([3., -4.]); torch.nn.utils.clip_grad_value_([q], 1.0)
        return [tuple(f.shape), tuple(u.shape), r(n), r(p.grad), r(q.grad)]
    @chk("optim_rmsprop_adagrad_sched")
    def _():
        res = {}
        for name, mk, sch in [("RMSprop", lambda ps: torch.optim.RMSprop(ps, lr=0.01), lambda o: torch.optim.lr_scheduler.StepLR(o, 2, 0.5)), ("Adagrad", lambda ps: torch.optim.Adagrad(ps, lr=0.1), lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [1, 3])), ("Adam", lambda ps: torch.optim.Adam(ps, lr=0.1), lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 5)), ("SGD", lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9)), ("SGD2", lambda ps: torch.optim.SGD(ps, lr=0.1), lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1 / (e + 1)))]:
            w = torch.nn.Parameter(torch.tensor([1., -2.], dtype=torch.float64)); o = mk([w]); s = sch(o)
            for _ in range(5):
                o.zero_grad(); (w ** 2).sum().backward(); o.step(); s.step()
            res[name] = [r(w, 8), o.param_groups[0]["lr"]]
        w = torch.nn.Parameter(torch.tensor([1.])); o = torch.optim.SGD([w], lr=1.); s = torch.optim.lr_scheduler.ReduceLROnPlateau(o, patience=1)
        for v in [1., 1., 1., 1.]: s.step(v)
        res["plateau"] = o.param_groups[0]["lr"]
        return res
    @chk("tensor_api_misc")
    def _():
        a = torch.tensor([3., 1., 2.]); b = torch.tensor([[1., 2.], [3., 4.]])
        return [torch.allclose(a, a + 1e-9), r(torch.isclose(a, a)), torch.equal(a, a), r(torch.topk(a, 2).values), r(torch.sort(a).indices), r(torch.argsort(a)), r(torch.cumsum(a, 0)), r(torch.cumprod(a, 0)), r(torch.einsum("...ij,...jk->...ik", b, b)), r(torch.linalg.norm(b)), r(torch.linalg.norm(b, ord=1))]
    @chk("missing_name_message")
    def _():
        try: _ = torch.definitely_not_a_name
        except AttributeError: return "AttributeError"
    @chk("tensor_where_method")
    def _():
        x = torch.tensor([1., 2., 3.]); c = torch.tensor([True, False, True]); y = torch.tensor([9., 8., 7.]); return r(x.where(c, y))
    @chk("where_same_tensor_grad")
    def _():
        x = torch.tensor([1., -2., 3.], requires_grad=True); y = torch.where(x > 0, x, x * x); y.sum().backward(); g1 = r(x.grad)
        x2 = torch.tensor([1., -2., 3.], requires_grad=True); torch.where(x2 > 0, x2, x2).sum().backward(); return [g1, r(x2.grad)]
    @chk("Variable_new_leaf")
    def _():
        Variable = torch.autograd.Variable
        t = torch.ones(2); v = Variable(t, requires_grad=True); return [v is t, t.requires_grad, v.requires_grad, v.is_leaf]
    @chk("retain_grad_then_inplace")
    def _():
        x = torch.tensor([1., 2.], requires_grad=True); y = x * 2; y.retain_grad(); y.mul_(3); y.sum().backward(); return [r(y.grad), r(x.grad)]
    @chk("no_grad_decorators")
    def _():
        @torch.no_grad
        def f(x): return x * 2
        @torch.no_grad()
        def g(x): return x * 2
        @torch.enable_grad
        def h(x): return x * 2
        @torch.set_grad_enabled(False)
        def k(x): return x * 2
        @torch.no_grad()
        def gen(x):
            yield x * 2
        x = torch.ones(1, requires_grad=True)
        with torch.no_grad(): hh = h(x).requires_grad
        return [f(x).requires_grad, g(x).requires_grad, hh, k(x).requires_grad, next(gen(x)).requires_grad]
    @chk("requires_grad_nonleaf")
    def _():
        x = torch.ones(2, requires_grad=True); y = x * 2
        try: y.requires_grad_(False)
        except RuntimeError as e: return str(e)
    @chk("numpy_in_no_grad")
    def _():
        x = torch.ones(2, requires_grad=True)
        with torch.no_grad(): return x.numpy().tolist()
    @chk("numpy_requires_grad")
    def _():
        x = torch.ones(2, requires_grad=True); return x.numpy().tolist()
    @chk("del_grad")
    def _():
        x = torch.ones(2, requires_grad=True); x.sum().backward(); del x.grad; return x.grad
    @chk("grad_wrong_size")
    def _():
        x = torch.ones(2, requires_grad=True); x.grad = torch.ones(3)
    @chk("autograd_grad_empty_inputs")
    def _():
        x = torch.ones(2, requires_grad=True); torch.autograd.grad((x * 2).sum(), [])
    @chk("autograd_grad_no_req")
    def _():
        x = torch.ones(2, requires_grad=True); torch.autograd.grad(torch.ones(2).sum(), x)
    @chk("post_acc_hook_returns")
    def _():
        x = torch.ones(2, requires_grad=True); x.register_post_accumulate_grad_hook(lambda p: p * 2); x.sum().backward()
    @chk("Function_None_and_nontensors")
    def _():
        class F(torch.autograd.Function):
            @staticmethod
            def forward(ctx, a, k, b):
                ctx.k = k; return a * k, "tag"
            @staticmethod
            def backward(ctx, g, _):
                return g * ctx.k, None, None
        a = torch.ones(2, requires_grad=True); b = torch.ones(2, requires_grad=True); y, tag = F.apply(a, 3., b); y.sum().backward(); return [tag, r(a.grad), b.grad]
    @chk("second_order_elementwise")
    def _():
        x = torch.tensor([0.3, 0.7], requires_grad=True); y = (x.sin() * x.exp() / (1 + x * x)).tanh().sum()
        g, = torch.autograd.grad(y, x, create_graph=True); gg, = torch.autograd.grad(g.sum(), x); return r(gg)
    @chk("full_backward_hook_no_input_grad")
    def _():
        m = torch.nn.Linear(2, 1); got = []; m.register_full_backward_hook(lambda mod, gi, go: got.append([gi[0] is None, len(go)]))
        m(torch.ones(1, 2)).sum().backward(); return got
    @chk("relu_grad_nan")
    def _():
        x = torch.tensor([float("nan"), 1., -1.], requires_grad=True); torch.relu(x).sum().backward(); return str(x.grad.tolist())
    @chk("inference_version")
    def _():
        with torch.inference_mode(): t = torch.ones(1)
        return t._version
    @chk("save_load_roundtrip")
    def _():
        f = os.path.join(tempfile.mkdtemp(), "issue13.pt"); torch.save({"w": torch.arange(3.), "n": 1}, f); d = torch.load(f); return [r(d["w"]), d["n"]]
    @chk("fused_replay_second_backward")
    def _():
        x = torch.ones(3, requires_grad=True)
        def step():
            y = (x * 2 + 1).tanh().sum(); y.backward(); return y
        for _ in range(3): y = step()
        y.backward()
    return R
