"""``einsum``: Einstein summation over any number of operands, with ``...``.

Operands are contracted left to right, two at a time, through sum, permute, reshape and one
``bmm``, or a broadcast multiply where a pair shares no summed subscript; the graph records the
nodes PyTorch's einsum records (``MulBackward0`` for an outer product, ``PermuteBackward0`` for
any single operand that is not summed, even ``"ii->i"`` and ``"ij->ij"``: PyTorch permutes every
operand to the output's order first). ``...`` stands for the same leading dimensions in
every operand, right-aligned and broadcast where one has size 1. A subscript repeated within
one operand (``"ii->i"``, ``"ii"``) takes that operand's diagonal first. The sublist form
``einsum(a, [0, 1], b, [1, 2], [0, 2])`` (integers below 52, ``...`` as ``Ellipsis``) is the
same equation written with numbers.
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence
from typing import Any

from . import movement as M
from .linalg import bmm
from .reduce import sum  # noqa: A004
from .structure import diagonal
from .tensor import Tensor

#: The letter of each sublist subscript (PyTorch numbers its labels A-Z then a-z).
_LABELS = string.ascii_uppercase + string.ascii_lowercase


def _split(equation: str, n: int) -> tuple[list[str], str | None]:
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != n:
        raise RuntimeError(
            "einsum(): more operands were provided than specified in the equation"
            if n > len(terms)
            else "einsum(): fewer operands were provided than specified in the equation"
        )
    return terms, (rhs if arrow else None)


def _expand_ellipsis(
    terms: list[str], rhs: str | None, operands: Sequence[Tensor]
) -> tuple[list[str], str]:
    """Letters in place of ``...`` (fresh ones, right-aligned), and the output subscripts
    (given, or every ``...`` letter then the letters used once, sorted)."""
    used = set("".join(terms) + (rhs or ""))
    fresh = [c for c in string.ascii_letters if c not in used]
    ell_dims = []
    for i, (t, x) in enumerate(zip(terms, operands, strict=True)):
        if "..." in t:
            n = x.dim() - (len(t) - 3)
            if n < 0:
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({len(t) - 3}) is more "
                    f"than the number of dimensions ({x.dim()}) for operand {i}"
                )
            ell_dims.append(n)
    width = max(ell_dims, default=0)
    letters = "".join(fresh[:width])
    out_terms = []
    for t, x in zip(terms, operands, strict=True):
        if "..." in t:
            n = x.dim() - (len(t) - 3)
            t = t.replace("...", letters[width - n :])
        out_terms.append(t)
    if rhs is not None:
        return out_terms, rhs.replace("...", letters)
    joined = "".join(t for t in out_terms)
    singles = sorted(c for c in set(joined) if joined.count(c) == 1 and c not in letters)
    return out_terms, letters + "".join(singles)


def _sublist_equation(args: Sequence[Any]) -> tuple[str, tuple]:
    """``(a, [0, 1], b, [1, 2], [0, 2])`` as ``("AB,BC->AC", (a, b))``."""

    def term(sub: Any) -> str:
        out = []
        for s in sub:
            if s is Ellipsis:
                out.append("...")
                continue
            if not (s >= 0 and s < len(_LABELS)):  # a str fails here as in PyTorch (TypeError)
                raise ValueError(
                    "einsum(): subscript in subscript list is not within the valid range [0, 52)"
                )
            out.append(_LABELS[s])
        return "".join(out)

    operands = tuple(args[0 : len(args) - len(args) % 2 : 2])
    terms = [term(sub) for sub in args[1::2]][: len(operands)]
    equation = ",".join(terms)
    if len(args) % 2:
        equation += "->" + term(args[-1])
    return equation, operands


def _take_diagonals(x: Tensor, t: str, i: int) -> tuple[Tensor, str]:
    """Operand ``i`` with each repeated subscript reduced to its diagonal (moved last)."""
    for c in dict.fromkeys(t):
        while t.count(c) > 1:
            d1 = t.index(c)
            d2 = t.index(c, d1 + 1)
            if x.shape[d1] != x.shape[d2]:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't "
                    f"match, {x.shape[d2]} != {x.shape[d1]}"
                )
            x = diagonal(x, 0, d1, d2)
            t = t[:d1] + t[d1 + 1 : d2] + t[d2 + 1 :] + c
    return x, t


def _drop_unused(x: Tensor, term: str, keep: str) -> tuple[Tensor, str]:
    """Sum out the subscripts of ``term`` that appear nowhere in ``keep``."""
    gone = tuple(i for i, c in enumerate(term) if c not in keep)
    if not gone:
        return x, term
    return sum(x, gone), "".join(c for c in term if c in keep)


def _permuted(x: Tensor, perm: list[int]) -> Tensor:
    return x if perm == sorted(perm) else M.permute(x, perm)


def _aligned(x: Tensor, t: str, out: str) -> Tensor:
    """``x`` (subscripts ``t``, all in ``out``) permuted to ``out``'s order, with a size-1
    dimension for each subscript of ``out`` it lacks (so it broadcasts)."""
    shape = [x.shape[t.index(c)] if c in t else 1 for c in out]
    x = _permuted(x, [t.index(c) for c in out if c in t])
    return M.reshape(x, shape) if len(t) < len(out) else x


def _pair(a: Tensor, ta: str, b: Tensor, tb: str, out: str, sizes: dict[str, int]) -> Tensor:
    """``a`` (subscripts ``ta``) times ``b`` (``tb``) summed to the subscripts ``out``."""
    a, ta = _drop_unused(a, ta, out + tb)
    b, tb = _drop_unused(b, tb, out + ta)
    if all(c in out for c in ta + tb):  # nothing to sum: PyTorch multiplies (MulBackward0)
        return _aligned(a, ta, out) * _aligned(b, tb, out)
    batch = [c for c in ta if c in tb and c in out]
    contract = [c for c in ta if c in tb and c not in out]
    left = [c for c in ta if c not in tb]
    right = [c for c in tb if c not in ta]

    def grouped(x: Tensor, t: str, groups: Sequence[list[str]]) -> Tensor:
        order = [c for grp in groups for c in grp]
        x = _permuted(x, [t.index(c) for c in order])
        return M.reshape(x, [math.prod(sizes[c] for c in grp) for grp in groups])

    a3 = grouped(a, ta, (batch, left, contract))
    b3 = grouped(b, tb, (batch, contract, right))
    have = batch + left + right
    result = M.reshape(bmm(a3, b3), [sizes[c] for c in have])
    return _permuted(result, [have.index(c) for c in out])


def _broadcast(xs: list[Tensor], terms: list[str]) -> tuple[list[Tensor], dict[str, int]]:
    """Each subscript's size; size-1 dimensions expand to it (``...`` broadcasting)."""
    sizes: dict[str, int] = {}
    for i, (t, x) in enumerate(zip(terms, xs, strict=True)):
        if len(t) != x.dim():
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(t)}) does not match "
                f"the number of dimensions ({x.dim()}) for operand {i} and no ellipsis was given"
            )
        for c, n in zip(t, x.shape, strict=True):
            seen = sizes.setdefault(c, n)
            if seen != n and 1 not in (seen, n):
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {i} which does not "
                    f"broadcast with previously seen size {seen}"
                )
            sizes[c] = max(seen, n)
    out = []
    for t, x in zip(terms, xs, strict=True):
        shape = [sizes[c] for c in t]
        out.append(x if list(x.shape) == shape else x.expand(shape))
    return out, sizes


