"""The deterministic transform classes and containers: they call the functional ops with their
arguments, validate them like torchvision and print like torchvision."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import npgrad
import npgrad.data.transforms.functional as F
from npgrad.data import transforms as T


def test_compose_applies_in_order_and_prints_each_transform():
    t = T.Compose([T.ToTensor(), T.Normalize([0.5], [0.25]), T.Reshape(-1)])
    out = t(np.array([[0, 255]], dtype=np.uint8))
    np.testing.assert_allclose(out.numpy(), [-2.0, 2.0])
    assert repr(t) == (
        "Compose(\n    ToTensor()\n    Normalize(mean=[0.5], std=[0.25])\n    Reshape(shape=(-1,))\n)"
    )


def test_to_tensor_and_back_round_trips(rgb_image):
    t = T.ToTensor()(rgb_image)
    assert t.dtype == np.float32 and t.shape == (3, 29, 37)
    back = T.ToPILImage()(t)
    np.testing.assert_array_equal(np.asarray(back), np.asarray(rgb_image))
    u = T.PILToTensor()(rgb_image)
    assert u.dtype == np.uint8 and T.ToPILImage("RGB")(u).mode == "RGB"
    assert repr(T.ToPILImage("L")) == "ToPILImage(mode=L)" and repr(T.ToTensor()) == "ToTensor()"


def test_forward_is_the_same_as_calling(rgb_image):
    t = T.Grayscale()
    np.testing.assert_array_equal(np.asarray(t.forward(rgb_image)), np.asarray(t(rgb_image)))
    with pytest.raises(NotImplementedError, match="should implement forward"):
        T.Transform()(1)


def test_normalize_and_convert_image_dtype_classes():
    x = npgrad.ones(2, 1, 1)
    np.testing.assert_array_equal(
        T.Normalize([0.0, 0.5], [1.0, 0.5])(x).numpy().ravel(), [1.0, 1.0]
    )
    same = T.Normalize([0.5, 0.5], [0.5, 0.5], inplace=True)(x)
    assert same is x and x.numpy().ravel().tolist() == [1.0, 1.0]
    c = T.ConvertImageDtype(npgrad.uint8)
    assert c(npgrad.tensor([1.0])).tolist() == [255] and repr(c) == "ConvertImageDtype(dtype=uint8)"


def test_resize_validates_and_prints_like_torchvision(rgb_image):
    assert T.Resize(10)(rgb_image).size == (12, 10)
    assert T.Resize([5, 6], interpolation=T.InterpolationMode.NEAREST)(rgb_image).size == (6, 5)
    assert repr(T.Resize(8, max_size=12)) == (
        "Resize(size=8, interpolation=bilinear, max_size=12, antialias=True)"
    )
    with pytest.raises(TypeError, match="Size should be int or sequence. Got float"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="If size is a sequence, it should have 1 or 2 values"):
        T.Resize([1, 2, 3])
    with pytest.raises(TypeError, match="InterpolationMode"):
        T.Resize(4, interpolation="nearest")


def test_center_crop_and_pad_classes(rgb_image):
    assert T.CenterCrop(10)(rgb_image).size == (10, 10)
    assert T.CenterCrop((5, 8))(rgb_image).size == (8, 5)
    assert repr(T.CenterCrop(4)) == "CenterCrop(size=(4, 4))"
    with pytest.raises(ValueError, match=r"Please provide only two dimensions \(h, w\) for size"):
        T.CenterCrop([1, 2, 3])
    padded = T.Pad([1, 2], fill=3)(rgb_image)
    assert padded.size == (39, 33) and padded.getpixel((0, 0)) == (3, 3, 3)
    assert repr(T.Pad(2)) == "Pad(padding=2, fill=0, padding_mode=constant)"
    with pytest.raises(ValueError, match="Padding mode should be"):
        T.Pad(1, padding_mode="wrap")
    with pytest.raises(ValueError, match="not a 3 element tuple"):
        T.Pad([1, 2, 3])


def test_lambda_and_grayscale_classes(rgb_image):
    assert T.Lambda(lambda img: img.size)(rgb_image) == (37, 29)
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)
    assert T.GrayScale is T.Grayscale  # nptorch's spelling
    one, three = T.Grayscale()(rgb_image), T.Grayscale(3)(rgb_image)
    assert one.mode == "L" and three.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(three)[..., 2], np.asarray(one))
    with pytest.raises(ValueError, match="num_output_channels should be either 1 or 3"):
        T.Grayscale(2)


def test_reshape_flattens_tensors_and_arrays():
    assert T.Reshape(-1)(npgrad.zeros(1, 4, 4)).shape == (16,)
    assert T.Reshape(2, 8)(npgrad.zeros(1, 4, 4)).shape == (2, 8)
    assert T.Reshape([4, -1])(np.zeros((2, 8))).shape == (4, 4)
    with pytest.raises(TypeError, match="Reshape expects a Tensor or ndarray, got Image"):
        T.Reshape(-1)(Image.new("L", (2, 2)))
    with pytest.raises(TypeError, match="the shape must be ints"):
        T.Reshape("a")
    with pytest.raises(TypeError, match="the shape must be ints"):
        T.Reshape()


def test_a_typical_evaluation_pipeline_on_real_photos(real_image):
    pipeline = T.Compose(
        [
            T.Resize(64),
            T.CenterCrop(56),
            T.ToTensor(),
            T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
        ]
    )
    out = pipeline(real_image)
    assert out.shape == (3, 56, 56) and out.dtype == np.float32
    small = real_image.resize((95, 64), Image.BILINEAR)
    crop = np.asarray(small)[4:60, 20:76].transpose(2, 0, 1) / np.float32(255)
    mean = np.float32([0.485, 0.456, 0.406])[:, None, None]
    std = np.float32([0.229, 0.224, 0.225])[:, None, None]
    np.testing.assert_allclose(out.numpy(), (crop - mean) / std, rtol=1e-6, atol=1e-6)
    # the same pipeline on a tensor image gives nearly the same result
    tensor_first = T.Compose([T.ToTensor(), T.Resize(64), T.CenterCrop(56)])(real_image)
    assert np.abs(tensor_first.numpy() - crop).max() < 3 / 255
    assert F.get_dimensions(out) == [3, 56, 56]
