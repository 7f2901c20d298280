"""Hostile calls: one row per call, ``(label, call)``, answered the way PyTorch 2.13 answers.

What PyTorch answers is recorded, not written by hand: ``tests/hostile_record.py`` runs this
very file under real PyTorch (it swaps the ``import jitgrad as torch`` line for ``import
torch``, as ``tests/parity/record.py`` runs the parity programs) and stores each row's
exception type and message, or a summary of its result, in ``tests/hostile_expected.json``.
``tests/test_hostile_table.py`` runs the rows under jitgrad and compares; ``python
tests/hostile_cases.py`` prints the score. The helpers below import neither library, so the
recorder and the test describe outcomes with the same code.
"""

from __future__ import annotations

import json
import pathlib
import re
import sys
import warnings
from collections.abc import Callable
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "parity"))
import harness  # noqa: E402  (encodes results; imports neither library)
from harness import encode  # noqa: E402

import jitgrad as torch  # noqa: E402  (hostile_record.py swaps this line for ``import torch``)

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


# fmt: off
CASES: list[tuple[str, Callable[[], Any]]] = [
    # ---- creation: sizes ------------------------------------------------------------------
    ("empty(-1)", lambda: torch.empty(-1)),
    ("zeros(2, -3)", lambda: torch.zeros(2, -3)),
    ("ones((-1, 2))", lambda: torch.ones((-1, 2))),
    ("randn(-2)", lambda: torch.randn(-2)),
    ("rand(3, -1)", lambda: torch.rand(3, -1)),
    ("full((-1,), 1.0)", lambda: torch.full((-1,), 1.0)),
    ("empty(2**62)", lambda: torch.empty(2**62)),
    ("zeros(2**40, 2**40)", lambda: torch.zeros(2**40, 2**40)),
    ("ones(2**31, 2**31, 2)", lambda: torch.ones(2**31, 2**31, 2)),
    ("zeros(2.0, 3)", lambda: torch.zeros(2.0, 3)),
    ("zeros(2, 3.0)", lambda: torch.zeros(2, 3.0)),
    ("zeros('a')", lambda: torch.zeros("a")),
    ("zeros(None)", lambda: torch.zeros(None)),
    ("ones([2, 'a'])", lambda: torch.ones([2, "a"])),
    ("empty(1.5)", lambda: torch.empty(1.5)),
    ("randn('3')", lambda: torch.randn("3")),
    ("full((2,), 'a')", lambda: torch.full((2,), "a")),
    ("zeros(2, dtype='x')", lambda: torch.zeros(2, dtype="float32")),
    # ---- creation: data -------------------------------------------------------------------
    ("tensor('abc')", lambda: torch.tensor("abc")),
    ("tensor([1, 'a'])", lambda: torch.tensor([1, "a"])),
    ("tensor(None)", lambda: torch.tensor(None)),
    ("tensor([1, None])", lambda: torch.tensor([1, None])),
    ("tensor(object())", lambda: torch.tensor(object())),
    ("tensor([[1, 2], [3]])", lambda: torch.tensor([[1, 2], [3]])),
    ("tensor([t, t])", lambda: torch.tensor([v2, v2])),
    ("tensor(dtype='float32')", lambda: torch.tensor([1.0], dtype="float32")),
    ("tensor([s, s]) of 0-d", lambda: torch.tensor([s, s])),
    ("full_like(x, None)", lambda: torch.full_like(x, None)),
    ("full_like(x, 'a')", lambda: torch.full_like(x, "a")),
    ("from_numpy(list)", lambda: torch.from_numpy([1, 2])),
    # ---- creation: ranges and random ------------------------------------------------------
    ("arange(0, 10, 0)", lambda: torch.arange(0, 10, 0)),
    ("arange(10, 0)", lambda: torch.arange(10, 0)),
    ("arange(0, inf)", lambda: torch.arange(0, float("inf"))),
    ("arange(0, nan)", lambda: torch.arange(0, float("nan"))),
    ("arange('a')", lambda: torch.arange("a")),
    ("linspace(0, 1, -1)", lambda: torch.linspace(0, 1, -1)),
    ("eye(-1)", lambda: torch.eye(-1)),
    ("eye(2, -1)", lambda: torch.eye(2, -1)),
    ("randint(5, 2, (3,))", lambda: torch.randint(5, 2, (3,))),
    ("randint(3, (-1,))", lambda: torch.randint(3, (-1,))),
    ("randperm(-1)", lambda: torch.randperm(-1)),
    # ---- elementwise: argument types ------------------------------------------------------
    ("exp('abc')", lambda: torch.exp("abc")),
    ("exp(None)", lambda: torch.exp(None)),
    ("sin([1.0])", lambda: torch.sin([1.0])),
    ("sqrt(1.0)", lambda: torch.sqrt(1.0)),
    ("add(x, 'a')", lambda: torch.add(x, "a")),
    ("mul(x, None)", lambda: torch.mul(x, None)),
    ("sub(x, [1])", lambda: torch.sub(x, [1.0])),
    ("div('a', x)", lambda: torch.div("a", x)),
    ("x + 'a'", lambda: x + "a"),
    ("x * None", lambda: x * None),
    ("x - [1]", lambda: x - [1.0]),
    ("x ** 'a'", lambda: x ** "a"),
    ("pow(x, 'a')", lambda: torch.pow(x, "a")),
    ("clamp(x, 'a')", lambda: torch.clamp(x, "a")),
    ("clamp(x)", lambda: torch.clamp(x)),
    ("maximum(x, 'a')", lambda: torch.maximum(x, "a")),
    ("x + ones(4)", lambda: x + torch.ones(4)),
    ("x.fill_('a')", lambda: x.clone().fill_("a")),
    ("int.exp_()", lambda: i.clone().exp_()),
    ("int.add_(1.5)", lambda: i.clone().add_(1.5)),
    # ---- where and masks ------------------------------------------------------------------
    ("where(int cond)", lambda: torch.where(i, x, x)),
    ("where(float cond)", lambda: torch.where(x, x, x)),
    ("where(cond, x, 'a')", lambda: torch.where(b, x, "a")),
    ("x.where(int cond)", lambda: x.where(i, 0.0)),
    ("masked_fill(float mask)", lambda: x.masked_fill(x, 0.0)),
    # ---- floor division -------------------------------------------------------------------
    ("// values", _floor_div_values),
    ("int // 0", lambda: i // 0),
    ("int // zeros", lambda: i // torch.zeros(3, dtype=torch.int64)),
    ("floor_divide(int, 0)", lambda: torch.floor_divide(i, 0)),
    ("div(int, 0, 'floor')", lambda: torch.div(i, 0, rounding_mode="floor")),
    ("div(int, 0, 'trunc')", lambda: torch.div(i, 0, rounding_mode="trunc")),
    ("div(rounding_mode='bad')", lambda: x.div(x, rounding_mode="bad")),
    ("x // 'a'", lambda: x // "a"),
    # ---- reductions -----------------------------------------------------------------------
    ("sum(dim='a')", lambda: x.sum(dim="a")),
    ("sum(dim=1.5)", lambda: x.sum(dim=1.5)),
    ("sum(dim=[0, 'a'])", lambda: x.sum(dim=[0, "a"])),
    ("sum(dim=None)", lambda: x.sum(dim=None)),
    ("sum(dim=5)", lambda: x.sum(dim=5)),
    ("sum(dim=(0, 0))", lambda: x.sum(dim=(0, 0))),
    ("mean(dim=1.5)", lambda: x.mean(dim=1.5)),
    ("mean(dim='a')", lambda: x.mean(dim="a")),
    ("int.mean()", lambda: i.mean()),
    ("max(dim=5)", lambda: x.max(dim=5)),
    ("empty.max()", lambda: e.max()),
    ("argmax(dim='a')", lambda: x.argmax(dim="a")),
    ("amax(dim=1.5)", lambda: x.amax(dim=1.5)),
    ("softmax(5)", lambda: x.softmax(5)),
    ("cumsum(1.5)", lambda: x.cumsum(1.5)),
    ("std(dim=5)", lambda: x.std(dim=5)),
    ("logsumexp(5)", lambda: x.logsumexp(5)),
    # ---- shapes ---------------------------------------------------------------------------
    ("reshape(2.0, 3)", lambda: x.reshape(2.0, 3)),
    ("reshape(2, 3.0)", lambda: x.reshape(2, 3.0)),
    ("reshape(None)", lambda: x.reshape(None)),
    ("reshape(-1, -1)", lambda: x.reshape(-1, -1)),
    ("reshape(5)", lambda: x.reshape(5)),
    ("reshape(-2, 3)", lambda: x.reshape(-2, 3)),
    ("view(2.0, 3)", lambda: x.view(2.0, 3)),
    ("expand('a')", lambda: v3.expand("a")),
    ("expand(2, 4)", lambda: v3.expand(2, 4)),
    ("repeat(-1, 1)", lambda: x.repeat(-1, 1)),
    ("repeat(2**40, 2**40)", lambda: x.repeat(2**40, 2**40)),
    ("repeat(1.5)", lambda: v3.repeat(1.5)),
    ("transpose(0, 5)", lambda: x.transpose(0, 5)),
    ("transpose(0, 1.5)", lambda: x.transpose(0, 1.5)),
    ("permute(0, 0)", lambda: x.permute(0, 0)),
    ("permute(0, 1.0)", lambda: x.permute(0, 1.0)),
    ("squeeze(5)", lambda: x.squeeze(5)),
    ("unsqueeze(5)", lambda: x.unsqueeze(5)),
    ("unsqueeze('a')", lambda: x.unsqueeze("a")),
    ("unsqueeze(1.5)", lambda: x.unsqueeze(1.5)),
    ("flatten(1, 0)", lambda: x.flatten(1, 0)),
    ("flip(5)", lambda: x.flip(5)),
    ("movedim(0, 5)", lambda: x.movedim(0, 5)),
    ("narrow(0, 0, 10)", lambda: x.narrow(0, 0, 10)),
    ("select(0, 5)", lambda: x.select(0, 5)),
    ("unbind(5)", lambda: x.unbind(5)),
    # ---- cat / stack / split --------------------------------------------------------------
    ("cat([])", lambda: torch.cat([])),
    ("cat(x)", lambda: torch.cat(x)),
    ("cat([x, 'a'])", lambda: torch.cat([x, "a"])),
    ("cat([x, x], dim=5)", lambda: torch.cat([x, x], dim=5)),
    ("cat([s, s])", lambda: torch.cat([s, s])),
    ("stack([])", lambda: torch.stack([])),
    ("stack(x)", lambda: torch.stack(x)),
    ("stack([x, v3])", lambda: torch.stack([x, v3])),
    ("split(0)", lambda: x.split(0)),
    ("split(-1)", lambda: x.split(-1)),
    ("split([1, 2])", lambda: x.split([1, 2])),
    ("chunk(0)", lambda: x.chunk(0)),
    ("chunk(-1)", lambda: x.chunk(-1)),
    # ---- indexing -------------------------------------------------------------------------
    ("x[5]", lambda: x[5]),
    ("x[0, 0, 0]", lambda: x[0, 0, 0]),
    ("x['a']", lambda: x["a"]),
    ("x[1.5]", lambda: x[1.5]),
    ("x[tensor([5])]", lambda: x[torch.tensor([5])]),
    ("x[float tensor]", lambda: x[torch.tensor([0.0])]),
    ("x[..., ...]", lambda: x[..., ...]),
    ("gather(float index)", lambda: x.gather(0, x)),
    ("gather(index 5)", lambda: x.gather(0, torch.tensor([[5]]))),
    ("index_select(5)", lambda: x.index_select(0, torch.tensor([5]))),
    ("index_select(float)", lambda: x.index_select(0, torch.tensor([0.0]))),
    # ---- linear algebra -------------------------------------------------------------------
    ("mm(2x3, 2x3)", lambda: torch.mm(x, x)),
    ("matmul(0-d, 1-d)", lambda: torch.matmul(s, v2)),
    ("dot(2, 3)", lambda: torch.dot(v2, v3)),
    ("bmm(2-d, 2-d)", lambda: torch.bmm(x, x)),
    ("matmul(x, 'a')", lambda: torch.matmul(x, "a")),
    ("x @ 'a'", lambda: x @ "a"),
    # ---- conversions ----------------------------------------------------------------------
    ("x.item()", lambda: x.item()),
    ("bool(x)", lambda: bool(x)),
    ("xg.numpy()", lambda: xg.numpy()),
    ("len(0-d)", lambda: len(s)),
    ("x.to('float32')", lambda: x.to("float32")),
    # ---- more constructors ----------------------------------------------------------------
    ("zeros()", lambda: torch.zeros()),
    ("empty(dtype=float64)", lambda: torch.empty(dtype=torch.float64)),
    ("rand()", lambda: torch.rand()),
    ("randn()", lambda: torch.randn()),
    ("randn(dtype=float64)", lambda: torch.randn(dtype=torch.float64)),
    ("ones(size=(2, -1))", lambda: torch.ones(size=(2, -1))),
    ("zeros([2.0, 3])", lambda: torch.zeros([2.0, 3])),
    ("randn(2.0, 3)", lambda: torch.randn(2.0, 3)),
    ("rand(2, dtype='x')", lambda: torch.rand(2, dtype="x")),
    ("full(2, 1.0)", lambda: torch.full(2, 1.0)),
    ("full((2,), 1.0, dtype='x')", lambda: torch.full((2,), 1.0, dtype="x")),
    ("zeros_like(x, dtype='x')", lambda: torch.zeros_like(x, dtype="x")),
    ("ones_like('a')", lambda: torch.ones_like("a")),
    ("eye('a')", lambda: torch.eye("a")),
    ("arange(None)", lambda: torch.arange(None)),
    ("arange(0, 10, -1)", lambda: torch.arange(0, 10, -1)),
    ("randperm('a')", lambda: torch.randperm("a")),
    ("randint('a', (3,))", lambda: torch.randint("a", (3,))),
    ("x.new_zeros(2, -3)", lambda: x.new_zeros(2, -3)),
    # ---- more indexing --------------------------------------------------------------------
    ("x[..., None, ...]", lambda: x[..., None, ...]),
    ("x[..., 0, ...]", lambda: x[..., 0, ...]),
    ("x[..., ..., 0]", lambda: x[..., ..., 0]),
    ("x[None, 'a']", lambda: x[None, "a"]),
    ("x[True]", lambda: x[True]),
    ("x[:, 5]", lambda: x[:, 5]),
    ("x[-3]", lambda: x[-3]),
    ("x[::-1]", lambda: x[::-1]),
    ("x[bool mask (3,)]", lambda: x[torch.tensor([True, False, True])]),
    ("x[5] = 1", lambda: x.clone().__setitem__(5, 1.0)),
    ("x[0] = 'a'", lambda: x.clone().__setitem__(0, "a")),
    ("x[0] = ones(4)", lambda: x.clone().__setitem__(0, torch.ones(4))),
    # ---- more shapes and dims -------------------------------------------------------------
    ("view(4)", lambda: x.view(4)),
    ("view('a')", lambda: x.view("a")),
    ("view([2.0, 3])", lambda: x.view([2.0, 3])),
    ("t().view(6)", lambda: x.t().view(6)),
    ("expand(3)", lambda: x.expand(3)),
    ("expand(2.0, 3)", lambda: x.expand(2.0, 3)),
    ("permute(0)", lambda: x.permute(0)),
    ("permute(0, 5)", lambda: x.permute(0, 5)),
    ("repeat(2)", lambda: x.repeat(2)),
    ("reshape([2.0, 3])", lambda: x.reshape([2.0, 3])),
    ("squeeze('a')", lambda: x.squeeze("a")),
    ("max(dim='a')", lambda: x.max(dim="a")),
    ("std(dim='a')", lambda: x.std(dim="a")),
    ("all(dim='a')", lambda: x.all(dim="a")),
    ("prod(dim='a')", lambda: x.prod(dim="a")),
    ("softmax('a')", lambda: x.softmax("a")),
    ("logsumexp('a')", lambda: x.logsumexp("a")),
    ("select('a', 0)", lambda: x.select("a", 0)),
    ("cat(dim='a')", lambda: torch.cat([x, x], dim="a")),
    ("cat((x, x), 1.5)", lambda: torch.cat((x, x), 1.5)),
    ("cat([x, v3])", lambda: torch.cat([x, v3])),
    ("cat([x, ones(2, 4)])", lambda: torch.cat([x, torch.ones(2, 4)])),
    # ---- more linear algebra --------------------------------------------------------------
    ("matmul(2x3, 2x3)", lambda: torch.matmul(x, x)),
    ("matmul(2, 3)", lambda: torch.matmul(v2, v3)),
    ("x @ v2", lambda: x @ v2),
    ("mv(x, v2)", lambda: torch.mv(x, v2)),
    ("bmm(2x2x3, 2x2x3)", lambda: torch.bmm(torch.ones(2, 2, 3), torch.ones(2, 2, 3))),
    ("3-d @ 2-d mismatch", lambda: torch.ones(2, 3, 4) @ torch.ones(5, 6)),
    # ---- losses ---------------------------------------------------------------------------
    ("cross_entropy(target 5)",
     lambda: torch.nn.functional.cross_entropy(x, torch.tensor([0, 5]))),
    ("cross_entropy(target -1)",
     lambda: torch.nn.functional.cross_entropy(x, torch.tensor([0, -1]))),
    ("cross_entropy(batch 3)",
     lambda: torch.nn.functional.cross_entropy(x, torch.tensor([0, 1, 2]))),
    ("cross_entropy(float target)",
     lambda: torch.nn.functional.cross_entropy(x, torch.tensor([0.0, 1.0]))),
    ("cross_entropy(2-d int target)",
     lambda: torch.nn.functional.cross_entropy(x, torch.tensor([[0, 1, 2], [1, 0, 2]]))),
    ("nll_loss(target 3)", lambda: torch.nn.functional.nll_loss(x, torch.tensor([0, 3]))),
    # ---- optimizers and modules -----------------------------------------------------------
    ("SGD(lr=-1)", lambda: torch.optim.SGD([torch.nn.Parameter(v2.clone())], lr=-1)),
    ("SGD(momentum=-1)",
     lambda: torch.optim.SGD([torch.nn.Parameter(v2.clone())], lr=0.1, momentum=-1)),
    ("SGD([])", lambda: torch.optim.SGD([], lr=0.1)),
    ("SGD(tensor)", lambda: torch.optim.SGD(torch.nn.Parameter(v2.clone()), lr=0.1)),
    ("SGD(non-leaf)", lambda: torch.optim.SGD([xg * 2], lr=0.1)),
    ("Adam(lr=-1)", lambda: torch.optim.Adam([torch.nn.Parameter(v2.clone())], lr=-1)),
    ("Adam(betas=(1.0, 0.9))",
     lambda: torch.optim.Adam([torch.nn.Parameter(v2.clone())], betas=(1.0, 0.9))),
    ("Adam(eps=-1)", lambda: torch.optim.Adam([torch.nn.Parameter(v2.clone())], eps=-1)),
    ("Adam(weight_decay=-1)",
     lambda: torch.optim.Adam([torch.nn.Parameter(v2.clone())], weight_decay=-1)),
    ("Linear(3, 4)(2x5)", lambda: torch.nn.Linear(3, 4)(torch.ones(2, 5))),
    ("Linear(3, 4)(5)", lambda: torch.nn.Linear(3, 4)(torch.ones(5))),
    ("Linear(3, 4)('a')", lambda: torch.nn.Linear(3, 4)("a")),
    ("Linear(-1, 2)", lambda: torch.nn.Linear(-1, 2)),
    # ---- autograd -------------------------------------------------------------------------
    ("backward non-scalar", lambda: (xg * 2).backward()),
    ("Function backward -> str", _backward_of("abc")),
    ("Function backward -> 1 of 2", _backward_of(torch.ones(2), 2)),
    ("Function backward -> (str,)", _backward_of(("abc",))),
    ("Function backward -> (int, None)", _backward_of((3, None), 2)),
]
# fmt: on

EXPECTED = pathlib.Path(__file__).resolve().parent / "hostile_expected.json"
#: A C++ source location in a message (``... at /path/File.cpp:123``): text that differs
#: between builds, so only the message's first line is compared.
_SOURCE_LOCATION = re.compile(r"\.(cpp|h|hpp|cu):\d+|Exception raised from")


def outcome(call: Callable[[], Any]) -> dict:
    """What a call did: ``{"error": [type name, message]}`` or ``{"result": summary}``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = call()
    except Exception as exc:  # noqa: BLE001 - the survey records whatever comes out
        return {"error": [type(exc).__name__, str(exc)]}
    return {"result": encode(result)}


def mismatch(got: dict, want: dict) -> str | None:
    """How ``got`` differs from the recorded ``want``, or None. Types compare exactly;
    messages exactly, or by their first line where PyTorch's names a C++ source location;
    results as ``tests/parity/harness.py`` compares them."""
    if "error" in want:
        if "error" not in got:
            return f"want {want['error'][0]}: {want['error'][1]!r}; got no error"
        (gtype, gtext), (wtype, wtext) = got["error"], want["error"]
        gtext = gtext.replace("jitgrad.", "torch.")  # jitgrad.FloatTensor: the library's name
        if _SOURCE_LOCATION.search(wtext):
            gtext, wtext = gtext.split("\n", 1)[0], wtext.split("\n", 1)[0]
        if gtype != wtype or gtext != wtext:
            return f"want {wtype}: {wtext!r}; got {gtype}: {gtext!r}"
        return None
    if "error" in got:
        return f"want no error; got {got['error'][0]}: {got['error'][1]!r}"
    err = harness.mismatch(got["result"], want["result"], 1e-6, 1e-6)
    return None if err is None else f"result differs at {err}"


def load_expected() -> dict[str, dict]:
    """The recorded outcomes, by row label."""
    return json.loads(EXPECTED.read_text())["cases"]


if __name__ == "__main__":
    expected = load_expected()
    ok = 0
    for label, call in CASES:
        err = mismatch(outcome(call), expected[label]) if label in expected else "not recorded"
        ok += err is None
        if err or "-v" in sys.argv:
            print(f"{'BAD' if err else 'ok '} {label}: {err or ''}")
    print(f"{ok} of {len(CASES)} hostile calls answered as PyTorch 2.13 does")
