"""``torch.autograd.profiler``: a minimal profiler over jitgrad's own ops and kernels.

While a :class:`profile` is open, jitgrad's op entry points (the ``Tensor`` methods and
operators, the functions of ``jitgrad`` and ``jitgrad.nn.functional``), each backward node,
each fused backward group, each replayed backward and each forward-fusion kernel launch are
wrapped to record a timed event; :class:`record_function` adds a user range. Wrapping
happens on entering and is undone on leaving, so nothing costs anything outside a profile.

The table has PyTorch's CPU columns. Differences from PyTorch, by design:

- ops are named ``aten::<jitgrad entry point>`` (``x * y`` is ``aten::mul``), one event per
  call into jitgrad, not per ATen kernel (no ``aten::empty``/``aten::as_strided`` rows);
- forward fusion defers elementwise ops: ``aten::mul`` then records building the pending
  chain, and the kernel's time shows in ``jitgrad::fused_kernel`` under whatever op ran it;
- a fused backward group is one ``jitgrad::fused_backward`` event (its nodes have no events
  of their own) and a replayed backward one ``jitgrad::replay`` event around its steps;
- events of every thread are recorded, without thread ids in the table; no memory, shapes
  (``record_shapes`` is accepted, the shapes column is not shown), stacks or FLOPs.
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from .. import nn
from ..engine import sweep as engine
from ..frontend import pending
from ..frontend.tensor import Tensor
from ..fusion import backward as fusion_backward

_OPERATORS = {
    "add": "add", "sub": "sub", "mul": "mul", "truediv": "div", "floordiv": "floor_divide",
    "mod": "remainder", "pow": "pow", "matmul": "matmul", "neg": "neg", "pos": "positive",
    "abs": "abs", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge", "eq": "eq", "ne": "ne",
    "and": "bitwise_and", "or": "bitwise_or", "xor": "bitwise_xor", "invert": "bitwise_not",
    "getitem": "index", "setitem": "index_put_",
}  # fmt: skip
#: Tensor methods that are not ops (PyTorch records none of these as ``aten::`` events)
_NOT_OPS = frozenset(
    "size dim numel ndimension nelement tolist item numpy backward register_hook "
    "register_post_accumulate_grad_hook retain_grad requires_grad_ is_contiguous data_ptr "
    "element_size type storage untyped_storage stride is_floating_point is_complex "
    "get_device is_shared dim_order".split()
)
_OP_MODULES = (
    "jitgrad.frontend",
    "jitgrad.ops",
    "jitgrad.nn",
    "jitgrad.random",
)
#: modules under those that export machinery, not ops (the node recorder, deferral), and the
#: front-end modules that moved in from the top level, which were never profiled
_NOT_OP_MODULES = tuple(
    "jitgrad.frontend." + m
    for m in (
        "recording lazy pending expression_namespace _printing argcheck overloads copy_ops "
        "progress"
    ).split()
)
_NOT_FUNCTIONS = ("is_", "set_", "get_", "manual_seed", "seed", "compile", "load", "save")


def _op_name(attr: str) -> str | None:
    """``aten::`` name of a Tensor attribute, None if it is not an op."""
    if attr.startswith("__") and attr.endswith("__"):
        base = attr[2:-2]
        inplace = base.startswith("i") and base[1:] in _OPERATORS
        base = base[1:] if (base.startswith(("r", "i")) and base[1:] in _OPERATORS) else base
        name = _OPERATORS.get(base)
        return None if name is None else "aten::" + name + ("_" if inplace else "")
    if attr.startswith("_") or attr in _NOT_OPS:
        return None
    return "aten::" + attr


class FunctionEvent:
    """One timed call: ``name``, start and end (microseconds) and its nested events."""

    def __init__(self, name: str, start: float, thread: int) -> None:
        self.name = self.key = name
        self.start_us = start
        self.end_us = start
        self.thread = thread
        self.count = 1
        self.cpu_children: list[FunctionEvent] = []
        self.cpu_parent: FunctionEvent | None = None

    @property
    def cpu_time_total(self) -> float:
        return self.end_us - self.start_us

    @property
    def self_cpu_time_total(self) -> float:
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    def __repr__(self) -> str:
        return f"<FunctionEvent name={self.name} cpu_time_total={_fmt(self.cpu_time_total)}>"


class FunctionEventAvg:
    """The events of one name added up (``key_averages``)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0

    def add(self, event: Any) -> FunctionEventAvg:
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        return self

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self) -> str:
        return (
            f"<FunctionEventAvg key={self.key} self_cpu_time={_fmt(self.self_cpu_time_total)} "
            f"cpu_time={_fmt(self.cpu_time)} count={self.count}>"
        )


