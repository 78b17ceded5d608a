"""Turning a list of samples into a batch: ``default_collate`` and ``default_convert``.

The rules are ``torch.utils.data``'s: tensors are stacked along a new first dimension,
NumPy arrays and scalars become tensors, Python floats a float64 tensor, ints an int64 tensor,
bools a bool tensor (numbers of several kinds get the dtype ``torch.tensor`` infers for them:
``[np.int64(1), np.float32(2)]`` is float32, not NumPy's float64); strings and bytes are left
as the sequence they arrive in (the batch list, or — inside tuple samples — the tuple of that
field, exactly as PyTorch returns them); mappings, namedtuples and sequences are collated field
by field (a tuple sample becomes a list, as in PyTorch). ``collate`` with a ``collate_fn_map``
lets a custom type join the rules.
"""

from __future__ import annotations

import collections.abc
import copy
import numbers
import re
from collections.abc import Callable
from typing import Any

import numpy as np

import npgrad
from npgrad.creation import as_tensor, tensor
from npgrad.dtypes import promote_types
from npgrad.tensor import Tensor

__all__ = [
    "collate",
    "collate_float_fn",
    "collate_int_fn",
    "collate_numpy_array_fn",
    "collate_numpy_scalar_fn",
    "collate_str_fn",
    "collate_tensor_fn",
    "default_collate",
    "default_collate_fn_map",
    "default_convert",
]

_STR_OR_OBJECT = re.compile(r"[SaUO]")  # NumPy dtype codes that can't become a tensor
_ERR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)

CollateFnMap = dict[type | tuple[type, ...], Callable[..., Any]]


