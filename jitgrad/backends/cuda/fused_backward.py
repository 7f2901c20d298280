"""Backward fusion on the device: a fusion group of CUDA nodes runs as one ``@cuda.jit`` kernel.

The engine plans a device graph's groups exactly as a CPU one's (:func:`jitgrad.fusion.
planner.partition` through :func:`jitgrad.fusion.backward.plan`), then hands them here
(:func:`device_groups`): each group whose members are all CUDA nodes becomes a
:class:`DeviceGroup`. Its structure is analysed by the CPU's own
:class:`~jitgrad.fusion.group_layout.GroupLayout` (which saved value or gradient buffer is
which argument, what is recomputed, the structural key) and lowered by the CPU's own
:func:`jitgrad.fusion.backward_render.render`; only the launch differs: the
:class:`~jitgrad.fusion.codegen.KernelSpec` is rendered by :mod:`.render` as a grid-stride
CUDA kernel, and buffers that several elements add into (a broadcast operand's gradient, or
a one-element one) go through :func:`.render.run`'s deterministic tree reduction.

A loss that sums a deferred device chain runs the chain's forward and backward as one kernel
(:mod:`.joint`, the CPU's :class:`~jitgrad.fusion.backward.JointGroup` on the device). Not
on the device: the replay cache.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ...frontend.tensor import _make
from ...fusion import codegen as C
from ...fusion.backward import FusedGroup
from ...fusion.backward_render import render as render_group
from ...fusion.group_layout import GroupLayout
from . import render, runtime

#: structural key (GroupLayout.key + launch key) -> KernelSpec
_specs: dict[tuple, C.KernelSpec] = {}
#: Fused backward kernels launched (a debug counter the tests read).
LAUNCHES = [0]


class DeviceKernel:
    """What ``explain`` reports of a device group's kernel (the CPU's
    :class:`~jitgrad.fusion.diskcache.Kernel` fields it reads)."""

    from_disk = False

    def __init__(self, spec: C.KernelSpec) -> None:
        self.name = render.kernel_name(spec)
        self.source = render.source(spec)
        #: its first launch's time (numba compiles then), None if it has not run yet
        self.compile_seconds = render.FIRST_LAUNCH.get(spec)
        self.calls = 1

    def has_cached_code(self) -> bool:
        return False


class DeviceGroup(FusedGroup):
    """A fused backward group of CUDA nodes (see the module docstring)."""

    __slots__ = ()

    def run(self, grad_outputs: list, needed: Any) -> list:
        g = grad_outputs[0] if grad_outputs else None
        if g is None:
            return [None] * len(self.edges)
        saved = self._checked_saved()
        garr = g._value
        if not runtime.is_device_array(garr):
            garr = runtime.to_device(garr)
        grads, self.layout, spec = launch(self.members, saved, garr, needed)
        if spec is not None:
            self.spec = spec
            self.kernel = DeviceKernel(spec)
            self.members[0]._ran = (self.kernel, spec)
        return [None if b is None else grads[b] for b in self.layout.results]

    def prepare(self, needed: Any) -> None:
        """Build (not run) the kernel as the next backward would, for ``explain``."""
        saved = self._checked_saved()
        self.layout = GroupLayout(self.members, saved, saved[0].out.dtype, needed)
        self.spec, self.kernel = prepared(self.layout, saved)


def prepared(layout: GroupLayout, saved: list, joint: bool = False, mean: bool = False) -> tuple:
    """``(spec, DeviceKernel)`` of the kernel a group with ``layout`` launches (compiled, not
    run: for ``explain``)."""
    shape = tuple(saved[0].out.shape)
    spec = _spec(layout, saved, shape, 1 + len(layout.gather), joint, mean)
    final = render.prepare(spec, shape or (1,), _temps(layout) + (False,) * joint)
    return final, DeviceKernel(final)


def device_groups(groups: dict) -> dict:
    """The engine's fusion plan with each group of CUDA nodes run by a :class:`DeviceGroup`
    (the joint groups: :func:`.joint.joint_groups`)."""
    for root, group in groups.items():
        if type(group) is FusedGroup and all(getattr(m, "on_device", False) for m in group.members):
            groups[root] = DeviceGroup(group.members)
    return groups


def _spec(
    layout: GroupLayout,
    saved: list,
    shape: tuple,
    n_arrays: int,
    joint: bool = False,
    mean: bool = False,
) -> C.KernelSpec:
    """The group's KernelSpec (unrefined modes: :func:`.render.run` handles the buffers that
    several elements add into). ``mean``: a joint kernel under a mean, which reads the
    loss's gradient ``gsum`` and divides it by ``count`` itself (no kernel of its own)."""
    kkey = layout.key + (tuple(layout.modes), max(1, len(shape)), False, n_arrays, joint)
    spec = _specs.get((mean, *kkey))
    if spec is None:
        spec = render_group(layout.names, saved, kkey, len(saved))
        if joint:  # the loss's gradient stays on the device: a stride-0 array, not a scalar
            spec = dataclasses.replace(spec, inputs=(("g", False), *spec.inputs[1:]))
        if mean:  # g_ = gsum_ / count: the CPU's g / size, read at every index
            spec = dataclasses.replace(
                spec,
                inputs=(("gsum", False), ("count", True), *spec.inputs[1:]),
                stmts=(("g_", "gsum_ / count"), *spec.stmts),
                comment=(*spec.comment, "the loss is a mean: its gradient over the count"),
            )
        _specs[(mean, *kkey)] = spec
    return spec


def _temps(layout: GroupLayout) -> tuple[bool, ...]:
    return tuple(mode == C.ACCUMULATE for mode in layout.modes)


def launch(
    members: list, saved: list, g: Any, needed: Any, loss: Any = None, count: int = 1
) -> tuple[list, GroupLayout, Any]:
    """Analyse and run a group's kernel: one gradient tensor per buffer, the layout, and the
    spec it ran (None: nothing to run). ``loss`` (a zeroed 1-element device array): the
    joint kernel, which recomputes the chain from its inputs, sums it into ``loss`` and
    reads the loss's gradient ``g`` (one element, on the device) at every index; a
    ``count`` other than 1 makes it a mean: the kernel divides ``g`` by it, and the loss
    is divided as its partial sums are added (no kernels of their own)."""
    joint = loss is not None
    layout = GroupLayout(members, saved, g.dtype, needed, joint=joint)
    out = saved[0].out
    shape = tuple(out.shape)
    arrays = [g] + [saved[k].out if i < 0 else saved[k].values[i] for k, i in layout.gather]
    buffers = [
        runtime.empty(bshape, npdt) if mode == C.STORE else runtime.zeros(bshape, npdt)
        for bshape, npdt, mode, _dt in layout.buffers
    ]
    ran = None
    if out.size:
        spec = _spec(layout, saved, shape, len(arrays), joint, count != 1)
        scalars = [saved[k].values[i] for k, i in layout.scalar_gather]
        if count != 1:  # (gsum, count, ...): the count in the gradient's dtype
            arrays.insert(1, g.dtype.type(count))
        names = [name for name, _ in spec.inputs]
        operands = dict(zip(names, arrays + scalars, strict=True))
        for (array, *_), b in zip(spec.outputs, buffers + [loss] * joint, strict=True):
            operands[array] = b
        ran = render.run(spec, shape, operands, count)
        LAUNCHES[0] += 1
    grads = [_make(b, meta[3], fresh=True) for b, meta in zip(buffers, layout.buffers, strict=True)]
    return grads, layout, ran
