"""Device steps of the optimizers whose CPU update is a NumPy expression (Adamax, NAdam,
RAdam, ASGD, Rprop: :mod:`jitgrad.optim._elementwise`), one launch per parameter.

Each kernel runs that expression's operations in its order, each rounded to the parameter's
dtype as NumPy rounds them (a Python-float scalar becomes a dtype scalar before it meets an
array, NEP 50): the host computes and casts the per-step scalars from its own step count, so a
step needs no synchronization and the simulator reproduces the CPU bit for bit. (On a GPU the
compiler contracts ``a*b + c`` into a fused multiply-add: a few ulps apart there.)
"""

from __future__ import annotations

import math

from numba import cuda

from .optim import _flat, _launch

__all__ = ["adamax_launch", "nadam_launch", "radam_launch", "asgd_launch", "rprop_launch"]


@cuda.jit(device=True, inline=True)
def _lerp(a, b, w, rest, low):
    # _elementwise.lerp_: a + w*(b - a) when |w| < 1/2, else b - (b - a)*rest (rest = 1 - w)
    return a + w * (b - a) if low else b - (b - a) * rest


@cuda.jit(device=True, inline=True)
def _direction(p, g, maximize, weight_decay):
    # +-g, then + wd*p (NumPy: two roundings)
    d = -g if maximize else g
    return d + weight_decay * p if weight_decay != 0 else d


@cuda.jit
def _adamax_kernel(p, g, m, u, w, rest, low, beta2, eps, weight_decay, nclr, maximize):
    # d = +-g (+ wd*p); m = lerp(m, d, w); u = max(u*b2, |d| + eps), NaN from either side
    # wins (np.maximum); p = p + (nclr*m)/u.
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, p.size, stride):
        d = _direction(p[j], g[j], maximize, weight_decay)
        mj = _lerp(m[j], d, w, rest, low)
        m[j] = mj
        uj = u[j] * beta2
        a = abs(d) + eps
        if a > uj or a != a:
            uj = a
        u[j] = uj
        p[j] = p[j] + nclr * mj / uj


@cuda.jit(device=True, inline=True)
def _adam_moments(p, g, m, v, j, w, rest, low, beta2, w2, decay, weight_decay, maximize):
    # (NAdam, RAdam) p *= decay (decoupled weight decay, else decay = 1 and wd*p joins d);
    # m = lerp(m, d, w); v = v*b2 + (w2*d)*d, w2 = 1 - b2. Returns (p, m, v, d).
    pj = p[j] * decay
    d = _direction(pj, g[j], maximize, weight_decay)
    mj = _lerp(m[j], d, w, rest, low)
    vj = v[j] * beta2
    vj = vj + w2 * d * d
    m[j] = mj
    v[j] = vj
    return pj, mj, vj, d


@cuda.jit
def _nadam_kernel(p, g, m, v, w, rest, low, beta2, w2, decay, weight_decay, bc2, eps, c1, c2,
                  maximize):  # fmt: skip
    # denom = sqrt(v / bc2) + eps; p = p + (c1*d)/denom; p = p + (c2*m)/denom.
    cast = p.dtype.type  # (of math.sqrt: a no-op on a GPU; the simulator returns a double)
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, p.size, stride):
        pj, mj, vj, d = _adam_moments(p, g, m, v, j, w, rest, low, beta2, w2, decay,
                                      weight_decay, maximize)  # fmt: skip
        denom = cast(math.sqrt(vj / bc2)) + eps
        pj = pj + c1 * d / denom
        p[j] = pj + c2 * mj / denom


@cuda.jit
def _radam_kernel(p, g, m, v, w, rest, low, beta2, w2, decay, weight_decay, bc1, lr, bc2_root,
                  eps, rect, rectify, maximize):  # fmt: skip
    # c = m / bc1; rectified: p = p - ((c*lr)*(bc2_root / (sqrt(v) + eps)))*rect; else
    # p = p - c*lr.
    cast = p.dtype.type
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, p.size, stride):
        pj, mj, vj, d = _adam_moments(p, g, m, v, j, w, rest, low, beta2, w2, decay,
                                      weight_decay, maximize)  # fmt: skip
        c = mj / bc1
        if rectify:
            adaptive = bc2_root / (cast(math.sqrt(vj)) + eps)
            p[j] = pj - c * lr * adaptive * rect
        else:
            p[j] = pj - c * lr


@cuda.jit
def _asgd_kernel(p, g, ax, weight_decay, decay, neta, mu, average, maximize):
    # d = +-g (+ wd*p); p = p*decay + neta*d (two roundings each); ax = ax + (p - ax)*mu
    # when averaging (mu != 1), else ax = p.
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, p.size, stride):
        d = _direction(p[j], g[j], maximize, weight_decay)
        pj = p[j] * decay
        pj = pj + neta * d
        p[j] = pj
        ax[j] = ax[j] + (pj - ax[j]) * mu if average else pj


@cuda.jit
def _rprop_kernel(p, g, prev, step_size, etaminus, etaplus, lo, hi, maximize):
    # s = d*prev: factor etaplus (s > 0), etaminus (s < 0), else 1 (NaN too); step =
    # clip(step*factor, lo, hi) (NaN stays); d = 0 where factor is etaminus; p -= sign(d)*step;
    # prev = d.
    zero, one = p.dtype.type(0), p.dtype.type(1)
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, p.size, stride):
        d = -g[j] if maximize else g[j]
        s = d * prev[j]
        factor = etaplus if s > zero else (etaminus if s < zero else one)
        st = step_size[j] * factor
        if st < lo:
            st = lo
        elif st > hi:
            st = hi
        step_size[j] = st
        if factor == etaminus:
            d = zero
        sign = one if d > zero else (-one if d < zero else (zero if d == zero else d))
        p[j] = p[j] - sign * st
        prev[j] = d


def adamax_launch(p, g, m, u, *scalars):
    """The Adamax kernel on one parameter (``scalars`` cast by ``optim.Adamax``)."""
    _launch(_adamax_kernel, p.size, _flat(p), _flat(g), _flat(m), _flat(u), *scalars)


def nadam_launch(p, g, m, v, *scalars):
    """The NAdam kernel on one parameter (``scalars`` cast by ``optim.NAdam``)."""
    _launch(_nadam_kernel, p.size, _flat(p), _flat(g), _flat(m), _flat(v), *scalars)


def radam_launch(p, g, m, v, *scalars):
    """The RAdam kernel on one parameter (``scalars`` cast by ``optim.RAdam``)."""
    _launch(_radam_kernel, p.size, _flat(p), _flat(g), _flat(m), _flat(v), *scalars)


def asgd_launch(p, g, ax, *scalars):
    """The ASGD kernel on one parameter (``scalars`` cast by ``optim.ASGD``)."""
    _launch(_asgd_kernel, p.size, _flat(p), _flat(g), _flat(ax), *scalars)


def rprop_launch(p, g, prev, step_size, *scalars):
    """The Rprop kernel on one parameter (``scalars`` cast by ``optim.Rprop``)."""
    _launch(_rprop_kernel, p.size, _flat(p), _flat(g), _flat(prev), _flat(step_size), *scalars)
