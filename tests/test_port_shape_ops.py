"""Cases ported from PyTorch's test/test_shape_ops.py (TestShapeOps), each named after the
PyTorch test it comes from (no quantized, CUDA-only or torch.jit parts; sizes cut down).
Expected values are the ones the PyTorch test states, or NumPy's where it compares with NumPy.
Messages are PyTorch 2.13's. The file runs unchanged against real PyTorch (``jitgrad`` mapped
to ``torch``), which is how the expectations were checked."""

from __future__ import annotations

import random
import warnings
from functools import partial
from itertools import chain, combinations, permutations, product

import numpy as np
import pytest
from port_helpers import same

import jitgrad as torch

nan = float("nan")


def compare_with_numpy(torch_fn, np_fn, x) -> None:
    """TestCase.compare_with_numpy: the op on the tensor and on its array, dtype included."""
    actual = torch_fn(x)
    expected = np_fn(x.numpy())
    assert actual.numpy().dtype == expected.dtype
    same(actual, expected)


def test_unbind() -> None:
    x = torch.rand(2, 3, 4, 5)
    for dim in range(4):
        res, res2 = torch.unbind(x, dim), x.unbind(dim)
        assert len(res) == len(res2) == x.size(dim)
        for i in range(dim):
            same(res[i], x.select(dim, i))
            same(res2[i], x.select(dim, i))


def test_tolist() -> None:
    assert torch.tensor([]).tolist() == []
    assert torch.tensor([1.0, 2.0, 3.0]).tolist() == [1.0, 2.0, 3.0]
    assert torch.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    nc = torch.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]).select(1, 1)
    assert not nc.is_contiguous()
    assert nc.tolist() == [[3, 4], [7, 8]]


@pytest.mark.parametrize("dtype", ["int64", "float32", "complex128"])
def test_movedim_invalid(dtype: str) -> None:
    x = torch.ones(5, 6, 5, 7, dtype=getattr(torch, dtype))
    for fn in (torch.movedim, torch.moveaxis):
        with pytest.raises(IndexError, match="Dimension out of range"):
            fn(x, 5, 0)
        with pytest.raises(IndexError, match="Dimension out of range"):
            fn(x, 0, 5)
        with pytest.raises(RuntimeError, match="movedim: Invalid source or destination dims:"):
            fn(x, (1, 0), (0,))
        with pytest.raises(RuntimeError, match="movedim: repeated dim in `source`"):
            fn(x, (0, 0), (0, 1))
        with pytest.raises(RuntimeError, match="movedim: repeated dim in `source`"):
            fn(x, (0, 1, 0), (0, 1, 2))
        with pytest.raises(RuntimeError, match="movedim: repeated dim in `destination`"):
            fn(x, (0, 1), (1, 1))
        with pytest.raises(RuntimeError, match="movedim: repeated dim in `destination`"):
            fn(x, (0, 1, 2), (1, 0, 1))


def test_movedim() -> None:
    rng = random.Random(0)
    for fn in (torch.moveaxis, torch.movedim):
        for nd in range(4):
            x = torch.randn(tuple(2 + i for i in range(nd)))
            for src, dst in permutations(range(nd), r=2):
                for s, d in ((src, dst), (src - nd, dst), (src, dst - nd)):
                    compare_with_numpy(
                        partial(fn, source=s, destination=d),
                        partial(np.moveaxis, source=s, destination=d),
                        x,
                    )
            if nd == 0:
                continue
            for src_seq in permutations(range(nd), r=rng.randint(1, nd)):
                dst_seq = tuple(rng.sample(range(nd), len(src_seq)))
                for s in (src_seq, tuple(s - nd for s in src_seq)):
                    compare_with_numpy(
                        partial(fn, source=s, destination=dst_seq),
                        partial(np.moveaxis, source=s, destination=dst_seq),
                        x,
                    )
        x = torch.randn(2, 3, 5, 7, 11)
        for s, d in (((0, 1), (0, 1)), (1, 1), ((), ())):
            compare_with_numpy(
                partial(fn, source=s, destination=d),
                partial(np.moveaxis, source=s, destination=d),
                x,
            )


