"""Statistics over tensors: quantiles, covariance, histograms and distances."""

from __future__ import annotations

__all__: list[str] = []
