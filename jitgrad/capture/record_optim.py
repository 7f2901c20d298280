"""What ``.grad`` reads and writes and the optimizers' calls record during a trace.

A leaf's gradient lives in the arena like any value (:attr:`.tape.Tape.grads` says where, or
that it is None); reading ``.grad`` aliases that place, ``= None`` and ``zero_grad()`` reset
it, and an SGD (any momentum, dampening, weight decay, Nesterov, maximize), Adam or AdamW
(no amsgrad) ``step()`` becomes one update row per parameter, computed as the optimizer's
kernel computes it. Optimizer state is read and written in the arena like a parameter; the
step that creates it (the first) runs eagerly and the next call traces again. An optimizer
call registers its parameters before it runs, so their guards and reads see them as the call
found them. The learning rate is not baked in: it is written into the program's constants
from the param group before each run (and after each ``lr_scheduler.step()`` the step makes,
a host call running the scheduler's own code), so a schedule replays one program.
``nn.utils.clip_grad_norm_`` is a host call running eager's own norm and scaling.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

import numpy as np

from ..frontend.tensor import Tensor, _make
from ..nn.utils import _scale_grads_, get_total_norm
from ..optim import SGD, Adam, AdamW
from . import interp as I
from .record import _out, _written, recording, slot_of
from .tape import EITHER, Slot, Unsupported


def grad_getter(fget: Any):
    def get(t: Tensor) -> Any:
        g = fget(t)
        rec = recording()
        if rec is None or g is None:
            return g
        entry = rec.tape.grads.get(id(t))
        if entry is None or entry[1] is None:
            rec.fail(".grad of a tensor the trace has no gradient for")
            return g
        s = Slot(entry[1], t._value.size, t._value.shape)  # no ref: .grad is written back
        rec.slots[id(g)] = s
        rec.keep.append(g)
        return g

    return get


def grad_setter(fset: Any):
    def set_(t: Tensor, value: Any) -> None:
        rec = recording()
        if rec is None:
            fset(t, value)
            return
        if value is not None:
            rec.fail("assigning a tensor to .grad")
        else:
            first = id(t) not in rec.slots
            try:
                slot_of(rec, t)  # before the assignment: the guard sees the state at the start
            except Unsupported as e:
                rec.fail(f".grad = None: {e}")
            else:
                if first and t._requires_grad and id(t) not in rec.args:
                    _unread_grad(rec, t)
                rec.tape.grads[id(t)][1] = None
        fset(t, value)

    return set_


def _unread_grad(rec: Any, t: Tensor) -> None:
    """``t.grad = None`` before the step touched ``t`` (``x.grad = None`` opening a step):
    the step never sees the ``.grad`` it had, so its guard takes either (else the first
    call, without one, and the next, with the one it made, trace two programs) and the tape
    does not read it. (A replay writes the new gradient into a ``.grad`` the leaf has, as
    the program traced with one did: no fresh 32 MB to fault in per step.)"""
    tape = rec.tape
    for i in range(len(rec.guards) - 1, -1, -1):
        if rec.guards[i][0] is t:
            key = rec.guards[i][1]
            rec.guards[i] = (t, (*key[:3], EITHER, *key[4:]))
            break
    tape.reads = [r for r in tape.reads if not (r[3] and r[2][1] is t)]


def zero_grad(rec: Any, out: Any, opt: Any, set_to_none: bool = True) -> None:
    for group in opt.param_groups:
        for p in group["params"]:
            slot_of(rec, p)
            entry = rec.tape.grads[id(p)]
            if set_to_none:
                entry[1] = None
            elif entry[1] is not None:
                rec.tape.row("fill", entry[1], n=p._value.size, c=rec.tape.const(0.0))


def _params(rec: Any, opt: Any, *args: Any, **kwargs: Any) -> None:
    """Before an optimizer call runs: its parameters' slots, so that their guards and reads
    see them as they were before the call changed them."""
    for group in opt.param_groups:
        for p in group["params"]:
            slot_of(rec, p)


def _before_zero_grad(rec: Any, opt: Any, set_to_none: bool = True) -> None:
    """:func:`_params`; a ``zero_grad()`` (to None) opening the step is ``p.grad = None``
    for each parameter the step had not touched (:func:`_unread_grad`): one program serves
    the first call (no ``.grad`` yet) and the next (with the one the first made), and a
    replay does not copy in gradients it drops."""
    fresh = [p for g in opt.param_groups for p in g["params"] if id(p) not in rec.slots]
    _params(rec, opt)
    if set_to_none:
        for p in fresh:
            if p._requires_grad and id(p) not in rec.args:
                _unread_grad(rec, p)


zero_grad.pre = _before_zero_grad  # type: ignore[attr-defined]


class _Holds:
    """A guard that ``opt.state[p][name]`` is still tensor ``t`` (:func:`.compiled._holds`
    reads it as ``owner.get(key)`` and wants True): a replay reads and writes that tensor."""

    __slots__ = ("state", "p", "name", "t")

    def __init__(self, state: Any, p: Tensor, name: str, t: Tensor) -> None:
        self.state, self.p, self.name, self.t = state, p, name, t

    def get(self, key: Any, default: Any = None) -> bool:
        entry = self.state.get(self.p)
        return entry is not None and entry.get(self.name) is self.t


def _state(rec: Any, opt: Any, p: Tensor, names: tuple[str, ...]) -> list[Any] | None:
    """Slots of ``p``'s optimizer state tensors ``names``, guarded; None (and the call traces
    again next time) when the step that just ran created them: a replay only updates state."""
    before = rec.__dict__.get("optim_before", {}).get(id(p), ())
    if any(name not in before for name in names):
        rec.retrace = f"{type(opt).__name__} created its state on this step"
        return None
    slots = []
    for name in names:
        t = opt.state[p][name]
        rec.values.append((_Holds(opt.state, p, name, t), "", True))
        s = slot_of(rec, t, counter=name == "step")
        _written(rec, t, s)
        slots.append(s)
    return slots


def _guard_group(rec: Any, group: dict, keys: tuple[str, ...]) -> None:
    """Guard a param group's hyper-parameters ``keys`` as one tuple (one C call per replay)."""
    getter = itemgetter(*keys)
    rec.values.append((group, getter, getter(group)))


