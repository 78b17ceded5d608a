"""Affine and perspective warps, five/ten crops and their transforms: pixel-by-pixel against
inverse-mapped coordinates, PIL against tensor, seeds, validation and reprs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

import npgrad
import npgrad.data.transforms.functional as F
from npgrad.data import transforms as T

NEAREST, BILINEAR = F.InterpolationMode.NEAREST, F.InterpolationMode.BILINEAR


def _gen(seed: int) -> npgrad.random.Generator:
    return npgrad.random.Generator().manual_seed(seed)


def _np(x) -> np.ndarray:
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


def _forward_matrix(angle, translate, scale, shear, center):
    """out = A @ (in - c) + c + t as a 3x3 matrix, built from the factors R * S * SHy * SHx."""
    a, sx, sy = (math.radians(v) for v in (angle, shear[0], shear[1]))
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    shy = np.array([[1.0, 0.0], [-math.tan(sy), 1.0]])
    shx = np.array([[1.0, -math.tan(sx)], [0.0, 1.0]])
    lin = scale * rot @ shy @ shx
    m = np.eye(3)
    m[:2, :2] = lin
    m[:2, 2] = np.asarray(center) + np.asarray(translate) - lin @ np.asarray(center)
    return m


def _sample_nearest(img: np.ndarray, inv: np.ndarray) -> np.ndarray:
    """Each output pixel takes the input pixel nearest to inv @ (x, y, 1); 0 outside."""
    c, h, w = img.shape
    out = np.zeros_like(img)
    for y in range(h):
        for x in range(w):
            px, py, _ = inv @ np.array([x, y, 1.0])
            xi, yi = int(np.floor(px + 0.5)), int(np.floor(py + 0.5))
            if 0 <= xi < w and 0 <= yi < h:
                out[:, y, x] = img[:, yi, xi]
    return out


def _sample_bilinear(img: np.ndarray, inv: np.ndarray) -> np.ndarray:
    c, h, w = img.shape
    out = np.zeros(img.shape)
    for y in range(h):
        for x in range(w):
            px, py, _ = inv @ np.array([x, y, 1.0])
            x0, y0 = math.floor(px), math.floor(py)
            for yy in (y0, y0 + 1):
                for xx in (x0, x0 + 1):
                    if 0 <= xx < w and 0 <= yy < h:
                        wgt = (1 - abs(px - xx)) * (1 - abs(py - yy))
                        out[:, y, x] += wgt * img[:, yy, xx]
    return out


@pytest.fixture
def small() -> np.ndarray:
    return np.random.default_rng(1).integers(1, 255, (2, 7, 9)).astype(np.float64)


@pytest.mark.parametrize(
    ("angle", "translate", "scale", "shear"),
    [(0.0, [2, -1], 1.0, [0.0, 0.0]), (33.0, [1, 0], 1.1, [0.0, 0.0]),
     (-20.0, [0, 1], 0.9, [12.0, 0.0]), (17.0, [-1, 2], 1.3, [8.0, -6.0])],
)  # fmt: skip
def test_affine_tensor_matches_inverse_mapped_pixels(small, angle, translate, scale, shear):
    _, h, w = small.shape
    fwd = _forward_matrix(angle, translate, scale, shear, ((w - 1) / 2, (h - 1) / 2))
    inv = np.linalg.inv(fwd)
    out = F.affine(npgrad.from_numpy(small), angle, translate, scale, shear)
    np.testing.assert_array_equal(_np(out), _sample_nearest(small, inv))
    out = F.affine(npgrad.from_numpy(small), angle, translate, scale, shear, BILINEAR)
    np.testing.assert_allclose(_np(out), _sample_bilinear(small, inv), atol=1e-9)


def test_affine_center_dtypes_and_batches(small):
    # center is in pixel-corner coordinates (as for PIL): pixel index (1.5, 4.5)
    fwd = _forward_matrix(25.0, [0, 0], 1.0, [0.0, 0.0], (1.5, 4.5))
    want = _sample_nearest(small, np.linalg.inv(fwd))
    got = F.affine(npgrad.from_numpy(small), 25.0, [0, 0], 1.0, 0.0, center=[2, 5])
    np.testing.assert_array_equal(_np(got), want)
    as_u8 = npgrad.from_numpy(small.astype(np.uint8))
    got8 = F.affine(as_u8, 25.0, [0, 0], 1.0, 0.0, center=[2, 5])
    assert got8.dtype == npgrad.uint8
    np.testing.assert_array_equal(_np(got8), want.astype(np.uint8))
    got32 = F.affine(npgrad.from_numpy(small.astype(np.float32)), 25.0, [0, 0], 1.0, 0.0)
    assert got32.dtype == npgrad.float32
    batch = npgrad.from_numpy(np.stack([small, small[::-1]]))
    out = F.affine(batch, 40.0, [1, 1], 1.2, 5.0, BILINEAR)
    assert out.shape == (2, 2, 7, 9)
    one = F.affine(npgrad.from_numpy(small[::-1].copy()), 40.0, [1, 1], 1.2, 5.0, BILINEAR)
    np.testing.assert_allclose(_np(out)[1], _np(one))


def test_affine_fill_and_rotation_direction():
    img = np.arange(1, 10, dtype=np.float64).reshape(1, 3, 3)
    out = _np(F.affine(npgrad.from_numpy(img), 90.0, [0, 0], 1.0, 0.0))
    np.testing.assert_array_equal(out[0], np.rot90(img[0], -1))  # clockwise on screen
    shifted = _np(F.affine(npgrad.from_numpy(img), 0.0, [1, 0], 1.0, 0.0, fill=[7.0]))
    np.testing.assert_array_equal(shifted[0], [[7, 1, 2], [7, 4, 5], [7, 7, 8]])
    pil = F.affine(Image.fromarray(img[0].astype(np.uint8)), 0.0, [1, 0], 1.0, 0.0, fill=7)
    np.testing.assert_array_equal(np.asarray(pil), shifted[0])


def test_affine_pil_matches_tensor(rgb_image):
    arr = F.pil_to_tensor(rgb_image)
    for kwargs in [
        {"angle": 30.0, "translate": [2, 1], "scale": 1.2, "shear": [10.0, 5.0]},
        {"angle": -45.0, "translate": [0, 0], "scale": 0.8, "shear": 0.0, "center": [5, 7]},
    ]:
        pil = np.asarray(F.affine(rgb_image, **kwargs)).transpose(2, 0, 1)
        ten = _np(F.affine(arr, **kwargs))
        # only rounding ties of the nearest pixel may differ (PIL floors x + 0.5)
        assert (pil != ten).mean() < 0.03
    # bilinear: PIL does not blend with the outside, so compare the interior only
    kwargs = {"angle": 20.0, "translate": [1, 1], "scale": 0.9, "shear": [4.0, 0.0]}
    pil = np.asarray(F.affine(rgb_image, interpolation=BILINEAR, **kwargs)).astype(int)
    ten = _np(F.affine(arr, interpolation=BILINEAR, **kwargs)).transpose(1, 2, 0).astype(int)
    inner = np.s_[6:-6, 6:-6]
    assert np.abs(pil[inner] - ten[inner]).max() <= 2


def test_affine_errors(small):
    img = npgrad.from_numpy(small)
    with pytest.raises(TypeError, match="angle should be int or float"):
        F.affine(img, "1", [0, 0], 1.0, 0.0)
    with pytest.raises(TypeError, match="translate should be a sequence"):
        F.affine(img, 0.0, 1, 1.0, 0.0)
    with pytest.raises(ValueError, match="sequence of length 2"):
        F.affine(img, 0.0, [1, 2, 3], 1.0, 0.0)
    with pytest.raises(ValueError, match="scale should be positive"):
        F.affine(img, 0.0, [0, 0], 0.0, 0.0)
    with pytest.raises(TypeError, match="Shear should be either"):
        F.affine(img, 0.0, [0, 0], 1.0, "x")
    with pytest.raises(ValueError, match="two values"):
        F.affine(img, 0.0, [0, 0], 1.0, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="center should be a sequence"):
        F.affine(img, 0.0, [0, 0], 1.0, 0.0, center=3)
    with pytest.raises(ValueError, match="unsupported with Tensor input"):
        F.affine(img, 0.0, [0, 0], 1.0, 0.0, F.InterpolationMode.BICUBIC)
    with pytest.raises(ValueError, match=r"fill.*\(3 != 2\)"):
        F.affine(img, 0.0, [0, 0], 1.0, 0.0, fill=[1, 2, 3])


def _homography(src, dst):
    """The 3x3 matrix sending each dst point to its src point (solved independently)."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        rhs += [u, v]
    c = np.linalg.solve(np.array(rows, float), np.array(rhs, float))
    return np.append(c, 1.0).reshape(3, 3)