class EventList(list):
    """A list of events with PyTorch's ``table``, ``key_averages`` and ``total_average``."""

    def key_averages(self, group_by_input_shape: bool = False) -> EventList:
        groups: dict[str, FunctionEventAvg] = {}
        for e in self:
            groups.setdefault(e.key, FunctionEventAvg(e.key)).add(e)
        return EventList(groups.values())

    def total_average(self) -> FunctionEventAvg:
        total = FunctionEventAvg("Total")
        for e in self:
            total.add(e)
        return total

    @property
    def self_cpu_time_total(self) -> float:
        return sum(e.self_cpu_time_total for e in self)

    def table(
        self,
        sort_by: str | None = None,
        row_limit: int = 100,
        max_src_column_width: int = 75,
        max_name_column_width: int = 55,
        max_shapes_column_width: int = 80,
        header: str | None = None,
        top_level_events_only: bool = False,
        time_unit: str | None = None,
    ) -> str:
        rows = list(self)
        if sort_by is not None:
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        if row_limit > 0:
            rows = rows[:row_limit]
        total = self.self_cpu_time_total or 1.0
        name_w = min(max([len(e.key) for e in rows] + [4]), max_name_column_width)
        heads = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
        widths = [name_w] + [12] * (len(heads) + 1)
        line = "".join("-" * w + "  " for w in widths)

        def row(cells: list[str]) -> str:
            return "".join(f"{c:>{w}}  " for c, w in zip(cells, widths, strict=True))

        out = [line, row(["Name", *heads, "# of Calls"]), line]
        if header is not None:
            out.insert(0, header)
        for e in rows:
            name = e.key if len(e.key) <= name_w else e.key[: name_w - 3] + "..."
            out.append(
                row(
                    [
                        name,
                        f"{100 * e.self_cpu_time_total / total:.2f}%",
                        _fmt(e.self_cpu_time_total, time_unit),
                        f"{100 * e.cpu_time_total / total:.2f}%",
                        _fmt(e.cpu_time_total, time_unit),
                        _fmt(e.cpu_time_total / e.count if e.count else 0.0, time_unit),
                        str(e.count),
                    ]
                )
            )
        out.append(line)
        out.append(f"Self CPU time total: {_fmt(self.self_cpu_time_total, time_unit)}\n")
        return "\n".join(out)

    def export_chrome_trace(self, path: str) -> None:
        """The events as a Chrome trace (``chrome://tracing``, Perfetto)."""
        trace = [
            {"name": e.name, "ph": "X", "ts": e.start_us, "dur": e.cpu_time_total,
             "pid": 0, "tid": e.thread, "cat": "cpu_op"}
            for e in self
        ]  # fmt: skip
        with open(path, "w") as f:
            json.dump({"traceEvents": trace}, f)


