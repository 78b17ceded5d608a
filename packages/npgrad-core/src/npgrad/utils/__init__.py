"""``npgrad.utils``: :mod:`npgrad.utils.checkpoint` (PyTorch's ``torch.utils.checkpoint``),
:mod:`npgrad.utils.dlpack` (``torch.utils.dlpack``) and :mod:`npgrad.utils.hooks`
(``torch.utils.hooks``).

PyTorch's ``torch.utils.data`` is the separate distribution ``npgrad-data``, imported as
:mod:`npgrad.data`.
"""

from npgrad.utils import checkpoint, dlpack, hooks

__all__ = ["checkpoint", "dlpack", "hooks"]