def test_perspective_matches_homography_per_pixel(small):
    _, h, w = small.shape
    start = [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]]
    end = [[1, 1], [w - 2, 0], [w - 1, h - 2], [0, h - 1]]
    hmat = _homography(start, end)
    got = _np(F.perspective(npgrad.from_numpy(small), start, end, NEAREST))
    want = np.zeros_like(small)
    tie = np.zeros(small.shape[1:], bool)
    for y in range(h):
        for x in range(w):
            u, v, s = hmat @ np.array([x + 0.5, y + 0.5, 1.0])  # pixel centres
            # a source coordinate within rounding of a pixel edge may land on either side
            tie[y, x] = min(abs(u / s - round(u / s)), abs(v / s - round(v / s))) < 1e-9
            xi, yi = int(np.floor(u / s)), int(np.floor(v / s))
            if 0 <= xi < w and 0 <= yi < h:
                want[:, y, x] = small[:, yi, xi]
    assert tie.sum() <= 4
    np.testing.assert_array_equal(got[:, ~tie], want[:, ~tie])
    pil = F.perspective(Image.fromarray(small[0].astype(np.uint8)), start, end, NEAREST)
    # PIL computes the same coordinates in its own double arithmetic: allow one tie
    assert (np.asarray(pil) != want[0].astype(np.uint8)).sum() <= 1


