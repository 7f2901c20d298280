"""Every kernel the device programs launch compiles for sm_80 with Numba's real CUDA target.

The simulator runs kernels as Python, so it cannot catch code the real target cannot type or
lower, nor a launch with an argument signature no other check compiled. Two steps, each in
its own process (``tests/test_cuda_ptx_generated.py`` runs both):

    NUMBA_ENABLE_CUDASIM=1 python tests/cuda_sim/ptx_generated.py dump OUT.json
    python tests/cuda_sim/ptx_generated.py check OUT.json

``dump`` runs small device programs that launch every kind of rendered kernel (an op alone,
a fused forward chain with broadcast and scalar operands, a chain with a sum/mean epilogue, a
fused backward group with stored, broadcast-summed and one-element gradients, the dropout
chain, rrelu's drawn slopes, nextafter and ldexp) in float32 and float64, a float16 and a
bfloat16 chain, complex chains with ``**``, and records each launch, rendered or
hand-written, with its argument types (:mod:`launch_record`). ``check`` compiles each to PTX
(no GPU needed) together with every hand-written kernel's cases (:mod:`ptx_kernels`, float32
and float64), each kernel and signature once (a case a program also launched is compiled
once, under the stricter rule). It refuses a host array passed to a kernel (a synchronizing
copy on a GPU), requires a kernel with float16, float32 or complex64 operands only to hold no
float64 instruction (but for libdevice's reduction of huge sin/cos arguments,
:data:`SINCOS_REDUCTION`, and the special functions of :data:`LIBRARY_F64`; a hand-written
float32 case: none at all), and refuses floating-point atomic adds: every device reduction
is a fixed tree, the same bits every run, and an atomic add would break that.

The same check covers any device test run: ``JITGRAD_RECORD_LAUNCHES=OUT.json`` with the
simulator makes ``tests/cuda_sim/conftest.py`` record every launch of that pytest session
(e.g. all of ``tests/cuda_sim/cases_*.py``), then ``check OUT.json`` as above.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import types

import numpy as np

from jitgrad.kernels.cpu.scalar import SPECIAL

#: Calls whose float32 code holds float64 instructions by design: the special functions
#: shared with the CPU
LIBRARY_F64 = re.compile(r"\b_k\.(" + "|".join(SPECIAL) + r")\(")
#: The one float64 step of libdevice's sinf, cosf and tanf: the reduction of a huge argument
#: (|x| > 105615, Payne-Hanek) multiplies its 64-bit fixed-point remainder by pi/2 * 2**-64 in
#: float64, converted from the integer and back to float32 around it. Removed from the PTX
#: before the no-float64 rule, which then holds for float32 and complex64 kernels that call them.
SINCOS_REDUCTION = re.compile(
    r"cvt\.rn\.f64\.s64\s+(%fd\d+), %rd\d+;\s+mul\.f64\s+(%fd\d+), \1, 0d3BF921FB54442D19;"
    r"\s+cvt\.rn\.f32\.f64\s+%f\d+, \2;"
)
#: what ``check`` prints (exit status 3) where Numba's CUDA compiler (libnvvm) is missing
NO_COMPILER = "no CUDA compiler"
#: argument dtypes of kernels that compute in float64 by right (a float64 or complex128 operand)
WIDE = ("<f8", "<c16")
#: A PTX floating-point atomic add (``atom.global.add.f32``, ``red.global.add.f64``): the order
#: of the adds varies run to run, and with it the rounding. (Integer atomics and max/min, such
#: as cross-entropy's out-of-range target flag, give the same result in any order.)
ATOMIC = re.compile(r"^\s*(@%p\d+\s+)?(atom|red)\.\S*add\.f(16|32|64)\b", re.MULTILINE)


def programs() -> None:
    """Small device programs that launch every kind of rendered kernel (module docstring)."""
    import jitgrad as torch

    F = torch.nn.functional
    for dt in (torch.float32, torch.float64):
        a = torch.randn(6, 5, device="cuda", dtype=dt, requires_grad=True)
        b = torch.randn(5, device="cuda", dtype=dt, requires_grad=True)
        s = torch.randn(1, device="cuda", dtype=dt, requires_grad=True)
        with torch.fusion(False):
            (a * 2).sum().backward()  # one op alone, forward and backward
        loss = ((a * b + 1.5).tanh() * s - b.exp()).mean()  # chain + epilogue
        loss.backward()
        (torch.nn.functional.dropout(a, 0.3).relu() * b).sum().backward()
        F.rrelu(a, training=True).sum().backward()  # slopes drawn on the device
        (a.sigmoid() * b).cpu()  # a chain stored, no reduction
        # the bit helpers (_k.nextafter, _k.ldexp: math.frexp/ldexp, integer exponents)
        e = torch.tensor([1, -2, 3, 0, -140], device="cuda")
        (torch.nextafter(a, b) * torch.ldexp(a, e)).sum().backward()
        # the hand-written kernels a training step launches: matmul, layer_norm, softmax,
        # cross-entropy, argmax, strided gather, reductions, sgd and adam
        net = torch.nn.Sequential(
            torch.nn.Linear(5, 4), torch.nn.LayerNorm(4), torch.nn.ReLU(), torch.nn.Linear(4, 3)
        ).to("cuda")
        net = net.double() if dt == torch.float64 else net
        target = torch.tensor([0, 1, 2, 0, 1, 2], device="cuda")
        for opt in (
            torch.optim.SGD(net.parameters(), 0.1, 0.9),
            torch.optim.Adam(net.parameters()),
        ):
            opt.zero_grad()
            logits = net(a)
            F.cross_entropy(logits, target).backward()
            opt.step()
        (logits.softmax(1).argmax(1), a.t().contiguous(), a.amax(0), a.sum(1)).__len__()
        # convolution, pooling and batch norm (im2col/col2im, the pool kernels and adjoints)
        nn = torch.nn
        cnn = nn.Sequential(
            nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.MaxPool2d(2),
            nn.AvgPool2d(2, ceil_mode=True), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        ).to("cuda")  # fmt: skip
        cnn = cnn.double() if dt == torch.float64 else cnn
        cnn(torch.randn(2, 2, 6, 6, device="cuda", dtype=dt)).sum().backward()
        F.interpolate(a[None, None], scale_factor=2, mode="bicubic").sum().backward()
        F.conv1d(a[None], torch.randn(2, 6, 2, device="cuda", dtype=dt, requires_grad=True),
                 torch.randn(2, device="cuda", dtype=dt)).sum().backward()  # fmt: skip
    for dt in (torch.float16, torch.bfloat16):  # reduced types: float32 rounded per op
        a = torch.randn(6, 5, device="cuda", dtype=dt, requires_grad=True)
        b = torch.randn(5, device="cuda", dtype=dt, requires_grad=True)
        ((a * b + 1.5).tanh() * b).sum().backward()
        with torch.fusion(False):
            (a.exp() * 2).sum().backward()
    for cdt in (torch.complex64, torch.complex128):  # complex kernels: cmath, complex scalars
        z = torch.randn(4, 3, device="cuda", dtype=cdt, requires_grad=True)
        w = torch.randn(3, device="cuda", dtype=cdt)
        y = ((z * w + 1j).exp() / (z.sqrt() + 2) - z.log().tanh() + z**w).abs()
        y = y + (z.sin() * z.cos() - z.sinh() / z.cosh()).abs()
        (y.sum() + z.angle().mean() + torch.complex(z.real, z.imag).sgn().real.sum()).backward()
        ((z == w) | z.isnan(), z.mean(0)).__len__()
        (z**0.5j).abs().sum().backward()  # _k.pow_complex64/128 with a complex number


def dump(path: str) -> None:
    # the simulator as the device tests run it (kern_common.py's workarounds and block runners:
    # no Python thread per CUDA thread), so the programs launch the same kernels in less time
    import kern_common  # noqa: F401
    import launch_record

    launch_record.install()
    programs()
    records = launch_record.dump(path)
    generated = sum(r["kernel"][0] == "generated" for r in json.load(open(path)))
    print(records, "launch signatures,", generated, "of rendered kernels")


def _sample(arg: list) -> object:
    """A host value numba types as the recorded argument is typed on the device."""
    kind = arg[0]
    if kind == "a":
        _, dt, ndim, layout = arg
        a = np.zeros((2,) * ndim, dt)
        return {"C": a, "F": np.asfortranarray(a), "A": a[(slice(None, None, 2),) * ndim]}[layout]
    if kind == "n":
        return np.dtype(arg[1]).type(1)
    if kind == "p":
        return {"bool": bool, "int": int, "float": float}[arg[1]](1)
    if kind == "t":
        return tuple(_sample(x) for x in arg[1])
    raise TypeError(f"a kernel argument the device cannot take: {arg}")


def _py_func(kernel: list) -> object:
    if kernel[0] == "generated":
        namespace: dict = {}
        exec(compile(kernel[1], "<generated>", "exec"), namespace)  # noqa: S102
        return namespace[re.search(r"def (\w+)\(", kernel[1]).group(1)].py_func
    _, module, qualname, cells = kernel
    mod = importlib.import_module(module)
    if ".<locals>." in qualname:  # made by a factory (matmul._tiled(tile)): call it again
        return getattr(mod, qualname.split(".<locals>.")[0])(*cells).py_func
    return getattr(mod, qualname).py_func


def _key(func: object, sig: tuple) -> tuple:
    """A kernel and signature, the same whether the function came from a record or a case."""
    cells = tuple(repr(c.cell_contents) for c in getattr(func, "__closure__", None) or ())
    return func.__module__, func.__qualname__, cells, str(sig)


def _jobs(records: list) -> dict:
    """Each kernel and signature to compile once: ``key -> [func, sig, narrow, strict]``.
    ``narrow``: a launch with float16/float32/complex64 operands only (no float64 but for
    the allowances of the module docstring); ``strict``: a hand-written case of
    :mod:`ptx_kernels` (float32, no wide operand), whose PTX must hold no ``.f64`` at all."""
    import numba
    import ptx_kernels

    jobs: dict = {}
    for record in records:
        func = _py_func(record["kernel"])
        sig = tuple(numba.typeof(_sample(a)) for a in record["args"])
        floats = [a[1] for a in record["args"] if a[0] in ("a", "n")]
        kernel = record["kernel"]
        if kernel[0] == "generated" and LIBRARY_F64.search(kernel[1]):
            floats = []
        narrow = any(f[1] in "fc" for f in floats) and not any(f in WIDE for f in floats)
        jobs.setdefault(_key(func, sig), [func, sig, narrow, False])
    for func, sig, strict in ptx_kernels.jobs():
        job = jobs.setdefault(_key(func, sig), [func, sig, False, False])
        job[3] = job[3] or strict
    return jobs


def _problems(name: str, ptx: str, narrow: bool, strict: bool) -> list[str]:
    if ".entry" not in ptx:
        return [f"{name}: no kernel entry in its PTX"]
    if ATOMIC.search(ptx):  # the order of atomic adds varies run to run: so would the bits
        return [f"{name} uses atomics: its result would not be deterministic"]
    if strict and ".f64" in ptx:
        return [f"{name} computes in float64"]
    if narrow and not strict:  # float16, float32 or complex64 operands
        wide = [ln for ln in SINCOS_REDUCTION.sub("", ptx).splitlines() if ".f64" in ln]
        if [ln for ln in wide if not ln.strip().startswith(".reg")]:
            return [f"{name} computes in float64: {wide[:4]}"]
    return []


def check(path: str) -> None:
    """Compile every recorded launch and every hand-written case (:mod:`ptx_kernels`) for
    sm_80 with the real target (no GPU needed), each kernel and signature once."""
    import numba
    from numba import cuda
    from numba.cuda import dispatcher

    # device functions may ask the current GPU for its compute capability: there is none
    dispatcher.get_current_device = lambda: types.SimpleNamespace(compute_capability=(8, 0))
    try:
        cuda.compile_ptx(lambda x: None, (numba.float32[::1],), cc=(8, 0))
    except Exception as exc:  # noqa: BLE001 - no libnvvm here: nothing can be checked
        print(f"{NO_COMPILER}: {exc}")
        sys.exit(3)
    records = json.load(open(path))
    assert len(records) >= 10, len(records)
    host = [r for r in records if any(a[0] == "h" for a in r["args"])]
    assert not host, f"host arrays passed to kernels (a synchronizing copy on a GPU): {host}"
    failures = []
    # kernels a test module defines (cases_random's philox probe) import only with a device
    records = [r for r in records if r["kernel"][0] == "generated" or "jitgrad" in r["kernel"][1]]
    jobs = _jobs(records)
    for func, sig, narrow, strict in jobs.values():
        name = f"{getattr(func, '__qualname__', '?')}{sig}"
        try:
            ptx, _ = cuda.compile_ptx(func, sig, cc=(8, 0))
        except Exception as exc:  # noqa: BLE001 - collected, reported together
            failures.append(f"{name}: {type(exc).__name__}: {str(exc)[:1500]}")
            continue
        failures += _problems(name, ptx, narrow, strict)
    assert not failures, "\n\n".join(failures)
    print(len(jobs), "kernels compiled:", len(records), "launches and the hand-written cases")


if __name__ == "__main__":
    {"dump": dump, "check": check}[sys.argv[1]](sys.argv[2])
