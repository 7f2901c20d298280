"""Hostile calls and what PyTorch 2.13 answers them with: the exception type and its words.

One row per call: ``(label, call, type, message)``. ``message`` is the start of PyTorch's
message (``re:`` makes it a regular expression searched in the message; ``None`` checks the
type only, where PyTorch's text depends on its C++ source location). ``None`` as the type
means PyTorch accepts the call: it must succeed. Each row's expectation was read from
PyTorch's source (python_arg_parser.cpp, tensor_new.cpp, RangeFactories.cpp,
python_function.cpp, EmptyTensor.cpp, ...), never from jitgrad.

``tests/test_hostile_table.py`` runs the table; ``python tests/hostile_cases.py`` prints how
many rows jitgrad answers like PyTorch (the survey the issue asked for).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

import jitgrad as torch

x = torch.ones(2, 3)
xg = torch.ones(2, 3, requires_grad=True)
i = torch.tensor([[1, 2, 3], [4, 5, 6]])
b = torch.tensor([[True, False, True], [False, True, False]])
v2 = torch.ones(2)
v3 = torch.ones(3)
s = torch.tensor(2.0)
e = torch.empty(0)


def _backward_of(result: Any, n_inputs: int = 1) -> Callable[[], Any]:
    """A call running backward through an autograd.Function whose backward returns
    ``result`` (a forward with ``n_inputs`` tensor inputs)."""

    class Bad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            return args[0] * 2

        @staticmethod
        def backward(ctx, g):
            return result

    def call():
        args = [torch.ones(2, requires_grad=True) for _ in range(n_inputs)]
        Bad.apply(*args).sum().backward()

    return call


def _floor_div_values() -> None:
    """``//`` and its spellings give PyTorch's values (floor, Python's sign rules)."""
    a = torch.tensor([7, -7, 7, -7])
    d = torch.tensor([2, 2, -2, -2])
    assert (a // d).tolist() == [3, -4, -4, 3] and (a // d).dtype == torch.int64
    f = torch.tensor([7.5, -7.5])
    assert (f // 2).tolist() == [3.0, -4.0]
    assert (7 // torch.tensor([2, -2])).tolist() == [3, -4]
    assert torch.floor_divide(a, 2).tolist() == [3, -4, 3, -4]
    assert a.div(d, rounding_mode="trunc").tolist() == [3, -3, -3, 3]
    assert a.div(d, rounding_mode="floor").dtype == torch.int64
    y = torch.tensor([7, -7])
    y //= 2
    assert y.tolist() == [3, -4]
    assert (torch.tensor([1.0, -1.0]) // 0).tolist() == [float("inf"), float("-inf")]


def _ok(fn: Callable[[], Any]) -> Callable[[], Any]:
    return fn


NEG = "Trying to create tensor with negative dimension"
INVALID = "received an invalid combination of arguments - got"

# fmt: off
CASES: list[tuple[str, Callable[[], Any], type | None, str | None]] = [
    # ---- creation: sizes ------------------------------------------------------------------
    ("empty(-1)", lambda: torch.empty(-1), RuntimeError, f"{NEG} -1: [-1]"),
    ("zeros(2, -3)", lambda: torch.zeros(2, -3), RuntimeError, f"{NEG} -3: [2, -3]"),
    ("ones((-1, 2))", lambda: torch.ones((-1, 2)), RuntimeError, f"{NEG} -1: [-1, 2]"),
    ("randn(-2)", lambda: torch.randn(-2), RuntimeError, f"{NEG} -2: [-2]"),
    ("rand(3, -1)", lambda: torch.rand(3, -1), RuntimeError, f"{NEG} -1: [3, -1]"),
    ("full((-1,), 1.0)", lambda: torch.full((-1,), 1.0), RuntimeError, f"{NEG} -1: [-1]"),
    ("empty(2**62)", lambda: torch.empty(2**62), RuntimeError,
     "Storage size calculation overflowed with sizes=[4611686018427387904]"),
    ("zeros(2**40, 2**40)", lambda: torch.zeros(2**40, 2**40), RuntimeError,
     "Storage size calculation overflowed with sizes=[1099511627776, 1099511627776]"),
    ("ones(2**31, 2**31, 2)", lambda: torch.ones(2**31, 2**31, 2), RuntimeError,
     "Storage size calculation overflowed with sizes=[2147483648, 2147483648, 2]"),
    ("zeros(2.0, 3)", lambda: torch.zeros(2.0, 3), TypeError, f"zeros() {INVALID} (float, int)"),
    ("zeros(2, 3.0)", lambda: torch.zeros(2, 3.0), TypeError,
     'zeros(): argument \'size\' failed to unpack the object at pos 2 with error "type must be '
     'tuple of ints,but got float"'),
    ("zeros('a')", lambda: torch.zeros("a"), TypeError, f"zeros() {INVALID} (str)"),
    ("zeros(None)", lambda: torch.zeros(None), TypeError, f"zeros() {INVALID} (NoneType)"),
    ("ones([2, 'a'])", lambda: torch.ones([2, "a"]), TypeError,
     'ones(): argument \'size\' failed to unpack the object at pos 2 with error "type must be '
     'tuple of ints,but got str"'),
    ("empty(1.5)", lambda: torch.empty(1.5), TypeError, f"empty() {INVALID} (float)"),
    ("randn('3')", lambda: torch.randn("3"), TypeError, f"randn() {INVALID} (str)"),
    ("full((2,), 'a')", lambda: torch.full((2,), "a"), TypeError, f"full() {INVALID} (tuple, str)"),
    ("zeros(2, dtype='x')", lambda: torch.zeros(2, dtype="float32"), TypeError, "zeros() "),
    # ---- creation: data -------------------------------------------------------------------
    ("tensor('abc')", lambda: torch.tensor("abc"), TypeError, "new(): invalid data type 'str'"),
    ("tensor([1, 'a'])", lambda: torch.tensor([1, "a"]), TypeError, "new(): invalid data type"),
    ("tensor(None)", lambda: torch.tensor(None), RuntimeError, "Could not infer dtype of NoneType"),
    ("tensor([1, None])", lambda: torch.tensor([1, None]), RuntimeError, "Could not infer dtype"),
    ("tensor(object())", lambda: torch.tensor(object()), RuntimeError, "Could not infer dtype"),
    ("tensor([[1, 2], [3]])", lambda: torch.tensor([[1, 2], [3]]), ValueError,
     "expected sequence of length 2 at dim 1 (got 1)"),
    ("tensor([t, t])", lambda: torch.tensor([v2, v2]), ValueError,
     "only one element tensors can be converted to Python scalars"),
    ("tensor(dtype='float32')", lambda: torch.tensor([1.0], dtype="float32"), TypeError,
     "tensor(): argument 'dtype' must be torch.dtype, not str"),
    ("tensor([s, s]) of 0-d", _ok(lambda: torch.tensor([s, s])), None, None),
    ("full_like(x, None)", lambda: torch.full_like(x, None), TypeError,
     f"full_like() {INVALID} (Tensor, NoneType)"),
    ("full_like(x, 'a')", lambda: torch.full_like(x, "a"), TypeError,
     f"full_like() {INVALID} (Tensor, str)"),
    ("from_numpy(list)", lambda: torch.from_numpy([1, 2]), TypeError, "expected np.ndarray (got"),
    # ---- creation: ranges and random ------------------------------------------------------
    ("arange(0, 10, 0)", lambda: torch.arange(0, 10, 0), RuntimeError, "step must be nonzero"),
    ("arange(10, 0)", lambda: torch.arange(10, 0), RuntimeError,
     "upper bound and larger bound inconsistent with step sign"),
    ("arange(0, inf)", lambda: torch.arange(0, float("inf")), RuntimeError,
     "unsupported range: 0 -> inf"),
    ("arange(0, nan)", lambda: torch.arange(0, float("nan")), RuntimeError,
     "unsupported range: 0 -> nan"),
    ("arange('a')", lambda: torch.arange("a"), TypeError, f"arange() {INVALID} (str)"),
    ("linspace(0, 1, -1)", lambda: torch.linspace(0, 1, -1), RuntimeError,
     "number of steps must be non-negative"),
    ("eye(-1)", lambda: torch.eye(-1), RuntimeError, "n must be greater or equal to 0, got -1"),
    ("eye(2, -1)", lambda: torch.eye(2, -1), RuntimeError,
     "m must be greater or equal to 0, got -1"),
    ("randint(5, 2, (3,))", lambda: torch.randint(5, 2, (3,)), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=5 >= to=2"),
    ("randint(3, (-1,))", lambda: torch.randint(3, (-1,)), RuntimeError, f"{NEG} -1: [-1]"),
    ("randperm(-1)", lambda: torch.randperm(-1), RuntimeError, "n must be non-negative, got-1"),
    # ---- elementwise: argument types ------------------------------------------------------
    ("exp('abc')", lambda: torch.exp("abc"), TypeError,
     "exp(): argument 'input' (position 1) must be Tensor, not str"),
    ("exp(None)", lambda: torch.exp(None), TypeError,
     "exp(): argument 'input' (position 1) must be Tensor, not NoneType"),
    ("sin([1.0])", lambda: torch.sin([1.0]), TypeError,
     "sin(): argument 'input' (position 1) must be Tensor, not list"),
    ("sqrt(1.0)", lambda: torch.sqrt(1.0), TypeError,
     "sqrt(): argument 'input' (position 1) must be Tensor, not float"),
    ("add(x, 'a')", lambda: torch.add(x, "a"), TypeError,
     "add(): argument 'other' (position 2) must be Tensor, not str"),
    ("mul(x, None)", lambda: torch.mul(x, None), TypeError,
     "mul(): argument 'other' (position 2) must be Tensor, not NoneType"),
    ("sub(x, [1])", lambda: torch.sub(x, [1.0]), TypeError,
     "sub(): argument 'other' (position 2) must be Tensor, not list"),
    ("div('a', x)", lambda: torch.div("a", x), TypeError, f"div() {INVALID} (str, Tensor)"),
    ("x + 'a'", lambda: x + "a", TypeError, "unsupported operand type(s) for +"),
    ("x * None", lambda: x * None, TypeError, "unsupported operand type(s) for *"),
    ("x - [1]", lambda: x - [1.0], TypeError, "unsupported operand type(s) for -"),
    ("x ** 'a'", lambda: x ** "a", TypeError, "unsupported operand type(s) for **"),
    ("pow(x, 'a')", lambda: torch.pow(x, "a"), TypeError, f"pow() {INVALID} (Tensor, str)"),
    ("clamp(x, 'a')", lambda: torch.clamp(x, "a"), TypeError, f"clamp() {INVALID} (Tensor, str)"),
    ("clamp(x)", lambda: torch.clamp(x), RuntimeError,
     "torch.clamp: At least one of 'min' or 'max' must not be None"),
    ("maximum(x, 'a')", lambda: torch.maximum(x, "a"), TypeError,
     "maximum(): argument 'other' (position 2) must be Tensor, not str"),
    ("x + ones(4)", lambda: x + torch.ones(4), RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"),
    ("x.fill_('a')", lambda: x.clone().fill_("a"), TypeError, f"fill_() {INVALID} (str)"),
    ("int.exp_()", lambda: i.clone().exp_(), RuntimeError,
     "result type Float can't be cast to the desired output type Long"),
    ("int.add_(1.5)", lambda: i.clone().add_(1.5), RuntimeError,
     "result type Float can't be cast to the desired output type Long"),
    # ---- where and masks ------------------------------------------------------------------
    ("where(int cond)", lambda: torch.where(i, x, x), RuntimeError,
     "where expected condition to be a boolean tensor, but got a tensor with dtype Long"),
    ("where(float cond)", lambda: torch.where(x, x, x), RuntimeError,
     "where expected condition to be a boolean tensor, but got a tensor with dtype Float"),
    ("where(cond, x, 'a')", lambda: torch.where(b, x, "a"), TypeError,
     f"where() {INVALID} (Tensor, Tensor, str)"),
    ("x.where(int cond)", lambda: x.where(i, 0.0), RuntimeError,
     "where expected condition to be a boolean tensor"),
    ("masked_fill(float mask)", lambda: x.masked_fill(x, 0.0), RuntimeError,
     "masked_fill_ only supports boolean masks, but got mask with dtype float"),
    # ---- floor division -------------------------------------------------------------------
    ("// values", _floor_div_values, None, None),
    ("int // 0", lambda: i // 0, RuntimeError, "ZeroDivisionError"),
    ("int // zeros", lambda: i // torch.zeros(3, dtype=torch.int64), RuntimeError,
     "ZeroDivisionError"),
    ("floor_divide(int, 0)", lambda: torch.floor_divide(i, 0), RuntimeError, "ZeroDivisionError"),
    ("div(int, 0, 'floor')", lambda: torch.div(i, 0, rounding_mode="floor"), RuntimeError,
     "ZeroDivisionError"),
    ("div(int, 0, 'trunc')", lambda: torch.div(i, 0, rounding_mode="trunc"), RuntimeError,
     "ZeroDivisionError"),
    ("div(rounding_mode='bad')", lambda: x.div(x, rounding_mode="bad"), RuntimeError,
     "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'bad'"),
    ("x // 'a'", lambda: x // "a", TypeError, "unsupported operand type(s) for //"),
    # ---- reductions -----------------------------------------------------------------------
    ("sum(dim='a')", lambda: x.sum(dim="a"), RuntimeError,
     "Name 'a' not found in Tensor[None, None]."),
    ("sum(dim=1.5)", lambda: x.sum(dim=1.5), TypeError, f"sum() {INVALID} (dim=float, )"),
    ("sum(dim=[0, 'a'])", lambda: x.sum(dim=[0, "a"]), TypeError,
     'sum(): argument \'dim\' failed to unpack the object at pos 2 with error "type must be '
     'tuple of ints,but got str"'),
    ("sum(dim=None)", _ok(lambda: x.sum(dim=None)), None, None),
    ("sum(dim=5)", lambda: x.sum(dim=5), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 5)"),
    ("sum(dim=(0, 0))", lambda: x.sum(dim=(0, 0)), RuntimeError,
     "dim 0 appears multiple times in the list of dims"),
    ("mean(dim=1.5)", lambda: x.mean(dim=1.5), TypeError, f"mean() {INVALID} (dim=float, )"),
    ("mean(dim='a')", lambda: x.mean(dim="a"), RuntimeError, "Name 'a' not found in Tensor"),
    ("int.mean()", lambda: i.mean(), RuntimeError,
     'mean(): could not infer output dtype. Input dtype must be either a floating point or '
     'complex dtype. Got: Long'),
    ("max(dim=5)", lambda: x.max(dim=5), IndexError, "Dimension out of range"),
    ("empty.max()", lambda: e.max(), RuntimeError,
     "max(): Expected reduction dim to be specified for input.numel() == 0."),
    ("argmax(dim='a')", lambda: x.argmax(dim="a"), TypeError,
     "argmax(): argument 'dim' must be int, not str"),
    ("amax(dim=1.5)", lambda: x.amax(dim=1.5), TypeError, "amax(): argument 'dim'"),
    ("softmax(5)", lambda: x.softmax(5), IndexError, "Dimension out of range"),
    ("cumsum(1.5)", lambda: x.cumsum(1.5), TypeError, f"cumsum() {INVALID} (float)"),
    ("std(dim=5)", lambda: x.std(dim=5), IndexError, "Dimension out of range"),
    ("logsumexp(5)", lambda: x.logsumexp(5), IndexError, "Dimension out of range"),
    # ---- shapes ---------------------------------------------------------------------------
    ("reshape(2.0, 3)", lambda: x.reshape(2.0, 3), TypeError,
     "reshape(): argument 'shape' (position 1) must be tuple of ints, but found element of "
     'type float at pos 0'),
    ("reshape(2, 3.0)", lambda: x.reshape(2, 3.0), TypeError,
     'reshape(): argument \'shape\' failed to unpack the object at pos 2 with error "type must '
     'be tuple of ints,but got float"'),
    ("reshape(None)", lambda: x.reshape(None), TypeError,
     "reshape(): argument 'shape' (position 1) must be tuple of ints, but found element of "
     'type NoneType at pos 0'),
    ("reshape(-1, -1)", lambda: x.reshape(-1, -1), RuntimeError,
     "only one dimension can be inferred"),
    ("reshape(5)", lambda: x.reshape(5), RuntimeError,
     "shape '[5]' is invalid for input of size 6"),
    ("reshape(-2, 3)", lambda: x.reshape(-2, 3), RuntimeError, "invalid shape dimension -2"),
    ("view(2.0, 3)", lambda: x.view(2.0, 3), TypeError, f"view() {INVALID} (float, int)"),
    ("expand('a')", lambda: v3.expand("a"), TypeError, "expand(): argument 'size' (position 1)"),
    ("expand(2, 4)", lambda: v3.expand(2, 4), RuntimeError,
     'The expanded size of the tensor (4) must match the existing size (3) at non-singleton '
     'dimension 1'),
    ("repeat(-1, 1)", lambda: x.repeat(-1, 1), RuntimeError,
     "Trying to create tensor with negative dimension -2: [-2, 3]"),
    ("repeat(2**40, 2**40)", lambda: x.repeat(2**40, 2**40), RuntimeError,
     "Storage size calculation overflowed with sizes=[2199023255552, 3298534883328]"),
    ("repeat(1.5)", lambda: v3.repeat(1.5), TypeError, "repeat(): argument 'repeats' (position 1)"),
    ("transpose(0, 5)", lambda: x.transpose(0, 5), IndexError, "Dimension out of range"),
    ("transpose(0, 1.5)", lambda: x.transpose(0, 1.5), TypeError,
     f"transpose() {INVALID} (int, float)"),
    ("permute(0, 0)", lambda: x.permute(0, 0), RuntimeError,
     "permute(): duplicate dims are not allowed."),
    ("permute(0, 1.0)", lambda: x.permute(0, 1.0), TypeError,
     'permute(): argument \'dims\' failed to unpack the object at pos 2 with error "type must be'
     ' tuple of ints,but got float"'),
    ("squeeze(5)", lambda: x.squeeze(5), IndexError, "Dimension out of range"),
    ("unsqueeze(5)", lambda: x.unsqueeze(5), IndexError,
     "Dimension out of range (expected to be in range of [-3, 2], but got 5)"),
    ("unsqueeze('a')", lambda: x.unsqueeze("a"), TypeError,
     "unsqueeze(): argument 'dim' (position 1) must be int, not str"),
    ("unsqueeze(1.5)", lambda: x.unsqueeze(1.5), TypeError,
     "unsqueeze(): argument 'dim' (position 1) must be int, not float"),
    ("flatten(1, 0)", lambda: x.flatten(1, 0), RuntimeError,
     "flatten() has invalid args: start_dim cannot come after end_dim"),
    ("flip(5)", lambda: x.flip(5), IndexError, "Dimension out of range"),
    ("movedim(0, 5)", lambda: x.movedim(0, 5), IndexError, "Dimension out of range"),
    ("narrow(0, 0, 10)", lambda: x.narrow(0, 0, 10), RuntimeError,
     "start (0) + length (10) exceeds dimension size (2)."),
    ("select(0, 5)", lambda: x.select(0, 5), IndexError,
     "select(): index 5 out of range for tensor of size [2, 3] at dimension 0"),
    ("unbind(5)", lambda: x.unbind(5), IndexError, "Dimension out of range"),
    # ---- cat / stack / split --------------------------------------------------------------
    ("cat([])", lambda: torch.cat([]), ValueError,
     "torch.cat(): expected a non-empty list of Tensors"),
    ("cat(x)", lambda: torch.cat(x), TypeError, f"cat() {INVALID} (Tensor)"),
    ("cat([x, 'a'])", lambda: torch.cat([x, "a"]), TypeError,
     "expected Tensor as element 1 in argument 0, but got str"),
    ("cat([x, x], dim=5)", lambda: torch.cat([x, x], dim=5), IndexError, "Dimension out of range"),
    ("cat([s, s])", lambda: torch.cat([s, s]), RuntimeError,
     "zero-dimensional tensor (at position 0) cannot be concatenated"),
    ("stack([])", lambda: torch.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
    ("stack(x)", lambda: torch.stack(x), TypeError, f"stack() {INVALID} (Tensor)"),
    ("stack([x, v3])", lambda: torch.stack([x, v3]), RuntimeError,
     "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3] at entry 1"),
    ("split(0)", lambda: x.split(0), RuntimeError,
     "split_size can only be 0 if dimension size is 0, but got dimension size of 2"),
    ("split(-1)", lambda: x.split(-1), RuntimeError,
     "split expects split_size be non-negative, but got split_size=-1"),
    ("split([1, 2])", lambda: x.split([1, 2]), RuntimeError,
     "split_with_sizes expects split_sizes to sum exactly to 2"),
    ("chunk(0)", lambda: x.chunk(0), RuntimeError,
     "chunk expects `chunks` to be greater than 0, got: 0"),
    ("chunk(-1)", lambda: x.chunk(-1), RuntimeError,
     "chunk expects `chunks` to be greater than 0, got: -1"),
    # ---- indexing -------------------------------------------------------------------------
    ("x[5]", lambda: x[5], IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
    ("x[0, 0, 0]", lambda: x[0, 0, 0], IndexError, "too many indices for tensor of dimension 2"),
    ("x['a']", lambda: x["a"], IndexError,
     'only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid'
     ' indices (got str)'),
    ("x[1.5]", lambda: x[1.5], IndexError,
     'only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid'
     ' indices (got float)'),
    ("x[tensor([5])]", lambda: x[torch.tensor([5])], IndexError,
     "index 5 is out of bounds for dimension 0 with size 2"),
    ("x[float tensor]", lambda: x[torch.tensor([0.0])], IndexError,
     "tensors used as indices must be long, int, byte or bool tensors"),
    ("x[..., ...]", lambda: x[..., ...], IndexError,
     "an index can only have a single ellipsis ('...')"),
    ("gather(float index)", lambda: x.gather(0, x), RuntimeError,
     "gather(): Expected dtype int32/int64 for index"),
    ("gather(index 5)", lambda: x.gather(0, torch.tensor([[5]])), RuntimeError,
     "index 5 is out of bounds for dimension 0 with size 2"),
    ("index_select(5)", lambda: x.index_select(0, torch.tensor([5])), IndexError,
     "index out of range in self"),
    ("index_select(float)", lambda: x.index_select(0, torch.tensor([0.0])), RuntimeError,
     "index_select(): Expected dtype int32 or int64 for index"),
    # ---- linear algebra -------------------------------------------------------------------
    ("mm(2x3, 2x3)", lambda: torch.mm(x, x), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    ("matmul(0-d, 1-d)", lambda: torch.matmul(s, v2), RuntimeError,
     "both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
    ("dot(2, 3)", lambda: torch.dot(v2, v3), RuntimeError,
     'inconsistent tensor size, expected tensor [2] and src [3] to have the same number of '
     'elements, but got 2 and 3 elements respectively'),
    ("bmm(2-d, 2-d)", lambda: torch.bmm(x, x), RuntimeError, "batch1 must be a 3D tensor"),
    ("matmul(x, 'a')", lambda: torch.matmul(x, "a"), TypeError,
     "matmul(): argument 'other' (position 2) must be Tensor, not str"),
    ("x @ 'a'", lambda: x @ "a", TypeError, "unsupported operand type(s) for @"),
    # ---- conversions ----------------------------------------------------------------------
    ("x.item()", lambda: x.item(), RuntimeError,
     "a Tensor with 6 elements cannot be converted to Scalar"),
    ("bool(x)", lambda: bool(x), RuntimeError,
     "Boolean value of Tensor with more than one value is ambiguous"),
    ("xg.numpy()", lambda: xg.numpy(), RuntimeError,
     "Can't call numpy() on Tensor that requires grad."),
    ("len(0-d)", lambda: len(s), TypeError, "len() of a 0-d tensor"),
    ("x.to('float32')", lambda: x.to("float32"), RuntimeError, None),
    # ---- autograd -------------------------------------------------------------------------
    ("backward non-scalar", lambda: (xg * 2).backward(), RuntimeError,
     "grad can be implicitly created only for scalar outputs"),
    ("Function backward -> str", _backward_of("abc"), RuntimeError,
     "expected Variable or None (got str)"),
    ("Function backward -> 1 of 2", _backward_of(torch.ones(2), 2), RuntimeError,
     "function BadBackward returned an incorrect number of gradients (expected 2, got 1)"),
    ("Function backward -> (str,)", _backward_of(("abc",)), RuntimeError,
     "expected Variable or None (got str)"),
    ("Function backward -> (int, None)", _backward_of((3, None), 2), RuntimeError,
     "expected Variable or None (got int)"),
]
# fmt: on


def outcome(call: Callable[[], Any]) -> tuple[type | None, str]:
    """What a call raised (its type and message), or ``(None, '')``."""
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the survey records whatever comes out
        return type(exc), str(exc)
    return None, ""


def matches(got: tuple[type | None, str], want_type: type | None, want: str | None) -> bool:
    """Whether an outcome is PyTorch's: the same type and (when given) message."""
    got_type, text = got
    if got_type is not want_type:
        return False
    if want is None:
        return True
    if want.startswith("re:"):
        return re.search(want[3:], text) is not None
    return text.startswith(want)


if __name__ == "__main__":
    ok = 0
    for label, call, want_type, want in CASES:
        got = outcome(call)
        good = matches(got, want_type, want)
        ok += good
        if not good or "-v" in sys.argv:
            name = got[0].__name__ if got[0] else "no error"
            print(f"{'ok ' if good else 'BAD'} {label}: {name}: {got[1][:150]!r}")
    print(f"{ok} of {len(CASES)} hostile calls answered as PyTorch does")
