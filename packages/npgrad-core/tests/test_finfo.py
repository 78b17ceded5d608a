"""``npgrad.finfo`` and ``npgrad.iinfo``: the limits of each dtype, as NumPy and PyTorch
give them."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_matches_numpy(name):
    f, ref = npgrad.finfo(getattr(npgrad, name)), np.finfo(name)
    assert f.bits == ref.bits and f.dtype == name
    assert f.eps == float(ref.eps) and f.max == float(ref.max) and f.min == float(ref.min)
    assert f.tiny == f.smallest_normal == float(ref.tiny)
    assert f.resolution == 10.0**-ref.precision
    assert isinstance(f.eps, float)
    assert repr(f).startswith("finfo(resolution=") and f"dtype={name})" in repr(f)


def test_finfo_default_dtype(default_float64):
    assert npgrad.finfo().dtype == "float64"
    npgrad.set_default_dtype(npgrad.float32)
    assert npgrad.finfo().eps == 2.0**-23


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_numpy(name):
    i, ref = npgrad.iinfo(getattr(npgrad, name)), np.iinfo(name)
    assert (i.bits, i.min, i.max, i.dtype) == (ref.bits, int(ref.min), int(ref.max), name)
    assert repr(i) == f"iinfo(min={int(ref.min):g}, max={int(ref.max):g}, dtype={name})"


def test_errors():
    with pytest.raises(TypeError, match="finfo: requires a floating point dtype, got int32"):
        npgrad.finfo(npgrad.int32)
    with pytest.raises(TypeError, match="iinfo: requires an integer dtype, got float32"):
        npgrad.iinfo(npgrad.float32)
    with pytest.raises(TypeError, match="iinfo"):
        npgrad.iinfo(npgrad.bool)
    with pytest.raises(TypeError, match="not supported"):
        npgrad.finfo(np.complex64)


@pytest.mark.torch
def test_matches_torch():
    torch = pytest.importorskip("torch")
    for name in ("float16", "float32", "float64"):
        ours, ref = npgrad.finfo(getattr(npgrad, name)), torch.finfo(getattr(torch, name))
        for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
            assert getattr(ours, attr) == getattr(ref, attr), (name, attr)
        assert repr(ours) == repr(ref)
    for name in ("uint8", "int8", "int16", "int32", "int64"):
        ours, ref = npgrad.iinfo(getattr(npgrad, name)), torch.iinfo(getattr(torch, name))
        assert (ours.bits, ours.min, ours.max) == (ref.bits, ref.min, ref.max)
        assert repr(ours) == repr(ref)
