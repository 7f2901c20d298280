"""``torch.<op>`` forms of layers and losses with their ATen signatures, which some programs
and decompositions call directly: the recurrent cells (``torch.lstm_cell`` ...), the
``native_*`` ops that also return their saved statistics, ``triangular_solve`` (deprecated
for ``linalg.solve_triangular``), ``ctc_loss`` with an integer reduction, ``grid_sampler``
with integer modes, ``feature_dropout``; and the namespaces ``torch.functional`` and
``torch.overrides``. Each forwards to jitgrad's own op, under PyTorch's node name where it
differs from the op's.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from . import dtypes as D
from .device_modules import namespace
from .frontend import creation
from .frontend.copy_ops import under_node
from .frontend.linalg_extra import solve_triangular
from .frontend.sampling import rand
from .frontend.tensor import Tensor
from .helpers import warn as warn_user
from .nn import functional as F
from .nn import rnn_cell
from .nn._functional_protocol import (
    handle_torch_function,
    has_torch_function,
    has_torch_function_unary,
    has_torch_function_variadic,
)
from .ops.return_types import named_result


def lstm_cell(
    input: Tensor,  # noqa: A002 - PyTorch's name
    hx: Sequence[Tensor],
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    return rnn_cell.lstm_step(F.linear(input, w_ih, b_ih), tuple(hx), w_hh, b_hh)


def _cell(step: Any, name: str) -> Any:
    def cell(
        input: Tensor,  # noqa: A002 - PyTorch's name
        hx: Tensor,
        w_ih: Tensor,
        w_hh: Tensor,
        b_ih: Tensor | None = None,
        b_hh: Tensor | None = None,
    ) -> Tensor:
        return step(F.linear(input, w_ih, b_ih), (hx,), w_hh, b_hh)[0]

    cell.__name__ = cell.__qualname__ = name
    return cell


gru_cell = _cell(rnn_cell.gru_step, "gru_cell")
rnn_tanh_cell = _cell(rnn_cell.rnn_tanh_step, "rnn_tanh_cell")
rnn_relu_cell = _cell(rnn_cell.rnn_relu_step, "rnn_relu_cell")


def _statistics(input: Tensor, dims: tuple[int, ...], eps: float, keepdim: bool) -> tuple:
    """The mean and 1/sqrt(var + eps) over ``dims`` (biased variance), without history."""
    x = input.detach()
    mean = x.mean(dims, keepdim=keepdim)
    return mean, (x.var(dims, unbiased=False, keepdim=keepdim) + eps).rsqrt()


def native_layer_norm(
    input: Tensor,  # noqa: A002 - PyTorch's name
    normalized_shape: Sequence[int],
    weight: Tensor | None,
    bias: Tensor | None,
    eps: float,
) -> tuple[Tensor, Tensor, Tensor]:
    """``(layer_norm(input), mean, rstd)``, the statistics kept over the normalized dims."""
    out = F.layer_norm(input, list(normalized_shape), weight, bias, eps)
    dims = tuple(range(input.dim() - len(normalized_shape), input.dim()))
    return (out, *_statistics(input, dims, eps, keepdim=True))


def native_batch_norm(
    input: Tensor,  # noqa: A002 - PyTorch's name
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
) -> tuple[Tensor, Tensor, Tensor]:
    """``(batch_norm(input), save_mean, save_invstd)``; in eval mode nothing is saved
    (empty tensors), as in PyTorch."""
    out = F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    if not training:
        empty = creation.empty(0, dtype=input.dtype)
        return out, empty, empty.clone()
    dims = (0, *range(2, input.dim()))
    return (out, *_statistics(input, dims, eps, keepdim=False))


def native_dropout(
    input: Tensor,  # noqa: A002 - PyTorch's name
    p: float,
    train: bool | None,
) -> tuple[Tensor, Tensor]:
    """``(output, mask)``: the kept elements scaled by 1/(1-p), and which were kept."""
    if not train:
        mask = creation.ones(tuple(input.shape), dtype=D.bool_)
        return under_node(input.clone(), "NativeDropoutBackward0", copy=False), mask
    mask = rand(*input.shape, dtype=input.dtype) >= p
    scale = 0.0 if p >= 1 else 1.0 / (1.0 - p)
    out = input * mask.to(input.dtype) * scale
    return under_node(out, "NativeDropoutBackward0", copy=False), mask


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """Dropout of whole feature maps: one keep/drop draw per (sample, channel)."""
    if not train or p == 0:
        return input
    shape = (*input.shape[:2], *([1] * (input.dim() - 2)))
    keep = (rand(*shape, dtype=input.dtype) >= p).to(input.dtype)
    return input * keep * (0.0 if p >= 1 else 1.0 / (1.0 - p))


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    return input.copy_(feature_dropout(input, p, train)) if train and p else input


TriangularSolveResult = named_result("triangular_solve", ("solution", "cloned_coefficient"))
_TRIANGULAR_WARNED = [False]


def triangular_solve(
    b: Tensor,
    A: Tensor,  # noqa: N803 - PyTorch's name
    upper: bool = True,
    transpose: bool = False,
    unitriangular: bool = False,
) -> Any:
    """Solve ``A X = b`` (``A^T X = b`` with ``transpose``) for triangular ``A``; also a
    copy of ``A``. PyTorch's deprecation warning once per process."""
    if not _TRIANGULAR_WARNED[0]:
        _TRIANGULAR_WARNED[0] = True
        warn_user(
            "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular"
            "and will be removed in a future PyTorch release.\ntorch.linalg.solve_triangular "
            "has its arguments reversed and does not return a copy of one of the inputs.\n"
            "X = torch.triangular_solve(B, A).solution\nshould be replaced with\n"
            "X = torch.linalg.solve_triangular(A, B).",
            UserWarning,
            stacklevel=2,
        )
    system = A.mT if transpose else A
    solution = solve_triangular(system, b, upper=upper != transpose, unitriangular=unitriangular)
    return TriangularSolveResult(
        under_node(solution, "TriangularSolveBackward0", copy=False),
        under_node(A.clone(), "TriangularSolveBackward0", copy=False),
    )


