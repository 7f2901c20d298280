"""An elementwise op's public names come from its declaration (issue 14: adding an op is the
``defop`` plus its test row): ``torch=``, ``method=``, ``inplace=`` and ``special=`` on
``jitgrad/ops/registry.defop`` make ``jitgrad.<name>``, its aliases, the Tensor method, the
in-place method and ``jitgrad.special.<name>``, with no other file touched."""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import jitgrad
import jitgrad.special
from jitgrad import methods
from jitgrad.frontend import functions as F
from jitgrad.ops.registry import REGISTRY, defop

ROOT = Path(__file__).resolve().parents[1]

# The one declaration a new op needs, appended to a copy of the package's declarations file.
DECLARATION = """
defop("twice_x", "a * 2", ("g * 2",), lambda a: a * 2, node="TwiceXBackward0",
      torch=("twice_x", "double_x"), method=True, inplace=True, special="twice_special")
"""
# ... then every public name looked up in a fresh interpreter over that copy.
THROWAWAY = """
import jitgrad
from jitgrad import methods
t = jitgrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
out = jitgrad.twice_x(t)
out.sum().backward()
u = jitgrad.tensor([1.0, 5.0])
v = u.twice_x_()
print(out.tolist(), type(out.grad_fn).__name__, t.grad.tolist(), u.tolist(), v is u)
print(jitgrad.double_x is jitgrad.twice_x is jitgrad.Tensor.twice_x
      is jitgrad.special.twice_special, jitgrad.twice_x.__name__)
print(t.double_x().tolist(), "twice_special" in jitgrad.special.__all__,
      "twice_x_" in methods.bound_names(), jitgrad.Tensor.twice_x_.__name__)
"""


#: Runs each script of ``SCRIPTS`` (``{name: source}``) in a namespace of its own, its output
#: after a ``=== name`` line; an exception is printed there as its traceback, so a broken script
#: fails its own test and leaves the others' lines intact.
CHILD = """
import sys, traceback
for name, code in SCRIPTS.items():
    print("=== " + name, flush=True)
    try:
        exec(compile(code, name, "exec"), {"__name__": "__main__"})
    except BaseException:
        traceback.print_exc(file=sys.stdout)
"""


def _with_declarations(tmp_path: Path, runs: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    """Each run's script output lines, ``{name: lines}``, over one copy of the package with every
    run's declaration appended to its special-function declarations, in one fresh interpreter.

    One child for all of them, not one each: the copy lives at another path, so each child
    compiles the kernels it uses for that copy (Numba's cache is per source file). Its own empty
    kernel cache: in the suite's cache, tier 0's marker says its interpreter is built, and a
    child over the copy then rebuilt it for the copy before its first op (~8 CPU s, Dec 7)."""
    shutil.copytree(
        ROOT / "jitgrad", tmp_path / "jitgrad", ignore=shutil.ignore_patterns("__pycache__")
    )
    with open(tmp_path / "jitgrad" / "ops" / "elementwise_special.py", "a") as f:
        f.write("".join(declaration for declaration, _ in runs.values()))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "JITGRAD_CACHE_DIR": str(tmp_path / "cache")}
    scripts = {name: script for name, (_, script) in runs.items()}
    program = f"SCRIPTS = {scripts!r}\n{CHILD}"
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    out: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        if line.startswith("=== "):
            out[line[4:]] = []
        else:
            out[list(out)[-1]].append(line)
    return out


@pytest.fixture(scope="module")
def declared(tmp_path_factory) -> dict[str, list[str]]:
    """The three declarations of this file (a new op, an op with its own arguments, dtype rules
    and a missing derivative) in one copy of the package; their scripts' output lines."""
    runs = {
        "names": (DECLARATION, THROWAWAY),
        "hooked": (HOOKED, HOOKED_RUN),
        "rules": (RULES, RULES_RUN),
    }
    return _with_declarations(tmp_path_factory.mktemp("declared"), runs)


def test_a_new_declaration_gets_all_its_public_names(declared) -> None:
    assert declared["names"] == [
        "[2.0, -4.0, 6.0] TwiceXBackward0 [2.0, 2.0, 2.0] [2.0, 10.0] True",
        "True twice_x",
        "[2.0, -4.0, 6.0] True True twice_x_",
    ]


