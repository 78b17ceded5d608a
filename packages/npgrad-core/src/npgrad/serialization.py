"""Saving and loading without pickle: safetensors (default) and ``.npz``; reading PyTorch
``.pt`` checkpoints through a restricted unpickler.

A safetensors file holds the tensors flat under their dotted key path (``layer.0.weight``);
when the saved object is more than a flat ``dict[str, Tensor]``, its structure (nested dicts
with str or int keys, lists, tuples, numbers, strings, bools, None) is stored as JSON in the
metadata under ``"npgrad.structure"``. A flat dict of tensors gives a plain safetensors file
that any safetensors reader loads, and a plain file written elsewhere loads as a dict.

Loading never executes code: the safetensors header is validated (offsets, sizes, dtypes)
before any tensor is built, ``.npz`` files are read with ``allow_pickle=False``, and a ``.pt``
pickle may only name the handful of globals a state_dict needs.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import struct
import tempfile
import tokenize
import zipfile
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import IO, Any

import numpy as np

from npgrad.tensor import Tensor

__all__ = ["load", "save"]

_STRUCTURE_KEY = "npgrad.structure"
_ST_DTYPES = {
    "BOOL": np.dtype("bool"),
    "U8": np.dtype("uint8"),
    "I8": np.dtype("int8"),
    "I16": np.dtype("<i2"),
    "I32": np.dtype("<i4"),
    "I64": np.dtype("<i8"),
    "F16": np.dtype("<f2"),
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
}

PathOrFile = str | os.PathLike | IO[bytes]


# ---- the structure of a nested object ------------------------------------------------------
def _flatten(obj: Any, path: str, arrays: dict[str, np.ndarray]) -> Any:
    """Return a JSON-able description of ``obj``, collecting its arrays under dotted keys."""
    if isinstance(obj, (Tensor, np.ndarray)):
        arr = obj._data if isinstance(obj, Tensor) else obj
        if arr.dtype.kind not in "biuf" or arr.dtype.str.lstrip("<>|=") not in {
            d.str.lstrip("<>|=") for d in _ST_DTYPES.values()
        }:
            raise TypeError(
                f"save: can't save an array of dtype {arr.dtype} at {path or 'the top'}"
            )
        key = path or "tensor"
        while key in arrays:  # dotted paths of different nestings can coincide
            key += "_"
        # not np.ascontiguousarray: it turns 0-d arrays into shape (1,)
        arrays[key] = arr if arr.flags.c_contiguous else np.array(arr, order="C")
        if isinstance(obj, Tensor) and obj.requires_grad:
            # torch.save keeps requires_grad; only a leaf's flag is meaningful to restore
            return {"tensor_requires_grad": key}
        return {"tensor" if isinstance(obj, Tensor) else "ndarray": key}
    if obj is None or isinstance(obj, (bool, str)):
        return {"value": obj}
    if isinstance(obj, np.bool_):  # like NumPy's integers and floats: the Python value
        return {"value": bool(obj)}
    if isinstance(obj, (int, np.integer)):
        return {"int": int(obj)}
    if isinstance(obj, (float, np.floating)):
        return {"float": repr(float(obj))}  # repr keeps nan/inf and every digit
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(
                    f"save: dict keys must be str or int, got {type(k).__name__} at {path}"
                )
            items.append([k, _flatten(v, f"{path}.{k}" if path else str(k), arrays)])
        return {"ordered_dict" if isinstance(obj, OrderedDict) else "dict": items}
    if isinstance(obj, (list, tuple)):
        kind = "tuple" if isinstance(obj, tuple) else "list"
        return {
            kind: [
                _flatten(v, f"{path}.{i}" if path else str(i), arrays) for i, v in enumerate(obj)
            ]
        }
    raise TypeError(
        f"save: can't save an object of type {type(obj).__name__} at {path or 'the top'}; "
        "npgrad.save takes Tensors, ndarrays, numbers, strings, None and dicts/lists/tuples of them"
    )


def _rebuild(node: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError(f"load: {where}: malformed structure entry {node!r}")
    ((kind, v),) = node.items()
    if kind in ("tensor", "tensor_requires_grad", "ndarray"):
        if v not in arrays:
            raise ValueError(f"load: {where}: the structure names a tensor {v!r} the file lacks")
        if kind == "ndarray":
            return arrays[v]
        return Tensor._make(arrays[v], kind == "tensor_requires_grad", None)
    if kind == "value":
        return v
    if kind == "int":
        return int(v)
    if kind == "float":
        return float(v)
    if kind in ("dict", "ordered_dict"):
        d = OrderedDict() if kind == "ordered_dict" else {}
        for k, item in v:
            d[k] = _rebuild(item, arrays, where)
        return d
    if kind == "list":
        return [_rebuild(item, arrays, where) for item in v]
    if kind == "tuple":
        return tuple(_rebuild(item, arrays, where) for item in v)
    raise ValueError(f"load: {where}: unknown structure entry {kind!r}")


def _is_flat(obj: Any) -> bool:
    # a tensor that requires grad needs the structure to record it
    return isinstance(obj, dict) and all(
        isinstance(k, str) and isinstance(v, Tensor) and not v.requires_grad for k, v in obj.items()
    )


# ---- save ------------------------------------------------------------------------------------
def save(
    obj: Any, f: PathOrFile, *, format: str | None = None, metadata: dict[str, str] | None = None
) -> None:  # noqa: A002
    """Save ``obj`` (a Tensor, an ndarray, or nested dicts/lists/tuples of them with numbers,
    strings, bools and None) to ``f``, a path or a binary file object.

    The format is safetensors unless ``format="npz"`` or the path ends in ``.npz``. Writing
    to a path is atomic: a temporary file is renamed into place only once complete.

    Examples
    --------
    >>> import io, npgrad
    >>> buf = io.BytesIO()
    >>> npgrad.save({"w": npgrad.ones(2), "step": 3}, buf)
    >>> npgrad.load(io.BytesIO(buf.getvalue()))
    {'w': tensor([1., 1.]), 'step': 3}
    """
    fmt = format or (
        "npz" if isinstance(f, (str, os.PathLike)) and str(f).endswith(".npz") else "safetensors"
    )
    if fmt not in ("safetensors", "npz"):
        raise ValueError(f"save: unknown format {fmt!r}; use 'safetensors' or 'npz'")
    arrays: dict[str, np.ndarray] = {}
    structure = _flatten(obj, "", arrays)
    if fmt == "npz":
        payload = dict(arrays)
        if structure is not None:
            payload["__npgrad_structure__"] = np.array(json.dumps(structure))
        buf = io.BytesIO()
        np.savez(buf, **payload)  # type: ignore[arg-type]
        data = buf.getvalue()
    else:
        from safetensors.numpy import save as st_save

        meta = dict(metadata or {})
        if not _is_flat(obj):
            meta[_STRUCTURE_KEY] = json.dumps(structure)
        data = st_save(arrays, metadata=meta or None)
    _write(f, data)


def _write(f: PathOrFile, data: bytes) -> None:
    if not isinstance(f, (str, os.PathLike)):
        f.write(data)
        return
    write_atomic(f, data, "save")


def write_atomic(path: str | os.PathLike[str], data: bytes, where: str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory renamed over
    it: a failed write leaves an existing file as it was. A symlink is written through (its
    target replaced), a replaced file keeps its permissions, and a missing directory is an
    error naming it and ``where`` (the caller). npgrad-vision's image savers use it too."""
    target = Path(os.path.realpath(path))
    folder = target.parent
    if not folder.is_dir():  # (mkstemp's error would name the temporary file)
        raise FileNotFoundError(
            errno.ENOENT, f"{where}: cannot write {os.fspath(path)}: no such directory", str(folder)
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, os.stat(target).st_mode & 0o7777)  # keep a replaced file's mode
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---- load ------------------------------------------------------------------------------------
def load(
    f: PathOrFile,
    map_location: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool = False,
) -> Any:
    """Load what :func:`save` wrote, a plain safetensors or ``.npz`` file, or a PyTorch ``.pt``
    zip checkpoint (without torch; only state_dict-like content is accepted).

    ``mmap=True`` maps a safetensors file from a path instead of reading it into memory.
    ``map_location`` and ``weights_only`` are accepted for compatibility with ``torch.load``
    and ignored: there are no devices, and a ``.pt`` pickle is always read as
    ``weights_only=True`` reads it (``weights_only=False`` does not widen what is accepted).

    Examples
    --------
    >>> import io
    >>> import npgrad
    >>> buf = io.BytesIO()
    >>> npgrad.save({"w": npgrad.tensor([1.0, 2.0]), "step": 3}, buf)
    >>> _ = buf.seek(0)
    >>> npgrad.load(buf)
    {'w': tensor([1., 2.]), 'step': 3}
    """
    name = str(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file object>")
    if mmap and isinstance(f, (str, os.PathLike)):
        return _load_safetensors(np.memmap(f, dtype=np.uint8, mode="r"), name, None)
    data = Path(f).read_bytes() if isinstance(f, (str, os.PathLike)) else f.read()
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
                if any(n.endswith("data.pkl") for n in names):
                    from npgrad._torch_reader import read_torch_zip

                    return read_torch_zip(zf, name)
            return _load_npz(data, name)
        # zipfile and np.load report damage with errors that do not name the file (bad
        # CRC, missing central directory, a mangled .npy header that fails to tokenize)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            NotImplementedError,
            UnicodeDecodeError,
            SyntaxError,
            tokenize.TokenError,
        ) as e:
            raise ValueError(
                f"load: {name} is a corrupt or truncated zip archive ({type(e).__name__}: {e})"
            ) from None
    if data[8:9] != b"{" and data[:1] == b"\x80":  # a pickle, not a safetensors header
        raise ValueError(
            f"load: {name} is a legacy (pre-1.6, non-zip) PyTorch file, which npgrad does not "
            "read; re-save it with a current torch.save"
        )
    return _load_safetensors(np.frombuffer(data, dtype=np.uint8), name, data)


