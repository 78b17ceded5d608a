"""``npgrad.utils``: :mod:`npgrad.utils.checkpoint` (PyTorch's ``torch.utils.checkpoint``).

PyTorch's ``torch.utils.data`` is the separate distribution ``npgrad-data``, imported as
:mod:`npgrad.data`.
"""

__all__ = ["checkpoint"]
