"""``torch.jit``: the TorchScript entry points, run eagerly.

jitgrad has no TorchScript compiler. Programs commonly write ``@torch.jit.script`` over a
function or call ``torch.jit.trace(model, example)`` and then just call the result; here
``script`` and ``trace`` return an object that runs the original Python eagerly, through
the same kernels, fusion and replay cache as any eager call (its results are eager's,
bit for bit). So control flow is never frozen by ``trace`` (PyTorch's traced function
replays the recorded path; this one re-runs Python), no TorchScript type checking
happens, and ``is_scripting()`` / ``is_tracing()`` are always False (the code is never
inside a compiled or traced run). Saving or loading TorchScript archives
(``save``/``load``, ``ScriptModule.save``) raises NotImplementedError: save the
``state_dict`` with ``torch.save`` instead.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any, Final  # noqa: F401 - torch.jit.Final is typing's

from .engine.grad_mode import no_grad
from .helpers import missing_attribute
from .nn.module import Module

__all__ = [
    "Error",
    "Final",
    "ScriptWarning",
    "TracerWarning",
    "fuser",
    "optimized_execution",
    "script_method",
    "Future",
    "ScriptFunction",
    "ScriptModule",
    "annotate",
    "export",
    "fork",
    "freeze",
    "ignore",
    "interface",
    "is_scripting",
    "is_tracing",
    "load",
    "optimize_for_inference",
    "save",
    "script",
    "script_if_tracing",
    "trace",
    "unused",
    "wait",
]

_NO_ARCHIVES = (
    "{what}: jitgrad does not compile TorchScript, so it cannot write or read TorchScript "
    "archives; save the model's state_dict with torch.save and rebuild the model instead"
)


class ScriptModule(Module):
    """The type PyTorch's scripted and traced modules have. jitgrad's ``script`` and
    ``trace`` return the module itself (which runs eagerly), so no instance of this class
    is ever made by them; it exists for ``isinstance`` checks and subclassing."""

    def save(self, f: Any, **kwargs: Any) -> None:
        raise NotImplementedError(_NO_ARCHIVES.format(what="ScriptModule.save"))


class ScriptFunction:
    """A function "compiled" by :func:`script` or :func:`trace`: calling it runs the Python
    function eagerly (see the module docstring)."""

    def __init__(self, fn: Callable, how: str) -> None:
        functools.update_wrapper(self, fn)
        self._fn = fn
        self._how = how

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(*args, **kwargs)

    def save(self, f: Any, **kwargs: Any) -> None:
        raise NotImplementedError(_NO_ARCHIVES.format(what="ScriptFunction.save"))

    @property
    def code(self) -> str:
        raise NotImplementedError(
            f"torch.jit.{self._how}: jitgrad runs the function eagerly; there is no "
            "TorchScript code or graph to show"
        )

    graph = code

    def __repr__(self) -> str:
        return f"<jitgrad.jit.ScriptFunction {self._fn.__qualname__} (runs eagerly)>"


def _refuse_save(f: Any, **kwargs: Any) -> None:
    raise NotImplementedError(_NO_ARCHIVES.format(what="ScriptModule.save"))


def _as_script_module(module: Module) -> Module:
    """The module itself, with a ``save`` that says TorchScript archives are not written (a
    scripted module has ``save`` in PyTorch; without this it would be an AttributeError)."""
    object.__setattr__(module, "save", _refuse_save)
    return module


def script(
    obj: Any,
    optimize: Any = None,
    _frames_up: int = 0,
    _rcb: Any = None,
    example_inputs: Any = None,
) -> Any:
    """``torch.jit.script``: an ``nn.Module`` is returned itself (given a ``save`` that
    raises NotImplementedError), a function wrapped in a
    :class:`ScriptFunction`; both run eagerly. Classes and other objects come back as
    they are."""
    if isinstance(obj, Module):
        return _as_script_module(obj)
    if isinstance(obj, type):
        return obj
    if callable(obj):
        return ScriptFunction(obj, "script")
    return obj


def trace(
    func: Any,
    example_inputs: Any = None,
    *args: Any,
    example_kwarg_inputs: Any = None,
    **kwargs: Any,
) -> Any:
    """``torch.jit.trace``: runs ``func`` once on ``example_inputs`` (as PyTorch does, so
    errors and side effects such as BatchNorm's running statistics happen at this call),
    then returns a module as it is or a function wrapped in a :class:`ScriptFunction`.
    Later calls re-run the Python: data-dependent control flow is not frozen."""
    if example_inputs is None and example_kwarg_inputs is None:
        raise RuntimeError("example_kwarg_inputs or example_inputs must be provided")
    with no_grad():
        if example_kwarg_inputs is not None:
            func(**example_kwarg_inputs)
        elif isinstance(example_inputs, tuple):
            func(*example_inputs)
        else:
            func(example_inputs)
    if isinstance(func, Module):
        return _as_script_module(func)
    return ScriptFunction(func, "trace")


def script_if_tracing(fn: Callable) -> Callable:
    return fn


def script_method(fn: Callable) -> Callable:
    return fn


class Error(RuntimeError):
    """``torch.jit.Error``: what TorchScript raises for a failed ``raise`` in scripted code."""


class TracerWarning(Warning):
    """``torch.jit.TracerWarning`` (programs filter it); jitgrad's trace never issues it."""


class ScriptWarning(Warning):
    """``torch.jit.ScriptWarning`` (programs filter it); never issued here."""


@contextlib.contextmanager
def optimized_execution(should_optimize: bool) -> Iterator[None]:
    """A no-op context: there is no TorchScript executor to configure."""
    yield


@contextlib.contextmanager
def fuser(name: str) -> Iterator[None]:
    """A no-op context: jitgrad's own fusion pass runs regardless (``jitgrad.fusion``)."""
    yield


def _passthrough_decorator(fn: Any = None, **kwargs: Any) -> Any:
    """``@ignore``, ``@ignore(drop=True)``, ``@unused``: the function unchanged (everything
    runs in Python anyway)."""
    if fn is None:
        return lambda f: f
    return fn


ignore = _passthrough_decorator
unused = _passthrough_decorator


def export(fn: Callable) -> Callable:
    return fn


def interface(obj: Any) -> Any:
    return obj


def is_scripting() -> bool:
    """False: jitgrad never runs code inside TorchScript (see the module docstring)."""
    return False


def is_tracing() -> bool:
    """False: ``trace`` runs the Python eagerly rather than recording it."""
    return False


def annotate(the_type: Any, the_value: Any) -> Any:
    return the_value


class Future:
    """The result of :func:`fork`: the call already ran (eagerly, in this thread)."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def wait(self) -> Any:
        return self._value

    def value(self) -> Any:
        return self._value

    def done(self) -> bool:
        return True


def fork(func: Callable, *args: Any, **kwargs: Any) -> Future:
    return Future(func(*args, **kwargs))


def wait(future: Future) -> Any:
    return future.wait()


def freeze(mod: Any, preserved_attrs: Any = None, optimize_numerics: bool = True) -> Any:
    return mod


def optimize_for_inference(mod: Any, other_methods: Any = None) -> Any:
    return mod


def save(m: Any, f: Any, _extra_files: Any = None) -> None:
    raise NotImplementedError(_NO_ARCHIVES.format(what="torch.jit.save"))


def load(f: Any, map_location: Any = None, _extra_files: Any = None, **kwargs: Any) -> Any:
    raise NotImplementedError(_NO_ARCHIVES.format(what="torch.jit.load"))


#: ``torch.jit.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.jit")
