"""Calls of an already compiled ``@njit`` function by symbol, without linking its code in.

Why this module exists: when Numba compiles a function that calls another jitted function,
it links the callee's whole LLVM module into the caller's, then optimizes and emits machine
code for the result: the callee is compiled to machine code again in every caller. The
straight-line tapes (:mod:`jitgrad.capture.straight`) call the tape interpreter's loop (a
function of ~170 branches) from each of their generated functions and from their entry, so a
graph of five rows spent ~3.3 of its 3.5 CPU s of compile re-emitting that loop twice
(perf/RESULTS.md, Run straight17).

:func:`external` gives an intrinsic that calls the callee's native function through a symbol
of a stable name (the callee's module, name and argument types), declared in the caller and
left to the JIT's linker to resolve: the code is compiled once, by the callee's own compile.
The symbol is registered with LLVM (``llvmlite.binding.add_symbol``) when the intrinsic is
made, which compiles (or loads) the callee for those argument types first, so a caller whose
compiled code is loaded from a disk cache in a later process finds it: the module defining
the intrinsic is executed before its functions are compiled or loaded. A call is the same
native call the linked version makes (LLVM did not inline a callee this size); the arguments
must have exactly the registered types (anything else is a typing error, never a call with
another ABI).
"""

from __future__ import annotations

import hashlib
from typing import Any

import llvmlite.binding as ll
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

#: symbol name -> the compile result behind it (kept alive: the address must stay valid)
_REGISTERED: dict[str, Any] = {}


def _symbol(dispatcher: Any, argtypes: tuple) -> str:
    fn = dispatcher.py_func
    key = f"{fn.__module__}.{fn.__qualname__}{argtypes}"
    return "jitgrad_ext_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def register(dispatcher: Any, argtypes: tuple) -> tuple[str, Any]:
    """Compile (or load) ``dispatcher`` for ``argtypes`` and register its native function under
    a stable symbol name: (that name, its return type)."""
    name = _symbol(dispatcher, argtypes)
    cres = _REGISTERED.get(name)
    if cres is None:
        dispatcher.compile(argtypes)
        cres = dispatcher.overloads[argtypes]
        ll.add_symbol(name, cres.library.get_pointer_to_function(cres.fndesc.mangled_name))
        _REGISTERED[name] = cres
    return name, cres.signature.return_type


def external(dispatcher: Any, argtypes: tuple) -> Any:
    """An intrinsic calling ``dispatcher``'s function of three arguments compiled for
    ``argtypes`` (Numba types), by symbol: registered now, never linked into the caller.
    (Three named parameters, not ``*args``: Numba's lowering of an intrinsic's call folds
    a star parameter as a tuple.)"""
    argtypes = tuple(argtypes)
    name, restype = register(dispatcher, argtypes)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        fnty = context.call_conv.get_function_type(restype, argtypes)
        fn = cgutils.get_or_insert_function(builder.module, fnty, name)
        status, res = context.call_conv.call_function(builder, fn, restype, argtypes, args)
        with cgutils.if_unlikely(builder, status.is_error):
            context.call_conv.return_status_propagate(builder, status)
        return res

    def call(typingctx: Any, ins: Any, consts: Any, arena: Any) -> Any:
        if (ins, consts, arena) == argtypes:
            return restype(*argtypes), codegen
        return None

    call.__name__ = call.__qualname__ = dispatcher.py_func.__name__
    return intrinsic(call)


def tape_args(dtype: str) -> tuple:
    """The tape interpreter loop's argument types for an arena of ``dtype``: the rows (a C
    int32 matrix; a slice of its rows stays C), the float64 constants and the arena
    (:class:`jitgrad.capture.program.Program`'s arrays)."""
    c = "C"
    return (types.Array(types.int32, 2, c), types.Array(types.float64, 1, c),
            types.Array(getattr(types, dtype), 1, c))  # fmt: skip
