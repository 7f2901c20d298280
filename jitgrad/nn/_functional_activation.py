"""``nn.functional`` activations beyond relu/sigmoid/tanh, and the small vector helpers
(``normalize``, ``cosine_similarity``, ``pairwise_distance``, ``one_hot``).

Each elementwise activation is one declaration in ``jitgrad/ops/elementwise.py`` (so it fuses
and differentiates to any order, with PyTorch's node name); the functions here only pass
PyTorch's arguments. Where PyTorch composes an activation from other ops (softsign,
tanhshrink, softmin, relu6 as hardtanh, selu as elu), so does jitgrad, and its graph shows the
same nodes. ``inplace=True`` writes into ``input``; where PyTorch's in-place kernel has a node
of its own (``elu_`` -> ``EluBackward1``...), the node takes that name (:data:`INPLACE_NODES`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import no_grad
from ..frontend.movement import cat
from ..frontend.pointwise import apply, run
from ..frontend.pointwise_inplace import apply_inplace
from ..frontend.recording import node_class, record
from ..frontend.reduce import norm
from ..frontend.saved_views import show_inplace_result
from ..frontend.tensor import Tensor, _make
from ..helpers import warn as warn_user
from ..ops.registry import REGISTRY as R

#: SELU's constants (Klambauer et al.), as PyTorch writes them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


#: PyTorch's node names for the in-place forms that have their own backward (the others,
#: hardtanh_/relu_/silu..., keep the out-of-place name, as in PyTorch 2.13).
INPLACE_NODES = {
    "elu": "EluBackward1",
    "selu": "EluBackward1",
    "celu": "CeluBackward1",
    "leaky_relu": "LeakyReluBackward1",
    "threshold": "ThresholdBackward1",
    "rrelu": "RreluWithNoiseBackward1",
}


def run_inplace(name: str, input: Tensor, args: tuple) -> Tensor:  # noqa: A002
    """``apply_inplace`` of the declared op, its node renamed to PyTorch's in-place name (a
    subclass of the same node: the backward is unchanged), showing the result it saves."""
    out = apply_inplace(R[name], input, args)
    node = out.grad_fn
    if node is not None and name in INPLACE_NODES:
        show_inplace_result(node, INPLACE_NODES[name], out)
    return out


def _run(name: str, input: Tensor, args: tuple, inplace: bool) -> Tensor:  # noqa: A002
    if inplace:
        return run_inplace(name, input, args)
    return apply(R[name], (input, *args))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """``log(1 + exp(beta x)) / beta``, and ``x`` where ``beta x > threshold``."""
    return run(_SOFTPLUS, (input, beta, threshold))  # (apply without out=: run, a call less)


_SOFTPLUS = R["softplus"]


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    return _run("elu", input, (alpha, 1.0), inplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    return elu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _run("selu", input, (SELU_ALPHA * SELU_SCALE, SELU_SCALE), inplace)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _run("celu", input, (alpha, 1.0 / alpha), inplace)


def leaky_relu(
    input: Tensor,  # noqa: A002
    negative_slope: float = 0.01,
    inplace: bool = False,
) -> Tensor:
    return _run("leaky_relu", input, (negative_slope,), inplace)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh(
    input: Tensor,  # noqa: A002
    min_val: float = -1.0,
    max_val: float = 1.0,
    inplace: bool = False,
) -> Tensor:
    return _run("hardtanh", input, _numbers_of(input, min_val, max_val), inplace)


def _numbers_of(input: Tensor, *numbers: float) -> tuple:  # noqa: A002
    """An integer tensor's bounds as its type holds them (C's cast: ``int(-0.5)`` is 0), so
    that ``hardtanh``/``threshold`` of integers stay integers, as PyTorch's kernels do."""
    return tuple(map(int, numbers)) if input._dtype._category == 1 else numbers


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:  # noqa: A002
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return hardtanh(input, 0, 6, inplace)  # (PyTorch's node saves the ints 0 and 6)


