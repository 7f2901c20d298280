"""``as_strided_``, ``set_`` and ``resize_`` on device views, and their ``data_ptr`` (issue 15).

A device view is a gathered copy of its place in its root's buffer (``backends/cuda/
aliasing.py``). These storage ops went through the host fallback, which crashed copying the
new shape into the old copy (``ValueError: incompatible shape``); and a device view's
``data_ptr`` was its private copy's address, not its place in the root's storage. Each test
runs the same program on the CPU and on the device (host fallback refused) and compares what
the program can see: values, geometry, writes reaching the base or the source, pointers."""

from __future__ import annotations

import pytest

import jitgrad as torch


def _as_strided_program(device):
    a = torch.arange(6.0, device=device)
    v = a[1:]
    same = v.as_strided_((2, 2), (1, 2)) is v
    seen = (v.tolist(), tuple(v.shape), v.stride(), v.storage_offset())
    v.mul_(10)  # written through into a's storage
    return same, seen, a.tolist(), v.data_ptr() - a.data_ptr()


def _set_program(device):
    a = torch.arange(6.0, device=device)
    v = a[2:4]
    src = torch.ones(3, device=device)
    same = v.set_(src) is v
    seen = (v.tolist(), tuple(v.shape), v.data_ptr() == src.data_ptr())
    src.add_(1)  # v shares src's storage now: it sees the write ...
    after = v.tolist()
    v[0] = 7.0  # ... and src sees v's; a no longer does
    return same, seen, after, src.tolist(), a.tolist()


def _resize_program(device):
    a = torch.arange(6.0, device=device)
    v = a[2:5]
    v.resize_(2)
    seen = (v.tolist(), tuple(v.shape), v.storage_offset())
    v.fill_(-1.0)
    return seen, a.tolist(), v.data_ptr() - a.data_ptr()


def _data_ptr_program(device):
    a = torch.arange(12.0, device=device).reshape(3, 4)
    views = (a[1], a[:, 2], a.t(), a[2:, 1:3], a.diagonal())
    return [v.data_ptr() - a.data_ptr() for v in views]


PROGRAMS = {
    "as_strided_": _as_strided_program,
    "set_": _set_program,
    "resize_": _resize_program,
    "data_ptr": _data_ptr_program,
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_storage_ops_on_device_views_are_the_cpus(no_fallback, name):
    assert PROGRAMS[name]("cuda") == PROGRAMS[name]("cpu")
