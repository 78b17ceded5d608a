"""Edge cases where npgrad.data's results once differed from torch.utils.data's."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import npgrad
from npgrad.data import DataLoader, Dataset, default_collate

# A batch of numbers of several types gets the dtype ``torch.tensor(batch)`` infers: each
# NumPy scalar its dtype, a Python bool bool, an int int64, a float the default dtype, promoted
# as tensors promote (an integer and a float give the float), not as NumPy promotes. A batch
# whose first element is a Python float stays float64 (torch's collate_float_fn).
MIXED_NUMBERS = [
    ([np.int64(1), np.float32(2.5)], np.float32),
    ([np.float32(2.5), np.int32(3)], np.float32),
    ([np.float32(2.5), 1], np.float32),
    ([np.float32(2.5), 0.5], np.float32),
    ([np.float16(1.0), np.int64(3)], np.float16),
    ([np.int16(3), np.float16(1.0)], np.float16),
    ([np.float16(1.0), 0.5], np.float32),
    ([np.int8(1), 0.5], np.float32),
    ([np.uint8(2), 0.5], np.float32),
    ([np.bool_(True), 0.5], np.float32),
    ([1, np.float16(1.0)], np.float16),
    ([1, np.float64(1.0)], np.float64),
    ([True, np.float16(1.0)], np.float16),
    ([True, np.float64(1.0)], np.float64),
    ([True, np.int8(3)], np.int8),
    ([True, np.uint8(3)], np.uint8),
    ([True, np.int16(3)], np.int16),
    ([True, np.int32(3)], np.int32),
    ([2.5, np.float32(1.0), 2**64], np.float64),
    ([np.float32(1.0), 2**63], np.float32),
]


def _ids(cases):
    return ["-".join(type(x).__name__ for x in batch) for batch, _ in cases]


@pytest.mark.parametrize(("batch", "dtype"), MIXED_NUMBERS, ids=_ids(MIXED_NUMBERS))
def test_default_collate_of_mixed_numbers_infers_torchs_dtype(batch, dtype):
    out = default_collate(batch)
    assert out.dtype == dtype
    with np.errstate(over="ignore"):
        expected = np.array([float(x) for x in batch], dtype=dtype)
    np.testing.assert_array_equal(out.numpy(), expected)


def test_default_collate_of_mixed_numbers_follows_the_default_dtype():
    old = npgrad.get_default_dtype()
    npgrad.set_default_dtype(npgrad.float64)
    try:
        assert default_collate([np.int32(1), 0.5]).dtype == np.float64
        assert default_collate([1, 0.5]).dtype == np.float64
    finally:
        npgrad.set_default_dtype(old)
    assert default_collate([np.int32(1), 0.5]).dtype == np.float32


def test_default_collate_of_mixed_numbers_keeps_refusing_what_would_wrap_or_is_not_a_number():
    with pytest.raises(ValueError, match="int64 range"):
        default_collate([np.int64(1), 2**63])
    with pytest.raises(ValueError, match="int64 range"):
        default_collate([True, -(2**63) - 1])
    with pytest.raises(TypeError, match="element 1"):
        default_collate([np.float32(1.0), None])
    with pytest.raises(TypeError, match="complex"):
        default_collate([np.int8(1), np.complex64(1)])


def test_dataloader_batches_mixed_numpy_scalars_with_torchs_dtype():
    class Mixed(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return np.int64(i) if i % 2 else np.float32(i + 0.5)

    batches = list(DataLoader(Mixed(), batch_size=2))
    assert [b.dtype for b in batches] == [np.float32, np.float32]
    np.testing.assert_array_equal(batches[1].numpy(), [2.5, 3.0])


@pytest.mark.torch
def test_default_collate_of_mixed_numbers_matches_torch():
    pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate

    values = [
        np.int64(1), np.float32(2), np.float16(1), np.int8(1), np.uint8(2), np.int16(3),
        np.int32(3), np.float64(1e300), 1, 2.5, True, np.float32("nan"), -0.0, 2**63,
    ]  # fmt: skip
    for batch in itertools.product(values, repeat=2):
        try:
            want = torch_collate(list(batch))
        except (TypeError, ValueError, RuntimeError):
            with pytest.raises((TypeError, ValueError)):
                default_collate(list(batch))
            continue
        got = default_collate(list(batch))
        assert str(got.dtype) == str(want.dtype).removeprefix("torch."), batch
        np.testing.assert_array_equal(got.numpy(), want.numpy())
        assert got.numpy().tobytes() == want.numpy().tobytes(), batch  # -0.0 stays -0.0
