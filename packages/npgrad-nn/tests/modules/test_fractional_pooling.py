"""nn.FractionalMaxPool2d / FractionalMaxPool3d: construction checks, attributes, repr and the
``_random_samples`` buffer as in PyTorch; forward = the functional form; parity with torch."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import functional as F
from npgrad.nn.modules import FractionalMaxPool2d, FractionalMaxPool3d

RNG = np.random.default_rng(17)


def test_attributes_and_repr():
    m = FractionalMaxPool2d(3, output_ratio=0.5)
    assert m.kernel_size == (3, 3) and m.output_ratio == (0.5, 0.5) and m.output_size is None
    assert m.return_indices is False and m._random_samples is None
    assert repr(m) == "FractionalMaxPool2d()"
    m3 = FractionalMaxPool3d((1, 2, 3), output_size=(4, 5, 6), return_indices=True)
    assert m3.kernel_size == (1, 2, 3) and m3.output_size == (4, 5, 6)
    assert m3.output_ratio is None and m3.return_indices is True
    assert repr(m3) == "FractionalMaxPool3d()"


def test_forward_equals_the_functional_form():
    x = npgrad.randn(2, 3, 15, 12)
    u = npgrad.rand(2, 3, 2)
    m = FractionalMaxPool2d((3, 2), output_ratio=(0.5, 0.7), return_indices=True, _random_samples=u)
    y, i = m(x)
    y2, i2 = F.fractional_max_pool2d(x, (3, 2), None, (0.5, 0.7), True, u)
    assert y.shape == (2, 3, 7, 8)
    np.testing.assert_array_equal(y.numpy(), y2.numpy())
    np.testing.assert_array_equal(i.numpy(), i2.numpy())
    # the samples are a buffer: every call uses them
    np.testing.assert_array_equal(m(x)[1].numpy(), i.numpy())


def test_samples_buffer_is_in_the_state_dict_only_when_given():
    u = npgrad.rand(1, 2, 3)
    m = FractionalMaxPool3d(2, output_size=3, _random_samples=u)
    assert list(m.state_dict()) == ["_random_samples"]
    assert list(FractionalMaxPool3d(2, output_size=3).state_dict()) == []
    other = FractionalMaxPool3d(2, output_size=3, _random_samples=npgrad.zeros(1, 2, 3))
    other.load_state_dict(m.state_dict())
    x = npgrad.randn(1, 2, 7, 7, 7)
    np.testing.assert_array_equal(other(x).numpy(), m(x).numpy())


def test_without_samples_each_call_draws_new_windows_reproducibly():
    m = FractionalMaxPool2d(2, output_size=10, return_indices=True)
    x = npgrad.randn(2, 4, 21, 21)
    npgrad.manual_seed(9)
    _, i1 = m(x)
    _, i2 = m(x)
    npgrad.manual_seed(9)
    _, i3 = m(x)
    assert not np.array_equal(i1.numpy(), i2.numpy())
    np.testing.assert_array_equal(i1.numpy(), i3.numpy())


def test_unbatched_input_and_gradients():
    x = npgrad.tensor(RNG.standard_normal((2, 6, 7, 5)), requires_grad=True)
    u = npgrad.tensor(RNG.random((1, 2, 3)))
    m = FractionalMaxPool3d((2, 3, 2), output_size=(4, 3, 3), _random_samples=u)
    assert m(x).shape == (2, 4, 3, 3)
    assert gradcheck(m, (x,))
    assert gradgradcheck(m, (x,))


@pytest.mark.parametrize(
    ("make", "err", "match"),
    [
        (lambda: FractionalMaxPool2d(2), ValueError, "either an output_size or an output_ratio"),
        (
            lambda: FractionalMaxPool3d(2, output_size=3, output_ratio=0.5),
            ValueError,
            "FractionalMaxPool3d: only one of output_size and output_ratio",
        ),
        (
            lambda: FractionalMaxPool2d(2, output_ratio=(0.5, 1.0)),
            ValueError,
            r"FractionalMaxPool2d: output_ratio must be between 0 and 1 \(got \(0.5, 1.0\)\)",
        ),
        (lambda: FractionalMaxPool3d(0, output_ratio=0.5), ValueError, "kernel_size"),
        (lambda: FractionalMaxPool2d((2, 2, 2), output_size=3), ValueError, "kernel_size"),
        (lambda: FractionalMaxPool2d(2, output_ratio="half"), TypeError, "output_ratio"),
        (
            lambda: FractionalMaxPool2d(2, output_size=3, _random_samples=[0.5]),
            TypeError,
            "buffer",
        ),
    ],
)
def test_bad_construction_raises(make, err, match):
    with pytest.raises(err, match=match):
        make()


def test_forward_errors_name_the_layer():
    m = FractionalMaxPool2d(3, output_size=7)
    with pytest.raises(ValueError, match="FractionalMaxPool2d: pool height 3 too large"):
        m(npgrad.randn(1, 1, 8, 9))
    with pytest.raises(ValueError, match=r"FractionalMaxPool2d: expected 3-D"):
        m(npgrad.randn(9, 9))
    bad = FractionalMaxPool2d(2, output_size=3, _random_samples=npgrad.rand(1, 2, 2))
    with pytest.raises(ValueError, match=r"FractionalMaxPool2d: expected _random_samples"):
        bad(npgrad.randn(1, 3, 8, 8))


@pytest.mark.torch
@pytest.mark.parametrize(
    ("nd", "shape", "kwargs"),
    [
        (2, (2, 3, 16, 13), {"kernel_size": 3, "output_size": (7, 5)}),
        (2, (3, 20, 20), {"kernel_size": (2, 3), "output_ratio": (0.5, 0.5)}),
        (3, (2, 2, 9, 8, 10), {"kernel_size": 2, "output_ratio": (0.5, 0.5, 0.5)}),
        (3, (2, 7, 6, 8), {"kernel_size": (3, 1, 2), "output_size": (4, 5, 5)}),
    ],
)
def test_matches_torch(nd, shape, kwargs):
    torch = pytest.importorskip("torch")
    x0 = RNG.standard_normal(shape).astype(np.float32)
    u0 = RNG.random((shape[0] if len(shape) == nd + 2 else 1, shape[-nd - 1], nd))
    u0 = u0.astype(np.float32)
    tm = getattr(torch.nn, f"FractionalMaxPool{nd}d")(
        return_indices=True, _random_samples=torch.tensor(u0), **kwargs
    )
    ours = (FractionalMaxPool2d if nd == 2 else FractionalMaxPool3d)(
        return_indices=True, _random_samples=npgrad.tensor(u0), **kwargs
    )
    assert repr(ours) == repr(tm)
    assert list(ours.state_dict()) == list(tm.state_dict())
    tx, x = torch.tensor(x0, requires_grad=True), npgrad.tensor(x0, requires_grad=True)
    (ty, ti), (y, i) = tm(tx), ours(x)
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    g0 = RNG.standard_normal(y.shape).astype(np.float32)
    ty.backward(torch.tensor(g0))
    y.backward(npgrad.tensor(g0))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.torch
def test_loads_torchs_state_dict():
    torch = pytest.importorskip("torch")
    u0 = RNG.random((2, 3, 2)).astype(np.float32)
    tm = torch.nn.FractionalMaxPool2d(2, output_size=6, _random_samples=torch.tensor(u0))
    ours = FractionalMaxPool2d(2, output_size=6, _random_samples=npgrad.zeros(2, 3, 2))
    ours.load_state_dict({k: npgrad.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    x0 = RNG.standard_normal((2, 3, 12, 11)).astype(np.float32)
    np.testing.assert_array_equal(ours(npgrad.tensor(x0)).numpy(), tm(torch.tensor(x0)).numpy())
