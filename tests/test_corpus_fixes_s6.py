"""Focused tests for what the corpus programs added in session 6 found broken in jitgrad.

* integer ``fmod``/``remainder``/``%`` with a negative operand: Numba's np.fmod on signed
  integers computed the unsigned remainder (``fmod(-7, 2)`` gave 1, ``fmod(3, -2)`` gave 3), and
  an integer zero divisor gave 0 instead of PyTorch's ``ZeroDivisionError`` RuntimeError;
* ``x.round(decimals=d)`` recorded ``DivBackward0`` (PyTorch: ``RoundBackward1``);
* ``Adam(..., decoupled_weight_decay=True)`` was refused (PyTorch 2.13 has it; AdamW is Adam
  with it set and refuses the keyword), and every Adam group lacked the key in its state_dict;
* an optimizer with two groups printed no blank line between them;
* ``nn.init._calculate_fan_in_and_fan_out``/``_calculate_correct_fan`` were missing (custom
  modules' ``reset_parameters`` call them, as nn.Linear's own does).

Expected values are C's and Python's remainder rules written out here, or PyTorch 2.13's
texts; never the code under test.
"""

from __future__ import annotations

import math

import pytest
from jitgrad.nn.modules.module import register_module_forward_hook

import jitgrad as torch

A = [-7, -3, 3, 7, -8, 0]
B = [2, 2, -2, -2, 3, 5]


def _c_fmod(a: int, b: int) -> int:
    return int(math.copysign(abs(a) % abs(b), a)) if a % b else 0


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.int16, torch.int8])
def test_integer_fmod_and_remainder_signs(dtype) -> None:
    a, b = torch.tensor(A, dtype=dtype), torch.tensor(B, dtype=dtype)
    assert torch.fmod(a, b).tolist() == [_c_fmod(x, y) for x, y in zip(A, B)]
    assert torch.remainder(a, b).tolist() == [x % y for x, y in zip(A, B)]
    assert (a % b).tolist() == [x % y for x, y in zip(A, B)]
    assert torch.fmod(a, -2).tolist() == [_c_fmod(x, -2) for x in A]
    assert (a % -3).tolist() == [x % -3 for x in A]
    assert a.clone().fmod_(b).tolist() == [_c_fmod(x, y) for x, y in zip(A, B)]


def test_uint8_fmod_is_unchanged() -> None:
    assert torch.fmod(torch.tensor([250, 7], dtype=torch.uint8), 3).tolist() == [1, 1]


@pytest.mark.parametrize(
    "call",
    [
        lambda a: a % 0,
        lambda a: 5 % torch.zeros(1, dtype=torch.long),
        lambda a: torch.fmod(a, torch.tensor([1, 0])),
        lambda a: torch.remainder(a, 0),
        lambda a: a.clone().remainder_(0),
        lambda a: a.clone().fmod_(torch.tensor([0, 1])),
    ],
)
def test_integer_zero_divisor_raises(call) -> None:
    with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
        call(torch.tensor([-7, 3]))


def test_float_zero_divisor_gives_nan() -> None:
    assert torch.isnan(torch.tensor([1.0, -2.0]) % 0).all()


def test_round_decimals_node_name() -> None:
    x = torch.tensor([1.23456, -0.98765], requires_grad=True)
    y = x.round(decimals=2)
    assert type(y.grad_fn).__name__ == "RoundBackward1"
    assert type(torch.round(x, decimals=1).grad_fn).__name__ == "RoundBackward1"
    assert type(torch.round(x).grad_fn).__name__ == "RoundBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def _step(opt_cls, **kw):
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = opt_cls([p], lr=0.1, weight_decay=0.5, **kw)
    p.grad = torch.tensor([0.5, 0.5])
    opt.step()
    return p.detach().tolist(), opt


