"""Read PyTorch zip checkpoints (``torch.save`` of a state_dict) without torch, safely.

A ``.pt`` file is a zip archive: ``<name>/data.pkl`` is a pickle describing the object and
``<name>/data/<key>`` holds each storage's raw bytes. The pickle is read by an unpickler whose
``find_class`` returns npgrad's own rebuild functions for the few globals a state_dict uses
(and safe stand-ins for the plain values ``torch.load(weights_only=True)`` accepts: sets,
bytes, complex numbers, ``torch.Size``, dtypes, devices) and refuses every other global *before* anything is called — a checkpoint that asks for
``os.system`` fails with an error naming that global, and no code from the file ever runs.
"""

from __future__ import annotations

import collections
import io
import pickle
import struct
import zipfile
from typing import Any

import numpy as np

from npgrad._size import Size
from npgrad.tensor import Tensor

__all__ = ["read_torch_zip"]

# storage class name -> dtype of its elements (bfloat16 is read as its raw 16 bits)
_STORAGES: dict[str, np.dtype] = {
    "DoubleStorage": np.dtype("float64"),
    "FloatStorage": np.dtype("float32"),
    "HalfStorage": np.dtype("float16"),
    "BFloat16Storage": np.dtype("uint16"),
    "LongStorage": np.dtype("int64"),
    "IntStorage": np.dtype("int32"),
    "ShortStorage": np.dtype("int16"),
    "CharStorage": np.dtype("int8"),
    "ByteStorage": np.dtype("uint8"),
    "BoolStorage": np.dtype("bool"),
}


class _StorageType:
    def __init__(self, name: str) -> None:
        self.name = name
        self.dtype = _STORAGES[name]


class _Storage:
    """The elements of one storage, as a 1-D array, plus whether they are bfloat16 bits."""

    def __init__(self, array: np.ndarray, bfloat16: bool) -> None:
        self.array = array
        self.bfloat16 = bfloat16


def _rebuild_tensor_v2(
    storage: _Storage,
    storage_offset: int,
    size: tuple[int, ...],
    stride: tuple[int, ...],
    requires_grad: bool = False,
    backward_hooks: Any = None,
    metadata: Any = None,
) -> Tensor:
    arr = storage.array
    n = int(np.prod(size, dtype=np.int64)) if size else 1
    if n and (
        storage_offset < 0
        or storage_offset + sum((s - 1) * st for s, st in zip(size, stride)) >= arr.size
        or any(st < 0 for st in stride)
    ):
        raise pickle.UnpicklingError(
            f"a tensor of size {tuple(size)} and stride {tuple(stride)} at offset "
            f"{storage_offset} does not fit its storage of {arr.size} elements"
        )
    view = np.lib.stride_tricks.as_strided(
        arr[storage_offset:],
        shape=tuple(size),
        strides=tuple(st * arr.itemsize for st in stride),
        writeable=False,
    )
    out = np.array(view)  # own, contiguous memory: shared storages become separate arrays
    if storage.bfloat16:  # bfloat16 is the top half of a float32
        out = (out.astype(np.uint32) << 16).view(np.float32)
    t = Tensor._make(out, False, None)
    if requires_grad and out.dtype.kind == "f":
        t.requires_grad_(True)
    return t


def _rebuild_parameter(
    data: Tensor, requires_grad: bool, backward_hooks: Any, *args: Any
) -> Tensor:
    return data.requires_grad_(requires_grad) if data.dtype.kind == "f" else data


def _size(dims: Any = ()) -> Size:
    return Size(int(d) for d in dims)  # torch.Size -> npgrad.Size


def _device(type_: str, index: int | None = None) -> str:
    return type_ if index is None else f"{type_}:{index}"  # npgrad's Tensor.device is a str


def _encode(text: str, encoding: str = "utf-8") -> bytes:
    # protocol 2 pickles bytes as _codecs.encode(text, "latin1"); only text -> bytes here
    if not isinstance(text, str) or not isinstance(encoding, str):
        raise pickle.UnpicklingError("_codecs.encode is only accepted on a str")
    return text.encode(encoding)


