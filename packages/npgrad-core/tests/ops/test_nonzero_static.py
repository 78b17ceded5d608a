"""``nonzero_static`` and the memory-introspection methods (storage_offset, data_ptr, get_device)."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad


@pytest.mark.parametrize("size", [0, 2, 3, 6])
@pytest.mark.parametrize("fill_value", [-1, 7])
def test_nonzero_static_pads_or_truncates_nonzero(size, fill_value):
    a = np.array([[1, 0, 2], [0, 0, 3]])
    out = npgrad.nonzero_static(npgrad.tensor(a), size=size, fill_value=fill_value)
    rows = np.argwhere(a)
    expected = np.full((size, 2), fill_value)
    expected[: min(size, len(rows))] = rows[:size]
    assert out.dtype == npgrad.int64 and out.shape == (size, 2)
    assert out.tolist() == expected.tolist()
    assert (
        npgrad.tensor(a).nonzero_static(size=size, fill_value=fill_value).tolist() == out.tolist()
    )


def test_nonzero_static_of_a_0d_input_and_bad_arguments():
    assert npgrad.nonzero_static(npgrad.tensor(10), size=2).shape == (2, 0)
    with pytest.raises(ValueError, match="nonzero_static: size must be a non-negative integer"):
        npgrad.nonzero_static(npgrad.tensor([1]), size=-1)
    with pytest.raises(TypeError, match="fill_value must be an integer"):
        npgrad.nonzero_static(npgrad.tensor([1]), size=1, fill_value=0.5)


@pytest.mark.torch
def test_nonzero_static_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).integers(0, 2, (4, 5))
    for size in (0, 3, 20):
        ours = npgrad.nonzero_static(npgrad.tensor(a), size=size, fill_value=-3)
        theirs = torch.nonzero_static(torch.tensor(a), size=size, fill_value=-3)
        assert ours.tolist() == theirs.tolist()


def test_storage_offset_data_ptr_and_get_device_follow_views():
    x = npgrad.zeros(3, 4)
    assert x.storage_offset() == 0 and x[1:, 1:].storage_offset() == 5
    assert x[2].storage_offset() == 8 and x.t().storage_offset() == 0
    assert x[1:, 1:][1:].storage_offset() == 9  # a view of a view counts from the memory's start
    assert x[1:].data_ptr() - x.data_ptr() == 4 * x.element_size()
    assert x.view(12).data_ptr() == x.data_ptr() and x.clone().data_ptr() != x.data_ptr()
    assert x.get_device() == -1


@pytest.mark.torch
def test_storage_offset_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = npgrad.zeros(4, 5, 6), torch.zeros(4, 5, 6)
    for key in [(1,), (slice(1, None), 2), (slice(None), slice(2, 5), slice(1, None, 2)), (3, 4)]:
        assert ours[key].storage_offset() == theirs[key].storage_offset()
