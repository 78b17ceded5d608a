"""``npgrad.linalg``: PyTorch's ``torch.linalg`` namespace. The ops are defined in
:mod:`npgrad.ops.decomposition` (and :mod:`npgrad.ops.linalg` for the products)."""

from __future__ import annotations

__all__: list[str] = []
