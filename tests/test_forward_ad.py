"""``torch.autograd.forward_ad``: what a user sees (recorded from PyTorch 2.13) and tangent
values for a table of ops (checked in float64 against central differences).

The ``case_*`` functions take the library (``torch`` or ``jitgrad``) and return what they
printed as strings; ``tests/fixtures/make_forward_ad_torch.py`` ran them under PyTorch into
``tests/fixtures/forward_ad_torch.json``. Ported in spirit from PyTorch's test_autograd.py
``TestAutogradForwardMode`` (make_dual/unpack_dual, levels, views, custom Function jvp).
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import jitgrad
import jitgrad.autograd.forward_ad as fwAD
import jitgrad.nn.functional as F
from jitgrad.engine.dual_state import DUAL

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "forward_ad_torch.json"


def _err(fn: Callable) -> str:
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the recorded outcome is the exception itself
        return f"{type(e).__name__}: {e}"
    return "no error"


def case_plain_primal(torch) -> list:
    """A dual of a tensor that does not require grad: nothing about it requires grad."""
    fw = torch.autograd.forward_ad
    p = torch.tensor([1.0, 2.0, 3.0])
    t = torch.tensor([1.0, 0.0, 1.0])
    out = []
    with fw.dual_level() as level:
        d = fw.make_dual(p, t)
        out += [level, repr(d), d.requires_grad, d.is_leaf, d.grad_fn is None]
        y = d * 2 + d.sin()
        out += [repr(y), y.requires_grad, y.is_leaf]
        u = fw.unpack_dual(y)
        out += [type(u).__name__, u._fields, repr(u.primal), u.primal.requires_grad]
        out += [repr(u.tangent), fw.unpack_dual(y).tangent is not None]
        out += [repr(fw.unpack_dual(p)), fw.unpack_dual(d).tangent is t]
        out += [repr(fw.make_dual(p, torch.ones(3, dtype=torch.float64)))]
        out += [repr((d * d).sum()), repr(d[1:])]
    out += [repr(y), repr(fw.unpack_dual(y)), y.requires_grad, d.requires_grad]
    out += [_err(lambda: y.sum().backward())]
    return out


def case_requires_grad_primal(torch) -> list:
    """A dual of a tensor that requires grad: a view of it; results are differentiable."""
    fw = torch.autograd.forward_ad
    p = torch.tensor([1.0, 2.0], requires_grad=True)
    out = []
    with fw.dual_level():
        d = fw.make_dual(p, torch.ones(2))
        out += [repr(d), type(d.grad_fn).__name__, d.requires_grad, d.is_leaf]
        y = (d * d).sum()
        u = fw.unpack_dual(y)
        out += [repr(y), repr(u.primal), u.tangent.requires_grad, float(u.tangent)]
        y.backward()
        out += [repr(p.grad)]
    return out


def case_errors(torch) -> list:
    fw = torch.autograd.forward_ad
    p = torch.tensor([1.0, 2.0, 3.0])
    t = torch.ones(3)
    out = [
        _err(lambda: fw.make_dual(p, t)),
        _err(lambda: fw.exit_dual_level()),
        repr(fw.unpack_dual(p)),
    ]
    with fw.dual_level():
        d = fw.make_dual(p, t)
        y = d * 2
        out += [
            _err(lambda: fw.make_dual(p, torch.ones(2))),
            _err(lambda: fw.make_dual(torch.arange(3), t)),
            _err(lambda: fw.make_dual(p, torch.arange(3))),
            _err(lambda: fw.make_dual(y, t)),
            _err(lambda: fw.make_dual(d, t)),
            _err(lambda: fw.make_dual(p, t, level=5)),
            _err(lambda: fw.unpack_dual(y, level=3)),
            _err(lambda: fw.enter_dual_level()),
            _err(lambda: fw.exit_dual_level(level=1)),
            _err(lambda: y.sum().backward()),
        ]
    out += [fw.enter_dual_level(), fw.exit_dual_level()]
    return out


def case_custom_function(torch) -> list:
    """The tutorial's custom Function with a ``jvp`` staticmethod; without one, the error."""
    fw = torch.autograd.forward_ad

    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            result = torch.exp(x)
            ctx.result = result
            return result

        @staticmethod
        def jvp(ctx, gx):
            out = gx * ctx.result
            del ctx.result
            return out

    class NoJvp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = torch.tensor([0.0, 1.0, -1.0], dtype=torch.float64, requires_grad=True)
    plain = torch.tensor([0.5, 1.0])
    out = []
    with fw.dual_level():
        d = fw.make_dual(x, torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
        y = Exp.apply(d)
        u = fw.unpack_dual(y)
        out += [repr(y), repr(u.tangent)]
        z = (y * 3).sum()  # past the Function: its tangent, not a second count through it
        zt = fw.unpack_dual(z).tangent
        out += [repr(zt.detach()), zt.requires_grad]
        e = fw.make_dual(plain, torch.ones(2))
        w = Exp.apply(e) + e
        out += [repr(w), repr(fw.unpack_dual(w).tangent)]
        out += [_err(lambda: NoJvp.apply(fw.make_dual(torch.ones(2), torch.ones(2))))]
        out += [repr(NoJvp.apply(torch.ones(2)))]
    return out


def case_module(torch) -> list:
    """The tutorial's nn.Module: parameters replaced by duals, the output's tangent."""
    fw = torch.autograd.forward_ad
    model = torch.nn.Linear(3, 2)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
        model.bias.copy_(torch.tensor([0.05, -0.05]))
    x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])
    params = dict(model.named_parameters())
    tangents = {name: torch.ones_like(p) * 0.5 for name, p in params.items()}
    with fw.dual_level():
        for name, p in params.items():
            delattr(model, name)
            setattr(model, name, fw.make_dual(p, tangents[name]))
        out = model(x)
        jvp = fw.unpack_dual(out).tangent
        loss = torch.nn.functional.mse_loss(out, torch.zeros(2, 2))
        ltan = fw.unpack_dual(loss).tangent
    # (the tangent's own grad_fn is PyTorch's forward formula's last op; not compared)
    return [
        repr(out),
        repr(jvp.detach()),
        jvp.requires_grad,
        repr(jvp[0]),
        repr(loss),
        repr(ltan.detach()),
    ]


