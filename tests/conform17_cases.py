"""Snippets for conform17 (run under PyTorch by fixtures/make_conform17_torch.py, under jitgrad
by tests/test_conformance17.py): integer powers that wrap, the Python numbers a node saves
(``_saved_alpha``, ``_saved_min`` ...) before and after backward, and float16/bfloat16
``floor_divide``/``div(rounding_mode=)`` by a number."""

from __future__ import annotations

# ---- integer powers: PyTorch squares and multiplies in the integer type (wrapping) ----------
POW_SETUP = (
    "x = torch.tensor([2, 3, -2, 1, 0, -1, 7])\n"
    "i32 = x.to(torch.int32)\n"
    "i8 = x.to(torch.int8)\n"
    "u8 = torch.tensor([2, 3, 255, 1, 0, 7], dtype=torch.uint8)"
)
POW_CALLS = [
    *(f"x ** {e}" for e in (2**63 - 1, 2**62, 2**40, 63, 64, 65, 1000001)),
    *(f"torch.pow(x, {e})" for e in (2**40 + 1, 40)),
    "x.pow(torch.tensor([62, 63, 64, 2**40, 5, 2**62 + 1, 3]))",
    "torch.pow(2, torch.tensor([62, 63, 64, 2**40]))",
    "torch.pow(-3, torch.tensor([2**40 + 1, 41, 0]))",
    "x ** torch.tensor([-1, -2, -3, -4, 2, -5, 0])",
    "i32 ** (2**31 - 1)", "i32 ** 33", "i32 ** 100", "i8 ** 9", "i8 ** 200", "u8 ** 9",
    "u8 ** 1000", "u8 ** torch.tensor([8, 9, 2, 3, 4, 5], dtype=torch.uint8)",
    "torch.tensor([5, -5]) ** 27", "(x ** 64 + 1) * 3",
]  # fmt: skip

# ---- the Python numbers a node saves, before and after backward -----------------------------
SAVED_SETUP = (
    "F = torch.nn.functional\n"
    "a = torch.tensor([1.0, 2.0], requires_grad=True)\n"
    "def attrs(n, names):\n"
    "    got = {}\n"
    "    for k in names:\n"
    "        try:\n"
    "            v = getattr(n, k)\n"
    "            got[k] = 'T' if isinstance(v, torch.Tensor) else repr(v)\n"
    "        except Exception as e:\n"
    "            got[k] = type(e).__name__\n"
    "    return got\n"
)
#: name -> (expression of ``a``, the ``_saved_*`` names read)
SAVED = {
    "add_alpha": ("a.add(a, alpha=2.0)", "alpha self other"),
    "add_scalar_alpha": ("a.add(3, alpha=2)", "alpha other"),
    "add_plain": ("a + a", "alpha"),
    "sub_alpha": ("a.sub(a, alpha=3)", "alpha"),
    "sub_number": ("a - 1", "alpha other"),
    "rsub_alpha": ("torch.rsub(a, 2.0, alpha=2)", "alpha"),
    "clamp_both": ("torch.clamp(a, 0.5, 1.5)", "min max self other"),
    "clamp_min": ("torch.clamp(a, min=0.5)", "min max self"),
    "clamp_max": ("torch.clamp(a, max=1.5)", "min max self"),
    "clamp_min_fn": ("a.clamp_min(0.2)", "min self other"),
    "clamp_max_fn": ("a.clamp_max(0.2)", "max self other"),
    "lerp_number": ("torch.lerp(a, a * 2, 0.3)", "weight self end"),
    "pow_ts": ("a.pow(2.5)", "exponent self result"),
    "pow_st": ("torch.pow(2.0, a)", "exponent self result"),
    "pow2": ("a ** 2", "exponent self"),
    "pow3": ("a ** 3", "exponent self"),
    "float_power": ("torch.float_power(a, 2)", "exponent self"),
    "leaky": ("F.leaky_relu(a, 0.2)", "negative_slope self other"),
    "elu": ("F.elu(a, 0.5)", "alpha scale input_scale self other"),
    "celu": ("F.celu(a, 0.5)", "alpha self other"),
    "selu": ("F.selu(a)", "alpha scale input_scale self other"),
    "hardtanh": ("F.hardtanh(a, -0.5, 0.5)", "min_val max_val self other"),
    "softplus": ("F.softplus(a, 2.0, 10.0)", "beta threshold self other"),
    "threshold": ("F.threshold(a, 0.5, 2.0)", "threshold self other"),
    "hardshrink": ("F.hardshrink(a, 0.7)", "lambd self other"),
    "softshrink": ("F.softshrink(a, 0.7)", "lambd self other"),
    "addcmul_value": ("torch.addcmul(a, a, a, value=0.5)", "value tensor1 tensor2"),
    "fmod": ("torch.fmod(a, 1.5)", "self other"),
    "remainder": ("torch.remainder(a, 1.5)", "self other"),
    "xlogy_number": ("torch.xlogy(2.0, a)", "self other"),
    "polygamma": ("torch.polygamma(1, a)", "n self other"),
    "mvlgamma": ("torch.mvlgamma(a + 3, 2)", "p self other"),
}


