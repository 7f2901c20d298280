"""PyTorch's checkpoint format, read and written, so checkpoints move between the libraries.

``torch.save`` writes a zip whose ``<archive>/data.pkl`` is a protocol-2 pickle in which each
storage is a persistent id ``('storage', <torch.FloatStorage...>, key, location, numel)`` and
its bytes are the record ``<archive>/data/<key>`` (little-endian unless ``byteorder`` says
otherwise); tensors are rebuilt by ``torch._utils._rebuild_tensor_v2(storage, offset, size,
stride, requires_grad, hooks)``, Parameters by ``_rebuild_parameter``. Reading maps those
globals to jitgrad's own rebuild functions; every size, offset and stride is checked against
the record before anything is allocated. Writing emits the same globals, so
``torch.load(weights_only=True)`` reads what :func:`write` produced.
"""

from __future__ import annotations

import io
import os
import pickle
from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from . import _torch_zip, lowp
from . import dtypes as D
from ._torch_unpickle import WeightsUnpickler
from .frontend.tensor import Size, Tensor, _make, device
from .nn.parameter import Parameter
from .tensor_query import _address, register_storage, saved_storage, storage_offset

UnpicklingError = pickle.UnpicklingError


class _Global:
    """A global written as ``GLOBAL module name`` (PyTorch need not be importable)."""

    __slots__ = ("module", "name", "dtype", "itemsize")

    def __init__(self, module: str, name: str, dtype: D.dtype | None = None, itemsize: int = 0):
        self.module, self.name, self.dtype, self.itemsize = module, name, dtype, itemsize

    def __repr__(self) -> str:
        return f"<class '{self.module}.{self.name}'>"

    def __call__(self, *args: Any) -> Any:  # pickle writes only callables as REDUCE targets
        raise UnpicklingError(f"{self.module}.{self.name} cannot be called in jitgrad")


#: PyTorch's legacy storage classes: the jitgrad dtype (None: jitgrad has none) and itemsize.
_STORAGES = {
    "FloatStorage": (D.float32, 4),
    "DoubleStorage": (D.float64, 8),
    "LongStorage": (D.int64, 8),
    "IntStorage": (D.int32, 4),
    "BoolStorage": (D.bool_, 1),
    "HalfStorage": (D.float16, 2),
    "BFloat16Storage": (D.bfloat16, 2),
    "ByteStorage": (D.uint8, 1),
    "CharStorage": (D.int8, 1),
    "ShortStorage": (D.int16, 2),
    "ComplexFloatStorage": (D.complex64, 8),
    "ComplexDoubleStorage": (D.complex128, 16),
    # quantized storages: jitgrad has no quantized dtypes; a file holding one is refused by name
    "QInt8Storage": (None, 1),
    "QUInt8Storage": (None, 1),
    "QInt32Storage": (None, 4),
}
STORAGE_TYPES = {n: _Global("torch", n, dt, size) for n, (dt, size) in _STORAGES.items()}
_STORAGE_OF = {t.dtype: t for t in STORAGE_TYPES.values() if t.dtype is not None}
_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")


#: ``restore(storage, location)``: the device (``"cpu"``, ``"cuda:0"``) a storage saved with
#: the location tag ``location`` loads on; ``storage`` is its data as a flat CPU tensor
Restore = Callable[[Tensor, str], str]


class _Storage:
    """One storage read from (or to be written to) the archive: a flat array, and the device
    its tensors live on (written as the storage's location tag; on reading, the device
    ``map_location`` chose for it)."""

    __slots__ = ("array", "dtype", "device")

    def __init__(self, array: np.ndarray, dtype: D.dtype, device: str = "cpu") -> None:
        self.array, self.dtype, self.device = array, dtype, device


def _ints(value: Any, what: str) -> tuple[int, ...]:
    if type(value) not in (tuple, list, Size) or not all(type(n) is int and n >= 0 for n in value):
        raise UnpicklingError(f"_rebuild_tensor_v2: {what} {value!r:.80} is not non-negative ints")
    return tuple(value)


