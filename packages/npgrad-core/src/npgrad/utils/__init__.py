"""``npgrad.utils``: :mod:`npgrad.utils.checkpoint` (PyTorch's ``torch.utils.checkpoint``),
:mod:`npgrad.utils.dlpack` (``torch.utils.dlpack``), :mod:`npgrad.utils.hooks`
(``torch.utils.hooks``) and :mod:`npgrad.utils.data` (``torch.utils.data``).

``npgrad.utils.data`` is :mod:`npgrad.data` under PyTorch's path: the data loaders ship in
the separate distribution ``npgrad-data``, imported on first use of ``npgrad.utils.data``.
"""

from typing import TYPE_CHECKING

from npgrad.utils import checkpoint, dlpack, hooks

__all__ = ["checkpoint", "dlpack", "hooks"]

if not TYPE_CHECKING:

    def __getattr__(name: str):
        # npgrad.utils.data imports npgrad-data, a separate distribution: only on first use
        if name == "data":
            import importlib

            return importlib.import_module(f"{__name__}.data")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
