"""Random small programs over jitgrad's public API, checked against several oracles.

A program is a list of drawn steps (plain tuples, so hypothesis can shrink them): declared
elementwise ops from ``tests/op_cases.py`` (each input squashed into the op's safe domain by
``mid + half * tanh(v)``), Python-scalar arithmetic (int and float, both sides), float32 /
float64 casts, views (transpose, slices, expand, unsqueeze), in-place ops (on a clone and on a
slice of one), then a reduction (sum / mean / amax over random dims) plus every other value
summed in, so every leaf reaches the loss. ``resolve`` runs the program once in float64 NumPy,
picking broadcast-compatible operands and recording PyTorch's result dtype for every value;
``run`` replays the resolved steps through jitgrad.

Oracles (``check``): forward values against float64 NumPy (all-float64 run), dtypes against
PyTorch's promotion rule (0-d tensors do not promote dimensioned ones), fused vs unfused
gradients (to rounding), a second backward (retain_graph) doubling .grad exactly, hooks,
create_graph second-order gradients, the replay cache (runs 2 and 3 bitwise run 1),
``jitgrad.compile`` (bitwise eager), 3 threads at once (bitwise the single-thread run), and
central finite differences in float64 for programs of smooth ops.

``python3 perf/fuzz_programs.py --examples 2000 --seed 1`` runs it long (niced);
``tests/test_fuzz_programs.py`` runs a few derandomized examples.
"""

from __future__ import annotations

import sys
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import jitgrad

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from op_cases import CASES  # noqa: E402

# Ops whose derivative is not continuous on the squashed domain, or whose value jumps:
# they take part everywhere except the finite-difference and float32-vs-float64 value checks.
NONSMOOTH = {
    "abs", "relu", "maximum", "minimum", "clamp", "clamp_min", "clamp_max", "where",
    "hardtanh", "leaky_relu", "prelu", "hardsigmoid", "hardswish", "softshrink", "hardshrink",
    "threshold", "fmod", "remainder", "trunc", "frac", "sign", "sgn", "floor", "ceil", "round",
    "div_mode", "div_floor", "div_trunc", "fmax", "fmin", "copysign", "nextafter", "elu",
    "celu", "selu", "nan_to_num", "gelu", "logaddexp", "logaddexp2", "rrelu",
}  # fmt: skip
INTO = {"copy"}
# random (rrelu), another result dtype (cast, float_power), a tuple (frexp), an integer input
# (ldexp_int), a weight shaped by the channel dim (prelu), no derivative in PyTorch (j0)
SKIP = {
    "rrelu", "cast", "frexp", "ldexp_int", "float_power", "polygamma_inplace", "prelu",
    "special_spherical_bessel_j0",
}  # fmt: skip


def _usable(case) -> bool:
    """Float in, same float out, differentiable in every input, deterministic, no shape rule
    beyond broadcasting (decided from the case table, so importing compiles nothing)."""
    return case.op not in SKIP and all(case.grad_inputs())


OPS = [c for c in CASES if _usable(c)]


def only_ops(names) -> list:
    """Restrict the drawn ops to ``names`` (a cheap pool for the test); returns the old pool."""
    old = list(OPS)
    OPS[:] = [c for c in old if c.op in names]
    return old


# Shape families: leaves take the family's shape with some dims set to 1 or dropped in front.
FAMILIES = [(2, 3), (3,), (2, 1, 3), (0, 3), (4, 2)]
DTYPES = {"float32": jitgrad.float32, "float64": jitgrad.float64}


@dataclass
class Program:
    leaves: list  # [(shape, dtype name)]
    steps: list  # drawn tuples
    reduction: tuple  # (kind, dims selector, keepdim)
    backward: str  # "plain" | "twice" | "create_graph" | "hook"


def _promote(tags: list[tuple[str, int]]) -> str:
    """PyTorch's result dtype of floating tensors: dimensioned ones win over 0-d ones."""
    dimmed = [d for d, nd in tags if nd > 0] or [d for d, _ in tags]
    return "float64" if "float64" in dimmed else "float32"


