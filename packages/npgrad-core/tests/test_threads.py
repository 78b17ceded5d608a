"""get_num_threads / set_num_threads: the thread count of NumPy's OpenBLAS."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import _threads


@pytest.fixture
def restore_threads():
    n = npgrad.get_num_threads()
    yield
    npgrad.set_num_threads(n)


def test_set_then_get(restore_threads) -> None:
    if _threads._functions() is None:
        pytest.skip("NumPy's BLAS here is not OpenBLAS")
    npgrad.set_num_threads(1)
    assert npgrad.get_num_threads() == 1
    npgrad.set_num_threads(np.int64(2))
    assert npgrad.get_num_threads() == 2
    a = np.ones((64, 64), np.float32)
    np.testing.assert_array_equal(a @ a, np.full((64, 64), 64, np.float32))  # still computes


@pytest.mark.parametrize("bad", [0, -1])
def test_non_positive_counts_raise(bad) -> None:
    with pytest.raises(RuntimeError, match="expects a positive integer"):
        npgrad.set_num_threads(bad)


@pytest.mark.parametrize("bad", [1.5, "2", True, None])
def test_non_integers_raise(bad) -> None:
    with pytest.raises(RuntimeError, match="expects an int"):
        npgrad.set_num_threads(bad)


def test_without_openblas_it_warns_and_remembers(monkeypatch) -> None:
    monkeypatch.setattr(_threads, "_blas", None)
    monkeypatch.setattr(_threads, "_requested", None)
    assert npgrad.get_num_threads() >= 1  # the CPU count
    with pytest.warns(RuntimeWarning, match="not OpenBLAS"):
        npgrad.set_num_threads(3)
    assert npgrad.get_num_threads() == 3


@pytest.mark.torch
def test_errors_match_torch() -> None:
    torch = pytest.importorskip("torch")
    for bad in (0, 1.5):
        with pytest.raises(RuntimeError) as theirs:
            torch.set_num_threads(bad)
        with pytest.raises(RuntimeError) as ours:
            npgrad.set_num_threads(bad)
        assert str(theirs.value).split(",")[0] in str(ours.value)
