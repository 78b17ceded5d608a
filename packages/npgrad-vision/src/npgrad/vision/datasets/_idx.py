"""The IDX file format of the MNIST family (LeCun's "Pascal Vincent" SN3 format).

A file is a 4-byte magic number — two zero bytes, the element type code, the number of
dimensions — then each dimension's size (big-endian uint32), then the elements (big-endian).
It may be stored raw or compressed (``.gz``, ``.xz``), and is read without unpacking to disk.
"""

from __future__ import annotations

import gzip
import lzma
import math
import os
import struct

import numpy as np

__all__ = ["read_idx", "read_image_file", "read_label_file"]

PathLike = str | os.PathLike[str]

# IDX type codes (third byte of the magic number) -> big-endian NumPy dtype
_IDX_TYPES: dict[int, tuple[str, str]] = {
    0x08: (">u1", "unsigned byte"),
    0x09: (">i1", "signed byte"),
    0x0B: (">i2", "int16"),
    0x0C: (">i4", "int32"),
    0x0D: (">f4", "float32"),
    0x0E: (">f8", "float64"),
}


# compressed forms, read directly
_COMPRESSED = (".gz", ".xz")


def _uncompressed(name: str) -> str:
    """``name`` without a ``.gz`` / ``.xz`` suffix."""
    base, suffix = os.path.splitext(name)
    return base if suffix in _COMPRESSED else name


def _read_bytes(path: str) -> bytes:
    suffix = os.path.splitext(path)[1]
    try:
        if suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        if suffix == ".xz":
            with lzma.open(path, "rb") as f:
                return f.read()
        with open(path, "rb") as f:
            return f.read()
    except (gzip.BadGzipFile, lzma.LZMAError, EOFError, OSError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise OSError(f"cannot read IDX file {path!r}: {e} (corrupt or truncated download?)") from e


def _describe(type_code: int, ndim: int) -> str:
    magic = (type_code << 8) | ndim
    kind = _IDX_TYPES.get(type_code, ("", f"type 0x{type_code:02X}"))[1]
    return f"0x{magic:08X} ({magic}: {kind}, {ndim} dimension{'s' if ndim != 1 else ''})"


def read_idx(path: PathLike, type_code: int | None = None, ndim: int | None = None) -> np.ndarray:
    """Read an IDX file (raw, or compressed when the name ends in ``.gz`` or ``.xz``).

    Parameters
    ----------
    path : path
        The file.
    type_code, ndim : int, optional
        Require this element type (``0x08`` for unsigned bytes) and number of dimensions.

    Returns
    -------
    numpy.ndarray
        The array in native byte order, shaped by the header.

    Raises
    ------
    ValueError
        When the magic number, the number of dimensions or the file size does not match;
        the message names the file and the expected header.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from npgrad.vision.datasets.mnist import read_idx
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels-idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
    >>> read_idx(path, 0x08, 1)
    array([7, 2, 1], dtype=uint8)
    """
    path = os.fspath(path)
    data = _read_bytes(path)
    want = (
        _describe(type_code, ndim)
        if type_code is not None and ndim is not None
        else "0x0000TTDD (two zero bytes, the type code TT, the number of dimensions DD)"
    )
    if len(data) < 4:
        raise ValueError(
            f"{path}: not an IDX file: {len(data)} bytes, too short for the 4-byte magic "
            f"number; expected {want}"
        )
    zero0, zero1, code, dims_n = data[0], data[1], data[2], data[3]
    if (
        zero0 != 0
        or zero1 != 0
        or code not in _IDX_TYPES
        or (type_code is not None and code != type_code)
        or (ndim is not None and dims_n != ndim)
    ):
        raise ValueError(
            f"{path}: bad IDX magic number 0x{data[:4].hex().upper()}; expected {want}"
        )
    header = 4 + 4 * dims_n
    if len(data) < header:
        raise ValueError(
            f"{path}: the IDX header is cut short: {len(data)} bytes, the magic number "
            f"announces {dims_n} dimension sizes ({header} header bytes)"
        )
    shape = struct.unpack(f">{dims_n}I", data[4:header])
    dtype = np.dtype(_IDX_TYPES[code][0])
    expected = header + math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(
            f"{path}: the IDX header announces shape {tuple(shape)} ({expected} bytes with the "
            f"header {_describe(code, dims_n)}), but the file has {len(data)} bytes "
            "(truncated or corrupt)"
        )
    arr = np.frombuffer(data, dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))


def read_image_file(path: PathLike) -> np.ndarray:
    """An IDX file of unsigned-byte images ``(N, H, W)`` (magic ``0x00000803``)."""
    return read_idx(path, 0x08, 3)


def read_label_file(path: PathLike) -> np.ndarray:
    """An IDX file of unsigned-byte labels ``(N,)`` (magic ``0x00000801``), as int64."""
    return read_idx(path, 0x08, 1).astype(np.int64)