def _broadcasts(a: tuple, b: tuple) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def _fits(other: tuple, first: tuple, op: str) -> bool:
    """Whether ``other`` may join ``first`` in ``op``: broadcast, and into ``first``'s own
    shape where the op writes into a tensor shaped like it (``copy_``)."""
    if not _broadcasts(other, first):
        return False
    return op not in INTO or np.broadcast_shapes(other, first) == first


def resolve(prog: Program, arrays: list[np.ndarray]):
    """Run ``prog`` in float64 NumPy; return (resolved steps, values, dtypes, loss value)."""
    vals = [np.asarray(a, np.float64) for a in arrays]
    dts = [dt for _, dt in prog.leaves]
    out = []
    for kind, i, j, k, s in prog.steps:
        a = i % len(vals)
        v, dt = vals[a], dts[a]
        if kind == "op":
            case = OPS[k % len(OPS)]
            srcs = [a]
            joint = v.shape
            for n in range(1, case.arity):
                ok = [m for m in range(len(vals)) if _fits(vals[m].shape, joint, case.op)]
                srcs.append(ok[(j + n) % len(ok)])
                joint = np.broadcast_shapes(joint, vals[srcs[-1]].shape)
            mid, half = (case.high + case.low) / 2, 0.45 * (case.high - case.low)
            ins = [mid + half * np.tanh(vals[m]) for m in srcs]
            with np.errstate(all="ignore"):
                r = np.asarray(case.ref(*ins), np.float64)
            r = np.broadcast_to(r, np.broadcast_shapes(*[x.shape for x in ins])).copy()
            step = ("op", k % len(OPS), tuple(srcs))
            rdt = _promote([(dts[m], vals[m].ndim) for m in srcs])
            if case.op in INTO:  # copy_ writes into a tensor of the first operand's dtype
                rdt = dts[srcs[0]]
        elif kind == "scalar":
            form = ("add", "radd", "sub", "rsub", "mul", "rmul", "div", "pow2")[j % 8]
            c = int(s) if k % 3 == 0 else s  # Python ints too
            if form == "div" and abs(c) < 0.25:
                c = 0.5
            step, r, rdt = ("scalar", form, a, c), _scalar_np(form, v, c), dt
        elif kind == "cast":
            rdt = "float64" if dt == "float32" else "float32"
            r = v.astype(rdt).astype(np.float64)
            step = ("cast", a, rdt)
        elif kind == "view":
            form, r = _view_np(j, v)
            step, rdt = ("view", form, a), dt
        else:  # in-place on a fresh clone: "mul_", "add_", "tanh_", "slice_mul_"
            form = ("mul_", "add_", "tanh_", "slice_mul_")[j % 4]
            r = v.copy()
            other = a
            if form == "mul_":
                r = r * s
            elif form == "add_":
                ok = [m for m in range(len(vals)) if _broadcasts(vals[m].shape, v.shape)
                      and np.broadcast_shapes(vals[m].shape, v.shape) == v.shape]  # fmt: skip
                other = ok[k % len(ok)]
                r = r + vals[other]
            elif form == "tanh_":
                r = np.tanh(r)
            elif v.ndim and v.shape[-1]:
                r[..., :1] *= s
            step, rdt = ("inplace", form, a, other, s), dt
        out.append(step)
        vals.append(r)
        dts.append(rdt)
    return out, vals, dts


def _scalar_np(form, v, c):
    return {
        "add": lambda: v + c,
        "radd": lambda: c + v,
        "sub": lambda: v - c,
        "rsub": lambda: c - v,
        "mul": lambda: v * c,
        "rmul": lambda: c * v,
        "div": lambda: v / c,
        "pow2": lambda: v**2,
    }[form]()


def _view_forms(v_shape):
    forms = ["unsqueeze"]
    if len(v_shape) >= 2:
        forms.append("transpose")
    if len(v_shape) >= 1 and v_shape[-1] > 1:
        forms.append("slice_last")
    if len(v_shape) >= 1 and v_shape[0] > 1:
        forms.append("step_first")
    if 1 in v_shape:
        forms.append("expand")
    return forms


def _view_np(j, v):
    forms = _view_forms(v.shape)
    form = forms[j % len(forms)]
    return form, _view(form, v, np)


