"""Grad mode: whether operations record the graph (``no_grad``, ``enable_grad`` ...).

Grad mode and inference mode are per thread, as in PyTorch: a ``no_grad()`` block, a
``set_grad_enabled(False)`` call or a running ``backward()`` in one thread never changes what
another thread records. A new thread starts with grad mode on and inference mode off,
whatever the thread that started it had set.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from types import FunctionType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    """This thread's flags, read on every op.

    The defaults are class attributes: a thread that never set a flag reads the class's
    value, so a new thread needs no setup, and a read costs one thread-local lookup (about
    15 ns more than a plain attribute; measured on the per-op path, see tests/test_threads).
    """

    enabled = True
    inference = False
    #: ``autograd.graph.saved_tensors_hooks`` (pack, unpack) pairs, innermost last; read
    #: only while :data:`jitgrad.engine.graph.SAVED_HOOKS` counts an open context.
    saved_hooks: tuple = ()
    #: ``disable_saved_tensors_hooks``' message while one is open, else None
    saved_hooks_disabled: str | None = None
    #: the running backward's ``{node: needed}`` (``register_multi_grad_hook`` asks which of
    #: its tensors will get a gradient), None outside a backward
    sweep: dict | None = None
    #: an ``_Off`` while grad mode is off (see :data:`GRAD_OFF`)
    off: Any = None


STATE = _State()

#: How many threads have grad mode off now: a plain list, so the per-op read is
#: ``not GRAD_OFF[0] or STATE.enabled`` (a global load and a subscript; the thread-local read,
#: ~500 instructions through a ``threading.local`` subclass, only while some thread has it
#: off). While it is 0 every thread's grad mode is on; a thread's own reads follow its own
#: writes, so the count is right for the reader whatever other threads do.
GRAD_OFF = [0]
_OFF_LOCK = threading.RLock()  # (``+=`` on a list item is not atomic between threads)


class _Off:
    """Held in ``STATE.off`` while this thread has grad mode off, and counted in
    :data:`GRAD_OFF` while it lives: it ends when the thread turns grad mode on again, or
    with the thread's flags when a thread ends with grad mode off (no count left behind)."""

    __slots__ = ()

    def __init__(self) -> None:
        with _OFF_LOCK:
            GRAD_OFF[0] += 1

    def __del__(self, lock: Any = _OFF_LOCK, count: list = GRAD_OFF) -> None:
        with lock:  # (bound as defaults: still there while the interpreter shuts down)
            count[0] -= 1


def set_enabled(mode: Any) -> Any:
    """Set this thread's grad mode to ``mode`` (stored as given) and return the previous value;
    every write of ``STATE.enabled`` goes through here to keep :data:`GRAD_OFF` counting."""
    prev = STATE.enabled
    if (not mode) != (not prev):  # on to off or off to on
        STATE.off = None if mode else _Off()
    STATE.enabled = mode
    return prev

#: How many ``inference_mode(True)`` blocks are open in all threads: a plain list read by
#: tensor creation (one global load and subscript, no thread-local read on the hot path);
#: only when it is nonzero does creation read this thread's ``STATE.inference``.
INFERENCE_OPEN = [0]
#: The key an inference tensor carries in its ``__dict__`` (no slot: never written on the
#: common path); see :mod:`jitgrad.inference`.
INFERENCE_KEY = "_inference"
#: Where an inference tensor's version counter starts: far below zero, so a node saving one
#: sees a version that is not 0, the branch the elementwise record already takes for tensors
#: changed in place, and checks for a negative one only there (PyTorch's refusal to save an
#: inference tensor costs normal tensors nothing). Changes in place still count up from it.
INFERENCE_VERSION = -(1 << 62)
#: PyTorch's message for an inference tensor that a recorded op would save for backward
INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`."
)


def is_grad_enabled() -> bool:
    """Whether operations currently record the autograd graph."""
    return not GRAD_OFF[0] or STATE.enabled


def is_inference_mode_enabled() -> bool:
    return STATE.inference


def _decorate(fn: F, make_ctx: Callable[[], Any]) -> F:
    """``fn`` run under a fresh context from ``make_ctx``; a generator function's body runs
    under it at each resume only, so code between its yields keeps the caller's mode (as
    PyTorch's decorators do)."""
    if not inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with make_ctx():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def generator(*args: Any, **kwargs: Any) -> Any:
        gen = fn(*args, **kwargs)
        try:
            with make_ctx():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with make_ctx():
                        gen.close()
                    raise
                except BaseException as exc:  # forwarded into the generator, as PyTorch does
                    with make_ctx():
                        response = gen.throw(exc)
                else:
                    with make_ctx():
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return generator  # type: ignore[return-value]


class _GradModeContext:
    """Context manager and decorator that sets grad mode and restores it on exit."""

    _target = True

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(set_enabled(self._target))

    def __exit__(self, *exc: object) -> None:
        set_enabled(self._prev.pop())

    def __call__(self, fn: F) -> F:
        return _decorate(fn, self.clone)

    def clone(self) -> _GradModeContext:
        return self.__class__()


class _NoParamContext(_GradModeContext):
    """Usable as ``@ctx`` as well as ``@ctx()`` (PyTorch's no-parameter decorators)."""

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamContext):  # noqa: N801 - PyTorch's name
    """Disable graph recording: results of ops inside do not require grad."""

    _target = False


class enable_grad(_NoParamContext):  # noqa: N801
    """Enable graph recording inside a ``no_grad`` block."""

    _target = True


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """Set grad mode to ``mode``; works as a function call, context manager or decorator."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._target = bool(mode)
        self._prev.append(set_enabled(self._target))

    def __enter__(self) -> None:
        pass

    def __call__(self, fn: F) -> F:
        set_enabled(self._prev[-1])  # as a decorator it changes nothing until called
        return _decorate(fn, self.clone)

    def clone(self) -> set_grad_enabled:
        return set_grad_enabled(self._target)

    def __repr__(self) -> str:
        """PyTorch's: ``torch.autograd.grad_mode.set_grad_enabled(mode=False)``."""
        cls = type(self)
        return f"{cls.__module__}.{cls.__qualname__}(mode={self._target})"


class inference_mode(_GradModeContext):  # noqa: N801
    """Like ``no_grad``; tensors made inside are plain tensors that never record history."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._mode = bool(mode)
        self._target = not mode
        self._prev_inf: list[bool] = []

    def __enter__(self) -> None:
        super().__enter__()
        self._prev_inf.append(STATE.inference)
        STATE.inference = self._mode
        INFERENCE_OPEN[0] += 1

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        STATE.inference = self._prev_inf.pop()
        INFERENCE_OPEN[0] -= 1

    def __new__(cls, mode: Any = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # ``@inference_mode`` without parentheses

    def __call__(self, fn: F) -> F:
        return _decorate(fn, self.clone)

    def clone(self) -> inference_mode:
        return inference_mode(self._mode)


# PyTorch's path of this module (jitgrad/autograd/grad_mode.py is this module under that name):
# what reprs, pickles and the public namespace's checks read, as before the engine moved here.
for _value in list(globals().values()):
    if isinstance(_value, type | FunctionType) and _value.__module__ == __name__:
        _value.__module__ = "jitgrad.autograd.grad_mode"
del _value
