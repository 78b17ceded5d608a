"""roi_align / roi_pool against slow per-box, per-sample references written from torchvision's
documented algorithm, plus gradients (gradcheck, gradgradcheck) and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.vision.ops import RoIAlign, RoIPool, roi_align, roi_pool


def bilinear(img: np.ndarray, y: float, x: float) -> float:
    h, w = img.shape
    if y < -1.0 or y > h or x < -1.0 or x > w:
        return 0.0
    y, x = max(y, 0.0), max(x, 0.0)
    y0, x0 = int(y), int(x)
    if y0 >= h - 1:
        y0 = y1 = h - 1
        y = float(y0)
    else:
        y1 = y0 + 1
    if x0 >= w - 1:
        x0 = x1 = w - 1
        x = float(x0)
    else:
        x1 = x0 + 1
    ly, lx = y - y0, x - x0
    hy, hx = 1 - ly, 1 - lx
    return (
        hy * hx * img[y0, x0]
        + hy * lx * img[y0, x1]
        + ly * hx * img[y1, x0]
        + ly * lx * img[y1, x1]
    )


def roi_align_ref(x, rois, ph, pw, scale, ratio, aligned):
    k, c = len(rois), x.shape[1]
    out = np.zeros((k, c, ph, pw))
    off = 0.5 if aligned else 0.0
    for r, (b, x1, y1, x2, y2) in enumerate(rois):
        sx, sy = x1 * scale - off, y1 * scale - off
        rw, rh = x2 * scale - off - sx, y2 * scale - off - sy
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / ph, rw / pw
        gh = ratio if ratio > 0 else math.ceil(rh / ph)
        gw = ratio if ratio > 0 else math.ceil(rw / pw)
        cnt = max(gh * gw, 1)
        for ch in range(c):
            for i in range(ph):
                for j in range(pw):
                    acc = 0.0
                    for iy in range(gh):
                        yy = sy + i * bh + (iy + 0.5) * bh / gh
                        for ix in range(gw):
                            xx = sx + j * bw + (ix + 0.5) * bw / gw
                            acc += bilinear(x[int(b), ch], yy, xx)
                    out[r, ch, i, j] = acc / cnt
    return out


def c_round(v: float) -> int:
    return int(math.floor(abs(v) + 0.5) * (1 if v >= 0 else -1))


def roi_pool_ref(x, rois, ph, pw, scale):
    k, c, h, w = len(rois), x.shape[1], x.shape[2], x.shape[3]
    out = np.zeros((k, c, ph, pw))
    for r, (b, x1, y1, x2, y2) in enumerate(rois):
        sw, sh = c_round(x1 * scale), c_round(y1 * scale)
        ew, eh = c_round(x2 * scale), c_round(y2 * scale)
        rw, rh = max(ew - sw + 1, 1), max(eh - sh + 1, 1)
        bh, bw = rh / ph, rw / pw
        for ch in range(c):
            for i in range(ph):
                hs = min(max(math.floor(i * bh) + sh, 0), h)
                he = min(max(math.ceil((i + 1) * bh) + sh, 0), h)
                for j in range(pw):
                    ws = min(max(math.floor(j * bw) + sw, 0), w)
                    we = min(max(math.ceil((j + 1) * bw) + sw, 0), w)
                    if he <= hs or we <= ws:
                        continue
                    out[r, ch, i, j] = x[int(b), ch, hs:he, ws:we].max()
    return out


RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 7, 9))
ROIS = np.array(
    [
        [0, 0.0, 0.0, 8.0, 6.0],
        [1, 1.3, 2.2, 5.7, 4.1],
        [0, -2.0, -1.5, 3.0, 2.0],  # partly outside
        [1, 6.0, 4.0, 12.0, 9.0],  # partly outside, bottom right
        [0, 2.5, 2.5, 2.5, 2.5],  # degenerate
        [1, 0.4, 0.6, 17.0, 13.0],  # bigger than the map (scale 0.5 brings it in)
    ]
)


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("ratio", [-1, 1, 2])
@pytest.mark.parametrize("scale", [1.0, 0.5])
@pytest.mark.parametrize("out", [(2, 3), (1, 1)])
def test_roi_align_matches_reference(aligned, ratio, scale, out) -> None:
    got = roi_align(npgrad.tensor(X), npgrad.tensor(ROIS), out, scale, ratio, aligned)
    want = roi_align_ref(X, ROIS, *out, scale, ratio, aligned)
    assert got.shape == want.shape and got.dtype == np.float64
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


def test_roi_align_float32_and_list_boxes() -> None:
    x32 = X.astype(np.float32)
    boxes = [npgrad.tensor(ROIS[ROIS[:, 0] == i, 1:]) for i in range(2)]
    got = roi_align(npgrad.tensor(x32), boxes, 3, 1.0, -1, True)
    order = np.concatenate([np.flatnonzero(ROIS[:, 0] == i) for i in range(2)])
    want = roi_align_ref(x32.astype(np.float64), ROIS[order], 3, 3, 1.0, -1, True)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("scale", [1.0, 0.5, 0.25])
@pytest.mark.parametrize("out", [(2, 2), (3, 4), (1, 1)])
def test_roi_pool_matches_reference(scale, out) -> None:
    got = roi_pool(npgrad.tensor(X), npgrad.tensor(ROIS), out, scale)
    want = roi_pool_ref(X, ROIS, *out, scale)
    assert got.shape == want.shape and got.dtype == np.float64
    np.testing.assert_array_equal(got.numpy(), want)


def test_roi_pool_rounds_halves_away_from_zero_and_float32() -> None:
    rois = np.array([[0, 0.5, 0.5, 2.5, 2.5], [0, 1.5, 1.5, 3.5, 4.5]])
    x32 = X.astype(np.float32)
    got = roi_pool(npgrad.tensor(x32), npgrad.tensor(rois), 2)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got.numpy(), roi_pool_ref(x32, rois, 2, 2, 1.0))


def test_roi_pool_gradient_goes_to_first_maximum() -> None:
    x = npgrad.tensor(np.ones((1, 1, 3, 3)), requires_grad=True)
    roi_pool(x, npgrad.tensor([[0.0, 0.0, 0.0, 2.0, 2.0]]), 1).sum().backward()
    want = np.zeros((1, 1, 3, 3))
    want[0, 0, 0, 0] = 1
    np.testing.assert_array_equal(x.grad.numpy(), want)


def test_roi_align_gradients() -> None:
    x = npgrad.tensor(RNG.standard_normal((2, 2, 5, 6)), requires_grad=True)
    rois = npgrad.tensor(ROIS[:4] * [1, 0.6, 0.6, 0.6, 0.6])
    assert gradcheck(lambda t: roi_align(t, rois, (2, 2), 1.0, -1, False), (x,))
    assert gradcheck(lambda t: roi_align(t, rois, 3, 0.5, 2, True), (x,))
    assert gradgradcheck(lambda t: roi_align(t, rois, 2, 1.0, 2, True) ** 2, (x,))


def test_roi_pool_gradients() -> None:
    x = npgrad.tensor(RNG.standard_normal((2, 2, 5, 6)), requires_grad=True)
    rois = npgrad.tensor(ROIS[:4] * [1, 0.6, 0.6, 0.6, 0.6])
    assert gradcheck(lambda t: roi_pool(t, rois, (2, 3), 1.0), (x,))
    assert gradgradcheck(lambda t: roi_pool(t, rois, 2, 1.0) ** 2, (x,))


def test_empty_boxes_and_modules() -> None:
    x = npgrad.tensor(X)
    assert roi_align(x, npgrad.zeros(0, 5, dtype=npgrad.float64), 2).shape == (0, 3, 2, 2)
    assert roi_pool(x, [npgrad.zeros(0, 4), npgrad.zeros(0, 4)], 2).shape == (0, 3, 2, 2)
    np.testing.assert_array_equal(
        RoIAlign(2, 0.5, 2)(x, npgrad.tensor(ROIS)).numpy(),
        roi_align(x, npgrad.tensor(ROIS), 2, 0.5, 2).numpy(),
    )
    np.testing.assert_array_equal(
        RoIPool(2, 0.5)(x, npgrad.tensor(ROIS)).numpy(),
        roi_pool(x, npgrad.tensor(ROIS), 2, 0.5).numpy(),
    )


@pytest.mark.parametrize("fn", [roi_align, roi_pool])
def test_errors(fn) -> None:
    x = npgrad.tensor(X)
    with pytest.raises(ValueError, match=f"{fn.__name__}: boxes as a Tensor must have shape"):
        fn(x, npgrad.zeros(2, 4), 2)
    with pytest.raises(ValueError, match=r"input must have shape \(N, C, H, W\)"):
        fn(npgrad.zeros(3, 4, 5), npgrad.zeros(1, 5), 2)
    with pytest.raises(IndexError, match=r"batch indices must be integers in \[0, 2\)"):
        fn(x, npgrad.tensor([[2.0, 0, 0, 1, 1]]), 2)
    with pytest.raises(ValueError, match=r"boxes\[1\] must be a \(L, 4\) Tensor"):
        fn(x, [npgrad.zeros(1, 4), npgrad.zeros(1, 5)], 2)
    with pytest.raises(ValueError, match="output_size must be positive"):
        fn(x, npgrad.zeros(1, 5), (0, 2))
    with pytest.raises(TypeError, match="boxes must be"):
        fn(x, "boxes", 2)


@pytest.mark.torch
def test_roi_align_matches_torch_grid_sample() -> None:
    """With a fixed sampling ratio and all samples inside the map, RoIAlign is the mean of
    ``grid_sample(align_corners=True)`` at the sample points: compare values and gradients."""
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((1, 2, 6, 7))
    box = (1.2, 0.7, 5.1, 4.3)  # x1, y1, x2, y2
    ph, pw, g = 2, 3, 2
    ys = [
        box[1] + (i + (k + 0.5) / g) * (box[3] - box[1]) / ph for i in range(ph) for k in range(g)
    ]
    xs = [
        box[0] + (j + (k + 0.5) / g) * (box[2] - box[0]) / pw for j in range(pw) for k in range(g)
    ]
    gy, gx = np.meshgrid(np.array(ys) / 5 * 2 - 1, np.array(xs) / 6 * 2 - 1, indexing="ij")
    grid = torch.tensor(np.stack([gx, gy], -1)[None])
    tx = torch.tensor(x, requires_grad=True)
    samples = torch.nn.functional.grid_sample(tx, grid, align_corners=True)
    want = samples.reshape(1, 2, ph, g, pw, g).mean(dim=(3, 5))
    weights = RNG.standard_normal(tuple(want.shape))
    (want * torch.tensor(weights)).sum().backward()
    ours = npgrad.tensor(x, requires_grad=True)
    got = roi_align(ours, npgrad.tensor([[0.0, *box]]), (ph, pw), 1.0, g, aligned=False)
    (got * npgrad.tensor(weights)).sum().backward()
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
