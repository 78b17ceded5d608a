"""Tensors built from pieces of others: block diagonals, products of sets, index
triangles, scatters of a slice, splits along named axes and sliding windows."""

from __future__ import annotations

__all__: list[str] = []