def einsum(equation: Any, *operands: Any) -> Tensor:
    """Einstein summation: ``einsum("bij,bjk->bik", a, b)``, ``einsum("...ij->...ji", x)``."""
    if not isinstance(equation, str):
        equation, operands = _sublist_equation((equation, *operands))
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    terms, rhs = _split(equation, len(operands))
    terms, out = _expand_ellipsis(terms, rhs, operands)
    pairs = [_take_diagonals(x, t, i) for i, (x, t) in enumerate(zip(operands, terms))]
    xs, terms = [x for x, _ in pairs], [t for _, t in pairs]
    xs, sizes = _broadcast(xs, terms)
    for c in out:
        if c not in sizes:
            raise RuntimeError(
                f"einsum(): output subscript {c} does not appear in the equation for any input "
                "operand"
            )
    x, t = xs[0], terms[0]
    if len(xs) == 1:  # PyTorch permutes to the output's order (always), then sums the rest
        summed = [c for c in dict.fromkeys(t) if c not in out]
        x = M.permute(x, [t.index(c) for c in out + "".join(summed)])
        return sum(x, tuple(range(len(out), len(t)))) if summed else x
    for k in range(1, len(xs)):
        later = "".join(terms[k + 1 :]) + out
        keep = "".join(c for c in dict.fromkeys(t + terms[k]) if c in later)
        if k == len(xs) - 1:
            keep = out
        x, t = _pair(x, t, xs[k], terms[k], keep, sizes), keep
    return _permuted(x, [t.index(c) for c in out])


__all__ = ["einsum"]
