"""Helpers shared by the distributions: broadcasting parameters, converting between
probabilities and logits, a cached property, and access to npgrad's random generator."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

import numpy as np

import npgrad
from npgrad import dtypes
from npgrad._generator import _rng
from npgrad.autograd.grad_mode import enable_grad
from npgrad.tensor import Tensor

__all__ = [
    "broadcast_all",
    "clamp_probs",
    "lazy_property",
    "logits_to_probs",
    "probs_to_logits",
]

T = TypeVar("T")


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """Broadcast Tensors and Python numbers to one shape.

    Numbers become Tensors of the first Tensor argument's dtype (the default float dtype
    when every argument is a number); Tensors keep their dtypes, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.utils import broadcast_all
    >>> a, b = broadcast_all(npgrad.zeros(2), 1.0)
    >>> b
    tensor([1., 1.])
    """
    dtype = dtypes.get_default_dtype()
    for v in values:
        if isinstance(v, Tensor):
            dtype = v.dtype
            break
        if not isinstance(v, numbers.Number):
            raise ValueError(
                "broadcast_all: input arguments must all be instances of numbers.Number or "
                f"npgrad.Tensor, got {type(v).__name__}"
            )
    tensors = [v if isinstance(v, Tensor) else npgrad.tensor(v, dtype=dtype) for v in values]
    return tuple(npgrad.broadcast_tensors(*tensors))


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, Tensor)


def clamp_probs(probs: Tensor) -> Tensor:
    """Clamp probabilities into ``[eps, 1 - eps]`` (``eps`` of their dtype), keeping logs finite.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.utils import clamp_probs
    >>> bool((clamp_probs(npgrad.tensor([0.0, 1.0])) > 0).all())
    True
    """
    eps = float(np.finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Log-odds (``is_binary``) or log-probabilities of (clamped) probabilities.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.utils import probs_to_logits
    >>> probs_to_logits(npgrad.tensor([0.5]), is_binary=True)
    tensor([0.])
    """
    ps = clamp_probs(probs)
    if is_binary:
        return ps.log() - (-ps).log1p()
    return ps.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities from log-odds (``is_binary``: the sigmoid) or from unnormalised
    log-probabilities over the last dimension (the softmax).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions.utils import logits_to_probs
    >>> logits_to_probs(npgrad.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
    """
    if is_binary:
        return npgrad.sigmoid(logits)
    return npgrad.softmax(logits, dim=-1)


class lazy_property(Generic[T]):  # noqa: N801 - PyTorch's name
    """A property computed once per instance on first access, then stored as a plain
    attribute (so ``probs`` of a ``Bernoulli`` made from logits costs nothing until used).

    The value is computed with grad enabled, so it stays in the graph of the parameters even
    when first read under ``no_grad`` (as when sampling).
    """

    def __init__(self, wrapped: Callable[[Any], T]) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    @overload
    def __get__(self, instance: None, obj_type: Any = None) -> lazy_property[T]: ...
    @overload
    def __get__(self, instance: object, obj_type: Any = None) -> T: ...

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        with enable_grad():
            value = self.wrapped(instance)
        instance.__dict__[self.wrapped.__name__] = value
        return value


class _BinaryProbs:
    """``probs`` and ``logits`` of events with two outcomes, for a distribution given one of
    them (stored by its ``__init__``): the other is computed on first use."""

    @lazy_property
    def logits(self) -> Tensor:
        """The log-odds of the events."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        """The probabilities of the events."""
        return logits_to_probs(self.logits, is_binary=True)


class _BinaryParams(_BinaryProbs):
    """:class:`_BinaryProbs` with ``param_shape``: the shape of ``_param``, the one given."""

    _param: Tensor

    @property
    def param_shape(self) -> tuple[int, ...]:
        """The shape of the parameter given (``probs`` or ``logits``)."""
        return self._param.shape


class _CategoricalParams:
    """``probs``, ``logits`` and ``param_shape`` of a distribution built on the
    :class:`Categorical` it keeps as ``_categorical``."""

    _categorical: Any

    @property
    def probs(self) -> Tensor:
        """The (normalized) probabilities of the categories."""
        return self._categorical.probs  # type: ignore[no-any-return]

    @property
    def logits(self) -> Tensor:
        """The normalized log-probabilities of the categories."""
        return self._categorical.logits  # type: ignore[no-any-return]

    @property
    def param_shape(self) -> tuple[int, ...]:
        """The shape of the parameter given (``probs`` or ``logits``)."""
        return self._categorical.param_shape  # type: ignore[no-any-return]


def _sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """Sum out the ``dim`` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(value.shape[: value.ndim - dim] + (-1,)).sum(-1)


def _generator() -> np.random.Generator:
    """The NumPy generator behind ``npgrad.default_generator`` (seeded by ``manual_seed``)."""
    return _rng("distributions", None)


def _from_array(arr: Any) -> Tensor:
    arr = np.asarray(arr)  # NumPy's samplers return scalars for shape ()
    return Tensor._make(arr if arr.flags.c_contiguous else arr.copy(), False, None)


def _uniform(shape: tuple[int, ...], dtype: Any, low: float = 0.0) -> Tensor:
    """Uniform samples in ``[low, 1)`` when ``low`` is 0, else in ``(low, 1)`` (``low`` > 0
    keeps logs of the samples finite)."""
    u = _generator().random(shape, dtype=np.dtype(dtype))
    if low > 0.0:
        u = np.maximum(u, np.asarray(low, dtype))
    return _from_array(u)


def _standard_normal(shape: tuple[int, ...], dtype: Any) -> Tensor:
    return _from_array(_generator().standard_normal(shape, dtype=np.dtype(dtype)))


def _tiny(dtype: Any) -> float:
    return float(np.finfo(dtype).tiny)


def _eps(dtype: Any) -> float:
    return float(np.finfo(dtype).eps)


LOG_2PI = math.log(2 * math.pi)


def _softplus(x: Tensor) -> Tensor:
    """``log(1 + exp(x))`` with no overflow and no linear cut-off (``npgrad.softplus``
    switches to ``x`` above 20, which loses the ``exp(-x)`` tail that log-probabilities
    need)."""
    return npgrad.logaddexp(npgrad.zeros_like(x), x)
