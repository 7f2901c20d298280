"""What hand-written kernels compile (issue 16 section 3, the first run): they run on the
thread pool instead of ``prange`` twins (a plane-wise or row-wise kernel split into ranges gives
the bits of one call, and no hand-written kernel is a ``parallel=True`` dispatcher: each cost a
compile of its own, about twice the serial kernel's), and a strided kernel compiles two layouts
per dtype, not one per mix of layouts."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap

import numpy as np
import pytest
from fresh_process import run_fresh
from numba import njit
from numba.core.registry import CPUDispatcher

import jitgrad
import jitgrad.kernels.cpu as cpu_kernels
from jitgrad import helpers
from jitgrad.kernels.cpu import conv as CK
from jitgrad.kernels.cpu import pool as PK
from jitgrad.kernels.cpu import reduce_flat, reduce_leaves, reduce_sum, workers
from jitgrad.kernels.cpu import reduce_minmax as RM
from jitgrad.kernels.cpu import reduce_softmax as RS
from jitgrad.kernels.cpu.indexing import copy1
from jitgrad.kernels.cpu.jit import one_overload_per_layout
from jitgrad.nn import _kernels as NK
from jitgrad.nn import _windows_nd

RNG = np.random.default_rng(16)
SERIAL, PARALLEL = 1 << 62, 0  # PARALLEL_THRESHOLD values: never / always threaded


def _dispatchers(module) -> list:
    return [v for v in vars(module).values() if isinstance(v, CPUDispatcher)]


def _kernel_modules() -> list:
    return [NK] + [
        importlib.import_module(f"{cpu_kernels.__name__}.{m.name}")
        for m in pkgutil.iter_modules(cpu_kernels.__path__)
    ]


def test_no_hand_written_kernel_is_a_prange_kernel() -> None:
    found = [d for m in _kernel_modules() for d in _dispatchers(m)]
    assert len(found) > 50  # the scan sees the kernels
    parallel = sorted(d.py_func.__qualname__ for d in found if d.targetoptions.get("parallel"))
    assert parallel == []


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, bool)


def _literal_calls(kernel) -> list[str]:
    """Calls in ``kernel``'s source of a jitted function Numba does not inline, with an int or
    bool constant among the arguments, or a local first bound to one (``k = 0`` then a loop
    ``while k < n: f(a, k)``: type inference meets the call with ``Literal[int](0)`` before
    the loop's int64 and compiles ``f`` for both: ldl's helpers, 6 of its 16 compiles)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(kernel.py_func)))
    bound = {
        t.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _is_literal(node.value)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    found = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
            continue
        callee = kernel.py_func.__globals__.get(call.func.id)
        if isinstance(callee, CPUDispatcher) and callee.targetoptions.get("inline") != "always":
            if any(
                _is_literal(a) or (isinstance(a, ast.Name) and a.id in bound) for a in call.args
            ):
                found.append(f"{kernel.py_func.__module__}.{kernel.__name__}: {ast.unparse(call)}")
    return found


def test_no_kernel_calls_a_jitted_helper_with_an_int_or_bool_literal() -> None:
    # Numba types a constant argument as Literal[int](0) / Literal[bool](True) and compiles the
    # callee, and everything it calls, once more for it: std_sort's helpers were compiled up to
    # four times (topk's first call, ~10 CPU s, now ~3), reduce_leaves' _leaf_sum once more per
    # dtype for log_softmax. Pass a numpy scalar (np.int64(0)) or an expression instead.
    kernels = {id(d): d for m in _kernel_modules() for d in _dispatchers(m)}.values()
    assert len(kernels) > 100
    assert [c for k in kernels for c in _literal_calls(k)] == []


@pytest.mark.parametrize("n", [0, 1, 2, 5, 13, 64])
def test_ranges_cover_every_index_once(n: int) -> None:
    for parallel in (False, True):
        got = workers.ranges(n, parallel)
        assert [i for lo, hi in got for i in range(lo, hi)] == list(range(n))
        assert len(got) == 1 or parallel


def _both(call, monkeypatch, kernel, size, args) -> tuple:
    """``call(kernel, size, args)`` serial and threaded, each on fresh copies of ``args``."""
    out = []
    for threshold in (SERIAL, PARALLEL):
        monkeypatch.setattr(helpers, "PARALLEL_THRESHOLD", threshold)
        fresh = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        call(kernel, size, fresh)
        out.append(fresh)
    return tuple(out)


def _planes(kernel, size, args) -> None:
    assert CK.pick is PK.pick is workers.by_planes
    workers.by_planes(kernel, size)(*args)


def _assert_bitwise(a: list, b: list) -> None:
    for x, y in zip(a, b, strict=True):
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_kernels_threaded_match_one_call(monkeypatch, dtype) -> None:
    P, H, W, kh, kw = 13, 9, 8, 3, 2
    x = RNG.standard_normal((P, H, W)).astype(dtype)
    geom = (kh, kw, 2, 1, 1, 0, 1, 2)  # kh, kw, sh, sw, ph, pw, dh, dw
    oh, ow = (H + 2 - 2 * (kh - 1) - 1) // 2 + 1, W - 2 * (kw - 1)
    cols = np.full((P, kh * kw, oh * ow), np.nan, dtype)
    bits = _windows_nd._BITS[x.itemsize]  # (im2col runs on the elements' bytes: see below)
    a, b = _both(_planes, monkeypatch, CK.im2col, 10, [x.view(bits), *geom, ow, cols.view(bits)])
    _assert_bitwise(a, b)
    assert not np.isnan(a[-1].view(dtype)).any()  # every element written
    g = RNG.standard_normal(cols.shape).astype(dtype)
    gx = np.full((P, H, W), np.nan, dtype)
    a, b = _both(_planes, monkeypatch, CK.col2im, 10, [g, *geom, ow, gx])
    _assert_bitwise(a, b)
    assert not np.isnan(a[-1]).any()


def _im2col_reference(x: np.ndarray, g: _windows_nd.Geom) -> np.ndarray:
    cols = np.zeros((x.shape[0], g.kh * g.kw, g.oh * g.ow), x.dtype)
    for i in range(g.kh):
        for j in range(g.kw):
            for oy in range(g.oh):
                for ox in range(g.ow):
                    y, xx = oy * g.sh - g.ph + i * g.dh, ox * g.sw - g.pw + j * g.dw
                    if 0 <= y < x.shape[1] and 0 <= xx < x.shape[2]:
                        cols[:, i * g.kw + j, oy * g.ow + ox] = x[:, y, xx]
    return cols


def test_im2col_moves_bytes_one_compile_per_item_size() -> None:
    # im2col only copies elements and writes zeros, so it runs on unsigned integers of the
    # elements' size: every dtype's bytes come out as they went in (NaN payloads, -0.0, bool),
    # zeros outside the image, and the kernel compiles one signature per item size.
    g = _windows_nd.Geom(3, 2, 2, 1, 1, 0, 1, 2, 3, 4)  # kh kw sh sw ph pw dh dw oh ow
    dtypes = ["float32", "int32", "float64", "int64", "complex64", "int16", "float16", "int8",
              "uint8", "bool"]  # fmt: skip
    for dtype in dtypes:
        raw = RNG.integers(0, 256, 3 * 5 * 6 * np.dtype(dtype).itemsize, dtype=np.uint8)
        x = raw.view(dtype).reshape(3, 5, 6) if dtype != "bool" else (raw % 2).view(bool)
        x = x.reshape(3, 5, 6)
        got = _windows_nd.im2col(x, _windows_nd.window(g))
        want = _im2col_reference(x, g)
        assert got.dtype == x.dtype and got.tobytes() == want.tobytes(), dtype
    kinds = {str(sig[0].dtype) for sig in CK.im2col.signatures}
    assert kinds <= {"uint8", "uint16", "uint32", "uint64"}, kinds


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pool_kernels_threaded_match_one_call(monkeypatch, dtype) -> None:
    P, H, W = 11, 7, 9
    x = RNG.standard_normal((P, H, W)).astype(dtype)
    x[3, 2, 2] = np.nan
    out, idx = np.empty((P, 3, 4), dtype), np.empty((P, 3, 4), np.int64)
    a, b = _both(_planes, monkeypatch, PK.max_pool_fwd, 10, [x, 3, 3, 2, 2, 1, 1, 1, 1, out, idx])
    _assert_bitwise(a, b)
    g = RNG.standard_normal((P, 12)).astype(dtype)
    a, b = _both(_planes, monkeypatch, PK.max_pool_bwd, 10,
                 [g, a[-1].reshape(P, 12), np.zeros((P, H * W), dtype)])  # fmt: skip
    _assert_bitwise(a, b)
    hs, he = np.array([0, 2, 4]), np.array([3, 5, 7])
    ws, we = np.array([0, 3, 6]), np.array([4, 7, 9])
    div = RNG.uniform(1, 9, (3, 3)).astype(dtype)
    a, b = _both(_planes, monkeypatch, PK.avg_pool_fwd, 10,
                 [x, hs, he, ws, we, div, np.empty((P, 3, 3), dtype)])  # fmt: skip
    _assert_bitwise(a, b)
    g3 = RNG.standard_normal((P, 3, 3)).astype(dtype)
    a, b = _both(_planes, monkeypatch, PK.avg_pool_bwd, 10,
                 [g3, hs, he, ws, we, div, np.full((P, H, W), np.nan, dtype)])  # fmt: skip
    _assert_bitwise(a, b)
    assert not np.isnan(a[-1]).any()


def test_embedding_rows_kernels() -> None:
    """gather_rows and scatter_add_rows (element loops) against numpy: repeated indices add
    in index order (np.add.at's order), the skipped row gets nothing."""
    w = RNG.standard_normal((6, 5))
    idx = np.array([4, 1, 4, 0, 4, 2], np.int64)
    out = np.empty((6, 5))
    NK.gather_rows(w, idx, out)
    assert out.tobytes() == w[idx].tobytes()
    g = RNG.standard_normal((6, 5))
    gw = np.zeros((6, 5))
    NK.scatter_add_rows(g, idx, 1, gw)
    want = np.zeros((6, 5))
    keep = idx != 1
    np.add.at(want, idx[keep], g[keep])
    assert gw.tobytes() == want.tobytes()


def test_strided_copy_compiles_two_layouts_per_dtype() -> None:
    """Four mixes of C and strided (and a read-only source) are served by two overloads: the
    all-C one and the any-layout one (the census saw copy1 compiled once per mix)."""

    @njit
    def copy(src, dst):  # the loop of indexing.copy1, in a dispatcher of this test's own
        for i in range(dst.shape[0]):
            dst[i] = src[i]

    one_overload_per_layout(copy, 1)
    a = RNG.standard_normal((5, 6))
    ro = a.copy()
    ro.flags.writeable = False
    pairs = [
        (a[0], np.empty(6)),
        (a[:, 0], np.empty(5)),
        (a[0], np.empty(12)[::2]),
        (a[:, 1], np.empty(10)[::2]),
        (ro[:, 2], np.empty(5)),
        (ro[1], np.empty(6)),
    ]
    for kernel in (copy, copy1):
        for src, dst in pairs:
            dst[:] = np.nan
            kernel(src, dst)
            assert dst.tobytes() == np.ascontiguousarray(src).tobytes()
    assert len(copy.overloads) == 2
    f64 = [s for s in copy1.signatures if str(s[1].dtype) == "float64"]
    assert 1 <= len(f64) <= 2


def test_selection_kernels_compile_one_signature_per_kind() -> None:
    # kthvalue's quickselect, sort's introsort and topk's selection only compare keys: every
    # dtype runs on int64 keys that compare as its values do (std_sort.sort_keys), so the
    # indices are the dtype's own and one signature per kernel serves all.
    import jitgrad as torch
    from jitgrad.kernels.cpu.quick_select import kth_indices
    from jitgrad.kernels.cpu.std_sort import sort_rows, topk_rows

    # (which tie ATen picks is tests/test_conformance13.py's and test_conformance14.py's
    # business, against PyTorch's recordings; here: the same picks in every dtype)
    rows = [[3, 1, 2, 1, 0, 2, 1], [0, 0, 5, 1, 1, 4, 0]]
    picks = set()
    for dtype in (torch.float32, torch.float64, torch.int32, torch.int64, torch.uint8, torch.int8):
        t = torch.tensor(rows, dtype=dtype)
        v, i = t.kthvalue(3, 1)
        assert v.dtype == dtype and v.tolist() == [1, 0]
        assert [rows[r][k] for r, k in enumerate(i.tolist())] == [1, 0]
        s, order = t.sort(stable=False, dim=1)
        assert s.tolist() == [sorted(r) for r in rows]
        top = t.topk(3, 1)[1]
        picks.add((tuple(i.tolist()), tuple(map(tuple, order.tolist())), str(top.tolist())))
    assert len(picks) == 1, picks
    v, i = torch.tensor([[True, False, True]]).kthvalue(2, 1)
    assert v.tolist() == [True] and i.tolist()[0] in (0, 2)
    for kernel in (kth_indices, sort_rows, topk_rows):
        assert [str(sig[0]) for sig in kernel.signatures] == ["array(int64, 2d, C)"], kernel


def test_sort_keys_compare_as_the_values() -> None:
    # the comparator the kernels replay (ATen's): NaN after every number and tied with every
    # NaN, -0.0 tied with 0.0; the int64 keys must order and tie exactly so
    from jitgrad.kernels.cpu.std_sort import sort_keys

    special = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 6e-8, -6e-8, 6e4, -6e4]
    for dtype in (np.float64, np.float32, np.float16):
        v = np.concatenate([np.array(special), RNG.standard_normal(30)]).astype(dtype)
        v[::7] = v[3]  # ties
        k = sort_keys(v.reshape(1, -1))[0]
        for i in range(v.size):
            for j in range(v.size):
                before = (v[i] == v[i] and v[j] != v[j]) or v[i] < v[j]
                tied = (v[i] != v[i] and v[j] != v[j]) or v[i] == v[j]
                assert (k[i] < k[j]) == before and (k[i] == k[j]) == tied, (v[i], v[j])
    ints = np.array([[np.iinfo(np.int64).min, -1, 0, 3, np.iinfo(np.int64).max]])
    assert sort_keys(ints).tolist() == ints.tolist()
    assert sort_keys(np.array([[True, False]])).tolist() == [[1, 0]]


