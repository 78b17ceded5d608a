"""Bitwise ops on integer and bool tensors (never differentiable)."""

from __future__ import annotations

__all__: list[str] = []
