"""``torch.distributed``, as far as single-process programs touch it: the checks training
scripts make before choosing a distributed path. jitgrad has no process groups, so
``is_available()`` is False (as in a PyTorch build without distributed support) and the
rank queries give PyTorch's uninitialized-group error."""

from __future__ import annotations

import os

from .helpers import missing_attribute

_NO_GROUP = (
    "Default process group has not been initialized, please make sure to call "
    "init_process_group."
)


def is_available() -> bool:
    return False


def is_initialized() -> bool:
    return False


def is_torchelastic_launched() -> bool:
    """Whether torchelastic (``torchrun``) started this process: its run id is set."""
    return os.getenv("TORCHELASTIC_RUN_ID") is not None


def get_rank(group: object = None) -> int:
    raise ValueError(_NO_GROUP)


def get_world_size(group: object = None) -> int:
    raise ValueError(_NO_GROUP)


def init_process_group(backend: str | None = None, *args: object, **kwargs: object) -> None:
    """jitgrad runs in one process: there is no group to join (a program reaches this only on
    its distributed path, e.g. nanoGPT's train.py under torchrun)."""
    raise RuntimeError("jitgrad has no process groups: init_process_group is not supported")


def destroy_process_group(group: object = None) -> None:
    """PyTorch's assertion when no group was initialized."""
    raise AssertionError("Process group cannot be None")


#: ``jitgrad.distributed.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.distributed")
