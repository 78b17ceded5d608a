"""transforms.functional against Pillow and NumPy computations of torchvision's definitions."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest
from PIL import Image, ImageOps

import npgrad
import npgrad.data.transforms.functional as F
from npgrad.data.transforms import InterpolationMode
from npgrad.tensor import Tensor


def chw(arr: np.ndarray) -> Tensor:
    """HWC ndarray -> CHW tensor of the same dtype."""
    return npgrad.tensor(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def pil_channels_f(t: np.ndarray) -> list[Image.Image]:
    return [Image.fromarray(np.ascontiguousarray(c, dtype=np.float32), "F") for c in t]


# ---- conversion ----------------------------------------------------------------------------
def test_to_tensor_scales_uint8_pil_images_to_unit_float(rgb_image, rgb_array):
    t = F.to_tensor(rgb_image)
    assert t.shape == (3, 29, 37) and t.dtype == np.float32
    np.testing.assert_array_equal(t.numpy(), rgb_array.transpose(2, 0, 1) / np.float32(255))


@pytest.mark.parametrize(
    ("mode", "channels", "dtype", "scale"),
    [
        ("L", 1, np.float32, 1 / 255),
        ("LA", 2, np.float32, 1 / 255),
        ("RGBA", 4, np.float32, 1 / 255),
        ("P", 1, np.float32, 1 / 255),
        ("I", 1, np.int32, 1),
        ("F", 1, np.float32, 1),
    ],
)
def test_to_tensor_handles_every_pil_mode(rgb_image, mode, channels, dtype, scale):
    img = rgb_image.convert(mode)
    t = F.to_tensor(img)
    assert t.shape == (channels, 29, 37) and t.dtype == dtype
    expected = np.asarray(img).reshape(29, 37, channels).transpose(2, 0, 1)
    np.testing.assert_allclose(t.numpy(), expected * scale, rtol=1e-6)


def test_to_tensor_of_a_binary_image_maps_on_to_one():
    img = Image.fromarray(np.array([[True, False]]))
    assert img.mode == "1"
    assert F.to_tensor(img).tolist() == [[[1.0, 0.0]]]
    assert F.pil_to_tensor(img).tolist() == [[[255, 0]]]


def test_to_tensor_of_16_bit_images_keeps_values_as_int32():
    img = Image.fromarray(np.array([[0, 40000]], dtype=np.uint16))
    t = F.to_tensor(img)
    assert t.dtype == np.int32 and t.tolist() == [[[0, 40000]]]


def test_to_tensor_of_ndarrays_transposes_and_scales_only_uint8():
    t = F.to_tensor(np.array([[1, 2], [3, 4]], dtype=np.uint8))
    assert t.shape == (1, 2, 2)
    np.testing.assert_array_equal(t.numpy(), np.float32([[[1, 2], [3, 4]]]) / np.float32(255))
    f = np.random.default_rng(0).random((4, 5, 3))
    tf = F.to_tensor(f)
    assert tf.dtype == np.float64 and tf.shape == (3, 4, 5)
    np.testing.assert_array_equal(tf.numpy(), f.transpose(2, 0, 1))
    f[0, 0, 0] = -1.0  # a copy, not a view
    assert tf.numpy()[0, 0, 0] != -1.0


def test_to_tensor_follows_the_default_dtype():
    npgrad.set_default_dtype(npgrad.float64)
    try:
        assert F.to_tensor(np.zeros((2, 2), np.uint8)).dtype == np.float64
    finally:
        npgrad.set_default_dtype(npgrad.float32)


def test_to_tensor_rejects_other_inputs():
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray. Got list"):
        F.to_tensor([[1, 2]])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions"):
        F.to_tensor(np.zeros((1, 2, 2, 3), np.uint8))
    with pytest.raises(TypeError, match="pic should be PIL Image. Got ndarray"):
        F.pil_to_tensor(np.zeros((2, 2), np.uint8))


def test_pil_to_tensor_keeps_the_values(rgb_image, rgb_array):
    t = F.pil_to_tensor(rgb_image)
    assert t.dtype == np.uint8
    np.testing.assert_array_equal(t.numpy(), rgb_array.transpose(2, 0, 1))


@pytest.mark.parametrize(("mode", "channels"), [("L", 1), ("LA", 2), ("RGB", 3), ("RGBA", 4)])
def test_to_pil_image_round_trips_uint8_tensors(rgb_image, mode, channels):
    img = rgb_image.convert(mode)
    back = F.to_pil_image(F.pil_to_tensor(img))
    assert back.mode == mode
    np.testing.assert_array_equal(np.asarray(back), np.asarray(img))


def test_to_pil_image_truncates_float_times_255_and_reads_ndarrays_as_hwc():
    t = npgrad.tensor([[[0.0, 0.5, 1.0]]])
    assert np.asarray(F.to_pil_image(t)).ravel().tolist() == [0, 127, 255]
    hwc = np.zeros((2, 3, 3), np.uint8)
    hwc[..., 0] = 200
    img = F.to_pil_image(hwc)
    assert img.size == (3, 2) and img.getpixel((0, 0)) == (200, 0, 0)


def test_to_pil_image_modes_for_float_and_int_data():
    img = F.to_pil_image(npgrad.tensor([[[0.25, 2.0]]]), mode="F")
    assert img.mode == "F" and np.asarray(img).ravel().tolist() == [0.25, 2.0]
    assert F.to_pil_image(npgrad.tensor([[[7, -3]]], dtype=npgrad.int32)).mode == "I"
    assert F.to_pil_image(np.zeros((2, 2, 3), np.uint8), mode="HSV").mode == "HSV"
    assert F.to_pil_image(np.array([[1, 2]], np.int16)).mode == "I;16"


def test_to_pil_image_rejects_bad_inputs():
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray. Got list"):
        F.to_pil_image([[1]])
    with pytest.raises(ValueError, match="should not have > 4 channels. Got 5"):
        F.to_pil_image(np.zeros((2, 2, 5), np.uint8))
    with pytest.raises(
        ValueError, match=r"Incorrect mode \(RGB\) supplied for input type uint8. Should be L"
    ):
        F.to_pil_image(np.zeros((2, 2), np.uint8), mode="RGB")
    with pytest.raises(
        ValueError, match=r"Only modes \['RGB', 'YCbCr', 'HSV'\] are supported for 3D inputs"
    ):
        F.to_pil_image(np.zeros((2, 2, 3), np.uint8), mode="RGBA")
    with pytest.raises(TypeError, match="Input type int64 is not supported"):
        F.to_pil_image(np.zeros((2, 2, 3), np.int64))
    with pytest.raises(ValueError, match="2/3 dimensional"):
        F.to_pil_image(np.zeros((1, 1, 2, 2), np.uint8))


@pytest.mark.parametrize(
    ("src", "dst", "values", "expected"),
    [
        (np.uint8, np.float32, [0, 51, 255], [0.0, 0.2, 1.0]),
        (np.float32, np.uint8, [0.0, 0.5, 0.999, 1.0], [0, 127, 255, 255]),
        (np.int16, np.uint8, [0, 256, 32767], [0, 2, 255]),
        (np.uint8, np.int16, [0, 1, 255], [0, 128, 32640]),
        (np.float64, np.float32, [0.5], [0.5]),
        (np.int32, np.float64, [2147483647], [1.0]),
    ],
)
def test_convert_image_dtype_rescales_between_ranges(src, dst, values, expected):
    out = F.convert_image_dtype(npgrad.tensor(np.array(values, dtype=src)), dst)
    assert out.dtype == np.dtype(dst)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_convert_image_dtype_refuses_unsafe_float_to_int_casts():
    with pytest.raises(RuntimeError, match="float32 to int32 cannot be performed safely"):
        F.convert_image_dtype(npgrad.zeros(2), npgrad.int32)
    with pytest.raises(TypeError, match="Tensor Image"):
        F.convert_image_dtype(np.zeros(2), npgrad.float32)
    t = npgrad.zeros(2)
    assert F.convert_image_dtype(t, npgrad.float32) is t


# ---- normalize -----------------------------------------------------------------------------
def test_normalize_subtracts_mean_and_divides_by_std_per_channel():
    x = np.random.default_rng(0).random((2, 3, 4, 5)).astype(np.float32)
    mean, std = [0.1, 0.2, 0.3], [0.5, 0.25, 2.0]
    out = F.normalize(npgrad.tensor(x), mean, std)
    expected = (x - np.float32(mean)[:, None, None]) / np.float32(std)[:, None, None]
    np.testing.assert_array_equal(out.numpy(), expected)
    assert out.dtype == np.float32


def test_normalize_inplace_writes_into_the_input():
    t = npgrad.ones(1, 2, 2)
    out = F.normalize(t, [0.5], [0.5], inplace=True)
    assert out is t and t.tolist() == [[[1.0, 1.0], [1.0, 1.0]]]
    assert t._version == 1  # an in-place write that autograd can see


def test_normalize_rejects_bad_inputs():
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got int64"):
        F.normalize(npgrad.tensor([[[1]]]), [0], [1])
    with pytest.raises(ValueError, match=r"tensor.size\(\) = \(2, 2\)"):
        F.normalize(npgrad.zeros(2, 2), [0], [1])
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to float32"):
        F.normalize(npgrad.zeros(1, 2, 2), [0], [0.0])
    with pytest.raises(TypeError, match="img should be Tensor Image. Got ndarray"):
        F.normalize(np.zeros((1, 2, 2)), [0], [1])
    with pytest.raises(ValueError, match="don't match the 3 channels"):
        F.normalize(npgrad.zeros(3, 2, 2), [0, 0], [1, 1])
    with pytest.raises(RuntimeError, match="require grad"):
        F.normalize(npgrad.zeros(1, 2, 2, requires_grad=True), [0], [1])


# ---- resize --------------------------------------------------------------------------------
def test_resize_pil_is_pillows_resize_with_torchvisions_output_size(rgb_image):
    out = F.resize(rgb_image, [10, 20])
    assert np.array_equal(np.asarray(out), np.asarray(rgb_image.resize((20, 10), Image.BILINEAR)))
    # an int matches the smaller edge: 29 x 37 -> 20 x int(20 * 37 / 29) = 20 x 25
    assert F.resize(rgb_image, 20).size == (25, 20)
    assert F.resize(rgb_image, [20]).size == (25, 20)
    assert F.resize(rgb_image, 20, max_size=22).size == (22, 17)  # int(22 * 20 / 25) = 17
    assert F.resize(rgb_image, 29) is rgb_image  # already that size
    tall = Image.new("L", (10, 30))
    assert F.resize(tall, 5).size == (5, 15)
    nearest = F.resize(rgb_image, [7, 9], InterpolationMode.NEAREST)
    assert np.array_equal(np.asarray(nearest), np.asarray(rgb_image.resize((9, 7), Image.NEAREST)))


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "box", "hamming", "lanczos"])
@pytest.mark.parametrize("size", [[10, 13], [29, 37], [50, 61], [12, 70]])
def test_resize_float_tensor_matches_pillow_float_images(rgb_array, mode, size):
    x = (rgb_array.transpose(2, 0, 1) / 255.0).astype(np.float32)
    out = F.resize(npgrad.tensor(x), size, InterpolationMode(mode))
    assert out.shape == (3, *size) and out.dtype == np.float32
    resample = getattr(Image.Resampling, mode.upper())
    expected = [np.asarray(c.resize(size[::-1], resample)) for c in pil_channels_f(x)]
    np.testing.assert_allclose(out.numpy(), np.stack(expected), atol=2e-6)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_resize_uint8_tensor_matches_pillow_within_rounding(rgb_image, mode):
    out = F.resize(F.pil_to_tensor(rgb_image), [11, 17], InterpolationMode(mode))
    assert out.dtype == np.uint8
    expected = np.asarray(rgb_image.resize((17, 11), getattr(Image.Resampling, mode.upper())))
    diff = np.abs(out.numpy().astype(int) - expected.transpose(2, 0, 1).astype(int))
    assert diff.max() <= 1


def test_resize_nearest_exact_on_tensors_is_pillows_nearest(rgb_image):
    for size in ([7, 9], [40, 50], [29, 11]):
        out = F.resize(F.pil_to_tensor(rgb_image), size, InterpolationMode.NEAREST_EXACT)
        expected = np.asarray(rgb_image.resize(size[::-1], Image.NEAREST)).transpose(2, 0, 1)
        np.testing.assert_array_equal(out.numpy(), expected)


def test_resize_keeps_leading_dims_and_integer_dtypes():
    x = npgrad.tensor(np.arange(2 * 3 * 4 * 4, dtype=np.int16).reshape(2, 3, 4, 4) * 100)
    out = F.resize(x, [2, 2], InterpolationMode.BOX)
    assert out.shape == (2, 3, 2, 2) and out.dtype == np.int16
    # a box-filter 2x downscale averages 2x2 blocks
    np.testing.assert_array_equal(
        out.numpy(), x.numpy().reshape(2, 3, 2, 2, 2, 2).mean((3, 5)).round()
    )
    assert F.resize(npgrad.zeros(5, 6), [3, 4]).shape == (3, 4)


def test_resize_rejects_bad_sizes_and_modes(rgb_image):
    with pytest.raises(ValueError, match="1 or 2 element"):
        F.resize(rgb_image, [1, 2, 3])
    with pytest.raises(ValueError, match="max_size should only be passed"):
        F.resize(rgb_image, [10, 10], max_size=20)
    with pytest.raises(ValueError, match="max_size = 10 must be strictly greater"):
        F.resize(rgb_image, 10, max_size=10)
    with pytest.raises(TypeError, match="Size should be int or sequence. Got float"):
        F.resize(rgb_image, 2.5)
    with pytest.raises(TypeError, match="should be of type InterpolationMode"):
        F.resize(rgb_image, 10, "bilinear")
    assert F.resize(rgb_image, 10, Image.BICUBIC).size == F.resize(rgb_image, 10).size


@pytest.mark.torch
@pytest.mark.parametrize(
    ("mode", "antialias"),
    [
        ("nearest", False),
        ("nearest-exact", False),
        ("bilinear", False),
        ("bicubic", False),
        ("bilinear", True),
        ("bicubic", True),
    ],
)
@pytest.mark.parametrize("size", [[10, 13], [50, 61], [29, 80]])
def test_resize_tensor_matches_torch_interpolate(rgb_array, mode, antialias, size):
    torch = pytest.importorskip("torch")
    x = (rgb_array.transpose(2, 0, 1) / 255.0).astype(np.float32)
    out = F.resize(npgrad.tensor(x), size, InterpolationMode(mode), antialias=antialias)
    kwargs = {"align_corners": False} if mode in ("bilinear", "bicubic") else {}
    expected = torch.nn.functional.interpolate(
        torch.from_numpy(x)[None], size=size, mode=mode, antialias=antialias, **kwargs
    )[0].numpy()
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-5)


# ---- pad / crop ----------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding", [2, [1, 3], [1, 2, 3, 4], [0, 0, 5, 0]])
def test_pad_modes_match_numpy_pad_on_pil_and_tensors(rgb_image, rgb_array, mode, padding):
    left, top, right, bottom = (
        [padding] * 4 if isinstance(padding, int) else padding * 2 if len(padding) == 2 else padding
    )
    expected = np.pad(rgb_array, ((top, bottom), (left, right), (0, 0)), mode=mode)
    np.testing.assert_array_equal(
        np.asarray(F.pad(rgb_image, padding, padding_mode=mode)), expected
    )
    out = F.pad(chw(rgb_array), padding, padding_mode=mode)
    np.testing.assert_array_equal(out.numpy(), expected.transpose(2, 0, 1))


def test_pad_constant_is_image_ops_expand_with_the_fill(rgb_image, rgb_array):
    out = F.pad(rgb_image, [1, 2, 3, 4], fill=(9, 8, 7))
    assert out.size == (37 + 4, 29 + 6)
    expected = ImageOps.expand(rgb_image, border=(1, 2, 3, 4), fill=(9, 8, 7))
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    assert out.getpixel((0, 0)) == (9, 8, 7)
    t = F.pad(chw(rgb_array), [1, 2], fill=5)
    assert t.shape == (3, 33, 39) and t.numpy()[:, 0, 0].tolist() == [5, 5, 5]
    np.testing.assert_array_equal(t.numpy()[:, 2:-2, 1:-1], rgb_array.transpose(2, 0, 1))


def test_pad_keeps_a_palette_and_crops_with_negative_padding(rgb_image, rgb_array):
    pal = rgb_image.convert("P")
    out = F.pad(pal, 2, padding_mode="edge")
    assert out.mode == "P" and out.getpalette() == pal.getpalette()
    assert F.pad(pal, 1).getpalette() == pal.getpalette()
    np.testing.assert_array_equal(
        np.asarray(F.pad(rgb_image, [-2, -1, 1, 0], padding_mode="edge")),
        np.pad(rgb_array[1:, 2:], ((0, 0), (0, 1), (0, 0)), mode="edge"),
    )
    np.testing.assert_array_equal(
        F.pad(chw(rgb_array), [-2, -1, 0, -3]).numpy(), rgb_array[1:-3, 2:].transpose(2, 0, 1)
    )


def test_pad_rejects_bad_arguments(rgb_image):
    with pytest.raises(ValueError, match="not a 3 element tuple"):
        F.pad(rgb_image, [1, 2, 3])
    with pytest.raises(ValueError, match="constant, edge, reflect or symmetric"):
        F.pad(rgb_image, 1, padding_mode="wrap")
    with pytest.raises(TypeError, match="inappropriate padding arg"):
        F.pad(rgb_image, "1")
    with pytest.raises(TypeError, match="inappropriate fill arg"):
        F.pad(rgb_image, 1, fill="red")
    with pytest.raises(
        ValueError, match=r"does not match the number of channels of the image \(2 != 3\)"
    ):
        F.pad(rgb_image, 1, fill=(1, 2))
    with pytest.raises(TypeError, match="a tensor is padded with a number"):
        F.pad(npgrad.zeros(3, 2, 2), 1, fill=(1, 2, 3))


def test_crop_of_tensor_equals_pillows_crop_even_outside_the_image(rgb_image):
    t = F.pil_to_tensor(rgb_image)
    rng = np.random.default_rng(1)
    boxes = [
        (0, 0, 29, 37),
        (5, 7, 10, 12),
        (-3, -4, 10, 10),
        (20, 30, 15, 15),
        (-5, -5, 40, 50),
        (35, 2, 4, 4),
        (3, -20, 5, 10),
    ]
    boxes += [tuple(int(v) for v in rng.integers(-10, 40, 4)) for _ in range(20)]
    for top, left, h, w in boxes:
        h, w = max(h, 1), max(w, 1)
        expected = np.asarray(F.crop(rgb_image, top, left, h, w)).transpose(2, 0, 1)
        np.testing.assert_array_equal(
            F.crop(t, top, left, h, w).numpy(), expected, err_msg=str((top, left, h, w))
        )


@pytest.mark.parametrize("size", [(5, 5), (10, 13), (28, 36), (29, 37), (30, 38), (40, 50), 7, [8]])
def test_center_crop_agrees_between_pil_and_tensor_and_pads_small_images(rgb_image, size):
    out_pil = F.center_crop(rgb_image, size)
    out_t = F.center_crop(F.pil_to_tensor(rgb_image), size)
    h, w = (size, size) if isinstance(size, int) else (size * 2 if len(size) == 1 else size)
    assert out_pil.size == (w, h) and out_t.shape == (3, h, w)
    np.testing.assert_array_equal(out_t.numpy(), np.asarray(out_pil).transpose(2, 0, 1))


def test_center_crop_takes_the_rounded_centre(rgb_array):
    # (29 - 10) / 2 = 9.5 rounds to 10 (Python's round half to even), (37 - 10) / 2 = 13.5 -> 14
    out = F.center_crop(chw(rgb_array), 10)
    np.testing.assert_array_equal(out.numpy(), rgb_array[10:20, 14:24].transpose(2, 0, 1))


def test_resized_crop_is_crop_then_resize(rgb_image):
    out = F.resized_crop(rgb_image, 3, 4, 20, 25, [10, 12])
    expected = rgb_image.crop((4, 3, 29, 23)).resize((12, 10), Image.BILINEAR)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))


def test_flips_mirror_pil_and_tensor_images(rgb_image, rgb_array):
    np.testing.assert_array_equal(np.asarray(F.hflip(rgb_image)), rgb_array[:, ::-1])
    np.testing.assert_array_equal(np.asarray(F.vflip(rgb_image)), rgb_array[::-1])
    t = chw(rgb_array)
    np.testing.assert_array_equal(F.hflip(t).numpy(), rgb_array[:, ::-1].transpose(2, 0, 1))
    np.testing.assert_array_equal(F.vflip(t).numpy(), rgb_array[::-1].transpose(2, 0, 1))


# ---- rotate --------------------------------------------------------------------------------
def test_rotate_pil_is_pillows_rotate_with_fill(rgb_image):
    out = F.rotate(rgb_image, 30, fill=(1, 2, 3))
    expected = rgb_image.rotate(30, Image.NEAREST, False, None, fillcolor=(1, 2, 3))
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    out = F.rotate(rgb_image, -15, InterpolationMode.BILINEAR, expand=True, center=(3, 4), fill=7)
    expected = rgb_image.rotate(-15, Image.BILINEAR, True, (3, 4), fillcolor=(7, 7, 7))
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("mode", [InterpolationMode.NEAREST, InterpolationMode.BILINEAR])
def test_rotate_tensor_by_right_angles_is_rot90(rgb_array, k, mode):
    t = chw(rgb_array).float()
    out = F.rotate(t, 90 * k, mode, expand=True)
    expected = np.rot90(rgb_array.transpose(2, 0, 1), k, axes=(1, 2)).astype(np.float32)
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-3)


def test_rotate_tensor_is_close_to_pillow_for_any_angle(rgb_image):
    t = F.pil_to_tensor(rgb_image)
    for angle in (17.0, -40.0, 123.0):
        out = F.rotate(t, angle, fill=[0.0, 0.0, 0.0]).numpy()
        expected = np.asarray(rgb_image.rotate(angle, Image.NEAREST)).transpose(2, 0, 1)
        # the same nearest-neighbour sampling; pixel centres that land on a rounding boundary
        # may go either way in the two float implementations
        assert (out == expected).all(axis=0).mean() > 0.97


def test_rotate_tensor_fills_uncovered_pixels():
    t = npgrad.ones(2, 6, 6)
    out = F.rotate(t, 45, fill=[5.0, 7.0]).numpy()
    assert out[0, 0, 0] == 5.0 and out[1, 0, 0] == 7.0 and out[0, 3, 3] == 1.0
    assert F.rotate(t, 45).numpy()[0, 0, 0] == 0.0
    with pytest.raises(
        ValueError,
        match=r"cannot broadcast to match the number of channels of the image \(3 != 2\)",
    ):
        F.rotate(t, 45, fill=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="'bicubic' is unsupported with Tensor input"):
        F.rotate(t, 45, InterpolationMode.BICUBIC)
    with pytest.raises(ValueError, match="center should be a sequence of length 2"):
        F.rotate(t, 45, center=[1])


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("angle", [10.0, -33.0, 90.0, 151.0])
def test_rotate_tensor_matches_torch_grid_sample(rgb_array, mode, angle):
    torch = pytest.importorskip("torch")
    import math

    x = (rgb_array.transpose(2, 0, 1) / 255.0).astype(np.float32)
    h, w = x.shape[1:]
    out = F.rotate(npgrad.tensor(x), angle, InterpolationMode(mode)).numpy()
    # the inverse rotation in pixel units about the centre, normalised for affine_grid
    a = math.radians(angle)
    theta = torch.tensor(
        [[math.cos(a), -math.sin(a) * h / w, 0.0], [math.sin(a) * w / h, math.cos(a), 0.0]],
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


# ---- colour --------------------------------------------------------------------------------
def test_brightness_contrast_saturation_on_pil_images_follow_pillow_enhance(rgb_image, rgb_array):
    assert np.asarray(F.adjust_brightness(rgb_image, 0.0)).max() == 0
    np.testing.assert_array_equal(np.asarray(F.adjust_brightness(rgb_image, 1.0)), rgb_array)
    flat = np.asarray(F.adjust_contrast(rgb_image, 0.0))
    mean = int(np.asarray(rgb_image.convert("L"), dtype=np.float64).mean() + 0.5)
    assert (flat == mean).all()
    gray = np.asarray(F.adjust_saturation(rgb_image, 0.0))
    np.testing.assert_array_equal(gray, np.asarray(rgb_image.convert("L").convert("RGB")))


def test_hue_of_pil_images_rotates_the_hsv_hue_and_skips_gray_images(rgb_image, gray_image):
    red = Image.new("RGB", (1, 1), (255, 0, 0))
    assert F.adjust_hue(red, 1 / 3).getpixel((0, 0)) == (0, 255, 0)
    # Pillow's hue has 256 steps: -1/3 of a turn is -85 steps, 1/255 short of pure blue
    r, g, b = F.adjust_hue(red, -1 / 3).getpixel((0, 0))
    assert b == 255 and g == 0 and r < 10
    assert F.adjust_hue(gray_image, 0.2) is gray_image
    with pytest.raises(ValueError, match=r"hue_factor \(0.6\) is not in \[-0.5, 0.5\]"):
        F.adjust_hue(rgb_image, 0.6)


def test_brightness_on_tensors_scales_and_clamps(rgb_array):
    x = (rgb_array.transpose(2, 0, 1) / 255.0).astype(np.float32)
    out = F.adjust_brightness(npgrad.tensor(x), 1.7)
    np.testing.assert_array_equal(out.numpy(), np.clip(np.float32(1.7) * x, 0, 1))
    u = F.adjust_brightness(chw(rgb_array), 0.55).numpy()
    expected = np.clip(np.float32(0.55) * rgb_array.transpose(2, 0, 1).astype(np.float32), 0, 255)
    np.testing.assert_array_equal(u, expected.astype(np.uint8))  # truncation, like torchvision


def test_contrast_on_tensors_blends_with_the_mean_gray_level(rgb_array):
    x = (rgb_array.transpose(2, 0, 1) / 255.0).astype(np.float32)
    gray = np.float32(0.2989) * x[0] + np.float32(0.587) * x[1] + np.float32(0.114) * x[2]
    out = F.adjust_contrast(npgrad.tensor(x), 1.5).numpy()
    expected = np.clip(np.float32(1.5) * x + np.float32(-0.5) * gray.mean(dtype=np.float32), 0, 1)
    np.testing.assert_allclose(out, expected, atol=1e-6)


def test_saturation_on_tensors_blends_with_grayscale(rgb_array):
    x = (rgb_array.transpose(2, 0, 1) / 255.0).astype(np.float32)
    gray = np.float32(0.2989) * x[0] + np.float32(0.587) * x[1] + np.float32(0.114) * x[2]
    out = F.adjust_saturation(npgrad.tensor(x), 0.3).numpy()
    np.testing.assert_allclose(out, np.clip(0.3 * x + 0.7 * gray, 0, 1), atol=1e-6)
    one = npgrad.zeros(1, 2, 2)
    assert F.adjust_saturation(one, 0.5) is one


@pytest.mark.parametrize("factor", [0.0, 0.1, -0.25, 0.5])
def test_hue_on_tensors_matches_colorsys(factor):
    x = np.random.default_rng(4).random((3, 5, 6)).astype(np.float32)
    out = F.adjust_hue(npgrad.tensor(x), factor).numpy()
    expected = np.empty_like(x)
    for i in range(5):
        for j in range(6):
            h, s, v = colorsys.rgb_to_hsv(*x[:, i, j])
            expected[:, i, j] = colorsys.hsv_to_rgb((h + factor) % 1.0, s, v)
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_hue_on_uint8_tensors_round_trips_through_float(rgb_array):
    out = F.adjust_hue(chw(rgb_array), 0.0).numpy().astype(int)
    assert np.abs(out - rgb_array.transpose(2, 0, 1)).max() <= 1


def test_color_adjustments_reject_bad_factors_and_channels():
    x = npgrad.zeros(3, 2, 2)
    for fn, name in [
        (F.adjust_brightness, "brightness"),
        (F.adjust_contrast, "contrast"),
        (F.adjust_saturation, "saturation"),
    ]:
        with pytest.raises(ValueError, match=rf"{name}_factor \(-1\) is not non-negative"):
            fn(x, -1)
    with pytest.raises(TypeError, match=r"permitted channel values are \[1, 3\], but found 2"):
        F.adjust_contrast(npgrad.zeros(2, 2, 2), 0.5)


def test_grayscale_uses_the_luma_weights(rgb_image, rgb_array):
    x = (rgb_array.transpose(2, 0, 1) / 255.0).astype(np.float32)
    out = F.rgb_to_grayscale(npgrad.tensor(x)).numpy()
    expected = np.float32(0.2989) * x[0] + np.float32(0.587) * x[1] + np.float32(0.114) * x[2]
    np.testing.assert_allclose(out, expected[None], rtol=1e-6)
    three = F.rgb_to_grayscale(npgrad.tensor(x), 3).numpy()
    assert three.shape == (3, 29, 37) and (three == three[:1]).all()
    u = F.rgb_to_grayscale(chw(rgb_array)).numpy()
    assert u.dtype == np.uint8  # truncated, like torchvision's .to(uint8)
    rgb = rgb_array.transpose(2, 0, 1).astype(np.float32)
    trunc = (
        np.float32(0.2989) * rgb[0] + np.float32(0.587) * rgb[1] + np.float32(0.114) * rgb[2]
    ).astype(np.uint8)
    np.testing.assert_array_equal(u[0], trunc)
    pil3 = F.rgb_to_grayscale(rgb_image, 3)
    assert pil3.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(pil3)[..., 1], np.asarray(rgb_image.convert("L")))
    with pytest.raises(ValueError, match="num_output_channels should be either 1 or 3"):
        F.rgb_to_grayscale(npgrad.tensor(x), 2)
    with pytest.raises(TypeError, match="at least 3 dimensions"):
        F.rgb_to_grayscale(npgrad.zeros(2, 2))
    with pytest.raises(TypeError, match="Input should be PIL Image"):
        F.to_grayscale(npgrad.tensor(x))


# ---- erase / dispatch ----------------------------------------------------------------------
def test_erase_sets_a_window_and_inplace_writes_the_input():
    t = npgrad.ones(2, 4, 5)
    out = F.erase(t, 1, 2, 2, 3, npgrad.tensor([[[7.0]], [[9.0]]]))
    assert t.numpy().min() == 1.0  # not in place
    assert (out.numpy()[0, 1:3, 2:5] == 7).all() and (out.numpy()[1, 1:3, 2:5] == 9).all()
    assert out.numpy().sum() == 2 * 20 - 12 + 6 * 7 + 6 * 9
    same = F.erase(t, 0, 0, 1, 1, 0.0, inplace=True)
    assert same is t and t.numpy()[0, 0, 0] == 0.0
    with pytest.raises(TypeError, match="img should be Tensor Image. Got Image"):
        F.erase(Image.new("L", (2, 2)), 0, 0, 1, 1, 0)


def test_functions_say_what_they_expected(rgb_array):
    with pytest.raises(
        TypeError,
        match=r"img should be a PIL Image or a Tensor image of shape \(..., C, H, W\), got ndarray",
    ):
        F.hflip(rgb_array)
    with pytest.raises(
        TypeError, match=r"expected at least 2 dimensions \(H, W\), got shape \(3,\)"
    ):
        F.crop(npgrad.zeros(3), 0, 0, 1, 1)
    with pytest.raises(RuntimeError, match="call .detach"):
        F.vflip(npgrad.zeros(1, 2, 2, requires_grad=True))
    assert F.get_dimensions(npgrad.zeros(4, 5)) == [1, 4, 5]
    assert F.get_image_size(Image.new("RGB", (7, 3))) == [7, 3]
    assert F.get_image_num_channels(Image.new("RGBA", (1, 1))) == 4


def test_real_photos_convert_and_resize_consistently(real_image):
    t = F.to_tensor(real_image)
    assert t.shape == (3, 427, 640)
    np.testing.assert_array_equal(
        t.numpy(), np.asarray(real_image).transpose(2, 0, 1) / np.float32(255)
    )
    small = F.resize(t, 64)
    assert small.shape == (3, 64, 95)
    expected = np.stack(
        [np.asarray(c.resize((95, 64), Image.BILINEAR)) for c in pil_channels_f(t.numpy())]
    )
    np.testing.assert_allclose(small.numpy(), expected, atol=2e-6)
