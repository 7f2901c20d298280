"""Bitwise reference of the reduction kernels (and cross-entropy's rows), for changes that must
not move a bit: run ``save`` on the tree before, ``check`` on the tree after.

    PYTHONPATH=<tree before> python perf/reduce_bits.py save /tmp/ref.npz
    PYTHONPATH=<tree after> python perf/reduce_bits.py check /tmp/ref.npz

Every serial and ``*_par`` kernel of :mod:`jitgrad.kernels.cpu.reduce` (and ``sum_flat``/
``mean_flat``, ``sum_to_shape``) on float32/float64 (and int64 where it applies) over shapes
that reach every branch: empty, one element, one and several pairwise leaves (1025, 4097,
70001, 300000), ``B > 1`` tiles, with and without a NaN row; and the integer and bool
reductions through the public API (:func:`public_integer_cases`). ``check`` prints the arrays whose
bytes, dtype or shape differ.
"""

import sys

import numpy as np

from jitgrad.kernels.cpu import reduce as R
from jitgrad.kernels.cpu import reduce_flat as F
from jitgrad.nn import _kernels as NK


def cases():
    rng = np.random.default_rng(0)
    shapes = [
        (1, 0, 1),
        (1, 1, 1),
        (1, 1025, 1),
        (1, 70001, 1),
        (2, 3, 1),
        (3, 4097, 1),
        (2, 5, 3),
        (2, 130, 7),
        (1, 200, 1100),
        (2, 1, 1),
        (1, 300000, 1),
        (4, 70, 2),
    ]
    for dt in ("float32", "float64"):
        for sh in shapes:
            x = (rng.standard_normal(sh) * 3).astype(dt)
            yield dt, sh, x
            if sh[1] > 2:
                x2 = x.copy()
                x2[:, 1] = np.nan
                yield dt, sh, x2
    for sh in shapes[:8]:
        yield "int64", sh, rng.integers(-50, 50, sh)


def run():
    out = {}
    for i, (dt, sh, x) in enumerate(cases()):
        A, Rr, B = sh
        od = np.int64 if dt == "int64" else np.dtype(dt)

        def o2(d=od, A=A, B=B):
            return np.zeros((A, B), d)

        for name in (
            "sum_fwd",
            "mean_fwd",
            "prod_fwd",
            "sum_fwd_par",
            "mean_fwd_par",
            "prod_fwd_par",
        ):
            if dt == "int64" and "mean" in name:
                continue
            r = o2()
            getattr(R, name)(x, r)
            out[f"{i}{name}"] = r
        if A == B == 1 and dt != "int64":
            r = o2()
            F.sum_flat(x, r)
            out[f"{i}sum_flat"] = r
            r = o2()
            F.mean_flat(x, r)
            out[f"{i}mean_flat"] = r
        if dt == "int64":
            continue
        for name in ("var_fwd", "var_fwd_par"):
            r = o2()
            getattr(R, name)(x, 1, r)
            out[f"{i}{name}"] = r
        m, v = o2(), o2()
        R.mean_var_fwd(x, 0, m, v)
        out[f"{i}mv"] = np.stack([m, v])
        c = o2()
        R.mean_fwd(x, c)
        r = o2()
        R.sqdev_fwd(x, c, r)
        out[f"{i}sq"] = r
        g = np.ones((A, B), dt) * 0.5
        r = np.zeros_like(x)
        R.var_bwd(g, x, c, 1, r)
        out[f"{i}var_bwd"] = r
        p = o2()
        R.prod_fwd(x, p)
        r = np.zeros_like(x)
        R.prod_bwd(g, x, p, r)
        out[f"{i}prod_bwd"] = r
        if Rr > 0:
            for name in ("max_fwd", "min_fwd", "max_fwd_par", "min_fwd_par"):
                r, j = o2(), o2(np.int64)
                getattr(R, name)(x, r, j)
                out[f"{i}{name}"] = r
                out[f"{i}{name}j"] = j
            r = np.zeros_like(x)
            R.max_bwd(g, j, r)
            out[f"{i}max_bwd"] = r
            mx = o2()
            R.max_fwd(x, mx, j)
            r = np.zeros_like(x)
            R.amax_bwd(g, x, mx, r)
            out[f"{i}amax_bwd"] = r
        for name in ("logsumexp_fwd", "logsumexp_fwd_par"):
            r = o2()
            getattr(R, name)(x, r)
            out[f"{i}{name}"] = r
        for name in (
            "softmax_fwd",
            "log_softmax_fwd",
            "cumsum_fwd",
            "softmax_fwd_par",
            "log_softmax_fwd_par",
            "cumsum_fwd_par",
        ):
            r = np.zeros_like(x)
            getattr(R, name)(x, r)
            out[f"{i}{name}"] = r
        y = np.zeros_like(x)
        R.softmax_fwd(x, y)
        for name in ("softmax_bwd", "log_softmax_bwd", "softmax_bwd_par", "log_softmax_bwd_par"):
            r = np.zeros_like(x)
            getattr(R, name)(x * 0.25, y, r)
            out[f"{i}{name}"] = r
        r = np.zeros_like(x)
        R.cumsum_bwd(x, r)
        out[f"{i}cumsum_bwd"] = r
        # sum_to_shape (pick -> sum_fwd / par)
        out[f"{i}sts"] = R.sum_to_shape(x, (1, 1, B))
        # cross entropy rows
        if B == 1 and Rr > 0 and x.size < 400000:
            x2 = np.ascontiguousarray(x.reshape(A, Rr))
            t = np.arange(A, dtype=np.int64) % Rr
            for sm in (0.0, 0.1):
                lse, loss = np.zeros(A, dt), np.zeros(A, dt)
                NK.cross_entropy_fwd(x2, t, -100, sm, lse, loss, 0, A, np.empty(Rr, dt))
                out[f"{i}ce{sm}"] = np.stack([lse, loss])
                gx = np.zeros_like(x2)
                NK.cross_entropy_bwd(x2, t, -100, sm, lse, np.ones(A, dt), gx, 0, A)
                out[f"{i}ceb{sm}"] = gx
    out.update(public_integer_cases())
    return out


