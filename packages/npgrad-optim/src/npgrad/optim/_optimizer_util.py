"""Helpers shared by :class:`npgrad.optim.Optimizer` and the algorithms: checks of
hyper-parameters (numbers, non-negative values, ``betas``), the state tensors they create
(``step`` scalars, zero buffers) and the copy, cast and shape check of a loaded state.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

import npgrad
from npgrad.tensor import Tensor

if TYPE_CHECKING:
    from npgrad.optim.optimizer import Optimizer


def _scalar_dtype() -> np.dtype:
    """The dtype of 0-dim state such as ``step``: float64 only when that is the default."""
    return (
        np.dtype(np.float64) if npgrad.get_default_dtype() == np.float64 else np.dtype(np.float32)
    )


def _scalar_state(value: float) -> Tensor:
    return Tensor._make(np.array(value, dtype=_scalar_dtype()), False, None)


def _zeros_state(param: Tensor) -> Tensor:
    # zeros_like keeps the parameter's memory layout, as torch's preserve_format does
    return Tensor._make(np.zeros_like(param._data), False, None)


def _check_number(owner: str, name: str, value: Any) -> float:
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError(
                f"{owner}: a Tensor {name} must have exactly 1 element, got shape {value.shape}"
            )
        return float(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__}")
    return float(value)


def _as_list(owner: str, name: str, value: Any) -> list[Any]:
    """``list(value)``, or a TypeError naming ``owner`` and ``name`` if it isn't iterable."""
    try:
        items = iter(value)
    except TypeError:
        raise TypeError(
            f"{owner}: {name} must be an iterable of Tensors or dicts, got {type(value).__name__}"
        ) from None
    return list(items)  # an error raised while iterating propagates as it is


def _as_tuple(value: Any) -> Any:
    """A pair-like hyper-parameter (``betas``, ``etas``...) as a tuple when it is a sequence or
    an array; anything else unchanged, for ``_validate_group`` to refuse with a clear error."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    if isinstance(value, (np.ndarray, Tensor)) and value.ndim == 1:
        return tuple(value)
    return value


def _check_nonnegative(owner: str, group: Mapping[str, Any], *names: str) -> None:
    """Raise ValueError naming the first hyper-parameter of ``names`` that is negative or NaN."""
    for name in names:
        value = _check_number(owner, name, group[name])
        if not value >= 0.0:
            raise ValueError(f"{owner}: invalid {name} {group[name]!r}: it must be >= 0")


def _check_betas(owner: str, group: Mapping[str, Any]) -> None:
    """Raise ValueError unless ``group["betas"]`` is a pair of numbers in [0, 1)."""
    betas = group["betas"]
    if not isinstance(betas, (tuple, list)):
        raise TypeError(
            f"{owner}: betas must be a pair (beta1, beta2), got {type(betas).__name__} {betas!r}"
        )
    if len(betas) != 2:
        raise ValueError(f"{owner}: betas must be a pair (beta1, beta2), got {betas!r}")
    for i, beta in enumerate(betas):
        value = _check_number(owner, f"betas[{i}]", beta)
        if not 0.0 <= value < 1.0:
            raise ValueError(f"{owner}: invalid betas[{i}] {beta!r}: it must be in [0, 1)")


def _cast_state(
    opt: Optimizer, owner: str, param: Tensor, value: Any, index: Any, key: Any = None
) -> Any:
    """A copy of a loaded state value, its tensors cast to ``param``'s dtype (but for
    ``opt``'s scalar state), their shapes checked against ``opt._state_shape``."""
    if isinstance(value, (Tensor, np.ndarray)):
        array = value._data if isinstance(value, Tensor) else value
        shape = opt._state_shape(param, key) if isinstance(key, str) else None
        if shape is not None and array.shape != tuple(shape):
            raise ValueError(
                f"{owner}: state[{index}][{key!r}] has shape {array.shape}, but it must "
                f"have shape {tuple(shape)} (parameter {index} has shape {param._data.shape})"
            )
        if key in opt._scalar_state_keys or param._data.dtype.kind != "f":
            dtype = array.dtype
        else:
            dtype = param._data.dtype
        return Tensor._make(np.array(array, dtype=dtype, copy=True), False, None)
    if isinstance(value, Mapping):
        return {k: _cast_state(opt, owner, param, v, index, k) for k, v in value.items()}
    if key == "step" and isinstance(value, (int, float)):
        return _scalar_state(float(value))  # state dicts of old PyTorch versions
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(opt, owner, param, v, index, key) for v in value)
    shaped = isinstance(key, str) and opt._state_shape(param, key) is not None
    is_number = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    if shaped and value is not None and not (key in opt._scalar_state_keys and is_number):
        raise TypeError(
            f"{owner}: state[{index}][{key!r}] must be a Tensor, got {type(value).__name__}"
        )
    return copy.deepcopy(value)
