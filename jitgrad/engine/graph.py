"""``torch.autograd.graph``: saved-tensor hooks, multi-tensor gradient hooks, the Node type.

Saved-tensor hooks are per thread (like grad mode); :data:`SAVED_HOOKS` counts the contexts
open in any thread, so an op that saves tensors pays one attribute read while none is open
and only then looks at its thread's stack. While a context is open in a thread, that
thread's forward fusion is off (a deferred op has no values to pack yet), and nodes holding
packed values are left out of fused backward groups and the replay cache (they have
``NodeExtras``), so every saved tensor is unpacked by the node that saved it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from types import FunctionType
from typing import Any

from .fusion_mode import STATE as FUSE
from .grad_mode import STATE
from .sweep import Node, RemovableHandle

__all__ = [
    "Node",
    "saved_tensors_hooks",
    "save_on_cpu",
    "disable_saved_tensors_hooks",
    "register_multi_grad_hook",
]


class _Active:
    """How many ``saved_tensors_hooks`` contexts are open, all threads together (a slot, read
    for every recorded op: CPython 3.11 specializes a slot's read, not a class attribute's)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


SAVED_HOOKS = _Active()
_LOCK = threading.Lock()



class saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Within the block, each tensor an op saves for backward is given to ``pack_hook`` and
    the node keeps what it returns; backward (or reading ``grad_fn._saved_*``) gets the
    tensor back from ``unpack_hook(packed)``. Nested contexts: the innermost pair applies."""

    def __init__(self, pack_hook: Callable[[Any], Any], unpack_hook: Callable[[Any], Any]):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> None:
        if STATE.saved_hooks_disabled is not None:
            raise RuntimeError(STATE.saved_hooks_disabled)
        self._prev = (STATE.saved_hooks, FUSE.enabled)
        STATE.saved_hooks = (*STATE.saved_hooks, (self.pack_hook, self.unpack_hook))
        FUSE.enabled = False
        with _LOCK:
            SAVED_HOOKS.count += 1

    def __exit__(self, *exc: object) -> None:
        STATE.saved_hooks, FUSE.enabled = self._prev
        with _LOCK:
            SAVED_HOOKS.count -= 1


class save_on_cpu(saved_tensors_hooks):  # noqa: N801
    """Saved tensors are kept on the CPU and moved back to their device for backward (every
    jitgrad tensor is on the CPU, so this keeps them as they are, as PyTorch does there)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack(t: Any) -> tuple:
            return t.device, t.cpu()

        def unpack(packed: tuple) -> Any:
            device, t = packed
            return t.to(device)

        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:  # noqa: N801
    """Entering ``saved_tensors_hooks`` inside this block raises ``error_message``."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message

    def __enter__(self) -> None:
        self._prev = STATE.saved_hooks_disabled
        STATE.saved_hooks_disabled = self.error_message

    def __exit__(self, *exc: object) -> None:
        STATE.saved_hooks_disabled = self._prev


def pack_saved(node: Node, items: Sequence[tuple[Any, Any]]) -> None:
    """Give each ``(key, tensor)`` to this thread's innermost pack hook and keep the results
    on ``node`` (no hooks in this thread: nothing happens). The hooks are off while a pack
    hook runs, so ops inside it save plainly."""
    hooks = STATE.saved_hooks
    if not hooks:
        return
    pack, unpack = hooks[-1]
    STATE.saved_hooks = ()
    try:
        packed = {key: _pack_one(pack, t) for key, t in items}
    finally:
        STATE.saved_hooks = hooks
    node.extras().packed = (unpack, packed)


PACK_INPLACE = (
    "A saved tensor pack hook is modifying its input in place. Tensors provided as input to "
    "pack hook cannot be modified by in-place operations as this can lead to unexpected "
    "side-effects. Please open an issue if you need to perform in-place operations on the "
    "input to a pack hook."
)


def _pack_one(pack: Callable, t: Any) -> Any:
    """``pack(t)``, refusing (as PyTorch) a hook that changed ``t`` in place."""
    version = t._version
    packed = pack(t)
    if t._version != version:
        raise RuntimeError(PACK_INPLACE)
    return packed


def packed_of(node: Node) -> tuple | None:
    """``(unpack_hook, {key: packed})`` if ``node``'s saved tensors were packed."""
    extra = node._extra
    return None if extra is None else extra.packed


def register_multi_grad_hook(
    tensors: Sequence[Any], fn: Callable, *, mode: str = "all"
) -> RemovableHandle:
    """Call ``fn`` once per backward: ``mode="all"`` with the list of every tensor's gradient
    (None for those this backward gives none) after the last has been computed; ``"any"``
    with the first gradient computed among ``tensors``."""
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = tuple(tensors)
    state: dict[str, Any] = {"sweep": None}

    def start(sweep: Any) -> None:
        """First call within a backward: reset what this backward has seen."""
        state["sweep"] = sweep
        state["grads"] = [None] * len(tensors)
        state["left"] = sum(1 for t in tensors if _will_run(t, sweep))
        state["done"] = False

    def make_hook(i: int) -> Callable:
        def hook(grad: Any) -> None:
            sweep = STATE.sweep
            if state["sweep"] is not sweep:
                start(sweep)
            if mode == "any":
                if not state["done"]:
                    state["done"] = True
                    fn(grad)
                return
            state["grads"][i] = grad
            state["left"] -= 1
            if state["left"] == 0:
                fn(list(state["grads"]))

        return hook

    handles = [t.register_hook(make_hook(i)) for i, t in enumerate(tensors) if t.requires_grad]
    return _MultiHandle(handles)


def _will_run(t: Any, sweep: dict | None) -> bool:
    if sweep is None or not t.requires_grad:
        return False
    node = t.grad_fn if t.grad_fn is not None else t._accumulator()
    return bool(sweep.get(node))


class _MultiHandle(RemovableHandle):
    """Removes every per-tensor hook of one ``register_multi_grad_hook``."""

    def __init__(self, handles: list) -> None:
        super().__init__({})
        self._handles = handles

    def remove(self) -> None:
        for h in self._handles:
            h.remove()


# PyTorch's path of this module (jitgrad/autograd/graph.py is this module under that name):
# what reprs, pickles and the public namespace's checks read, as before the engine moved here.
for _value in list(globals().values()):
    if isinstance(_value, type | FunctionType) and _value.__module__ == __name__:
        _value.__module__ = "jitgrad.autograd.graph"
del _value
