"""Each hostile call of ``hostile_cases.CASES`` gets what real PyTorch 2.13 answers it with.

The expectations are PyTorch's own outcomes, recorded by ``tests/hostile_record.py`` (run
under PyTorch) into ``tests/hostile_expected.json``: the exception type by name, and its
message word for word (its first line where PyTorch's names a C++ source file), or the
call's result. Allocation failures are checked in a child process with a capped address
space, so the test never needs the memory it asks for.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from hostile_cases import CASES, load_expected, mismatch, outcome

import jitgrad as torch

EXPECTED = load_expected()


def test_every_row_is_recorded():
    assert sorted(EXPECTED) == sorted(label for label, _ in CASES)


@pytest.mark.parametrize(("label", "call"), CASES, ids=[c[0] for c in CASES])
def test_hostile_call_gets_pytorchs_answer(label, call):
    err = mismatch(outcome(call), EXPECTED[label])
    assert err is None, f"{label}: {err}"


def test_floor_divide_has_no_derivative_but_rounding_div_has_a_zero_one():
    x = torch.tensor([7.5, -7.5], requires_grad=True)
    y = x // 2
    assert y.tolist() == [3.0, -4.0]
    assert y.grad_fn.name() == "torch::autograd::NotImplemented"  # PyTorch 2.13's name()
    msg = "^derivative for aten::floor_divide is not implemented$"  # PyTorch 2.13's words
    with pytest.raises(RuntimeError, match=msg):
        y.sum().backward()
    z = x.div(torch.tensor([2.0, 2.0]), rounding_mode="trunc")
    assert z.tolist() == [3.0, -3.0] and z.grad_fn.name() == "DivBackward2"
    z.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    assert x.div(2, rounding_mode="floor").grad_fn.name() == "DivBackward2"  # PyTorch 2.13's


def test_integer_rounding_division_is_exact_past_float_precision():
    big = 2**62 + 1  # no float64 holds it: a float round trip would lose the last bit
    a = torch.tensor([big, -big])
    assert (a // 2).tolist() == [big // 2, -big // 2]
    assert a.div(2, rounding_mode="trunc").tolist() == [big // 2, -(big // 2)]


def test_tensor_where_method_keeps_self():
    x = torch.tensor([1.0, 2.0, 3.0])
    cond = torch.tensor([True, False, True])
    assert x.where(cond, 0.0).tolist() == [1.0, 0.0, 3.0]
    assert x.where(cond, torch.tensor([9.0, 8.0, 7.0])).tolist() == [1.0, 8.0, 3.0]


def test_tensors_of_one_element_in_a_list_become_scalars():
    t = torch.tensor([torch.tensor([1.5]), torch.tensor(2.5)])
    assert t.shape == (2,) and t.tolist() == [1.5, 2.5]


ALLOCATIONS = [
    ("torch.zeros(10**6, 10**6)", 4 * 10**12),
    ("torch.empty(10**6, 10**6, dtype=torch.float64)", 8 * 10**12),
    ("torch.randn(10**6, 10**6)", 4 * 10**12),
    ("torch.ones(2).repeat(10**6, 10**6)", 8 * 10**12),
    ("torch.arange(0, 1e15)", 4 * 10**15),
    ("torch.full((10**6, 10**6), 2.0)", 4 * 10**12),
]


def test_refused_allocations_raise_pytorchs_allocator_error():
    """With the address space capped at 8 GiB, terabyte requests fail as PyTorch's do."""
    script = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))
        import jitgrad as torch
        for expr, nbytes in {ALLOCATIONS!r}:
            try:
                eval(expr)
            except RuntimeError as exc:
                want = ("DefaultCPUAllocator: can't allocate memory: you tried to allocate "
                        f"{{nbytes}} bytes. Error code 12 (Cannot allocate memory)")
                assert str(exc) == want, (expr, str(exc))
            else:
                raise AssertionError(expr + " did not raise")
        print("ok")
        """
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600, env=env
    )
    assert child.returncode == 0 and child.stdout.strip() == "ok", child.stderr[-3000:]
