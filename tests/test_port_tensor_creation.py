"""Cases ported from PyTorch's test/test_tensor_creation_ops.py (TestTensorCreation), each
named after the PyTorch test it comes from (CPU, no half/bfloat16/chalf, no channels-last,
sizes cut down). Expected values are the ones the PyTorch test states, or NumPy's where it
compares with NumPy. Messages are PyTorch 2.13's. The file runs unchanged against real
PyTorch (``jitgrad`` mapped to ``torch``), which is how the expectations were checked."""

from __future__ import annotations

import math
import random
from itertools import permutations, product

import numpy as np
import pytest
from port_helpers import same

import jitgrad as torch

ALL_TYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float32", "float64",
             "complex64", "complex128")  # fmt: skip
NP_DTYPES = {getattr(torch, n): np.dtype(n) for n in ALL_TYPES}


def test_diag_embed() -> None:
    x = torch.arange(3 * 4, dtype=torch.float).view(3, 4)
    same(torch.diag_embed(x), torch.stack([torch.diag(r) for r in x], 0))
    result = torch.diag_embed(x, offset=1, dim1=0, dim2=2)
    same(result, torch.stack([torch.diag(r, 1) for r in x], 1))


# test_cat_mem_overlap / test_cat_out
def test_cat_out() -> None:
    x = torch.rand((1, 3)).expand((6, 3))
    y = torch.rand((3, 3))
    with pytest.raises(RuntimeError, match="unsupported operation"):
        torch.cat([y, y], out=x)
    msg = (r"unsupported operation: some elements of the input tensor and the written-to tensor "
           r"refer to a single memory location.")  # fmt: skip
    x = torch.zeros(0)
    y = torch.randn((4, 6))
    with pytest.raises(RuntimeError, match=msg):
        torch.cat([x, y], dim=0, out=x)
    with pytest.raises(RuntimeError, match=msg):
        torch.cat([x, y], dim=0, out=y)
    z = torch.zeros((4, 6))
    with pytest.raises(RuntimeError, match=msg):
        torch.cat([y, z], out=z[:2, :])
    w = y.view(-1).clone()
    a = torch.cat([w[:2], w[4:6]])
    b = torch.cat([w[:2], w[4:6]], out=w[6:10])
    same(a, b)
    same(w[:6], y.view(-1)[:6])
    for dim in (0, 1):  # pytorch/pytorch#49878: out= a narrowed (maybe strided) view
        x = torch.zeros((10, 5, 2))
        y = x.narrow(dim, 0, x.shape[dim] - 2)
        val = torch.full_like(y[0], 3.0)
        assert y.is_contiguous() == (dim == 0)
        torch.cat((val[None],) * y.shape[0], dim=0, out=y)
        expected_y = torch.cat((val[None],) * y.shape[0], dim=0)
        expected_x = torch.zeros((10, 5, 2))
        if dim == 0:
            expected_x[:8, :, :] = expected_y
        else:
            expected_x[:, :3, :] = expected_y
        same(y, expected_y)
        same(x, expected_x)


def test_vander() -> None:
    x = torch.tensor([1, 2, 3, 5])
    assert torch.vander(torch.tensor([]), 0).shape == (0, 0)
    with pytest.raises(RuntimeError, match="N must be non-negative."):
        torch.vander(x, N=-1)
    with pytest.raises(RuntimeError, match="x must be a one-dimensional tensor."):
        torch.vander(torch.stack((x, x)))


