"""The joint forward+backward kernel on the device: a loss that sums a deferred chain.

The device twin of :class:`jitgrad.fusion.backward.JointGroup`, sharing its analysis and
lowering: when ``backward()`` starts from a deferred full ``sum``/``mean`` of a pending device
chain (:class:`.deferred.DevicePendingReduction`, which :mod:`.reductions` records instead of
running the chain), the chain's group runs as ONE generated CUDA kernel that reads the chain's
inputs once, recomputes every value in registers, sums the loss (a ``REDUCE`` output, whose
per-block partial sums are then added up deterministically) and writes each input's gradient:
the CPU's :class:`~jitgrad.fusion.group_layout.GroupLayout` (``joint=True``) and
:func:`jitgrad.fusion.backward_render.render`, rendered by :mod:`.render`. The loss is stored
into the deferred reduction; the chain's own values stay pending.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ...engine.node import hooked
from ...frontend.lazy import joint_saved as lazy_joint_saved
from ...frontend.tensor import Tensor
from ...fusion.backward import JointGroup
from ...fusion.group_layout import GroupLayout
from . import runtime
from .deferred import (
    _SLOT,
    DeviceLazyTensor,
    DevicePending,
    DevicePendingReduction,
    DeviceSaved,
    StandIn,
    pending,
    raw,
)
from .fused_backward import DeviceGroup, DeviceKernel, launch, prepared


def defer_reduction(t: Tensor, mean: bool) -> DevicePendingReduction | None:
    """A deferred full sum/mean of ``t`` whose value is still pending, or None."""
    p = pending(t)
    if p is None or not p.plan.odt.is_floating_point:
        return None
    return DevicePendingReduction(p, mean)


def pending_reduction(t: Any) -> DevicePendingReduction | None:
    """``t``'s deferred reduction if ``t`` holds one not computed yet."""
    if type(t) is not DeviceLazyTensor:
        return None
    p = _SLOT.__get__(t)
    return p if type(p) is DevicePendingReduction and p.array is None else None


def make_lazy(t: Tensor, red: DevicePendingReduction) -> Tensor:
    """Turn the Tensor ``record`` built around ``red`` into the lazy tensor it stands for."""
    t.__class__ = DeviceLazyTensor
    red.ref = weakref.ref(t)
    return t


def joint_saved(members: list) -> list[tuple] | None:
    """:func:`jitgrad.frontend.lazy.joint_saved` over device deferrals."""
    return lazy_joint_saved(members, DeviceSaved, DevicePending, raw, _stand_in, _cast)


def _stand_in(p: DevicePending) -> Any:
    return p.array if p.array is not None else StandIn(p.shape, p.plan.odt.np)


def _cast(a: Any, want: Any) -> Any:
    return runtime.cast(a, want.np)


class DeviceJointGroup(JointGroup):
    """A device loss chain's forward and backward in one kernel (module docstring)."""

    __slots__ = ()

    @classmethod
    def over_device(cls, t: Any, groups: dict) -> DeviceJointGroup | None:
        """The joint group for backward root ``t``: a deferred reduction of the pending
        device chain that forms the (device) group below it, no hook to see what the joint
        kernel never materializes."""
        reduction = pending_reduction(t)
        if reduction is None or t.grad_fn is None:
            return None
        root = t.grad_fn
        below = root.next_functions[0][0]
        if hooked(root, "hooks", "prehooks") or hooked(below, "tensor_hooks", "retain"):
            return None
        group = groups.get(below)
        if type(group) is not DeviceGroup:
            return None
        saved = below._saved
        if type(saved) is not DeviceSaved or saved.out is not reduction.src:
            return None
        return cls(root, group.members, group.edges, reduction)

    def run(self, grad_outputs: list, needed: Any) -> list:
        g = grad_outputs[0] if grad_outputs else None
        if g is None:
            return [None] * len(self.edges)
        saved = joint_saved(self.members)
        if saved is None:  # something changed in place since the forward: the checked path
            return self.unfused(self.root, self.members, grad_outputs, needed)
        src = self.reduction.src
        gv = g._value
        if not runtime.is_device_array(gv):
            gv = runtime.to_device(np.asarray(gv))
        if gv.dtype != src.plan.odt.np:
            gv = runtime.cast(gv, src.plan.odt.np)
        # the loss's gradient, read at every index (no sync); a mean's division by the
        # count is the joint kernel's (and the loss's, as its partial sums are added)
        gv = gv.reshape((1,) * max(1, len(src.shape)))
        loss = runtime.zeros((1,), saved[0].out.dtype)
        count = src.size if self.reduction.mean else 1
        grads, self.layout, spec = launch(self.members, saved, gv, needed, loss, count)
        if spec is not None:
            self.spec = spec
            self.kernel = DeviceKernel(spec)
            self.members[0]._ran = (self.kernel, spec)
        self.reduction.finish(loss.reshape(()))
        return [None if b is None else grads[b] for b in self.layout.results]

    def prepare(self, needed: Any) -> None:
        """Build (not run) the joint kernel, for ``explain``; computes nothing."""
        saved = joint_saved(self.members)
        if saved is None:
            return
        dt = np.dtype(self.reduction.src.plan.odt.np)
        self.layout = GroupLayout(self.members, saved, dt, needed, joint=True)
        self.spec, self.kernel = prepared(self.layout, saved, True, self.reduction.mean)

    @staticmethod
    def unfused(root: Any, members: list, grad_outputs: list, needed: Any) -> list:
        """The root's own backward, then the group's kernel: what would have run."""
        (g,) = root.apply(grad_outputs)
        return DeviceGroup(members).run([g], needed)


def joint_groups(groups: dict, tensors: Any) -> dict:
    """``groups`` with each backward root among ``tensors`` that sums a device chain's group
    taking that group over as a :class:`DeviceJointGroup`."""
    for t in tensors:
        joint = DeviceJointGroup.over_device(t, groups)
        if joint is not None:
            del groups[joint.members[0]]
            groups[joint.root] = joint
    return groups