# An op with its own argument handling is one declaration too: a ``front`` hook (signature,
# docstring, PyTorch's errors, a keyword parameter turned into a kernel constant), the tensor's
# position for the method (``self_at``) and the integer-only rule as data.
HOOKED = """
def _shift_by(k: int, input: Tensor, *, scale: int = 1) -> Tensor:  # noqa: A002
    \"\"\"``input * scale + k``.\"\"\"
    if scale == 0:
        raise RuntimeError("shift_by: scale must not be 0")
    return (input, k, scale)


defop("shift_by", "a * c + b", (None, None, None), lambda a, b, c: a * c + b,
      torch=True, method=True, inplace=True, special="shift_special", front=_shift_by,
      self_at=1, integral=True)
"""
HOOKED_RUN = """
import inspect
import jitgrad
t = jitgrad.tensor([1, -2, 3])
print(jitgrad.shift_by(5, t, scale=2).tolist(), t.shift_by(5).tolist(),
      jitgrad.special.shift_special(1, t).tolist())
print(inspect.signature(jitgrad.shift_by), jitgrad.shift_by.__doc__)
print(inspect.signature(jitgrad.Tensor.shift_by), inspect.signature(jitgrad.Tensor.shift_by_))
u = jitgrad.tensor([4, 5])
print(u.shift_by_(1, scale=3) is u, u.tolist())
for call in (lambda: jitgrad.shift_by(1, t, scale=0), lambda: t.float().shift_by(1)):
    try:
        call()
    except Exception as e:
        print(type(e).__name__, e)
"""


def test_an_op_with_its_own_arguments_is_one_declaration(declared) -> None:
    assert declared["hooked"] == [
        "[7, 1, 11] [6, 3, 8] [2, -1, 4]",
        "(k: 'int', input: 'Tensor', *, scale: 'int' = 1, out=None) -> 'Tensor' "
        "``input * scale + k``.",
        "(self: 'Tensor', k: 'int', *, scale: 'int' = 1) -> 'Tensor' "
        "(self: 'Tensor', k: 'int', *, scale: 'int' = 1) -> 'Tensor'",
        "True [13, 16]",
        "RuntimeError shift_by: scale must not be 0",
        "NotImplementedError \"shift_by_cpu\" not implemented for 'Float'",
    ]


DECLARED = [op for op in REGISTRY.values() if op.torch or op.special]


def test_the_existing_names_are_declared() -> None:
    # the mechanical elementwise names moved onto their declarations (none left by hand)
    assert len(DECLARED) >= 75
    assert sum(len(op.torch) for op in DECLARED) >= 80
    assert sum(len(op.special) for op in DECLARED) >= 20


def _backend_wrapped(fn) -> bool:
    return getattr(fn, "_jitgrad_meta_wrapped", False) or getattr(
        fn, "_jitgrad_device_wrapped", False
    )


def _is(fn, declared) -> bool:
    """``fn is declared``; or, where a backend has wrapped ``fn`` (the meta device, the CUDA
    host fallback: process-wide state that a file run earlier in the same worker,
    tests/test_meta_device.py or test_backend_wrap_classes.py, leaves on), both chains end in
    the same function: the backend's import reroute points a module's name at the outermost
    wrapper of ``jitgrad.<name>``'s chain (``out=`` included), so identity holds only beneath."""
    if fn is declared:
        return True
    return _backend_wrapped(fn) and inspect.unwrap(fn) is inspect.unwrap(declared)


def _declared_fn(fn):
    """The declaration's function under PyTorch's Tensor-only argument check, if any (the
    ``tensor_other``/``tensor_input`` ops: each alias's check names the alias called)."""
    if _backend_wrapped(fn):
        return inspect.unwrap(fn)
    return getattr(fn, "__wrapped__", fn)


@pytest.mark.parametrize("op", DECLARED, ids=lambda op: op.name)
def test_declared_names_resolve_to_one_function(op) -> None:
    # (jitgrad.<name> itself may be wrapped once more at the top level: atan2 by accept_out)
    fns = [getattr(F, n) for n in op.torch]
    fns += [getattr(jitgrad.special, n) for n in op.special]
    own_method = op.self_at or op.method_front  # (generated apart from the function)
    fns += [getattr(jitgrad.Tensor, n) for n in op.torch if op.method and not own_method]
    fns = [_declared_fn(fn) for fn in fns]
    assert all(fn is fns[0] for fn in fns)
    if op.method and own_method:  # polygamma(n, input): the method is one function per op too
        assert all(
            _is(getattr(jitgrad.Tensor, n), F.DECLARED_METHODS[op.torch[0]]) for n in op.torch
        )
    assert fns[0].__name__ == op.name
    assert all(_declared_fn(getattr(jitgrad, n)).__name__ == op.name for n in op.torch)
    assert all(n in jitgrad.special.__all__ for n in op.special)
    if op.inplace:
        assert getattr(jitgrad.Tensor, op.torch[0] + "_").__name__ == op.torch[0] + "_"
        assert op.torch[0] + "_" in methods.bound_names()


