"""The create_graph gradient of every differentiable op case against PyTorch 2.13's
(tests/fixtures/create_graph_names_torch.json, recorded by make_create_graph_names_torch.py):
the gradient's ``grad_fn`` name, and the second-order gradients of the gradients' sum with
respect to the inputs and to a seed gradient that requires grad.

Where PyTorch differentiates an op by a kernel of its own (``tanh_backward``,
``threshold_backward``...) the gradient is one ``XBackwardBackward0`` node reading the seed
and the input or the result; for relu and the piecewise-linear activations its second
derivative is zeros, where a graph of ``where`` ops over constants had none ("does not
require grad")."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from op_cases import CASES

import jitgrad

RECORDED = json.loads(
    (Path(__file__).parent / "fixtures" / "create_graph_names_torch.json").read_text()
)

#: op -> why jitgrad's create_graph gradient node is not PyTorch's yet (each still differs:
#: test_the_known_differences_still_differ)
_MASKED_FILL = "PyTorch ends the rule with masked_fill_ (MaskedFillBackward0), jitgrad's with where"
KNOWN_DIFFERENT: dict[str, str] = {
    "maximum": _MASKED_FILL,
    "minimum": _MASKED_FILL,
    "fmax": _MASKED_FILL,
    "fmin": _MASKED_FILL,
    "xlogy": _MASKED_FILL,
    "special_xlog1py": _MASKED_FILL,
    "prelu": "PyTorch's PreluKernelBackwardBackward0 is one node of two outputs (input, weight)",
    "special_i1": "PyTorch's formula is a product (MulBackward0), jitgrad's rule a where at 0",
    "special_i1e": "PyTorch's formula is a product (MulBackward0), jitgrad's rule a where at 0",
    "copysign": "PyTorch's formula is a product with a masked_fill_ (MulBackward0)",
}

_CASES = {c.op: c for c in CASES if c.op in RECORDED and "error" not in RECORDED[c.op]}


def _grads(case):
    rec = RECORDED[case.op]
    arrays = [np.array(a, np.float64) for a in rec["inputs"]]
    ts = [
        jitgrad.tensor(a, requires_grad=g) for a, g in zip(arrays, case.grad_inputs(), strict=True)
    ]
    out = case.call(jitgrad, *ts)
    seed = jitgrad.linspace(0.5, 1.5, out.numel(), dtype=out.dtype).reshape(out.shape)
    seed.requires_grad_(True)
    wanted = [t for t in ts if t.requires_grad]
    grads = jitgrad.autograd.grad(out, wanted, seed, create_graph=True)
    return rec, wanted, seed, grads


def _names(grads) -> list:
    return [None if g.grad_fn is None else g.grad_fn.name() for g in grads]


@pytest.mark.parametrize("op", sorted(set(_CASES) - set(KNOWN_DIFFERENT)))
def test_the_gradient_node_is_pytorchs(op):
    rec, _, _, grads = _grads(_CASES[op])
    assert _names(grads) == rec["names"]


@pytest.mark.parametrize("op", sorted(KNOWN_DIFFERENT))
def test_the_known_differences_still_differ(op):
    rec, _, _, grads = _grads(_CASES[op])
    assert _names(grads) != rec["names"]


@pytest.mark.parametrize("op", sorted(o for o in _CASES if "second" in RECORDED[o]))
def test_second_order_gradients_are_pytorchs(op):
    """Values, and None exactly where PyTorch finds an input unused."""
    rec, wanted, seed, grads = _grads(_CASES[op])
    total = sum(g.sum() for g in grads if g.requires_grad)
    second = jitgrad.autograd.grad(total, [*wanted, seed], allow_unused=True)
    for got, want in zip(second, rec["second"], strict=True):
        assert (got is None) == (want is None)
        if got is not None:
            np.testing.assert_allclose(got.detach().numpy(), np.array(want), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(
    "op", ["relu", "threshold", "hardtanh", "leaky_relu", "rrelu", "hardshrink", "softshrink"]
)
def test_a_piecewise_linear_gradient_reads_the_seed_and_the_input_as_pytorchs(op):
    """One node with PyTorch's edges (the seed gradient, then the input, or the result for
    relu), so a gradient with respect to the input exists: zeros, as PyTorch's."""
    rec, wanted, _, grads = _grads(_CASES[op])
    names = [[f.name() for f, _ in g.grad_fn.next_functions] for g in grads]
    assert names == rec["next"]
    (second,) = jitgrad.autograd.grad(grads[0].sum(), wanted[0])
    np.testing.assert_array_equal(second.numpy(), 0)
