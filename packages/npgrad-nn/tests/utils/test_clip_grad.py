"""clip_grad_norm_ / clip_grad_value_ / get_total_norm / clip_grads_with_norm_: values, p-norms
including inf, in-place updates, non-finite handling, and PyTorch parity."""

from __future__ import annotations

import math

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.nn.utils import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from npgrad.testing import assert_close

RNG = np.random.default_rng(3)


def params_with_grads(*grads, dtype=np.float32):
    out = []
    for g in grads:
        p = nn.Parameter(npgrad.zeros(*np.shape(g), dtype=dtype))
        p.grad = npgrad.tensor(np.asarray(g, dtype=dtype))
        out.append(p)
    return out


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, 0.0, math.inf, -math.inf])
def test_total_norm_is_the_norm_of_all_gradients_concatenated(norm_type):
    grads = [RNG.standard_normal((3, 2)), RNG.standard_normal(4), np.array([0.0, 5.0])]
    flat = np.concatenate([g.ravel() for g in grads])
    ps = params_with_grads(*grads, dtype=np.float64)
    expected = np.linalg.norm(flat, norm_type)
    if norm_type == 0.0:  # PyTorch takes the 0-"norm" of the per-tensor norms: not a count
        expected = np.count_nonzero([np.count_nonzero(g) for g in grads])
    assert_close(get_total_norm([p.grad for p in ps], norm_type), np.float64(expected))


def test_clip_grad_norm_scales_in_place_and_returns_the_norm_before_clipping():
    ps = params_with_grads([3.0, 0.0], [4.0])
    data, version = ps[0].grad._data, ps[0].grad._version
    total = clip_grad_norm_(ps, max_norm=1.0)
    assert isinstance(total, npgrad.Tensor) and total.shape == () and total.dtype == np.float32
    assert_close(total, np.float32(5.0))
    coef = 1.0 / (5.0 + 1e-6)
    assert_close(ps[0].grad, np.array([3 * coef, 0.0], np.float32))
    assert_close(ps[1].grad, np.array([4 * coef], np.float32))
    assert ps[0].grad._data is data and ps[0].grad._version > version
    assert abs(get_total_norm([p.grad for p in ps]).item() - 1.0) < 1e-5


def test_small_gradients_are_never_scaled_up():
    ps = params_with_grads([0.3, 0.4])
    assert_close(clip_grad_norm_(ps, 10.0), np.float32(0.5))
    assert_close(ps[0].grad, np.array([0.3, 0.4], np.float32))


def test_inf_norm_single_tensor_module_parameters_and_missing_grads():
    ps = params_with_grads([1.0, -6.0], [2.0])
    ps.append(nn.Parameter(npgrad.ones(2)))  # no gradient: skipped
    assert_close(clip_grad_norm_(ps, 3.0, norm_type="inf"), np.float32(6.0))
    assert_close(ps[0].grad, np.array([0.5, -3.0], np.float32), rtol=1e-5)
    single = params_with_grads([3.0, 4.0])[0]
    assert_close(clip_grad_norm_(single, 1.0), np.float32(5.0))
    model = nn.Sequential()
    assert clip_grad_norm_(list(model.parameters()), 1.0).item() == 0.0


def test_empty_generator_warns():
    with pytest.warns(UserWarning, match="empty generator"):
        assert clip_grad_norm_((p for p in []), 1.0).item() == 0.0


def test_non_finite_norm():
    ps = params_with_grads([1.0, math.inf])
    with pytest.raises(RuntimeError, match="non-finite, so it cannot be clipped"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert ps[0].grad.numpy()[0] == 1.0  # left untouched
    total = clip_grad_norm_(ps, 1.0)  # scaled by the non-finite norm anyway, like PyTorch
    assert math.isinf(total.item())


def test_mixed_dtypes_promote_the_total():
    ps = params_with_grads([3.0]) + params_with_grads([4.0], dtype=np.float64)
    total = clip_grad_norm_(ps, 1.0)
    assert total.dtype == np.float64 and ps[0].grad.dtype == np.float32


def test_clip_grads_with_norm_accepts_a_given_total():
    ps = params_with_grads([2.0, 2.0])
    clip_grads_with_norm_(ps, 1.0, 4.0)
    assert_close(ps[0].grad, np.full(2, 2 / (4 + 1e-6), np.float32))


def test_clip_grad_value():
    ps = params_with_grads([-3.0, 0.5, 2.0], [[7.0]])
    data = ps[0].grad._data
    assert clip_grad_value_(ps, 1.0) is None
    assert_close(ps[0].grad, np.array([-1.0, 0.5, 1.0], np.float32))
    assert_close(ps[1].grad, np.array([[1.0]], np.float32))
    assert ps[0].grad._data is data


def test_deprecated_alias_and_type_errors():
    with pytest.warns(FutureWarning, match="deprecated"):
        clip_grad_norm(params_with_grads([1.0]), 1.0)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        clip_grad_norm_([1.0, 2.0], 1.0)


@pytest.mark.torch
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 0.5, 0.0, math.inf])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parity_with_torch(norm_type, dtype):
    torch = pytest.importorskip("torch")
    grads = [RNG.standard_normal((3, 4)).astype(dtype), RNG.standard_normal(5).astype(dtype)]
    ours = params_with_grads(*grads, dtype=dtype)
    theirs = [
        torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True) for g in grads
    ]
    for p, g in zip(theirs, grads):
        p.grad = torch.tensor(g)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-14}
    total = clip_grad_norm_(ours, 0.7, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, 0.7, norm_type)
    assert_close(total, ttotal.numpy(), **tol)
    for a, b in zip(ours, theirs):
        assert_close(a.grad, b.grad.numpy(), **tol)
    clip_grad_value_(ours, 0.05)
    torch.nn.utils.clip_grad_value_(theirs, 0.05)
    for a, b in zip(ours, theirs):
        assert_close(a.grad, b.grad.numpy(), **tol)
