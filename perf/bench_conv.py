"""Conv2d forward+backward (64x1x28x28, 32 filters 3x3, float32) against a plain numpy
im2col reference (stride tricks + one matmul each way; col2im by strided adds).

Run: PYTHONPATH=. python3 perf/bench_conv.py [N C H W O]
"""

import sys
import time

import numpy as np

import jitgrad as torch
import jitgrad.nn.functional as F


def numpy_conv(x, w, g):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = h - kh + 1, wd - kw + 1
    win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))
    cols = np.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(n, c * kh * kw, oh * ow)
    out = np.matmul(w.reshape(o, -1), cols)
    g3 = g.reshape(n, o, oh * ow)
    gw = np.tensordot(g3, cols, axes=([0, 2], [0, 2])).reshape(w.shape)
    gcols = np.matmul(w.reshape(o, -1).T, g3).reshape(n, c, kh, kw, oh, ow)
    gx = np.zeros_like(x)
    for i in range(kh):
        for j in range(kw):
            gx[:, :, i : i + oh, j : j + ow] += gcols[:, :, i, j]
    return out, gx, gw


def best(fn, reps=20):
    fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return min(ts) * 1e3


def main() -> None:
    n, c, h, w_, o = (int(v) for v in sys.argv[1:6]) if len(sys.argv) > 5 else (64, 1, 28, 28, 32)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, w_)).astype(np.float32)
    w = rng.standard_normal((o, c, 3, 3)).astype(np.float32)
    g = rng.standard_normal((n, o, h - 2, w_ - 2)).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.zeros(o, requires_grad=True)
    gt = torch.tensor(g)

    def jg():
        xt.grad = wt.grad = bt.grad = None
        F.conv2d(xt, wt, bt).backward(gt)

    def jg_fwd():
        with torch.no_grad():
            F.conv2d(xt, wt, bt)

    print(f"conv2d {n}x{c}x{h}x{w_}, {o} filters 3x3, float32 (best of 20, ms)")
    print(f"  jitgrad fwd      {best(jg_fwd):8.3f}")
    print(f"  jitgrad fwd+bwd  {best(jg):8.3f}")
    print(f"  numpy im2col ref {best(lambda: numpy_conv(x, w, g)):8.3f}")


if __name__ == "__main__":
    main()
