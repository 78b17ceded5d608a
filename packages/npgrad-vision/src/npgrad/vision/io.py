"""Reading and writing image files as tensors (torchvision's ``torchvision.io`` image API),
with Pillow as the codec.

Decoding gives ``uint8`` tensors ``(C, H, W)`` in ``[0, 255]`` — channels first, unlike a PIL
image or ``ToTensor``'s float output — and encoding takes them. ``mode`` converts while
decoding: ``"UNCHANGED"`` keeps the file's channels (1 gray, 2 gray + alpha, 3 RGB, 4 RGBA; a
palette image becomes RGB, or RGBA when it has transparency), ``"GRAY"``, ``"GRAY_ALPHA"``,
``"RGB"`` and ``"RGB_ALPHA"`` (``"RGBA"``) convert to that many channels.

Examples
--------
>>> import npgrad
>>> from npgrad.vision import io
>>> image = npgrad.arange(24, dtype=npgrad.uint8).reshape(3, 2, 4)
>>> data = io.encode_png(image)
>>> data.dtype, data.ndim
(dtype('uint8'), 1)
>>> npgrad.equal(io.decode_image(data), image)
True
>>> io.decode_image(data, mode="GRAY").shape
npgrad.Size([1, 2, 4])
"""

from __future__ import annotations

import enum
import io as _io
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

import npgrad
from npgrad._device import parse_device
from npgrad.serialization import write_atomic
from npgrad.tensor import Tensor

__all__ = [
    "ImageReadMode",
    "decode_gif",
    "decode_image",
    "decode_jpeg",
    "decode_png",
    "decode_webp",
    "encode_jpeg",
    "encode_png",
    "read_file",
    "read_image",
    "write_file",
    "write_jpeg",
    "write_png",
]

PathLike = str | os.PathLike[str]