# test_diag / test_diagonal / test_diagonal_multidim
def test_diag_diagonal() -> None:
    for x in (torch.rand(10, 10), torch.rand(10, 10) >= 0.5):
        res2 = torch.tensor((), dtype=x.dtype)
        torch.diag(x, out=res2)
        same(res2, torch.diag(x))
    x = torch.randn((20, 20))
    same(torch.diagonal(x), torch.diag(x))
    same(torch.diagonal(x, 7), torch.diag(x, 7))
    x = torch.randn(3, 4, 5, 6)
    xn = x.numpy()
    for args in [(2, 2, 3), (2,), (-2, 1, 2), (0, -2, -1)]:
        same(torch.diagonal(x, *args), xn.diagonal(*args))
    xp = x.permute(1, 2, 3, 0)
    same(torch.diagonal(xp, 0, -2, -1), xp.numpy().diagonal(0, -2, -1))


@pytest.mark.parametrize(
    "dtype", ["uint8", "int8", "int16", "int32", "int64", "float32", "float64"]
)
def test_trace(dtype: str) -> None:
    dt = getattr(torch, dtype)
    for shape in ([10, 1], [1, 10], [10, 10], [4, 10], [10, 4]):
        low = 0 if dt is torch.uint8 else -9
        tensor = torch.randint(low, 9, shape).to(dt)
        expected_dtype = tensor.sum().dtype
        res = tensor.trace()
        assert res.dtype == expected_dtype
        npdt = {torch.int64: np.int64, torch.float32: np.float32, torch.float64: np.float64}
        expected = np.trace(tensor.numpy(), dtype=npdt[expected_dtype])
        np.testing.assert_allclose(res.numpy(), expected, rtol=1e-6)


def clamp_baseline(dtype, min_val, max_val, with_nans: bool):
    """generate_clamp_baseline: 100 values in [-25, 25] (NaN at random), np.clip's answer."""
    x = torch.rand(100).mul(50).add(-25).to(dtype)
    if with_nans:
        x[torch.randint(0, 2, x.shape, dtype=torch.bool)] = nan
    return x, torch.tensor(np.clip(x.numpy(), a_min=min_val, a_max=max_val))


CLAMP_OPS = ("clamp", "Tensor.clamp", "Tensor.clamp_", "clip", "Tensor.clip", "Tensor.clip_")


def _op(name: str):
    return getattr(torch.Tensor, name[7:]) if name.startswith("Tensor.") else getattr(torch, name)


# test_clamp / test_clamp_propagates_nans
@pytest.mark.parametrize("dtype", ["int64", "float32"])
def test_clamp(dtype: str) -> None:
    dt = getattr(torch, dtype)
    for name, with_nans in product(CLAMP_OPS, (False, True)):
        if with_nans and dt is not torch.float32:
            continue
        op = _op(name)
        for min_val, max_val in product((-10, None), (10, None)):
            if min_val is None and max_val is None:
                continue
            x, expected = clamp_baseline(dt, min_val, max_val, with_nans)
            actual = op(x.clone(), min_val, max_val)
            assert actual.dtype == expected.dtype
            same(actual, expected)
            if name in ("clamp", "clip"):
                y_out = torch.empty_like(x)
                op(x, min=min_val, max=max_val, out=y_out)
                same(y_out, expected)


def test_clamp_scalar_nan_bounds() -> None:
    x = torch.ones(3)
    assert torch.isnan(torch.clamp(x, None, float("nan"))).all()
    assert torch.isnan(torch.clamp(x, float("nan"), None)).all()


def test_clamp_raises_arg_errors() -> None:
    x = torch.randn(10)
    msg = "At least one of 'min' or 'max' must not be None"
    for call in (x.clamp, x.clamp_, lambda: torch.clamp(x)):
        with pytest.raises(RuntimeError, match=msg):
            call()