class CollateSizeError(RuntimeError):
    """Samples that should stack have different shapes; names the field where they differ."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: list[Any] = []

    def __str__(self) -> str:
        if not self.path:
            return self.message
        where = "".join(f"[{k!r}]" for k in self.path)
        return f"{self.message} (in field {where} of the samples)"


def _within(key: Any, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except CollateSizeError as e:
        e.path.insert(0, key)
        raise


def _type_name(x: Any) -> str:
    cls = type(x)
    module = cls.__module__.split(".")[0]  # numpy.ndarray, not numpy.core.multiarray.ndarray
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def collate_tensor_fn(batch: list[Tensor], *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    """Stack equally shaped tensors along a new first dimension.

    Tensors of different dtypes promote as in ``torch.stack`` (an integer and a float32 tensor
    give float32, not NumPy's float64). As in PyTorch's main process, a batch of tensors that
    require grad is stacked differentiably (a worker can't send such a batch back: autograd
    does not cross processes).
    """
    shape, dtype = batch[0].shape, batch[0].dtype
    for i, t in enumerate(batch):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"default_collate: expected Tensor as element {i} of the batch (element 0 is "
                f"one), but got {_type_name(t)}"
            )
        if t.shape != shape:
            raise CollateSizeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(t.shape)} at entry {i}"
            )
        if t.dtype != dtype:
            dtype = promote_types(dtype, t.dtype)
    if any(t.requires_grad for t in batch):
        return npgrad.stack(batch)
    arrays = [t._data if t.dtype == dtype else t._data.astype(dtype) for t in batch]
    return Tensor._make(np.stack(arrays), False, None)


def collate_numpy_array_fn(
    batch: list[np.ndarray], *, collate_fn_map: CollateFnMap | None = None
) -> Any:
    """Arrays become tensors, then stack."""
    if _STR_OR_OBJECT.search(batch[0].dtype.str) is not None:
        raise TypeError(_ERR.format(batch[0].dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def _numbers(batch: list[Any], make: Callable[[], Tensor]) -> Tensor:
    """``make()``, or a TypeError naming the element that is not a number (PyTorch's message
    comes from deep inside ``torch.tensor``; NumPy's would complain about shapes)."""
    try:
        return make()
    except (TypeError, ValueError):
        for i, x in enumerate(batch):
            if not isinstance(x, (numbers.Number, np.bool_)):
                raise TypeError(
                    f"default_collate: expected a number as element {i} of the batch (element 0 "
                    f"is {_type_name(batch[0])}), but got {_type_name(x)}"
                ) from None
        raise


def collate_numpy_scalar_fn(
    batch: list[Any], *, collate_fn_map: CollateFnMap | None = None
) -> Tensor:
    """NumPy scalars become a 1-D tensor of their dtype (mixed ones promote as tensors do)."""
    if len(set(map(type, batch))) == 1:
        return _numbers(batch, lambda: as_tensor(np.array(batch)))
    return _numbers(batch, lambda: tensor(batch))  # PyTorch's inferred dtype


def collate_float_fn(batch: list[float], *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    """Python floats become a float64 tensor (as in PyTorch), whatever numbers follow."""
    return _numbers(batch, lambda: tensor(batch, dtype=np.float64))


def collate_int_fn(batch: list[int], *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    """Python ints become an int64 tensor; bools alone a bool tensor. Other numbers among
    them promote as in ``torch.tensor(batch)`` (``[True, np.int8(3)]`` is int8)."""
    return _numbers(batch, lambda: tensor(batch))


def collate_str_fn(batch: list[Any], *, collate_fn_map: CollateFnMap | None = None) -> list[Any]:
    """Strings and bytes stay a list."""
    return batch


default_collate_fn_map: CollateFnMap = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def collate(batch: list[Any], *, collate_fn_map: CollateFnMap | None = None) -> Any:
    """Collate ``batch`` by its first element's type, using ``collate_fn_map`` first.

    Parameters
    ----------
    batch : list
        The samples.
    collate_fn_map : dict, optional
        Maps a type (or tuple of types) to ``fn(batch, *, collate_fn_map)``; an exact type
        match wins over an ``isinstance`` match. Containers are handled here.

    Examples
    --------
    >>> from npgrad.data.collate import collate, default_collate_fn_map
    >>> class Box:
    ...     def __init__(self, v):
    ...         self.v = v
    >>> custom = {**default_collate_fn_map, Box: lambda b, *, collate_fn_map: [x.v for x in b]}
    >>> collate([(Box(1), 2.0), (Box(3), 4.0)], collate_fn_map=custom)
    [[1, 3], tensor([2., 4.], dtype=npgrad.float64)]
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type, fn in collate_fn_map.items():
            if isinstance(elem, collate_type):
                return fn(batch, collate_fn_map=collate_fn_map)

    def sub(key: Any, samples: Any) -> Any:
        # samples stay as built (a tuple from zip): strings collate to exactly that, as in torch
        return _within(key, lambda: collate(samples, collate_fn_map=collate_fn_map))

    if isinstance(elem, collections.abc.Mapping):
        fields = {key: sub(key, [d[key] for d in batch]) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                # copy then update keeps a subclass's own attributes
                clone = copy.copy(elem)
                clone.update(fields)
                return clone
            return elem_type(fields)
        except TypeError:
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(sub(name, s) for name, s in zip(elem._fields, zip(*batch))))
    if isinstance(elem, collections.abc.Sequence):
        sizes = [len(e) for e in batch]
        if any(n != sizes[0] for n in sizes):
            raise RuntimeError(
                f"each element in list of batch should be of equal size (got lengths {sizes})"
            )
        columns = [sub(i, s) for i, s in enumerate(zip(*batch))]
        if isinstance(elem, tuple):
            return columns  # a tuple becomes a list: PyTorch's backwards-compatible rule
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                seq_clone = copy.copy(elem)
                for i, c in enumerate(columns):
                    seq_clone[i] = c
                return seq_clone
            return elem_type(columns)
        except TypeError:
            return columns
    raise TypeError(_ERR.format(elem_type))


def default_collate(batch: list[Any]) -> Any:
    """Merge a list of samples into a batch (the DataLoader's default ``collate_fn``).

    Parameters
    ----------
    batch : list
        Samples of one structure: tensors, arrays, numbers, strings, or mappings,
        namedtuples and sequences of those, nested.

    Returns
    -------
    The batch, with PyTorch's rules (see the module docstring).

    Raises
    ------
    RuntimeError
        When tensors to stack differ in shape; the message names the shapes and the field.
    TypeError
        For a type it doesn't know how to collate.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.data import default_collate
    >>> default_collate([1, 2, 3])
    tensor([1, 2, 3])
    >>> default_collate([(npgrad.tensor([1.0, 2.0]), "a"), (npgrad.tensor([3.0, 4.0]), "b")])
    [tensor([[1., 2.],
            [3., 4.]]), ('a', 'b')]
    >>> default_collate([{"x": 0.5}, {"x": 1.5}])
    {'x': tensor([0.5000, 1.5000], dtype=npgrad.float64)}
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays and scalars into tensors, recursing into containers.

    The DataLoader's ``collate_fn`` when automatic batching is off (``batch_size=None``).

    Examples
    --------
    >>> import numpy as np
    >>> from npgrad.data import default_convert
    >>> default_convert({"a": np.array([1, 2]), "b": (np.float32(3.0), "s")})
    {'a': tensor([1, 2]), 'b': [tensor(3.), 's']}
    """
    if isinstance(data, Tensor):
        return data
    elem_type = type(data)
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "bytes_", "string_"):
        if isinstance(data, np.ndarray) and _STR_OR_OBJECT.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        fields = {key: default_convert(data[key]) for key in data}
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update(fields)
                return clone
            return elem_type(fields)
        except TypeError:
            return fields
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        items = [default_convert(d) for d in data]
        try:
            if isinstance(data, collections.abc.MutableSequence):
                seq_clone = copy.copy(data)
                for i, d in enumerate(items):
                    seq_clone[i] = d
                return seq_clone
            return elem_type(items)
        except TypeError:
            return items
    return data
