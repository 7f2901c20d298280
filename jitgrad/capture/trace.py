"""The trace: run the function eagerly once while recording every op into a :class:`Tape`.

During a trace the public API is interposed: every public function of ``jitgrad``,
``jitgrad.nn.functional``, ``jitgrad.special`` and ``jitgrad.linalg``, every method of
``Tensor`` and the optimizers' ``step``/``zero_grad`` are replaced by wrappers, and put back
after. A wrapper runs the real op (so the call returns exactly eager's result, errors
included) and, for an op in :mod:`.optable`, records it; any other op the function calls
stops the recording (:class:`Unsupported`, with the op and the line that called it) and the
rest of the call runs eagerly unrecorded. Only the user's own calls are interposed: an op
called inside another op's implementation passes straight through (a depth count).

Nothing is wrapped outside a trace, so the eager per-op path pays nothing for capture.
Another thread's calls during a trace pass through unrecorded; one trace runs at a time
(:mod:`.compiled` runs a second one eagerly). Limits (see :mod:`jitgrad.capture`): a
function object bound before the trace (``from jitgrad import exp``) is not seen; Python
values read from globals are baked in.
"""

from __future__ import annotations

import functools
import gc
import sys
import traceback
import weakref
from collections.abc import Callable
from threading import Lock, get_ident
from typing import Any

from .. import linalg, special
from ..engine.grad_mode import STATE
from ..engine.heap import promote_young
from ..frontend import creation
from ..frontend.tensor import Tensor
from ..frontend.tensor import _init_fields as _INIT
from ..nn import _functional_extra as NFX
from ..nn import functional as NF
from ..nn import rnn as NRNN
from ..nn import utils as NU
from ..optim import SGD
from ..optim._lr_base import LRScheduler
from ..optim.optimizer import Optimizer
from . import record as R
from . import record_layout as RL
from . import record_matmul as RM
from . import record_norm as RN
from . import record_optim as RO
from . import record_pointwise as RP
from .tape import Program, Tape, Unsupported

#: Tensor attributes that read no values (safe to call anywhere in a traced function).
STATIC = frozenset(
    "__init__ __new__ __hash__ __len__ __getattr__ __setattr__ __delattr__ __getattribute__ "
    "__dir__ __sizeof__ __reduce__ __reduce_ex__ __getstate__ __setstate__ __init_subclass__ "
    "__subclasshook__ __class_getitem__ __weakref__ size dim numel ndimension nelement "
    "is_contiguous is_floating_point stride storage_offset type".split()
)
#: module functions that read no tensor values
PASS = frozenset(
    "no_grad enable_grad set_grad_enabled is_grad_enabled inference_mode is_tensor "
    "get_default_dtype is_floating_point is_inference_mode_enabled".split()
)

#: Globals of :mod:`jitgrad.nn.rnn` that its recurrence calls at the user's depth (a module's
#: ``forward`` is the user's code to the trace): ``stack`` and ``cat`` of the steps' outputs,
#: ``record`` of the LSTM's renaming node. Interposed by name, as they are looked up there.
RNN_GLOBALS: dict[str, Any] = {"stack": R.stack, "cat": None, "record": RL.named}
#: :mod:`jitgrad.frontend.creation`'s functions that module code calls (an RNN's zero state)
CREATION: dict[str, Any] = {"zeros": R.zeros}
#: Globals of :mod:`jitgrad.nn._functional_extra` that ``scaled_dot_product_attention`` calls
#: (its body is recorded as the user's calls: :func:`.record_mask.inline`)
ATTENTION_GLOBALS: dict[str, Any] = {"zeros": R.zeros, "ones": R.ones, "matmul": RM.matmul,
                                     "dropout": RN.dropout}  # fmt: skip