def test_perspective_translation_equals_affine(rgb_image):
    t = F.pil_to_tensor(rgb_image)
    _, h, w = t.shape
    start = [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]]
    end = [[x + 3, y - 2] for x, y in start]
    for mode in (NEAREST, BILINEAR):
        a = _np(F.perspective(t, start, end, mode))
        b = _np(F.affine(t, 0.0, [3, -2], 1.0, 0.0, mode))
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 1
    f32 = F.perspective(F.convert_image_dtype(t, npgrad.float32)[None], start, end)
    assert f32.shape == (1, 3, h, w) and f32.dtype == npgrad.float32
    with pytest.raises(ValueError, match="four"):
        F.perspective(t, start[:3], end)


def test_five_and_ten_crop():
    img = npgrad.arange(20).reshape(1, 4, 5)
    tl, tr, bl, br, c = F.five_crop(img, (2, 3))
    base = np.arange(20).reshape(4, 5)
    np.testing.assert_array_equal(_np(tl)[0], base[:2, :3])
    np.testing.assert_array_equal(_np(tr)[0], base[:2, 2:])
    np.testing.assert_array_equal(_np(bl)[0], base[2:, :3])
    np.testing.assert_array_equal(_np(br)[0], base[2:, 2:])
    np.testing.assert_array_equal(_np(c)[0], base[1:3, 1:4])
    ten = F.ten_crop(img, [2, 3])
    np.testing.assert_array_equal(_np(ten[5])[0], base[:, ::-1][:2, :3])
    vten = T.TenCrop((2, 3), vertical_flip=True)(img)
    np.testing.assert_array_equal(_np(vten[5])[0], base[::-1][:2, :3])
    pil = Image.fromarray(base.astype(np.uint8))
    for a, b in zip(T.FiveCrop((2, 3))(pil), (tl, tr, bl, br, c)):
        np.testing.assert_array_equal(np.asarray(a), _np(b)[0])
    with pytest.raises(ValueError, match="bigger than input size"):
        F.five_crop(img, 5)
    with pytest.raises(ValueError, match="two dimensions"):
        F.five_crop(img, [1, 2, 3])
    assert repr(T.FiveCrop(3)) == "FiveCrop(size=(3, 3))"
    assert repr(T.TenCrop([2, 3], True)) == "TenCrop(size=(2, 3), vertical_flip=True)"


