"""``npgrad.cuda``: what PyTorch's ``torch.cuda`` reports on a machine without CUDA, so that
code choosing its device at run time (``"cuda" if npgrad.cuda.is_available() else "cpu"``)
runs unchanged. The seeding and cache calls do nothing, as they do in PyTorch without CUDA;
the calls that need a GPU raise RuntimeError.

Examples
--------
>>> import npgrad
>>> npgrad.cuda.is_available(), npgrad.cuda.device_count()
(False, 0)
"""

from __future__ import annotations

from typing import Any, NoReturn

__all__ = [
    "current_device",
    "device_count",
    "empty_cache",
    "get_device_name",
    "is_available",
    "is_initialized",
    "manual_seed",
    "manual_seed_all",
    "set_device",
    "synchronize",
]


def is_available() -> bool:
    """False: npgrad computes with NumPy on the CPU."""
    return False


def device_count() -> int:
    """0 GPUs."""
    return 0


def is_initialized() -> bool:
    """False: there is no CUDA state."""
    return False


def manual_seed(seed: int) -> None:
    """Nothing to seed (PyTorch without CUDA also accepts the call and does nothing)."""


def manual_seed_all(seed: int) -> None:
    """Nothing to seed, as :func:`manual_seed`."""


def empty_cache() -> None:
    """No GPU memory to release."""


def _no_cuda(name: str) -> NoReturn:
    raise RuntimeError(f"npgrad.cuda.{name}: npgrad has no CUDA; it computes on the CPU only")


def synchronize(device: Any = None) -> None:
    """Raises: there is no GPU to wait for."""
    _no_cuda("synchronize")


def current_device() -> int:
    """Raises: there is no current GPU."""
    _no_cuda("current_device")


def get_device_name(device: Any = None) -> str:
    """Raises: there is no GPU."""
    _no_cuda("get_device_name")


def set_device(device: Any) -> None:
    """Raises: there is no GPU to select."""
    _no_cuda("set_device")