def rebuild_tensor_v2(
    storage: Any,
    storage_offset: Any,
    size: Any,
    stride: Any,
    requires_grad: Any,
    backward_hooks: Any,
    metadata: Any = None,
) -> Tensor:
    """PyTorch's ``torch._utils._rebuild_tensor_v2``: a view of ``storage``, every bound
    checked (a forged size or stride raises instead of reading outside the storage)."""
    if type(storage) is not _Storage or type(requires_grad) is not bool:
        raise UnpicklingError("_rebuild_tensor_v2 got arguments of the wrong types")
    if type(storage_offset) is not int or storage_offset < 0:
        raise UnpicklingError(f"_rebuild_tensor_v2: storage offset {storage_offset!r:.40}")
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if len(size) != len(stride) or len(size) > 64:
        raise UnpicklingError(f"_rebuild_tensor_v2: size {size} and stride {stride} disagree")
    flat = storage.array
    if 0 not in size:
        last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
        if last >= flat.size:
            raise RuntimeError(
                f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                f"{storage_offset} require elements up to {last}, but the storage holds "
                f"{flat.size}"
            )
    item = flat.itemsize
    if 0 in size and storage_offset > flat.size:
        value = np.empty(size, flat.dtype)
    else:  # an ndarray over the buffer (numpy's as_strided would hide it behind its own base)
        value = np.ndarray(
            size, flat.dtype, flat, storage_offset * item, tuple(s * item for s in stride)
        )
    register_storage(flat)
    t = _make(value, storage.dtype)
    if storage.device != "cpu":
        t = t.to(storage.device)  # a copy per tensor: views of one storage stop sharing it
    if requires_grad:
        t.requires_grad_(True)
    return t


def rebuild_tensor(storage: Any, storage_offset: Any, size: Any, stride: Any) -> Tensor:
    """PyTorch's older ``torch._utils._rebuild_tensor``."""
    return rebuild_tensor_v2(storage, storage_offset, size, stride, False, OrderedDict())


def rebuild_parameter(data: Any, requires_grad: Any, backward_hooks: Any) -> Parameter:
    """PyTorch's ``torch._utils._rebuild_parameter``."""
    if not isinstance(data, Tensor) or type(requires_grad) is not bool:
        raise UnpicklingError("_rebuild_parameter got arguments of the wrong types")
    return Parameter(data.detach(), requires_grad)


def rebuild_parameter_with_state(data: Any, requires_grad: Any, hooks: Any, state: Any) -> Any:
    """``torch._utils._rebuild_parameter_with_state``; only an empty state is understood."""
    if state:
        raise UnpicklingError("a Parameter with Python attributes is not supported by jitgrad")
    return rebuild_parameter(data, requires_grad, hooks)


def _checked(kind: type, *types: type) -> Callable[..., Any]:
    """``kind`` called only on arguments of ``types``: ``bytearray(10**12)`` is refused."""

    def build(*args: Any) -> Any:
        if not all(type(a) in types for a in args):
            raise UnpicklingError(f"{kind.__name__} of {[type(a).__name__ for a in args]}")
        return kind(*args)

    return build


def _encode(text: Any, encoding: Any) -> bytes:
    """``_codecs.encode`` as pickle uses it for bytes: only ``latin1``."""
    if type(text) is not str or encoding not in ("latin1", "latin-1"):
        raise UnpicklingError(f"_codecs.encode with encoding {encoding!r:.40}")
    return text.encode("latin1")


ALLOWED: dict[str, Any] = {
    "collections.OrderedDict": OrderedDict,
    "collections.Counter": Counter,
    "torch.nn.parameter.Parameter": Parameter,
    "torch.Size": Size,
    "torch.device": device,
    "_codecs.encode": _encode,
    "builtins.bytearray": _checked(bytearray, bytes),
    "builtins.set": _checked(set, list, tuple),
    "builtins.complex": _checked(complex, int, float),
    "torch._utils._rebuild_tensor_v2": rebuild_tensor_v2,
    "torch._utils._rebuild_tensor": rebuild_tensor,
    "torch._utils._rebuild_parameter": rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": rebuild_parameter_with_state,
}
ALLOWED.update({f"torch.{dt.name}": dt for dt in _STORAGE_OF})
ALLOWED.update({f"torch.{n}": g for n, g in STORAGE_TYPES.items()})


