"""The differentiable views of a buffer, so that a change in place makes them stale.

PyTorch records, with each view's ``grad_fn``, the version of the counter the view shares
with its base; when ``grad_fn`` is read at another version (the base, a sibling view or a
detached alias was changed in place since), it builds a new one, ``AsStridedBackward0`` over
the base's current history (torch/csrc/autograd/variable.cpp, ``VariableHooks::grad_fn``).
Without it a view keeps its old node and its gradient silently misses the change.

Here ``grad_fn`` stays a plain slot, read at no cost: the counter (``Tensor._vc``) carries,
once a differentiable view shares it, a second entry, :class:`Views`: weak references to
those views. ``Tensor._bump`` (every change in place) tells it; each live view but the one
written moves to a subclass of its class (:func:`stale_class`) whose ``grad_fn`` property
builds the new node on first read and moves the view back. Tensors that are not views, and
views never made stale, pay nothing on a read; a change in place pays one ``len``.
"""

from __future__ import annotations

import weakref
from typing import Any

from .bit_views import BIT_VIEWS
from .tensor import _VALUE, Tensor

#: ``regenerate(view)``: the view's new history from its base (set by :mod:`.stale_views`,
#: which reads the view's place in its base with :mod:`.view_relation`; that module records
#: through :mod:`.strided_region`, which makes views: importing it here would be a cycle).
REGENERATE: list = [None]
_ref = weakref.ref
_SLOT = Tensor.__dict__["grad_fn"]  # the slot itself, under the stale classes' property
_STALE: dict[type, type] = {}  # a view class -> its stale twin
_STALE_SET: set[type] = set()  # the twins
#: a backend's view classes that go stale too, and its regeneration by the type of the
#: view's stored array (a device view reads its root's region its own way): :func:`regenerates`
_OWN: set[type] = set()
_BY_ARRAY: dict[type, Any] = {}


class Views(list):
    """Weak references to the differentiable views that share one version counter."""

    __slots__ = ("limit",)

    def __init__(self) -> None:
        super().__init__()
        self.limit = 32  # dead references are dropped when the list reaches this length

    def __reduce__(self) -> tuple:  # a pickled or copied counter forgets the live views
        return (Views, ())

    def compact(self) -> None:
        """Drop the dead references (when the list reaches ``limit``: amortized)."""
        self[:] = [r for r in self if r() is not None]
        self.limit = max(32, 2 * len(self))

    def stale(self, written: Tensor) -> None:
        """The counter moved: every live view but ``written`` reads a new ``grad_fn``."""
        live = []
        for ref in self:
            v = ref()
            if v is None:
                continue
            live.append(ref)
            cls = type(v)
            if v is not written and (cls is Tensor or cls in BIT_VIEWS or cls in _OWN):
                v.__class__ = stale_class(cls)
        self[:] = live


#: ``Views.__new__`` (list's): a counter's first view list made without ``__init__``'s frame
#: and ``super()`` call (~2.2k instructions of the ~2.7k a ``Views()`` costs; an unbind of a
#: scalar graph makes one each), its ``limit`` set by the caller
_new_views = Views.__new__


def register(view: Tensor) -> None:
    """``view`` (with history, sharing its base's counter) is made stale by changes."""
    vc = view._vc
    if len(vc) == 1:
        views = _new_views(Views)
        views.limit = 32  # (Views.__init__'s)
        vc.append(views)
    views = vc[1]
    views.append(_ref(view))
    if len(views) >= views.limit:
        views.compact()


def register_all(views: list) -> None:
    """:func:`register` for the outputs of one unbind/split (one counter): one extend."""
    vc = views[0]._vc
    if len(vc) == 1:
        refs = _new_views(Views)
        refs.limit = 32  # (Views.__init__'s)
        vc.append(refs)
    refs = vc[1]
    refs.extend(map(_ref, views))
    if len(refs) >= refs.limit:
        refs.compact()


def regenerates(classes: tuple, arrays: tuple, regenerate: Any) -> None:
    """Views of ``classes`` go stale too; views stored in ``arrays`` (a backend's buffers)
    regenerate with ``regenerate(view)``."""
    _OWN.update(classes)
    _BY_ARRAY.update(dict.fromkeys(arrays, regenerate))


def _read(view: Tensor) -> Any:
    view.__class__ = type(view).__bases__[0]
    _BY_ARRAY.get(type(_VALUE.__get__(view)), REGENERATE[0])(view)
    return _SLOT.__get__(view)


def _write(view: Tensor, node: Any) -> None:
    view.__class__ = type(view).__bases__[0]
    _SLOT.__set__(view, node)


def fresh_type(x: Tensor) -> type:
    """``type(x)``, after moving a stale view back (reading its new ``grad_fn``): for the
    checks that tell a conj/neg view by its class (``type(x) in BIT_VIEWS``)."""
    cls = type(x)
    if cls is not Tensor and cls in _STALE_SET:
        try:
            _read(x)
        except RuntimeError:  # an unbind/split output: its grad_fn is refused (stale_views)
            return cls.__bases__[0]
        cls = type(x)
    return cls


def stale_class(cls: type) -> type:
    """``cls`` with a ``grad_fn`` that regenerates (same layout: ``__class__`` can move)."""
    sub = _STALE.get(cls)
    if sub is None:
        body = {"__slots__": (), "grad_fn": property(_read, _write), "__module__": cls.__module__}
        sub = _STALE[cls] = type(cls.__name__, (cls,), body)
        _STALE_SET.add(sub)
    return sub
