"""A small progress bar (jitgrad does not depend on tqdm) that knows where it writes.

On a terminal it redraws one line in place with ``\\r``. Written to a pipe or a file (a CI
log, ``python -m jitgrad.demo | tee log``) a ``\\r`` redraw piles every update into one
enormous line, so there it prints a plain line every ``every`` steps and at the end instead.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Progress over ``total`` steps with a free-form status (``loss 0.12``) after the bar.

    ``every`` is how many steps apart the lines are when the stream is not a terminal
    (default: about ten lines per run).
    """

    def __init__(
        self,
        total: int,
        stream: TextIO | None = None,
        every: int | None = None,
        width: int = 30,
        label: str = "step",
    ) -> None:
        self.total = max(1, total)
        self.stream = stream if stream is not None else sys.stderr
        self.every = every if every is not None else max(1, -(-self.total // 10))
        self.width = width
        self.label = label
        self.done = 0
        self.status = ""
        self.start = time.perf_counter()
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self._last_len = 0

    def update(self, steps: int = 1, status: str | None = None) -> None:
        """Advance by ``steps`` (0 only changes the status) and show it."""
        before = self.done
        self.done = min(self.total, self.done + steps)
        if status is not None:
            self.status = status
        if self.tty:
            self._redraw()
        elif self.done // self.every != before // self.every or (
            self.done == self.total and before < self.total
        ):
            self._write(self.line() + "\n")

    def line(self) -> str:
        """``step  40/280 [####.......] 14%  3.1s  loss 0.4123``."""
        frac = self.done / self.total
        filled = int(self.width * frac)
        bar = "#" * filled + "." * (self.width - filled)
        digits = len(str(self.total))
        elapsed = time.perf_counter() - self.start
        count = f"{self.done:{digits}d}/{self.total}"
        text = f"{self.label} {count} [{bar}] {frac:4.0%} {elapsed:6.1f}s"
        return f"{text}  {self.status}" if self.status else text

    def close(self) -> None:
        """End the bar's line on a terminal (a pipe already has whole lines)."""
        if self.tty and self._last_len:
            self._write("\n")
            self._last_len = 0

    def _redraw(self) -> None:
        text = self.line()
        self._write("\r" + text.ljust(self._last_len))
        self._last_len = len(text)

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