FLIP_DTYPES = ["bool", "uint8", "int64", "float32", "float64", "complex64"]


@pytest.mark.parametrize("dtype", FLIP_DTYPES)
def test_flip(dtype: str) -> None:
    dt = getattr(torch, dtype)

    def make(data):
        return torch.tensor(data, dtype=dt)

    def check(in_t, dims, out_t):
        same(in_t.flip(dims), out_t)
        n = in_t.ndim
        if not isinstance(dims, tuple):
            same(in_t.flip(-n + dims), out_t)
            return
        for p_dims in permutations(dims):
            same(in_t.flip(p_dims), out_t)
            if p_dims:
                same(in_t.flip((-n + p_dims[0],) + p_dims[1:]), out_t)

    data = make([1, 2, 3, 4, 5, 6, 7, 8]).view(2, 2, 2)
    nonctg = torch.empty(2, 2, 4, dtype=dt)[..., ::2].copy_(data)
    assert not nonctg.is_contiguous()
    dims_result = (
        (0, [5, 6, 7, 8, 1, 2, 3, 4]),
        (1, [3, 4, 1, 2, 7, 8, 5, 6]),
        (2, [2, 1, 4, 3, 6, 5, 8, 7]),
        ((0, 1), [7, 8, 5, 6, 3, 4, 1, 2]),
        ((0, 1, 2), [8, 7, 6, 5, 4, 3, 2, 1]),
    )
    for in_t, (dims, out) in product((data, nonctg), dims_result):
        check(in_t, dims, make(out).view(2, 2, 2))
    in_t = make([1, 2, 3]).view(3, 1).expand(3, 2)  # expanded
    check(in_t, 0, make([3, 3, 2, 2, 1, 1]).view(3, 2))
    check(in_t, 1, in_t)
    in_t = make([1, 2, 3, 4, 5, 6, 7, 8]).view(2, 2, 2).transpose(0, 1)  # transposed
    check(in_t, (0, 1, 2), make([8, 7, 4, 3, 6, 5, 2, 1]).view(2, 2, 2))
    in_t = make([1, 2, 3, 4, 5, 6]).view(2, 3)  # rectangular
    check(in_t, 0, make([[4, 5, 6], [1, 2, 3]]))
    check(in_t, 1, make([[3, 2, 1], [6, 5, 4]]))
    for c in (2, 3):  # NCHW images, contiguous and strided
        in_t = torch.arange(2 * c * 4 * 4).reshape(2, c, 4, 4).to(dt)
        a = in_t.numpy()
        check(in_t, 3, torch.from_numpy(a[:, :, :, ::-1].copy()))
        check(in_t, 2, torch.from_numpy(a[:, :, ::-1, :].copy()))
        for in_tt in (in_t[..., ::2, :], in_t[..., ::2]):
            check(in_tt, 3, torch.from_numpy(in_tt.numpy()[:, :, :, ::-1].copy()))
    in_t = make(())  # no-ops
    check(in_t, 0, in_t)
    check(in_t, (), in_t)
    in_t = torch.ones(3, 2, 1, dtype=dt)
    check(in_t, (), in_t)
    in_t = torch.ones(3, 0, 2, dtype=dt)
    for i in range(in_t.ndim):
        check(in_t, i, in_t)
    check(torch.ones((), dtype=dt), 0, torch.ones((), dtype=dt))
    check(torch.ones(1, dtype=dt), 0, torch.ones(1, dtype=dt))
    size = [2, 3, 4]
    data = torch.ones(size, dtype=dt)
    for dims in chain(combinations(range(3), 1), combinations(range(3), 2)):
        assert list(data.flip(dims).size()) == size


