"""The strong-Wolfe line search of ``optim.LBFGS`` (``line_search_fn='strong_wolfe'``), after
PyTorch's port of minFunc: bracket a step meeting the sufficient-decrease and curvature
conditions, then zoom in with safeguarded cubic interpolation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

# (the flat vectors are jitgrad tensors on the parameters' device; losses and steps floats)
Objective = Callable[[Any, float, Any], tuple[float, Any]]


def host_scalar(v: Any) -> Any:
    """A 0-d tensor read back to the host as a NumPy scalar of its dtype (a scalar
    synchronization): the search's arithmetic then rounds as PyTorch's on float32 0-d
    tensors, where ``.item()``'s Python float would compute in float64."""
    return v.detach().cpu().numpy()[()]


def cubic_interpolate(
    x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:  # fmt: skip
    """The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), kept within bounds."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = np.sqrt(d2_square)
    if x1 <= x2:
        pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(pos, lo), hi)


def strong_wolfe(
    obj: Objective, x: Any, t: float, d: Any, f: float, g: Any, gtd: float,
    c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9, max_ls: int = 25,
) -> tuple[float, Any, float, int]:  # fmt: skip
    """``(loss, flat_grad, step, evaluations)`` at the accepted step ``t`` along ``d``."""
    d_norm = host_scalar(d.abs().max())
    found = _bracket(obj, x, t, d, f, g.clone(), gtd, c1, c2, max_ls)
    return _zoom(obj, x, d, d_norm, f, gtd, *found, c1, c2, tolerance_change, max_ls)


def _bracket(
    obj: Objective, x: Any, t: float, d: Any, f: float, g: Any, gtd: float,
    c1: float, c2: float, max_ls: int,
) -> tuple[list, list, list, list | None, bool, int, int]:  # fmt: skip
    """The first phase: grow the step (by cubic extrapolation) until an interval is known
    to hold a step meeting the strong Wolfe conditions, or one is found (``done``). Returns
    the interval's steps, losses, gradients and directional derivatives (None when it was
    not bracketed), ``done``, the iterations and the evaluations so far."""
    f_new, g_new = obj(x, t, d)
    evals = 1
    gtd_new = host_scalar(g_new.dot(d))
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    bgtd = None
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bf = [t_prev, t], [f_prev, f_new]
            bg, bgtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bf, bg = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bf = [t_prev, t], [f_prev, f_new]
            bg, bgtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
        )
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.clone(), gtd_new
        f_new, g_new = obj(x, t, d)
        evals += 1
        gtd_new = host_scalar(g_new.dot(d))
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bf, bg = [0, t], [f, f_new], [g, g_new]
    return bracket, bf, bg, bgtd, done, ls_iter, evals


def _zoom(
    obj: Objective, x: Any, d: Any, d_norm: float, f: float, gtd: float,
    bracket: list, bf: list, bg: list, bgtd: list | None, done: bool, ls_iter: int, evals: int,
    c1: float, c2: float, tolerance_change: float, max_ls: int,
) -> tuple[float, Any, float, int]:  # fmt: skip
    """The second phase: shrink the bracket by safeguarded cubic interpolation (a point
    too near an end is pushed ``eps`` inside, after a step of insufficient progress) until
    a step meets the strong Wolfe conditions, the bracket is too narrow, or the iterations
    run out; returns :func:`strong_wolfe`'s tuple at the bracket's best end."""
    insuf_progress = False
    low, high = (0, 1) if bf[0] <= bf[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(bracket[0], bf[0], bgtd[0], bracket[1], bf[1], bgtd[1])
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj(x, t, d)
        evals += 1
        gtd_new = host_scalar(g_new.dot(d))
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bf[low]:
            bracket[high], bf[high], bg[high], bgtd[high] = t, f_new, g_new.clone(), gtd_new
            low, high = (0, 1) if bf[0] <= bf[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bf[high] = bracket[low], bf[low]
                bg[high], bgtd[high] = bg[low], bgtd[low]
            bracket[low], bf[low], bg[low], bgtd[low] = t, f_new, g_new.clone(), gtd_new
    return bf[low], bg[low], bracket[low], evals
