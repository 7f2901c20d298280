"""The weights-only unpickler: PyTorch's ``torch.load(weights_only=True)`` semantics.

``pickle.Unpickler`` with a restricted ``find_class`` would still run every other opcode
(``BUILD`` setting attributes on any object, ``APPEND`` onto anything with an ``append``).
This interpreter, like PyTorch's ``torch/_weights_only_unpickler.py``, executes only a fixed
set of protocol-2 opcodes, calls only the globals it is given, and refuses everything else
with PyTorch's words. It is iterative (no recursion, whatever the nesting) and reads from an
in-memory buffer, so a forged length can never make it allocate more than the pickle holds.
"""

from __future__ import annotations

import io
import pickle
from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING
from collections import Counter, OrderedDict
from collections.abc import Callable
from pickle import UnpicklingError
from struct import error as StructError
from struct import unpack
from typing import Any

#: Modules whose globals are refused outright (PyTorch's block list).
BLOCKED_MODULES = ("sys", "os", "posix", "nt")
_SIMPLE = {
    pickle.NONE[0]: None,
    pickle.NEWFALSE[0]: False,
    pickle.NEWTRUE[0]: True,
    pickle.EMPTY_TUPLE[0]: (),
}
_EMPTY = {pickle.EMPTY_LIST[0]: list, pickle.EMPTY_DICT[0]: dict, pickle.EMPTY_SET[0]: set}


def _unsupported_global(full_path: str) -> UnpicklingError:
    if full_path.startswith("builtins"):
        rest = full_path[len("builtins") :]
        full_path = rest[1:] if rest.startswith(".") else "builtins" + rest
    return UnpicklingError(
        f"Unsupported global: GLOBAL {full_path} was not an allowed global by default. "
        f"Please use `torch.serialization.add_safe_globals([{full_path}])` or the "
        f"`torch.serialization.safe_globals([{full_path}])` context manager to allowlist this "
        "global if you trust this class/function."
    )