def case_save_for_forward(torch) -> list:
    """``ctx.save_for_forward`` tensors are ``ctx.saved_tensors`` inside ``jvp``."""
    fw = torch.autograd.forward_ad

    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_forward(x)
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def jvp(ctx, t):
            (x,) = ctx.saved_tensors
            return 2 * x * t

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    p = torch.tensor([1.0, 2.0], requires_grad=True)
    with fw.dual_level():
        y = Square.apply(fw.make_dual(p, torch.tensor([1.0, 10.0])))
        out = [repr(fw.unpack_dual(y).tangent)]
        y.sum().backward()
        q = fw.make_dual(torch.ones(2), torch.ones(2))
        q.requires_grad_()
        out += [repr(p.grad), q.requires_grad, q.is_leaf, (q * 2).requires_grad]
    return out


def case_copies(torch) -> list:
    """In-place ops on results, ``copy_`` into a plain tensor, ``detach`` and ``clone``."""
    fw = torch.autograd.forward_ad
    with fw.dual_level():
        d = fw.make_dual(torch.tensor([1.0, 2.0]), torch.ones(2))
        y = d * 3
        y.add_(d)
        z = torch.zeros(2)
        z.copy_(d * 2)
        return [repr(y), repr(z), repr(d.detach()), repr(d.clone()), repr(fw.unpack_dual(z))]


CASES = [case_plain_primal, case_requires_grad_primal, case_errors, case_custom_function]
CASES += [case_module, case_save_for_forward, case_copies]


def _as_text(value) -> str:
    return str(value).replace("jitgrad.", "torch.")


