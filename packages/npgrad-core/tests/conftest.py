"""Fixtures shared by the core tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import npgrad


@pytest.fixture
def default_float64() -> Iterator[None]:
    """Run the test with float64 as the default dtype, restoring float32 afterwards."""
    npgrad.set_default_dtype(npgrad.float64)
    try:
        yield
    finally:
        npgrad.set_default_dtype(npgrad.float32)
