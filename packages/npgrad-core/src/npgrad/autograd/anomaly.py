"""Anomaly detection: find the op whose backward produced the first NaN or Inf.

While enabled, every recorded node keeps the stack where its op was called, and the engine
checks each gradient a node returns; the first non-finite one raises a RuntimeError naming
the node and showing where its forward ran. Both cost time: enable only to debug.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["detect_anomaly", "is_anomaly_enabled", "set_detect_anomaly"]

# A process-wide switch, like PyTorch's (read on the hot path, so a plain module global).
enabled = False
check_nan = True

F = TypeVar("F", bound=Callable[..., Any])


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly`` (or after ``set_detect_anomaly(True)``).

    Examples
    --------
    >>> import npgrad
    >>> with npgrad.autograd.detect_anomaly():
    ...     npgrad.autograd.is_anomaly_enabled()
    True
    >>> npgrad.autograd.is_anomaly_enabled()
    False
    """
    return enabled


class set_detect_anomaly:
    """Switch anomaly detection on or off; as a context manager, restore it on exit.

    Examples
    --------
    >>> import npgrad
    >>> with npgrad.autograd.set_detect_anomaly(True):
    ...     npgrad.autograd.is_anomaly_enabled()
    True
    >>> npgrad.autograd.is_anomaly_enabled()
    False
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = (enabled, _check_nan())
        _set(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _set(*self._prev)


def _check_nan() -> bool:
    return check_nan


def _set(mode: bool, nan: bool) -> None:
    global enabled, check_nan
    enabled, check_nan = bool(mode), bool(nan)


class detect_anomaly:
    """Context manager and decorator enabling anomaly detection inside its scope.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([0.0], requires_grad=True)
    >>> with npgrad.autograd.detect_anomaly():
    ...     y = (x.sqrt() * 0.0).sum()
    ...     try:
    ...         y.backward()
    ...     except RuntimeError as e:
    ...         print(str(e).splitlines()[0])
    Function 'SqrtBackward' returned nan values in its 0th output.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn(  # as PyTorch's: a reminder not to leave it on
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self) -> None:
        self._prev = (enabled, _check_nan())
        _set(True, self.check_nan)

    def __exit__(self, *exc: object) -> None:
        _set(*self._prev)

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(self.check_nan):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
