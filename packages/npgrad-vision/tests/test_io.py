"""npgrad.vision.io: image files as uint8 tensors (torchvision's image I/O), checked against
Pillow's own decoding of the same bytes."""

from __future__ import annotations

import io as stdio

import numpy as np
import pytest
from PIL import Image

import npgrad
from npgrad.vision import io


def _png(array: np.ndarray, mode: str | None = None, **info) -> bytes:
    out = stdio.BytesIO()
    image = Image.fromarray(array) if mode is None else Image.fromarray(array, mode)
    image.save(out, "PNG", **info)
    return out.getvalue()


def _tensor(data: bytes) -> npgrad.Tensor:
    return npgrad.from_numpy(np.frombuffer(data, np.uint8).copy())


RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, (5, 7, 3), dtype=np.uint8)
RGBA = RNG.integers(0, 256, (5, 7, 4), dtype=np.uint8)
GRAY = RNG.integers(0, 256, (5, 7), dtype=np.uint8)


@pytest.mark.parametrize(
    ("pixels", "channels"), [(GRAY, 1), (RGB, 3), (RGBA, 4)], ids=["gray", "rgb", "rgba"]
)
def test_decode_unchanged_keeps_the_file_channels(pixels, channels):
    out = io.decode_image(_tensor(_png(pixels)))
    assert out.dtype == npgrad.uint8 and out.shape == (channels, 5, 7)
    expected = pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)
    np.testing.assert_array_equal(out.numpy(), expected)
    assert out.is_contiguous()


@pytest.mark.parametrize(
    ("mode", "pil", "channels"),
    [
        ("GRAY", "L", 1),
        ("gray_alpha", "LA", 2),
        ("RGB", "RGB", 3),
        (io.ImageReadMode.RGBA, "RGBA", 4),
    ],
)
@pytest.mark.parametrize("source", [RGB, RGBA, GRAY], ids=["rgb", "rgba", "gray"])
def test_decode_modes_convert_as_pillow_does(mode, pil, channels, source):
    data = _png(source)
    out = io.decode_image(_tensor(data), mode=mode)
    expected = np.asarray(Image.open(stdio.BytesIO(data)).convert(pil))
    expected = expected[None] if expected.ndim == 2 else expected.transpose(2, 0, 1)
    assert out.shape == (channels, 5, 7)
    np.testing.assert_array_equal(out.numpy(), expected)


def test_image_read_mode_values_and_alias():
    assert [m.value for m in io.ImageReadMode] == [0, 1, 2, 3, 4]
    assert io.ImageReadMode.RGBA is io.ImageReadMode.RGB_ALPHA


def test_palette_images_become_rgb_or_rgba():
    index = RNG.integers(0, 4, (5, 7), dtype=np.uint8)
    palette = Image.fromarray(index, "P")
    palette.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * 756)
    plain, clear = stdio.BytesIO(), stdio.BytesIO()
    palette.save(plain, "PNG")
    palette.save(clear, "PNG", transparency=0)
    rgb = io.decode_image(_tensor(plain.getvalue()))
    rgba = io.decode_image(_tensor(clear.getvalue()))
    assert rgb.shape == (3, 5, 7) and rgba.shape == (4, 5, 7)
    colours = np.array([[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255]], np.uint8)
    np.testing.assert_array_equal(rgb.numpy(), colours[index].transpose(2, 0, 1))
    np.testing.assert_array_equal(rgba.numpy()[3], np.where(index == 0, 0, 255))


def test_sixteen_bit_png_decodes_to_int32():
    deep = RNG.integers(0, 65536, (4, 6), dtype=np.uint16)
    out = stdio.BytesIO()
    Image.fromarray(deep).save(out, "PNG")
    image = io.decode_png(_tensor(out.getvalue()))
    assert image.dtype == npgrad.int32 and image.shape == (1, 4, 6)
    np.testing.assert_array_equal(image.numpy()[0], deep)


def test_png_roundtrip_and_compression_levels():
    image = npgrad.from_numpy(RGB.transpose(2, 0, 1).copy())
    flat = npgrad.zeros(3, 64, 64, dtype=npgrad.uint8)
    sizes = []
    for level in (0, 6, 9):
        data = io.encode_png(image, compression_level=level)
        assert data.dtype == npgrad.uint8 and data.ndim == 1
        assert npgrad.equal(io.decode_png(data), image)
        sizes.append(io.encode_png(flat, compression_level=level).numel())
    assert sizes[0] > 10 * sizes[2]  # level 0 stores, level 9 compresses
    gray = npgrad.from_numpy(GRAY[None].copy())
    assert npgrad.equal(io.decode_image(io.encode_png(gray)), gray)