class ImageReadMode(enum.Enum):
    """How :func:`decode_image` and :func:`read_image` convert the decoded channels; the
    functions also take the names as strings (``mode="RGB"``, any case)."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = 4  # an alias of RGB_ALPHA


_PIL_MODE = {
    ImageReadMode.GRAY: "L",
    ImageReadMode.GRAY_ALPHA: "LA",
    ImageReadMode.RGB: "RGB",
    ImageReadMode.RGB_ALPHA: "RGBA",
}


def _mode(where: str, mode: Any) -> ImageReadMode:
    if isinstance(mode, ImageReadMode):
        return mode
    if isinstance(mode, str):
        try:
            return ImageReadMode[mode.upper()]
        except KeyError:
            pass
    names = ", ".join(repr(m.name) for m in ImageReadMode)
    raise ValueError(f"{where}: unknown mode {mode!r}; expected an ImageReadMode or one of {names}")


# ---- files -----------------------------------------------------------------------------------
def read_file(path: PathLike) -> Tensor:
    """The bytes of the file at ``path`` as a one-dimensional ``uint8`` tensor."""
    with open(path, "rb") as f:
        data = f.read()
    return npgrad.from_numpy(np.frombuffer(data, np.uint8).copy())


def write_file(filename: PathLike, data: Tensor) -> None:
    """Write a one-dimensional ``uint8`` tensor's bytes to ``filename`` (through a temporary
    file: a failed write leaves an existing file as it was)."""
    write_atomic(filename, _bytes_of("write_file", data), "write_file")


def _bytes_of(where: str, data: Any) -> bytes:
    if not isinstance(data, Tensor):
        raise TypeError(f"{where}: expected a uint8 Tensor of bytes, got {type(data).__name__}")
    if data.dtype != npgrad.uint8 or data.ndim != 1:
        raise ValueError(
            f"{where}: expected a one-dimensional uint8 tensor of bytes, got a {data.dtype} "
            f"tensor of shape {tuple(data.shape)}"
        )
    return bytes(np.ascontiguousarray(data.detach().numpy()).data)


# ---- decoding --------------------------------------------------------------------------------
def decode_image(
    input: Tensor | PathLike,  # noqa: A002
    mode: ImageReadMode | str = ImageReadMode.UNCHANGED,
    apply_exif_orientation: bool = False,
) -> Tensor:
    """Decode a JPEG, PNG, GIF or WebP image (or any other format Pillow reads) into a
    ``uint8`` tensor ``(C, H, W)``.

    ``input`` is a one-dimensional ``uint8`` tensor of the file's bytes, or a path.
    ``apply_exif_orientation`` rotates/flips the image as its EXIF orientation tag says. An
    animated GIF gives ``(N, C, H, W)``, one image per frame, and ignores ``mode`` and the
    orientation (torchvision's ``decode_gif``). 16-bit PNGs decode to ``int32`` values in
    ``[0, 65535]`` (torchvision: ``uint16``, which npgrad has not).
    """
    return _decode("decode_image", input, mode, apply_exif_orientation, formats=None)


def read_image(
    path: PathLike,
    mode: ImageReadMode | str = ImageReadMode.UNCHANGED,
    apply_exif_orientation: bool = False,
) -> Tensor:
    """:func:`decode_image` of the file at ``path``."""
    return _decode("read_image", path, mode, apply_exif_orientation, formats=None)


def decode_png(
    input: Tensor,  # noqa: A002
    mode: ImageReadMode | str = ImageReadMode.UNCHANGED,
    apply_exif_orientation: bool = False,
) -> Tensor:
    """:func:`decode_image` for PNG bytes only (RuntimeError for another format)."""
    return _decode("decode_png", input, mode, apply_exif_orientation, formats=("PNG",))


def decode_jpeg(
    input: Tensor | Sequence[Tensor],  # noqa: A002
    mode: ImageReadMode | str = ImageReadMode.UNCHANGED,
    device: Any = "cpu",
    apply_exif_orientation: bool = False,
) -> Tensor | list[Tensor]:
    """:func:`decode_image` for JPEG bytes only; a list of byte tensors gives a list of
    images. ``device`` must be the CPU."""
    parse_device("decode_jpeg", device)  # only the CPU exists: any other device raises
    if isinstance(input, (list, tuple)):
        return [
            _decode("decode_jpeg", d, mode, apply_exif_orientation, formats=("JPEG", "MPO"))
            for d in input
        ]
    return _decode("decode_jpeg", input, mode, apply_exif_orientation, formats=("JPEG", "MPO"))


def decode_gif(input: Tensor) -> Tensor:  # noqa: A002
    """GIF bytes as ``(C, H, W)``, or ``(N, C, H, W)`` for an animation of N frames (RGB)."""
    return _decode("decode_gif", input, ImageReadMode.UNCHANGED, False, formats=("GIF",))


def decode_webp(
    input: Tensor,  # noqa: A002
    mode: ImageReadMode | str = ImageReadMode.UNCHANGED,
) -> Tensor:
    """:func:`decode_image` for WebP bytes only."""
    return _decode("decode_webp", input, mode, False, formats=("WEBP",))


def _decode(
    where: str,
    source: Any,
    mode: Any,
    apply_exif_orientation: bool,
    formats: tuple[str, ...] | None,
) -> Tensor:
    read_mode = _mode(where, mode)
    if isinstance(source, Tensor):
        data, what = _bytes_of(where, source), "the given bytes"
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            data = f.read()
        what = os.fspath(source)
    else:
        raise TypeError(
            f"{where}: expected a uint8 Tensor of bytes or a path, got {type(source).__name__}"
        )
    image: Image.Image
    try:
        image = Image.open(_io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise RuntimeError(f"{where}: cannot decode {what} as an image: {e}") from None
    if formats is not None and image.format not in formats:
        raise RuntimeError(
            f"{where}: {what} is a {image.format or 'unknown'} image, expected {formats[0]}"
        )
    n_frames = getattr(image, "n_frames", 1)
    if image.format == "GIF" and n_frames > 1:
        frames = []
        for k in range(n_frames):
            image.seek(k)
            frames.append(_channels_first(np.asarray(image.convert("RGB"))))
        return npgrad.from_numpy(np.stack(frames))
    if image.format == "GIF":  # torchvision: GIFs are RGB, whatever mode is asked
        read_mode = ImageReadMode.RGB
    if apply_exif_orientation:
        image = ImageOps.exif_transpose(image)
    return npgrad.from_numpy(_channels_first(_pixels(image, read_mode)))


def _pixels(image: Image.Image, mode: ImageReadMode) -> np.ndarray:
    """The image's pixels, ``(H, W)`` or ``(H, W, C)``, converted to ``mode``."""
    if mode is not ImageReadMode.UNCHANGED:
        return np.asarray(image.convert(_PIL_MODE[mode]))
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit gray PNG: no uint16 in npgrad
        return np.asarray(image, dtype=np.int32)
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode == "PA":
        image = image.convert("RGBA")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode not in ("L", "LA", "RGB", "RGBA"):  # CMYK, YCbCr, LAB, ...
        image = image.convert("RGB")
    return np.asarray(image)


def _channels_first(pixels: np.ndarray) -> np.ndarray:
    if pixels.ndim == 2:
        return np.ascontiguousarray(pixels[None])
    return np.ascontiguousarray(pixels.transpose(2, 0, 1))


# ---- encoding --------------------------------------------------------------------------------
def _image_array(where: str, input: Any) -> np.ndarray:  # noqa: A002
    """``input`` (uint8, ``(C, H, W)``, C = 1 or 3) as an ``(H, W)`` or ``(H, W, 3)`` array."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{where}: expected a uint8 Tensor, got {type(input).__name__}")
    if input.dtype != npgrad.uint8:
        raise RuntimeError(f"{where}: input tensor dtype should be uint8, got {input.dtype}")
    if input.ndim != 3 or input.shape[0] not in (1, 3) or input.numel() == 0:
        raise RuntimeError(
            f"{where}: expected a non-empty (C, H, W) image with 1 or 3 channels, got shape "
            f"{tuple(input.shape)}"
        )
    a = input.detach().numpy()
    return a[0] if a.shape[0] == 1 else a.transpose(1, 2, 0)


def _encode(image: Image.Image, fmt: str, **options: Any) -> Tensor:
    out = _io.BytesIO()
    image.save(out, format=fmt, **options)
    return npgrad.from_numpy(np.frombuffer(out.getvalue(), np.uint8).copy())


def encode_png(input: Tensor, compression_level: int = 6) -> Tensor:  # noqa: A002
    """A ``uint8`` image ``(C, H, W)`` (1 or 3 channels) as PNG bytes (a one-dimensional
    ``uint8`` tensor); ``compression_level`` from 0 (none) to 9."""
    if not 0 <= compression_level <= 9:
        raise ValueError(
            f"encode_png: compression_level must be between 0 and 9, got {compression_level}"
        )
    pixels = _image_array("encode_png", input)
    return _encode(Image.fromarray(pixels), "PNG", compress_level=compression_level)


def write_png(input: Tensor, filename: PathLike, compression_level: int = 6) -> None:  # noqa: A002
    """:func:`encode_png`, written to ``filename`` (atomically)."""
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(
    input: Tensor | Sequence[Tensor],  # noqa: A002
    quality: int = 75,
) -> Tensor | list[Tensor]:
    """A ``uint8`` image ``(C, H, W)`` (1 or 3 channels) as JPEG bytes, ``quality`` from 1
    to 100; a list of images gives a list of byte tensors."""
    if not 1 <= quality <= 100:
        raise ValueError(f"encode_jpeg: quality must be between 1 and 100, got {quality}")
    if isinstance(input, (list, tuple)):
        return [encode_jpeg(t, quality) for t in input]  # type: ignore[misc]
    pixels = _image_array("encode_jpeg", input)
    return _encode(Image.fromarray(pixels), "JPEG", quality=quality)


def write_jpeg(input: Tensor, filename: PathLike, quality: int = 75) -> None:  # noqa: A002
    """:func:`encode_jpeg`, written to ``filename`` (atomically)."""
    data = encode_jpeg(input, quality)
    assert isinstance(data, Tensor)
    write_file(filename, data)
