"""``optim.LBFGS``: limited-memory BFGS over all parameters flattened into one vector.

PyTorch's algorithm step for step (two-loop recursion, first step ``min(1, 1/|g|_1) * lr``,
optional strong-Wolfe line search, the same stopping tests), computed on NumPy vectors of the
parameters' dtype. Its state lives with the first parameter, as in PyTorch's ``state_dict``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..backends import STATE as DEVICE
from ..engine.grad_mode import enable_grad, no_grad
from ..frontend.tensor import Tensor, _make
from ..helpers import debug_print
from ._line_search import strong_wolfe
from .optimizer import Optimizer, check_min

_VECTORS = ("d", "prev_flat_grad")
_LISTS = ("old_dirs", "old_stps", "ro", "al")


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

    # ---- flat views of the parameters ------------------------------------------------------
    def _gather_flat_grad(self) -> np.ndarray:
        parts = [
            np.zeros(p._value.size, p._value.dtype) if p._grad is None
            else p._grad._value.reshape(-1)
            for p in self._params
        ]  # fmt: skip
        return np.concatenate(parts)

    def _add_grad(self, step_size: float, update: np.ndarray) -> None:
        offset = 0
        for p in self._params:
            n = p._value.size
            p._value += step_size * update[offset : offset + n].reshape(p._value.shape)
            p._bump()
            offset += n

    def _clone_param(self) -> list[np.ndarray]:
        return [p._value.copy() for p in self._params]

    def _set_param(self, values: list[np.ndarray]) -> None:
        for p, v in zip(self._params, values, strict=True):
            p._value[...] = v
            p._bump()

    def _directional_evaluate(
        self, closure: Callable[[], Any], x: list[np.ndarray], t: float, d: np.ndarray
    ) -> tuple[float, np.ndarray]:
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
        if DEVICE.active and DEVICE.backend.owns(self._params[0]):
            # its vectors are NumPy arrays: device parameters go through host copies (no
            # device kernels yet), which the debug log says, as for an op's host fallback
            debug_print(1, "host fallback: optim.LBFGS")
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
        if np.abs(flat_grad).max() <= tol_grad:
            return orig_loss
        s = self._unpack(state)
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
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            # the first step is scaled by the gradient's size, as PyTorch's
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tol_change:
                break
            loss, flat_grad, t, opt_cond, ls_evals = self._move(
                closure, line_search_fn, n_iter != max_iter, t, d, loss, flat_grad, gtd, tol_grad
            )
            current_evals += ls_evals
            state["func_evals"] += ls_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tol_change or abs(loss - prev_loss) < tol_change:
                break
        s.update(
            d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
            prev_flat_grad=prev_flat_grad, prev_loss=prev_loss,
        )  # fmt: skip
        self._pack(state, s)
        return orig_loss

    def _move(
        self,
        closure: Callable[[], Any],
        line_search_fn: str | None,
        evaluate: bool,
        t: float,
        d: np.ndarray,
        loss: float,
        flat_grad: np.ndarray,
        gtd: float,
        tol_grad: float,
    ) -> tuple[float, np.ndarray, float, bool, int]:
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
            return loss, flat_grad, t, np.abs(flat_grad).max() <= tol_grad, 1
        if line_search_fn != "strong_wolfe":
            raise RuntimeError("only 'strong_wolfe' is supported")
        x_init = self._clone_param()

        def obj(x: Any, t: float, d: np.ndarray) -> tuple[float, np.ndarray]:
            return self._directional_evaluate(closure, x, t, d)

        loss, flat_grad, t, ls_evals = strong_wolfe(obj, x_init, t, d, loss, flat_grad, gtd)
        self._add_grad(t, d)
        return loss, flat_grad, t, np.abs(flat_grad).max() <= tol_grad, ls_evals

    def _unpack(self, state: dict[str, Any]) -> dict[str, Any]:
        """State entries as NumPy values (they are kept as tensors for ``state_dict``)."""

        def arr(v: Any) -> Any:
            return v._value if isinstance(v, Tensor) else v

        out = {k: arr(state.get(k)) for k in (*_VECTORS, "t", "H_diag", "prev_loss")}
        for k in _LISTS:
            v = state.get(k)
            out[k] = None if v is None else [arr(e) for e in v]
        return out

    def _pack(self, state: dict[str, Any], s: dict[str, Any]) -> None:
        dt = self._params[0]._dtype

        def ten(v: Any) -> Any:
            return _make(np.asarray(v), dt) if isinstance(v, np.ndarray | np.generic) else v

        for k in ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad",
                  "prev_loss", "al"):  # fmt: skip
            v = s[k]
            state[k] = [ten(e) for e in v] if isinstance(v, list) else ten(v)


def _add_pair(
    y: np.ndarray,
    st: np.ndarray,
    old_dirs: list,
    old_stps: list,
    ro: list,
    h_diag: Any,
    history_size: int,
) -> Any:
    """Keep the newest curvature pair (``y`` the change of gradient, ``st`` the step) when
    its curvature ``y.s`` is safely positive (else the inverse Hessian estimate would lose
    positive definiteness), dropping the oldest past ``history_size``. Returns the initial
    Hessian scale ``y.s / y.y`` of that pair, or ``h_diag`` unchanged when it is skipped."""
    ys = y.dot(st)
    if ys > 1e-10:
        if len(old_dirs) == history_size:
            old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
        old_dirs.append(y)
        old_stps.append(st)
        ro.append(1.0 / ys)
        h_diag = ys / y.dot(y)
    return h_diag


def _two_loop(
    s: dict[str, Any],
    q: np.ndarray,
    old_dirs: list,
    old_stps: list,
    ro: list,
    h_diag: Any,
    history_size: int,
) -> np.ndarray:
    """The two-loop recursion: the inverse-Hessian estimate times ``q`` (the negative
    gradient), the search direction. Its ``al`` buffer is kept in the state, as PyTorch's."""
    al = s["al"] if s["al"] is not None else [None] * history_size
    s["al"] = al
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        q = q + (-al[i]) * old_dirs[i]
    d = r = q * h_diag
    for i in range(len(old_dirs)):
        be_i = old_dirs[i].dot(r) * ro[i]
        r += (al[i] - be_i) * old_stps[i]
    return d
