"""Special functions (PyTorch's ``torch.special``): gamma and error function families,
Bessel functions, logit and friends, each a Function with its backward. The ``torch.special``
names are in :mod:`npgrad.special`; PyTorch's top-level names (``lgamma``...) in ``npgrad``."""

from __future__ import annotations

__all__: list[str] = []
