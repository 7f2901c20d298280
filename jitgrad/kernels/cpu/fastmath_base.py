"""The pieces every :mod:`.fastmath` function is built from: the inlining ``_jit``, the
constants the families share, bit-level intrinsics, the masked libm fallback and TwoSum.

Large arguments: an ordinary ``if abs(x) > LIMIT: y = np.sin(x)`` does not help. LLVM sees that
``sinf`` has no side effects and, when it if-converts the loop for vectorization, calls it for
every lane and blends, which costs the full libm price for every element. The fallback is instead
a call to a small wrapper that carries LLVM's ``vector-function-abi-variant`` attribute naming a
masked vector version of itself. The loop vectorizer then treats the call as a masked operation
and calls the vector version with the lane mask; that version returns at once when no lane is
out of range and otherwise calls libm for the active lanes only. The wrappers are LLVM IR text
linked into the kernel's code library. On an LLVM older than 16 (whose IR syntax differs) the
plain branch is used instead: still correct, but slow.
"""

from __future__ import annotations

import llvmlite.binding as llvm
import llvmlite.ir as llir
import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

# Numba-level inlining: the caller's loop then contains the straight-line arithmetic and LLVM
# vectorizes it. Plain @njit leaves inlining to LLVM's inliner, which takes tanh and exp but
# declines sin and cos and leaves a scalar call per element, 3-8x slower (the "fast-noinl"
# column of perf/bench_fastmath.py).
_jit = numba.njit(inline="always")

# ---------------------------------------------------------------------------------------------
# Constants. Float32 constants are np.float32 globals: Numba freezes a global NumPy scalar with
# its own dtype, whereas a bare Python literal would be typed float64 and promote the float32
# arithmetic to double.

_F = np.float32
_ONE_F = _F(1.0)
_TWO_F = _F(2.0)
_HALF_F = _F(0.5)
_ZERO_F = _F(0.0)
_ONE_D = 1.0
_TWO_D = 2.0
_HALF_D = 0.5

# Round-to-nearest-integer by the "magic number" trick: for |v| < 2**22, v + 1.5 * 2**23 rounds
# v to an integer in the addition, and the integer k stays in the low mantissa bits, so the same
# sum also gives k's bits (quadrant, exponent of 2**k) without a float-to-int conversion (which
# AVX2 cannot do for int64).
_MAGIC_F = _F(12582912.0)  # 1.5 * 2**23
_MAGIC_D = 6755399441055744.0  # 1.5 * 2**52


# ---------------------------------------------------------------------------------------------
# Bit-level helpers as Numba intrinsics: plain LLVM bitcast/shift/and on i32 (float32) or i64
# (float64), so no Numba integer promotion sneaks in and the vectorizer sees simple lane ops.


def _int_type(fty):
    return llir.IntType(32) if fty == types.float32 else llir.IntType(64)


def _bias_and_shift(fty):
    return (127, 23) if fty == types.float32 else (1023, 52)


@intrinsic
def _pow2(typingctx, t):
    """2**k from t = k + magic (the magic-number rounding above); valid for normal 2**k."""
    if t not in (types.float32, types.float64):
        return None

    def codegen(context, builder, signature, args):
        ity = _int_type(t)
        bias, shift = _bias_and_shift(t)
        # The magic constant's low mantissa bits are zero, so bits(t) ends in k (two's
        # complement); adding the exponent bias and shifting the sum into the exponent field
        # drops everything above it.
        bits = builder.bitcast(args[0], ity)
        expo = builder.shl(builder.add(bits, ity(bias)), ity(shift))
        return builder.bitcast(expo, args[0].type)

    return t(t), codegen


@intrinsic
def _pow2_biased(typingctx, t):
    """2**m from t = m + magic where the magic number already carries the exponent bias (see
    tanh32): one shift, where :func:`_pow2` adds the bias first. Valid for 1 <= m <= 254
    (float32) / 2046 (float64): the shift drops the magic's own bits above the field."""
    if t not in (types.float32, types.float64):
        return None

    def codegen(context, builder, signature, args):
        ity = _int_type(t)
        shift = _bias_and_shift(t)[1]
        bits = builder.bitcast(args[0], ity)
        return builder.bitcast(builder.shl(bits, ity(shift)), args[0].type)

    return t(t), codegen


