"""make_grid / save_image (torchvision's semantics) and the Pillow plots."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import npgrad
from npgrad.vision.utils import (
    confusion_matrix,
    draw_confusion_matrix,
    make_grid,
    plot_history,
    save_image,
    to_pil_image,
)


def batch(n: int, c: int = 1, h: int = 2, w: int = 3) -> npgrad.Tensor:
    """Image k is filled with (k + 1) / 10 (so each tile is recognisable)."""
    values = (np.arange(n, dtype=np.float32) + 1) / 10
    return npgrad.from_numpy(np.broadcast_to(values[:, None, None, None], (n, c, h, w)).copy())


# ---- make_grid ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "nrow", "padding"), [(10, 4, 2), (8, 8, 0), (3, 5, 1), (7, 3, 3)])
def test_grid_shape_follows_torchvision(n: int, nrow: int, padding: int) -> None:
    grid = make_grid(batch(n, h=5, w=7), nrow=nrow, padding=padding)
    xmaps = min(nrow, n)
    ymaps = math.ceil(n / xmaps)
    assert grid.shape == (3, (5 + padding) * ymaps + padding, (7 + padding) * xmaps + padding)
    assert grid.dtype == np.float32


def test_grid_layout_by_hand() -> None:
    grid = make_grid(batch(3, h=1, w=2), nrow=2, padding=1, pad_value=0.5).numpy()
    assert grid.shape == (3, 5, 7)
    expected = np.array(
        [
            [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
            [0.5, 0.1, 0.1, 0.5, 0.2, 0.2, 0.5],
            [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
            [0.5, 0.3, 0.3, 0.5, 0.5, 0.5, 0.5],  # the missing 4th tile stays padding
            [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
        ],
        dtype=np.float32,
    )
    for channel in grid:  # grey images are repeated over three channels
        np.testing.assert_array_equal(channel, expected)


def test_grid_keeps_rgb_channels() -> None:
    x = npgrad.from_numpy(np.arange(2 * 3 * 2 * 2, dtype=np.float64).reshape(2, 3, 2, 2))
    grid = make_grid(x, padding=0).numpy()
    assert grid.dtype == np.float64
    np.testing.assert_array_equal(grid[:, :, :2], x.numpy()[0])
    np.testing.assert_array_equal(grid[:, :, 2:], x.numpy()[1])


def test_grid_single_images_and_lists() -> None:
    assert make_grid(npgrad.zeros(1, 4, 5)).shape == (3, 4, 5)  # one grey image: no padding
    assert make_grid(npgrad.zeros(4, 5)).shape == (3, 4, 5)
    assert make_grid(npgrad.zeros(1, 3, 4, 5)).shape == (3, 4, 5)
    tiles = [batch(1)[0], batch(2)[1]]
    np.testing.assert_array_equal(make_grid(tiles).numpy(), make_grid(batch(2)).numpy())


def test_grid_normalize() -> None:
    x = npgrad.tensor([[[[-2.0, 0.0]]], [[[2.0, 6.0]]]])
    whole = make_grid(x, normalize=True, padding=0).numpy()[0]
    np.testing.assert_allclose(whole, [[0.0, 0.25, 0.5, 1.0]])
    each = make_grid(x, normalize=True, scale_each=True, padding=0).numpy()[0]
    np.testing.assert_allclose(each, [[0.0, 1.0, 0.0, 1.0]])
    ranged = make_grid(x, normalize=True, value_range=(0.0, 4.0), padding=0).numpy()[0]
    np.testing.assert_allclose(ranged, [[0.0, 0.0, 0.5, 1.0]])  # clipped to the range
    np.testing.assert_array_equal(x.numpy()[1, 0, 0], [2.0, 6.0])  # the input is untouched
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(x, normalize=True, value_range=[0, 1])  # type: ignore[arg-type]


def test_grid_detaches_and_checks_types() -> None:
    x = npgrad.ones(2, 1, 2, 2, requires_grad=True)
    assert not make_grid(x).requires_grad
    with pytest.raises(TypeError, match="expected a Tensor"):
        make_grid(np.zeros((2, 1, 2, 2)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same shape"):
        make_grid([npgrad.zeros(1, 2, 2), npgrad.zeros(1, 3, 3)])
    with pytest.raises(ValueError, match=r"expected images of shape \(B, C, H, W\)"):
        make_grid(npgrad.zeros(1, 1, 1, 2, 2))


# ---- saving ------------------------------------------------------------------------------------
def test_save_image_png_roundtrip(tmp_path: Path) -> None:
    x = npgrad.tensor([[[0.0, 0.5, 1.0], [0.2, 1.5, -1.0]]])  # (1, 2, 3)
    path = tmp_path / "img.png"
    save_image(x, path)
    with Image.open(path) as img:
        assert img.format == "PNG" and img.size == (3, 2) and img.mode == "RGB"
        pixels = np.asarray(img)
    # torchvision's conversion: x * 255 + 0.5, clamped to [0, 255], truncated
    assert pixels[..., 0].tolist() == [[0, 128, 255], [51, 255, 0]]


def test_save_image_grid_to_file_object() -> None:
    buf = io.BytesIO()
    save_image(batch(6, h=4, w=4), buf, format="PNG", nrow=3, padding=1)
    img = Image.open(io.BytesIO(buf.getvalue()))
    assert img.size == (3 * 5 + 1, 2 * 5 + 1)
    assert img.getpixel((1, 1)) == (int(0.1 * 255 + 0.5),) * 3
    assert img.getpixel((0, 0)) == (0, 0, 0)


def test_to_pil_image() -> None:
    assert to_pil_image(npgrad.ones(1, 2, 2)).mode == "L"
    assert to_pil_image(npgrad.zeros(2, 2)).getpixel((0, 0)) == 0
    with pytest.raises(ValueError, match="C = 1 or 3"):
        to_pil_image(npgrad.zeros(2, 2, 2))


# ---- confusion matrix --------------------------------------------------------------------------
def test_confusion_matrix() -> None:
    m = confusion_matrix(npgrad.tensor([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]))
    assert m.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]] and m.dtype == np.int64
    assert confusion_matrix([1], [1], num_classes=4).shape == (4, 4)
    assert confusion_matrix([], [], num_classes=2).tolist() == [[0, 0], [0, 0]]
    with pytest.raises(ValueError, match=">= num_classes=2"):
        confusion_matrix([0, 2], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match="y_true has 2 labels, y_pred 1"):
        confusion_matrix([0, 1], [0])
    with pytest.raises(TypeError, match="integers"):
        confusion_matrix([0.5], [0.0])
    with pytest.raises(ValueError, match="non-negative"):
        confusion_matrix([-1], [0])


def cell_color(img: Image.Image, i: int, j: int, k: int, cell: int = 36) -> tuple[int, ...]:
    """The colour near the top-left corner of cell (i, j) (away from its centred text)."""
    width, height = img.size
    left, top = width - 4 - k * cell, height - 4 - k * cell
    return img.getpixel((left + j * cell + 3, top + i * cell + 3))


def test_draw_confusion_matrix(tmp_path: Path) -> None:
    m = [[50, 0, 2], [5, 30, 0], [0, 25, 10]]
    path = tmp_path / "cm.png"
    img = draw_confusion_matrix(m, path, class_names=["cat", "dog", "bird"], title="Confusion")
    with Image.open(path) as saved:
        assert saved.format == "PNG" and saved.size == img.size
    assert cell_color(img, 0, 0, 3) == (8, 48, 107)  # the largest count: darkest
    assert cell_color(img, 0, 1, 3) == (255, 255, 255)  # zero: white
    r_small, r_mid = cell_color(img, 1, 0, 3)[0], cell_color(img, 2, 1, 3)[0]
    assert 255 > r_small > r_mid > 8  # 5 lighter than 25
    # some dark text is drawn (labels, counts)
    assert (np.asarray(img.convert("L")) < 50).sum() > 50


def test_draw_confusion_matrix_normalized() -> None:
    img = draw_confusion_matrix(confusion_matrix([0, 0, 1, 1], [0, 0, 1, 0]), normalize=True)
    assert cell_color(img, 0, 0, 2) == (8, 48, 107)  # 1.0 of its row
    assert cell_color(img, 1, 0, 2) == cell_color(img, 1, 1, 2)  # 0.5 and 0.5


def test_draw_confusion_matrix_errors() -> None:
    with pytest.raises(ValueError, match="square"):
        draw_confusion_matrix([[1, 2, 3]])
    with pytest.raises(ValueError, match="2 class names for 3 classes"):
        draw_confusion_matrix(np.eye(3), class_names=["a", "b"])


# ---- history -----------------------------------------------------------------------------------
def test_plot_history(tmp_path: Path) -> None:
    path = tmp_path / "history.png"
    img = plot_history(
        {"train loss": [2.0, 1.0, 0.6, 0.4], "val loss": [2.2, 1.4, 1.0, float("nan")]},
        path,
        size=(400, 300),
        title="Loss",
    )
    with Image.open(path) as saved:
        assert saved.format == "PNG" and img.size == (400, 300)
    pixels = np.asarray(img).reshape(-1, 3)
    blue = (pixels == (31, 119, 180)).all(axis=1).sum()
    orange = (pixels == (255, 127, 14)).all(axis=1).sum()
    assert blue > 200 and orange > 150  # both lines drawn (the NaN point skipped)


def test_plot_history_line_goes_down() -> None:
    img = plot_history({"loss": [1.0, 0.0]}, size=(300, 200))
    ys, xs = np.nonzero((np.asarray(img) == (31, 119, 180)).all(axis=2))
    left, right = xs < xs.min() + 20, xs > xs.max() - 40
    assert ys[left].mean() < ys[right].mean()  # high loss at the start: near the top


def test_plot_history_constant_series_and_file_object() -> None:
    buf = io.BytesIO()
    plot_history({"acc": [0.5, 0.5, 0.5]}, buf)
    assert Image.open(io.BytesIO(buf.getvalue())).format == "PNG"


@pytest.mark.parametrize(
    ("history", "match"),
    [
        ({}, "non-empty mapping"),
        ({"a": []}, "'a' is empty"),
        ({"a": [float("nan")]}, "no finite value"),
    ],
)
def test_plot_history_errors(history: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        plot_history(history)
    with pytest.raises(ValueError, match="too small"):
        plot_history({"a": [1.0]}, size=(30, 30))
