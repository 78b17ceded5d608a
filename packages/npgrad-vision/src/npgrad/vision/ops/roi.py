"""Region-of-interest pooling with torchvision's semantics (``roi_align``, ``roi_pool``).

Both compute, from the box coordinates (which get no gradient, as in torchvision), *where* to
read the feature map, in NumPy, and then read it with one npgrad advanced-indexing gather. The
output is therefore a composition of differentiable npgrad ops in the features: gradients (of
any order) flow back to ``input`` without a hand-written kernel, and nothing loops over boxes,
bins or channels in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor, nn
from npgrad.vision.ops.boxes import _number

__all__ = ["RoIAlign", "RoIPool", "roi_align", "roi_pool"]


def _output_size(op: str, output_size: Any) -> tuple[int, int]:
    if isinstance(output_size, int) and not isinstance(output_size, bool):
        size = (output_size, output_size)
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 2:
        size = (int(output_size[0]), int(output_size[1]))
    else:
        raise TypeError(f"{op}: output_size must be an int or (height, width), got {output_size!r}")
    if min(size) < 1:
        raise ValueError(f"{op}: output_size must be positive, got {output_size!r}")
    return size


def _rois(op: str, input: Any, boxes: Any) -> np.ndarray:  # noqa: A002
    """``(K, 5)`` float64 rows ``(batch index, x1, y1, x2, y2)`` from either box format."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim != 4:
        raise ValueError(f"{op}: input must have shape (N, C, H, W), got {tuple(input.shape)}")
    if isinstance(boxes, Tensor):
        if boxes.ndim != 2 or boxes.shape[1] != 5:
            raise ValueError(
                f"{op}: boxes as a Tensor must have shape (K, 5) (batch index, x1, y1, x2, y2), "
                f"got {tuple(boxes.shape)}"
            )
        rois = boxes.detach().numpy().astype(np.float64)
    elif isinstance(boxes, (list, tuple)):
        parts = []
        for i, b in enumerate(boxes):
            if not isinstance(b, Tensor) or b.ndim != 2 or b.shape[1] != 4:
                shape = tuple(b.shape) if isinstance(b, Tensor) else type(b).__name__
                raise ValueError(f"{op}: boxes[{i}] must be a (L, 4) Tensor, got {shape}")
            arr = b.detach().numpy().astype(np.float64)
            parts.append(np.concatenate([np.full((len(arr), 1), float(i)), arr], axis=1))
        rois = np.concatenate(parts, axis=0) if parts else np.zeros((0, 5))
    else:
        raise TypeError(
            f"{op}: boxes must be a (K, 5) Tensor or a list of (L, 4) Tensors, "
            f"got {type(boxes).__name__}"
        )
    batch = rois[:, 0]
    if rois.size and (
        np.any(batch != np.floor(batch)) or batch.min() < 0 or batch.max() >= input.shape[0]
    ):
        raise IndexError(
            f"{op}: box batch indices must be integers in [0, {input.shape[0]}), "
            f"got {np.unique(batch).tolist()}"
        )
    if not np.isfinite(rois[:, 1:]).all():
        bad = np.flatnonzero(~np.isfinite(rois[:, 1:]).all(axis=1)).tolist()
        raise ValueError(f"{op}: box coordinates must be finite, got NaN or inf in boxes {bad}")
    return rois