def public_integer_cases() -> dict:
    """Integer and bool reductions through the public API (sum, prod, cumsum, max/min with
    and without dim, argmax, all/any, also of floats with NaN), each dtype on full, inner,
    leading and non-contiguous dims: the frontend's dtype handling, not only the kernels."""
    import jitgrad

    rng = np.random.default_rng(1)
    out = {}
    for dt in ("bool", "int8", "int16", "int32", "uint8", "int64", "float32"):
        x = rng.integers(-120, 120, (3, 5, 4)).astype(dt)
        if dt == "float32":
            x[1, 2, 3] = np.nan
        t = jitgrad.tensor(x)
        for d in (None, 0, 1, 2, (0, 2)):
            kw = {} if d is None else {"dim": d}
            out[f"pub{dt}sum{d}"] = t.sum(**kw).numpy()
            out[f"pub{dt}all{d}"] = t.all(**kw).numpy() if d is None or isinstance(d, int) else 0
            out[f"pub{dt}any{d}"] = t.any(**kw).numpy() if d is None or isinstance(d, int) else 0
            out[f"pub{dt}amax{d}"] = t.amax(**kw).numpy() if d is not None else t.max().numpy()
            out[f"pub{dt}amin{d}"] = t.amin(**kw).numpy() if d is not None else t.min().numpy()
            if isinstance(d, int):
                out[f"pub{dt}prod{d}"] = t.prod(d).numpy()
                out[f"pub{dt}cumsum{d}"] = t.cumsum(d).numpy()
                v, j = t.max(d)
                out[f"pub{dt}maxv{d}"], out[f"pub{dt}maxj{d}"] = v.numpy(), j.numpy()
                out[f"pub{dt}argmin{d}"] = t.argmin(d).numpy()
        out[f"pub{dt}prod"] = t.prod().numpy()
    return {k: np.asarray(v) for k, v in out.items()}


def main() -> None:
    mode, path = sys.argv[1:]
    out = run()
    if mode == "save":
        np.savez(path, **out)
        print("saved", len(out))
    else:
        ref = np.load(path)
        bad = [
            k
            for k in ref.files
            if k not in out
            or ref[k].tobytes() != out[k].tobytes()
            or ref[k].dtype != out[k].dtype
            or ref[k].shape != out[k].shape
        ]
        extra = [k for k in out if k not in ref.files]
        print("compared", len(ref.files), "mismatch", len(bad), bad[:20], "extra", extra[:5])


if __name__ == "__main__":
    main()