class _Reader:
    """Storages of one PyTorch archive, each read once, its size checked before reading."""

    def __init__(
        self, read: Callable[[str], bytes], sizes: dict[str, int], prefix: str, restore: Restore
    ):
        self._read, self._sizes, self._prefix, self._restore = read, sizes, prefix, restore
        self._loaded: dict[str, _Storage] = {}
        self._big = False
        if f"{prefix}byteorder" in sizes:
            order = read(f"{prefix}byteorder")
            if order not in (b"little", b"big"):
                raise RuntimeError(f"Unknown endianness type: {order!r:.40}")
            self._big = order == b"big"

    def persistent_load(self, pid: Any) -> _Storage:
        if type(pid) is not tuple or len(pid) != 5:
            raise UnpicklingError(f"a storage id {pid!r:.80} is not 5 fields")
        _, kind, key, location, numel = pid
        if type(kind) is not _Global or kind not in STORAGE_TYPES.values():
            raise UnpicklingError(f"storage type {kind!r:.60} is not a torch storage class")
        if type(key) is not str or type(location) is not str or type(numel) is not int:
            raise UnpicklingError(f"a storage id {pid!r:.80} has fields of the wrong types")
        if kind.dtype is None:
            raise RuntimeError(
                f"jitgrad.load: the file holds a torch.{kind.name}, whose dtype jitgrad does "
                f"not have (it has {', '.join(f'torch.{n}' for n in list(_STORAGES)[:7])})"
            )
        if key in self._loaded:
            storage = self._loaded[key]
            if storage.dtype is not kind.dtype or storage.array.size != numel:
                raise UnpicklingError(f"storage {key!r} is named with two types or sizes")
            return storage
        name = f"{self._prefix}data/{key}"
        if name not in self._sizes:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found")
        if numel < 0 or numel * kind.itemsize != self._sizes[name]:
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {name}: the storage claims {numel} "
                f"elements of {kind.itemsize} bytes but the record holds {self._sizes[name]} bytes"
            )
        dt = kind.dtype.storage.newbyteorder(">" if self._big else "<")
        array = np.frombuffer(self._read(name), dt)
        if kind.dtype is D.bfloat16:  # raw bits; float16 and the rest: their numpy dtype
            array = lowp.from_bfloat16_bits(array)
        array = array.astype(kind.dtype.np)  # native, writable (float32 for the reduced types)
        device = self._restore(_make(array, kind.dtype), location)
        self._loaded[key] = storage = _Storage(array, kind.dtype, device)
        return storage


class _TrustedUnpickler(pickle.Unpickler):
    """``weights_only=False``: any global, torch's names mapped to jitgrad's."""

    def __init__(self, data: bytes, reader: _Reader) -> None:
        super().__init__(io.BytesIO(data))
        self._reader = reader

    def find_class(self, module: str, name: str) -> Any:
        module, name = NAME_MAPPING.get((module, name), (IMPORT_MAPPING.get(module, module), name))
        if f"{module}.{name}" in ALLOWED:
            return ALLOWED[f"{module}.{name}"]
        return super().find_class(module, name)

    def persistent_load(self, pid: Any) -> Any:
        return self._reader.persistent_load(pid)


def archive_prefix(names: list[str]) -> str | None:
    """``<archive>/`` when ``names`` are a PyTorch checkpoint's records, else None. PyTorch
    takes the archive's name from its first record, as here."""
    if not names or "/" not in names[0]:
        return None
    prefix = names[0].split("/", 1)[0] + "/"
    return prefix if f"{prefix}data.pkl" in names else None


def read(
    read: Callable[[str], bytes],
    sizes: dict[str, int],
    prefix: str,
    weights_only: bool,
    restore: Restore,
):
    """The object a PyTorch archive holds; ``read(name)`` gives a record's (CRC-checked)
    bytes, ``sizes`` every record's size, and ``restore(storage, location)`` the device each
    storage's tensors load on (``map_location``'s choice)."""
    reader = _Reader(read, sizes, prefix, restore)
    data = read(f"{prefix}data.pkl")
    if weights_only:
        return WeightsUnpickler(data, ALLOWED, reader.persistent_load, Parameter).load()
    return _TrustedUnpickler(data, reader).load()


def _contiguous_strides(shape: tuple) -> tuple[int, ...]:
    """PyTorch's contiguous strides (a size-0 dimension counts as 1)."""
    return tuple(int(np.prod([max(n, 1) for n in shape[i + 1 :]])) for i in range(len(shape)))


def _stored(value: np.ndarray, dtype: D.dtype) -> np.ndarray:
    """The little-endian bytes PyTorch stores for ``value`` of ``dtype`` (float16 held as
    float32 narrowed; bfloat16 as its raw bits)."""
    if dtype is D.bfloat16:
        value = lowp.bfloat16_bits(value)
    return np.asarray(value, dtype.storage.newbyteorder("<"))