def test_integer_sums_compile_no_sum_kernel() -> None:
    run_fresh("test_kernel_compiles", "integer_sums_no_sum_kernel")


def integer_sums_no_sum_kernel() -> None:
    """(in a fresh process: tests/test_reduce_flat.py compiles int32 ``sum_flat`` on purpose)
    An int64 sum is the same number in any order of adds (wrapping), so NumPy adds it:
    no int64 signature of the pairwise sum kernels (~2.3 CPU s), the kernels' wrapped bits."""
    big = [2**62, 2**62, 2**62, -5]
    x = jitgrad.tensor([big, [1, 2, 3, 4]])
    assert x.sum().item() == 2**62 * 3 - 5 + 10 - 2**64  # wrapped, as PyTorch's int64 sum
    assert x.sum(1).tolist() == [2**62 * 3 - 5 - 2**64, 10]
    assert x.sum(0, keepdim=True).tolist() == [[2**62 + 1, 2**62 + 2, 2**62 + 3, -1]]
    assert (x > 2).sum(1).tolist() == [3, 2] and jitgrad.ones(3, 0).long().sum(1).tolist() == [
        0
    ] * 3
    assert jitgrad.arange(10_000).reshape(100, 100).sum(0)[:2].tolist() == [495000, 495100]
    # narrower integers and booleans, widened into int64 (or kept, wrapping) as PyTorch's
    i32 = jitgrad.tensor([[2**30, 2**30, 7], [-3, 120, 5]], dtype=jitgrad.int32)
    assert i32.sum(1).tolist() == [2**31 + 7, 122] and i32.sum(1).dtype == jitgrad.int64
    assert i32.sum(1, dtype=jitgrad.int32).tolist() == [-(2**31) + 7, 122]
    assert i32.to(jitgrad.uint8).sum(0).tolist() == [253, 120, 12]
    assert (i32 > 6).sum(1).tolist() == [3, 1]
    x3 = np.array([[[2**31 - 1], [1]], [[-5], [3]]], np.int32)  # (a caller passing int32 on)
    for into in (np.int64, np.int32):
        out2 = np.empty((2, 1), into)
        reduce_sum.sum_fwd(x3, out2)
        assert out2.ravel().tolist() == ([2**31, -2] if into is np.int64 else [-(2**31), -2])
    for kernel in (reduce_sum.sum_sq_fwd, reduce_flat.sum_flat, reduce_leaves._leaf_sum):
        assert not [s for s in kernel.overloads if "int" in str(s[0]) or "bool" in str(s[0])], (
            kernel
        )