def _load_npz(data: bytes, name: str) -> Any:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except ValueError as e:
        raise ValueError(f"load: {name}: not a pickle-free .npz file ({e})") from None
    structure = arrays.pop("__npgrad_structure__", None)
    if structure is None:
        return {k: Tensor._make(v, False, None) for k, v in arrays.items()}
    return _rebuild(json.loads(str(structure)), arrays, name)


def _load_safetensors(buf: np.ndarray, name: str, data: bytes | None) -> Any:
    """Validate the header, then read the tensors: with the safetensors package from bytes,
    or as read-only views of the memory map (``data`` None)."""
    header, start = _read_header(buf, name)
    meta = header.pop("__metadata__", None) or {}
    if data is not None:
        from safetensors.numpy import load as st_load

        arrays = st_load(data)
    else:
        arrays = {}
        for key, info in header.items():
            lo, hi = info["data_offsets"]
            arr = buf[start + lo : start + hi].view(_ST_DTYPES[info["dtype"]])
            arrays[key] = arr.reshape(info["shape"])
    structure = meta.get(_STRUCTURE_KEY)
    if structure is None:
        return {k: Tensor._make(v, False, None) for k, v in arrays.items()}
    try:
        parsed = json.loads(structure)
    except json.JSONDecodeError as e:
        raise ValueError(
            f"load: {name}: the npgrad structure metadata is not valid JSON ({e})"
        ) from None
    return _rebuild(parsed, arrays, name)