def test_flip_errors() -> None:
    data = torch.ones(2, 2, 2)
    with pytest.raises(RuntimeError):
        data.flip(0, 1, 1)
    with pytest.raises(TypeError):
        data.flip()
    with pytest.raises(IndexError):
        data.flip(0, 1, 2, 3)
    with pytest.raises(IndexError):
        data.flip(3)


@pytest.mark.parametrize("dtype", ["int64", "float64", "complex128"])
def test_flip_numpy(dtype: str) -> None:
    data = torch.arange(3 * 4 * 2 * 3).reshape(3, 4, 2, 3).to(getattr(torch, dtype))
    for ndim_data in (data[0], data):
        for i in range(1, ndim_data.ndim + 1):
            for flip_dim in combinations(range(ndim_data.ndim), i):
                compare_with_numpy(
                    lambda t, d=flip_dim: torch.flip(t, dims=d),
                    lambda a, d=flip_dim: np.flip(a, axis=d),
                    ndim_data,
                )


# test_fliplr / test_flipud / test_fliplr_invalid / test_flipud_invalid
@pytest.mark.parametrize("dtype", ["int64", "float64", "complex128"])
def test_fliplr_flipud(dtype: str) -> None:
    dt = getattr(torch, dtype)
    for nd in range(1, 5):
        data = torch.arange(int(np.prod(range(2, 2 + nd)))).reshape(*range(2, 2 + nd)).to(dt)
        compare_with_numpy(torch.flipud, np.flipud, data)
        if nd >= 2:
            compare_with_numpy(torch.fliplr, np.fliplr, data)
    with pytest.raises(RuntimeError, match="Input must be >= 2-d."):
        torch.fliplr(torch.randn(42).to(dt))
    with pytest.raises(RuntimeError, match="Input must be >= 2-d."):
        torch.fliplr(torch.tensor(42, dtype=dt))
    with pytest.raises(RuntimeError, match="Input must be >= 1-d."):
        torch.flipud(torch.tensor(42, dtype=dt))


def test_rot90() -> None:
    data = torch.arange(1, 5).view(2, 2)
    same(data.rot90(0, [0, 1]), torch.tensor([1, 2, 3, 4]).view(2, 2))
    same(data.rot90(1, [0, 1]), torch.tensor([2, 4, 1, 3]).view(2, 2))
    same(data.rot90(2, [0, 1]), torch.tensor([4, 3, 2, 1]).view(2, 2))
    same(data.rot90(3, [0, 1]), torch.tensor([3, 1, 4, 2]).view(2, 2))
    same(data.rot90(), data.rot90(1, [0, 1]))
    same(data.rot90(3, [0, 1]), data.rot90(1, [1, 0]))
    same(data.rot90(5, [0, 1]), data.rot90(1, [0, 1]))
    same(data.rot90(3, [0, 1]), data.rot90(-1, [0, 1]))
    same(data.rot90(-5, [0, 1]), data.rot90(-1, [0, 1]))
    for dims in ([0, -3], [0, 2]):  # PyTorch's test says RuntimeError; 2.13 raises this
        with pytest.raises(IndexError, match="Dimension out of range"):
            data.rot90(1, dims)
    data = torch.arange(1, 9).view(2, 2, 2)
    same(data.rot90(1, [1, 2]), torch.tensor([2, 4, 1, 3, 6, 8, 5, 7]).view(2, 2, 2))
    same(data.rot90(1, [1, -1]), data.rot90(1, [1, 2]))
    with pytest.raises(IndexError, match="Dimension out of range"):
        data.rot90(1, [0, 3])
    for dims in ([1, 1], [0, 1, 2], [0]):
        with pytest.raises(RuntimeError):
            data.rot90(1, dims)


def test_complex_rot90() -> None:
    for dt in (torch.complex64, torch.complex128):
        data = torch.randn(3, 4, 2, dtype=dt)
        for k in range(4):
            compare_with_numpy(
                lambda t, k=k: torch.rot90(t, k=k, dims=[0, 1]),
                lambda a, k=k: np.rot90(a, k=k, axes=[0, 1]),
                data,
            )


