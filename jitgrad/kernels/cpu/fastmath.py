"""Vectorizable tanh, sin, cos and exp for float32 and float64 inside Numba kernels.

Why this module exists: inside an ``@njit`` loop Numba lowers ``np.tanh``/``np.sin``/``np.cos``/
``np.exp`` on scalars to calls into the C library (``tanhf``, ``sinf``, ...). LLVM cannot
vectorize a loop around an opaque call, so every element pays a full scalar libm call, 3-10x
slower than NumPy's SIMD ufuncs. The functions here use only ``+ - * /``, comparisons feeding
selects, and integer bit casts, all of which the LLVM loop vectorizer turns into AVX/AVX2/AVX-512
code, so a generated elementwise kernel that calls ``tanh32(x[i])`` runs at SIMD speed.

Public functions (each takes and returns one scalar of the same dtype; float32 code is pure
float32, there is no widening to double anywhere in it):

* ``tanh32``, ``tanh64``: all finite and infinite inputs, no fallback.
* ``exp32``, ``exp64``: all inputs, including subnormal results and overflow to inf.
* ``sin32``, ``cos32``: branch-free Cody-Waite reduction for ``|x| <= 1e5``; beyond that the C
  library's ``sinf``/``cosf`` is called for that element only (see "Large arguments").
* ``sin64``, ``cos64``: the same for ``|x| <= 1.6e6`` with the C library's ``sin``/``cos`` beyond.

Accuracy, in ulps of the result's dtype. float32, against the float64 result, exhaustively over
every float32 input while writing this module: tanh32 <= 1.95, exp32 <= 0.96, sin32 <= 0.97,
cos32 <= 0.95 (sin/cos on |x| <= 1e5, libm beyond). float64, against NumPy over 2*10**6 random
inputs per range, and against 40-digit mpmath at the worst of those: tanh64 <= 2 from NumPy
(1.4 from exact), exp64, sin64 and cos64 <= 1 from NumPy (0.7 from exact).
``tests/test_fastmath.py`` checks these on dense grids. Special values follow C99:
``tanh(+-inf) = +-1``, ``tanh(-0.) = -0.``, the odd functions return subnormal inputs unchanged,
``sin/cos(+-inf or nan) = nan``, ``exp(-inf) = 0``, ``exp(+inf) = inf``, nan in gives nan out.

Fast-math: these functions must be compiled without ``reassoc``, ``nnan``, ``ninf``, ``nsz``,
``arcp`` or ``afn``. With ``inline="always"`` their code is typed and lowered inside the caller,
with the caller's flags, so do not call them from a ``fastmath=True`` kernel: reassociation turns
the magic-number rounding ``(v + M) - M`` into ``v`` and undoes the TwoSum and Cody-Waite steps,
and ``nnan``/``nsz`` drop the nan and -0. handling. ``contract`` (FMA) is harmless: every
product the error analysis needs exact is exact anyway.

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

import math

import llvmlite.binding as llvm
import llvmlite.ir as llir
import numba
import numpy as np
from numba import types
from numba.extending import intrinsic, overload

__all__ = ["tanh32", "tanh64", "exp32", "exp64", "sin32", "cos32", "sin64", "cos64", "fast_exp"]

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

_LOG2E_F = _F(1.442695)
_LOG2E_D = float.fromhex("0x1.71547652b82fep+0")
# ln 2 split Cody-Waite style: _HI has 16 significant bits (float32) / 42 bits (float64), so
# k * _HI is exact for |k| < 2**8 / 2**11, and x - k * _HI is exact by Sterbenz's lemma.
_LN2_HI_F = _F(0.693145751953125)
_LN2_LO_F = _F(1.4286068e-06)
_LN2_HI_D = float.fromhex("0x1.62e42fefa3800p-1")
_LN2_LO_D = float.fromhex("0x1.ef35793c76730p-45")

# expm1(r) = r + r**2/2 + r**3 * Q(r) on |r| <= ln2/2 * (1 + 2**-10). Q is the minimax
# polynomial for the relative error of expm1, found with a Remez exchange in 60-digit mpmath
# arithmetic (relative error 2**-31.3 for degree 4, 2**-61.7 for degree 9), then rounded.
_EM1_F = _F(0.16666666)
_EM2_F = _F(0.04166648)
_EM3_F = _F(0.00833342)
_EM4_F = _F(0.0013933331)
_EM5_F = _F(0.00019824097)
_EM1_D = float.fromhex("0x1.5555555555559p-3")
_EM2_D = float.fromhex("0x1.5555555555548p-5")
_EM3_D = float.fromhex("0x1.111111110f7bap-7")
_EM4_D = float.fromhex("0x1.6c16c16c1cda7p-10")
_EM5_D = float.fromhex("0x1.a01a01af8c85cp-13")
_EM6_D = float.fromhex("0x1.a01a0182d9d42p-16")
_EM7_D = float.fromhex("0x1.71ddf9132690bp-19")
_EM8_D = float.fromhex("0x1.27e52b5d6c390p-22")
_EM9_D = float.fromhex("0x1.af5d9c2753382p-26")
_EM10_D = float.fromhex("0x1.1ef524e991a38p-29")

# tanh(x) rounds to +-1 for |x| > 9.01 (float32) / 19.07 (float64); clamping a bit above keeps
# 2**k finite and maps +-inf to +-1 without a special case.
_TANH_CLAMP_F = _F(10.0)
_TANH_CLAMP_D = 20.0

# exp: below the lower clamp the result is 0 even after subnormal rounding, above the upper
# clamp it is inf; clamping keeps k inside the range the two-step scaling handles.
_EXP_LO_F = _F(-104.0)
_EXP_HI_F = _F(89.0)
_EXP_LO_D = -746.0
_EXP_HI_D = 710.0

_TWO_OVER_PI_F = _F(0.63661975)
_TWO_OVER_PI_D = float.fromhex("0x1.45f306dc9c883p-1")

# pi/2 for Cody-Waite reduction without FMA. Float32: six chunks of 8 significant bits and a
# float32 remainder (82 bits of pi/2 in all); n < 2**16 makes every n * chunk exact. Float64:
# three chunks of 33 bits and a double remainder (152 bits); n < 2**20 makes n * chunk exact.
_PIO2_1_F = _F(1.5703125)
_PIO2_2_F = _F(0.000484466552734375)
_PIO2_3_F = _F(-6.407499313354492e-07)
_PIO2_4_F = _F(9.89530235528946e-10)
_PIO2_5_F = _F(2.5579538487363607e-12)
_PIO2_6_F = _F(5.384581669432009e-15)
_PIO2_7_F = _F(5.721189e-18)
_PIO2_1_D = float.fromhex("0x1.921fb54400000p+0")
_PIO2_2_D = float.fromhex("0x1.0b4611a600000p-34")
_PIO2_3_D = float.fromhex("0x1.3198a2e000000p-69")
_PIO2_4_D = float.fromhex("0x1.b839a252049c1p-104")

# Inputs above these go to libm: n = rint(x * 2/pi) stays below 2**16 / 2**20, where the
# chunked products above are exact and the reduction keeps full relative accuracy even for the
# float32/float64 values closest to a multiple of pi/2.
_SINCOS_LIMIT_F = _F(1.0e5)
_SINCOS_LIMIT_D = 1.6e6

# Below these |x|, sin(x) correctly rounds to x (x**2/6 < half an ulp); returning x keeps -0.
# and subnormals exact.
_SIN_TINY_F = _F(2.0**-12)
_SIN_TINY_D = 2.0**-27

# sin(r) = r + r**3 * S(r**2), cos(r) = 1 - r**2/2 + r**4 * C(r**2) on |r| <= pi/4 * (1 + 2**-10):
# minimax for relative error by Remez exchange (mpmath), float32: S degree 2 (2**-28.0), C degree
# 2 (2**-33.0); float64: S degree 5 (2**-57.9), C degree 5 (2**-63.9).
_S1_F, _S2_F, _S3_F = _F(-0.16666655), _F(0.008332157), _F(-0.00019514647)
_C1_F, _C2_F, _C3_F = _F(0.041666646), _F(-0.001388731), _F(2.4432431e-05)
_S1_D = float.fromhex("-0x1.5555555555548p-3")
_S2_D = float.fromhex("0x1.111111110f791p-7")
_S3_D = float.fromhex("-0x1.a01a019bf5aa9p-13")
_S4_D = float.fromhex("0x1.71de356067bd9p-19")
_S5_D = float.fromhex("-0x1.ae5e549331f22p-26")
_S6_D = float.fromhex("0x1.5d8e080463a94p-33")
_C1_D = float.fromhex("0x1.555555555554bp-5")
_C2_D = float.fromhex("-0x1.6c16c16c14f49p-10")
_C3_D = float.fromhex("0x1.a01a019c7d06cp-16")
_C4_D = float.fromhex("-0x1.27e4f7e55f788p-22")
_C5_D = float.fromhex("0x1.1ee9d3f394d81p-29")
_C6_D = float.fromhex("-0x1.8fa29d150e2aap-37")


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


def _fallback_module_text(name):
    """LLVM IR for the scalar wrapper ``name`` and its masked vector variants.

    The vector variant tests the mask as one integer first, so an all-in-range vector costs a
    call, a compare and a return; otherwise each active lane calls libm once.
    """
    libname, fty = _LIBM[name]
    attrs = "nounwind willreturn memory(none)"
    parts = [
        f"declare {fty} @{libname}({fty}) {attrs}",
        f"define linkonce_odr {fty} @{name}({fty} %x) noinline {attrs} {_variant_attribute(name)} "
        f"{{\n  %r = call {fty} @{libname}({fty} %x)\n  ret {fty} %r\n}}",
    ]
    for w in _VECTOR_WIDTHS:
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
            body += [
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
            prev = f"%p{i}"
        body += [f"l{w}:", f"  ret {vty} {prev}", "}"]
        parts.append("\n".join(body))
    # linkonce_odr lets every kernel library carry its own copy without duplicate-symbol
    # errors; llvm.compiler.used stops the linker from dropping the (so far unreferenced)
    # definitions before the vectorizer has created the calls.
    refs = [f"ptr @{name}"] + [f"ptr @{name}_m{w}" for w in _VECTOR_WIDTHS]
    parts.append(
        f"@llvm.compiler.used = appending global [{len(refs)} x ptr] [{', '.join(refs)}], "
        'section "llvm.metadata"'
    )
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


# ---------------------------------------------------------------------------------------------
# expm1 / exp cores


@_jit
def _expm1_reduced_f(r):
    """expm1(r) for |r| <= ln2/2: r + r**2/2 + r**3*Q(r), the r term added last for accuracy."""
    q = _EM1_F + r * (_EM2_F + r * (_EM3_F + r * (_EM4_F + r * _EM5_F)))
    return r + r * r * (_HALF_F + r * q)


@_jit
def _expm1_tail_d(r):
    """(expm1(r) - r) / r**2 = 1/2 + r*Q(r) for |r| <= ln2/2, float64 (degree-9 Q)."""
    q = _EM8_D + r * (_EM9_D + r * _EM10_D)
    q = _EM5_D + r * (_EM6_D + r * (_EM7_D + r * q))
    q = _EM1_D + r * (_EM2_D + r * (_EM3_D + r * (_EM4_D + r * q)))
    return _HALF_D + r * q


@_jit
def _expm1_reduced_d(r):
    """float64 version of _expm1_reduced_f."""
    return r + r * r * _expm1_tail_d(r)


@_jit
def tanh32(x):
    """tanh of a float32, within 2 ulp, vectorizable.

    tanh|x| = u / (u + 2) with u = expm1(2|x|), which has no catastrophic cancellation at any
    |x| and reduces to x exactly for tiny x. expm1 by Cody-Waite reduction 2|x| = k ln2 + r,
    |r| <= ln2/2, then expm1 = 2**k * expm1(r) + (2**k - 1). The sign is restored with copysign
    (keeps -0.).
    """
    a = abs(x)
    a = _TANH_CLAMP_F if a > _TANH_CLAMP_F else a  # nan stays nan (the compare is false)
    z = a + a
    t = z * _LOG2E_F + _MAGIC_F
    k = t - _MAGIC_F
    r = (z - k * _LN2_HI_F) - k * _LN2_LO_F
    s = _pow2(t)
    u = s * _expm1_reduced_f(r) + (s - _ONE_F)
    # u / (u + 2) with the rounding error dl of d = u + 2 fed back to first order:
    # u / (d + dl) ~ q - q * dl / d, and 1 / d = (1 - q) / 2. Worth 0.5 ulp near x = 0.03.
    d, dl = _two_sum(u, _TWO_F)
    q = _div(u, d)
    return math.copysign(q - q * dl * (_HALF_F * (_ONE_F - q)), x)


@_jit
def tanh64(x):
    """tanh of a float64, within 2 ulp of NumPy (1.4 ulp of exact), vectorizable.

    As tanh32, with u kept as a double-double: near |x| = 0.2 (k = 1, r < 0) the two leading
    terms of expm1 cancel by up to 1.4x, which magnified the rounding of a plain sum to 2.3 ulp.
    """
    a = abs(x)
    a = _TANH_CLAMP_D if a > _TANH_CLAMP_D else a
    z = a + a
    t = z * _LOG2E_D + _MAGIC_D
    k = t - _MAGIC_D
    r = (z - k * _LN2_HI_D) - k * _LN2_LO_D
    s = _pow2(t)
    # u = expm1(2a) = s*r + (s - 1) + s*r**2*(1/2 + r*Q(r)); s*r and s - 1 are exact.
    u, ul = _two_sum(s * r, s - _ONE_D)
    ul = ul + s * (r * r * _expm1_tail_d(r))
    u1 = u + ul
    u2 = (u - u1) + ul  # Fast2Sum, |ul| < |u|
    # (u1 + u2) / (u1 + u2 + 2): d + dl = u1 + u2 + 2 up to one rounding of dl, then the
    # first-order correction q + (u2 - q*dl) / d with 1/d = (1 - q)/2.
    d, dl = _two_sum(u1, _TWO_D)
    dl = dl + u2
    q = _div(u1, d)
    return math.copysign(q + (u2 - q * dl) * (_HALF_D * (_ONE_D - q)), x)


@_jit
def exp32(x):
    """exp of a float32, within 1 ulp including subnormal results, vectorizable.

    x = k ln2 + r (Cody-Waite, |r| <= ln2/2), exp = 2**k * (1 + expm1(r)). 2**k is applied as
    2**k1 * 2**k2 with k1 = rint(k/2): the first product is exact, the second rounds once, so
    subnormal results are rounded correctly and overflow gives inf.
    """
    x = _EXP_HI_F if x > _EXP_HI_F else x
    x = _EXP_LO_F if x < _EXP_LO_F else x
    t = x * _LOG2E_F + _MAGIC_F
    k = t - _MAGIC_F
    r = (x - k * _LN2_HI_F) - k * _LN2_LO_F
    e = _ONE_F + _expm1_reduced_f(r)
    t1 = k * _HALF_F + _MAGIC_F
    k1 = t1 - _MAGIC_F
    t2 = (k - k1) + _MAGIC_F
    return (e * _pow2(t1)) * _pow2(t2)


@_jit
def exp64(x):
    """exp of a float64, within 1 ulp of NumPy including subnormal results; as exp32."""
    x = _EXP_HI_D if x > _EXP_HI_D else x
    x = _EXP_LO_D if x < _EXP_LO_D else x
    t = x * _LOG2E_D + _MAGIC_D
    k = t - _MAGIC_D
    r = (x - k * _LN2_HI_D) - k * _LN2_LO_D
    e = _ONE_D + _expm1_reduced_d(r)
    t1 = k * _HALF_D + _MAGIC_D
    k1 = t1 - _MAGIC_D
    t2 = (k - k1) + _MAGIC_D
    return (e * _pow2(t1)) * _pow2(t2)


# ---------------------------------------------------------------------------------------------
# sin / cos


@_jit
def _sincos_f(x, quarter):
    """sin(x + quarter * pi/2) for |x| <= 1e5 (quarter is 0 for sin, 1 for cos).

    Cody-Waite reduction r = x - n*pi/2 with pi/2 in 8-bit chunks, so every n * chunk is exact.
    The first two subtractions are exact (Sterbenz; the second result is a multiple of
    ulp(x) below 1). Each of the next ones may round, by up to half an ulp of the running
    value; chained, those roundings cost up to 3.4 ulp of sin/cos, so TwoSum collects them and
    r = rh + rl carries them, which gives <= 1 ulp over the whole range. Next to a multiple of
    pi/2 the steps are exact and the 82 bits of pi/2 keep r's relative accuracy. The quadrant
    n + quarter then picks +-sin(r) or +-cos(r), each corrected to first order in rl.
    """
    t = x * _TWO_OVER_PI_F + _MAGIC_F
    n = t - _MAGIC_F
    a = (x - n * _PIO2_1_F) - n * _PIO2_2_F
    a, e = _two_diff(a, n * _PIO2_3_F)
    a, e4 = _two_diff(a, n * _PIO2_4_F)
    a, e5 = _two_diff(a, n * _PIO2_5_F)
    a, e6 = _two_diff(a, n * _PIO2_6_F)
    a = a - n * _PIO2_7_F
    e = (e + e4) + (e5 + e6)
    rh = a + e
    rl = (a - rh) + e  # Fast2Sum: |e| is a few ulps of a
    z = rh * rh
    # sin(rh + rl) ~ sin(rh) + rl (the rl*rh**2/2 term is below 2**-25 relative)
    s = rh + (rh * z * (_S1_F + z * (_S2_F + z * _S3_F)) + rl)
    # 1 - z/2 with its rounding error recovered exactly (both subtractions are exact by
    # Sterbenz) and added back with the tail; cos(rh + rl) ~ cos(rh) - rh*rl.
    hz = _HALF_F * z
    w = _ONE_F - hz
    c = w + (((_ONE_F - w) - hz) + (z * z * (_C1_F + z * (_C2_F + z * _C3_F)) - rh * rl))
    tq = t + quarter
    v = c if _bit(tq, 0) else s
    return -v if _bit(tq, 1) else v


@_jit
def sin32(x):
    """sin of a float32, within 1 ulp, vectorizable; libm ``sinf`` for |x| > 1e5 and inf."""
    ax = abs(x)
    v = _sincos_f(x, _ZERO_F)
    v = x if ax < _SIN_TINY_F else v
    if ax > _SINCOS_LIMIT_F:
        v = _libm_sinf(x)
    return v


@_jit
def cos32(x):
    """cos of a float32, within 1 ulp, vectorizable; libm ``cosf`` for |x| > 1e5 and inf."""
    v = _sincos_f(x, _ONE_F)
    if abs(x) > _SINCOS_LIMIT_F:
        v = _libm_cosf(x)
    return v


@_jit
def _sincos_d(x, quarter):
    """sin(x + quarter * pi/2) for |x| <= 1.6e6, float64.

    Reduction as in _sincos_f with three exact 33-bit chunks; the two subtractions that can
    round are done with TwoSum (Knuth) so that r = rh + rl carries about 100 bits, and the
    polynomials take the rl correction to first order: sin(rh + rl) ~ sin(rh) + rl*cos(rh),
    cos(rh + rl) ~ cos(rh) - rl*sin(rh).
    """
    t = x * _TWO_OVER_PI_D + _MAGIC_D
    n = t - _MAGIC_D
    a = x - n * _PIO2_1_D  # exact
    s1, e1 = _two_diff(a, n * _PIO2_2_D)  # the products are exact
    s2, e2 = _two_diff(s1, n * _PIO2_3_D)
    lo = (e1 + e2) - n * _PIO2_4_D
    rh = s2 + lo
    rl = (s2 - rh) + lo  # Fast2Sum: |lo| << |s2|
    z = rh * rh
    sp = _S4_D + z * (_S5_D + z * _S6_D)
    sp = _S1_D + z * (_S2_D + z * (_S3_D + z * sp))
    s = rh + ((rh * z * sp) + (rl - _HALF_D * z * rl))
    cp = _C4_D + z * (_C5_D + z * _C6_D)
    cp = _C1_D + z * (_C2_D + z * (_C3_D + z * cp))
    hz = _HALF_D * z
    wc = _ONE_D - hz
    c = wc + (((_ONE_D - wc) - hz) + (z * z * cp - rh * rl))
    tq = t + quarter
    res = c if _bit(tq, 0) else s
    return -res if _bit(tq, 1) else res


@_jit
def sin64(x):
    """sin of a float64, within 1 ulp of NumPy, vectorizable; libm ``sin`` for |x| > 1.6e6."""
    ax = abs(x)
    v = _sincos_d(x, 0.0)
    v = x if ax < _SIN_TINY_D else v
    if ax > _SINCOS_LIMIT_D:
        v = _libm_sin(x)
    return v


@_jit
def cos64(x):
    """cos of a float64, within 1 ulp of NumPy, vectorizable; libm ``cos`` for |x| > 1.6e6."""
    v = _sincos_d(x, 1.0)
    if abs(x) > _SINCOS_LIMIT_D:
        v = _libm_cos(x)
    return v


def fast_exp(x):  # pragma: no cover - Numba compiles the overload below instead
    """exp32 or exp64 by the argument's type, for hand-written kernels generic over dtype."""
    raise NotImplementedError


@overload(fast_exp, inline="always")
def _fast_exp_impl(x):
    if x == types.float32:
        return lambda x: exp32(x)
    if x == types.float64:
        return lambda x: exp64(x)
    return None
