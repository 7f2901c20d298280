"""``torch.profiler``: the profiler of :mod:`jitgrad.autograd.profiler` under the newer API.

``activities``, ``schedule``, ``on_trace_ready`` and the recording options are accepted;
every jitgrad event is a CPU event (``ProfilerActivity.CPU``), and ``step()`` only counts.
"""

from __future__ import annotations

import enum
from typing import Any

from .autograd import profiler as _autograd_profiler
from .autograd.profiler import EventList, record_function

__all__ = ["profile", "record_function", "ProfilerActivity", "EventList"]


class ProfilerActivity(enum.Enum):
    CPU = 0
    CUDA = 1


class profile(_autograd_profiler.profile):  # noqa: N801 - PyTorch's name
    def __init__(self, *, activities: Any = None, schedule: Any = None,
                 on_trace_ready: Any = None, **options: Any) -> None:  # fmt: skip
        super().__init__(True)
        self.on_trace_ready = on_trace_ready
        self.step_num = 0

    def step(self) -> None:
        self.step_num += 1

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)
