"""``optim.LBFGS``: limited-memory BFGS over all parameters flattened into one vector.

PyTorch's algorithm step for step (two-loop recursion, first step ``min(1, 1/|g|_1) * lr``,
optional strong-Wolfe line search, the same stopping tests), computed with jitgrad tensor ops
on the parameters' device: the flat gradient, the directions and the history are tensors
there, dot products stay 0-d tensors, and only the scalar decisions (the stopping tests, the
line search, the first step's scale) read a value back to the host, as PyTorch's own
implementation does. Its state lives with the first parameter, as in PyTorch's ``state_dict``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..complex_api import view_as_complex, view_as_real
from ..dtypes import float32
from ..engine.grad_mode import enable_grad, no_grad
from ..frontend.join_split import cat
from ..frontend.tensor import Tensor
from ._line_search import host_scalar, strong_wolfe
from .optimizer import Optimizer, check_min

_STATE = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss", "al")


def _max_abs(v: Tensor) -> float:
    """``|v|_inf`` read back to the host (one of the scalar synchronizations)."""
    return host_scalar(v.abs().max())


class LBFGS(Optimizer):
    """Quasi-Newton steps from the last ``history_size`` curvature pairs; ``step`` needs a
    ``closure`` that zeroes the gradients, computes the loss, calls ``backward`` and returns it."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        check_min("learning rate", lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change, history_size=history_size,
            line_search_fn=line_search_fn,
        )  # fmt: skip
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ---- flat views of the parameters (tensors on the parameters' device) -----------------
    def _gather_flat_grad(self) -> Tensor:
        """Every gradient flattened into one vector; a complex one as its real view
        (interleaved real and imaginary parts: PyTorch's ``view_as_real``)."""
        parts = [
            p.new_zeros(p.numel()) if p._grad is None else p._grad.detach().reshape(-1)
            for p in self._params
        ]  # fmt: skip
        return cat([view_as_real(v).reshape(-1) if v.is_complex() else v for v in parts])

    def _add_grad(self, step_size: float, update: Tensor) -> None:
        offset = 0
        for p in self._params:
            x = view_as_real(p.detach()) if p.is_complex() else p.detach()
            n = x.numel()
            x = _fused_add(x, update[offset : offset + n].view_as(x), step_size)
            p.copy_(view_as_complex(x) if p.is_complex() else x)
            offset += n

    def _clone_param(self) -> list[Tensor]:
        return [p.detach().clone() for p in self._params]

    def _set_param(self, values: list[Tensor]) -> None:
        for p, v in zip(self._params, values, strict=True):
            p.copy_(v)

    def _directional_evaluate(
        self, closure: Callable[[], Any], x: list[Tensor], t: float, d: Tensor
    ) -> tuple[float, Tensor]:
        self._add_grad(t, d)
        with enable_grad():
            loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # ---- the step ---------------------------------------------------------------------------
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """Up to ``max_iter`` L-BFGS iterations; returns the loss of the first evaluation."""
        if closure is None:
            raise RuntimeError("LBFGS requires a closure")
        with no_grad():
            return self._step(closure)

    def _step(self, closure: Callable[[], Any]) -> Any:
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        history_size, line_search_fn = group["history_size"], group["line_search_fn"]
        state = self.state[self._params[0]]
        for counter in ("func_evals", "n_iter"):
            state.setdefault(counter, 0)
        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if _max_abs(flat_grad) <= tol_grad:
            return orig_loss
        s = {k: state.get(k) for k in _STATE}
        d, t, old_dirs, old_stps, ro = s["d"], s["t"], s["old_dirs"], s["old_stps"], s["ro"]
        h_diag, prev_flat_grad, prev_loss = s["H_diag"], s["prev_flat_grad"], s["prev_loss"]
        for n_iter in range(1, max_iter + 1):
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1
            else:
                pair = (flat_grad - prev_flat_grad, d * t)
                h_diag = _add_pair(*pair, old_dirs, old_stps, ro, h_diag, history_size)
                d = _two_loop(s, -flat_grad, old_dirs, old_stps, ro, h_diag, history_size)
            prev_flat_grad = flat_grad.clone()
            prev_loss = loss
            # the first step is scaled by the gradient's size, as PyTorch's
            t = _first_step(flat_grad, lr) if state["n_iter"] == 1 else lr
            gtd = host_scalar(flat_grad.dot(d))
            if gtd > -tol_change:
                break
            loss, flat_grad, t, opt_cond, ls_evals = self._move(
                closure, line_search_fn, n_iter != max_iter, t, d, loss, flat_grad, gtd, tol_grad
            )
            current_evals += ls_evals
            state["func_evals"] += ls_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if _max_abs(d * t) <= tol_change or abs(loss - prev_loss) < tol_change:
                break
        s.update(
            d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
            prev_flat_grad=prev_flat_grad, prev_loss=prev_loss,
        )  # fmt: skip
        state.update(s)
        return orig_loss

    def _move(
        self,
        closure: Callable[[], Any],
        line_search_fn: str | None,
        evaluate: bool,
        t: float,
        d: Tensor,
        loss: float,
        flat_grad: Tensor,
        gtd: float,
        tol_grad: float,
    ) -> tuple[float, Tensor, float, bool, int]:
        """Step the parameters along ``d``: by the strong-Wolfe search's step, or by ``t``
        and (``evaluate``: not on the last iteration, as PyTorch) one more closure call.
        Returns the loss, flat gradient and step it ends with, whether the gradient is small
        enough to stop, and the closure calls it made."""
        if line_search_fn is None:
            self._add_grad(t, d)
            if not evaluate:
                return loss, flat_grad, t, False, 0
            with enable_grad():
                loss = float(closure())
            flat_grad = self._gather_flat_grad()
            return loss, flat_grad, t, _max_abs(flat_grad) <= tol_grad, 1
        if line_search_fn != "strong_wolfe":
            raise RuntimeError("only 'strong_wolfe' is supported")
        x_init = self._clone_param()

        def obj(x: Any, t: float, d: Tensor) -> tuple[float, Tensor]:
            return self._directional_evaluate(closure, x, t, d)

        loss, flat_grad, t, ls_evals = strong_wolfe(obj, x_init, t, d, loss, flat_grad, gtd)
        self._add_grad(t, d)
        return loss, flat_grad, t, _max_abs(flat_grad) <= tol_grad, ls_evals


def _first_step(flat_grad: Tensor, lr: float) -> Any:
    """The first iteration's step ``min(1, 1/|g|_1) * lr`` (the ``|g|_1`` read back)."""
    return min(1.0, 1.0 / host_scalar(flat_grad.abs().sum())) * lr


def _add_pair(
    y: Tensor,
    st: Tensor,
    old_dirs: list,
    old_stps: list,
    ro: list,
    h_diag: Any,
    history_size: int,
) -> Any:
    """Keep the newest curvature pair (``y`` the change of gradient, ``st`` the step) when
    its curvature ``y.s`` is safely positive (else the inverse Hessian estimate would lose
    positive definiteness), dropping the oldest past ``history_size``. Returns the initial
    Hessian scale ``y.s / y.y`` of that pair (a 0-d tensor), or ``h_diag`` unchanged when it
    is skipped. The test ``y.s > 1e-10`` is a scalar read, as in PyTorch."""
    ys = y.dot(st)
    if host_scalar(ys) > 1e-10:
        if len(old_dirs) == history_size:
            old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
        old_dirs.append(y)
        old_stps.append(st)
        ro.append(1.0 / ys)
        h_diag = ys / y.dot(y)
    return h_diag


def _two_loop(
    s: dict[str, Any],
    q: Tensor,
    old_dirs: list,
    old_stps: list,
    ro: list,
    h_diag: Any,
    history_size: int,
) -> Tensor:
    """The two-loop recursion: the inverse-Hessian estimate times ``q`` (the negative
    gradient), the search direction. The coefficients ``al``/``be`` are 0-d tensors on the
    vectors' device (no host read); its ``al`` buffer is kept in the state, as PyTorch's."""
    al = s["al"] if s["al"] is not None else [None] * history_size
    s["al"] = al
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        q = _fused_add(q, old_dirs[i], -al[i])
    r = q * h_diag
    for i in range(len(old_dirs)):
        be_i = old_dirs[i].dot(r) * ro[i]
        r = _fused_add(r, old_stps[i], al[i] - be_i)
    return r


def _fused_add(x: Tensor, y: Tensor, alpha: Any) -> Tensor:
    """``x + alpha * y`` rounded once, as PyTorch's ``x.add_(y, alpha=alpha)`` (the update
    of its LBFGS's parameters and two-loop vectors): its CPU kernel is a fused multiply-add
    (``vec::fmadd``: all float32 results of 2 to 1000 elements equal the once-rounded value;
    13-50% differ by an ulp from ``a + c * b``, jitgrad's ``add(alpha=)``). In float32 the
    product is exact in float64 and the sum rounds once more to float32 (a double rounding
    that differs from a true FMA only at a float32 halfway case). Rounding twice, the
    trajectory left PyTorch's by an ulp in the first step and 1.07e-5 after three (the
    lbfgs_f32 case of tests/test_optim_more.py); float64 keeps ``x + alpha * y``."""
    if x.dtype != float32:
        return x + alpha * y
    a = alpha.double() if isinstance(alpha, Tensor) else float(np.float32(alpha))
    return (x.double() + y.double() * a).float()