_REDUCTIONS = ("none", "mean", "sum")


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: int = 1,
    zero_infinity: bool = False,
) -> Tensor:
    """ATen's ``ctc_loss``: the reduction as an integer (0 none, 1 mean, 2 sum)."""
    return F.ctc_loss(
        log_probs, targets, input_lengths, target_lengths, blank, _REDUCTIONS[reduction],
        zero_infinity,
    )  # fmt: skip


_MODES = ("bilinear", "nearest", "bicubic")
_PADDINGS = ("zeros", "border", "reflection")


def grid_sampler(
    input: Tensor,  # noqa: A002 - PyTorch's name
    grid: Tensor,
    interpolation_mode: int,
    padding_mode: int,
    align_corners: bool,
) -> Tensor:
    """ATen's ``grid_sampler``: the modes as integers, in ``F.grid_sample``'s order."""
    return F.grid_sample(
        input, grid, _MODES[interpolation_mode], _PADDINGS[padding_mode], align_corners
    )


def affine_grid_generator(theta: Tensor, size: Sequence[int], align_corners: bool) -> Tensor:
    return F.affine_grid(theta, list(size), align_corners)


def _conj_physical_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place conjugation (a real tensor is its own conjugate: unchanged)."""
    if input._dtype.is_complex:
        input.copy_(input.conj())
    return input


class AcceleratorError(RuntimeError):
    """``torch.AcceleratorError``: an error the accelerator's runtime reported."""


def _is_tensor_like(inp: Any) -> bool:
    return isinstance(inp, Tensor)


def _functional_namespace(top: Any) -> Any:
    names = (
        "atleast_1d atleast_2d atleast_3d broadcast_shapes broadcast_tensors cartesian_prod "
        "block_diag cdist chain_matmul einsum norm meshgrid split tensordot unique "
        "unique_consecutive unravel_index"
    ).split()
    return namespace(
        "functional",
        "torch.functional: the tensor functions PyTorch writes in Python.",
        **{n: getattr(top, n) for n in names if hasattr(top, n)},
    )


TOP_LEVEL: dict[str, Any] = {
    "lstm_cell": lstm_cell,
    "gru_cell": gru_cell,
    "rnn_tanh_cell": rnn_tanh_cell,
    "rnn_relu_cell": rnn_relu_cell,
    "native_layer_norm": native_layer_norm,
    "native_batch_norm": native_batch_norm,
    "native_dropout": native_dropout,
    "feature_dropout": feature_dropout,
    "feature_dropout_": feature_dropout_,
    "triangular_solve": triangular_solve,
    "ctc_loss": ctc_loss,
    "grid_sampler": grid_sampler,
    "grid_sampler_2d": grid_sampler,
    "affine_grid_generator": affine_grid_generator,
    "conj_physical_": _conj_physical_,
    "AcceleratorError": AcceleratorError,
}

METHODS: dict[str, Any] = {
    "triangular_solve": lambda self, A, upper=True, transpose=False, unitriangular=False: (
        triangular_solve(self, A, upper, transpose, unitriangular)
    ),
    "conj_physical_": _conj_physical_,
}


def bind() -> dict[str, Any]:
    """Attach :data:`METHODS`; return :data:`TOP_LEVEL` plus ``torch.functional`` and
    ``torch.overrides`` for the package namespace (built over it, so called last)."""
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    top = sys.modules["jitgrad"]
    overrides = namespace(
        "overrides",
        "torch.overrides: the __torch_function__ checks (jitgrad has no such protocol).",
        has_torch_function=has_torch_function,
        has_torch_function_unary=has_torch_function_unary,
        has_torch_function_variadic=has_torch_function_variadic,
        handle_torch_function=handle_torch_function,
        is_tensor_like=_is_tensor_like,
    )
    return {**TOP_LEVEL, "functional": _functional_namespace(top), "overrides": overrides}
