"""``Tensor``: one NumPy array plus what autograd needs to know about it.

The class holds data, gradient state and the few methods that are about the tensor itself
(casts, ``backward``, ``detach``, printing). Every mathematical method — ``x.exp()``,
``x + y``, ``x.sum(dim=1)`` — lives in the per-family mixins of :mod:`npgrad._methods`
(composed by :mod:`npgrad._tensor_methods`) and calls the same function as ``npgrad.exp``
& co., so operator, method and function are one code path.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from npgrad import _memory_format, dtypes
from npgrad._size import Size
from npgrad._tensor_methods import TensorMethods
from npgrad.autograd.grad_mode import INFERENCE_VERSION, _inference_enabled, is_grad_enabled_fast

__all__ = ["Tensor"]

_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If "
    "you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead."
)
_warned_once = {"float": False}  # the warnings PyTorch gives once per process
_new = object.__new__
_tuple_new = tuple.__new__  # a Size straight from an array's shape tuple


class Tensor(TensorMethods):
    """A multi-dimensional array that can record the operations applied to it.

    Build one with :func:`npgrad.tensor`. ``Tensor(data)`` is PyTorch's legacy constructor:
    the default float dtype whatever the data (``Tensor([1, 2])`` is float32), and
    ``Tensor(2, 3)`` an uninitialised tensor of that shape.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4.])
    """

    __slots__ = (
        "_data",
        "_requires_grad",
        "_grad",
        "grad_fn",
        "_vc",
        "_view",
        "_output_nr",
        "_hooks",
        "_retains_grad",
        "__weakref__",
    )
    # NumPy defers ``ndarray + Tensor`` to Tensor.__radd__ instead of iterating the tensor
    __array_priority__ = 1000
    _is_leaf_vertex = True  # as a vertex of the graph, a Tensor is a leaf (see autograd._walk)

    _data: np.ndarray
    _requires_grad: bool
    _grad: Tensor | None  # .grad (checked when set: see the property)
    grad_fn: Any
    _vc: list[int] | None  # the version counter, shared by views and aliases (see _version)
    _view: Any  # when this tensor is a view of another, how it was made (see autograd._views)
    _output_nr: int
    _hooks: Any  # a _methods.hooks.LeafHooks once a hook is registered on this leaf
    _retains_grad: bool

    def __init__(self, *args: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        """PyTorch's legacy constructor: ``Tensor(data)`` copies a list or an array into a
        tensor of the default float dtype (whatever the data's type, as ``torch.Tensor``),
        ``Tensor(2, 3)`` (or a ``Size``) is an uninitialised tensor of that shape, ``Tensor()``
        an empty one, and ``Tensor(t)`` a copy of ``t`` in its dtype. ``dtype=`` (npgrad only)
        picks another dtype."""
        from npgrad.creation import _to_array

        if not args:
            args = ((),)
        if len(args) == 1 and isinstance(args[0], Tensor):
            self._init(_to_array(args[0], dtype), False, None)
        elif isinstance(args[0], Size) or all(type(a) is int for a in args):
            from npgrad.creation import empty

            d = dtypes.get_default_dtype() if dtype is None else dtype
            self._init(empty(*args, dtype=d)._data, False, None)  # empty checks the sizes
        elif len(args) == 1:
            self._init(
                _to_array(args[0], dtypes.get_default_dtype() if dtype is None else dtype),
                False,
                None,
            )
        else:
            raise TypeError(
                f"Tensor: expected data (a list or an array), a tensor or sizes (ints), got "
                f"{', '.join(type(a).__name__ for a in args)}"
            )
        if requires_grad:
            self.requires_grad_(True)

    def _init(
        self, data: np.ndarray, requires_grad: bool, grad_fn: Any, output_nr: int = 0
    ) -> None:
        self._data = data
        self._requires_grad = requires_grad
        self._grad = None
        self.grad_fn = grad_fn
        self._vc = None
        self._view = None
        self._output_nr = output_nr
        self._hooks = None
        self._retains_grad = False

    @staticmethod
    def _make(data: np.ndarray, requires_grad: bool, grad_fn: Any, output_nr: int = 0) -> Tensor:
        """Wrap an array without copying or checking it: the constructor every op uses."""
        t = _new(Tensor)
        t._data = data
        t._requires_grad = requires_grad
        t._grad = None
        t.grad_fn = grad_fn
        t._vc = None
        t._view = None
        t._output_nr = output_nr
        t._hooks = None
        t._retains_grad = False
        return t

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by backward (leaves, and tensors that ``retain_grad()``);
        None until then. It may be set to None or to a tensor of this tensor's shape and dtype.
        Reading it on a non-leaf that does not ``retain_grad()`` warns, as in PyTorch."""
        g = self._grad
        if g is None and self.grad_fn is not None and not self._retains_grad:
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"grad: assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value.shape != self.shape:
                raise RuntimeError(
                    f"grad: attempting to assign a gradient of shape {value.shape} to a tensor of "
                    f"shape {self.shape}; the gradient and the tensor must be the same size"
                )
            if value.dtype != self.dtype:
                raise RuntimeError(
                    f"grad: attempting to assign a gradient of dtype {value.dtype} to a tensor of "
                    f"dtype {self.dtype}; the gradient and the tensor must have the same dtype"
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None  # ``del x.grad``, as PyTorch's

    # ---- versions and views --------------------------------------------------------------
    @property
    def _version(self) -> int:
        """How many times this tensor's memory was written in place. Views of one base and
        ``detach()`` aliases share one counter (``_vc``, made when first shared)."""
        vc = self._vc
        return 0 if vc is None else vc[0]

    @_version.setter
    def _version(self, value: int) -> None:
        vc = self._vc
        if vc is None:
            self._vc = [value]
        else:
            vc[0] = value

    def is_inference(self) -> bool:
        """True for an *inference tensor*: one made inside ``npgrad.inference_mode()``, or a
        view (or ``detach()``) of one. Outside inference mode it can't be saved for backward,
        written in place or made to require grad; ``clone()`` gives a normal tensor.

        Examples
        --------
        >>> import npgrad
        >>> with npgrad.inference_mode():
        ...     x = npgrad.ones(2)
        >>> x.is_inference(), x[1:].is_inference(), x.clone().is_inference()
        (True, True, False)
        """
        return self._vc is INFERENCE_VERSION

    @property
    def _base(self) -> Tensor | None:
        """The tensor this one is a view of (the root of a chain of views), else None."""
        return None if self._view is None else _views.base_of(self)

    # ---- data and metadata ---------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's memory, outside any graph. Unlike ``detach()`` it does
        not share the version counter: writes through it go unnoticed by autograd (PyTorch's
        ``.data`` escape hatch)."""
        t = Tensor._make(self._data, False, None)
        if self._vc is INFERENCE_VERSION:  # the same memory: still an inference tensor
            t._vc = INFERENCE_VERSION
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Tensor.data must be set to a Tensor, got {type(value).__name__}")
        if self._requires_grad and value._data.dtype.kind != "f":
            raise RuntimeError(
                f"data: data set to a tensor that requires gradients must be floating point, "
                f"got {value._data.dtype}"
            )
        self._data = value._data

    @property
    def shape(self) -> Size:
        """The sizes of the dimensions, as an :class:`npgrad.Size` (a tuple of ints)."""
        return _tuple_new(Size, self._data.shape)  # no checks: NumPy's shapes are ints

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def device(self) -> Any:
        """``npgrad.device(type='cpu')``: npgrad computes on the CPU only."""
        return _device.CPU

    is_cuda = False
    is_cpu = True

    @property
    def is_leaf(self) -> bool:
        """True for tensors created by the user rather than by a recorded op."""
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        if self._view is not None:
            _views.refresh(self)  # a view follows its base into the graph
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def size(self, dim: int | None = None) -> Any:
        """The shape (an :class:`npgrad.Size`), or the length of dimension ``dim``."""
        if dim is None:
            return _tuple_new(Size, self._data.shape)  # no checks: NumPy's shapes are ints
        return self._data.shape[_check_dim("size", dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """Whether the elements are stored in ``memory_format``'s order (default
        ``npgrad.contiguous_format``: row-major; ``npgrad.channels_last``: NHWC order for a 4-D
        tensor). Strides of size-1 dimensions don't count, as in PyTorch."""
        if memory_format is None:
            return bool(self._data.flags.c_contiguous)
        return _memory_format.is_in(self._data, memory_format)

    @property
    def layout(self) -> Any:
        """``npgrad.strided``: npgrad's tensors are all dense arrays with strides."""
        return _memory_format.strided

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self._data)

    def __format__(self, spec: str) -> str:
        # f"{loss:.4f}" formats a 0-d tensor's value, as PyTorch does
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return object.__format__(self, spec)

    def __float__(self) -> float:
        # PyTorch warns here (not for int(), bool() or item()), once per process, and not
        # under no_grad (optimizers read a closure's loss there)
        if self._requires_grad and is_grad_enabled_fast() and not _warned_once["float"]:
            _warned_once["float"] = True
            warnings.warn(
                "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                "behavior. Consider using tensor.detach() first.",
                UserWarning,
                stacklevel=2,
            )
        return float(self._scalar("float"))

    def __int__(self) -> int:
        return int(self._scalar("int"))

    def _scalar(self, to: str) -> Any:
        if self._data.size != 1:  # float(t), int(t): a ValueError, as in PyTorch
            raise ValueError(
                f"{to}(): only one element tensors can be converted to Python scalars, got "
                f"{self._data.size} elements"
            )
        return self._data.item()

    def __contains__(self, element: Any) -> bool:
        """``element in t``: whether any element equals ``element`` (a number or a tensor)."""
        if not isinstance(element, (Tensor, bool, int, float, np.number, np.bool_)):
            raise RuntimeError(
                f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                f"{type(element).__name__}"
            )
        return bool((self == element).any())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError(
                f"__index__: only integer tensors of a single element can be converted to an "
                f"index, got a {self._data.dtype} tensor of shape {self.shape}"
            )
        return int(self._data.item())  # also of shape (1,) or (1, 1), as in PyTorch

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Pickling (multiprocessing, copy.copy) keeps data, requires_grad and .grad; a graph
        # cannot cross a process boundary, so a non-leaf that requires grad is refused, as
        # torch.multiprocessing does (plain pickle in PyTorch makes it a leaf)
        if self.grad_fn is not None:
            raise RuntimeError(
                "Cowardly refusing to serialize non-leaf tensor which requires_grad, since "
                "autograd does not support crossing process boundaries; use .detach()"
            )
        args = (type(self), self._data, self._requires_grad, self._grad)
        state = getattr(self, "__dict__", None)  # a subclass's attributes
        return (_rebuild_tensor, args, state) if state else (_rebuild_tensor, args)

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        """``copy.deepcopy``: a leaf with copies of the data and ``.grad``; a non-leaf is
        refused (its graph can't be copied), as in PyTorch."""
        if self.grad_fn is not None:
            raise RuntimeError(
                f"deepcopy: only tensors created explicitly by the user (graph leaves) support "
                f"the deepcopy protocol; this tensor of shape {self.shape} was made by "
                f"{type(self.grad_fn).__name__}: deepcopy its .detach() instead"
            )
        if id(self) in memo:
            return memo[id(self)]  # type: ignore[no-any-return]
        t: Tensor = _new(type(self))
        t._init(self._data.copy(), self._requires_grad, None)
        memo[id(self)] = t
        if self._grad is not None:
            t._grad = copy.deepcopy(self._grad, memo)
        if hasattr(self, "__dict__"):  # a subclass's attributes
            t.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return t

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # NumPy 2 passes ``copy`` and trusts it: ``np.array(t)`` (copy=True) must not alias
        # the tensor; ``np.asarray(t)`` (copy=None) shares memory, as with PyTorch
        if copy:
            return np.array(self._data, dtype=dtype, copy=True)
        if copy is False and dtype is not None and np.dtype(dtype) != self._data.dtype:
            raise ValueError(
                f"__array__: can't convert a {self._data.dtype} tensor to {np.dtype(dtype)} "
                "without a copy (copy=False)"
            )
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    # ---- leaving the graph ---------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The underlying array itself (no copy, also when ``requires_grad``: see the docs)."""
        return self._data

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"item(): a Tensor with {self._data.size} elements cannot be converted to a scalar"
            )
        return self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def detach(self) -> Tensor:
        """A new tensor sharing this one's memory (and version counter), cut off from the
        graph: an in-place write through it makes a backward that saved this tensor fail."""
        t = Tensor._make(self._data, False, None)
        t._vc = _views.shared_counter(self)
        return t

    def detach_(self) -> Tensor:
        """Cut this tensor off from the graph in place; it becomes a leaf."""
        if self._view is not None:  # whether or not the base requires grad, as in PyTorch
            raise RuntimeError(
                f"detach_: can't detach views in-place (this tensor of shape {self.shape} is a "
                f"view of one of shape {_views.base_of(self).shape}); use detach() instead"
            )
        self.grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    # ---- autograd ------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether autograd records ops on this (leaf) tensor; returns the tensor."""
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "requires_grad_: you can only change requires_grad flags of leaf variables; "
                "use .detach() to get a tensor outside the graph"
            )
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"requires_grad_: only Tensors of floating point dtype can require gradients, "
                f"got {self._data.dtype}"
            )
        if requires_grad and self._vc is INFERENCE_VERSION and not _inference_enabled.get():
            raise RuntimeError(
                "requires_grad_: setting requires_grad=True on an inference tensor (made in "
                "inference_mode) outside InferenceMode is not allowed; clone() it first"
            )
        self._requires_grad = bool(requires_grad)
        return self

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of the graph's leaves.

        ``gradient`` is required unless the tensor holds a single element.
        """
        from npgrad.autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # ---- in place ------------------------------------------------------------------------
    def _check_inplace(self, op: str, write: object = True) -> None:
        """Refuse an in-place op PyTorch refuses; ``write`` False for the in-place view ops
        (``unsqueeze_``...), which change the shape but not the memory."""
        if write and not self._data.flags.writeable:
            raise RuntimeError(
                f"{op}: unsupported operation: the tensor's memory is read-only (an expand() or "
                "broadcast result, whose elements share memory, or a read-only buffer or DLPack "
                "import); clone() it first"
            )
        if self._vc is INFERENCE_VERSION and not _inference_enabled.get():
            raise RuntimeError(
                f"{op}: inplace update to an inference tensor (made in inference_mode) outside "
                "InferenceMode is not allowed; clone() it first to get a normal tensor"
            )
        if self._view is not None:
            _views.check_write(self, op)
        if self.grad_fn is None and self._requires_grad and is_grad_enabled_fast():
            raise RuntimeError(
                f"{op}: a leaf Variable that requires grad is being used in an in-place "
                "operation; wrap it in `with npgrad.no_grad():` or use .detach()"
            )

    def _set_inplace(self, result: Tensor, op: str) -> Tensor:
        """Make this tensor hold ``result`` (computed out of place): its values are written
        into the existing array, so views and detached aliases see the change. Callers run
        :meth:`_check_inplace` first (a read-only array is refused there)."""
        if result._data.shape != self._data.shape:
            raise RuntimeError(
                f"{op}: output with shape {self._data.shape} doesn't match the broadcast "
                f"shape {result._data.shape}"
            )
        if result.dtype != self.dtype:
            if not dtypes.can_cast(result.dtype, self.dtype):
                raise RuntimeError(
                    f"{op}: result type {result.dtype} can't be cast to the desired output "
                    f"type {self.dtype}"
                )
            if result._requires_grad:  # the gradient must come back in each input's dtype
                result = result.to(self.dtype)
        np.copyto(self._data, result._data, casting="unsafe")  # (_check_inplace ran first)
        return self._mark_modified(result)

    def _mark_modified(self, result: Tensor | None) -> Tensor:
        """After this tensor's memory was written in place with ``result`` (None: constants):
        bump the version (saved copies of the old values are now stale) and rewire the graph
        -- the tensor now stands for ``result``'s op, or for a constant."""
        self._version += 1
        if not is_grad_enabled_fast():
            return self
        old = self.grad_fn, self._output_nr
        grad_result = result is not None and result._requires_grad
        if self._view is not None and (grad_result or _views.base_of(self)._requires_grad):
            _views.write_through(self, result)  # the base's graph sees the write too
        elif grad_result:
            self.grad_fn = result.grad_fn  # type: ignore[union-attr]
            self._output_nr = result._output_nr  # type: ignore[union-attr]
            self._requires_grad = True
        elif self.grad_fn is not None:
            _views.overwritten(self)  # stays in the graph, with zero gradient for its past
        self._move_retained_grad(*old)
        return self

    def _move_retained_grad(self, old_fn: Any, old_nr: Any) -> None:
        """After an in-place write gave this tensor a new node: ``.grad`` is the gradient of
        the tensor's current value, so a ``retain_grad()`` hook moves from the node of the old
        value to that of the new one, as in PyTorch."""
        if not self._retains_grad or (self.grad_fn is old_fn and self._output_nr == old_nr):
            return
        retain = old_fn._retain_hooks if old_fn is not None else None
        if retain:
            retain.pop(old_nr, None)
        self._retains_grad = False
        if self.grad_fn is not None:
            self.retain_grad()

    def zero_(self) -> Tensor:
        """Fill with zeros in place."""
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        """Fill with ``value`` in place (a differentiable op when ``value`` is a Tensor)."""
        self._check_inplace("fill_")
        if isinstance(value, Tensor) and value._requires_grad and is_grad_enabled_fast():
            from npgrad.ops.shape import expand

            return self._set_inplace(expand(value.to(self.dtype), self.shape), "fill_")
        if isinstance(value, Tensor):
            if value.numel() != 1:
                raise RuntimeError(
                    f"fill_: only supports a 0-dimension value tensor, got shape {value.shape}"
                )
            value = value._data.reshape(())
        else:
            from npgrad.ops._promote import fill_value

            value = fill_value("fill_", value, self.dtype)
        self._data[...] = value
        return self._mark_modified(None)

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src`` (broadcast, cast) into this tensor in place; differentiable in ``src``."""
        self._check_inplace("copy_")
        from npgrad.creation import as_tensor
        from npgrad.ops.shape import expand

        src = src if isinstance(src, Tensor) else as_tensor(src)
        if src._requires_grad and is_grad_enabled_fast():
            return self._set_inplace(expand(src.to(self.dtype), self.shape), "copy_")
        try:
            np.copyto(self._data, src._data, casting="unsafe")
        except ValueError:
            raise RuntimeError(
                f"copy_: the source of shape {src.shape} can't be broadcast to {self.shape}"
            ) from None
        return self._mark_modified(None)

    # ---- printing ------------------------------------------------------------------------
    def __repr__(self) -> str:
        from npgrad._printing import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__


from npgrad import _device  # noqa: E402
from npgrad.autograd import _views, _walk  # noqa: E402
from npgrad.autograd import function as _function  # noqa: E402
from npgrad.autograd import node as _node  # noqa: E402

for _module in (_function, _walk, _node):  # they and this module import each other
    setattr(_module, "Tensor", Tensor)  # noqa: B010


def _rebuild_tensor(cls: type, data: np.ndarray, requires_grad: bool, grad: Any) -> Tensor:
    t: Tensor = _new(cls)
    t._init(data, requires_grad, None)
    t.grad = grad
    return t  # type: ignore[no-any-return]


def _check_dim(op: str, dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n
