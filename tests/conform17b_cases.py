"""Snippets for conform17b (run under PyTorch by fixtures/make_conform17b_torch.py, under
jitgrad by tests/test_conformance17b.py): conform17's leftovers as families. Every loss's
result dtype when input and target differ in float width, losses/dropouts of integer
tensors, the numbers nodes save (rsub, relu6, logit), a saved wrapped number after backward
(and a second backward), float32/float64 digamma as PyTorch's series, torch.rsub of two
tensors and a float ``alpha`` with integral operands."""

from __future__ import annotations

# ---- losses: the result dtype of mixed float32/float64 input and target --------------------
LOSS_SETUP = (
    "F = torch.nn.functional\n"
    "f = torch.tensor([0.5, 0.25, 0.75, 0.125])\n"
    "d = torch.tensor([1.0, 0.0, 1.0, 0.0]).double()\n"
    "s = torch.tensor([1.0, -1.0, 1.0, -1.0]).double()\n"
    "xi, xb = torch.tensor([1, -2, 3, 0]), torch.tensor([True, False, True, True])\n"
    "f2, d2 = f.view(2, 2), d.view(2, 2)\n"
    "xi2, xb2 = xi.view(2, 2), xb.view(2, 2)\n"
    "def kind(r):\n"
    "    return [str(r.dtype).split('.')[-1], r.shape == ()]\n"
)
#: loss -> its two-operand call with ``{a}``/``{b}`` standing for input and target
_PAIR_LOSSES = {
    "mse_loss": "F.mse_loss({a}, {b})",
    "l1_loss": "F.l1_loss({a}, {b})",
    "smooth_l1_loss": "F.smooth_l1_loss({a}, {b})",
    "huber_loss": "F.huber_loss({a}, {b})",
    "huber_none": "F.huber_loss({a}, {b}, reduction='none')",
    "soft_margin_loss": "F.soft_margin_loss({a}, {b})",
    "soft_margin_none": "F.soft_margin_loss({a}, {b}, reduction='none')",
    "bce_logits": "F.binary_cross_entropy_with_logits({a}, {b})",
    "kl_div": "F.kl_div({a}, {b}, reduction='batchmean')",
    "poisson_nll": "F.poisson_nll_loss({a}, {b})",
    "hinge_embedding": "F.hinge_embedding_loss({a}, {b})",
    "multilabel_soft_margin": "F.multilabel_soft_margin_loss({a}2, {b}2)",
    "cross_entropy_probs": "F.cross_entropy({a}2, {b}2)",
}
LOSS_CALLS = [
    f"kind({call.format(a=a, b=b)})"
    for call in _PAIR_LOSSES.values()
    for a, b in (("f", "d"), ("d", "f"), ("f", "f"))
]
#: the same losses (and dropouts) of integer and bool tensors: PyTorch refuses
INTEGER_CALLS = [
    *(call.format(a=a, b=b) for call in _PAIR_LOSSES.values()
      for a, b in (("xi", "xi"), ("f", "xi"), ("xi", "f"))),
    *(f"F.{n}({t}{extra})" for t in ("xi", "xb")
      for n in ("dropout", "alpha_dropout", "feature_alpha_dropout")
      for extra in ("", ", 0.5, False", ", 0.0")),
    *(f"F.{n}({t})" for t in ("xi.view(1, 2, 2)", "xb.view(1, 2, 2)")
      for n in ("dropout1d", "dropout2d")),
    "torch.dropout(xi, 0.5, True)", "torch.sigmoid(xi)", "torch.logit(xi)",
    *(f"F.{n}(xi)" for n in ("softsign", "tanhshrink", "relu6", "silu")),
    "F.softmax(xi, 0)", "F.log_softmax(xi, 0)",
]  # fmt: skip

# ---- the numbers nodes save, and a saved wrapped number after backward ----------------------
SAVED_SETUP = (
    "F = torch.nn.functional\n"
    "a = torch.tensor([0.25, 0.5], requires_grad=True)\n"
    "def attrs(n):\n"
    "    got = {}\n"
    "    for k in sorted(x for x in dir(n) if x.startswith('_saved_')):\n"
    "        try:\n"
    "            v = getattr(n, k)\n"
    "            got[k] = 'T' if isinstance(v, torch.Tensor) else repr(v)\n"
    "        except Exception as e:\n"
    "            got[k] = type(e).__name__\n"
    "    return got\n"
)
SAVED = {
    "rsub_tensors": "torch.rsub(a, a * 3)",
    "rsub_tensors_alpha": "torch.rsub(a, a * 3, alpha=2)",
    "relu6": "F.relu6(a)",
    "hardtanh_ints": "F.hardtanh(a, -1, 1)",
    "logit": "torch.logit(a)",
    "logit_eps": "torch.logit(a, 0.1)",
    "logit_method_eps": "a.logit(eps=0.2)",
    "mul_number": "a * 2",
    "mul_float": "a * 2.5",
    "div_number": "a / 4",
    "mul_tensor": "a * a",
}