class WeightsUnpickler:
    """Unpickle ``data`` calling only ``allowed`` (``"module.name"`` -> object); storages come
    from ``persistent_load``. ``new_parameter`` is the class ``NEWOBJ`` may construct."""

    def __init__(
        self,
        data: bytes,
        allowed: dict[str, Any],
        persistent_load: Callable[[tuple], Any],
        new_parameter: type,
    ) -> None:
        self._file = io.BytesIO(data)
        self._allowed = allowed
        self._callables = {id(v) for v in allowed.values()}
        self._persistent_load = persistent_load
        self._parameter = new_parameter
        self.memo: dict[int, Any] = {}

    def load(self) -> Any:
        """The unpickled object; any malformed pickle raises ``UnpicklingError``."""
        try:
            return self._run()
        except UnpicklingError:
            raise
        except (EOFError, IndexError, KeyError, TypeError, ValueError, StructError) as e:
            raise UnpicklingError(f"the pickle is malformed ({type(e).__name__}: {e})") from None

    def _run(self) -> Any:  # noqa: C901 - one flat dispatch, as PyTorch's
        read, readline = self._file.read, self._file.readline
        metastack: list[list] = []
        stack: list[Any] = []
        memo = self.memo
        while True:
            key = read(1)
            if not key:
                raise EOFError
            op = key[0]
            if op == pickle.GLOBAL[0]:
                stack.append(self._global(readline))
            elif op in _CALLS:
                self._call(op, stack)
            elif op in _FILLS:
                stack = _fill(op, stack, metastack)
            elif op == pickle.MARK[0]:
                metastack.append(stack)
                stack = []
            elif op in _TUPLES:
                stack = _tuple(op, stack, metastack)
            elif op in _SIMPLE:
                stack.append(_SIMPLE[op])
            elif op in _EMPTY:
                stack.append(_EMPTY[op]())
            elif op in _SCALARS:
                stack.append(_scalar(op, read))
            elif op == pickle.BINPERSID[0]:
                pid = stack.pop()
                if type(pid) is not tuple or not pid or pid[0] != "storage":
                    raise UnpicklingError(
                        f"Only persistent_load of storage is allowed, but got {pid!r:.60}"
                    )
                stack.append(self._persistent_load(pid))
            elif op in (pickle.BINGET[0], pickle.LONG_BINGET[0]):
                idx = read(1)[0] if op == pickle.BINGET[0] else unpack("<I", read(4))[0]
                stack.append(memo[idx])
            elif op in (pickle.BINPUT[0], pickle.LONG_BINPUT[0]):
                idx = read(1)[0] if op == pickle.BINPUT[0] else unpack("<I", read(4))[0]
                memo[idx] = stack[-1]
            elif op == pickle.PROTO[0]:
                read(1)
            elif op == pickle.STOP[0]:
                if len(stack) != 1 or metastack:
                    raise UnpicklingError("STOP with a stack that does not hold one object")
                return stack.pop()
            else:
                raise UnpicklingError(f"Unsupported operand {op}")

    def _global(self, readline: Callable[[], bytes]) -> Any:
        """``GLOBAL``: the allowed object the two lines name (Python 2 names mapped as
        pickle maps them); a blocked module or a name not allowed is refused with PyTorch's
        words, before anything is imported."""
        module = readline()[:-1].decode("utf-8")
        name = readline()[:-1].decode("utf-8")
        if (module, name) in NAME_MAPPING:
            module, name = NAME_MAPPING[(module, name)]
        elif module in IMPORT_MAPPING:
            module = IMPORT_MAPPING[module]
        full_path = f"{module}.{name}"
        if module in BLOCKED_MODULES:
            raise UnpicklingError(
                f"Trying to load unsupported GLOBAL {full_path} whose module {module} "
                "is blocked."
            )
        if full_path not in self._allowed:
            raise _unsupported_global(full_path)
        return self._allowed[full_path]

    def _call(self, op: int, stack: list[Any]) -> None:
        """``NEWOBJ``, ``REDUCE``, ``BUILD``: the opcodes that run code, each limited to what
        PyTorch allows (a Parameter, an allowed callable, an OrderedDict's or an empty state)."""
        if op == pickle.NEWOBJ[0]:
            args = stack.pop()
            cls = stack.pop()
            if cls is not self._parameter:
                raise UnpicklingError(
                    "Can only create new object for nn.Parameter or classes allowlisted "
                    f"via `add_safe_globals` but got {cls}"
                )
            stack.append(cls(*args))
        elif op == pickle.REDUCE[0]:
            args = stack.pop()
            func = stack[-1]
            if id(func) not in self._callables or not callable(func):
                raise UnpicklingError(f"Trying to call reduce for unrecognized function {func}")
            if type(args) is not tuple:
                raise UnpicklingError(f"REDUCE arguments must be a tuple, not {type(args)}")
            stack[-1] = func(*args)
        else:  # BUILD
            state = stack.pop()
            inst = stack[-1]
            if type(inst) is OrderedDict and type(state) is dict:
                inst.__dict__.update(state)
            elif not (isinstance(inst, self._parameter) and not state):
                raise UnpicklingError(
                    "Can only build Tensor, Parameter, OrderedDict or types allowlisted "
                    f"via `add_safe_globals`, but got {type(inst)}"
                )


_CALLS = frozenset((pickle.NEWOBJ[0], pickle.REDUCE[0], pickle.BUILD[0]))
_FILLS = frozenset((pickle.APPEND[0], pickle.APPENDS[0], pickle.SETITEM[0], pickle.SETITEMS[0]))
_TUPLES = frozenset((pickle.TUPLE[0], pickle.TUPLE1[0], pickle.TUPLE2[0], pickle.TUPLE3[0]))
_SCALARS = frozenset(
    op[0]
    for op in (
        pickle.BININT, pickle.BININT1, pickle.BININT2, pickle.BINFLOAT, pickle.BINUNICODE,
        pickle.SHORT_BINSTRING, pickle.LONG1,
    )
)  # fmt: skip


