"""A second slice of PyTorch's OpInfo sample inputs (``sample_inputs_cumprod``, ``_prod``,
``_logsumexp``, ``_diff``, ``_roll`` and ``error_inputs_roll`` in
torch/testing/_internal/common_methods_invocations.py), as cases for the runner in
tests/opinfo14_cases.py (its ``run`` and argument types). Recorded by
tests/fixtures/make_opinfo15_torch.py, compared by tests/test_opinfo15.py. Values are
opinfo14's deterministic ones, not ``make_tensor``'s random ones; zeros sit where OpInfo
puts them."""

from __future__ import annotations

import numpy as np

from tests.opinfo14_cases import T

S, XS = 5, 3


def _zeros(dims: tuple[int, int]) -> tuple:
    """``prod_zeros(dims)``: flat positions of the three zeroed lines of an (S, S, S) tensor."""
    mask = np.zeros((S, S, S), bool)
    for a, b in ((0, 1), (2, 3), (4, 3)):
        index = [slice(None)] * 3
        index[dims[0]], index[dims[1]] = a, b
        mask[tuple(index)] = True
    return tuple(int(i) for i in np.flatnonzero(mask))


def _cumprod_inputs() -> list[tuple[T, tuple]]:
    unit = [(T((S, S, S), unit=True), (d,)) for d in range(3)]
    unit += [(T(shape, unit=True), (0,)) for shape in ((), (1,), (0,))]
    unit += [(T((S, S, S), unit=True, zeros=_zeros(d)), (1,)) for d in ((0, 1), (0, 2), (1, 2))]
    return unit


def _prod_samples() -> list[tuple[str, str, tuple, dict]]:
    out = []
    for i, (x, args) in enumerate(_cumprod_inputs()):
        out += [(f"cumprod-{i}", "cumprod", (x, *args), {}), (f"prod-{i}-all", "prod", (x,), {}),
                (f"prod-{i}", "prod", (x, *args), {}),
                (f"prod-{i}-keep", "prod", (x, *args), {"keepdim": True})]
    zero = T((), zeros=(0,))
    out += [("prod-single-zero", "prod", (T((S, S), unit=True, zeros=(1,)),), {}),
            ("prod-333", "prod", (T((3, 3, 3), unit=True), 1), {}),
            ("prod-333-keep", "prod", (T((3, 3, 3), unit=True), 1), {"keepdim": True}),
            ("prod-30", "prod", (T((3, 0)), 1), {}),
            ("prod-30-keep", "prod", (T((3, 0)), 1), {"keepdim": True}),
            ("prod-two-zeros", "prod", (T((4,), nonzero=True, zeros=(2, 3)),), {}),
            ("prod-zero-0d", "prod", (zero,), {}), ("prod-zero-0d-d0", "prod", (zero, 0), {}),
            ("prod-zero-0d-keep", "prod", (zero, 0), {"keepdim": True})]
    return out


def _logsumexp_samples() -> list[tuple[str, str, tuple, dict]]:
    inputs = (((), (0,), True), ((S, S), (1,), True), ((S, S), (1,), False),
              ((S, S), (-2,), False), ((S, S), (0, 1), False))
    return [(f"logsumexp-{int(low)}-{i}", "logsumexp", (T(shape, shift=low), dim, keep), {})
            for low in (0.0, 1e3, 1e6) for i, (shape, dim, keep) in enumerate(inputs)]


def _diff_samples() -> list[tuple[str, str, tuple, dict]]:
    cases = (((1,), 0, None, None), ((S,), 0, None, None), ((S, 1), 0, None, None),
             ((S, 1), 1, None, None), ((S, S), 0, None, None), ((S, S), 1, None, None),
             ((S, S), 0, (1, S), (2, S)), ((S, S), 0, None, (2, S)),
             ((XS, XS, XS), 1, None, None), ((XS, XS, XS), 2, None, None),
             ((XS, XS, XS), 1, (XS, 1, XS), (XS, 1, XS)),
             ((XS, XS, XS), 2, (XS, XS, 1), (XS, XS, 1)),
             ((XS, XS, XS), 2, (XS, XS, XS), (XS, XS, XS)))
    out = []
    for i, (size, dim, pre, app) in enumerate(cases):
        total = size[dim] + (pre[dim] if pre else 0) + (app[dim] if app else 0)
        extra = (T(pre) if pre else None, T(app) if app else None)
        out += [(f"diff-{i}-n{n}", "diff", (T(size), n, dim, *extra), {}) for n in range(total)]
    cube = (XS, XS, XS)
    out += [("diff-big-n", "diff", (T(cube), S + 1, 1), {}),
            ("diff-big-n-ends", "diff", (T(cube), S * 3 + 2, 2, T(cube), T(cube)), {})]
    return out


def _roll_samples() -> list[tuple[str, str, tuple, dict]]:
    args = ((0, 0), (1, 2), (0, 2), (2, 0), (-1, 0), (10000, 1), (2,), ((1, 2, -1), (0, 1, 2)))
    out = [(f"roll-{shape[0]}-{i}", "roll", (T(shape), *a), {})
           for i, a in enumerate(args) for shape in ((0, 0, 0), (S, S, S))]
    out += [("roll-0d", "roll", (T(()), 10), {}),
            ("err-roll-no-shifts", "roll", (T((S,)), ()), {}),
            ("err-roll-align", "roll", (T((S, S)), (2, 1), 0), {}),
            ("err-roll-dim", "roll", (T((S,)), 0, 2), {})]
    return out


SAMPLES = _prod_samples() + _logsumexp_samples() + _diff_samples() + _roll_samples()
