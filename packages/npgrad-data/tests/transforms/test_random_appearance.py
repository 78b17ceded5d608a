"""ColorJitter, RandomGrayscale and RandomErasing (RandomMask): ranges, draws, validation."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import npgrad
import npgrad.data.transforms.functional as F
from npgrad.data import transforms as T


def _gen(seed: int) -> npgrad.random.Generator:
    return npgrad.random.Generator().manual_seed(seed)


def _same(a, b) -> bool:
    a = a.numpy() if hasattr(a, "numpy") else np.asarray(a)
    b = b.numpy() if hasattr(b, "numpy") else np.asarray(b)
    return a.shape == b.shape and bool((a == b).all())


def test_random_grayscale_keeps_the_channel_count(rgb_image):
    gray = T.RandomGrayscale(1.0)(rgb_image)
    assert gray.mode == "RGB" and _same(
        np.asarray(gray)[..., 0], np.asarray(rgb_image.convert("L"))
    )
    t = F.to_tensor(rgb_image)
    assert T.RandomGrayscale(1.0)(t).shape == (3, 29, 37)
    assert T.RandomGrayscale(0.0)(t) is t
    assert repr(T.RandomGrayscale()) == "RandomGrayscale(p=0.1)"


def test_color_jitter_ranges_follow_torchvision():
    j = T.ColorJitter(brightness=0.5, contrast=(0.2, 0.8), saturation=1.5, hue=0.1)
    assert j.brightness == (0.5, 1.5) and j.contrast == (0.2, 0.8)
    assert j.saturation == (0.0, 2.5) and j.hue == (-0.1, 0.1)
    assert T.ColorJitter().brightness is None and T.ColorJitter(hue=0).hue is None
    with pytest.raises(
        ValueError, match="If brightness is a single number, it must be non negative"
    ):
        T.ColorJitter(brightness=-0.1)
    with pytest.raises(ValueError, match=r"hue values should be between \(-0.5, 0.5\)"):
        T.ColorJitter(hue=0.7)
    with pytest.raises(
        TypeError, match="contrast should be a single number or a list/tuple with length 2"
    ):
        T.ColorJitter(contrast=[1, 2, 3])


def test_color_jitter_applies_the_drawn_factors_in_the_drawn_order(rgb_image):
    j = T.ColorJitter(0.5, 0.5, 0.5, 0.1, generator=_gen(8))
    order, b, c, s, h = T.ColorJitter.get_params(
        j.brightness, j.contrast, j.saturation, j.hue, generator=_gen(8)
    )
    assert sorted(order) == [0, 1, 2, 3]
    assert 0.5 <= b < 1.5 and 0.5 <= c < 1.5 and 0.5 <= s < 1.5 and -0.1 <= h < 0.1
    expected = rgb_image
    ops = {
        0: (F.adjust_brightness, b),
        1: (F.adjust_contrast, c),
        2: (F.adjust_saturation, s),
        3: (F.adjust_hue, h),
    }
    for k in order:
        fn, factor = ops[k]
        expected = fn(expected, factor)
    assert _same(j(rgb_image), expected)
    none = T.ColorJitter(brightness=0.2)
    assert none.get_params(None, None, None, None)[1:] == (None, None, None, None)


def test_random_erasing_erases_one_rectangle_of_the_requested_size():
    img = npgrad.ones(3, 20, 30)
    for s in range(20):
        out = T.RandomErasing(p=1.0, scale=(0.1, 0.1), ratio=(0.5, 2.0), generator=_gen(s))(img)
        zero = out.numpy()[0] == 0
        rows, cols = np.nonzero(zero.any(1))[0], np.nonzero(zero.any(0))[0]
        h, w = len(rows), len(cols)
        assert zero.sum() == h * w  # one rectangle, the same in every channel
        assert (out.numpy() == 0).sum() == 3 * h * w
        assert abs(h * w - 60) <= 12 and 0.5 * 0.8 <= h / w <= 2.0 * 1.25
    assert img.numpy().min() == 1.0  # not in place


def test_random_erasing_values_probability_and_inplace():
    img = npgrad.zeros(2, 10, 10)
    per_channel = T.RandomErasing(p=1.0, value=[3.0, 4.0], generator=_gen(1))(img).numpy()
    assert set(np.unique(per_channel[0])) == {0.0, 3.0} and set(np.unique(per_channel[1])) == {
        0.0,
        4.0,
    }
    noise = T.RandomErasing(p=1.0, value="random", generator=_gen(1))(img).numpy()
    assert np.unique(noise).size > 10
    assert T.RandomErasing(p=0.0)(img) is img
    target = npgrad.zeros(1, 10, 10)
    out = T.RandomErasing(p=1.0, value=5, inplace=True, generator=_gen(2))(target)
    assert out is target and target.numpy().max() == 5.0
    too_big = npgrad.ones(1, 4, 4)
    assert T.RandomErasing(p=1.0, scale=(0.99, 1.0), ratio=(1.0, 1.0))(too_big) is too_big
    assert T.RandomMask is T.RandomErasing  # nptorch's name


def test_random_erasing_validates():
    with pytest.raises(TypeError, match="apply it after ToTensor"):
        T.RandomErasing()(Image.new("L", (4, 4)))
    with pytest.raises(ValueError, match="If value is str, it should be 'random'"):
        T.RandomErasing(value="noise")
    with pytest.raises(
        TypeError, match="Argument value should be either a number or str or a sequence"
    ):
        T.RandomErasing(value=None)
    with pytest.raises(ValueError, match="Scale should be between 0 and 1"):
        T.RandomErasing(scale=(0.5, 1.5))
    with pytest.raises(ValueError, match="Random erasing probability should be between 0 and 1"):
        T.RandomErasing(p=2)
    with pytest.warns(UserWarning, match="Scale and ratio"):
        T.RandomErasing(ratio=(3, 1))
    with pytest.raises(
        ValueError, match=r"either a single value or 3 \(number of input channels\)"
    ):
        T.RandomErasing(p=1.0, value=[1.0, 2.0])(npgrad.zeros(3, 8, 8))
