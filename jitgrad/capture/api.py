"""``torch.compile``'s front end: the signature, the checks, the wrappers PyTorch returns.

PyTorch's ``torch.compile`` hands the function or module to Dynamo, which traces it into FX
graphs and compiles those (Inductor by default). jitgrad captures a compiled *function* as a
tape replayed by a pre-compiled interpreter (:mod:`jitgrad.capture`, :mod:`.compiled`), with
an eager fallback for what the tape cannot replay; a compiled *module* still runs eagerly
(its forward returns a tensor whose graph outlives the call, which the tape does not keep).
This module gives the API programs use, so that ``model = torch.compile(model)`` and
``@torch.compile`` run unchanged: the same argument checks and messages, and a module wrapper
with PyTorch's ``OptimizedModule`` shape (its parameters and ``state_dict`` keys under
``_orig_mod.``, attribute access, ``train()`` and ``eval()`` forwarded to the wrapped module).

``JITGRAD_DEBUG=1`` logs each capture and each fallback with its reason.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .. import helpers
from ..nn.module import Module
from .compiled import DEPTH, Compiled, python_call

#: ``mode=`` values PyTorch 2.13 accepts (its error message lists them in this order).
MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
#: Backend names PyTorch registers: ``list_backends()`` (the non-debug ones) and the debug
#: backends programs name in tests (``eager``, ``aot_eager``). All run eagerly here.
BACKENDS = ("cudagraphs", "inductor", "openxla", "tvm")
DEBUG_BACKENDS = ("eager", "aot_eager", "aot_eager_decomp_partition")

#: Why a compiled module runs eagerly: what ``JITGRAD_DEBUG`` reports.
EAGER_REASON = (
    "modules are not captured: the module runs eagerly "
    "(the same kernels, forward fusion and backward replay cache as any eager call)"
)


class InvalidBackend(RuntimeError):
    """``torch._dynamo.exc.InvalidBackend``: an unknown ``backend=`` name."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"Invalid backend: {name!r}, see `torch._dynamo.list_backends()` "
            "for available backends."
        )


#: names of the compiled functions already reported under JITGRAD_DEBUG (see reset)
_REPORTED: set[str] = set()


def is_compiling() -> bool:
    """``torch.compiler.is_compiling()``: True inside a compiled function's call.

    Dynamo evaluates it as True while it traces, so the code a program guards with
    ``if not torch.compiler.is_compiling()`` is left out of compiled calls in PyTorch; it is
    left out of jitgrad's compiled (eager) calls too.
    """
    return getattr(DEPTH, "depth", 0) > 0


def list_backends(exclude_tags: tuple[str, ...] | None = ("debug", "experimental")) -> list[str]:
    """``torch._dynamo.list_backends()``: the backend names ``compile`` accepts."""
    names = BACKENDS if exclude_tags else BACKENDS + DEBUG_BACKENDS
    return sorted(names)


def reset() -> None:
    """``torch.compiler.reset()`` / ``torch._dynamo.reset()``: forget what compile learned.

    Drops every compiled function's captured programs (each traces again on its next call)
    and the record of which modules the debug log has reported.
    """
    _REPORTED.clear()
    Compiled.reset_all()


def disable(fn: Callable | None = None, recursive: bool = True, *, reason: str | None = None):
    """``torch.compiler.disable``: ``fn`` itself (or a decorator that returns it). Called on
    its own it runs eagerly; called inside a compiled function its ops are traced with the
    caller's (PyTorch would break the graph there; the values are the same)."""
    if fn is None:
        return lambda f: f
    return fn


def _check(model: Any, backend: Any, mode: str | None, options: dict | None) -> None:
    """PyTorch's checks, in its order, with its exception types and messages."""
    if model is not None and not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if mode is not None and mode not in MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(MODES)}")
    if isinstance(backend, str) and backend not in BACKENDS + DEBUG_BACKENDS:
        raise InvalidBackend(backend)
    if backend is not None and not isinstance(backend, str) and not callable(backend):
        raise InvalidBackend(repr(backend))


def _run(fn: Callable, name: str, args: tuple, kwargs: dict) -> Any:
    """Call ``fn`` as a compiled function: eagerly, with ``is_compiling()`` True meanwhile,
    reporting once under ``JITGRAD_DEBUG`` that it ran eagerly."""
    if helpers.DEBUG > 0 and name not in _REPORTED:
        _REPORTED.add(name)
        helpers.debug_print(1, f"compile: {name}: {EAGER_REASON}")
    return python_call(fn, args, kwargs)