def _view(form, v, lib):
    if form == "unsqueeze":
        return v[None]
    if form == "transpose":
        return lib.swapaxes(v, -1, -2) if lib is np else v.transpose(-1, -2)
    if form == "slice_last":
        return v[..., 1:]
    if form == "step_first":
        return v[::2]
    shape = tuple(3 if n == 1 else n for n in v.shape)
    return np.broadcast_to(v, shape) if lib is np else v.expand(*shape)


def _reduce_dims(sel: int, ndim: int):
    if ndim == 0 or sel % 3 == 0:
        return None
    dims = [d for d in range(ndim) if (sel >> d) & 1] or [ndim - 1]
    return tuple(dims)


def _loss_np(prog, vals):
    kind, sel, keep = prog.reduction
    v = vals[-1]
    dims = _reduce_dims(sel, v.ndim)
    if kind == "amax" and (v.size == 0 or (dims is None and v.ndim == 0)):
        kind = "sum"
    fn = {"sum": np.sum, "mean": np.mean, "amax": np.max}[kind]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the mean of an empty slice: NaN
        r = fn(v, axis=dims, keepdims=keep)
    total = np.sum(r)
    for n, w in enumerate(vals[len(prog.leaves) : -1]):
        total = total + np.sum(w) * (0.5 + 0.1 * n)
    return kind, total


def run(prog: Program, steps, leaves, hooks=None, force=None):
    """The resolved program through jitgrad (casts to ``force`` when given); returns
    (values, loss)."""
    J = jitgrad
    vals = list(leaves)
    for st in steps:
        if st[0] == "op":
            case = OPS[st[1]]
            mid, half = (case.high + case.low) / 2, 0.45 * (case.high - case.low)
            r = case.call(J, *[mid + half * J.tanh(vals[m]) for m in st[2]])
        elif st[0] == "scalar":
            v, c = vals[st[2]], st[3]
            r = _scalar_np(st[1], v, c)
        elif st[0] == "cast":
            r = vals[st[1]].to(DTYPES[force or st[2]])
        elif st[0] == "view":
            r = _view(st[1], vals[st[2]], J)
        else:
            _, form, a, other, s = st
            r = vals[a].clone()
            if form == "mul_":
                r.mul_(s)
            elif form == "add_":
                r.add_(vals[other])
            elif form == "tanh_":
                r.tanh_()
            elif r.ndim and r.shape[-1]:
                r[..., :1].mul_(s)
        if hooks is not None and len(vals) % 3 == 0 and r.requires_grad:
            r.register_hook(_recorder(hooks, len(vals)))
        vals.append(r)
    kind, _ = prog._loss_kind
    dims = _reduce_dims(prog.reduction[1], vals[-1].ndim)
    keep = prog.reduction[2]
    v = vals[-1]
    if kind == "sum":
        r = v.sum() if dims is None else v.sum(dim=dims, keepdim=keep)
    elif kind == "mean":
        r = v.mean() if dims is None else v.mean(dim=dims, keepdim=keep)
    else:
        r = v.amax() if dims is None else v.amax(dim=dims, keepdim=keep)
    total = r.sum()
    for n, w in enumerate(vals[len(prog.leaves) : -1]):
        total = total + w.sum() * (0.5 + 0.1 * n)
    return vals, total


def _recorder(hooks: list, n: int):
    return lambda g: hooks.append((n, g.numpy().copy()))


def make_leaves(prog, arrays, force=None):
    return [
        jitgrad.tensor(a, dtype=DTYPES[force or dt], requires_grad=True)
        for a, (_, dt) in zip(arrays, prog.leaves, strict=True)
    ]


def _np(t):
    return None if t is None else t.detach().numpy().copy()


def gradients(prog, steps, arrays, *, fuse=True, force=None):
    """Loss, leaf grads and the extras the backward mode asks for."""
    with jitgrad.fusion(fuse):
        leaves = make_leaves(prog, arrays, force)
        hooks: list = [] if prog.backward == "hook" else None
        vals, loss = run(prog, steps, leaves, hooks, force)
        extra = []
        if prog.backward == "create_graph":
            gs = jitgrad.autograd.grad(loss, leaves, create_graph=True, allow_unused=True)
            first = [_np(g) for g in gs]
            s = sum(((g * g).sum() for g in gs if g is not None and g.requires_grad), loss * 0)
            if s.requires_grad:
                s.backward()
            extra = [_np(t.grad) for t in leaves]
            return _np(loss), first, extra, vals
        loss.backward(retain_graph=prog.backward == "twice")
        first = [_np(t.grad) for t in leaves]
        if prog.backward == "twice":
            loss.backward()
            extra = [_np(t.grad) for t in leaves]
        if hooks is not None:
            extra = [g for _, g in hooks]
        return _np(loss), first, extra, vals