def saved_source(expr: str, names: str) -> str:
    """The snippet of a :data:`SAVED` case: its node's name and attributes before and after
    ``backward()``."""
    listed = [f"_saved_{n}" for n in names.split()]
    return (
        f"{SAVED_SETUP}y = {expr}\nn = y.grad_fn\nbefore = attrs(n, {listed!r})\n"
        f"y.sum().backward()\nout = [type(n).__name__, before, attrs(n, {listed!r})]"
    )


# ---- float16/bfloat16 floor_divide and div(rounding_mode=) by a number ----------------------
DIVMODE_SETUP = (
    "v = [1.5, -2.5, 7.0, 1000.3, 0.7, -0.3, 3.0, 65000.0, 1e-3, 2.0 ** -14]\n"
    "h = torch.tensor(v, dtype=torch.float16)\n"
    "b = torch.tensor(v, dtype=torch.bfloat16)"
)
DIVMODE_CALLS = [
    f"{form.format(t=t, n=n)}.float()"
    for t in ("h", "b")
    for n in (0.3, 1.7, 1e-3, -0.7, 0.1, 2049.0)
    for form in (
        "torch.floor_divide({t}, {n})",
        "torch.div({t}, {n}, rounding_mode='trunc')",
        "torch.div({t}, {n}, rounding_mode='floor')",
        "({t} // {n})",
        "torch.remainder({t}, {n})",
    )
]

# ---- Python's conversions of a tensor: float(), int(), complex(), bool(), index, format ------
CONVERT_SETUP = (
    "import math, operator\n"
    "two, empty, one = torch.ones(2), torch.ones(0), torch.ones(1, 1)\n"
    "z, zr, n = torch.tensor([1 + 2j]), torch.tensor([3 + 0j]), torch.tensor(2.5)"
)
CONVERT_CALLS = [
    f"{f.format(t=t)}"
    for t in ("two", "empty", "one", "z", "zr", "n", "torch.tensor([3])", "torch.tensor(True)")
    for f in (
        "int({t})", "float({t})", "bool({t})", "complex({t})", "operator.index({t})",
        "math.floor({t})", "'%d' % {t}", "f'{{{t}:.2f}}'", "f'{{{t}}}'", "[0, 1, 2, 3][{t}]",
    )
]  # fmt: skip

# ---- unflatten's own words for sizes that do not fit ----------------------------------------
UNFLATTEN_CALLS = [
    f"torch.ones({shape}).unflatten({dim}, {sizes})"
    for shape, dim in (("3", 0), ("2, 6", 1), ("2, 6", -1), ("0", 0))
    for sizes in ("(2, 2)", "(-1, 2)", "(-1, 4)", "(4, -1)", "(0, -1)", "()", "(3,)", "(1, 3, 1)")
    if (shape, sizes) != ("0", "(0, -1)")  # (in UNFLATTEN_UNEXPECTED)
] + [
    "torch.nn.Unflatten(1, (2, 2))(torch.ones(2, 6))",
    "torch.ones(0).view(0, -1)",
    "torch.ones(0).view(-1, 0)",
    "torch.ones(3).view(0, -1)",
    "tuple(torch.ones(0).view(-1, 5).shape)",
]
#: the ones PyTorch reports as "unexpected": their message then carries a C++ stack, so the
#: test compares its first two lines
UNFLATTEN_UNEXPECTED = [
    "torch.ones(3).unflatten(0, (2, -1, -1))",
    "torch.ones(0).unflatten(0, (0, -1))",
]

# ---- activations and losses of integer and bool tensors -------------------------------------
INTEGER_SETUP = (
    "F = torch.nn.functional\n"
    "xi, xb = torch.tensor([1, -2, 3, 0]), torch.tensor([True, False, True, True])\n"
    "f, d = torch.tensor([0.5, 0.25, 0.5, 0.75]), torch.tensor([1.0, 0.0, 1.0, 0.0]).double()"
)
_ACTIVATIONS = (
    "relu", "relu6", "elu", "selu", "celu", "gelu", "silu", "mish", "hardswish",
    "hardsigmoid", "hardtanh", "leaky_relu", "softplus", "softshrink", "hardshrink",
    "logsigmoid", "rrelu", "glu",
)  # fmt: skip
INTEGER_CALLS = [
    *(f"F.{n}({t})" for t in ("xi", "xb") for n in _ACTIVATIONS),
    "F.gelu(xi, approximate='tanh')", "F.leaky_relu(xi, 0.01)", "F.hardtanh(xi, -0.5, 2.5)",
    "F.threshold(xi, 0.5, 7.0)", "F.threshold(xb, 0.5, 1.0)", "F.hardtanh(xi.int(), -1, 2)",
    *(
        f"F.{n}({a}, {b})"
        for n in ("mse_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                  "binary_cross_entropy_with_logits", "kl_div")
        for a, b in (("xi", "xi"), ("f", "xi"), ("f", "d"), ("f", "f"))
    ),
]  # fmt: skip

# ---- reversed(t): Tensor.__reversed__ ---------------------------------------------------------
REVERSED_CALLS = [
    "reversed(torch.tensor(3))",
    "reversed(torch.arange(6).view(2, 3))",
    "reversed(torch.arange(3.0))",
    "type(reversed(torch.arange(3.0, requires_grad=True)).grad_fn).__name__",
]