#: ``mode=`` values that compile each captured graph to straight-line source
STRAIGHT_MODES = ("max-autotune", "max-autotune-no-cudagraphs")


def _captured_call(fn: Callable, name: str, straight: bool = False) -> Callable:
    """``fn`` wrapped as a compiled function (:class:`.compiled.Compiled`: traced on its first
    call per guard set, replayed after), with its name and ``__wrapped__`` as PyTorch's
    wrapper has them; ``compiled.explain()`` says what each guard set became."""
    state = Compiled(fn, name, straight)

    @functools.wraps(fn)
    def compiled(*args: Any, **kwargs: Any) -> Any:
        if getattr(DEPTH, "depth", 0):  # called from inside a compiled call: part of it
            return python_call(fn, args, kwargs)
        return state(args, kwargs)

    compiled.explain = state.explain  # type: ignore[attr-defined]
    compiled._capture = state  # type: ignore[attr-defined]
    return compiled


class OptimizedModule(Module):
    """What ``torch.compile(module)`` returns: a Module holding the original as ``_orig_mod``.

    As in PyTorch, the wrapper's parameters and ``state_dict`` keys carry the ``_orig_mod.``
    prefix (a state dict saved from it loads into another compiled model, not into the bare
    module); attributes it lacks are looked up on the wrapped module; ``train()``/``eval()``
    reach the wrapped module because it is a sub-module.
    """

    def __init__(self, mod: Module, name: str) -> None:
        super().__init__()
        self._orig_mod = mod
        self.__dict__["_compile_name"] = name

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        # looked up per call (not a bound method kept at construction), so a deepcopy of the
        # wrapper calls its own copy of the module
        return _run(self._modules["_orig_mod"], self._compile_name, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        modules = self.__dict__.get("_modules")
        if modules is None or "_orig_mod" not in modules:  # half-built (copy, unpickling)
            raise AttributeError(f"'OptimizedModule' object has no attribute '{name}'")
        if name == "_orig_mod":
            return modules["_orig_mod"]
        return getattr(modules["_orig_mod"], name)

    def __repr__(self) -> str:
        inner = repr(self._orig_mod).replace("\n", "\n  ")
        return f"OptimizedModule(\n  (_orig_mod): {inner}\n)"


def compile(  # noqa: A001 - PyTorch's name
    model: Callable | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable | None = None,
    mode: str | None = None,
    options: dict[str, Any] | None = None,
    name: str | None = None,
    disable: bool = False,
    recompile_limit: int | None = None,
    isolate_recompiles: bool = False,
    shapes_spec: Any = None,
) -> Any:
    """``torch.compile``: a module gives an :class:`OptimizedModule`, a function a function
    (with the original's name and ``__wrapped__``); no ``model`` gives a decorator.

    A compiled function is captured (see :mod:`jitgrad.capture`); a module runs eagerly.
    ``mode`` picks what runs a captured graph, as PyTorch's modes trade compile time for run
    time: by default (and ``"reduce-overhead"``, ``"lite"``) the tape interpreter, compiled
    once, so a new graph costs a trace and no compile; ``"max-autotune"`` (and
    ``"max-autotune-no-cudagraphs"``) generates straight-line source for each graph and
    compiles it with Numba when it is traced: replays skip the interpreter's per-row
    dispatch, but each new graph pays a compile that grows with its length (seconds for
    hundreds of ops, minutes for thousands: perf/RESULTS.md, run Q). ``explain()`` names the
    tier each captured graph runs on. ``fullgraph``, ``dynamic`` and ``options`` are checked
    as PyTorch checks them and otherwise have no effect; a callable ``backend`` is never
    called (there is no FX graph to give it). ``disable=True`` returns ``model`` itself.
    """
    _check(model, backend, mode, options)
    if model is None:

        def decorator(fn: Callable) -> Any:
            return compile(
                fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                options=options, name=name, disable=disable, recompile_limit=recompile_limit,
                isolate_recompiles=isolate_recompiles, shapes_spec=shapes_spec,
            )  # fmt: skip

        return decorator
    if disable:
        return model
    label = name or getattr(model, "__qualname__", None) or type(model).__name__
    if isinstance(model, Module):
        return OptimizedModule(model, name or type(model).__name__)
    return _captured_call(model, label, mode in STRAIGHT_MODES)
