"""``npgrad.utils``: :mod:`npgrad.utils.checkpoint` (PyTorch's ``torch.utils.checkpoint``) and
:mod:`npgrad.utils.dlpack` (``torch.utils.dlpack``).

PyTorch's ``torch.utils.data`` is the separate distribution ``npgrad-data``, imported as
:mod:`npgrad.data`.
"""

from npgrad.utils import checkpoint, dlpack

__all__ = ["checkpoint", "dlpack"]
