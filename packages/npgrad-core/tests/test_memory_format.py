"""Memory formats (``npgrad.contiguous_format``, ``channels_last``, ...) and ``npgrad.strided``."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import npgrad
from npgrad import _memory_format as mf


def _nhwc(shape):
    a = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    return npgrad.tensor(mf.copy_in(a, npgrad.channels_last)), a


def test_the_objects():
    for name in ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format"):
        fmt = getattr(npgrad, name)
        assert isinstance(fmt, npgrad.memory_format) and repr(fmt) == f"npgrad.{name}"
        assert pickle.loads(pickle.dumps(fmt)) is fmt and copy.deepcopy(fmt) is fmt
    assert repr(npgrad.strided) == "npgrad.strided" and isinstance(npgrad.strided, npgrad.layout)
    assert npgrad.zeros(2).layout is npgrad.strided
    assert pickle.loads(pickle.dumps(npgrad.strided)) is npgrad.strided


def test_channels_last_copy_keeps_values_and_has_nhwc_strides():
    x, a = _nhwc((2, 3, 4, 5))
    np.testing.assert_array_equal(x.numpy(), a)
    assert x.shape == (2, 3, 4, 5) and x.stride() == (60, 1, 15, 3)
    assert x.is_contiguous(memory_format=npgrad.channels_last) and not x.is_contiguous()
    assert npgrad.tensor(a).is_contiguous(npgrad.contiguous_format)
    assert not npgrad.tensor(a).is_contiguous(npgrad.channels_last)
    # PyTorch's rules: another rank is simply not channels_last; size-1 dims don't count
    assert not npgrad.zeros(3, 4).is_contiguous(memory_format=npgrad.channels_last)
    assert npgrad.zeros(2, 1, 4, 5).is_contiguous(memory_format=npgrad.channels_last)
    assert npgrad.zeros(2, 3, 1, 1).is_contiguous(memory_format=npgrad.channels_last)
    y = npgrad.tensor(mf.copy_in(np.zeros((2, 3, 4, 5, 6)), npgrad.channels_last_3d))
    assert y.stride() == (360, 1, 90, 18, 3) and y.is_contiguous(npgrad.channels_last_3d)


def test_preserve_format_copy_keeps_a_dense_order_only():
    t = np.zeros((3, 4)).T
    assert mf.copy_in(t, npgrad.preserve_format).strides == t.strides
    gaps = np.zeros((3, 8))[:, ::2].T  # not dense: C order, as PyTorch
    assert mf.copy_in(gaps, npgrad.preserve_format).flags.c_contiguous


def test_ops_on_channels_last_tensors_give_the_same_values():
    x, a = _nhwc((2, 3, 4, 5))
    np.testing.assert_array_equal((x * 2 + 1).numpy(), a * 2 + 1)
    np.testing.assert_array_equal(x.sum(dim=1).numpy(), a.sum(axis=1))
    np.testing.assert_array_equal(x.reshape(2, -1).numpy(), a.reshape(2, -1))
    assert (x + 1).is_contiguous(npgrad.channels_last)  # elementwise ops keep the format


def test_bad_memory_format():
    with pytest.raises(
        TypeError, match="is_contiguous: memory_format must be an npgrad.memory_format"
    ):
        npgrad.zeros(2).is_contiguous(memory_format="channels_last")
    with pytest.raises(ValueError, match="required rank 4 tensor to use channels_last format"):
        mf.check("contiguous", npgrad.channels_last, 3)


@pytest.mark.torch
def test_parity_with_torch():
    torch = pytest.importorskip("torch")
    for shape in ((2, 3, 4, 5), (2, 1, 4, 5), (2, 3, 1, 1), (1, 3, 4, 1)):
        a = np.zeros(shape, np.float32)
        ours = npgrad.tensor(mf.copy_in(a, npgrad.channels_last))
        theirs = torch.zeros(shape).contiguous(memory_format=torch.channels_last)
        # the strides of size-1 dimensions are arbitrary (NumPy and PyTorch pick differently)
        big = [d for d, n in enumerate(shape) if n > 1]
        assert [ours.stride(d) for d in big] == [theirs.stride(d) for d in big]
        for fmt in ("contiguous_format", "channels_last"):
            assert ours.is_contiguous(getattr(npgrad, fmt)) == theirs.is_contiguous(
                memory_format=getattr(torch, fmt)
            )


# ---- conversions: contiguous, to, clone, the *_like functions, empty ----------------------------
def test_contiguous_and_to_convert_and_keep_the_graph():
    a = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    x = npgrad.tensor(a, requires_grad=True)
    y = x.contiguous(memory_format=npgrad.channels_last)
    assert y.stride() == (60, 1, 15, 3) and y.grad_fn is not None
    np.testing.assert_array_equal(y.numpy(), a)
    assert y.contiguous(memory_format=npgrad.channels_last) is y
    assert y.contiguous(npgrad.preserve_format) is y
    assert y.contiguous().is_contiguous() and y.contiguous() is not y
    z = x.to(memory_format=npgrad.channels_last)
    assert z.is_contiguous(npgrad.channels_last) and z.to(memory_format=npgrad.channels_last) is z
    w = x.to(npgrad.float32, memory_format=npgrad.channels_last)
    assert w.dtype == npgrad.float32 and w.is_contiguous(npgrad.channels_last)
    assert x.to(memory_format=npgrad.contiguous_format) is x
    assert x.to(memory_format=npgrad.contiguous_format, copy=True) is not x
    ((y * 2).sum() + z.sum()).backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(a.shape, 3.0))


def test_clone_preserves_a_dense_order_by_default():
    t = npgrad.zeros(3, 4).t()
    assert t.clone().stride() == (1, 4)
    assert t.clone(memory_format=npgrad.contiguous_format).stride() == (3, 1)
    assert npgrad.zeros(3, 8)[:, ::2].t().clone().is_contiguous()  # not dense: row-major
    x, _ = _nhwc((2, 3, 4, 5))
    assert x.clone().is_contiguous(npgrad.channels_last)
    assert npgrad.clone(x, memory_format=npgrad.contiguous_format).is_contiguous()


@pytest.mark.parametrize("fn", ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"])
def test_like_functions_preserve_or_set_the_format(fn):
    make = getattr(npgrad, fn)
    t = npgrad.zeros(3, 4).t()
    assert make(t).stride() == (1, 4)
    assert make(t, memory_format=npgrad.contiguous_format).stride() == (3, 1)
    x = npgrad.zeros(2, 3, 4, 5)
    assert make(x, memory_format=npgrad.channels_last).is_contiguous(npgrad.channels_last)
    with pytest.raises(ValueError, match=f"{fn}: required rank 4 tensor to use channels_last"):
        make(t, memory_format=npgrad.channels_last)


def test_like_values_do_not_depend_on_the_format():
    t = npgrad.zeros(3, 4).t()
    np.testing.assert_array_equal(npgrad.full_like(t, 2.5).numpy(), np.full((4, 3), 2.5))
    assert npgrad.full_like(t, 2.5).stride() == (1, 4)
    npgrad.manual_seed(3)
    a = npgrad.randn_like(t)
    npgrad.manual_seed(3)
    b = npgrad.randn_like(npgrad.zeros(4, 3))
    np.testing.assert_array_equal(a.numpy(), b.numpy())  # same samples, other strides
    assert npgrad.randint_like(t.long(), 5).stride() == (1, 4)


def test_empty_with_a_memory_format():
    assert npgrad.empty(2, 3, 4, 5, memory_format=npgrad.channels_last).stride() == (60, 1, 15, 3)
    assert npgrad.empty(2, 3, memory_format=npgrad.contiguous_format).is_contiguous()
    with pytest.raises(ValueError, match="empty: preserve_format has no tensor"):
        npgrad.empty(2, 3, memory_format=npgrad.preserve_format)


@pytest.mark.torch
def test_conversion_strides_match_torch():
    torch = pytest.importorskip("torch")
    a = np.zeros((3, 4), np.float32)
    ours, theirs = npgrad.tensor(a).t(), torch.from_numpy(a).t()
    assert ours.clone().stride() == theirs.clone().stride()
    assert npgrad.zeros_like(ours).stride() == torch.zeros_like(theirs).stride()
    b = np.zeros((2, 3, 4, 5), np.float32)
    for fmt in ("channels_last", "contiguous_format"):
        o = npgrad.tensor(b).contiguous(memory_format=getattr(npgrad, fmt))
        t = torch.from_numpy(b).contiguous(memory_format=getattr(torch, fmt))
        assert o.stride() == t.stride()
        assert o.to(memory_format=npgrad.channels_last).stride() == (
            t.to(memory_format=torch.channels_last).stride()
        )