def test_nonzero_no_warning() -> None:
    t = torch.randn((2, 2))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        torch.nonzero(t)
        t.nonzero()
    assert len(w) == 0


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64", "float32", "float64"])
def test_nonzero(dtype: str) -> None:
    dt = getattr(torch, dtype)
    for shape in ((12,), (12, 1), (1, 12), (6, 2), (3, 2, 2), (5, 5, 5)):
        tensor = torch.randint(2, shape, dtype=dt)
        dst1 = torch.nonzero(tensor, as_tuple=False)
        dst2 = tensor.nonzero(as_tuple=False)
        dst3 = torch.empty([], dtype=torch.long)
        torch.nonzero(tensor, out=dst3)
        with pytest.raises(RuntimeError, match="scalar type Long"):
            torch.nonzero(tensor, out=torch.empty([], dtype=torch.float))
        np_result = np.stack(tensor.numpy().nonzero()).T
        for d in (dst1, dst2, dst3):
            assert d.dtype == torch.int64
            same(d, np_result)
        for tup in (torch.nonzero(tensor, as_tuple=True), tensor.nonzero(as_tuple=True)):
            same(torch.stack(tup).t(), np_result)


def test_nonzero_astuple_out() -> None:
    t = torch.randn((3, 3, 3))
    out = torch.empty_like(t, dtype=torch.long)
    with pytest.raises(RuntimeError):
        torch.nonzero(t, as_tuple=True, out=out)
    same(torch.nonzero(t, as_tuple=False, out=out), torch.nonzero(t, out=out))


def test_nonzero_discontiguous() -> None:
    tensor = torch.randint(2, (4, 4))
    tensor_nc = torch.empty(4, 8)[:, ::2].copy_(tensor)
    dst1 = tensor.nonzero(as_tuple=False)
    same(dst1, tensor_nc.nonzero(as_tuple=False))
    dst3 = torch.empty_like(dst1)
    data_ptr = dst3.data_ptr()
    torch.nonzero(tensor, out=dst3)  # dst3's storage reused
    assert dst3.data_ptr() == data_ptr
    same(dst3, dst1)
    dst4 = torch.empty(dst1.size(0), dst1.size(1) * 2, dtype=torch.long)[:, ::2]
    data_ptr, strides = dst4.data_ptr(), dst4.stride()
    torch.nonzero(tensor, out=dst4)  # a strided out keeps its storage and strides
    assert dst4.data_ptr() == data_ptr and dst4.stride() == strides
    same(dst4, dst1)


def test_nonzero_non_diff() -> None:
    x = torch.randn(10, requires_grad=True)
    assert not x.nonzero().requires_grad


@pytest.mark.parametrize("dtype", ["int64", "float32", "complex128"])
def test_sparse_dense_dim(dtype: str) -> None:
    for shape in [(), (2,), (2, 3)]:
        x = torch.ones(shape, dtype=getattr(torch, dtype))
        assert x.sparse_dim() == 0
        assert x.dense_dim() == len(shape)


def test_unfold_all_devices_and_dtypes() -> None:
    for dt in (torch.bool, torch.uint8, torch.int64, torch.float32, torch.complex64):
        x = torch.empty((0, 1, 3, 0), dtype=dt)
        assert x.unfold(2, 3, 2).shape == (0, 1, 1, 0, 3)


def test_unfold_scalars() -> None:
    x = torch.tensor(0.5)
    same(x.unfold(0, 0, 1), torch.empty(0))
    same(x.unfold(0, 0, 2), torch.empty(0))
    same(x.unfold(0, 1, 1), torch.tensor([0.5]))


def test_unfold_errors() -> None:
    x = torch.arange(1.0, 8)
    with pytest.raises(RuntimeError, match="size is -1 but must be >= 0"):
        x.unfold(0, -1, 1)
    with pytest.raises(RuntimeError, match="step is -1 but must be > 0"):
        x.unfold(0, 1, -1)
