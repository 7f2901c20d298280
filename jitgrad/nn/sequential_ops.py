"""``nn.Sequential``'s operators (``+``, ``+=``, ``*``, ``*=``) and its index check, with
PyTorch's results and errors: a new Sequential of the same module objects, or the same one
grown in place. A mixin, so that ``container.py`` stays one screenful per container."""

from __future__ import annotations

import operator
from typing import Any


def item_index(container: Any, idx: Any) -> int:
    """``idx`` as a non-negative position, with PyTorch's error when it is out of range."""
    size = len(container)
    idx = operator.index(idx)
    if not -size <= idx < size:
        raise IndexError(f"index {idx} is out of range")
    return idx % size


class SequentialOps:
    """The operators PyTorch's ``Sequential`` defines (``_modules`` keys ``"0"``, ``"1"`` ...)."""

    def __add__(self, other: Any) -> Any:
        if not isinstance(other, type(self)):
            raise ValueError(
                "add operator supports only objects of Sequential class, but "
                f"{type(other)} is given."
            )
        ret = type(self)()
        for layer in [*self, *other]:
            ret.append(layer)
        return ret

    def __iadd__(self, other: Any) -> Any:
        if not isinstance(other, type(self)):
            raise ValueError(
                "add operator supports only objects of Sequential class, but "
                f"{type(other)} is given."
            )
        offset = len(self)
        for i, module in enumerate(other):
            self.add_module(str(i + offset), module)
        return self

    def _factor(self, other: Any) -> int:
        if not isinstance(other, int):
            raise TypeError(f"unsupported operand type(s) for *: {type(self)} and {type(other)}")
        if other <= 0:
            raise ValueError(f"Non-positive multiplication factor {other} for {type(self)}")
        return other

    def __mul__(self, other: Any) -> Any:
        combined = type(self)()
        for module in list(self) * self._factor(other):
            combined.append(module)
        return combined

    def __rmul__(self, other: Any) -> Any:
        return self.__mul__(other)

    def __imul__(self, other: Any) -> Any:
        modules = list(self) * (self._factor(other) - 1)
        for module in modules:
            self.add_module(str(len(self)), module)
        return self
