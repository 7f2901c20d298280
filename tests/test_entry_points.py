"""The elementwise small lane calls a 0-d serial kernel's compiled entry point (no Numba type
dispatch) once a call through the dispatcher has shown its argument types, and a 1-D one's
dispatcher without a lookup (``Plan.call_serial``). An entry point checks no type, so what
reaches it must have the types it was found for: these tests give the lane, after it has
learned a plan's entries, operands whose Numba type differs (strided, read-only, another
dtype, 0-d vs 1-D) and compare the values with numpy's (IEEE add/mul/sub: numpy's results
are the exact ones)."""

import numpy as np

import jitgrad as torch
from jitgrad.frontend import pointwise as P
from jitgrad.frontend.pointwise_plan import _plans


def _learned(op_name: str) -> list:
    """The ``entry`` lists of the plans of ``op_name`` made so far."""
    return [p.entry for k, p in _plans.items() if k[0].name == op_name]


def _compiled(fn) -> None:
    """Run ``fn`` until the serial kernels it uses are compiled code, not tier 0's
    interpreter (a kernel starts there when its code is not on disk yet): only a compiled
    kernel has an entry point."""
    for _ in range(2):
        fn()
    for plan in list(_plans.values()):
        for kernel in plan.serial:
            if kernel is not None and hasattr(kernel.fn, "promote"):
                kernel.fn.promote()
    for _ in range(3):
        fn()


def test_the_lane_learns_an_entry_point_for_0d_and_contiguous_1d():
    a, b = torch.tensor(1.5), torch.tensor(2.25)
    x, y = torch.arange(8, dtype=torch.float32), torch.ones(8)

    def both():
        assert float(a * b) == 1.5 * 2.25
        np.testing.assert_array_equal((x * y).numpy(), np.arange(8, dtype=np.float32))

    _compiled(both)
    entries = _learned("mul")
    assert any(e[0] and "Dispatcher" not in type(e[0]).__name__ for e in entries), entries
    assert any(e[1] for e in entries), entries


def test_a_strided_operand_after_the_entry_point_is_learned():
    base = np.linspace(-3, 3, 24, dtype=np.float32)
    x, y = torch.tensor(base[:12]), torch.tensor(base[12:])
    _compiled(lambda: x - y)  # contiguous: the 1-D entry point is learned
    assert any(e[1] for e in _learned("sub"))
    xs, ys = torch.tensor(base)[::2], torch.tensor(base[::-1].copy())[1::2]
    assert not xs.numpy().flags.c_contiguous
    got = (xs - ys).numpy()
    np.testing.assert_array_equal(got, base[::2] - base[::-1][1::2])


def test_a_read_only_operand_and_a_read_only_grad():
    x = torch.arange(6, dtype=torch.float64)
    _compiled(lambda: x + x)
    ro = np.arange(6, dtype=np.float64) * 2
    ro.flags.writeable = False
    t = torch.from_numpy(ro) if hasattr(torch, "from_numpy") else torch.tensor(ro)
    np.testing.assert_array_equal((t + x).numpy(), ro + np.arange(6))
    # a .grad's in-place sum never writes through the entry point into a read-only array
    for shape in ((), (6,)):
        other = torch.full(shape, 2.0, dtype=torch.float64)
        # (add_into takes the plan a forward add made)
        _compiled(lambda o=other, s=shape: (o + o, P.add_into(torch.zeros(s, dtype=o.dtype), o)))
        assert P.add_into(torch.zeros(shape, dtype=torch.float64), other)
        frozen = torch.zeros(shape, dtype=torch.float64)
        frozen._value.flags.writeable = False
        try:
            P.accumulate_inplace(frozen, other)
        except Exception:  # Numba's refusal (as on main) is fine; a silent write is not
            pass
        np.testing.assert_array_equal(frozen.numpy(), np.zeros(shape))


def test_other_dtypes_share_the_kernel_but_not_the_entry_point():
    i = torch.tensor([1, 2, 3], dtype=torch.int32)
    f = torch.tensor([0.5, 0.25, 0.125], dtype=torch.float32)
    d = torch.tensor([0.5, 0.25, 0.125], dtype=torch.float64)
    for _ in range(3):
        r1 = (f * f).numpy()
        r2 = (i * f).numpy()
        r3 = (d * d).numpy()
    fv = np.array([0.5, 0.25, 0.125], np.float32)
    np.testing.assert_array_equal(r1, fv * fv)
    np.testing.assert_array_equal(r2, np.array([1, 2, 3], np.float32) * fv)
    assert r3.dtype == np.float64
    np.testing.assert_array_equal(r3, fv.astype(np.float64) ** 2)


def test_gradient_sums_through_the_entry_point():
    leaf = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for _ in range(3):
        leaf.grad = None
        (leaf * 2 + leaf * 3 + leaf).sum().backward()
        np.testing.assert_array_equal(leaf.grad.numpy(), np.full(3, 6.0, np.float32))
    s = torch.tensor(2.0, requires_grad=True)
    for _ in range(3):
        s.grad = None
        (s * s + s * 4 + s).backward()
        assert float(s.grad) == 2 * 2.0 + 4 + 1
