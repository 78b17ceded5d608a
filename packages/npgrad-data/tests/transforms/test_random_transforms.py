"""Random transforms: reproducible for a seed, the documented distributions and validation
(the pixel-value ones are also in test_random_appearance.py)."""

from __future__ import annotations

import collections
import math
import multiprocessing

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


@pytest.mark.parametrize(
    "make",
    [
        lambda g: T.RandomCrop(12, padding=2, generator=g),
        lambda g: T.RandomResizedCrop(10, generator=g),
        lambda g: T.RandomRotation(30, generator=g),
        lambda g: T.ColorJitter(0.4, 0.4, 0.4, 0.2, generator=g),
        lambda g: T.RandomHorizontalFlip(generator=g),
        lambda g: T.RandomVerticalFlip(generator=g),
        lambda g: T.RandomGrayscale(0.5, generator=g),
        lambda g: T.RandomApply([T.RandomCrop(20, generator=g)], generator=g),
        lambda g: T.RandomChoice([T.CenterCrop(9), T.Resize(9)], generator=g),
        lambda g: T.RandomOrder([T.CenterCrop(9), T.Resize(12)], generator=g),
    ],
)
@pytest.mark.parametrize("as_tensor", [False, True])
def test_random_transforms_repeat_for_a_seed_and_vary_across_draws(rgb_image, make, as_tensor):
    img = F.to_tensor(rgb_image) if as_tensor else rgb_image
    run = [make(_gen(5))(img) for _ in range(2)]
    assert _same(*run)
    t = make(_gen(5))
    outs = [t(img) for _ in range(12)]
    assert not all(_same(outs[0], o) for o in outs[1:])


def test_numpy_and_default_generators_are_accepted(rgb_image):
    flip = T.RandomHorizontalFlip(generator=np.random.default_rng(0))
    again = T.RandomHorizontalFlip(generator=np.random.default_rng(0))
    assert [_same(flip(rgb_image), again(rgb_image)) for _ in range(6)] == [True] * 6
    crop = T.RandomCrop(8)
    npgrad.random.manual_seed(9)
    a = crop(rgb_image)
    npgrad.random.manual_seed(9)
    assert _same(a, crop(rgb_image))
    with pytest.raises(TypeError, match="generator must be"):
        T.RandomCrop(8, generator=1)


def test_flips_honour_p(rgb_image):
    t = F.to_tensor(rgb_image)
    assert _same(T.RandomHorizontalFlip(1.0)(t), F.hflip(t))
    assert T.RandomHorizontalFlip(0.0)(t) is t
    assert _same(T.RandomVerticalFlip(1.0)(rgb_image), F.vflip(rgb_image))
    gray = T.RandomGrayscale(1.0)(rgb_image)
    assert gray.mode == "RGB" and _same(
        np.asarray(gray)[..., 0], np.asarray(rgb_image.convert("L"))
    )
    assert T.RandomGrayscale(1.0)(t).shape == (3, 29, 37)
    flips = [_same(T.RandomHorizontalFlip(0.3, generator=_gen(i))(t), t) for i in range(400)]
    assert 0.62 < np.mean(flips) < 0.78  # kept with probability 0.7
    assert repr(T.RandomHorizontalFlip(0.3)) == "RandomHorizontalFlip(p=0.3)"


def test_random_crop_crops_where_get_params_says(rgb_image):
    i, j, h, w = T.RandomCrop.get_params(rgb_image, (10, 12), generator=_gen(3))
    out = T.RandomCrop((10, 12), generator=_gen(3))(rgb_image)
    assert _same(out, F.crop(rgb_image, i, j, h, w))
    assert 0 <= i <= 29 - 10 and 0 <= j <= 37 - 12 and (h, w) == (10, 12)
    assert T.RandomCrop.get_params(rgb_image, (29, 37)) == (0, 0, 29, 37)
    seen = {T.RandomCrop.get_params(rgb_image, (28, 36), generator=_gen(s))[:2] for s in range(60)}
    assert seen == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_random_crop_padding_and_pad_if_needed(rgb_image):
    assert T.RandomCrop(33, padding=2)(rgb_image).size == (33, 33)
    # pad_if_needed pads both sides by the shortfall (torchvision's rule), so the crop can move
    small = Image.new("L", (4, 3), 255)
    out = T.RandomCrop((6, 5), pad_if_needed=True, fill=9, generator=_gen(0))(small)
    assert out.size == (5, 6)
    corners = {
        T.RandomCrop.get_params(F.pad(small, [1, 3]), (6, 5), generator=_gen(s)) for s in range(40)
    }
    assert len(corners) > 1
    t = T.RandomCrop(40, pad_if_needed=True, padding_mode="edge")(F.to_tensor(rgb_image))
    assert t.shape == (3, 40, 40)
    with pytest.raises(
        ValueError,
        match=r"Required crop size \(40, 40\) is larger than input image size \(29, 37\)",
    ):
        T.RandomCrop(40)(rgb_image)
    assert repr(T.RandomCrop(4, padding=1)) == "RandomCrop(size=(4, 4), padding=1)"


