"""Photometric transforms: invert, posterize, solarize, sharpness, autocontrast, equalize,
gamma, Gaussian blur and LinearTransformation, against hand-computed references and Pillow."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image, ImageOps

import npgrad
import npgrad.data.transforms.functional as F
from npgrad.data import transforms as T


def _gen(seed: int) -> npgrad.random.Generator:
    return npgrad.random.Generator().manual_seed(seed)


def _np(x) -> np.ndarray:
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


def _hwc(x) -> np.ndarray:
    return _np(x).transpose(1, 2, 0)


@pytest.fixture
def u8(rgb_array) -> npgrad.Tensor:
    return npgrad.from_numpy(np.ascontiguousarray(rgb_array.transpose(2, 0, 1)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_invert_solarize_posterize_values(dtype):
    x = np.array([[[0.0, 0.25, 0.5, 1.0]]], dtype=dtype)
    inv = F.invert(npgrad.from_numpy(x))
    assert inv.dtype == npgrad.from_numpy(x).dtype
    np.testing.assert_array_equal(_np(inv), 1 - x)
    sol = F.solarize(npgrad.from_numpy(x), 0.5)
    np.testing.assert_array_equal(_np(sol), np.array([[[0.0, 0.25, 0.5, 0.0]]], dtype))
    u = np.array([[[0, 1, 127, 128, 200, 255]]], dtype=np.uint8)
    np.testing.assert_array_equal(_np(F.invert(npgrad.from_numpy(u))), 255 - u)
    np.testing.assert_array_equal(
        _np(F.posterize(npgrad.from_numpy(u), 3)), u // 32 * 32
    )  # 3 bits keep multiples of 2**5
    np.testing.assert_array_equal(_np(F.posterize(npgrad.from_numpy(u), 0)), 0 * u)
    np.testing.assert_array_equal(_np(F.posterize(npgrad.from_numpy(u), 8)), u)


def test_pixel_ops_match_pillow(rgb_image, u8):
    cases = [
        (F.invert, {}, ImageOps.invert),
        (F.posterize, {"bits": 3}, lambda im: ImageOps.posterize(im, 3)),
        (F.solarize, {"threshold": 100}, lambda im: ImageOps.solarize(im, 100)),
        (F.autocontrast, {}, ImageOps.autocontrast),
        (F.equalize, {}, ImageOps.equalize),
    ]
    for fn, kwargs, ref in cases:
        want = np.asarray(ref(rgb_image))
        np.testing.assert_array_equal(np.asarray(fn(rgb_image, **kwargs)), want)
        got = _hwc(fn(u8, **kwargs)).astype(int)
        assert np.abs(got - want).max() <= (1 if fn is F.autocontrast else 0), fn.__name__
    batch = npgrad.from_numpy(np.stack([_np(u8), _np(u8)[:, ::-1]]))
    out = F.equalize(batch)
    assert out.shape == (2, 3, 29, 37)
    np.testing.assert_array_equal(
        _np(out)[1], _np(F.equalize(npgrad.from_numpy(_np(u8)[:, ::-1].copy())))
    )


def test_equalize_against_numpy_histogram_equalization():
    rng = np.random.default_rng(3)
    chan = rng.integers(40, 90, (1, 30, 40)).astype(np.uint8)
    hist, _ = np.histogram(chan, bins=256, range=(0, 256))
    step = (hist[hist > 0][:-1].sum()) // 255
    cdf_before = np.concatenate([[0], np.cumsum(hist)[:-1]])  # pixels strictly below
    lut = np.minimum((cdf_before + step // 2) // step, 255)
    np.testing.assert_array_equal(_np(F.equalize(npgrad.from_numpy(chan))), lut[chan])
    flat = np.full((1, 4, 4), 9, np.uint8)
    np.testing.assert_array_equal(_np(F.equalize(npgrad.from_numpy(flat))), flat)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_autocontrast_float(dtype):
    rng = np.random.default_rng(0)
    x = rng.uniform(0.2, 0.7, (2, 3, 4, 5)).astype(dtype)
    x[0, 1] = 0.4  # a constant channel is left alone
    lo, hi = x.min(axis=(-2, -1), keepdims=True), x.max(axis=(-2, -1), keepdims=True)
    want = np.where(hi > lo, (x - lo) / np.where(hi > lo, hi - lo, 1), x)
    got = F.autocontrast(npgrad.from_numpy(x))
    assert got.dtype == npgrad.from_numpy(x).dtype and got.shape == x.shape
    np.testing.assert_allclose(_np(got), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adjust_sharpness_formula(dtype):
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (3, 5, 6)).astype(dtype)
    k = np.ones((3, 3)) / 13.0
    k[1, 1] = 5.0 / 13.0
    blurred = x.astype(np.float64).copy()
    for i in range(1, 4):
        for j in range(1, 5):
            blurred[:, i, j] = (x[:, i - 1 : i + 2, j - 1 : j + 2] * k).sum(axis=(-2, -1))
    for factor in (0.0, 0.5, 2.0):
        want = np.clip(factor * x + (1 - factor) * blurred, 0, 1)
        got = F.adjust_sharpness(npgrad.from_numpy(x), factor)
        assert got.dtype == npgrad.from_numpy(x).dtype
        np.testing.assert_allclose(_np(got), want, rtol=1e-5, atol=1e-6)
    tiny = npgrad.from_numpy(x[:, :2, :])
    assert F.adjust_sharpness(tiny, 3.0) is tiny


def test_adjust_sharpness_matches_pillow(rgb_image, u8):
    from PIL import ImageEnhance

    for factor in (0.3, 2.0):
        want = np.asarray(ImageEnhance.Sharpness(rgb_image).enhance(factor)).astype(int)
        got = _hwc(F.adjust_sharpness(u8, factor)).astype(int)
        assert np.abs(got - want).max() <= 1
        assert np.array_equal(np.asarray(F.adjust_sharpness(rgb_image, factor)), want)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adjust_gamma(dtype, rgb_image, u8):
    x = np.array([[[0.0, 0.25, 0.5, 1.0]]], dtype=dtype)
    got = F.adjust_gamma(npgrad.from_numpy(x), 2.0, gain=1.5)
    np.testing.assert_allclose(_np(got), np.clip(1.5 * x**2, 0, 1), rtol=1e-6)
    assert got.dtype == npgrad.from_numpy(x).dtype
    table = np.array([int(255.999 * (v / 255) ** 0.6) for v in range(256)])
    np.testing.assert_array_equal(
        np.asarray(F.adjust_gamma(rgb_image, 0.6)), table[np.asarray(rgb_image)]
    )
    assert (
        np.abs(_hwc(F.adjust_gamma(u8, 0.6)).astype(int) - table[np.asarray(rgb_image)]).max() <= 1
    )
    with pytest.raises(ValueError, match="non-negative"):
        F.adjust_gamma(u8, -1.0)


def test_gaussian_kernel_against_the_formula():
    img = np.zeros((1, 11, 13))
    img[0, 5, 6] = 1.0
    got = _np(F.gaussian_blur(npgrad.from_numpy(img), [5, 3], [1.3, 0.6]))

    def k1(n, s):
        w = np.array([math.exp(-((i - (n - 1) / 2) ** 2) / (2 * s * s)) for i in range(n)])
        return w / w.sum()

    want = np.outer(k1(3, 0.6), k1(5, 1.3))  # rows: y (kernel_size[1]), cols: x
    np.testing.assert_allclose(got[0, 4:7, 4:9], want, rtol=1e-12)
    assert got[0].sum() == pytest.approx(1.0)
    # default sigma = 0.15 * k + 0.35
    d = _np(F.gaussian_blur(npgrad.from_numpy(img), 3))
    np.testing.assert_allclose(d[0, 4:7, 5:8], np.outer(k1(3, 0.8), k1(3, 0.8)), rtol=1e-12)


def test_gaussian_blur_dtypes_pil_and_reflect(rgb_image, u8):
    x = np.array([[[0.0, 1.0, 0.0, 0.0]]], dtype=np.float32)
    got = F.gaussian_blur(npgrad.from_numpy(x), [3, 1], 1.0)
    assert got.dtype == npgrad.float32
    w = np.exp(-0.5 * np.array([1.0, 0.0, 1.0]))
    w /= w.sum()
    padded = np.array([1.0, 0.0, 1.0, 0.0, 0.0, 0.0])  # reflect: x[1], x..., x[-2]
    want = [padded[i : i + 3] @ w for i in range(4)]
    np.testing.assert_allclose(_np(got)[0, 0], want, rtol=1e-6)
    pil = F.gaussian_blur(rgb_image, 5, 1.5)
    assert pil.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(pil), _hwc(F.gaussian_blur(u8, 5, 1.5)))
    ref = F.gaussian_blur(F.convert_image_dtype(u8, npgrad.float64), 5, 1.5)
    assert np.abs(_np(F.gaussian_blur(u8, 5, 1.5)) - _np(ref) * 255).max() <= 0.51


def test_photometric_errors(u8):
    f = F.convert_image_dtype(u8, npgrad.float32)
    with pytest.raises(TypeError, match="Only uint8"):
        F.posterize(f, 2)
    with pytest.raises(TypeError, match="Only uint8"):
        F.equalize(f)
    with pytest.raises(ValueError, match="between 0 and 8"):
        F.posterize(u8, 9)
    with pytest.raises(TypeError, match="Threshold should be less than bound"):
        F.solarize(f, 2.0)
    with pytest.raises(ValueError, match="not non-negative"):
        F.adjust_sharpness(u8, -0.1)
    with pytest.raises(TypeError, match="at least 3 dimensions"):
        F.invert(npgrad.zeros(3, 3))
    with pytest.raises(TypeError, match="channel values are"):
        F.autocontrast(npgrad.zeros(2, 3, 3))
    with pytest.raises(ValueError, match="odd and positive"):
        F.gaussian_blur(u8, 4)
    with pytest.raises(TypeError, match="kernel_size should be int"):
        F.gaussian_blur(u8, 3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sigma should have positive values"):
        F.gaussian_blur(u8, 3, [1.0, 0.0])
    with pytest.raises(ValueError, match="its length should be 2"):
        F.gaussian_blur(u8, [3, 3, 3])


def test_random_photometric_transforms(u8, rgb_image):
    assert np.array_equal(_np(T.RandomInvert(1.0)(u8)), 255 - _np(u8))
    assert T.RandomInvert(0.0)(u8) is u8
    assert np.array_equal(_np(T.RandomPosterize(2, 1.0)(u8)), _np(u8) & 0xC0)
    assert np.array_equal(_np(T.RandomSolarize(128, 1.0)(u8)), _np(F.solarize(u8, 128)))
    assert np.array_equal(_np(T.RandomAutocontrast(1.0)(u8)), _np(F.autocontrast(u8)))
    assert np.array_equal(_np(T.RandomEqualize(1.0)(u8)), _np(F.equalize(u8)))
    sharp = T.RandomAdjustSharpness(2.0, 1.0)(rgb_image)
    assert np.array_equal(np.asarray(sharp), np.asarray(F.adjust_sharpness(rgb_image, 2.0)))
    kept = [T.RandomInvert(0.3, generator=_gen(i))(u8) is u8 for i in range(300)]
    assert 0.6 < np.mean(kept) < 0.8
    a = [T.GaussianBlur(5, (0.1, 3.0), generator=_gen(1))(u8) for _ in range(2)]
    assert np.array_equal(_np(a[0]), _np(a[1]))
    blur = T.GaussianBlur(5, (0.1, 3.0), generator=_gen(1))
    outs = [_np(blur(u8)) for _ in range(4)]
    assert not all(np.array_equal(outs[0], o) for o in outs[1:])
    sigma = T.GaussianBlur.get_params(0.1, 3.0, generator=_gen(1))
    assert np.array_equal(outs[0], _np(F.gaussian_blur(u8, 5, sigma)))
    assert repr(T.RandomPosterize(3)) == "RandomPosterize(bits=3,p=0.5)"
    assert repr(T.RandomSolarize(0.5, 0.2)) == "RandomSolarize(threshold=0.5,p=0.2)"
    assert repr(T.RandomAdjustSharpness(2)) == "RandomAdjustSharpness(sharpness_factor=2,p=0.5)"
    assert repr(T.RandomInvert()) == "RandomInvert(p=0.5)"
    assert repr(T.RandomAutocontrast(0.1)) == "RandomAutocontrast(p=0.1)"
    assert repr(T.GaussianBlur((3, 5), 1.0)) == "GaussianBlur(kernel_size=(3, 5), sigma=(1.0, 1.0))"
    with pytest.raises(ValueError, match="odd and positive"):
        T.GaussianBlur(4)
    with pytest.raises(ValueError, match="must be positive"):
        T.GaussianBlur(3, 0.0)
    with pytest.raises(ValueError, match=r"\(min, max\)"):
        T.GaussianBlur(3, (2.0, 1.0))
    with pytest.raises(ValueError, match="length 2"):
        T.GaussianBlur(3, (1.0, 2.0, 3.0))


def test_linear_transformation():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 2, 3, 2))
    m = rng.normal(size=(12, 12))
    mean = rng.normal(size=12)
    t = T.LinearTransformation(npgrad.from_numpy(m), npgrad.from_numpy(mean))
    got = t(npgrad.from_numpy(x))
    want = ((x.reshape(4, 12) - mean) @ m).reshape(x.shape)
    assert got.shape == x.shape
    np.testing.assert_allclose(_np(got), want, rtol=1e-12)
    small = T.LinearTransformation(npgrad.eye(2), npgrad.zeros(2))
    assert repr(small) == (
        "LinearTransformation(transformation_matrix=[[1.0, 0.0], [0.0, 1.0]], "
        "mean_vector=[0.0, 0.0])"
    )
    with pytest.raises(ValueError, match="should be square"):
        T.LinearTransformation(npgrad.zeros(2, 3), npgrad.zeros(2))
    with pytest.raises(ValueError, match="mean_vector should have the same length"):
        T.LinearTransformation(npgrad.zeros(2, 2), npgrad.zeros(3))
    with pytest.raises(ValueError, match="incompatible shape"):
        t(npgrad.zeros(1, 2, 2))
    with pytest.raises(TypeError, match="should be a Tensor"):
        t(Image.new("L", (2, 6)))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_blur_and_sharpness_match_torch_conv2d(rgb_array, dtype):
    torch = pytest.importorskip("torch")
    from npgrad.data.transforms._photometric import gaussian_kernel1d

    x = (rgb_array.transpose(2, 0, 1) / 255.0).astype(dtype)
    tx = torch.from_numpy(x)[None]
    kx = torch.from_numpy(gaussian_kernel1d(5, 1.2, np.float64))
    ky = torch.from_numpy(gaussian_kernel1d(3, 0.7, np.float64))
    kernel = (ky[:, None] * kx[None, :]).to(tx.dtype).expand(3, 1, 3, 5)
    padded = torch.nn.functional.pad(tx, [2, 2, 1, 1], mode="reflect")
    want = torch.nn.functional.conv2d(padded, kernel, groups=3)[0].numpy()
    got = _np(F.gaussian_blur(npgrad.from_numpy(x), [5, 3], [1.2, 0.7]))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    smooth = torch.ones(3, 1, 3, 3, dtype=tx.dtype)
    smooth[:, :, 1, 1] = 5.0
    blurred = tx.clone()
    blurred[..., 1:-1, 1:-1] = torch.nn.functional.conv2d(tx, smooth / 13.0, groups=3)
    want = (1.7 * tx + (1 - 1.7) * blurred).clamp(0, 1)[0].numpy()
    got = _np(F.adjust_sharpness(npgrad.from_numpy(x), 1.7))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
