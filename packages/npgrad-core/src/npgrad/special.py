"""``npgrad.special``: PyTorch's ``torch.special`` namespace. The ops are defined in
:mod:`npgrad.ops.special`."""

from __future__ import annotations

__all__: list[str] = []