def test_random_resized_crop_params_respect_scale_and_ratio(rgb_image):
    area = 29 * 37
    for s in range(100):
        i, j, h, w = T.RandomResizedCrop.get_params(
            rgb_image, (0.2, 0.6), (0.5, 2.0), generator=_gen(s)
        )
        assert 0 <= i <= 29 - h and 0 <= j <= 37 - w
        # rounding h and w moves area and ratio a little off the drawn values
        assert 0.2 * area * 0.8 <= h * w <= 0.6 * area * 1.2
        assert 0.5 * 0.75 <= w / h <= 2.0 / 0.75
    assert T.RandomResizedCrop(8, generator=_gen(0))(rgb_image).size == (8, 8)


def test_random_resized_crop_falls_back_to_a_central_crop():
    img = Image.new("L", (100, 20))
    # no window of ratio 1 and 90-100% of the area fits: ratio clamps to 1 -> 20 x 20, centred
    assert T.RandomResizedCrop.get_params(img, (0.9, 1.0), (1.0, 1.0), generator=_gen(0)) == (
        0,
        40,
        20,
        20,
    )
    tall = Image.new("L", (20, 100))
    assert T.RandomResizedCrop.get_params(tall, (0.9, 1.0), (1.0, 1.0)) == (40, 0, 20, 20)
    square = Image.new("L", (30, 30))
    assert T.RandomResizedCrop.get_params(square, (2.0, 2.0), (0.5, 2.0)) == (0, 0, 30, 30)


def test_random_resized_crop_validates_and_warns():
    with pytest.raises(TypeError, match="Scale should be a sequence"):
        T.RandomResizedCrop(4, scale=0.5)
    with pytest.raises(TypeError, match="Ratio should be a sequence"):
        T.RandomResizedCrop(4, ratio=1.0)
    with pytest.warns(UserWarning, match=r"Scale and ratio should be of kind \(min, max\)"):
        T.RandomResizedCrop(4, scale=(0.9, 0.1))
    assert repr(T.RandomResizedCrop(4)) == (
        "RandomResizedCrop(size=(4, 4), scale=(0.08, 1.0), ratio=(0.75, 1.3333), "
        "interpolation=bilinear, antialias=True)"
    )


def test_random_rotation_draws_the_angle_from_degrees(rgb_image):
    angles = [T.RandomRotation.get_params([-10, 20], generator=_gen(s)) for s in range(200)]
    assert min(angles) >= -10 and max(angles) < 20 and np.std(angles) > 5
    fixed = T.RandomRotation((33, 33), fill=(1, 2, 3))(rgb_image)
    assert _same(fixed, F.rotate(rgb_image, 33, fill=(1, 2, 3)))
    t = F.to_tensor(rgb_image)
    assert _same(T.RandomRotation((45, 45), fill=1)(t), F.rotate(t, 45, fill=[1.0, 1.0, 1.0]))
    assert T.RandomRotation(10).degrees == [-10.0, 10.0]
    assert repr(T.RandomRotation(10)) == (
        "RandomRotation(degrees=[-10.0, 10.0], interpolation=nearest, expand=False, fill=0)"
    )
    with pytest.raises(ValueError, match="If degrees is a single number, it must be positive"):
        T.RandomRotation(-5)
    with pytest.raises(ValueError, match="degrees should be a sequence of length 2"):
        T.RandomRotation([1, 2, 3])
    with pytest.raises(TypeError, match="center should be a sequence of length 2"):
        T.RandomRotation(5, center=3)
    with pytest.raises(TypeError, match="Fill should be either a sequence or a number"):
        T.RandomRotation(5, fill="white")


def test_random_apply_choice_and_order():
    add = [lambda x: x + 1, lambda x: x * 10]
    applied = [T.RandomApply(add, p=0.25, generator=_gen(s))(1) for s in range(400)]
    assert set(applied) == {1, 20} and 0.18 < applied.count(20) / 400 < 0.32
    picks = collections.Counter(
        T.RandomChoice(add, p=[1, 3], generator=_gen(s))(1) for s in range(400)
    )
    assert set(picks) == {2, 10} and 0.68 < picks[10] / 400 < 0.82
    uniform = collections.Counter(T.RandomChoice(add, generator=_gen(s))(1) for s in range(400))
    assert 0.4 < uniform[2] / 400 < 0.6
    orders = collections.Counter(T.RandomOrder(add, generator=_gen(s))(1) for s in range(400))
    assert set(orders) == {11, 20}  # (1 + 1) * 10 or 1 * 10 + 1
    with pytest.raises(TypeError, match="Argument p should be a sequence"):
        T.RandomChoice(add, p=0.5)
    with pytest.raises(ValueError, match="Length of p doesn't match"):
        T.RandomChoice(add, p=[1.0])
    assert "p=0.25" in repr(T.RandomApply(add, p=0.25))


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the dataset is a local class"
)
def test_random_transforms_in_dataloader_workers_differ_by_worker_and_repeat_by_seed():
    from npgrad.data import DataLoader, Dataset

    class Crops(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return T.RandomCrop(3)(npgrad.arange(100.0).reshape(1, 10, 10))

    def run(seed):
        loader = DataLoader(
            Crops(),
            batch_size=2,
            num_workers=2,
            generator=_gen(seed),
            timeout=30,
            multiprocessing_context="fork",
        )
        return [b.numpy().copy() for b in loader]

    a, b = run(1), run(1)
    assert all((x == y).all() for x, y in zip(a, b))
    assert not (a[0] == a[1]).all()  # worker 0's and worker 1's crops differ
    assert math.isfinite(float(a[0].sum()))