def test_softmax_slices_compile_once_for_read_only_and_writable_inputs() -> None:
    run_fresh("test_kernel_compiles", "softmax_slices_once")


def softmax_slices_once() -> None:
    """(in a fresh process: what earlier tests on a worker compiled does not count)"""
    y = np.full(6, 1 / 6, np.float64)
    g = np.arange(6.0)
    frozen = y.copy()
    frozen.flags.writeable = False
    outs, counts = [], []
    for yy in (y, frozen):  # (counted per call: other tests on this worker may have called it)
        outs.append(np.empty(6))
        RS._softmax_bwd_slices(g, yy, outs[-1], 2, 3, np.bool_(False))
        counts.append(len(RS._softmax_bwd_slices.overloads))
    assert outs[0].tobytes() == outs[1].tobytes()
    assert counts[1] == counts[0]  # the read-only y took the writable one's overload


@pytest.mark.parametrize("dtype", ["int64", "uint8"])
def test_integer_max_min_pick_the_first_extreme_without_a_compile(dtype: str) -> None:
    """max/min/argmax/argmin of integers and booleans by NumPy: the first r of the extreme,
    as ``extreme_fwd`` picks it (a Python loop is the reference), and no signature of it."""
    x = RNG.integers(0, 3, (3, 7, 2)).astype(dtype)  # many ties
    for want_max, arg in ((True, max), (False, min)):
        fn = jitgrad.max if want_max else jitgrad.min
        values, indices = fn(jitgrad.from_numpy(x), 1)
        for a in range(3):
            for b in range(2):
                col = x[a, :, b].tolist()
                assert values[a, b].item() == arg(col)
                assert indices[a, b].item() == col.index(arg(col))
    assert not [s for s in RM.extreme_fwd.overloads if dtype in str(s[0])]