def _bitwise(a, b, what):
    if isinstance(a, list):
        assert len(a) == len(b), what
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            _bitwise(x, y, f"{what}[{n}]")
        return
    assert (a is None) == (b is None), what
    if a is not None:
        assert a.dtype == b.dtype and a.shape == b.shape, what
        assert a.tobytes() == b.tobytes(), f"{what}: {a} vs {b}"


def _close(a, b, tol, what):
    if isinstance(a, list):
        assert len(a) == len(b), what
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, tol, f"{what}[{n}]")
        return
    assert (a is None) == (b is None), what
    if a is None:
        return
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs {b.shape}"
    fin = np.isfinite(b)
    scale = 1 + np.abs(b[fin]).max(initial=0)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol * scale, err_msg=what)


def smooth(prog, steps) -> bool:
    return prog._loss_kind[0] != "amax" and not any(
        st[0] == "op" and OPS[st[1]].op in NONSMOOTH for st in steps
    )


def check(prog: Program, seed: int, *, threads: bool = True, compiled: bool = True,
          finite_differences: bool = True) -> None:  # fmt: skip
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-1.5, 1.5, shape) for shape, _ in prog.leaves]
    steps, ref_vals, ref_dts = resolve(prog, arrays)
    prog._loss_kind = _loss_np(prog, ref_vals)
    ref_loss = prog._loss_kind[1]
    if not np.all(np.isfinite(ref_loss)):
        return
    # 1. float64 forward against NumPy, value by value
    with jitgrad.fusion(False):
        vals64, loss64 = run(prog, steps, make_leaves(prog, arrays, "float64"), None, "float64")
    for n, (v, r) in enumerate(zip(vals64, ref_vals, strict=True)):
        _close(_np(v), r, 1e-7, f"float64 value {n} of {steps}")
    _close(_np(loss64), ref_loss, 1e-7, "float64 loss")
    # 2. the mixed-dtype program: PyTorch's dtypes; values near float64 when smooth
    fused = gradients(prog, steps, arrays)
    for n, (v, dt) in enumerate(zip(fused[3], ref_dts, strict=True)):
        assert str(v.dtype) == f"jitgrad.{dt}", f"dtype of value {n}: {v.dtype} vs {dt}"
    if smooth(prog, steps):
        _close(fused[0], ref_loss, 2e-3, "mixed loss vs float64")
    # 3. unfused: the same gradients to rounding
    plain = gradients(prog, steps, arrays, fuse=False)
    tol = 2e-4 if "float32" in ref_dts else 1e-9
    _close(fused[1], plain[1], tol, "fused vs unfused grads")
    _close(fused[2], plain[2], tol, "fused vs unfused extras")
    if prog.backward == "twice":
        for f, e in zip(plain[1], plain[2], strict=True):
            if f is not None:
                assert (f + f).tobytes() == e.tobytes(), "second backward must double .grad"
    # 4. replay: the same program again, twice: bitwise the first run
    for _ in range(2):
        _bitwise(list(gradients(prog, steps, arrays)[:3]), list(fused[:3]), "replayed run")
    # 5. jitgrad.compile: bitwise eager
    if compiled and prog.backward == "plain":
        _check_compiled(prog, steps, arrays)
    # 6. threads: each its own tensors, bitwise the single-thread result
    if threads:
        _check_threads(prog, steps, arrays, fused)
    # 7. finite differences in float64 on smooth programs
    if finite_differences and smooth(prog, steps):
        _check_fd(prog, steps, arrays)


