"""PyTorch's global switches, for code written against ``torch``'s API.

npgrad computes with NumPy on the CPU: every op is already deterministic, float32 matrix
products run at full float32 precision and there is no inter-op thread pool. These
functions therefore store and report the flags (so code that sets and reads them works
unchanged) and validate their arguments as PyTorch does; they change no computation.
The anomaly switches map onto :mod:`npgrad.autograd.anomaly`.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

from npgrad._device import CPU, parse_device
from npgrad.autograd import anomaly as _anomaly

__all__ = [
    "are_deterministic_algorithms_enabled",
    "get_default_device",
    "get_deterministic_debug_mode",
    "get_float32_matmul_precision",
    "get_num_interop_threads",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "is_warn_always_enabled",
    "set_anomaly_enabled",
    "set_default_device",
    "set_deterministic_debug_mode",
    "set_float32_matmul_precision",
    "set_num_interop_threads",
    "set_warn_always",
    "use_deterministic_algorithms",
]

_state: dict[str, Any] = {
    "deterministic": False,
    "warn_only": False,
    "matmul_precision": "highest",
    "interop_threads": 1,
    "warn_always": False,
}
_DEBUG_MODES = ("default", "warn", "error")
_PRECISIONS = ("highest", "high", "medium")


def _need_bool(op: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{op}: {name} must be a bool, got {type(value).__name__}")
    return value


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record whether deterministic algorithms are required (npgrad's always are: this only
    stores the flags reported by :func:`are_deterministic_algorithms_enabled` and
    :func:`is_deterministic_algorithms_warn_only_enabled`).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.use_deterministic_algorithms(True)
    >>> npgrad.are_deterministic_algorithms_enabled()
    True
    >>> npgrad.use_deterministic_algorithms(False)
    """
    _need_bool("use_deterministic_algorithms", "mode", mode)
    _need_bool("use_deterministic_algorithms", "warn_only", warn_only)
    _state["deterministic"], _state["warn_only"] = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` was switched on.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.are_deterministic_algorithms_enabled()
    False
    """
    return bool(_state["deterministic"])


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` was called with ``warn_only=True``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.is_deterministic_algorithms_warn_only_enabled()
    False
    """
    return bool(_state["warn_only"])


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """``"default"``/0 (off), ``"warn"``/1 (on, warn only) or ``"error"``/2 (on): the
    flags of :func:`use_deterministic_algorithms` in one value.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.set_deterministic_debug_mode("warn")
    >>> npgrad.get_deterministic_debug_mode()
    1
    >>> npgrad.set_deterministic_debug_mode(0)
    """
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(
                "set_deterministic_debug_mode: expected one of 'default', 'warn', 'error', "
                f"got {debug_mode!r}"
            )
        mode = _DEBUG_MODES.index(debug_mode)
    elif isinstance(debug_mode, int) and not isinstance(debug_mode, bool):
        if debug_mode not in (0, 1, 2):
            raise RuntimeError(
                f"set_deterministic_debug_mode: expected 0, 1 or 2, got {debug_mode}"
            )
        mode = debug_mode
    else:
        raise TypeError(
            "set_deterministic_debug_mode: debug_mode must be a str or an int, got "
            f"{type(debug_mode).__name__}"
        )
    use_deterministic_algorithms(mode > 0, warn_only=mode == 1)


def get_deterministic_debug_mode() -> int:
    """0, 1 or 2 as set by :func:`set_deterministic_debug_mode` (see there).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.get_deterministic_debug_mode()
    0
    """
    if not _state["deterministic"]:
        return 0
    return 1 if _state["warn_only"] else 2


def set_default_device(device: Any) -> None:
    """Accept ``None`` or the CPU (``"cpu"``, ``npgrad.device("cpu")``), npgrad's only
    device; another device is a RuntimeError.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.set_default_device("cpu")
    >>> npgrad.get_default_device()
    device(type='cpu')
    """
    parse_device("set_default_device", device)


def get_default_device() -> Any:
    """Always ``npgrad.device("cpu")``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.get_default_device()
    device(type='cpu')
    """
    return CPU


def set_float32_matmul_precision(precision: str) -> None:
    """Store ``"highest"``, ``"high"`` or ``"medium"``; another value warns and changes
    nothing, as in PyTorch. NumPy always multiplies float32 at full precision (what
    ``"highest"`` asks for): the stored value only is reported back.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.set_float32_matmul_precision("high")
    >>> npgrad.get_float32_matmul_precision()
    'high'
    >>> npgrad.set_float32_matmul_precision("highest")
    """
    if not isinstance(precision, str):
        raise TypeError(
            f"set_float32_matmul_precision: precision must be a str, got {type(precision).__name__}"
        )
    if precision not in _PRECISIONS:
        warnings.warn(
            f"set_float32_matmul_precision: {precision!r} is not one of 'highest', 'high' or "
            "'medium'; the call has no effect",
            UserWarning,
            stacklevel=2,
        )
        return
    _state["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    """The value stored by :func:`set_float32_matmul_precision` (``"highest"`` by default).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.get_float32_matmul_precision()
    'highest'
    """
    return str(_state["matmul_precision"])


def set_num_interop_threads(num: int) -> None:
    """Store the inter-op thread count (npgrad runs ops one after another: there is no
    such pool); RuntimeError for a count below 1, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.set_num_interop_threads(1)
    >>> npgrad.get_num_interop_threads()
    1
    """
    if isinstance(num, bool):
        raise RuntimeError("set_num_interop_threads: expects a positive integer, got a bool")
    try:
        n = operator.index(num)
    except TypeError:
        raise RuntimeError(
            f"set_num_interop_threads: expects a positive integer, got {type(num).__name__}"
        ) from None
    if n < 1:
        raise RuntimeError(f"set_num_interop_threads: expects a positive integer, got {n}")
    _state["interop_threads"] = n


def get_num_interop_threads() -> int:
    """The value stored by :func:`set_num_interop_threads` (1 by default).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.get_num_interop_threads() >= 1
    True
    """
    return int(_state["interop_threads"])


def set_warn_always(b: bool) -> None:
    """Store PyTorch's "warn every time, not once" flag (npgrad's warnings follow Python's
    warning filters).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.set_warn_always(True)
    >>> npgrad.is_warn_always_enabled()
    True
    >>> npgrad.set_warn_always(False)
    """
    _state["warn_always"] = _need_bool("set_warn_always", "b", b)


def is_warn_always_enabled() -> bool:
    """The flag stored by :func:`set_warn_always`.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.is_warn_always_enabled()
    False
    """
    return bool(_state["warn_always"])


def is_anomaly_enabled() -> bool:
    """:func:`npgrad.autograd.is_anomaly_enabled`.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.is_anomaly_enabled()
    False
    """
    return _anomaly.is_anomaly_enabled()


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Switch anomaly detection on or off for good (``npgrad.autograd.set_detect_anomaly``
    without the context manager).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.set_anomaly_enabled(True)
    >>> npgrad.is_anomaly_enabled()
    True
    >>> npgrad.set_anomaly_enabled(False)
    """
    _need_bool("set_anomaly_enabled", "enabled", enabled)
    _need_bool("set_anomaly_enabled", "check_nan", check_nan)
    _anomaly.set_detect_anomaly(enabled, check_nan)


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection also checks for NaN (the ``check_nan`` flag).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.is_anomaly_check_nan_enabled()
    True
    """
    return bool(_anomaly.check_nan)
