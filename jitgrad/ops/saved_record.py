"""The record an elementwise node saves (``ElementwiseBackward._saved``), with its fields named.

::

    (op, smask, args, values, cdt, out_vc, versions, out, out_version)

``op`` the :class:`OpDef`; ``smask`` per operand ``"t"`` (a tensor) or a scalar kind;
``args`` the operands as recorded (arrays, scalars); ``values`` what the derivative rules read
for them (cast to ``cdt``, the dtype the op computed in); ``out_vc`` the result's version
counter and ``out_version`` its value when saved; ``versions`` the tensor operands' versions
when saved; ``out`` the result array (while deferred, its ``Pending``: see
:class:`LazySaved`, whose ``values`` slot holds the wanted dtypes).

It stays a plain tuple, read by these positions (or unpacked in this order): it is built on
every recorded op, and a record class costs more to build. Measured on the project machine
(2 busy cores), recording ``x * y`` on 16 elements with ``requires_grad``, eager: 4.22 us with
the tuple, 4.40 us with a ``__slots__`` class of these nine fields (+4%; a ``NamedTuple`` or a
tuple subclass costs more still, its ``__new__`` being Python code or a second tuple).
"""

from __future__ import annotations

#: the operand roles of an elementwise declaration, in argument order
ROLES = ("a", "b", "c")
FIELDS = ("op", "smask", "args", "values", "cdt", "out_vc", "versions", "out", "out_version")
OP, SMASK, ARGS, VALUES, CDT, OUT_VC, VERSIONS, OUT, OUT_VERSION = range(len(FIELDS))


class LazySaved(tuple):
    """A node's saved tuple whose ``values``/``out`` are computed when backward first reads it
    (its forward was deferred: see :mod:`jitgrad.frontend.lazy`).

    Its ``values`` hold the dtypes the operands were computed in and its ``out`` the result's
    ``Pending``; :func:`jitgrad.frontend.pending.resolve` turns it into the tuple
    ``pointwise.apply`` would have saved. Declared here, with the record's fields, so the
    layers below the front end (fusion's backward groups) can tell a deferred record apart.
    """

    __slots__ = ()