class _IsNumber:
    """A guard that ``group["lr"]`` is still a Python number (:func:`.compiled._holds` reads
    it as ``owner.get(key)`` and wants True): its value is read at each run, not guarded."""

    __slots__ = ("group",)

    def __init__(self, group: dict) -> None:
        self.group = group

    def get(self, key: Any, default: Any = None) -> bool:
        return type(self.group.get("lr")) in (float, int)


def _live_lr(rec: Any, group: dict, write: Any) -> None:
    """The learning rate is read from the param group at each run (``write(consts, lr)``
    puts it, and what derives from it, into the program's constants), not baked in: a
    schedule that changes it between steps (an ``lr_scheduler``, or ``group["lr"] = ...``
    outside the step) replays the same program. Its type is guarded."""
    if type(group["lr"]) not in (float, int):
        raise Unsupported(f"a learning rate of type {type(group['lr']).__name__}")
    rec.values.append((_IsNumber(group), "", True))
    written = [group["lr"]]  # the rate the constants hold (the caller put this one there)

    def live(consts: Any) -> None:  # (a rate unchanged since: nothing to convert and write)
        lr = group["lr"]
        if lr is not written[0]:
            write(consts, lr)
            written[0] = lr

    rec.tape.live.append((live, (group, "lr", group["lr"])))


_SGD_KEYS = ("momentum", "dampening", "weight_decay", "nesterov", "maximize")


def _sgd(rec: Any, opt: Any, group: dict, params: list) -> None:
    tape = rec.tape
    cast = tape.dtype.np.type
    _guard_group(rec, group, _SGD_KEYS)
    momentum = group["momentum"]
    c = tape.const(cast(group["lr"]), cast(momentum), cast(1 - group["dampening"]),
                   cast(group["weight_decay"]))  # fmt: skip
    _live_lr(rec, group, lambda consts, lr: consts.__setitem__(c, cast(lr)))
    flags = (I.SGD_MOMENTUM if momentum != 0 else 0) | (I.SGD_NESTEROV if group["nesterov"]
             else 0) | (I.SGD_MAXIMIZE if group["maximize"] else 0)  # fmt: skip
    for p, s, goff in params:
        buf = 0
        if momentum != 0:
            slots = _state(rec, opt, p, ("momentum_buffer",))
            if slots is None:
                continue
            buf = slots[0].off
        tape.row("sgd", s.off, goff, buf, n=s.n, c=c, aux=flags)
        _written(rec, p, s)


_ADAM_KEYS = ("betas", "eps", "weight_decay", "amsgrad", "maximize")


def _adam(rec: Any, opt: Any, group: dict, params: list) -> None:
    if group["amsgrad"]:
        raise Unsupported(f"{type(opt).__name__} with amsgrad=True")
    tape = rec.tape
    cast = tape.dtype.np.type
    _guard_group(rec, group, _ADAM_KEYS)
    lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
    decoupled = type(opt) is AdamW
    c = tape.const(cast(1 - beta1), cast(beta2), cast(1 - beta2), cast(group["eps"]),
                   cast(0 if decoupled else wd), cast(1 - lr * wd if decoupled else 1),
                   cast(-1 if group["maximize"] else 1), lr, beta1, beta2, 0.5)  # fmt: skip

    def write(consts: Any, lr: float) -> None:  # (as ``optim.Adam._update`` computes them)
        consts[c + 5] = cast(1 - lr * wd if decoupled else 1)
        consts[c + 7] = lr

    _live_lr(rec, group, write)
    for p, s, goff in params:
        slots = _state(rec, opt, p, ("step", "exp_avg", "exp_avg_sq"))
        if slots is None:
            continue
        step, m, v = slots
        if step.n != 1:
            raise Unsupported("a step counter that is not one number")
        tape.row("adam", s.off, goff, m.off, n=s.n, acc=step.off, c=c, aux=v.off)
        _written(rec, p, s)


