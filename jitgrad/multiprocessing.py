"""``torch.multiprocessing``: PyTorch's wrapper of the standard library's module (which it
extends with shared-memory tensor passing). jitgrad's tensors pickle their buffers, so the
standard module serves as it is."""

from __future__ import annotations

from multiprocessing import (  # noqa: F401 - re-exported under PyTorch's module name
    Array,
    Barrier,
    Condition,
    Event,
    JoinableQueue,
    Lock,
    Manager,
    Pipe,
    Pool,
    Process,
    Queue,
    RLock,
    Semaphore,
    SimpleQueue,
    Value,
    active_children,
    cpu_count,
    current_process,
    get_all_start_methods,
    get_context,
    get_start_method,
    set_start_method,
)

from .helpers import missing_attribute

#: ``jitgrad.multiprocessing.<name>`` for a PyTorch name jitgrad lacks says so.
__getattr__ = missing_attribute("jitgrad.multiprocessing")