@pytest.mark.parametrize(
    "dtype",
    [
        "bool",
        "uint8",
        "int8",
        "int16",
        "int32",
        "int64",
        "float32",
        "float64",
        "complex64",
        "complex128",
    ],
)
def test_vander_types(dtype: str) -> None:
    dt = getattr(torch, dtype)
    if dt is torch.uint8:
        xs = [[1, 2, 3, 5], [0, 1 / 3, 1, math.pi, 3 / 7]]
    elif dt is torch.bool:
        xs = [[True, True, True, True], [False, True, True, True, True]]
    elif dt.is_complex:
        xs = [[1 + 1j, 1 + 0j, 0 + 1j, 0 + 0j], [2 + 2j, 3 + 2j, 4 + 3j, 5 + 4j]]
    else:
        xs = [[1, 2, 3, 5], [-math.pi, 0, 1 / 3, 1, math.pi, 3 / 7]]
    for x, n, inc in product(xs, [None, 0, 1, 3], [False, True]):
        pt_x = torch.tensor(x, dtype=dt)
        np_x = np.array(x, dtype=NP_DTYPES[dt])
        pt_res = torch.vander(pt_x, increasing=inc) if n is None else torch.vander(pt_x, n, inc)
        np_res = np.vander(np_x, n, inc)
        assert pt_res.shape == np_res.shape
        np.testing.assert_allclose(pt_res.numpy().astype(np.complex128),
                                   np_res.astype(np.complex128), atol=1e-3, rtol=0)  # fmt: skip