class _Writer(pickle._Pickler):  # the Python pickler: its dispatch table can be extended
    """Protocol 2 as ``torch.save`` writes it: tensors as ``_rebuild_tensor_v2`` calls,
    storages as persistent ids, each storage's bytes collected in ``storages``."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file: IO[bytes], storages: list[bytes]) -> None:
        super().__init__(file, protocol=2)
        self.storages = storages
        #: a view base's buffer -> its _Storage, and a _Storage's id -> its persistent id:
        #: the views of one tensor saved together load as views of one storage again
        self.shared: dict[tuple, _Storage] = {}
        self.keys: dict[int, tuple] = {}
        #: a buffer's address -> the dtype it was saved as (PyTorch's ``storage_dtypes``)
        self.types: dict[int, D.dtype] = {}

    def _save_global(self, obj: _Global) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    dispatch[_Global] = _save_global

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Parameter):
            return _REBUILD_PARAMETER, (obj.detach(), obj.requires_grad, OrderedDict())
        if not isinstance(obj, Tensor):
            return NotImplemented
        if obj._dtype not in _STORAGE_OF:
            raise pickle.PicklingError(f"jitgrad.save cannot store dtype {obj._dtype}")
        view = self._in_storage(obj)
        if view is not None:
            return _REBUILD_TENSOR, (*view, obj.requires_grad, OrderedDict())
        value = _stored(np.asarray(obj._value, obj._dtype.np, order="C"), obj._dtype)  # (0-d)
        storage = _Storage(value.reshape(-1), obj._dtype, str(obj.device))
        strides = tuple(s // value.itemsize for s in value.strides) if value.size else None
        strides = strides or _contiguous_strides(value.shape)
        args = (storage, 0, tuple(value.shape), strides, obj.requires_grad, OrderedDict())
        return _REBUILD_TENSOR, args

    def _in_storage(self, obj: Tensor) -> tuple | None:
        """``(storage, offset, size, stride)`` of a CPU tensor as a view of its storage, as
        ``torch.save`` writes every tensor (a view saved alone brings its whole storage, as
        PyTorch's does), or None where the buffer is not one (negative strides: saved as a
        copy). A float16/bfloat16 tensor's storage is its float32 buffer in the half-width
        type; a bit view's (``x.view(torch.int32)``) is its buffer read in the view's type.
        One buffer saved in two types is PyTorch's RuntimeError."""
        if type(obj) is not Tensor or obj.is_cuda:
            return None
        value = obj._value
        if not isinstance(value, np.ndarray):
            return None
        flat, item = saved_storage(obj), value.itemsize
        if flat is None or any(st < 0 or st % item for st in value.strides):
            return None
        if flat.dtype != value.dtype and (flat.nbytes % item or _address(flat) % item):
            return None
        address = _address(flat)
        seen = self.types.setdefault(address, obj._dtype) if flat.size else obj._dtype
        if seen is not obj._dtype:
            raise RuntimeError(
                "Cannot save multiple tensors or storages that view the same data as "
                "different types"
            )
        key = (address, flat.nbytes)
        storage = self.shared.get(key)
        if storage is None:
            typed = flat if flat.dtype == value.dtype else flat.view(value.dtype)
            storage = self.shared[key] = _Storage(_stored(typed, obj._dtype), obj._dtype, "cpu")
        stride = tuple(st // item for st in value.strides)
        if not value.size and not any(stride):  # (NumPy's zero strides of a fresh empty array)
            stride = _contiguous_strides(value.shape)
        return storage, storage_offset(obj), tuple(value.shape), stride

    def persistent_id(self, obj: Any) -> Any:
        if type(obj) is not _Storage:
            return None
        pid = self.keys.get(id(obj))
        if pid is None:
            self.storages.append(obj.array.tobytes())
            key = str(len(self.storages) - 1)
            pid = ("storage", _STORAGE_OF[obj.dtype], key, obj.device, obj.array.size)
            self.keys[id(obj)] = pid
        return (*pid,)  # a new tuple per use, as PyTorch's (pickled again, not memoized)


def write(obj: Any, f: Any) -> None:
    """``obj`` in PyTorch's zip layout, records aligned to 64 bytes as ``torch.save`` does."""
    pkl, storages = io.BytesIO(), []
    _Writer(pkl, storages).dump(obj)
    name = "archive"
    if isinstance(f, str | os.PathLike):
        name = os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
    records = [("data.pkl", pkl.getvalue()), (".format_version", b"1")]
    records += [(".storage_alignment", b"64"), ("byteorder", b"little")]
    records += [(f"data/{i}", data) for i, data in enumerate(storages)]
    serial = str(int.from_bytes(os.urandom(16), "little")).zfill(40)[:40]
    records += [("version", b"3\n"), (".data/serialization_id", serial.encode())]
    _torch_zip.save(f, [(f"{name}/{record}", data) for record, data in records])
