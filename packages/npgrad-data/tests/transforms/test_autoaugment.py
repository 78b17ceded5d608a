"""AutoAugment, RandAugment, TrivialAugmentWide and AugMix: policy tables, magnitude bins,
signs, the op each name applies, reproducibility, reprs and validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

import npgrad
import npgrad.data.transforms.functional as F
from npgrad.data import transforms as T
from npgrad.data.transforms import autoaugment as AA


def _gen(seed: int) -> npgrad.random.Generator:
    return npgrad.random.Generator().manual_seed(seed)


def _np(x) -> np.ndarray:
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


@pytest.fixture
def u8(rgb_array) -> npgrad.Tensor:
    return npgrad.from_numpy(np.ascontiguousarray(rgb_array.transpose(2, 0, 1)))


OPS = {"ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color",
       "Contrast", "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize", "Invert"}  # fmt: skip


def test_policy_tables():
    for policy in T.AutoAugmentPolicy:
        table = AA._POLICIES[policy]
        assert len(table) == 25 and all(len(sub) == 2 for sub in table)
        for name, p, magnitude in (op for sub in table for op in sub):
            assert name in OPS and 0.0 <= p <= 1.0
            assert (magnitude is None) == (name in {"AutoContrast", "Equalize", "Invert"})
            assert magnitude is None or 0 <= magnitude <= 9
    assert AA._POLICIES[T.AutoAugmentPolicy.IMAGENET][0] == (
        ("Posterize", 0.4, 8),
        ("Rotate", 0.6, 9),
    )
    assert AA._POLICIES[T.AutoAugmentPolicy.CIFAR10][1] == (
        ("Rotate", 0.7, 2),
        ("TranslateX", 0.3, 9),
    )
    assert AA._POLICIES[T.AutoAugmentPolicy.SVHN][-1] == (("ShearX", 0.7, 2), ("Invert", 0.1, None))
    assert T.AutoAugmentPolicy("cifar10") is T.AutoAugmentPolicy.CIFAR10


def test_magnitude_bins():
    space = AA._randaugment_space(10, 331, 662, identity=True)
    assert list(space)[0] == "Identity" and "Invert" not in space
    assert space["Posterize"][0].tolist() == [8, 8, 7, 7, 6, 6, 5, 5, 4, 4]
    np.testing.assert_allclose(space["TranslateX"][0][-1], 150.0, rtol=1e-6)
    np.testing.assert_allclose(space["TranslateY"][0][-1], 300.0, rtol=1e-6)
    np.testing.assert_allclose(space["Solarize"][0], np.linspace(1, 0, 10), rtol=1e-6)
    np.testing.assert_allclose(space["Rotate"][0], np.linspace(0, 30, 10), rtol=1e-6)
    assert [k for k, (_, s) in space.items() if s] == [
        "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color",
        "Contrast", "Sharpness",
    ]  # fmt: skip
    wide = T.TrivialAugmentWide.augmentation_space(31)
    assert (
        wide["Posterize"][0].tolist()[:7] == [8, 8, 8, 7, 7, 7, 7] and wide["Posterize"][0][-1] == 2
    )
    np.testing.assert_allclose(wide["Rotate"][0][-1], 135.0)
    np.testing.assert_allclose(wide["ShearX"][0][-1], 0.99, rtol=1e-6)
    np.testing.assert_allclose(wide["TranslateY"][0][-1], 32.0)
    mix = T.AugMix(all_ops=False).augmentation_space(10, 30, 60)
    assert mix["Posterize"][0].tolist() == [4, 4, 3, 3, 2, 2, 1, 1, 0, 0]
    np.testing.assert_allclose(mix["TranslateX"][0][-1], 20.0)  # width / 3
    assert "Brightness" not in mix and "Brightness" in T.AugMix().augmentation_space(10, 30, 60)


def test_apply_op_meanings(u8, rgb_image):
    mode = F.InterpolationMode.NEAREST
    sheared = AA._apply_op(u8, "ShearX", 0.3, mode, None)
    want = F.affine(u8, 0.0, [0, 0], 1.0, [math.degrees(math.atan(0.3)), 0.0], center=[0, 0])
    assert np.array_equal(_np(sheared), _np(want))
    # a shear about the top-left corner moves row y by -0.3 * y pixels: row 0 is unchanged
    assert np.array_equal(_np(sheared)[:, 0], _np(u8)[:, 0])
    moved = AA._apply_op(u8, "TranslateY", -4.7, mode, [0.0, 0.0, 0.0])
    assert np.array_equal(_np(moved)[:, :-4], _np(u8)[:, 4:])
    assert np.array_equal(
        _np(AA._apply_op(u8, "Brightness", -0.5, mode, None)), _np(F.adjust_brightness(u8, 0.5))
    )
    assert np.array_equal(
        _np(AA._apply_op(u8, "Solarize", 0.5, mode, None)), _np(F.solarize(u8, 127.5))
    )
    solar = AA._apply_op(rgb_image, "Solarize", 0.5, mode, None)
    assert np.array_equal(np.asarray(solar), np.asarray(F.solarize(rgb_image, 127.5)))
    f = F.convert_image_dtype(u8, npgrad.float32)
    assert np.array_equal(
        _np(AA._apply_op(f, "Solarize", 0.5, mode, None)), _np(F.solarize(f, 0.5))
    )
    assert np.array_equal(_np(AA._apply_op(u8, "Posterize", 3.0, mode, None)), _np(u8) & 0xE0)
    assert AA._apply_op(u8, "Identity", 0.0, mode, None) is u8
    with pytest.raises(ValueError, match="not recognized"):
        AA._apply_op(u8, "Blur", 0.0, mode, None)


def test_autoaugment_applies_the_drawn_sub_policy(u8):
    for seed in range(8):
        got = T.AutoAugment(T.AutoAugmentPolicy.SVHN, generator=_gen(seed))(u8)
        pid, probs, signs = T.AutoAugment.get_params(25, generator=_gen(seed))
        space = AA._randaugment_space(10, 37, 29, identity=False)
        want = u8
        for i, (name, p, index) in enumerate(AA._POLICIES[T.AutoAugmentPolicy.SVHN][pid]):
            if probs[i] <= p:
                bins, signed = space.get(name, (None, False))
                mag = 0.0 if bins is None else float(bins[index])
                mag = -mag if signed and signs[i] == 0 else mag
                want = AA._apply_op(want, name, mag, F.InterpolationMode.NEAREST, None)
        assert np.array_equal(_np(got), _np(want))


@pytest.mark.parametrize(
    "make",
    [
        lambda g: T.AutoAugment(generator=g),
        lambda g: T.AutoAugment(T.AutoAugmentPolicy.CIFAR10, fill=128, generator=g),
        lambda g: T.RandAugment(generator=g),
        lambda g: T.RandAugment(3, 20, fill=[1, 2, 3], generator=g),
        lambda g: T.TrivialAugmentWide(generator=g),
        lambda g: T.AugMix(generator=g),
        lambda g: T.AugMix(severity=8, chain_depth=2, all_ops=False, generator=g),
    ],
)
@pytest.mark.parametrize("as_tensor", [False, True])
def test_policies_repeat_for_a_seed_and_vary(rgb_image, u8, make, as_tensor):
    img = u8 if as_tensor else rgb_image
    a, b = make(_gen(11))(img), make(_gen(11))(img)
    assert type(a) is type(img) and np.array_equal(_np(a), _np(b))
    t = make(_gen(12))
    outs = [_np(t(img)) for _ in range(8)]
    assert not all(np.array_equal(outs[0], o) for o in outs[1:])
    if as_tensor:
        assert a.dtype == npgrad.uint8 and a.shape == u8.shape
        batch = npgrad.from_numpy(np.stack([_np(u8), _np(u8)]))
        assert make(_gen(3))(batch).shape == (2, 3, 29, 37)


def test_augmix_is_a_convex_mix(u8):
    zero = npgrad.zeros(3, 8, 8, dtype=npgrad.uint8)
    for seed in range(5):  # every AugMix op keeps a black image black
        assert (_np(T.AugMix(generator=_gen(seed))(zero)) == 0).all()
    x = F.convert_image_dtype(u8, npgrad.float64)
    out = _np(T.AugMix(generator=_gen(1))(x))
    assert (
        out.dtype == np.float64 and out.min() >= 0.0 and out.max() <= 1.0 + 1e-6
    )  # float32 weights


def test_reprs_and_errors():
    assert repr(T.AutoAugment(T.AutoAugmentPolicy.SVHN, fill=1)) == (
        "AutoAugment(policy=AutoAugmentPolicy.SVHN, fill=1)"
    )
    assert repr(T.TrivialAugmentWide(15, fill=[1])) == (
        "TrivialAugmentWide(num_magnitude_bins=15, interpolation=InterpolationMode.NEAREST, "
        "fill=[1])"
    )
    assert repr(T.AugMix()) == (
        "AugMix(severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=True, "
        "interpolation=InterpolationMode.BILINEAR, fill=None)"
    )
    with pytest.raises(ValueError, match="policy"):
        T.AutoAugment("imagenet")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"severity must be between \[1, 10\]"):
        T.AugMix(severity=11)
    with pytest.raises(ValueError, match="magnitude"):
        T.RandAugment(magnitude=31)
    with pytest.raises(TypeError, match="generator must be"):
        T.TrivialAugmentWide(generator=3)
    with pytest.raises(TypeError, match="Only uint8"):
        AA._apply_op(npgrad.zeros(3, 4, 4), "Equalize", 0.0, F.InterpolationMode.NEAREST, None)
    assert isinstance(T.AugMix()(Image.new("RGB", (6, 6), (9, 99, 199))), Image.Image)


def test_augmix_mixing_formula_replayed_from_the_generator(u8):
    x = u8  # uint8, as torchvision requires (Posterize and Equalize)
    t = T.AugMix(severity=5, mixture_width=2, chain_depth=1, generator=np.random.default_rng(7))
    got = _np(t(x))
    g = np.random.default_rng(7)  # replay the same draws, in the documented order
    rng = np.random.default_rng(int(g.integers(0, 1 << 63)))
    m = rng.dirichlet([1.0, 1.0]).astype(np.float32)
    w = rng.dirichlet([1.0, 1.0]).astype(np.float32) * m[1]
    space = t.augmentation_space(10, 29, 37)
    want = m[0] * _np(x).astype(np.float32)
    for i in range(2):
        name = list(space)[int(g.integers(0, len(space)))]
        bins, signed = space[name]
        mag = 0.0 if bins is None else float(bins[int(g.integers(0, 5))])
        if signed and int(g.integers(0, 2)) == 1:
            mag = -mag
        aug = AA._apply_op(x, name, mag, F.InterpolationMode.BILINEAR, None)
        want = want + w[i] * _np(aug).astype(np.float32)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, want.astype(np.uint8))  # truncated, as torch's .to()