# test_cat_all_dtypes_and_devices / test_fill_all_dtypes_and_devices
@pytest.mark.parametrize("dtype", ALL_TYPES)
def test_cat_fill_all_dtypes(dtype: str) -> None:
    dt = getattr(torch, dtype)
    x = torch.tensor([[1, 2], [3, 4]], dtype=dt)
    e1 = torch.tensor([[1, 2], [3, 4], [1, 2], [3, 4]], dtype=dt)
    e2 = torch.tensor([[1, 2, 1, 2], [3, 4, 3, 4]], dtype=dt)
    for got, want in ((torch.cat((x, x), 0), e1), (torch.cat((x, x), 1), e2)):
        assert got.dtype == dt
        same(got, want)
    for x in (torch.tensor((10, 10), dtype=dt), torch.empty(100, dtype=dt)):
        bound = 100 if dt in (torch.uint8, torch.int8) else 2000
        for n in range(-bound, bound, bound // 10):
            if dt is torch.uint8 and n < 0:
                continue  # PyTorch 2.13 wraps these; NumPy (the expectation's maker) refuses
            x.fill_(n)
            assert x.dtype == dt
            same(x, torch.tensor([n] * x.numel(), dtype=dt))


def test_roll() -> None:
    numbers = torch.arange(1, 9)
    same(numbers.roll(1, 0), torch.tensor([8, 1, 2, 3, 4, 5, 6, 7]))
    same(numbers.roll(-2, 0), torch.tensor([3, 4, 5, 6, 7, 8, 1, 2]))
    data = numbers.view(2, 2, 2)
    same(data.roll(1, 0), torch.tensor([5, 6, 7, 8, 1, 2, 3, 4]).view(2, 2, 2))
    data = data.view(2, 4)
    same(data.roll(2, 0).roll(4, 1), data)
    same(data.roll(-20, 0).roll(-40, 1), data)
    strided = numbers.view(2, 4).transpose(0, 1)
    assert not strided.is_contiguous()
    same(strided.roll(1, 0), torch.tensor([4, 8, 1, 5, 2, 6, 3, 7]).view(4, 2))
    expected = numbers.roll(1, 0).view(2, 4)
    same(data.roll(1), expected)
    same(data.roll(1, dims=None), expected)
    same(data.roll(shifts=(2, -1), dims=(1, 0)), torch.tensor([[7, 8, 5, 6], [3, 4, 1, 2]]))
    with pytest.raises(RuntimeError, match="required"):
        data.roll(shifts=(), dims=())
    with pytest.raises(RuntimeError, match="required"):
        data.roll(shifts=(), dims=1)
    with pytest.raises(RuntimeError, match="align"):
        data.roll(shifts=(1, 2), dims=(1,))
    with pytest.raises(RuntimeError, match="align"):
        data.roll(shifts=(1,), dims=(1, 2))
    t = torch.zeros(6, dtype=torch.bool)
    t[0] = True
    t[3] = True
    same(t.roll(1, 0), torch.tensor([False, True, False, False, True, False]))
    t = torch.tensor([1, 2 + 1j, 3.5, 4.0 + 2j, 5j, 6.0])
    t[0] = 1 + 0.5j
    t[3] = 4.0
    same(t.roll(1, 0), torch.tensor([6.0, 1 + 0.5j, 2 + 1j, 3.5, 4.0, 5j]))


def gen_mask(shape, diagonal, upper):
    mask = torch.zeros(*shape[-2:]).byte()
    for i in range(shape[-2]):
        for j in range(shape[-1]):
            if (j - i < diagonal) if upper else (j - i > diagonal):
                mask[i, j] = 1
    return mask.expand(*shape)


@pytest.mark.parametrize("dtype", ["bool", "int64", "float32", "complex64"])
def test_triu_tril(dtype: str) -> None:
    dt = getattr(torch, dtype)
    zero = torch.tensor(0).to(dt)
    for shape, diagonal in product(
        [(3, 3), (2, 3, 3), (4, 3), (2, 3, 4), (3, 0), (0, 3, 3), (3, 1), (1, 3), (1, 2, 3, 3)],
        [-2, 0, 1],
    ):
        x = torch.empty(*shape, dtype=dt).fill_(2)
        for upper in (True, False):
            fn = torch.triu if upper else torch.tril
            res1 = fn(x, diagonal=diagonal)
            res2 = torch.empty(0, dtype=dt)
            fn(x, diagonal=diagonal, out=res2)
            expected = torch.where(gen_mask(shape, diagonal, upper).bool(), zero, x)
            assert res1.dtype == dt
            same(res1, res2)
            same(res1, expected)
            if 0 not in shape:
                for s in range(-len(shape), -1):
                    x_nc = x.clone().transpose(s, s + 1)
                    exp_nc = torch.where(gen_mask(x_nc.size(), diagonal, upper).bool(), zero, x_nc)
                    same(fn(x_nc, diagonal), exp_nc)
                    was_contiguous = x_nc.is_contiguous()
                    same(x_nc.triu_(diagonal) if upper else x_nc.tril_(diagonal), exp_nc)
                    assert x_nc.is_contiguous() == was_contiguous
                expanded_size = (x.size(0),) + x.size()
                x_expanded = x.clone().expand(*expanded_size)
                same(fn(x_expanded, diagonal), expected.expand(expanded_size))
            np_fn = np.triu if upper else np.tril
            same(res1, np_fn(x.numpy(), diagonal))


def test_diagflat() -> None:
    x = torch.randn((10,))
    same(torch.diagflat(x), torch.diag(x))
    same(torch.diagflat(x, 3), torch.diag(x, 3))
    x = torch.randn((2, 3, 4))
    same(torch.diagflat(x), torch.diag(x.contiguous().view(-1)))
    x = torch.randn((2, 3, 4)).transpose(2, 0)
    assert not x.is_contiguous()
    same(torch.diagflat(x), torch.diag(x.contiguous().view(-1)))
    result = torch.diagflat(torch.ones(4, dtype=torch.complex128))
    assert result.dtype == torch.complex128
    same(result, torch.eye(4, dtype=torch.complex128))


def test_block_diag() -> None:
    def block_diag_workaround(*arrs):
        arrs = [a if a.dim() == 2 else a.expand(1, a.size(0)) if a.dim() == 1
                else a.expand(1, 1) for a in arrs]  # fmt: skip
        shapes = torch.tensor([a.shape for a in arrs])
        out = torch.zeros(torch.sum(shapes, dim=0).tolist(), dtype=arrs[0].dtype)
        r, c = 0, 0
        for i, (rr, cc) in enumerate(shapes):
            out[r : r + rr, c : c + cc] = arrs[i]
            r += rr
            c += cc
        return out

    tensors = [torch.rand((2, 2)), torch.rand((2, 3)), torch.rand(10), torch.rand((8, 1)),
               torch.rand(1)[0]]  # fmt: skip
    same(torch.block_diag(*tensors), block_diag_workaround(*tensors))
    tensor = torch.rand(1)[0]
    same(torch.block_diag(tensor), tensor.expand(1, 1))
    tensor = torch.rand(10)
    same(torch.block_diag(tensor), tensor.expand(1, tensor.size(0)))
    result = torch.block_diag()
    same(result, torch.empty(1, 0))
    assert result.device.type == "cpu"
    names = ("uint8", "int8", "int16", "int32", "int64", "float32", "float64", "complex64",
             "complex128")  # fmt: skip
    for n1, n2 in product(names, names):
        a = torch.tensor(1, dtype=getattr(torch, n1))
        b = torch.tensor(2, dtype=getattr(torch, n2))
        result = torch.block_diag(a, b)
        assert result.dtype == torch.result_type(a, b)
        same(result, [[1, 0], [0, 2]])
    with pytest.raises(RuntimeError, match="torch.block_diag: Input tensors must have 2 or fewer "
                       "dimensions. Input 1 has 3 dimensions"):  # fmt: skip
        torch.block_diag(torch.tensor(5), torch.tensor([[[6]]]))
    with pytest.raises(RuntimeError, match="torch.block_diag: Input tensors must have 2 or fewer "
                       "dimensions. Input 0 has 4 dimensions"):  # fmt: skip
        torch.block_diag(torch.tensor([[[[6]]]]))


# test_block_diag_scipy (scipy's answers written out)
def test_block_diag_scipy() -> None:
    cases = [
        ([1, [2], [], [3, 4, 5], [[], []], [[6], [7.3]]], torch.float32),
        ([[[1, 2], [3, 4]], [1]], torch.int64),
        ([[[4, 9], [7, 10]], [4.6, 9.12], [1j + 3]], torch.complex64),
        ([], torch.float32),
    ]
    expected = [
        [[1, 0, 0, 0, 0, 0], [0, 2, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 3, 4, 5, 0],
         [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 6], [0, 0, 0, 0, 0, 7.3]],
        [[1, 2, 0], [3, 4, 0], [0, 0, 1]],
        [[4, 9, 0, 0, 0], [7, 10, 0, 0, 0], [0, 0, 4.6, 9.12, 0], [0, 0, 0, 0, 3 + 1j]],
        np.zeros((1, 0)),
    ]  # fmt: skip
    for (tensors, dtype), want in zip(cases, expected, strict=True):
        result = torch.block_diag(*[torch.tensor(t) for t in tensors])
        assert result.dtype == dtype
        same(result, np.asarray(want, dtype=NP_DTYPES[dtype]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_complex_polar(dtype: str) -> None:
    dt = getattr(torch, dtype)
    cdt = torch.complex64 if dt is torch.float32 else torch.complex128
    z = torch.complex(torch.tensor([1, 2], dtype=dt), torch.tensor([3, 4], dtype=dt))
    assert z.dtype == cdt
    same(z, torch.tensor([1.0 + 3.0j, 2.0 + 4.0j], dtype=cdt))
    absval = torch.tensor([1, 2, -3, -4.5, 1, 1], dtype=dt)
    angle = torch.tensor([math.pi / 2, 5 * math.pi / 4, 0, -11 * math.pi / 6, math.pi, -math.pi],
                         dtype=dt)  # fmt: skip
    z = torch.polar(absval, angle)
    assert z.dtype == cdt
    want = [1j, -1.41421356237 - 1.41421356237j, -3, -3.89711431703 - 2.25j, -1, -1]
    same(z, np.asarray(want, dtype=np.complex128), 1e-5)


# test_torch_complex_floating_dtype_error / test_torch_complex_same_dtype_error /
# test_torch_complex_out_dtype_error
def test_torch_complex_dtype_errors() -> None:
    error = (r"Expected both inputs to be Half, Float or Double tensors but got [A-Za-z]+ and "
             r"[A-Za-z]+")  # fmt: skip
    for name in ("uint8", "int64", "complex64", "bool"):
        dt = getattr(torch, name)
        for op in (torch.complex, torch.polar):
            with pytest.raises(RuntimeError, match=error):
                op(torch.tensor([1, 2], dtype=dt), torch.tensor([3, 4], dtype=dt))
    for dt, other, n1, n2 in ((torch.float32, torch.float64, "Float", "Double"),
                              (torch.float64, torch.float32, "Double", "Float")):  # fmt: skip
        for op in (torch.complex, torch.polar):
            a, b = torch.tensor([1, 2], dtype=dt), torch.tensor([3, 4], dtype=other)
            with pytest.raises(RuntimeError, match=f"Expected object of scalar type {n1} but got "
                               f"scalar type {n2} for second argument"):  # fmt: skip
                op(a, b)
            a, b = torch.tensor([1, 2], dtype=dt), torch.tensor([3, 4], dtype=dt)
            cname = "ComplexFloat" if dt is torch.float32 else "ComplexDouble"
            with pytest.raises(RuntimeError, match=f"Expected object of scalar type {cname} but "
                               f"got scalar type {n1} for argument 'out'"):  # fmt: skip
                op(a, b, out=torch.zeros(2, dtype=dt))


# test_cat_empty_legacy / test_cat_empty
def test_cat_empty() -> None:
    x = torch.randn((2, 3, 4, 4))
    empty = torch.randn((0,))
    same(torch.cat([x, empty], dim=1), torch.cat([empty, x], dim=1))
    same(torch.cat([empty, empty], dim=1), empty)
    with pytest.raises(ValueError, match="non-empty list of Tensors"):  # 2.13: ValueError
        torch.cat([], dim=1)
    empty = torch.randn((2, 0, 4, 4))
    same(torch.cat([x, empty], dim=1), torch.cat([empty, x], dim=1))
    same(torch.cat([empty, empty], dim=1), empty)
    for empty in (torch.randn((2, 0, 3, 4)), torch.randn((2, 0))):
        with pytest.raises(RuntimeError):
            torch.cat([x, empty], dim=1)
        with pytest.raises(RuntimeError):
            torch.cat([empty, x], dim=1)


def test_like_fn_stride_proparation_vs_tensoriterator_unary_op() -> None:
    like_fns = [
        lambda t: torch.zeros_like(t),
        lambda t: torch.ones_like(t),
        lambda t: torch.randint_like(t, 10, 100),
        lambda t: torch.randn_like(t),
        lambda t: torch.full_like(t, 7),
        lambda t: torch.empty_like(t),
    ]
    tset = (
        torch.randn(4, 3, 2),
        torch.randn(4, 3, 2)[:, :, ::2],
        torch.empty_strided((4, 3, 2), (10, 3, 1)).fill_(1.0),
        torch.empty_strided((4, 3, 2), (10, 0, 3)).fill_(1.0),
        torch.empty_strided((4, 3, 2), (10, 1, 2)).fill_(1.0),
        torch.empty_strided((4, 3, 2), (4, 2, 1))[:, :, ::2].fill_(1.0),
        torch.empty_strided((4, 3, 2), (10, 1, 1)).fill_(1.0),
        torch.empty_strided((4, 1, 1, 2), (10, 0, 0, 2)).fill_(1.0),
        torch.empty_strided((4, 2, 3), (10, 3, 3)).fill_(1.0),
    )
    for t in tset:
        for p in permutations(range(t.dim())):
            tp = t.permute(p)
            te = torch.exp(tp)
            for like_fn in like_fns:
                tl = like_fn(tp)
                assert te.stride() == tl.stride(), (t.stride(), p)
                assert te.size() == tl.size()


def check_hvd_split(torch_fn, np_fn, op_name, inputs, dtype, dim) -> None:
    """_hvd_split_helper: NumPy's pieces, or PyTorch's error where NumPy raises."""
    for shape, arg in inputs:
        direction = dim - (len(shape) == 1 and dim == 1)
        bound = dim + 2 * (dim == 0) + (dim == 2)
        error_expected = len(shape) < bound or (
            not isinstance(arg, list) and shape[direction] % arg != 0
        )
        t = torch.arange(int(np.prod(shape))).reshape(shape).to(dtype)
        if not error_expected:
            got, want = torch_fn(t, arg), np_fn(t.numpy(), arg)
            assert len(got) == len(want)
            for g, w in zip(got, want, strict=True):
                same(g, w)
        else:
            msg = (f"{op_name} requires a tensor with at least " if len(shape) < bound
                   else f"{op_name} attempted to split along dimension ")  # fmt: skip
            with pytest.raises(RuntimeError, match=msg):
                torch_fn(t, arg)


# test_hsplit / test_vsplit / test_dsplit
@pytest.mark.parametrize("dtype", ["int64", "float32", "complex64"])
def test_hvd_split(dtype: str) -> None:
    dt = getattr(torch, dtype)
    h = (((), 3), ((), [2, 4, 6]), ((6,), 2), ((6,), 4), ((6,), [2, 5]), ((6,), [7, 9]),
         ((3, 8), 4), ((3, 8), 5), ((3, 8), [1, 5]), ((3, 8), [3, 8]), ((5, 5, 5), 2),
         ((5, 5, 5), [1, 4]), ((5, 0, 5), 3), ((5, 5, 0), [2, 6]))  # fmt: skip
    check_hvd_split(torch.hsplit, np.hsplit, "torch.hsplit", h, dt, 1)
    v = (((6,), 2), ((6,), 4), ((6, 5), 2), ((6, 5), 4), ((6, 5), [1, 2, 3]),
         ((6, 5), [1, 5, 9]), ((6, 5, 5), 2), ((6, 0, 5), 2), ((5, 0, 5), [1, 5]))  # fmt: skip
    check_hvd_split(torch.vsplit, np.vsplit, "torch.vsplit", v, dt, 0)
    d = (((6,), 4), ((6, 6), 3), ((5, 5, 6), 2), ((5, 5, 6), 4), ((5, 5, 6), [1, 2, 3]),
         ((5, 5, 6), [1, 5, 9]), ((5, 5, 0), 2), ((5, 0, 6), 4),
         ((5, 0, 6), [1, 2, 3]))  # fmt: skip
    check_hvd_split(torch.dsplit, np.dsplit, "torch.dsplit", d, dt, 2)


def check_special_stacks(dim, at_least_dim, torch_fn, np_fn, dtype) -> None:
    """_test_special_stacks: the refusal of a bare tensor, 0-d inputs, and shapes that differ
    along one axis (NumPy's answer, or PyTorch's error where they cannot stack)."""
    rng = random.Random(dim * 10 + at_least_dim)
    t = torch.randn(10)
    with pytest.raises(TypeError, match="must be tuple of Tensors, not Tensor"):
        torch_fn(t)
    inputs = [torch.tensor(rng.uniform(0, 10)).to(dtype) for _ in range(rng.randint(1, 5))]
    same(torch_fn(inputs), np_fn([x.numpy() for x in inputs]))
    for ndims in range(1, 4):
        base_shape = [rng.randint(1, 3) for _ in range(ndims)]
        for i in range(ndims):
            shape = list(base_shape)
            torch_input = []
            for _ in range(rng.randint(1, 3)):
                shape[i] = rng.randint(1, 3)
                torch_input.append(torch.arange(int(np.prod(shape))).reshape(shape).to(dtype))
            valid = all(
                not ((ndims < at_least_dim or tdim != dim)
                     and torch_input[k].size()[tdim] != torch_input[k + 1].size()[tdim])
                for k in range(len(torch_input) - 1) for tdim in range(ndims)
            )  # fmt: skip
            if valid or (torch_fn is torch.hstack and ndims == 1):
                actual = torch_fn(torch_input)
                assert actual.dtype == dtype
                same(actual, np_fn([x.numpy() for x in torch_input]))
            else:
                with pytest.raises(RuntimeError, match="Sizes of tensors must match except in "
                                   "dimension"):  # fmt: skip
                    torch_fn(torch_input)


# test_hstack_column_stack / test_vstack_row_stack
@pytest.mark.parametrize("dtype", ["bool", "int64", "float32", "complex128"])
def test_special_stacks(dtype: str) -> None:
    dt = getattr(torch, dtype)
    for torch_op, np_op in ((torch.hstack, np.hstack), (torch.column_stack, np.column_stack)):
        check_special_stacks(1, 1, torch_op, np_op, dt)
    one = torch.arange(0, 10).to(dt)
    two = torch.arange(0, 100).to(dt).reshape(10, 10)
    inputs = two, one, two, one
    same(torch.column_stack(inputs), np.column_stack([x.numpy() for x in inputs]))
    for torch_op, np_op in ((torch.vstack, np.vstack), (torch.row_stack, np.vstack)):
        check_special_stacks(0, 2, torch_op, np_op, dt)
        a, b = torch.arange(4).to(dt), torch.arange(4).reshape(1, 4).to(dt)
        same(torch_op([a, b]), np_op([a.numpy(), b.numpy()]))