def _fmt(us: float, unit: str | None = None) -> str:
    """PyTorch's time format: ``881.255us``, ``1.234ms``, ``2.000s``."""
    if unit == "s" or (unit is None and us >= 1e6):
        return f"{us / 1e6:.3f}s"
    if unit == "ms" or (unit is None and us >= 1e3):
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class _Recorder:
    """The open profiles (nested ones all record), the entry points wrapped while any is open
    and each thread's stack of open events."""

    def __init__(self) -> None:
        self.profiles: tuple[profile, ...] = ()
        self.wrapped: list[tuple[Any, str, Any]] = []
        self.local = threading.local()
        self.lock = threading.Lock()

    def open(self, prof: profile) -> None:
        with self.lock:
            if not self.profiles:
                for owner, attr, name in _targets():
                    original = vars(owner)[attr]
                    self.wrapped.append((owner, attr, original))
                    setattr(owner, attr, _timed(name, original))
            self.profiles = (*self.profiles, prof)

    def close(self, prof: profile) -> None:
        with self.lock:
            self.profiles = tuple(p for p in self.profiles if p is not prof)
            if not self.profiles:
                for owner, attr, original in reversed(self.wrapped):
                    setattr(owner, attr, original)
                self.wrapped.clear()

    def begin(self, name: str) -> FunctionEvent | None:
        profiles = self.profiles
        if not profiles:
            return None
        stack = getattr(self.local, "stack", None)
        if stack is None:
            stack = self.local.stack = []
        event = FunctionEvent(name, _now(), threading.get_ident())
        if stack:
            event.cpu_parent = stack[-1]
            stack[-1].cpu_children.append(event)
        stack.append(event)
        for prof in profiles:
            prof.function_events.append(event)
        return event

    def end(self, event: FunctionEvent | None) -> None:
        if event is None:
            return
        event.end_us = _now()
        stack = self.local.stack
        if stack and stack[-1] is event:
            stack.pop()


RECORDER = _Recorder()


def _now() -> float:
    return time.perf_counter_ns() / 1e3


def _timed(name: str | Callable[..., str], fn: Callable) -> Callable:
    """``fn`` recording one event per call (``name`` may be computed from the arguments)."""

    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        event = RECORDER.begin(name if isinstance(name, str) else name(*args))
        try:
            return fn(*args, **kwargs)
        finally:
            RECORDER.end(event)

    return timed


def _call_node_name(node: Any, *_: Any) -> str:
    return "autograd::engine::evaluate_function: " + node.name()


def _targets() -> Iterator[tuple[Any, str, str | Callable]]:
    """``(owner, attribute, event name)`` for every entry point a profile wraps."""
    for attr, value in list(vars(Tensor).items()):
        if inspect.isfunction(value):
            name = _op_name(attr)
            if name is not None:
                yield Tensor, attr, name
    top = sys.modules["jitgrad"]  # the package namespace (it imports this module), complete by now
    for space, prefix in ((top, "aten::"), (nn.functional, "aten::")):
        for attr, value in list(vars(space).items()):
            if (
                inspect.isfunction(value)
                and not attr.startswith(("_", *_NOT_FUNCTIONS))
                and value.__module__.startswith(_OP_MODULES)
                and not value.__module__.startswith(_NOT_OP_MODULES)
            ):
                yield space, attr, prefix + attr
    yield engine, "_call_node", _call_node_name
    yield fusion_backward.FusedGroup, "run", "jitgrad::fused_backward"
    yield fusion_backward.JointGroup, "run", "jitgrad::fused_backward"
    yield engine, "_replay", "jitgrad::replay"
    yield pending, "_materialize", "jitgrad::fused_kernel"


class profile:  # noqa: N801 - PyTorch's name
    """``with profile() as prof: ...`` records jitgrad's events; see the module docstring."""

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False, **options: Any) -> None:
        self.enabled = enabled
        self.function_events = EventList()

    def __enter__(self) -> profile:
        if self.enabled:
            RECORDER.open(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            RECORDER.close(self)

    def events(self) -> EventList:
        return self.function_events

    def key_averages(self, group_by_input_shape: bool = False, **_: Any) -> EventList:
        return self.function_events.key_averages()

    def total_average(self) -> FunctionEventAvg:
        return self.function_events.total_average()

    @property
    def self_cpu_time_total(self) -> float:
        return self.function_events.self_cpu_time_total

    def table(self, *args: Any, **kwargs: Any) -> str:
        return self.function_events.table(*args, **kwargs)

    def export_chrome_trace(self, path: str) -> None:
        self.function_events.export_chrome_trace(path)


class record_function:  # noqa: N801 - PyTorch's name
    """A named range in the open profile (a context manager or decorator); no-op otherwise."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self._event: FunctionEvent | None = None

    def __enter__(self) -> record_function:
        self._event = RECORDER.begin(self.name)
        return self

    def __exit__(self, *exc: object) -> None:
        RECORDER.end(self._event)

    def __call__(self, fn: Callable) -> Callable:
        return _timed(self.name, fn)
