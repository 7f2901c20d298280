"""What ``.grad`` reads and writes and the optimizers' calls record during a trace.

A leaf's gradient lives in the arena like any value (:attr:`.tape.Tape.grads` says where, or
that it is None); reading ``.grad`` aliases that place, ``= None`` and ``zero_grad()`` reset
it, and plain SGD's ``step()`` becomes one update row per parameter (the optimizer kernel's
``p - lr * g``). An optimizer call registers its parameters before it runs, so their guards
and reads see them as the call found them.
"""

from __future__ import annotations

from typing import Any

from ..optim import SGD
from ..tensor import Tensor
from .record import _written, recording, slot_of
from .tape import Slot, Unsupported


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
            try:
                slot_of(rec, t)  # before the assignment: the guard sees the state at the start
            except Unsupported as e:
                rec.fail(f".grad = None: {e}")
            else:
                rec.tape.grads[id(t)][1] = None
        fset(t, value)

    return set_


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


zero_grad.pre = _params  # type: ignore[attr-defined]

_SGD_PLAIN = {"momentum": 0, "weight_decay": 0, "nesterov": False, "maximize": False}


def sgd_step(rec: Any, out: Any, opt: Any, closure: Any = None) -> None:
    if type(opt) is not SGD or closure is not None:
        raise Unsupported(f"{type(opt).__name__}.step (capture replays plain SGD)")
    tape = rec.tape
    for group in opt.param_groups:
        for key, want in _SGD_PLAIN.items():
            if group.get(key) != want:
                raise Unsupported(f"SGD with {key}={group.get(key)!r}")
        rec.values.append((group, "lr", group["lr"]))
        c = None
        for p in group["params"]:
            s = slot_of(rec, p)
            goff = tape.grads[id(p)][1]
            if goff is None:
                continue
            if c is None:
                c = tape.const(tape.dtype.np.type(group["lr"]))
            tape.row("sgd", s.off, goff, n=s.n, c=c)
            _written(rec, p, s)


sgd_step.pre = _params  # type: ignore[attr-defined]


#: (is SGD or the base class, method) -> handler; other optimizers' steps stop the trace
OPTIM: dict[tuple[bool, str], Any] = {(True, "step"): sgd_step, (True, "zero_grad"): zero_grad}