def test_generated_tables_match_the_declarations() -> None:
    assert set(F.DECLARED) == {n for op in DECLARED for n in op.torch}
    assert set(F.DECLARED_SPECIAL) == {n for op in DECLARED for n in op.special}
    assert set(F.INPLACE_UNARY) == {op.torch[0] for op in DECLARED if op.inplace}
    assert set(F.DECLARED_INPLACE) == {n + "_" for n in F.INPLACE_UNARY}


# the ops whose argument handling moved onto their declarations (issue 14): none by hand
HOOKED_OPS = "div fmod remainder logit polygamma bitwise_and bitwise_or bitwise_xor".split()


@pytest.mark.parametrize("name", HOOKED_OPS)
def test_ops_with_their_own_arguments_are_generated(name: str) -> None:
    op = REGISTRY[name]
    assert op.torch and op.method and (op.front or op.integral)
    assert _is(getattr(F, name), F.DECLARED[name])
    if op.inplace:
        assert _is(getattr(jitgrad.Tensor, name + "_"), F.DECLARED_INPLACE[name + "_"])


# the last hand-written elementwise wrappers (session 11): function, method, in-place form
# and out= all generated from one declaration each
LAST_WRAPPERS = "bitwise_not bitwise_left_shift bitwise_right_shift floor_divide nan_to_num".split()


@pytest.mark.parametrize("name", LAST_WRAPPERS)
def test_the_last_wrappers_are_one_declaration_each(name: str) -> None:
    op = REGISTRY[name]
    assert op.torch == (name,) and op.method and op.inplace
    assert _is(getattr(F, name), F.DECLARED[name])
    assert _is(getattr(jitgrad.Tensor, name), F.DECLARED[name])
    assert _is(getattr(jitgrad.Tensor, name + "_"), F.DECLARED_INPLACE[name + "_"])
    assert "out" in inspect.signature(getattr(jitgrad, name)).parameters


#: the special functions' in-place forms, by hand before (frontend/special.py)
SPECIAL_INPLACE = "lgamma digamma erfinv i0 sinc deg2rad rad2deg copysign xlogy hypot atan2"


@pytest.mark.parametrize("name", SPECIAL_INPLACE.split())
def test_special_inplace_forms_are_generated(name: str) -> None:
    assert REGISTRY[name].inplace
    assert _is(getattr(jitgrad.Tensor, name + "_"), F.DECLARED_INPLACE[name + "_"])


# The dtype rules and the missing derivative are declaration data too: a shift-like op
# naming PyTorch's kernel in its errors, refusing bool results, and an op with no derivative.
RULES = """
defop("shl_like", "a * 2", (None, None), lambda a, b: a * 2, torch=True, method=True,
      inplace=True, integral=True, no_bool=True, kernel="shl")
defop("floor_like", "a // b", ("0 * g", "0 * g"), lambda a, b: a // b, torch=True,
      inplace=True, zero_divisor=True, no_derivative="aten::floor_like")
"""
RULES_RUN = """
import jitgrad
t, o = jitgrad.tensor([1, 2]), jitgrad.empty(0, dtype=jitgrad.int64)
print(jitgrad.shl_like(t, 1, out=o).tolist(), o.tolist(), t.shl_like_(3).tolist())
x = jitgrad.tensor([3.0, -3.0], requires_grad=True)
y = jitgrad.floor_like(x, 2.0)
print(type(y.grad_fn).__name__, y.tolist())
for call in (lambda: jitgrad.shl_like(jitgrad.tensor([True]), True),
             lambda: jitgrad.shl_like(t, 1.5), lambda: jitgrad.floor_like(t, 0),
             lambda: y.sum().backward()):
    try:
        call()
    except Exception as e:
        print(type(e).__name__, e)
"""


def test_dtype_rules_and_a_missing_derivative_are_declared(declared) -> None:
    assert declared["rules"] == [
        "[2, 4] [2, 4] [2, 4]",
        "NotImplemented [1.0, -2.0]",
        "NotImplementedError \"shl_cpu\" not implemented for 'Bool'",
        "NotImplementedError \"shl_cpu\" not implemented for 'Float'",
        "RuntimeError ZeroDivisionError",
        "RuntimeError derivative for aten::floor_like is not implemented",
    ]


def test_a_method_without_a_torch_name_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a torch name"):
        defop("never_registered", "a", ("g",), lambda a: a, method=True)
    assert "never_registered" not in REGISTRY
