"""``Parameter``: a Tensor that a Module registers as trainable when assigned to it;
``Buffer``: one it registers as a buffer; and the uninitialized (lazy) versions of both, whose
shape is set later by ``materialize`` (see :mod:`npgrad.nn.modules.lazy`)."""

from __future__ import annotations

from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn._factory import check_device

__all__ = [
    "Buffer",
    "Parameter",
    "UninitializedBuffer",
    "UninitializedParameter",
    "UninitializedTensorMixin",
    "is_lazy",
]


class Parameter(Tensor):
    """A leaf tensor that requires grad (by default) and is registered by ``Module``.

    It shares memory with the tensor it is built from, like PyTorch's.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.Parameter(npgrad.ones(2))
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty(0, dtype=npgrad.get_default_dtype())
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = npgrad.as_tensor(data)._data
        self._init(arr, False, None)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (Parameter, (Tensor._make(self._data, False, None), self._requires_grad))

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        if id(self) not in memo:
            p = Parameter(Tensor._make(self._data.copy(), False, None), self._requires_grad)
            if self.grad is not None:
                p.grad = Tensor._make(self.grad._data.copy(), False, None)
            memo[id(self)] = p
        return memo[id(self)]  # type: ignore[no-any-return]


class Buffer(Tensor):
    """A tensor that a Module registers as a buffer when it is assigned as an attribute.

    ``module.name = nn.Buffer(t)`` is ``module.register_buffer("name", t, persistent)``. The
    buffer shares memory (and the version counter) with ``data`` but is outside any graph,
    keeping ``data.requires_grad``; ``persistent=False`` leaves it out of the state_dict.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.Module()
    >>> m.steps = nn.Buffer(npgrad.zeros(2))
    >>> m.scratch = nn.Buffer(npgrad.ones(1), persistent=False)
    >>> [name for name, _ in m.named_buffers()], list(m.state_dict())
    (['steps', 'scratch'], ['steps'])
    """

    __slots__ = ("persistent",)

    persistent: bool

    def __init__(self, data: Any = None, *, persistent: bool = True) -> None:
        if data is None:
            src = Tensor._make(np.empty(0, dtype=npgrad.get_default_dtype()), False, None)
        elif isinstance(data, Tensor):
            src = data
        else:
            src = npgrad.as_tensor(data)
        alias = src.detach()
        self._init(alias._data, False, None)
        self._vc = alias._vc
        if src.requires_grad:
            self._requires_grad = True
        self.persistent = bool(persistent)

    def __reduce_ex__(self, protocol: Any) -> Any:
        t = Tensor._make(self._data, self._requires_grad, None)
        return (_rebuild_buffer, (t, self.persistent))

    def __deepcopy__(self, memo: dict[int, Any]) -> Buffer:
        if id(self) not in memo:
            t = Tensor._make(self._data.copy(), self._requires_grad, None)
            memo[id(self)] = _rebuild_buffer(t, self.persistent)
        return memo[id(self)]  # type: ignore[no-any-return]


def _rebuild_buffer(t: Tensor, persistent: bool) -> Buffer:
    return Buffer(t, persistent=persistent)


# The ndarray slot of a Tensor, reached past the ``_data`` property that guards it in the
# uninitialized classes.
_DATA_SLOT: Any = Tensor.__dict__["_data"]

_USE_ERROR = (
    "Attempted to use an uninitialized {kind}. This error happens when you are using a "
    "`LazyModule` or explicitly manipulating `nn.parameter.{cls}` objects. When using "
    "LazyModules call `forward` with a dummy batch to initialize the parameters before using "
    "them"
)
_SHAPE_ERROR = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually "
    "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
    "initialized one. Call `forward` to initialize the parameters before accessing their "
    "attributes."
)


class UninitializedTensorMixin:
    """What :class:`UninitializedParameter` and :class:`UninitializedBuffer` share: no shape
    and no values until :meth:`materialize` gives them some (and turns the object into a
    :class:`Parameter` / :class:`Buffer`, keeping its identity, as PyTorch's)."""

    __slots__ = ()

    cls_to_become: type[Tensor]
    _kind: str  # for the messages: "parameter" or "buffer"

    # Every op reads a tensor's values through ``_data``: guarding it makes any use before
    # materialization fail with one clear error, as PyTorch's __torch_function__ guard does.
    @property
    def _data(self) -> np.ndarray:
        raise ValueError(_USE_ERROR.format(kind=self._kind, cls=type(self).__name__))

    @_data.setter
    def _data(self, value: np.ndarray) -> None:
        _DATA_SLOT.__set__(self, value)

    @property
    def shape(self) -> npgrad.Size:
        raise RuntimeError(_SHAPE_ERROR)

    def size(self, dim: int | None = None) -> Any:
        raise RuntimeError(_SHAPE_ERROR)

    @property
    def dtype(self) -> np.dtype:
        """The dtype the tensor will have once materialized."""
        return _DATA_SLOT.__get__(self).dtype  # type: ignore[no-any-return]

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give the tensor ``shape`` (and ``dtype``, default: its own) and turn it into a
        :class:`Parameter` (:class:`Buffer`) in place. Its values are zeros until set."""
        check_device(f"{type(self).__name__}.materialize", device)
        dt = self.dtype if dtype is None else npgrad.dtypes.to_dtype(dtype)
        dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        if not all(isinstance(s, (int, np.integer)) and s >= 0 for s in dims):
            raise ValueError(
                f"{type(self).__name__}.materialize: shape must be non-negative integers, "
                f"got {shape!r}"
            )
        if self._requires_grad and dt.kind != "f":  # type: ignore[attr-defined]
            raise RuntimeError(
                f"{type(self).__name__}.materialize: only Tensors of floating point dtype can "
                f"require gradients, got {dt}"
            )
        _DATA_SLOT.__set__(self, np.zeros(tuple(int(s) for s in dims), dtype=dt))
        self.__class__ = self.cls_to_become  # type: ignore[assignment]

    def _apply_lazy(self, fn: Any) -> None:
        # Module.to()/double(): the (empty) data takes the new dtype, which materialize keeps
        _DATA_SLOT.__set__(self, fn(_DATA_SLOT.__get__(self)))

    def requires_grad_(self, requires_grad: bool = True) -> Any:
        raise ValueError(_USE_ERROR.format(kind=self._kind, cls=type(self).__name__))

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    __str__ = __repr__


def is_lazy(param: Any) -> bool:
    """Whether ``param`` is an :class:`UninitializedParameter` or :class:`UninitializedBuffer`."""
    return isinstance(param, UninitializedTensorMixin)


def _uninitialized_data(owner: str, device: Any, dtype: Any) -> np.ndarray:
    check_device(owner, device)
    dt = npgrad.get_default_dtype() if dtype is None else npgrad.dtypes.to_dtype(dtype)
    return np.empty(0, dtype=dt)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet (that of a lazy module before its first
    call). Using it raises; :meth:`materialize` turns it into a :class:`Parameter`.

    Examples
    --------
    >>> from npgrad import nn
    >>> p = nn.UninitializedParameter()
    >>> p
    <UninitializedParameter>
    >>> p.materialize((2, 3))
    >>> type(p).__name__, p.shape
    ('Parameter', npgrad.Size([2, 3]))
    """

    __slots__ = ()

    cls_to_become = Parameter
    _kind = "parameter"

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        data = _uninitialized_data("UninitializedParameter", device, dtype)
        if requires_grad and data.dtype.kind != "f":
            raise RuntimeError(
                "UninitializedParameter: only Tensors of floating point dtype can require "
                f"gradients, got {data.dtype}"
            )
        self._init(data, bool(requires_grad), None)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (type(self), (self._requires_grad, None, self.dtype))

    def __deepcopy__(self, memo: dict[int, Any]) -> UninitializedParameter:
        if id(self) not in memo:
            memo[id(self)] = type(self)(self._requires_grad, None, self.dtype)
        return memo[id(self)]  # type: ignore[no-any-return]


class UninitializedBuffer(UninitializedTensorMixin, Buffer):
    """A buffer whose shape is not known yet (that of a lazy module before its first call).
    Using it raises; :meth:`materialize` turns it into a :class:`Buffer`.

    Examples
    --------
    >>> from npgrad import nn
    >>> m = nn.Module()
    >>> m.stats = nn.UninitializedBuffer(persistent=False)
    >>> m.stats.materialize(3)
    >>> m.stats, list(m.state_dict())
    (tensor([0., 0., 0.]), [])
    """

    __slots__ = ()

    cls_to_become = Buffer
    _kind = "buffer"

    def __init__(
        self,
        requires_grad: bool = False,
        device: Any = None,
        dtype: Any = None,
        persistent: bool = True,
    ) -> None:
        data = _uninitialized_data("UninitializedBuffer", device, dtype)
        if requires_grad and data.dtype.kind != "f":
            raise RuntimeError(
                "UninitializedBuffer: only Tensors of floating point dtype can require "
                f"gradients, got {data.dtype}"
            )
        self._init(data, bool(requires_grad), None)
        self.persistent = bool(persistent)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (type(self), (self._requires_grad, None, self.dtype, self.persistent))

    def __deepcopy__(self, memo: dict[int, Any]) -> UninitializedBuffer:
        if id(self) not in memo:
            memo[id(self)] = type(self)(self._requires_grad, None, self.dtype, self.persistent)
        return memo[id(self)]  # type: ignore[no-any-return]