def relu_(input: Tensor) -> Tensor:  # noqa: A002
    return input.relu_()


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x * sigmoid(x)`` (swish)."""
    return _run("silu", input, (), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x * tanh(softplus(x))``."""
    return _run("mish", input, (), inplace)


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """``log(sigmoid(x))`` computed as ``min(x, 0) - log1p(exp(-|x|))`` (no overflow)."""
    return apply(R["log_sigmoid"], (input,))


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _run("hardsigmoid", input, (), inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _run("hardswish", input, (), inplace)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return apply(R["softshrink"], (input, lambd))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    return apply(R["hardshrink"], (input, lambd))


def threshold(
    input: Tensor,  # noqa: A002
    threshold: float,
    value: float,
    inplace: bool = False,
) -> Tensor:
    """``value`` where ``x <= threshold``, else ``x``."""
    return _run("threshold", input, _numbers_of(input, threshold, value), inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:  # noqa: A002
    return _run("threshold", input, _numbers_of(input, threshold, value), True)


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    return input - input.tanh()


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    return input / (input.abs() + 1)


def _softmax_dim(name: str, ndim: int) -> int:
    warn_user(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmin(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
) -> Tensor:
    """``softmax(-x)`` along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return (-input).softmax(dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """``a * sigmoid(b)`` for the two halves ``a, b`` of ``input`` along ``dim``
    (``GluBackward0``)."""
    if input._dtype._category < 2:
        raise NotImplementedError(
            f"\"glu_cpu\" not implemented for '{D.scalar_name(input._dtype)}'"
        )
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim % input.dim()
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    with no_grad():
        a, b = input.detach().chunk(2, d)
        out = a * b.sigmoid()

    def backward(g: Tensor) -> tuple:
        first, second = input.chunk(2, d)
        sig = second.sigmoid()
        return (cat([g * sig, g * first * sig * (1 - sig)], d),)

    return record("GluBackward0", out._value, input._dtype, (input,), backward, saved=(input,))


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    """``x`` where positive, ``weight * x`` elsewhere; ``weight`` has one entry or one per
    channel (dimension 1)."""
    if input._dtype is not weight._dtype:
        raise RuntimeError(
            f"prelu: Type promoting not supported. Got {_word(input._dtype)} and "
            f"{_word(weight._dtype)}"
        )
    if weight.numel() != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() > 1 else 1
        if channels != weight.numel():
            raise RuntimeError(
                f"Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {weight.numel()} and channel size = {channels}."
            )
    if weight.dim() > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}"
        )
    if input.dim() != weight.dim():
        shape = [1] * input.dim()
        if input.dim() > 1:
            shape[1] = weight.numel()
        weight = weight.reshape(shape)
    return apply(R["prelu"], (input, weight))


def _word(dt: D.dtype) -> str:
    return {"float32": "Float", "float64": "Double"}.get(dt.name, dt.name)


# ---- vector helpers -----------------------------------------------------------------------
def normalize(
    input: Tensor,  # noqa: A002
    p: float = 2.0,
    dim: int = 1,
    eps: float = 1e-12,
    out: Any = None,
) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``."""
    denom = norm(input, p, dim, keepdim=True).clamp(min=eps).expand_as(input)
    return input / denom


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1/|x1| * x2/|x2|)`` along ``dim``; each norm is floored at ``eps`` without
    changing its gradient (PyTorch clamps in place under no_grad)."""
    shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    x1, x2 = x1.expand(shape), x2.expand(shape)
    n1 = norm(x1, 2, dim, keepdim=True).clone()
    n2 = norm(x2, 2, dim, keepdim=True).clone()
    with no_grad():
        n1.clamp_(min=eps)
        n2.clamp_(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    eps: float = 1e-6,
    keepdim: bool = False,
) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dimension."""
    out = norm(x1 - x2 + eps, p, max(x1.dim(), x2.dim()) - 1, keepdim)
    if out.grad_fn is not None:  # PyTorch calls at::norm(x, p, dim): NormBackward1
        out.grad_fn.__class__ = node_class("NormBackward1", type(out.grad_fn))
    return out


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``(..., num_classes)`` int64 tensor with a 1 at each entry's class."""
    if tensor._dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    v = tensor._value
    if v.size and v.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(v.max()) + 1 if v.size else 0
    elif v.size and v.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(v.shape + (num_classes,), np.int64)
    np.put_along_axis(out, v[..., None], 1, axis=-1)
    return _make(out, D.int64)


__all__ = [
    "celu",
    "cosine_similarity",
    "elu",
    "elu_",
    "glu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "leaky_relu",
    "leaky_relu_",
    "logsigmoid",
    "mish",
    "normalize",
    "one_hot",
    "pairwise_distance",
    "prelu",
    "relu6",
    "relu_",
    "selu",
    "silu",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanhshrink",
    "threshold",
    "threshold_",
]