def test_random_affine_params_and_repr(rgb_image):
    t = T.RandomAffine((10, 20), translate=(0.1, 0.2), scale=(0.5, 0.6), shear=(1, 2, 3, 4))
    for seed in range(20):
        angle, (tx, ty), scale, (sx, sy) = t.get_params(
            t.degrees, t.translate, t.scale, t.shear, [37, 29], generator=_gen(seed)
        )
        assert 10 <= angle < 20 and 0.5 <= scale < 0.6 and 1 <= sx < 2 and 3 <= sy < 4
        assert isinstance(tx, int) and abs(tx) <= 4 and abs(ty) <= 6
    assert repr(t) == (
        "RandomAffine(degrees=[10.0, 20.0], translate=(0.1, 0.2), scale=(0.5, 0.6), "
        "shear=[1.0, 2.0, 3.0, 4.0])"
    )
    assert repr(T.RandomAffine(5, interpolation=BILINEAR, fill=3, center=(1, 2))) == (
        "RandomAffine(degrees=[-5.0, 5.0], interpolation=bilinear, fill=3, center=(1, 2))"
    )
    # forward applies exactly the drawn parameters
    ra = T.RandomAffine(30, translate=(0.2, 0.2), scale=(0.8, 1.2), shear=10, generator=_gen(3))
    params = ra.get_params(ra.degrees, ra.translate, ra.scale, ra.shear, [37, 29],
                           generator=_gen(3))  # fmt: skip
    want = F.affine(rgb_image, params[0], list(params[1]), params[2], list(params[3]))
    assert np.array_equal(np.asarray(ra(rgb_image)), np.asarray(want))
    tensor = F.pil_to_tensor(rgb_image)
    a = T.RandomAffine(30, fill=9, generator=_gen(4))(tensor)
    b = T.RandomAffine(30, fill=9, generator=_gen(4))(tensor)
    assert np.array_equal(_np(a), _np(b)) and (_np(a) == 9).any()


def test_random_affine_errors():
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomAffine(-1)
    with pytest.raises(TypeError, match="degrees should be a sequence"):
        T.RandomAffine({1, 2})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="between 0 and 1"):
        T.RandomAffine(0, translate=(0.1, 1.5))
    with pytest.raises(ValueError, match="scale values should be positive"):
        T.RandomAffine(0, scale=(0.0, 1.0))
    with pytest.raises(ValueError, match="shear should be a sequence of length 2 or 4"):
        T.RandomAffine(0, shear=(1, 2, 3))
    with pytest.raises(TypeError, match="Fill should be"):
        T.RandomAffine(0, fill="red")


def test_random_perspective(rgb_image):
    for seed in range(10):
        start, end = T.RandomPerspective.get_params(37, 29, 0.5, generator=_gen(seed))
        assert start == [[0, 0], [36, 0], [36, 28], [0, 28]]
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = end
        assert 0 <= x0 <= 9 and 0 <= y0 <= 7 and 26 <= x1 <= 36 and 0 <= y1 <= 7
        assert 26 <= x2 <= 36 and 20 <= y2 <= 28 and 0 <= x3 <= 9 and 20 <= y3 <= 28
    assert T.RandomPerspective(p=0.0)(rgb_image) is rgb_image
    t = F.pil_to_tensor(rgb_image)
    a = T.RandomPerspective(0.6, p=1.0, generator=_gen(2))(t)
    b = T.RandomPerspective(0.6, p=1.0, generator=_gen(2))(t)
    c = T.RandomPerspective(0.6, p=1.0, generator=_gen(3))(t)
    assert np.array_equal(_np(a), _np(b)) and not np.array_equal(_np(a), _np(c))
    assert repr(T.RandomPerspective(0.2, p=0.3)) == "RandomPerspective(p=0.3)"


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize(
    ("angle", "translate", "scale", "shear"),
    [(30.0, [2, 1], 1.2, [10.0, 5.0]), (-70.0, [-3, 0], 0.8, [0.0, -15.0])],
)
def test_affine_tensor_matches_torch_grid_sample(rgb_array, mode, angle, translate, scale, shear):
    torch = pytest.importorskip("torch")
    from npgrad.data.transforms._geometry import inverse_affine_matrix

    x = (rgb_array.transpose(2, 0, 1) / 255.0).astype(np.float32)
    h, w = x.shape[1:]
    out = _np(F.affine(npgrad.tensor(x), angle, translate, scale, shear, F.InterpolationMode(mode)))
    # the inverse map in centred pixel units, normalised to affine_grid's [-1, 1] coordinates;
    # checked against the independently built forward matrix first
    m = inverse_affine_matrix([0.0, 0.0], angle, translate, scale, shear)
    inv = np.linalg.inv(_forward_matrix(angle, translate, scale, shear, (0.0, 0.0)))
    np.testing.assert_allclose(np.reshape(m, (2, 3)), inv[:2], atol=1e-12)
    theta = torch.tensor(
        [[m[0], m[1] * h / w, m[2] * 2 / w], [m[3] * w / h, m[4], m[5] * 2 / h]],
        dtype=torch.float32,
    )[None]
    grid = torch.nn.functional.affine_grid(theta, (1, 3, h, w), align_corners=False)
    expected = torch.nn.functional.grid_sample(
        torch.from_numpy(x)[None], grid, mode=mode, padding_mode="zeros", align_corners=False
    )[0].numpy()
    if mode == "bilinear":
        np.testing.assert_allclose(out, expected, atol=1e-4)
    else:
        assert np.isclose(out, expected, atol=1e-6).all(axis=0).mean() > 0.99