def saved_source(expr: str) -> str:
    """A :data:`SAVED` snippet: its node's name and ``_saved_*`` attributes before and after
    ``backward()``."""
    return (
        f"{SAVED_SETUP}y = {expr}\nn = y.grad_fn\nbefore = attrs(n)\n"
        "y.sum().backward()\nout = [type(n).__name__, before, attrs(n)]"
    )


# ---- float32 digamma: PyTorch's series, not the float32 of the double result ---------------
DIGAMMA_POINTS = [1.0, 2.0, 3.0, 0.5, 1.5, 0.25, 4.0, 10.0, 1e-3, -0.5, -1.5, 100.0, 7.5, 2.5]
DIGAMMA_CALLS = [
    f"torch.digamma(torch.tensor({DIGAMMA_POINTS!r}))",
    f"torch.special.digamma(torch.tensor({DIGAMMA_POINTS!r}))",
    f"torch.tensor({DIGAMMA_POINTS!r}).digamma()",
    f"torch.polygamma(0, torch.tensor({DIGAMMA_POINTS!r}))",
    f"torch.digamma(torch.tensor({DIGAMMA_POINTS!r}).double())",
]

# ---- torch.rsub of two tensors, and a float alpha with integral operands --------------------
ALPHA_SETUP = (
    "i, f = torch.tensor([1, 2]), torch.tensor([1.0, 2.0])\n"
    "a = torch.tensor([1.0, 2.0], requires_grad=True)\n"
    "b = torch.tensor([5.0, 7.0], requires_grad=True)\n"
    "def rsub_graph(**kw):\n"
    "    y = torch.rsub(a, b, **kw)\n"
    "    y.sum().backward()\n"
    "    names = [type(f[0]).__name__ for f in y.grad_fn.next_functions]\n"
    "    return [type(y.grad_fn).__name__, y.tolist(), names, a.grad.tolist(), b.grad.tolist()]\n"
)
ALPHA_CALLS = [
    "rsub_graph()", "rsub_graph(alpha=2)", "rsub_graph(alpha=0.5)",
    "torch.rsub(i, i + 4, alpha=3)", "torch.rsub(torch.tensor([True]), torch.tensor([False]))",
    "torch.rsub(f, torch.tensor([5, 9]))",
    "torch.rsub(torch.tensor([1 + 1j]), f[:1], alpha=2).imag",
    "torch.rsub(torch.ones(2, 1), torch.ones(3))", "torch.rsub(i, 3, alpha=2)",
    "torch.add(i, i, alpha=0.5)", "torch.sub(i, 2, alpha=0.5)", "torch.add(i, 2.5, alpha=0.5)",
    "torch.add(i, f, alpha=0.5)", "torch.rsub(i, i, alpha=0.5)", "torch.rsub(i, 3, alpha=0.5)",
    "i.add(i, alpha=1.0)", "torch.add(i, torch.tensor(2.0), alpha=0.5)",
    "torch.add(torch.tensor([True]), torch.tensor([True]), alpha=0.5)",
    "i.clone().sub_(i, alpha=0.5)", "i.clone().add_(i, alpha=0.5)", "i.sub(i, alpha=2)",
]  # fmt: skip

# ---- a second backward through a node that saved a wrapped number ---------------------------
TWICE_SOURCE = (
    "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
    "s = ({expr}).sum()\n"
    "s.backward()\n"
    "s.backward()\n"
    "out = x.grad.tolist()"
)
TWICE_EXPRS = [
    "x * 2", "x / 4", "2 * x", "x + 2", "x - 1", "1 - x", "x.add(x, alpha=2)", "x * 2.5 + 1",
    "torch.clamp(x, 0.5)", "x ** 2.5", "x ** 2", "torch.mul(x, 3)", "x.div(3)",
    "torch.nn.functional.leaky_relu(x, 0.2)", "torch.lerp(x, x * 0 + 3, 0.5)",
    "torch.special.xlog1py(x, 2.0)", "torch.xlogy(x, 2.0)", "torch.where(x > 1, x, 2.0)",
    "torch.fmod(x, 1.5)", "x.masked_fill(x > 1, 2.0)", "torch.nan_to_num(x, 2.0)",
]  # fmt: skip