def _fill(op: int, stack: list[Any], metastack: list[list]) -> list[Any]:
    """``APPEND(S)``, ``SETITEM(S)``: add to the list or dict below, and only to a real list
    or dict (``_check_set_item_target``), never to an object with an ``append``. The plural
    forms pop a mark: the stack the loop continues with is returned."""
    if op == pickle.APPEND[0]:
        item = stack.pop()
        if type(stack[-1]) is not list:
            raise UnpicklingError(f"Can only append to lists, but got {type(stack[-1])}")
        stack[-1].append(item)
    elif op == pickle.APPENDS[0]:
        items, stack = stack, metastack.pop()
        if type(stack[-1]) is not list:
            raise UnpicklingError(f"Can only extend lists, but got {type(stack[-1])}")
        stack[-1].extend(items)
    elif op == pickle.SETITEM[0]:
        value, k = stack.pop(), stack.pop()
        _check_set_item_target(stack[-1], "SETITEM")
        stack[-1][k] = value
    else:  # SETITEMS
        items, stack = stack, metastack.pop()
        _check_set_item_target(stack[-1], "SETITEMS")
        if len(items) % 2:
            raise UnpicklingError("SETITEMS with an odd number of items")
        for i in range(0, len(items), 2):
            stack[-1][items[i]] = items[i + 1]
    return stack


def _tuple(op: int, stack: list[Any], metastack: list[list]) -> list[Any]:
    """``TUPLE`` (the items since the mark: the stack the loop continues with is returned)
    and ``TUPLE1``..``TUPLE3`` (the top one to three items)."""
    if op == pickle.TUPLE[0]:
        items, stack = stack, metastack.pop()
        stack.append(tuple(items))
    elif op == pickle.TUPLE1[0]:
        stack[-1] = (stack[-1],)
    elif op == pickle.TUPLE2[0]:
        stack[-2:] = [(stack[-2], stack[-1])]
    else:  # TUPLE3
        stack[-3:] = [(stack[-3], stack[-2], stack[-1])]
    return stack


def _scalar(op: int, read: Callable[[int], bytes]) -> Any:
    """The number or string an immediate-value opcode reads; a string's length is checked
    against what the pickle holds, so a forged one cannot allocate more."""
    if op == pickle.BININT[0]:
        return unpack("<i", read(4))[0]
    if op == pickle.BININT1[0]:
        return read(1)[0]
    if op == pickle.BININT2[0]:
        return unpack("<H", read(2))[0]
    if op == pickle.BINFLOAT[0]:
        return unpack(">d", read(8))[0]
    if op == pickle.BINUNICODE[0]:
        n = unpack("<I", read(4))[0]
        raw = read(n)  # never more than the pickle holds
        if len(raw) != n:
            raise EOFError
        return str(raw, "utf-8", "surrogatepass")
    if op == pickle.SHORT_BINSTRING[0]:
        return read(read(1)[0]).decode("ascii")
    return pickle.decode_long(read(read(1)[0]))  # LONG1


def _check_set_item_target(target: Any, opcode: str) -> None:
    if type(target) not in (dict, OrderedDict, Counter):
        raise UnpicklingError(
            f"Can only {opcode} for dict, collections.OrderedDict, "
            f"collections.Counter, but got {type(target)}"
        )


UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in "
    "`torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set to "
    "`False` will likely succeed, but it can result in arbitrary code execution. Do it only if "
    "you got the file from a trusted source."
)
_DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default "
    "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)


def weights_only_message(message: str) -> str:
    """PyTorch's full ``Weights only load failed...`` text around the unpickler's ``message``."""
    if "was not an allowed global by default." in message:
        return (
            "Weights only load failed. This file can still be loaded, to do so you have two "
            "options, \033[1mdo those steps only if you trust the source of the checkpoint"
            f"\033[0m. \n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with "
            "`weights_only=True` please check the recommended steps in the following error "
            "message.\n\tWeightsUnpickler error: " + message + _DOCS_MESSAGE
        )
    updated = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
    if "is blocked" not in message:
        updated += (
            "Please file an issue with the following so that we can make `weights_only=True` "
            "compatible with your use case: WeightsUnpickler error: "
        )
    return updated + "\n\n" + message + _DOCS_MESSAGE
