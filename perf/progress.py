"""A small progress bar on stderr (no tqdm dependency).

On a terminal it redraws one line in place; when stderr is a file or pipe (CI logs) it
prints a plain line whenever the label changes instead, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, width: int = 28) -> None:
        self.total = max(1, total)
        self.done = 0
        self.label = ""
        self.stream = stream or sys.stderr
        self.width = width
        self.start = time.perf_counter()
        self.tty = self.stream.isatty()
        self._last_len = 0

    def add_total(self, n: int) -> None:
        self.total += n

    def update(self, advance: int = 0, label: str | None = None) -> None:
        self.done = min(self.total, self.done + advance)
        changed = label is not None and label.split(":")[0] != self.label.split(":")[0]
        if label is not None:
            self.label = label
        if self.tty:
            self._draw()
        elif changed:
            self._write(self._line() + "\n")

    def message(self, text: str) -> None:
        """Print a line above the bar."""
        self._clear()
        self._write(text + "\n")
        if self.tty:
            self._draw()

    def close(self) -> None:
        self._clear()
        self._write(f"done in {time.perf_counter() - self.start:.1f}s\n")

    def _line(self) -> str:
        frac = self.done / self.total
        filled = int(frac * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.perf_counter() - self.start
        return f"[{bar}] {frac:4.0%} {elapsed:6.1f}s  {self.label}"

    def _draw(self) -> None:
        line = self._line()[:119]
        self._write("\r" + line.ljust(self._last_len))
        self._last_len = len(line)

    def _clear(self) -> None:
        if self.tty and self._last_len:
            self._write("\r" + " " * self._last_len + "\r")
            self._last_len = 0

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