class Recorder:
    """One trace in progress: the tape, the tensors it knows, why it stopped (if it did)."""

    def __init__(self, fn_name: str, args: tuple) -> None:
        self.name = fn_name
        self.tape = Tape()
        self.slots: dict[int, Any] = {}  # id(tensor) -> Slot
        self.keep: list[Any] = []  # every tensor in slots, alive so ids stay unique
        self.args = {id(a): i for i, a in enumerate(args) if isinstance(a, Tensor)}
        self.guards: list[tuple[Tensor, tuple]] = []  # external tensors and their keys
        self.values: list[tuple[Any, str, Any]] = []  # (dict, key, value) Python values read
        self.written: dict[int, tuple] = {}  # id -> ((kind, ref), slot) changed in place
        self.failed: str | None = None
        #: why this call's program must not be kept, though the next call may be captured
        #: (an optimizer created its state: a replay would not)
        self.retrace: str | None = None
        self.depth = 0
        self.nodes_by_fn: dict[int, Any] = {}  # id(eager grad_fn) -> tape Node
        self.thread = get_ident()  # other threads' calls pass through unrecorded
        self.int_views: dict[int, tuple] = {}  # id -> ref: views of integer index tensors
        self.created: dict[int, Any] = {}  # id -> weakref of each tensor made during the trace
        self.masks: dict[int, Any] = {}  # id -> arena -> bools: masks (:mod:`.record_mask`)

    def fail(self, why: str) -> None:
        """Stop recording: the rest of the call runs eagerly; remember where and why."""
        if self.failed is None:
            self.failed = f"{why} (at {_user_line()})"

    def finish(self, result: Any) -> Program:
        """The program, once the traced call returned ``result``."""
        tape = self.tape
        writes = [(src, s.off, s.n) for src, s in self.written.values()]
        grads = [(ref, off) for ref, off in tape.grads.values()]
        return tape.freeze(R.output_spec(self, result), writes, grads)


def _user_line() -> str:
    """file:line of the innermost frame outside jitgrad: where the user's code called."""
    for frame in reversed(traceback.extract_stack()):
        if "/jitgrad/" not in frame.filename.replace("\\", "/"):
            return f"{frame.filename}:{frame.lineno}"
    return "?"


_NOT_METHODS = (type, property, staticmethod, classmethod)
ACTIVE = R.ACTIVE
#: Held for a whole trace: the API is interposed process-wide, so two traces on two threads
#: would each take the other's wrappers for the originals and one would leave them installed
#: for good. A call that finds it held runs eagerly (see ``CompiledFunction.__call__``).
TRACING = Lock()


def _wrap(name: str, fn: Callable, handler: Callable | None) -> Callable:
    """``fn`` that, called from the user's code during a trace, records (``handler``) or
    stops the recording (no handler)."""

    transparent = getattr(handler, "transparent", None)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        rec = R.recording()
        if rec is None:
            return fn(*args, **kwargs)
        if transparent is not None:  # a composite recorded as the user's own calls
            transparent(rec)
            return fn(*args, **kwargs)
        refused = None
        prepare = getattr(handler, "args", None)
        if prepare is not None:  # (e.g. an iterator argument made a list both sides can read)
            args, kwargs = prepare(*args, **kwargs)
        if handler is None:
            refused = f"{name} is not capturable"
        elif getattr(handler, "pre", None) is not None:
            try:
                handler.pre(rec, *args, **kwargs)
            except Exception as e:  # noqa: BLE001 - never let recording break the eager call
                refused = f"{name}: {_why(e)}"
        if refused is not None:
            rec.fail(refused)
        rec.depth += 1  # (also when refused: the op's own calls are not the user's)
        try:
            out = fn(*args, **kwargs)
        finally:
            rec.depth -= 1
        if refused is not None:
            return out
        try:
            replaced = handler(rec, out, *args, **kwargs)
        except Exception as e:  # noqa: BLE001 - never let recording break the eager call
            rec.fail(f"{name}: {_why(e)}")
            return out
        return out if replaced is None else replaced

    functools.update_wrapper(wrapper, fn)  # the name and doc a program may read mid-trace
    return wrapper


def _why(e: Exception) -> str:
    """An :class:`Unsupported` reason, or a recording error named as one (a capture bug: the
    call still ran eagerly and returned eager's result)."""
    return str(e) if isinstance(e, Unsupported) else f"capture error {e!r}"