def _gather(input: Tensor, batch: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> Tensor:  # noqa: A002
    """``input[batch, :, ys, xs]`` with the channel axis last (index shape + ``(C,)``)."""
    return input[batch, :, ys, xs]


def roi_align(
    input: Tensor,  # noqa: A002
    boxes: Tensor | Sequence[Tensor],
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
) -> Tensor:
    """RoI Align (He et al., Mask R-CNN, 2017): average of bilinearly interpolated samples
    in each of ``output_size`` bins of every box.

    Parameters
    ----------
    input : Tensor
        ``(N, C, H, W)`` features.
    boxes : Tensor or list of Tensor
        ``(K, 5)`` rows ``(batch index, x1, y1, x2, y2)``, or one ``(L, 4)`` tensor of
        ``xyxy`` boxes per image of the batch. In input-image coordinates.
    output_size : int or (int, int)
        ``(height, width)`` of each output.
    spatial_scale : float, optional
        Maps box coordinates to feature coordinates (``1 / stride``).
    sampling_ratio : int, optional
        Sampling points per bin along each axis; ``-1`` (adaptive) uses
        ``ceil(box size / output size)`` for each box.
    aligned : bool, optional
        Shift the box by -0.5 pixel so that samples align with pixel centres (Detectron2's
        correction); ``False`` keeps the original behaviour, including boxes being at least
        1 × 1.

    Returns
    -------
    Tensor
        ``(K, C, output_height, output_width)``, differentiable in ``input``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import roi_align
    >>> x = npgrad.arange(16.).reshape(1, 1, 4, 4)
    >>> roi_align(x, npgrad.tensor([[0., 0., 0., 2., 2.]]), 1, aligned=True)
    tensor([[[[2.5000]]]])
    """
    op = "roi_align"
    ph, pw = _output_size(op, output_size)
    rois = _rois(op, input, boxes)
    spatial_scale = _number(op, "spatial_scale", spatial_scale)
    if not isinstance(sampling_ratio, int) or isinstance(sampling_ratio, bool):
        raise TypeError(f"{op}: sampling_ratio must be an int, got {sampling_ratio!r}")
    n_boxes = rois.shape[0]
    height, width = input.shape[2], input.shape[3]
    if n_boxes == 0:
        return npgrad.zeros(0, input.shape[1], ph, pw, dtype=input.dtype)
    offset = 0.5 if aligned else 0.0
    x1 = rois[:, 1] * spatial_scale - offset
    y1 = rois[:, 2] * spatial_scale - offset
    roi_w = rois[:, 3] * spatial_scale - offset - x1
    roi_h = rois[:, 4] * spatial_scale - offset - y1
    if not aligned:
        roi_w = np.maximum(roi_w, 1.0)
        roi_h = np.maximum(roi_h, 1.0)
    bin_h, bin_w = roi_h / ph, roi_w / pw
    if sampling_ratio > 0:
        grid_h = np.full(n_boxes, sampling_ratio)
        grid_w = np.full(n_boxes, sampling_ratio)
    else:
        grid_h = np.ceil(roi_h / ph).astype(np.int64)
        grid_w = np.ceil(roi_w / pw).astype(np.int64)
    count = np.maximum(grid_h * grid_w, 1)
    # pad every box to the largest grid; the padding samples get weight 0
    gh_max, gw_max = max(int(grid_h.max()), 1), max(int(grid_w.max()), 1)
    iy, ix = np.arange(gh_max), np.arange(gw_max)
    # sample coordinates: (K, PH, GH) and (K, PW, GW)
    ys = (
        y1[:, None, None]
        + np.arange(ph)[None, :, None] * bin_h[:, None, None]
        + (iy[None, None, :] + 0.5) * (bin_h / np.maximum(grid_h, 1))[:, None, None]
    )
    xs = (
        x1[:, None, None]
        + np.arange(pw)[None, :, None] * bin_w[:, None, None]
        + (ix[None, None, :] + 0.5) * (bin_w / np.maximum(grid_w, 1))[:, None, None]
    )
    valid_y = iy[None, None, :] < grid_h[:, None, None]
    valid_x = ix[None, None, :] < grid_w[:, None, None]

    def axis_weights(
        c: np.ndarray, size: int, valid: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        # samples more than one pixel outside the map contribute nothing; the rest are clamped
        inside = valid & (c >= -1.0) & (c <= size)
        c = np.maximum(c, 0.0)
        low = np.floor(c).astype(np.int64)
        at_edge = low >= size - 1
        low = np.where(at_edge, size - 1, low)
        high = np.where(at_edge, size - 1, low + 1)
        c = np.where(at_edge, low, c)
        frac = c - low
        return low, high, (1.0 - frac) * inside, frac * inside

    y_lo, y_hi, wy_lo, wy_hi = axis_weights(ys, height, valid_y)
    x_lo, x_hi, wx_lo, wx_hi = axis_weights(xs, width, valid_x)
    # broadcast to (K, PH, PW, GH, GW, 4 corners)
    shape6 = (n_boxes, ph, pw, gh_max, gw_max)

    def by(a: np.ndarray) -> np.ndarray:
        return np.broadcast_to(a[:, :, None, :, None], shape6)

    def bx(a: np.ndarray) -> np.ndarray:
        return np.broadcast_to(a[:, None, :, None, :], shape6)

    yy = np.stack([by(y_lo), by(y_lo), by(y_hi), by(y_hi)], axis=-1)
    xx = np.stack([bx(x_lo), bx(x_hi), bx(x_lo), bx(x_hi)], axis=-1)
    weights = (
        np.stack(
            [
                by(wy_lo) * bx(wx_lo),
                by(wy_lo) * bx(wx_hi),
                by(wy_hi) * bx(wx_lo),
                by(wy_hi) * bx(wx_hi),
            ],
            axis=-1,
        )
        / count[:, None, None, None, None, None]
    )
    batch = np.broadcast_to(rois[:, 0].astype(np.int64)[:, None, None, None, None, None], yy.shape)
    flat = (n_boxes, ph, pw, gh_max * gw_max * 4)
    values = _gather(input, batch.reshape(flat), yy.reshape(flat), xx.reshape(flat))
    w = npgrad.from_numpy(weights.reshape(flat + (1,)).astype(input.dtype, copy=False))
    out = (values * w).sum(dim=3)  # (K, PH, PW, C)
    return out.permute(0, 3, 1, 2)


def _round_half_away(a: np.ndarray) -> np.ndarray:
    # C's round(): halves go away from zero (NumPy's round goes to even)
    return np.sign(a) * np.floor(np.abs(a) + 0.5)


def roi_pool(
    input: Tensor,  # noqa: A002
    boxes: Tensor | Sequence[Tensor],
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
) -> Tensor:
    """RoI max pooling (Girshick, Fast R-CNN, 2015): each box, rounded to feature-map pixels,
    is divided into ``output_size`` bins and each bin outputs its maximum (0 for an empty bin).

    Parameters
    ----------
    input : Tensor
        ``(N, C, H, W)`` features.
    boxes : Tensor or list of Tensor
        ``(K, 5)`` rows ``(batch index, x1, y1, x2, y2)``, or one ``(L, 4)`` tensor per image.
    output_size : int or (int, int)
        ``(height, width)`` of each output.
    spatial_scale : float, optional
        Maps box coordinates to feature coordinates.

    Returns
    -------
    Tensor
        ``(K, C, output_height, output_width)``; the gradient goes to each bin's first maximum
        (in row-major order), as in torchvision.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import roi_pool
    >>> x = npgrad.arange(16.).reshape(1, 1, 4, 4)
    >>> roi_pool(x, [npgrad.tensor([[0., 0., 3., 3.]])], 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    op = "roi_pool"
    ph, pw = _output_size(op, output_size)
    rois = _rois(op, input, boxes)
    spatial_scale = _number(op, "spatial_scale", spatial_scale)
    n_boxes = rois.shape[0]
    channels, height, width = input.shape[1], input.shape[2], input.shape[3]
    if n_boxes == 0:
        return npgrad.zeros(0, channels, ph, pw, dtype=input.dtype)
    start = _round_half_away(rois[:, 1:3] * spatial_scale).astype(np.int64)  # (K, 2): x, y
    end = _round_half_away(rois[:, 3:5] * spatial_scale).astype(np.int64)
    size = np.maximum(end - start + 1, 1)

    def bins(
        n_bins: int, roi_start: np.ndarray, roi_size: np.ndarray, limit: int
    ) -> tuple[np.ndarray, np.ndarray]:
        bin_size = roi_size[:, None] / n_bins
        p = np.arange(n_bins)[None, :]
        lo = np.floor(p * bin_size).astype(np.int64) + roi_start[:, None]
        hi = np.ceil((p + 1) * bin_size).astype(np.int64) + roi_start[:, None]
        return np.clip(lo, 0, limit), np.clip(hi, 0, limit)

    h_lo, h_hi = bins(ph, start[:, 1], size[:, 1], height)  # (K, PH)
    w_lo, w_hi = bins(pw, start[:, 0], size[:, 0], width)  # (K, PW)
    span_h = max(int((h_hi - h_lo).max()), 1)
    span_w = max(int((w_hi - w_lo).max()), 1)
    hh = h_lo[:, :, None] + np.arange(span_h)  # (K, PH, SH)
    ww = w_lo[:, :, None] + np.arange(span_w)  # (K, PW, SW)
    in_h = hh < h_hi[:, :, None]
    in_w = ww < w_hi[:, :, None]
    hh = np.minimum(hh, height - 1)
    ww = np.minimum(ww, width - 1)
    shape5 = (n_boxes, ph, pw, span_h, span_w)
    h_idx = np.broadcast_to(hh[:, :, None, :, None], shape5).reshape(n_boxes, ph, pw, -1)
    w_idx = np.broadcast_to(ww[:, None, :, None, :], shape5).reshape(n_boxes, ph, pw, -1)
    inside = (in_h[:, :, None, :, None] & in_w[:, None, :, None, :]).reshape(n_boxes, ph, pw, -1)
    b_idx = rois[:, 0].astype(np.int64)[:, None, None, None]
    data = input.detach().numpy()
    window = data[b_idx, :, h_idx, w_idx]  # (K, PH, PW, S, C)
    window = np.where(inside[..., None], window, -np.inf)
    # argmax takes the first maximum: the first pixel in torchvision's row-major scan
    best = np.argmax(window, axis=3)  # (K, PH, PW, C)
    empty: np.ndarray = ~np.any(inside, axis=3)  # (K, PH, PW)
    pick_h = np.take_along_axis(h_idx[..., None], best[:, :, :, None, :], axis=3)[:, :, :, 0]
    pick_w = np.take_along_axis(w_idx[..., None], best[:, :, :, None, :], axis=3)[:, :, :, 0]
    chan = np.arange(channels)
    values = input[b_idx, chan, pick_h, pick_w]  # (K, PH, PW, C)
    if empty.any():
        keep = npgrad.from_numpy((~empty)[..., None].astype(input.dtype))
        values = values * keep
    return values.permute(0, 3, 1, 2)


class RoIAlign(nn.Module):
    """:func:`roi_align` as a module.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.ops import RoIAlign
    >>> RoIAlign(2, spatial_scale=0.5, sampling_ratio=2)
    RoIAlign(output_size=2, spatial_scale=0.5, sampling_ratio=2, aligned=False)
    """

    def __init__(
        self,
        output_size: int | tuple[int, int],
        spatial_scale: float,
        sampling_ratio: int,
        aligned: bool = False,
    ) -> None:
        super().__init__()
        _output_size("RoIAlign", output_size)
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio
        self.aligned = aligned

    def forward(self, input: Tensor, rois: Tensor | Sequence[Tensor]) -> Tensor:  # noqa: A002
        return roi_align(
            input, rois, self.output_size, self.spatial_scale, self.sampling_ratio, self.aligned
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(output_size={self.output_size}, "
            f"spatial_scale={self.spatial_scale}, sampling_ratio={self.sampling_ratio}, "
            f"aligned={self.aligned})"
        )


class RoIPool(nn.Module):
    """:func:`roi_pool` as a module.

    Examples
    --------
    >>> from npgrad.vision.ops import RoIPool
    >>> RoIPool((2, 3), spatial_scale=1.0)
    RoIPool(output_size=(2, 3), spatial_scale=1.0)
    """

    def __init__(self, output_size: int | tuple[int, int], spatial_scale: float) -> None:
        super().__init__()
        _output_size("RoIPool", output_size)
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, input: Tensor, rois: Tensor | Sequence[Tensor]) -> Tensor:  # noqa: A002
        return roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(output_size={self.output_size}, "
            f"spatial_scale={self.spatial_scale})"
        )