_STEPS = {SGD: _sgd, Adam: _adam, AdamW: _adam}


def step(rec: Any, out: Any, opt: Any, closure: Any = None) -> None:
    """An optimizer step: one update row per parameter with a gradient, as its kernel
    computes it (:mod:`jitgrad.kernels.cpu.optim`)."""
    update = _STEPS.get(type(opt))
    if update is None or closure is not None:
        raise Unsupported(f"{type(opt).__name__}.step (capture replays SGD, Adam and AdamW)")
    tape = rec.tape
    for group in opt.param_groups:
        params = []
        for p in group["params"]:
            goff = tape.grads[id(p)][1]
            if goff is not None:
                params.append((p, slot_of(rec, p), goff))
        update(rec, opt, group, params)


def _before_step(rec: Any, opt: Any, *args: Any, **kwargs: Any) -> None:
    """:func:`_params`, and which state each parameter had before the step."""
    _params(rec, opt)
    state = opt.state
    rec.optim_before = {id(p): tuple(state[p]) if p in state else () for g in opt.param_groups
                        for p in g["params"]}  # fmt: skip


step.pre = _before_step  # type: ignore[attr-defined]


def scheduler_step(rec: Any, out: Any, sched: Any, *args: Any, **kwargs: Any) -> None:
    """``lr_scheduler.step()`` in the step: a host call that runs the scheduler's own
    ``step`` at each replay (Python arithmetic on its counters and the param groups'
    learning rates), then writes the new rates into the program's constants
    (:func:`_live_lr`), so a later optimizer row in the same run sees them as eager's does."""
    if args or kwargs:
        raise Unsupported(f"{type(sched).__name__}.step with arguments (an epoch or a metric)")
    if getattr(sched, "_is_initial", False):  # (its constructor's step: made in the step)
        raise Unsupported("a learning-rate scheduler made during the step")
    cell: list = []
    rec.tape.cells.append(cell)

    def host(arena: np.ndarray, call_args: tuple) -> None:
        sched.step()
        program = cell[0]
        for write in program.live:
            write(program.consts)

    rec.tape.host(host)


def _as_list(parameters: Any, *args: Any, **kwargs: Any) -> tuple[tuple, dict]:
    """``clip_grad_norm_``'s arguments with an iterator of parameters (``model.parameters()``)
    made a list, once, so that both the eager call and the recording see every parameter."""
    if not isinstance(parameters, Tensor):
        parameters = list(parameters)
    return (parameters, *args), kwargs


def clip_grad_norm(rec: Any, out: Any, parameters: Any, max_norm: Any, norm_type: Any = 2.0,
                   error_if_nonfinite: bool = False, foreach: Any = None) -> None:  # fmt: skip
    """``nn.utils.clip_grad_norm_``: a host call that runs eager's own
    :func:`~jitgrad.nn.utils.get_total_norm` and scaling on tensors over the gradients'
    arena slots, so the norm, the clip factor and the scaled gradients are eager's bit for
    bit (an ``error_if_nonfinite`` error is raised by the replay as by eager). The total norm
    it returns gets a slot."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    where = []
    for p in params:
        slot_of(rec, p)
        goff = rec.tape.grads[id(p)][1]
        if p._grad is None:  # (not ``.grad``: the trace's getter would alias it)
            continue
        if goff is None:
            raise Unsupported("clip_grad_norm_ of a .grad the trace has no gradient for")
        where.append((goff, p._value.size, p._value.shape))
    if not where or not isinstance(out, Tensor):
        raise Unsupported("clip_grad_norm_ of no gradients")
    s = _out(rec, out)
    dtype = rec.tape.dtype

    def clip(arena: np.ndarray, args: tuple) -> None:
        grads = [_make(arena[off : off + n].reshape(shape), dtype) for off, n, shape in where]
        total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
        _scale_grads_(grads, max_norm, total)
        for g, (off, n, _) in zip(grads, where, strict=True):
            if not np.shares_memory(g._value, arena):  # (the in-place product wrote elsewhere)
                arena[off : off + n] = g._value.reshape(n)
        arena[s.off] = total._value.reshape(1)[0]

    rec.tape.host(clip)


clip_grad_norm.args = _as_list  # type: ignore[attr-defined]


#: (is SGD or the base class, method) -> handler; other optimizers' steps stop the trace
OPTIM: dict[tuple[bool, str], Any] = {(True, "step"): step, (True, "zero_grad"): zero_grad}
#: ``jitgrad.nn.utils`` functions recorded (its others stop the recording)
UTILS: dict[str, Any] = {"clip_grad_norm_": clip_grad_norm}
