"""The zip container ``torch.save`` writes, byte for byte (PyTorch 2.13's
``PyTorchStreamWriter`` over miniz).

Python's ``zipfile`` writes a valid archive of the same records but not the same bytes: its
headers carry times, versions and sizes where miniz's streaming writer leaves zeros and
appends a data descriptor, and it ends without miniz's zip64 records. A program that prints
``os.path.getsize`` of a checkpoint (the quantization recipes' ``print_size_of_model``) sees
the difference, so the layout is written here as PyTorch's writer lays it out:

- each record: a local header with version 0, flags 0x0808 (a data descriptor follows, UTF-8
  name; 0x0800 and no descriptor for an empty record), no time, CRC or sizes; an extra
  field ``FB<len>ZZZ...`` padding the data to a 64-byte boundary (``getPadding`` in
  caffe2/serialize/inline_container.cc); the data; a descriptor ``PK\\x07\\x08`` with
  the CRC and both sizes;
- the central directory: one entry per record, all versions, times and attributes 0;
- miniz's zip64 end-of-central-directory record (``MZ_ZIP_FLAG_WRITE_ZIP64``) and its
  locator, then the classic end record.

Records of 4 GiB or more need zip64 fields per entry; for those Python's writer is used.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from typing import IO, Any

ALIGNMENT = 64
_LOCAL = struct.Struct("<IHHHHHIIIHH")  # 30 bytes
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # 46 bytes
_UTF8 = 0x0800
_FLAGS = _UTF8 | 0x0008  # a data descriptor follows the data


def save(f: Any, records: list[tuple[str, bytes]]) -> None:
    """``records`` (full names, data) into ``f`` (a path or a binary file) as PyTorch's
    writer lays them out; an archive of 4 GiB or more through Python's zip writer (zip64
    fields per entry, its data still 64-byte aligned)."""
    total = sum(len(data) + len(name) + ALIGNMENT + 46 for name, data in records)
    if total < 0xFFFFFFFF:
        if isinstance(f, str | os.PathLike):
            with open(f, "wb") as out:
                write(out, records)
        else:
            write(f, records)
        return
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        for record, data in records:
            info = zipfile.ZipInfo(record, (1980, 1, 1, 0, 0, 0))
            assert z.fp is not None
            start = z.fp.tell() + 30 + len(record.encode()) + 4
            pad = -start % ALIGNMENT
            info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            z.writestr(info, data)


def write(out: IO[bytes], records: list[tuple[str, bytes]]) -> None:
    """``records`` (full names, data) as PyTorch's writer lays them out, into ``out``."""
    chunks: list[bytes] = []
    pos = 0
    central: list[bytes] = []
    for name, data in records:
        encoded = name.encode()
        start = pos + _LOCAL.size + len(encoded) + 4
        pad = -start % ALIGNMENT
        extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        crc = zlib.crc32(data) & 0xFFFFFFFF
        flags = _FLAGS if data else _UTF8  # (miniz writes an empty record without descriptor)
        header = _LOCAL.pack(0x04034B50, 0, flags, 0, 0, 0, 0, 0, 0, len(encoded), len(extra))
        descriptor = struct.pack("<IIII", 0x08074B50, crc, len(data), len(data)) if data else b""
        central.append(
            _CENTRAL.pack(
                0x02014B50,
                0,
                0,
                flags,
                0,
                0,
                0,
                crc,
                len(data),
                len(data),
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                pos,
            )  # fmt: skip
            + encoded
        )
        chunks += [header, encoded, extra, data, descriptor]
        pos += len(header) + len(encoded) + len(extra) + len(data) + len(descriptor)
    directory = b"".join(central)
    n = len(records)
    end64 = struct.pack(
        "<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 0x2D, 0, 0, n, n, len(directory), pos
    )
    locator = struct.pack("<IIQI", 0x07064B50, 0, pos + len(directory), 1)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(directory), pos, 0)
    chunks += [directory, end64, locator, end]
    out.write(b"".join(chunks))