def test_adam_decoupled_weight_decay() -> None:
    got, opt = _step(torch.optim.Adam, decoupled_weight_decay=True)
    want, _ = _step(torch.optim.AdamW)
    assert got == want
    # first step of decoupled Adam: p * (1 - lr * wd) - lr * sign(g)
    assert got == pytest.approx([1.0 * 0.95 - 0.1, -2.0 * 0.95 - 0.1], abs=1e-6)
    assert opt.defaults["decoupled_weight_decay"] is True
    assert torch.optim.Adam([torch.nn.Parameter(torch.ones(1))]).defaults[
        "decoupled_weight_decay"
    ] is False  # fmt: skip
    with pytest.raises(TypeError, match="unexpected keyword argument 'decoupled_weight_decay'"):
        torch.optim.AdamW([torch.nn.Parameter(torch.ones(1))], decoupled_weight_decay=False)


def test_optimizer_repr_separates_groups() -> None:
    a, b = torch.nn.Parameter(torch.ones(1)), torch.nn.Parameter(torch.ones(1))
    text = repr(torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1))
    assert "    weight_decay: 0\n\nParameter Group 1\n" in text
    assert text.endswith("    weight_decay: 0\n)")


def test_init_private_fan_helpers() -> None:
    init = torch.nn.init
    assert init._calculate_fan_in_and_fan_out(torch.empty(16, 8, 3, 3)) == (72, 144)
    assert init._calculate_correct_fan(torch.empty(5, 2), "FAN_OUT") == 5
    with pytest.raises(ValueError, match=r"^Mode x not supported, please use one of \['fan_in', "):
        init.kaiming_normal_(torch.empty(2, 2), mode="x")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(torch.empty(3))


def test_embedding_index_dtype_messages() -> None:
    weight = torch.ones(3, 2)
    want = {torch.float64: "torch.DoubleTensor", torch.float16: "torch.HalfTensor"}
    want.update({torch.uint8: "torch.ByteTensor", torch.bool: "CPUBoolType"})
    for dtype, name in want.items():
        with pytest.raises(RuntimeError) as info:
            torch.nn.functional.embedding(torch.tensor([1, 0]).to(dtype), weight)
        text = str(info.value).replace("jitgrad.", "torch.")
        assert text == (
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {name} instead (while checking arguments for embedding)"
        )
    idx = torch.tensor([2, 0], dtype=torch.int32)
    assert torch.nn.functional.embedding(idx, weight).shape == (2, 2)


class _Scaled(torch.nn.Module):
    def forward(self, x, scale=1.0):
        return x * scale


def test_forward_hooks_with_kwargs_prepend_and_always_call() -> None:
    m = _Scaled()
    order = []
    m.register_forward_pre_hook(lambda mod, args, kw: (args, {"scale": 10.0}), with_kwargs=True)
    m.register_forward_hook(
        lambda mod, a, kw, out: order.append(("kw", kw["scale"])), with_kwargs=True
    )
    m.register_forward_hook(lambda mod, a, out: order.append("first"), prepend=True)
    assert m(torch.ones(2), scale=3.0).tolist() == [10.0, 10.0]
    assert order == ["first", ("kw", 10.0)]
    m.register_forward_pre_hook(lambda mod, args, kw: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"^forward pre-hook must return None or a tuple of"):
        m(torch.ones(2))

    lin, seen = torch.nn.Linear(2, 2), []
    lin.register_forward_hook(lambda mod, a, out: seen.append(out), always_call=True)
    lin.register_forward_hook(lambda mod, a, out: seen.append("plain"))
    with pytest.raises(RuntimeError):
        lin(torch.ones(3))
    assert seen == [None]


def test_full_backward_pre_hook_replaces_grad_output() -> None:
    lin = torch.nn.Linear(2, 1)
    got = []
    lin.register_full_backward_pre_hook(lambda mod, gout: (gout[0] * 0.5,))
    lin.register_full_backward_hook(lambda mod, gin, gout: got.append(gout[0].tolist()))
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    lin(x).sum().backward()
    assert lin.bias.grad.tolist() == [1.0]  # two rows of 0.5
    assert got == [[[0.5], [0.5]]]
    assert x.grad.tolist() == (0.5 * lin.weight.detach().expand(2, 2)).tolist()


