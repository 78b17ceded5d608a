"""Linear algebra beyond products: determinants, inverses, solvers and decompositions
(PyTorch's ``torch.linalg``), each a Function with its backward. The ``torch.linalg`` names
are in :mod:`npgrad.linalg`; PyTorch's top-level names (``det``, ``inverse``...) in ``npgrad``."""

from __future__ import annotations

__all__: list[str] = []