def _check_compiled(prog, steps, arrays):
    def step(*leaves):
        loss = run(prog, steps, list(leaves))[1]
        loss.backward()
        return loss.detach()

    fn = jitgrad.compile(step)
    eager, comp = make_leaves(prog, arrays), make_leaves(prog, arrays)
    for it in range(3):
        for t in eager + comp:
            t.grad = None
        a, b = step(*eager), fn(*comp)
        _bitwise([_np(a)] + [_np(t.grad) for t in eager],
                 [_np(b)] + [_np(t.grad) for t in comp], f"compiled call {it}")  # fmt: skip


def _check_threads(prog, steps, arrays, want):
    results: dict = {}
    barrier = threading.Barrier(3)

    def work(n):
        barrier.wait()
        try:
            results[n] = gradients(prog, steps, arrays)
        except BaseException as e:  # noqa: BLE001 - reported below
            results[n] = e

    ts = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for n in range(3):
        if isinstance(results[n], BaseException):
            raise AssertionError(f"thread {n} raised") from results[n]
        _bitwise(list(results[n][:3]), list(want[:3]), f"thread {n}")


def _check_fd(prog, steps, arrays, eps=1e-6):
    grads = gradients(prog, steps, arrays, fuse=False, force="float64")[1]
    with jitgrad.no_grad(), jitgrad.fusion(False):
        for n, a in enumerate(arrays):
            if grads[n] is None or a.size == 0:
                continue
            num = np.zeros(a.size)
            for e in range(min(a.size, 6)):
                vals = []
                for sgn in (1, -1):
                    b = [x.copy() for x in arrays]
                    b[n].reshape(-1)[e] += sgn * eps
                    leaves = [jitgrad.tensor(x, dtype=jitgrad.float64) for x in b]
                    vals.append(float(run(prog, steps, leaves, None, "float64")[1]))
                num[e] = (vals[0] - vals[1]) / (2 * eps)
            got = grads[n].reshape(-1)[: min(a.size, 6)]
            scale = 1 + np.abs(num).max(initial=0)
            np.testing.assert_allclose(got, num[: got.size], rtol=1e-4, atol=1e-5 * scale,
                                       err_msg=f"finite differences, leaf {n}")  # fmt: skip


# ---- hypothesis strategy --------------------------------------------------------------------
def programs():
    from hypothesis import strategies as st

    @st.composite
    def draw(d):
        family = d(st.sampled_from(FAMILIES))
        n_leaves = d(st.integers(2, 3))
        leaves = []
        for _ in range(n_leaves):
            drop = d(st.integers(0, len(family)))
            shape = tuple(1 if d(st.booleans()) and d(st.booleans()) else n
                          for n in family[drop:])  # fmt: skip
            leaves.append((shape, d(st.sampled_from(["float32", "float32", "float64"]))))
        kinds = ["op"] * 5 + ["scalar", "scalar", "cast", "view", "view", "inplace"]
        step = st.tuples(st.sampled_from(kinds), st.integers(0, 50), st.integers(0, 50),
                         st.integers(0, 500),
                         st.floats(-2, 2, allow_nan=False).map(lambda v: round(v, 2)))  # fmt: skip
        steps = d(st.lists(step, min_size=3, max_size=12))
        red = (d(st.sampled_from(["sum", "mean", "amax"])), d(st.integers(0, 7)), d(st.booleans()))
        back = d(st.sampled_from(["plain", "plain", "twice", "create_graph", "hook"]))
        return Program(leaves, steps, red, back), d(st.integers(0, 2**16))

    return draw()


def main(argv=None) -> None:
    import argparse
    import os

    from hypothesis import HealthCheck, given, seed, settings

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ops", default="", help="comma-separated op names (default: all usable)")
    args = p.parse_args(argv)
    if args.ops:
        only_ops(args.ops.split(","))
    os.nice(10)
    counts: dict = {}

    @seed(args.seed)
    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(programs())
    def fuzz(drawn):
        prog, s = drawn
        for st_ in prog.steps:
            counts[st_[0]] = counts.get(st_[0], 0) + 1
        counts["programs"] = counts.get("programs", 0) + 1
        if counts["programs"] % 25 == 0:
            print(counts, flush=True)
        check(prog, s)

    fuzz()
    print("steps by kind:", counts)


if __name__ == "__main__":
    main()