def test_global_module_forward_hook_and_load_post_hook() -> None:
    calls = []
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
    handle = register_module_forward_hook(lambda m, i, o: calls.append(type(m).__name__))
    net(torch.ones(1, 2))
    handle.remove()
    net(torch.ones(1, 2))
    assert calls == ["Linear", "ReLU", "Sequential"]

    seen = []
    lin = torch.nn.Linear(2, 2)
    lin.register_load_state_dict_post_hook(lambda m, keys: keys.missing_keys.clear())
    lin.register_load_state_dict_post_hook(lambda m, keys: seen.append(list(keys.missing_keys)))
    new = torch.nn.Linear(2, 2).state_dict()
    del new["bias"]
    result = lin.load_state_dict(new)  # strict, but the hook cleared the missing key
    assert seen == [[]] and result.missing_keys == []
    assert torch.equal(lin.weight, new["weight"])


def test_rng_state_is_a_byte_tensor() -> None:
    state = torch.get_rng_state()
    assert state.dtype == torch.uint8 and state.dim() == 1
    a = torch.rand(3)
    torch.set_rng_state(state)
    assert torch.equal(torch.rand(3), a)
    with pytest.raises(TypeError, match="^RNG state must be a torch.ByteTensor$"):
        torch.set_rng_state(torch.zeros(3, dtype=torch.int64))
    with pytest.raises(RuntimeError, match="^Expected a CPUGeneratorImplState of size"):
        torch.set_rng_state(torch.zeros(3, dtype=torch.uint8))


@pytest.mark.parametrize(
    "old, args",
    [("xavier_uniform", ()), ("kaiming_normal", ()), ("constant", (0.5,)), ("eye", ())],
)
def test_init_deprecated_names_warn_and_initialise(old: str, args: tuple) -> None:
    w = torch.zeros(3, 3)
    with pytest.warns(FutureWarning, match=rf"^`nn.init.{old}` is now deprecated in favor of"):
        out = getattr(torch.nn.init, old)(w, *args)
    assert out is w and bool((w != 0).any())
    assert getattr(torch.nn.init, old).__name__ == old


def test_composite_node_names_and_diag_copy() -> None:
    x = torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0], [7.0, 8.0, 9.0]], requires_grad=True)
    d = torch.diag(x)
    assert type(d.grad_fn).__name__ == "DiagonalBackward0_copy"
    assert d._base is None  # a copy, as PyTorch's: writing to it leaves x alone
    d.detach().zero_()
    assert x[0, 0].item() == 1.0
    d.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    sel = torch.masked_select(x, x > 0)
    assert type(sel.grad_fn).__name__ == "MaskedSelectBackward0"
    assert sel.tolist() == [1.0, 3.0, 4.0, 5.0, 7.0, 8.0, 9.0]
    for fn, name in ((torch.std_mean, "StdMeanBackward0"), (torch.var_mean, "VarMeanBackward0")):
        spread, mean = fn(x, 1)
        assert type(spread.grad_fn).__name__ == name
        assert type(mean.grad_fn).__name__ == name


def test_inplace_rounding_div_node_and_values() -> None:
    x = torch.tensor([7.5, -7.5], requires_grad=True)
    y = x * 1
    y.div_(2, rounding_mode="floor")
    assert type(y.grad_fn).__name__ == "DivBackward2" and y.tolist() == [3.0, -4.0]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    a = torch.tensor([7, -7])
    a.div_(2, rounding_mode="trunc")
    assert a.tolist() == [3, -3] and a.dtype == torch.int64
    with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
        torch.tensor([1]).div_(0, rounding_mode="floor")


def test_default_collate_keeps_string_columns_as_tuples() -> None:
    collate = torch.utils.data.default_collate
    names, labels = collate([("x", 1), ("y", 2)])
    assert names == ("x", "y") and labels.tolist() == [1, 2]
    assert collate([[1, "a"], [2, "b"]])[1] == ("a", "b")
    assert collate([{"s": "q"}, {"s": "r"}]) == {"s": ["q", "r"]}  # a dict's column: a list


def test_tensor_contains() -> None:
    x = torch.arange(12.0).view(3, 4)
    assert 5.0 in x and 5 in x and 13 not in x
    assert torch.tensor(7.0) in x and torch.tensor(99.0) not in x
    with pytest.raises(RuntimeError, match=r"^Tensor.__contains__ only supports Tensor or scalar"):
        "a" in x  # noqa: B015