def test_elastic_transform_functional(small, rgb_image):
    img = npgrad.from_numpy(small)
    _, h, w = small.shape
    zero = npgrad.zeros(1, h, w, 2, dtype=npgrad.float64)
    np.testing.assert_allclose(_np(F.elastic_transform(img, zero)), small, atol=1e-12)
    # a constant displacement of (2 / W, -2 / H) samples one pixel right and one pixel up
    shift = np.zeros((1, h, w, 2))
    shift[..., 0], shift[..., 1] = 2 / w, -2 / h
    out = _np(F.elastic_transform(img, npgrad.from_numpy(shift), NEAREST))
    np.testing.assert_array_equal(out[:, 1:, :-1], small[:, :-1, 1:])
    assert (out[:, 0] == 0).all() and (out[:, :, -1] == 0).all()
    # half a pixel with bilinear: the mean of neighbours
    shift[..., 0], shift[..., 1] = 1 / w, 0.0
    out = _np(F.elastic_transform(img, npgrad.from_numpy(shift)))
    np.testing.assert_allclose(out[..., :-1], (small[..., :-1] + small[..., 1:]) / 2)
    u8 = F.pil_to_tensor(rgb_image)
    d = T.ElasticTransform.get_params([30.0, 30.0], [4.0, 4.0], [29, 37], generator=_gen(0))
    pil = F.elastic_transform(rgb_image, d)
    assert isinstance(pil, Image.Image)
    np.testing.assert_array_equal(
        np.asarray(pil), _np(F.elastic_transform(u8, d)).transpose(1, 2, 0)
    )
    with pytest.raises(TypeError, match="displacement should be a Tensor"):
        F.elastic_transform(img, shift)
    with pytest.raises(ValueError, match=r"displacement shape should be \(1, 7, 9, 2\)"):
        F.elastic_transform(img, npgrad.zeros(1, 9, 7, 2))


def test_elastic_transform_random():
    d = T.ElasticTransform.get_params([50.0, 20.0], [3.0, 3.0], [30, 40], generator=_gen(1))
    assert d.shape == (1, 30, 40, 2) and d.dtype == npgrad.float32
    dx, dy = _np(d)[0, ..., 0], _np(d)[0, ..., 1]
    # smoothed uniform noise scaled by alpha / size: bounded, and much smoother than raw noise
    assert np.abs(dx).max() <= 50.0 / 30 and np.abs(dy).max() <= 20.0 / 40
    assert np.abs(np.diff(dx, axis=1)).mean() < 0.1 * np.abs(dx).max()
    raw = T.ElasticTransform.get_params([1.0, 1.0], [0.0, 0.0], [30, 40], generator=_gen(1))
    assert _np(raw)[..., 0].min() >= -1 / 30 and _np(raw)[..., 0].max() < 1 / 30
    img = npgrad.rand(3, 30, 40)
    a = T.ElasticTransform(generator=_gen(5))(img)
    b = T.ElasticTransform(generator=_gen(5))(img)
    c = T.ElasticTransform(generator=_gen(6))(img)
    assert np.array_equal(_np(a), _np(b)) and not np.array_equal(_np(a), _np(c))
    assert repr(T.ElasticTransform(10.0, [1.0, 2.0])) == (
        "ElasticTransform(alpha=[10.0, 10.0], sigma=[1.0, 2.0], "
        "interpolation=InterpolationMode.BILINEAR, fill=0)"
    )
    with pytest.raises(TypeError, match="alpha should be float"):
        T.ElasticTransform("a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sigma is a sequence its length should be 2"):
        T.ElasticTransform(1.0, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="fill should be int or float"):
        T.ElasticTransform(fill="x")
