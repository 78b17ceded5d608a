"""Lazy modules: layers whose input size (and so their parameters' shapes) is inferred from the
first input, as PyTorch's ``LazyLinear``, ``LazyConv2d``..."""

from __future__ import annotations

__all__: list[str] = []
