"""``npgrad.backends``: PyTorch's backend switches as they read on a machine without GPUs.
``backends.cudnn.benchmark``, ``.deterministic`` and ``.enabled`` can be set, as scripts do,
and change nothing (there is no cuDNN); ``backends.mps`` and ``backends.cuda`` report that
neither is available.

Examples
--------
>>> import npgrad
>>> npgrad.backends.cudnn.benchmark = True
>>> npgrad.backends.mps.is_available(), npgrad.backends.cudnn.is_available()
(False, False)
"""

from __future__ import annotations

__all__ = ["cuda", "cudnn", "mps"]


class _Cudnn:
    """cuDNN's switches: settable flags with PyTorch's defaults; no cuDNN behind them."""

    def __init__(self) -> None:
        self.enabled = True
        self.benchmark = False
        self.deterministic = False
        self.allow_tf32 = True

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def version() -> None:
        return None


class _Mps:
    """Apple's Metal backend: neither built nor available."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def is_built() -> bool:
        return False


class _Cuda:
    """CUDA: not built."""

    @staticmethod
    def is_built() -> bool:
        return False


cudnn = _Cudnn()
mps = _Mps()
cuda = _Cuda()