@intrinsic
def _bit(typingctx, t, k):
    """Bit ``k`` of the integer held in t = n + magic, i.e. bit ``k`` of n (two's complement)."""
    if t not in (types.float32, types.float64) or not isinstance(k, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        ity = _int_type(t)
        bits = builder.bitcast(args[0], ity)
        kk = context.cast(builder, args[1], k, types.int64)
        kk = builder.trunc(kk, ity) if ity.width < 64 else kk
        one = builder.and_(builder.lshr(bits, kk), ity(1))
        return builder.icmp_unsigned("!=", one, ity(0))

    return types.boolean(t, k), codegen


@intrinsic
def _div(typingctx, a, b):
    """IEEE a / b. Numba's ``/`` tests for a zero divisor to raise ZeroDivisionError (unless the
    caller uses error_model="numpy"), and that branch stops the loop from vectorizing."""
    if a not in (types.float32, types.float64) or b != a:
        return None

    def codegen(context, builder, signature, args):
        return builder.fdiv(args[0], args[1])

    return a(a, b), codegen


@intrinsic
def _fma(typingctx, a, b, c):
    """a * b + c as LLVM's ``llvm.fmuladd``: one fused multiply-add (a single rounding) on a
    machine with FMA, where it vectorizes to ``vfmadd``; a multiply and an add elsewhere.

    Why explicit: the polynomials and reductions below are about half multiply-add pairs, and
    fusing them halves their instruction count (the tanh-GELU joint loop: 62 -> 49 AVX-512
    instructions per 16 elements). The ``contract`` fast-math flag would fuse them too, but it
    is the caller's flag (these functions are inlined into the caller with its flags) and leaves
    the choice to the backend; the intrinsic fuses exactly these, in every caller alike (a
    generated kernel, the tier-0 interpreter, the scalar remainder loop), so they agree bitwise.
    The error analyses in :mod:`.fastmath` and :mod:`.fastmath_trig` hold for both outcomes.
    """
    if a not in (types.float32, types.float64) or b != a or c != a:
        return None

    def codegen(context, builder, signature, args):
        ty = args[0].type
        fn = builder.module.declare_intrinsic(
            "llvm.fmuladd", [ty], llir.FunctionType(ty, [ty, ty, ty])
        )
        return builder.call(fn, args)

    return a(a, b, c), codegen


# ---------------------------------------------------------------------------------------------
# Masked libm fallback (see the module docstring).

_LLVM_MAJOR = llvm.llvm_version_info[0]
_MASKED_FALLBACK = _LLVM_MAJOR >= 16
_VECTOR_WIDTHS = (2, 4, 8, 16, 32)
_LIBM = {  # our wrapper name -> (libm symbol, LLVM type)
    "jitgrad_fastmath_sinf": ("sinf", "float"),
    "jitgrad_fastmath_cosf": ("cosf", "float"),
    "jitgrad_fastmath_sin": ("sin", "double"),
    "jitgrad_fastmath_cos": ("cos", "double"),
}


def _variant_attribute(name):
    # VFABI mangling: _ZGV, ISA "_LLVM_", "M" = masked, lane count, "v" = one vector argument.
    maps = ",".join(f"_ZGV_LLVM_M{w}v_{name}({name}_m{w})" for w in _VECTOR_WIDTHS)
    return f'"vector-function-abi-variant"="{maps}"'


def _scalar_wrapper_text(name, libname, fty, attrs):
    """The scalar wrapper: declares the libm function and calls it; its attribute names the
    masked vector variants, which is what lets the vectorizer keep the loop vectorized."""
    return "\n\n".join(
        [
            f"declare {fty} @{libname}({fty}) {attrs}",
            f"define linkonce_odr {fty} @{name}({fty} %x) noinline {attrs} "
            f"{_variant_attribute(name)} "
            f"{{\n  %r = call {fty} @{libname}({fty} %x)\n  ret {fty} %r\n}}",
        ]
    )


def _lane_text(i, w, vty, fty, libname, prev):
    """Lane ``i`` of the masked variant: if its mask bit is set, call libm on it and insert
    the result into ``prev`` (the vector so far); the phi at ``j{i}`` is the vector after it."""
    return [
        f"l{i}:",
        f"  %b{i} = extractelement <{w} x i1> %m, i32 {i}",
        f"  br i1 %b{i}, label %c{i}, label %j{i}",
        f"c{i}:",
        f"  %e{i} = extractelement {vty} %x, i32 {i}",
        f"  %s{i} = call {fty} @{libname}({fty} %e{i})",
        f"  %v{i} = insertelement {vty} {prev}, {fty} %s{i}, i32 {i}",
        f"  br label %j{i}",
        f"j{i}:",
        f"  %p{i} = phi {vty} [ {prev}, %l{i} ], [ %v{i}, %c{i} ]",
        f"  br label %l{i + 1}",
    ]


def _masked_variant_text(name, libname, fty, w, attrs):
    """The ``w``-lane masked variant ``{name}_m{w}``. It tests the mask as one integer first,
    so an all-in-range vector costs a call, a compare and a return; otherwise each active lane
    calls libm once (:func:`_lane_text`)."""
    vty = f"<{w} x {fty}>"
    body = [
        f"define linkonce_odr {vty} @{name}_m{w}({vty} %x, <{w} x i1> %m) {attrs} {{",
        "entry:",
        f"  %mi = bitcast <{w} x i1> %m to i{w}",
        f"  %any = icmp ne i{w} %mi, 0",
        "  br i1 %any, label %l0, label %none",
        "none:",
        f"  ret {vty} %x",
    ]
    prev = "%x"
    for i in range(w):
        body += _lane_text(i, w, vty, fty, libname, prev)
        prev = f"%p{i}"
    body += [f"l{w}:", f"  ret {vty} {prev}", "}"]
    return "\n".join(body)


def _compiler_used_text(name):
    """``linkonce_odr`` lets every kernel library carry its own copy without duplicate-symbol
    errors; ``llvm.compiler.used`` stops the linker from dropping the (so far unreferenced)
    definitions before the vectorizer has created the calls."""
    refs = [f"ptr @{name}"] + [f"ptr @{name}_m{w}" for w in _VECTOR_WIDTHS]
    return (
        f"@llvm.compiler.used = appending global [{len(refs)} x ptr] [{', '.join(refs)}], "
        'section "llvm.metadata"'
    )


def _fallback_module_text(name):
    """LLVM IR for the scalar wrapper ``name``, its masked vector variants (one per width in
    :data:`_VECTOR_WIDTHS`) and the ``llvm.compiler.used`` list that keeps them."""
    libname, fty = _LIBM[name]
    attrs = "nounwind willreturn memory(none)"
    parts = [_scalar_wrapper_text(name, libname, fty, attrs)]
    parts += [_masked_variant_text(name, libname, fty, w, attrs) for w in _VECTOR_WIDTHS]
    parts.append(_compiler_used_text(name))
    return "\n\n".join(parts)


class _RawFunctionAttributes(llir.FunctionAttributes):
    """llvmlite only accepts a fixed list of attribute names; this adds raw attribute text."""

    def __init__(self, raw):
        super().__init__()
        self._raw = list(raw)

    def __bool__(self):
        return True

    def _to_list(self, ret_type):
        return super()._to_list(ret_type) + self._raw


def _declare_fallback(context, builder, name, fty):
    """Declare ``name`` (and its vector variants) in the caller's module; link the definitions
    into the library being compiled, once per library."""
    library = context.active_code_library
    linked = getattr(library, "_jitgrad_fastmath_linked", None)
    if linked is None:
        linked = set()
        try:
            library._jitgrad_fastmath_linked = linked
        except AttributeError:  # pragma: no cover - a library type that refuses attributes
            pass
    if name not in linked:
        library.add_llvm_module(llvm.parse_assembly(_fallback_module_text(name)))
        linked.add(name)
    module = builder.module
    fn = module.globals.get(name)
    if fn is None:
        fn = llir.Function(module, llir.FunctionType(fty, [fty]), name)
        fn.attributes = _RawFunctionAttributes(
            ["nounwind", "willreturn", "memory(none)", _variant_attribute(name)]
        )
        for w in _VECTOR_WIDTHS:
            vty = llir.VectorType(fty, w)
            mty = llir.VectorType(llir.IntType(1), w)
            vname = f"{name}_m{w}"
            if module.globals.get(vname) is None:
                llir.Function(module, llir.FunctionType(vty, [vty, mty]), vname)
    return fn


def _make_fallback(name, nbtype):
    @intrinsic
    def _fallback(typingctx, x):
        if x != nbtype:
            return None

        def codegen(context, builder, signature, args):
            fn = _declare_fallback(context, builder, name, args[0].type)
            return builder.call(fn, args)

        return nbtype(nbtype), codegen

    return _fallback


if _MASKED_FALLBACK:
    _libm_sinf = _make_fallback("jitgrad_fastmath_sinf", types.float32)
    _libm_cosf = _make_fallback("jitgrad_fastmath_cosf", types.float32)
    _libm_sin = _make_fallback("jitgrad_fastmath_sin", types.float64)
    _libm_cos = _make_fallback("jitgrad_fastmath_cos", types.float64)
else:  # pragma: no cover - old LLVM: correct but the call is made for every lane

    @_jit
    def _libm_sinf(x):
        return np.sin(x)

    @_jit
    def _libm_cosf(x):
        return np.cos(x)

    _libm_sin = _libm_sinf
    _libm_cos = _libm_cosf


# ---------------------------------------------------------------------------------------------
# Error-free transformations (Knuth's TwoSum: six operations, no branch, no magnitude test)


@_jit
def _two_sum(a, b):
    """(s, e) with s = fl(a + b) and s + e == a + b exactly."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@_jit
def _two_diff(a, b):
    """(d, e) with d = fl(a - b) and d + e == a - b exactly."""
    d = a - b
    bb = d - a
    return d, (a - (d - bb)) - (b + bb)
