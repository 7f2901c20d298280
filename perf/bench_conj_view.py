"""What a lazy conj view costs against the materialized conjugate it replaced.

``z.conj()`` is a view whose values are materialized when an op reads it, once per version
(:mod:`jitgrad.frontend.bit_views`); before, ``conj()`` was ``conj_physical()`` (a copy at
the call). Cases, each a complete expression on complex128 of ``N`` elements, timed in CPU
time (``time.process_time``: the machine is shared), interleaved, medians over ``ROUNDS``:

- ``view_once``: ``z.conj() * w``; ``physical_once``: ``z.conj_physical() * w``
- ``view_twice``: ``c = z.conj(); c * w; c + w`` (the second read reuses the materialized
  values); ``physical_twice``: the same with ``conj_physical``
- ``plain``: ``z * w`` (no conjugation at all, the floor)

``python perf/bench_conj_view.py [N] [ROUNDS]``
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

import jitgrad


def _cases(z, w) -> dict:
    def view_twice():
        c = z.conj()
        return c * w, c + w

    def physical_twice():
        c = z.conj_physical()
        return c * w, c + w

    return {
        "view_once": lambda: z.conj() * w,
        "physical_once": lambda: z.conj_physical() * w,
        "view_twice": view_twice,
        "physical_twice": physical_twice,
        "plain": lambda: z * w,
    }


def main(n: int = 1_000_000, rounds: int = 30) -> dict:
    rng = np.random.default_rng(0)
    z = jitgrad.tensor(rng.standard_normal(n) + 1j * rng.standard_normal(n))
    w = jitgrad.tensor(rng.standard_normal(n) + 1j * rng.standard_normal(n))
    cases = _cases(z, w)
    times: dict = {k: [] for k in cases}
    for fn in cases.values():  # warm-up (kernels compiled, buffers allocated)
        fn()
    for _ in range(rounds):
        for name, fn in cases.items():
            t0 = time.process_time()
            fn()
            times[name].append(time.process_time() - t0)
    med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    for k, v in med.items():
        print(f"{k:16s} {v:8.3f} ms CPU  (x{v / med['plain']:.2f} of plain)")
    print(f"view_once / physical_once   = {med['view_once'] / med['physical_once']:.2f}")
    print(f"view_twice / physical_twice = {med['view_twice'] / med['physical_twice']:.2f}")
    return med


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
