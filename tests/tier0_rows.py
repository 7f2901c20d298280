"""Many op rows in one generated kernel, for the tier-0 tests' compiled side.

tests/test_tier0.py and tests/test_tier0_complex.py compare tier 0 with the compiled kernel
byte for byte for every op's forward and backward. One kernel per row was ~240 compiles
(~34 CPU s, perf/RESULTS.md Run ttime): the compiled side of the comparison, not the
interpreter, was the cost. Here the rows' kernels (each rendered by the one lowering) are
merged into wide kernels: each row keeps its own statements under its own local names and
its own outputs, the operands the rows share (equal arrays, or scalars of the same type and
value) become one parameter. A wide kernel holds at most the interpreter's slots
(8 arrays in, 8 out), so tier 0 runs it in one pass, as it runs each row alone; the
statements the compiled loop executes per row are the row's own, in the row's order (rows
read no other row's values), so each row's outputs are those of the row's own kernel.
perf/RESULTS.md Run t0time17 checked that once against the one-row kernels of every row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from jitgrad.fusion import codegen as C

_NAME = re.compile(r"(?<![\w.])([A-Za-z_]\w*)")


@dataclass
class Row:
    """One op's kernel and its call: ``args`` its inputs in ``spec.inputs`` order, ``outs``
    one function per output returning a fresh array for it (a call writes its outputs)."""

    name: str
    spec: C.KernelSpec
    args: list
    outs: list


def _key(value) -> tuple:
    """Operands equal in type, shape and bytes are one parameter (the kernel only reads them)."""
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.strides, value.tobytes())
    return ("scalar", type(value).__name__, np.asarray(value).tobytes())


def _operands(rows: list[Row]) -> tuple[dict, dict]:
    """Each distinct operand of ``rows`` -> its parameter name (``x<k>``, ``s<k>``) and the
    value passed for it."""
    names: dict = {}
    values: dict = {}
    for row in rows:
        for value in row.args:
            key = _key(value)
            if key not in names:
                prefix = "x" if key[0] == "array" else "s"
                names[key] = f"{prefix}{sum(k[0] == key[0] for k in names)}"
                values[names[key]] = value
    return names, values


def arrays_of(rows: list[Row]) -> tuple[int, int]:
    """Distinct array operands and outputs the merged kernel of ``rows`` would have."""
    names, _ = _operands(rows)
    return sum(k[0] == "array" for k in names), sum(len(r.outs) for r in rows)


def pack(rows: list[Row], n_in: int = 8, n_out: int = 8) -> list[list[Row]]:
    """``rows`` cut in order into groups whose merged kernels have at most ``n_in`` array
    operands and ``n_out`` outputs."""
    groups: list[list[Row]] = []
    for row in rows:
        if groups and all(n <= m for n, m in zip(arrays_of([*groups[-1], row]), (n_in, n_out))):
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def merge(rows: list[Row], label: str) -> tuple[C.KernelSpec, list, list[str]]:
    """The wide kernel of ``rows``, its inputs (values in its parameter order) and the row
    name of each of its outputs."""
    names, values = _operands(rows)
    stmts, outputs, owners = [], [], []
    for k, row in enumerate(rows):
        rename = {}
        for (name, is_scalar), value in zip(row.spec.inputs, row.args, strict=True):
            shared = names[_key(value)]
            rename[name if is_scalar else f"{name}_"] = shared if is_scalar else f"{shared}_"
        rename.update({local: f"r{k}_{local}" for local, _ in row.spec.stmts})

        def sub(m, rename=rename):
            return rename.get(m.group(1), m.group(1))

        stmts += [(rename[local], _NAME.sub(sub, expr)) for local, expr in row.spec.stmts]
        for j, (_array, local, mode, dt) in enumerate(row.spec.outputs):
            outputs.append((f"o{k}_{j}", rename[local], mode, dt))
            owners.append(row.name)
    inputs = tuple((name, name.startswith("s")) for name in values)
    base = rows[0].spec
    spec = replace(base, label=label, inputs=inputs, stmts=tuple(stmts), outputs=tuple(outputs),
                   comment=tuple(r.name for r in rows), compact=())  # fmt: skip
    return spec, list(values.values()), owners


def fresh_outputs(rows: list[Row]) -> list:
    """New output arrays for one call of the merged kernel of ``rows``."""
    return [make() for row in rows for make in row.outs]


def outputs(rows: list[Row], label: str, n_in: int = 8, n_out: int = 8) -> list[list]:
    """Each row's outputs as the compiled wide kernels of ``rows`` (packed as :func:`pack`,
    named ``label`` and the group's number) compute them."""
    per_row = []
    for k, group in enumerate(pack(rows, n_in, n_out)):
        spec, args, _ = merge(group, f"{label}{k}")
        outs = fresh_outputs(group)
        C.get_kernel(spec).dispatcher(*args, *outs)
        for row in group:
            per_row.append(outs[: len(row.outs)])
            outs = outs[len(row.outs) :]
    return per_row


def compare(rows: list[Row], label: str, compare_call, n_in: int = 8, n_out: int = 8) -> None:
    """``rows`` merged into wide kernels (as :func:`outputs`), each run compiled and in tier 0
    by ``compare_call(spec, make, owners)`` (tests/test_tier0.py's ``_compare``)."""
    for k, group in enumerate(pack(rows, n_in, n_out)):
        spec, args, owners = merge(group, f"{label}{k}")
        assert len(spec.outputs) <= n_out and len(args) - len(spec.outputs) <= 2 * n_in
        compare_call(spec, lambda args=args, group=group: [*args, *fresh_outputs(group)], owners)
