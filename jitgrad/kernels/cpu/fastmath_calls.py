""":mod:`.fastmath`'s functions for large generated loops: inlined by LLVM, not by Numba.

Why this module exists: :mod:`.fastmath`'s functions are ``@njit(inline="always")``, which
inlines them in Numba's IR, so Numba re-types, re-builds SSA for and re-lowers their whole
body (clamps, range reduction, polynomial: dozens of blocks) at every call site. A generated
kernel with one or two calls does not notice; capture's tape interpreter has ~40 (one per
branch that computes an exp, tanh, sin or cos) and spent half of its ~30 s of compile CPU on
them (perf/RESULTS.md, Run tape).

Each name here is an intrinsic with the same name and signature (one float in, the same float
type out). Lowering a call compiles the function's body once per process and signature as
a subroutine of the caller (:meth:`BaseContext.compile_subroutine`: the caller's target and
error model, as IR inlining gives it), and marks the call site ``alwaysinline``, so LLVM's
inliner puts the body back in place before it optimizes the loop: the same instructions as
before (the same bits; a loop around it still vectorizes), for one Numba compile of the body
instead of one per call site. ``contract``/fast-math flags: none on either side, as before.

Used as ``_fm`` by every generated CPU module that calls them: the eager fused, backward and
joint kernels (:mod:`jitgrad.fusion.codegen`) and the tape interpreter and straight-line tapes
(:mod:`jitgrad.capture.interp`). Tier 0's evaluator calls :mod:`.fastmath` directly (one
call site per function: nothing to gain).
"""

from __future__ import annotations

from typing import Any

from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from . import fastmath

__all__ = ["tanh32", "tanh64", "exp32", "exp64", "sin32", "cos32", "sin64", "cos64"]


def llvm_inlined(dispatcher: Any) -> Any:
    """An intrinsic calling ``dispatcher``'s function (one float -> the same float type),
    its body compiled once per caller as a subroutine and inlined by LLVM at each call."""
    pyfunc = dispatcher.py_func

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        cres = context.compile_subroutine(builder, pyfunc, sig)  # once per process and signature
        fn = context.declare_function(builder.module, cres.fndesc)
        status, res = context.call_conv.call_function(
            builder, fn, sig.return_type, sig.args, args, attrs=("alwaysinline",)
        )
        with cgutils.if_unlikely(builder, status.is_error):  # (never: the bodies cannot raise)
            context.call_conv.return_status_propagate(builder, status)
        return res

    def call(typingctx: Any, x: Any) -> Any:
        if isinstance(x, types.Float):
            return x(x), codegen
        return None

    call.__name__ = call.__qualname__ = pyfunc.__name__
    return intrinsic(call)


# (in __all__'s order)
tanh32, tanh64, exp32, exp64, sin32, cos32, sin64, cos64 = (
    llvm_inlined(getattr(fastmath, name)) for name in __all__
)