@pytest.fixture(scope="module")
def recorded() -> dict:
    return json.loads(FIXTURE.read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_what_the_user_sees_matches_pytorch(recorded: dict, case: Callable) -> None:
    got = [_as_text(v) for v in case(jitgrad)]
    assert got == recorded[case.__name__]


# ---- tangent values: an OpInfo-style table, float64, against central differences --------

X = np.array([[0.3, -1.2, 0.7], [1.5, 0.2, -0.4]])
POS = np.array([[0.3, 1.2, 0.7], [1.5, 0.2, 2.4]])
W = np.array([[0.5, -0.3], [0.1, 0.8], [-0.6, 0.2]])
V = np.array([[0.2, 0.4, -0.1], [0.3, -0.5, 0.6]])
TARGET = np.array([[0.1, 0.9, 0.2], [0.7, 0.3, 0.4]])

#: (name, function of the tensors, the inputs it takes as numpy arrays)
OPS: list[tuple[str, Callable, tuple]] = [
    ("add", lambda a, b: a + b, (X, V)),
    ("sub_scalar", lambda a: 2.0 - a, (X,)),
    ("mul", lambda a, b: a * b, (X, V)),
    ("div", lambda a, b: a / b, (X, POS)),
    ("pow_scalar", lambda a: a**3, (X,)),
    ("pow_tensor", lambda a, b: a**b, (POS, V)),
    ("neg_abs", lambda a: (-a).abs(), (X,)),
    ("exp", jitgrad.exp, (X,)),
    ("log", jitgrad.log, (POS,)),
    ("sqrt", jitgrad.sqrt, (POS,)),
    ("sin_cos", lambda a: a.sin() * a.cos(), (X,)),
    ("tanh", jitgrad.tanh, (X,)),
    ("sigmoid", jitgrad.sigmoid, (X,)),
    ("relu", jitgrad.relu, (X,)),
    ("clamp", lambda a: a.clamp(-0.5, 0.5), (X,)),
    ("maximum", jitgrad.maximum, (X, V)),
    ("where", lambda a, b: jitgrad.where(a > 0, a, b), (X, V)),
    ("matmul", lambda a, b: a @ b, (X, W)),
    ("bmm", lambda a, b: a.reshape(2, 1, 3) @ b.reshape(2, 3, 1), (X, V)),
    ("mv", lambda a, b: a @ b[0], (X, V)),
    ("sum_dim", lambda a: a.sum(1), (X,)),
    ("mean", lambda a: a.mean(), (X,)),
    ("prod", lambda a: a.prod(0), (X,)),
    ("amax", lambda a: a.amax(1), (X,)),
    ("var_std", lambda a: a.var(1).sum() + a.std(0), (X,)),
    ("logsumexp", lambda a: a.logsumexp(1), (X,)),
    ("norm", lambda a: a.norm(), (X,)),
    ("softmax", lambda a: a.softmax(1), (X,)),
    ("log_softmax", lambda a: a.log_softmax(0), (X,)),
    ("cumsum", lambda a: a.cumsum(1), (X,)),
    ("reshape_t", lambda a: a.reshape(3, 2).t() * 1.0, (X,)),
    ("permute_expand", lambda a: a.permute(1, 0).unsqueeze(0).expand(2, 3, 2), (X,)),
    ("index_slice", lambda a: a[1, 1:] + a[:, 0].sum(), (X,)),
    ("cat_stack", lambda a, b: jitgrad.cat([a, jitgrad.stack([a[0], b[1]])]), (X, V)),
    ("gather", lambda a: a.gather(1, jitgrad.tensor([[2, 0], [1, 1]])), (X,)),
    ("gelu", F.gelu, (X,)),
    ("softplus", F.softplus, (X,)),
    ("silu", F.silu, (X,)),
    ("mse_loss", lambda a, b: F.mse_loss(a, b), (X, V)),
    ("cross_entropy", lambda a: F.cross_entropy(a, jitgrad.tensor([2, 0])), (X,)),
    ("bce_with_logits", lambda a, b: F.binary_cross_entropy_with_logits(a, b), (X, TARGET)),
    ("layer_norm", lambda a: F.layer_norm(a, (3,)), (X,)),
    ("linear", lambda a, b: F.linear(a, b.t()), (X, W)),
]


def _tangents(arrays: tuple) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [rng.standard_normal(a.shape) for a in arrays]


def _central_difference(fn: Callable, arrays: tuple, tangents: list, eps: float = 1e-6):
    def at(sign: float) -> np.ndarray:
        args = [jitgrad.tensor(a + sign * eps * t) for a, t in zip(arrays, tangents, strict=True)]
        return fn(*args).numpy()

    return (at(1.0) - at(-1.0)) / (2 * eps)


@pytest.mark.parametrize(("name", "fn", "arrays"), OPS, ids=[o[0] for o in OPS])
def test_tangent_matches_central_differences(name: str, fn: Callable, arrays: tuple) -> None:
    tangents = _tangents(arrays)
    expected = _central_difference(fn, arrays, tangents)
    with fwAD.dual_level():
        duals = [
            fwAD.make_dual(jitgrad.tensor(a), jitgrad.tensor(t))
            for a, t in zip(arrays, tangents, strict=True)
        ]
        out = fn(*duals)
        primal, tangent = fwAD.unpack_dual(out)
        assert not out.requires_grad and not primal.requires_grad
    assert tangent.dtype == jitgrad.float64
    assert tuple(tangent.shape) == expected.shape
    np.testing.assert_allclose(tangent.numpy(), expected, rtol=1e-6, atol=1e-7)


def test_tangent_through_a_module_with_real_parameters() -> None:
    """Parameters that require grad: the tangent is differentiable, and backward through the
    primal still reaches them (PyTorch's dual views)."""
    model = jitgrad.nn.Linear(3, 2).double()
    w0 = model.weight.detach().clone()
    x = jitgrad.tensor(X)
    tw = jitgrad.tensor(np.full((2, 3), 0.5))
    with fwAD.dual_level():
        weight = model.weight
        del model.weight
        model.weight = fwAD.make_dual(weight, tw)
        out = model(x)
        tangent = fwAD.unpack_dual(out).tangent
        out.sum().backward()
    np.testing.assert_allclose(tangent.detach().numpy(), X @ np.full((3, 2), 0.5), rtol=1e-12)
    assert out.requires_grad and tangent.requires_grad
    np.testing.assert_allclose(weight.grad.numpy(), np.tile(X.sum(0), (2, 1)), rtol=1e-12)
    np.testing.assert_allclose(weight.detach().numpy(), w0.numpy())


def test_tangents_of_several_duals_add_up() -> None:
    a, b = jitgrad.tensor([0.5, 2.0], dtype=jitgrad.float64), jitgrad.tensor([1.5, -1.0])
    with fwAD.dual_level():
        da = fwAD.make_dual(a, jitgrad.tensor([1.0, 0.0], dtype=jitgrad.float64))
        db = fwAD.make_dual(b.double(), jitgrad.tensor([0.0, 2.0], dtype=jitgrad.float64))
        y = da * db + da.exp()
        tangent = fwAD.unpack_dual(y).tangent
    av, bv = a.numpy(), b.double().numpy()
    expected = np.array([1.0, 0.0]) * (bv + np.exp(av)) + np.array([0.0, 2.0]) * av
    np.testing.assert_allclose(tangent.numpy(), expected, rtol=1e-12)


def test_no_level_left_open_after_an_error() -> None:
    with pytest.raises(ValueError, match="boom"), fwAD.dual_level():
        raise ValueError("boom")
    assert fwAD.enter_dual_level() == 0
    fwAD.exit_dual_level()


def test_decorator_form() -> None:
    @fwAD.dual_level()
    def tangent_of_square(x: float) -> float:
        d = fwAD.make_dual(jitgrad.tensor(x, dtype=jitgrad.float64), jitgrad.tensor(1.0).double())
        return float(fwAD.unpack_dual(d * d).tangent)

    assert math.isclose(tangent_of_square(3.0), 6.0)
    assert fwAD.unpack_dual(jitgrad.ones(1)).tangent is None  # the level closed again


def test_hidden_graph_bookkeeping_ends_with_its_tensors() -> None:
    """Once no tensor of a forward-AD level is alive, ``requires_grad`` reads the flag alone
    again (no graph walks for the rest of the program)."""
    with fwAD.dual_level():
        d = fwAD.make_dual(jitgrad.ones(2), jitgrad.ones(2))
        y = d * 3
        assert DUAL.hidden and not y.requires_grad
    del d, y
    gc.collect()
    assert not DUAL.hidden
