"""``out=`` on the public functions, checked against what PyTorch 2.13 does.

Every expected value, message and warning below was read from PyTorch 2.13 (``/tmp/torchenv``)
on the same calls: the result is written into ``out`` and ``out`` is returned; a non-empty
``out`` of another shape is resized with a deprecation warning (an empty one silently, the
factories always silently); a result that cannot be cast to ``out``'s dtype and any argument
that requires grad under grad mode raise PyTorch's RuntimeError.
"""

from __future__ import annotations

import warnings

import pytest

import jitgrad as torch

AUTOGRAD = (
    "{}(): functions with out=... arguments don't support automatic differentiation, but one "
    "of the arguments requires grad."
)
RESIZED = (
    "An output with one or more elements was resized since it had shape [6], which does not "
    "match the required output shape [2, 3]."
)


def _ab():
    return torch.ones(2, 3), torch.full((2, 3), 2.0)


@pytest.mark.parametrize(
    "call, want",
    [
        (lambda a, b, o: torch.add(a, b, out=o), [[3.0] * 3] * 2),
        (lambda a, b, o: torch.add(a, b, alpha=2, out=o), [[5.0] * 3] * 2),
        (lambda a, b, o: torch.mul(a, b, out=o), [[2.0] * 3] * 2),
        (lambda a, b, o: torch.sub(a, b, out=o), [[-1.0] * 3] * 2),
        (lambda a, b, o: torch.div(a, b, out=o), [[0.5] * 3] * 2),
        (lambda a, b, o: torch.maximum(a, b, out=o), [[2.0] * 3] * 2),
        (lambda a, b, o: torch.exp(a - 1, out=o), [[1.0] * 3] * 2),
        (lambda a, b, o: torch.pow(b, 2, out=o), [[4.0] * 3] * 2),
        (lambda a, b, o: torch.clamp(b, max=1.5, out=o), [[1.5] * 3] * 2),
        (lambda a, b, o: torch.eq(a, b, out=o), [[0.0] * 3] * 2),
    ],
)
def test_elementwise_writes_into_out_and_returns_it(call, want) -> None:
    a, b = _ab()
    out = torch.empty(2, 3)
    assert call(a, b, out) is out
    assert out.tolist() == want


def test_out_takes_a_cast_result_and_writes_through_views() -> None:
    a, b = _ab()
    out = torch.empty(2, 3, dtype=torch.float64)
    torch.div(a, b, out=out)
    assert out.dtype == torch.float64 and out.tolist() == [[0.5] * 3] * 2
    ints = torch.empty(2, 3, dtype=torch.int64)
    assert torch.gt(b, a, out=ints).tolist() == [[1] * 3] * 2
    base = torch.zeros(2, 4)
    torch.mul(a[:, :2], b[:, :2], out=base[:, 1:3])
    assert base.tolist() == [[0.0, 2.0, 2.0, 0.0]] * 2
    assert torch.add(torch.ones(2, dtype=torch.int64), 1, out=torch.zeros(2)).tolist() == [2, 2]


@pytest.mark.parametrize(
    "call, msg",
    [
        (
            lambda: torch.add(torch.ones(2), 1, out=torch.zeros(2, dtype=torch.int64)),
            "result type Float can't be cast to the desired output type Long",
        ),
        (
            lambda: torch.sin(torch.arange(3), out=torch.empty(3, dtype=torch.int64)),
            "result type Float can't be cast to the desired output type Long",
        ),
        (
            lambda: torch.zeros(2, out=torch.empty(2), dtype=torch.float64),
            "dtype Double does not match dtype of out parameter (Float)",
        ),
    ],
)
def test_dtype_errors(call, msg) -> None:
    with pytest.raises(RuntimeError) as info:
        call()
    assert str(info.value) == msg


def test_resize_warns_only_for_a_non_empty_out() -> None:
    a, b = _ab()
    big = torch.zeros(6)
    with pytest.warns(UserWarning) as rec:
        assert torch.add(a, b, out=big) is big
    assert str(rec[0].message).startswith(RESIZED)
    assert big.shape == (2, 3) and big.tolist() == [[3.0] * 3] * 2
    empty = torch.empty(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.add(a, b, out=empty)
        assert torch.rand(2, out=torch.empty(3)).shape == (2,)  # factories resize silently
    assert empty.tolist() == [[3.0] * 3] * 2


@pytest.mark.parametrize(
    "name, call",
    [
        ("add", lambda g, o: torch.add(g, 1, out=o)),
        ("exp", lambda g, o: torch.exp(g, out=o)),
        ("matmul", lambda g, o: torch.matmul(g, g.T, out=o)),
        ("mm", lambda g, o: torch.mm(g, g.T, out=o)),
        ("sum", lambda g, o: torch.sum(g, 0, out=o)),
        ("cat", lambda g, o: torch.cat([g, g], out=o)),
        ("stack", lambda g, o: torch.stack([g, g], out=o)),
        ("max", lambda g, o: torch.max(g, 0, out=(o, torch.empty(0, dtype=torch.int64)))),
    ],
)
def test_out_with_grad_raises(name, call) -> None:
    g = torch.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        call(g, torch.empty(0))
    assert str(info.value) == AUTOGRAD.format(name)
    with torch.no_grad():
        call(g, torch.empty(0))  # no graph is asked for: fine


def test_out_requiring_grad_raises() -> None:
    a, b = _ab()
    with pytest.raises(RuntimeError) as info:
        torch.mul(a, b, out=torch.empty(2, 3, requires_grad=True))
    assert str(info.value) == AUTOGRAD.format("mul")


def test_matmul_reductions_and_joins() -> None:
    a, b = _ab()
    out = torch.empty(2, 2)
    assert torch.matmul(a, b.T, out=out) is out and out.tolist() == [[6.0, 6.0]] * 2
    bmm = torch.bmm(a.reshape(1, 2, 3), b.reshape(1, 3, 2), out=torch.empty(1, 2, 2))
    assert bmm.tolist() == [[[6.0, 6.0], [6.0, 6.0]]]
    assert torch.sum(a, 0, out=torch.empty(3)).tolist() == [2.0, 2.0, 2.0]
    assert torch.mean(a, 0, out=torch.empty(3)).tolist() == [1.0, 1.0, 1.0]
    assert torch.cat([a, b], out=torch.empty(4, 3)).tolist() == [[1.0] * 3] * 2 + [[2.0] * 3] * 2
    values, indices = torch.empty(3), torch.empty(3, dtype=torch.int64)
    res = torch.max(torch.tensor([[1.0, 5.0, 2.0], [3.0, 0.0, 4.0]]), 0, out=(values, indices))
    assert res.values is values and res.indices is indices
    assert values.tolist() == [3.0, 5.0, 4.0] and indices.tolist() == [1, 0, 1]


def test_factories_fill_out_in_its_dtype() -> None:
    longs = torch.empty(2, dtype=torch.int64)
    assert torch.zeros(2, out=longs) is longs and longs.tolist() == [0, 0]
    assert torch.arange(3, out=torch.empty(3)).tolist() == [0.0, 1.0, 2.0]
    torch.manual_seed(0)
    want = torch.rand(2, 2).tolist()
    torch.manual_seed(0)
    out = torch.empty(2, 2)
    assert torch.rand(2, 2, out=out) is out and out.tolist() == want
    ones = torch.ones(2, out=torch.empty(2), requires_grad=True)
    assert ones.requires_grad and ones.tolist() == [1.0, 1.0]
