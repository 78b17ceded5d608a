"""PyTorch's top-level constants: ``npgrad.e``, ``pi``, ``inf``, ``nan`` (Python floats, the
very objects of :mod:`math`) and ``newaxis`` (``None``, for indexing: ``x[:, npgrad.newaxis]``).

Examples
--------
>>> import math
>>> import npgrad
>>> npgrad.pi is math.pi, npgrad.e, npgrad.inf > 1e308
(True, 2.718281828459045, True)
>>> npgrad.zeros(3)[:, npgrad.newaxis].shape
npgrad.Size([3, 1])
"""

from __future__ import annotations

import math

__all__ = ["e", "inf", "nan", "newaxis", "pi"]

e: float = math.e
"""Euler's number, 2.718281828459045 (``math.e``)."""

pi: float = math.pi
"""The ratio of a circle's circumference to its diameter, 3.141592653589793 (``math.pi``)."""

inf: float = math.inf
"""Positive infinity (``math.inf``)."""

nan: float = math.nan
"""A quiet NaN (``math.nan``)."""

newaxis: None = None
"""``None``: as an index it inserts a dimension of size 1 (``x[:, npgrad.newaxis]``)."""
