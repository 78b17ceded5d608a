"""``npgrad.nn.attention``: PyTorch's ``torch.nn.attention`` backend selection for
:func:`npgrad.nn.functional.scaled_dot_product_attention`.

npgrad has one attention kernel, written with NumPy. It computes what PyTorch's ``MATH``
kernel computes, and what its CPU ``FLASH_ATTENTION`` kernel computes in another order, so
those two backends select it; the GPU-only backends (``EFFICIENT_ATTENTION``,
``CUDNN_ATTENTION``, ``OVERRIDEABLE``) select nothing. Inside ``sdpa_kernel`` with neither of
the first two, ``scaled_dot_product_attention`` raises PyTorch's "No viable backend" error,
as PyTorch does on a CPU.

Examples
--------
>>> import npgrad
>>> import npgrad.nn.functional as F
>>> from npgrad.nn.attention import SDPBackend, sdpa_kernel
>>> q = npgrad.ones(1, 2, 3, 4)
>>> with sdpa_kernel([SDPBackend.MATH, SDPBackend.EFFICIENT_ATTENTION]):
...     F.scaled_dot_product_attention(q, q, q).shape
npgrad.Size([1, 2, 3, 4])
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
from collections.abc import Iterator
from typing import Any

__all__ = ["WARN_FOR_UNFUSED_KERNELS", "SDPBackend", "sdpa_kernel"]

# PyTorch warns when it falls back from a fused kernel; npgrad has no fused kernel to miss
WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.IntEnum):
    """The attention backends PyTorch names, with its values."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


# the backends npgrad's kernel stands for, and those the enclosing sdpa_kernel allows
_SERVED = frozenset({SDPBackend.MATH, SDPBackend.FLASH_ATTENTION})
_allowed: contextvars.ContextVar[frozenset[SDPBackend] | None] = contextvars.ContextVar(
    "npgrad_sdpa_backends", default=None
)


@contextlib.contextmanager
def sdpa_kernel(backends: Any, set_priority: bool = False) -> Iterator[None]:
    """Allow only ``backends`` (one :class:`SDPBackend` or a list) for
    ``scaled_dot_product_attention`` inside the block; the previous choice comes back on exit.
    ``set_priority`` (the order of preference) is accepted: npgrad has one kernel."""
    chosen = list(backends) if isinstance(backends, (list, tuple)) else [backends]
    for b in chosen:
        if not isinstance(b, SDPBackend):
            raise TypeError(
                "sdpa_kernel: Backend must be an instance of SDPBackend or a list of SDPBackend "
                f"instances, got {type(b).__name__}"
            )
    token = _allowed.set(frozenset(chosen))
    try:
        yield
    finally:
        _allowed.reset(token)


def _check_backend(op: str) -> None:
    """Raise PyTorch's error when the enclosing ``sdpa_kernel`` allows no backend npgrad's
    kernel stands for."""
    allowed = _allowed.get()
    if allowed is not None and not allowed & _SERVED:
        names = ", ".join(sorted(b.name for b in allowed)) or "none"
        raise RuntimeError(
            f"{op}: No viable backend for scaled_dot_product_attention was found: the enclosing "
            f"sdpa_kernel allows {names}; npgrad's kernel serves MATH and FLASH_ATTENTION"
        )
