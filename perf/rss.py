"""Resident set size, for the memory scripts (``rss_*.py``): no psutil, just ``/proc``."""

from __future__ import annotations

import os
import resource

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    """This process's resident set size now, in MB (``/proc/self/statm``'s second field)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE / 2**20
    except OSError:  # no /proc (macOS): the peak is the best there is
        return peak_mb()


def peak_mb() -> float:
    """The largest resident set size this process has had, in MB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if os.uname().sysname == "Linux" else kb / 2**20