def _targets() -> list[tuple[Any, str, Any, Callable | None]]:
    """(owner, attribute, original, handler) for everything a trace interposes."""
    jitgrad = sys.modules["jitgrad"]  # the package itself, complete by the first trace
    out = []
    for name, value in list(vars(Tensor).items()):
        if name in STATIC or not callable(value) or isinstance(value, _NOT_METHODS):
            continue
        out.append((Tensor, name, value, RP.METHODS.get(name)))
    for mod, table in ((jitgrad, RP.FUNCTIONS), (NF, RP.NN), (special, {}), (linalg, {})):
        for name, value in list(vars(mod).items()):
            if name.startswith("_") or name in PASS or isinstance(value, type):
                continue
            if callable(value) and not isinstance(value, type(sys)):
                out.append((mod, name, value, table.get(name)))
    for mod, table in ((NRNN, RNN_GLOBALS), (creation, CREATION), (NFX, ATTENTION_GLOBALS)):
        for name, handler in table.items():
            out.append((mod, name, vars(mod)[name], handler))
    for name, value in list(vars(NU).items()):  # nn.utils' own functions: clip_grad_norm_ kept
        if not name.startswith("_") and getattr(value, "__module__", None) == NU.__name__:
            out.append((NU, name, value, RO.UTILS.get(name)))
    for cls in _subclasses(LRScheduler):
        if "step" in vars(cls):
            out.append((cls, "step", vars(cls)["step"], RO.scheduler_step))
    for cls in {SGD, Optimizer, *Optimizer.__subclasses__()}:
        for name in ("step", "zero_grad"):
            if name in vars(cls):
                handler = RO.OPTIM.get((cls is SGD or cls is Optimizer, name))
                out.append((cls, name, vars(cls)[name], handler))
    return out


def _subclasses(cls: type) -> list[type]:
    """``cls`` and every subclass below it."""
    out, todo = [], [cls]
    while todo:
        c = todo.pop()
        out.append(c)
        todo.extend(c.__subclasses__())
    return out


def _note_made(rec: Recorder) -> Any:
    """``tensor._init_fields`` (which every new tensor goes through) noting each tensor made
    during the trace, by weak reference, so that one made by an op the trace did not see is
    never taken for an input from outside the call. Installed in every module that imported
    it, for the trace only (``Tensor.__new__`` cannot be swapped and put back: CPython keeps
    the swapped slot, and ``Tensor(data)`` would fail after)."""

    def init(t: Any, *args: Any, **kwargs: Any) -> None:
        _INIT(t, *args, **kwargs)
        if rec.thread == get_ident():
            rec.created[id(t)] = weakref.ref(t)

    return init


#: (id(owner), name) -> (original, its wrapper): wrappers hold no trace state, so they are
#: made once and reused by every trace (~1200 of them)
_WRAPPERS: dict[tuple[int, str], tuple[Any, Callable]] = {}


def run_traced(rec: Recorder, fn: Callable, args: tuple, kwargs: dict) -> Any:
    """Call ``fn`` with the API interposed for ``rec``; returns its (eager) result."""
    targets = _targets()
    grad_prop = vars(Tensor)["grad"]
    for owner, name, value, handler in targets:
        key = (id(owner), name)
        have = _WRAPPERS.get(key)
        if have is None or have[0] is not value:  # new, or replaced since (monkeypatching)
            label = f"{getattr(owner, '__name__', owner)}.{name}"
            have = _WRAPPERS[key] = (value, _wrap(label, value, handler))
        setattr(owner, name, have[1])
    Tensor.grad = property(RO.grad_getter(grad_prop.fget), RO.grad_setter(grad_prop.fset))
    made = _note_made(rec)
    inits = [m for m in list(sys.modules.values()) if getattr(m, "_init_fields", None) is _INIT]
    for m in inits:
        m._init_fields = made
    ACTIVE.append(rec)
    rec.grad_mode = STATE.enabled
    collecting = gc.isenabled()
    gc.disable()  # a trace keeps every tensor alive: each cyclic collection would scan them all
    try:
        return fn(*args, **kwargs)
    finally:
        if collecting:
            promote_young()  # (what the trace made: into the oldest generation, unscanned)
            gc.enable()
        ACTIVE.pop()
        for owner, name, value, _ in targets:
            setattr(owner, name, value)
        Tensor.grad = grad_prop
        for m in inits:
            m._init_fields = _INIT