# torch dtypes in the pickle (torch.float32) -> npgrad's; bfloat16 as float32, like tensors
_DTYPES = {
    name: np.dtype("float32" if name == "bfloat16" else name)
    for name in (
        "float64",
        "float32",
        "float16",
        "bfloat16",
        "int64",
        "int32",
        "int16",
        "int8",
        "uint8",
        "bool",
    )
}

_ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    # MultiStepLR.state_dict() keeps its milestones in a Counter (a dict subclass);
    # torch.load(weights_only=True) accepts it too
    ("collections", "Counter"): collections.Counter,
    # plain values torch.load(weights_only=True) also accepts; protocol 2 names builtins
    # through the Python 2 module name
    **{(m, "set"): set for m in ("builtins", "__builtin__")},
    **{(m, "frozenset"): frozenset for m in ("builtins", "__builtin__")},
    **{(m, "complex"): complex for m in ("builtins", "__builtin__")},
    ("_codecs", "encode"): _encode,
    ("torch", "Size"): _size,
    ("torch", "device"): _device,
    **{("torch", name): dtype for name, dtype in _DTYPES.items()},
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    **{("torch", name): _StorageType(name) for name in _STORAGES},
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(
        self, data: bytes, zf: zipfile.ZipFile, prefix: str, name: str, byteorder: str
    ) -> None:
        super().__init__(io.BytesIO(data))
        self._zf, self._prefix, self._name, self._byteorder = zf, prefix, name, byteorder
        self._storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"load: {self._name}: the checkpoint asks for the global '{module}.{name}', "
                "which npgrad refuses: only state_dict content (tensors, storages, OrderedDict, Counter) "
                "can be loaded, and nothing in the file is executed"
            ) from None

    def persistent_load(self, pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"load: {self._name}: unsupported persistent id {pid!r}")
        _, storage_type, key, _location, numel = pid
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(
                f"load: {self._name}: unsupported storage type {storage_type!r}"
            )
        if key not in self._storages:
            try:
                raw = self._zf.read(f"{self._prefix}data/{key}")
            except KeyError:
                raise pickle.UnpicklingError(
                    f"load: {self._name}: storage {key!r} is missing from the archive"
                ) from None
            dtype = storage_type.dtype.newbyteorder("<" if self._byteorder == "little" else ">")
            if len(raw) < numel * dtype.itemsize:
                raise pickle.UnpicklingError(
                    f"load: {self._name}: storage {key!r} has {len(raw)} bytes, fewer than its "
                    f"{numel} elements need (truncated file)"
                )
            arr = np.frombuffer(raw, dtype=dtype, count=numel).astype(dtype.newbyteorder("="))
            self._storages[key] = _Storage(arr, storage_type.name == "BFloat16Storage")
        return self._storages[key]


def read_torch_zip(zf: zipfile.ZipFile, name: str) -> Any:
    """Unpickle the state_dict in an open ``.pt`` zip archive (see the module docstring)."""
    pkl = [n for n in zf.namelist() if n.endswith("data.pkl")]
    if len(pkl) != 1:
        raise ValueError(
            f"load: {name}: expected one data.pkl in the PyTorch archive, found {len(pkl)}"
        )
    prefix = pkl[0][: -len("data.pkl")]
    try:
        byteorder = zf.read(prefix + "byteorder").decode().strip()
    except KeyError:
        byteorder = "little"
    try:
        return _RestrictedUnpickler(zf.read(pkl[0]), zf, prefix, name, byteorder).load()
    except pickle.UnpicklingError as e:
        if f"load: {name}" in str(e):
            raise  # already names the file and the refused content
        raise pickle.UnpicklingError(f"load: {name}: {e}") from None
    except (
        EOFError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,
        struct.error,
    ) as e:
        raise ValueError(
            f"load: {name}: the checkpoint's pickle is corrupt ({type(e).__name__}: {e})"
        ) from None
