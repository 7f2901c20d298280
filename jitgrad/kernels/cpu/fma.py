"""``fma(a, b, c)``: ``a*b + c`` rounded once, as a Numba intrinsic (``llvm.fma``: a hardware
FMA on x86-64, and it vectorizes).

PyTorch's CPU kernels end in fused multiply-adds where jitgrad's plain ``a*b + c`` would round
twice and land 1 ulp away in about one element in five: the vectorized ``vec::fmadd`` of
``add(alpha=)``, ``addcmul``, ``lerp`` and the optimizers, and the contracted ``x * std +
mean`` of the samplers (ATen's cpu/ kernels are compiled with ``-mfma``). Generated kernels
call it as ``_k.fma`` (:data:`jitgrad.ops.expr.FUNCTIONS`), the tier-0 interpreter as its
``fma`` row, the optimizer and sampler kernels directly.
"""

from __future__ import annotations

from numba.core import types
from numba.extending import intrinsic


@intrinsic
def fma(typingctx, a, b, c):
    """One rounding of ``a*b + c`` in the operands' common float type (a float32 kernel's
    scalars are float32 already; an integer or float64 operand there is cast first)."""
    kind = typingctx.unify_types(a, b, c)
    if not isinstance(kind, types.Float):
        return None
    sig = kind(kind, kind, kind)

    def codegen(context, builder, signature, args):
        vals = [context.cast(builder, v, t, kind) for v, t in zip(args, (a, b, c), strict=True)]
        return builder.fma(*vals)

    return sig, codegen