def test_jpeg_roundtrip_is_close_and_quality_matters():
    smooth = np.linspace(0, 255, 32 * 48 * 3).reshape(32, 48, 3).astype(np.uint8)
    image = npgrad.from_numpy(smooth.transpose(2, 0, 1).copy())
    good, poor = io.encode_jpeg(image, quality=95), io.encode_jpeg(image, quality=10)
    assert good.numel() > poor.numel()
    back = io.decode_jpeg(good)
    assert back.shape == (3, 32, 48)
    assert np.abs(back.numpy().astype(int) - image.numpy()).mean() < 3
    batch = io.encode_jpeg([image, image], quality=50)
    assert isinstance(batch, list) and len(batch) == 2
    assert [t.shape for t in io.decode_jpeg(batch)] == [(3, 32, 48)] * 2


def test_exif_orientation():
    photo = Image.fromarray(RGB)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    out = stdio.BytesIO()
    photo.save(out, "JPEG", exif=exif, quality=95)
    data = _tensor(out.getvalue())
    assert io.decode_image(data).shape == (3, 5, 7)
    turned = io.decode_image(data, apply_exif_orientation=True)
    assert turned.shape == (3, 7, 5)
    expected = np.asarray(Image.open(out).transpose(Image.Transpose.ROTATE_270))
    np.testing.assert_array_equal(turned.numpy(), expected.transpose(2, 0, 1))


def test_gif_frames():
    frames = [Image.fromarray(np.full((4, 6, 3), v, np.uint8)) for v in (0, 128, 255)]
    out = stdio.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    animated = io.decode_gif(_tensor(out.getvalue()))
    assert animated.shape == (3, 3, 4, 6)
    np.testing.assert_array_equal(animated.numpy()[:, :, 0, 0], [[0] * 3, [128] * 3, [255] * 3])
    single = stdio.BytesIO()
    frames[1].save(single, "GIF")
    assert io.decode_image(_tensor(single.getvalue()), mode="GRAY").shape == (3, 4, 6)  # RGB


def test_files(tmp_path):
    image = npgrad.from_numpy(RGB.transpose(2, 0, 1).copy())
    io.write_png(image, tmp_path / "a.png")
    assert npgrad.equal(io.read_image(tmp_path / "a.png"), image)
    assert npgrad.equal(io.read_image(str(tmp_path / "a.png"), mode="RGBA")[:3], image)
    raw = io.read_file(tmp_path / "a.png")
    assert raw.dtype == npgrad.uint8 and bytes(raw.numpy()) == (tmp_path / "a.png").read_bytes()
    io.write_file(tmp_path / "b.png", raw)
    assert (tmp_path / "b.png").read_bytes() == (tmp_path / "a.png").read_bytes()
    assert npgrad.equal(io.decode_image(tmp_path / "b.png"), image)  # a path is decoded too
    io.write_jpeg(image, tmp_path / "c.jpg", quality=90)
    assert io.read_image(tmp_path / "c.jpg").shape == (3, 5, 7)


def test_bad_input(tmp_path):
    image = npgrad.from_numpy(RGB.transpose(2, 0, 1).copy())
    png = io.encode_png(image)
    with pytest.raises(ValueError, match="decode_image: unknown mode 'CMYK'"):
        io.decode_image(png, mode="CMYK")
    with pytest.raises(RuntimeError, match="decode_image: cannot decode the given bytes"):
        io.decode_image(npgrad.tensor([1, 2, 3], dtype=npgrad.uint8))
    with pytest.raises(RuntimeError, match="decode_jpeg: .* is a PNG image, expected JPEG"):
        io.decode_jpeg(png)
    with pytest.raises(RuntimeError, match="decode_png: .* is a JPEG image, expected PNG"):
        io.decode_png(io.encode_jpeg(image))
    with pytest.raises(ValueError, match="decode_image: expected a one-dimensional uint8"):
        io.decode_image(png.to(npgrad.int64))
    with pytest.raises(TypeError, match="decode_image: expected a uint8 Tensor of bytes or a path"):
        io.decode_image([1, 2, 3])
    with pytest.raises(RuntimeError, match="decode_jpeg: npgrad computes on the CPU only"):
        io.decode_jpeg(io.encode_jpeg(image), device="cuda")
    with pytest.raises(RuntimeError, match="encode_png: input tensor dtype should be uint8"):
        io.encode_png(image.float())
    with pytest.raises(RuntimeError, match=r"encode_jpeg: expected a non-empty \(C, H, W\) image"):
        io.encode_jpeg(image[:2])
    with pytest.raises(ValueError, match="compression_level must be between 0 and 9, got 10"):
        io.encode_png(image, compression_level=10)
    with pytest.raises(ValueError, match="quality must be between 1 and 100, got 0"):
        io.encode_jpeg(image, quality=0)
    with pytest.raises(FileNotFoundError):
        io.read_image(tmp_path / "missing.png")
    (tmp_path / "keep.png").write_bytes(b"old")
    with pytest.raises(ValueError, match="write_file: expected a one-dimensional uint8"):
        io.write_file(tmp_path / "keep.png", image)
    assert (tmp_path / "keep.png").read_bytes() == b"old"  # nothing half-written
