"""One table for the transforms PyTorch 2.13 has in torch.distributions.transforms (and
the constraints they map onto), read by the recorder (tests/fixtures/make_transforms_torch.py,
real PyTorch, into transforms_torch.json) and by tests/test_distribution_transforms.py
(jitgrad). Each case builds ``(transform, x)`` with the module it is given; x is float64."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _x(T: Any, values: Any) -> Any:
    return T.tensor(values, dtype=T.float64)


def _sq(T: Any) -> Any:
    return _x(T, [[[0.5, 0.1, -0.2], [0.3, -0.4, 0.7], [1.0, 0.2, 0.1]]] * 2)


#: (name, build(T) -> (transform, x))
CASES: list[tuple[str, Callable]] = [
    ("softplus", lambda T: (T.distributions.SoftplusTransform(), _x(T, [-1.0, 0.5, 3.0]))),
    (
        "reshape",
        lambda T: (
            T.distributions.ReshapeTransform((2, 3), (3, 2)),
            _x(T, [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]] * 2),
        ),
    ),
    ("lower_cholesky", lambda T: (T.distributions.LowerCholeskyTransform(), _sq(T))),
    ("positive_definite", lambda T: (T.distributions.PositiveDefiniteTransform(), _sq(T))),
    (
        "corr_cholesky",
        lambda T: (
            T.distributions.CorrCholeskyTransform(),
            _x(T, [[0.3, -0.5, 1.2], [2.0, 0.1, -0.7]]),
        ),
    ),
    (
        "corr_cholesky_4",
        lambda T: (
            T.distributions.CorrCholeskyTransform(),
            _x(T, [0.3, -0.5, 1.2, 0.4, -1.1, 0.25]),
        ),
    ),
    (
        "cat_dim0",
        lambda T: (
            T.distributions.CatTransform(
                [T.distributions.ExpTransform(), T.distributions.AffineTransform(1.0, 3.0)],
                0,
                [2, 1],
            ),
            _x(T, [[0.1, -0.2], [0.5, 1.0], [2.0, -3.0]]),
        ),
    ),
    (
        "cat_last_dim",
        lambda T: (
            T.distributions.CatTransform(
                [T.distributions.SoftplusTransform(), T.distributions.SigmoidTransform()],
                -1,
                [1, 2],
            ),
            _x(T, [[0.1, -0.2, 0.4], [0.5, 1.0, -2.0]]),
        ),
    ),
    (
        "stack",
        lambda T: (
            T.distributions.StackTransform(
                [T.distributions.ExpTransform(), T.distributions.SoftplusTransform()], dim=1
            ),
            _x(T, [[0.1, -0.2], [0.5, 1.0], [2.0, -3.0]]),
        ),
    ),
    (
        "cdf_normal",
        lambda T: (
            T.distributions.CumulativeDistributionTransform(T.distributions.Normal(0.5, 2.0)),
            _x(T, [-1.0, 0.5, 3.0]),
        ),
    ),
]


def _c(T: Any) -> Any:
    return T.distributions.constraints


#: transforms the registries give for the newer constraints (their reprs)
REGISTRY: list[Callable] = [
    lambda T: T.distributions.biject_to(_c(T).corr_cholesky),
    lambda T: T.distributions.transform_to(_c(T).corr_cholesky),
    lambda T: T.distributions.transform_to(_c(T).lower_cholesky),
    lambda T: T.distributions.transform_to(_c(T).positive_definite),
    lambda T: T.distributions.transform_to(_c(T).positive_semidefinite),
    lambda T: (
        T.distributions.biject_to(_c(T).cat([_c(T).positive, _c(T).real], 0, [1, 2])).transforms
    ),
    lambda T: (
        T.distributions.transform_to(
            _c(T).stack([_c(T).unit_interval, _c(T).positive], 1)
        ).transforms
    ),
]

_MATRICES = [
    [[2.0, 0.5], [0.5, 1.0]],
    [[1.0, 2.0], [2.0, 1.0]],
    [[1.0, 0.0], [0.0, 0.0]],
    [[1.0, 0.3], [0.2, 1.0]],
]

#: constraint -> values whose check() is recorded
CHECKS: list[tuple[str, Callable]] = [
    (name, lambda T, name=name: getattr(_c(T), name).check(_x(T, _MATRICES)))
    for name in ("square", "symmetric", "positive_semidefinite", "positive_definite")
] + [
    ("square_3x2", lambda T: _c(T).square.check(T.ones(2, 3, 2))),
    (
        "corr_cholesky",
        lambda T: _c(T).corr_cholesky.check(
            _x(T, [[[1.0, 0.0], [0.6, 0.8]], [[1.0, 0.0], [0.6, 0.7]]])
        ),
    ),
]

#: calls that raise in PyTorch (type and message recorded)
ERRORS: list[Callable] = [
    lambda T: T.distributions.ReshapeTransform((2, 3), (4,)),
    lambda T: T.distributions.ReshapeTransform((2, 3), (3, 2)).forward_shape((4, 3, 2)),
    lambda T: T.distributions.ReshapeTransform((2, 3), (3, 2)).inverse_shape((2,)),
    lambda T: T.distributions.CorrCholeskyTransform().forward_shape((4,)),
    lambda T: T.distributions.CorrCholeskyTransform().inverse_shape((3, 4)),
    lambda T: T.distributions.CatTransform([T.distributions.ExpTransform()], 0, [1, 2]),
    lambda T: T.distributions.CatTransform([T.distributions.ExpTransform()], 0, [2])(T.ones(3)),
    lambda T: T.distributions.CatTransform([T.distributions.ExpTransform()], 2, [2])(T.ones(2)),
    lambda T: T.distributions.StackTransform([T.distributions.ExpTransform()], 0)(T.ones(3)),
    lambda T: T.distributions.StackTransform([T.distributions.ExpTransform()], 0).inv(T.ones(3)),
    lambda T: T.distributions.StackTransform([1.0]),
    lambda T: T.distributions.LowerCholeskyTransform().log_abs_det_jacobian(T.eye(2), T.eye(2)),
    lambda T: T.distributions.CorrCholeskyTransform()(T.ones(4)),
]


def _attempt(fn: Callable) -> Any:
    """A tensor's values and shape, another value's repr, or the exception's type name."""
    try:
        out = fn()
    except Exception as exc:  # noqa: BLE001 - both libraries' answers are compared
        return {"error": type(exc).__name__}
    if hasattr(out, "detach"):
        return {"value": out.detach().tolist(), "shape": list(out.shape)}
    return {"repr": repr(out)}


def record_case(T: Any, build: Callable) -> dict:
    """What either library answers for one case (the same code runs on both)."""
    t, x = build(T)
    x = x.clone().requires_grad_(True)
    y = t(x)
    rec = {
        "repr": repr(t),
        "domain": repr(t.domain),
        "codomain": repr(t.codomain),
        "bijective": t.bijective,
        "event_dim": _attempt(lambda: t.event_dim),
        "sign": _attempt(lambda: t.sign),
        "y": _attempt(lambda: y),
        "inv": _attempt(lambda: t.inv(y.detach())),
        "ladj": _attempt(lambda: t.log_abs_det_jacobian(x, y)),
        "forward_shape": _attempt(lambda: tuple(t.forward_shape(tuple(x.shape)))),
        "inverse_shape": _attempt(lambda: tuple(t.inverse_shape(tuple(y.shape)))),
        "equal_to_new": _attempt(lambda: t == build(T)[0]),
    }
    try:
        total = y.sum() + t.log_abs_det_jacobian(x, y).sum()
    except NotImplementedError:
        total = y.sum()
    rec["grad"] = T.autograd.grad(total, x)[0].tolist()
    return rec
