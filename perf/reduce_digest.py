"""A digest of the reduction kernels' outputs, to compare two trees bit for bit:

    PYTHONPATH=/tmp/kcompile-base python perf/reduce_digest.py
    PYTHONPATH=. python perf/reduce_digest.py

sum/mean/var/mean_var (serial and ``*_par``, float32/float64/int64, nine shapes up to 200000 x 3
with huge values), softmax/log_softmax forward and backward (serial and ``*_par``), logsumexp,
and the vector softmax lanes (through the dispatcher, then the learned entry point), float32 and
float64 with -inf entries. Equal digests: every output byte equal. Run each tree with its own
``JITGRAD_CACHE_DIR`` or a shared one (entries are keyed by source).
"""

import hashlib

import numpy as np

from jitgrad.kernels.cpu import reduce as K
from jitgrad.kernels.cpu import reduce_parallel as RP

SUM_SHAPES = [(3, 5000, 1), (2, 300, 7), (1, 70000, 1), (4, 130, 1100), (2, 0, 3), (5, 1, 1),
              (1, 3000, 2), (2, 65, 64), (3, 200000, 1)]  # fmt: skip
SOFTMAX_SHAPES = [(3, 500, 1), (2, 30, 7), (1, 70000, 1), (4, 13, 1100), (5, 1, 1),
                  (1, 3000, 2), (2, 65, 64), (8, 20000, 1)]  # fmt: skip


def sums(h) -> None:
    rng = np.random.default_rng(5)
    shapes = SUM_SHAPES
    for dt in (np.float32, np.float64, np.int64):
        for sh in shapes:
            x = (rng.standard_normal(sh) * 100).astype(dt)
            if dt != np.int64:
                x.flat[::97] *= 1e6
            odt = dt
            out = np.empty((sh[0], sh[2]), odt)
            for f in (K.sum_fwd, K.sum_fwd_par, K.mean_fwd, K.mean_fwd_par):
                if dt == np.int64 and f in (K.mean_fwd, K.mean_fwd_par):
                    continue
                out[:] = 0
                f(x, out)
                h.update(out.tobytes())
            if dt != np.int64:
                for f in (K.var_fwd, K.var_fwd_par):
                    out[:] = 0
                    f(x, 1.0, out)
                    h.update(out.tobytes())
                m = np.empty_like(out)
                v = np.empty_like(out)
                for f in (K.mean_var_fwd, K.mean_var_fwd_par):
                    f(x, 0.0, m, v)
                    h.update(m.tobytes() + v.tobytes())


def softmaxes(h) -> None:
    rng = np.random.default_rng(6)
    shapes = SOFTMAX_SHAPES
    for dt in (np.float32, np.float64):
        for sh in shapes:
            x = (rng.standard_normal(sh) * 5).astype(dt)
            x.flat[::53] = -np.inf
            g = rng.standard_normal(sh).astype(dt)
            for fw, bw in ((K.softmax_fwd, K.softmax_bwd), (K.log_softmax_fwd, K.log_softmax_bwd)):
                for p in (False, True):
                    f = K.pick(fw, 1 << 40) if p else fw
                    b = K.pick(bw, 1 << 40) if p else bw
                    y = np.empty_like(x)
                    f(x, y)
                    h.update(y.tobytes())
                    gx = np.empty_like(x)
                    b(g, y, gx)
                    h.update(gx.tobytes())
            o = np.empty((sh[0], sh[2]), dt)
            K.logsumexp_fwd(x, o)
            h.update(o.tobytes())
        for n in (1, 4, 100):
            v = rng.standard_normal(n).astype(dt)
            out = np.empty_like(v)
            gv = rng.standard_normal(n).astype(dt)
            for log in (False, True):
                assert RP.vector_softmax(v, out, log)
                h.update(out.tobytes())
                gx = np.empty_like(v)
                assert RP.vector_softmax_bwd(gv, out, gx, log)
                h.update(gx.tobytes())
                assert RP.vector_softmax(v, out, log)
                h.update(out.tobytes())  # through the entry point
                assert RP.vector_softmax_bwd(gv, out, gx, log)
                h.update(gx.tobytes())


if __name__ == "__main__":
    h = hashlib.sha256()
    sums(h)
    softmaxes(h)
    print("digest", h.hexdigest())