def _read_header(buf: np.ndarray, name: str) -> tuple[dict[str, Any], int]:
    """Parse and validate a safetensors header; every problem names the file."""
    size = buf.size
    if size < 8:
        raise ValueError(f"load: {name} is not a safetensors file (only {size} bytes)")
    if size > 8 and buf[8] != ord("{"):  # a safetensors header is a JSON object
        raise ValueError(
            f"load: {name} is not a file npgrad can read: not safetensors (its header is not "
            "JSON) and not a zip archive (.npz, or a PyTorch .pt checkpoint)"
        )
    (n,) = struct.unpack("<Q", bytes(buf[:8]))
    if n > size - 8:
        raise ValueError(
            f"load: {name}: the safetensors header claims {n} bytes but the file has only "
            f"{size - 8} after the length field (truncated or not a safetensors file)"
        )
    raw = bytes(buf[8 : 8 + n])
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(
            f"load: {name} is not a safetensors file (its header is not JSON)"
        ) from None
    if not isinstance(header, dict):
        raise ValueError(f"load: {name}: the safetensors header is not a JSON object")
    start = 8 + n
    spans = []
    for key, info in header.items():
        if key == "__metadata__":
            continue
        try:
            dtype, shape, (lo, hi) = info["dtype"], info["shape"], info["data_offsets"]
        except (TypeError, KeyError, ValueError):
            raise ValueError(f"load: {name}: malformed header entry for {key!r}") from None
        if dtype not in _ST_DTYPES:
            raise ValueError(
                f"load: {name}: tensor {key!r} has dtype {dtype!r}, which npgrad does not support"
            )
        if not (isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi):
            raise ValueError(f"load: {name}: tensor {key!r} has invalid offsets [{lo}, {hi}]")
        if start + hi > size:
            raise ValueError(
                f"load: {name}: tensor {key!r} ends at byte {start + hi} but the file has {size} "
                "bytes (truncated)"
            )
        if any(not isinstance(s, int) or s < 0 for s in shape):
            raise ValueError(f"load: {name}: tensor {key!r} has an invalid shape {shape}")
        expected = int(np.prod(shape, dtype=np.int64)) * _ST_DTYPES[dtype].itemsize
        if hi - lo != expected:
            raise ValueError(
                f"load: {name}: tensor {key!r} of shape {shape} and dtype {dtype} needs "
                f"{expected} bytes but its offsets span {hi - lo}"
            )
        spans.append((lo, hi, key))
    spans.sort()
    for (_, hi1, k1), (lo2, _, k2) in zip(spans, spans[1:]):
        if lo2 < hi1:
            raise ValueError(f"load: {name}: tensors {k1!r} and {k2!r} overlap in the file")
    return header, start
