"""Image utilities: tile a batch into a grid, save tensors as images, and draw a confusion
matrix or a training history as PNG — with Pillow only (no plotting library).

Examples
--------
>>> import npgrad
>>> from npgrad.vision.utils import make_grid
>>> make_grid(npgrad.rand(10, 1, 8, 8), nrow=5, padding=1).shape
npgrad.Size([3, 19, 46])
"""

from __future__ import annotations

import io
import math
import numbers
import os
from collections.abc import Mapping, Sequence
from typing import IO, Any, cast

import numpy as np
from PIL import Image, ImageDraw, ImageFont

import npgrad
from npgrad.serialization import write_atomic
from npgrad.tensor import Tensor

__all__ = [
    "confusion_matrix",
    "draw_confusion_matrix",
    "make_grid",
    "plot_history",
    "save_image",
    "to_pil_image",
]

PathOrFile = str | os.PathLike[str] | IO[bytes]


def _images(tensor: Any, where: str) -> np.ndarray:
    if isinstance(tensor, (list, tuple)):
        if not tensor or not all(isinstance(t, Tensor) for t in tensor):
            raise TypeError(f"{where}: expected a Tensor or a non-empty list of Tensors")
        shapes = {tuple(t.shape) for t in tensor}
        if len(shapes) != 1:
            raise ValueError(f"{where}: all images must have the same shape, got {sorted(shapes)}")
        return np.stack([t.detach().numpy() for t in tensor])
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"{where}: expected a Tensor or a list of Tensors, got {type(tensor).__name__}"
        )
    return tensor.detach().numpy()


def make_grid(
    tensor: Tensor | Sequence[Tensor],
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: tuple[float, float] | None = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
) -> Tensor:
    """Tile a batch of images ``(B, C, H, W)`` into one image ``(C, H', W')`` (torchvision's).

    One-channel images become three-channel; ``nrow`` images per row with ``padding`` pixels
    of ``pad_value`` around each.

    Parameters
    ----------
    tensor : Tensor or list of Tensor
        ``(B, C, H, W)``, ``(C, H, W)``, ``(H, W)`` or a list of same-shaped images.
    nrow : int, optional
        Images per row.
    padding : int, optional
        Pixels between (and around) the images.
    normalize : bool, optional
        Shift and scale to ``[0, 1]`` using ``value_range`` (default: the min and max).
    value_range : (float, float), optional
        The range mapped to ``[0, 1]`` when ``normalize``; values outside are clipped.
    scale_each : bool, optional
        Normalise each image on its own range.
    pad_value : float, optional
        Value of the padding pixels.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.vision.utils import make_grid
    >>> grid = make_grid(npgrad.ones(3, 1, 2, 2), nrow=2, padding=1)
    >>> grid.shape
    npgrad.Size([3, 7, 7])
    >>> grid[0].tolist()[1]
    [0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0]
    """
    for name, value, least in (("nrow", nrow, 1), ("padding", padding, 0)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            raise TypeError(f"make_grid: {name} must be an int, got {value!r}")
        if value < least:
            kind = "positive" if least else "non-negative"
            raise ValueError(f"make_grid: {name} must be {kind}, got {value}")
    if not isinstance(pad_value, numbers.Real):
        raise TypeError(f"make_grid: pad_value must be a number, got {pad_value!r}")
    bad_range = value_range is not None and (
        not isinstance(value_range, tuple) or len(value_range) != 2
    )
    if normalize and bad_range:
        raise TypeError(
            "value_range has to be a tuple (min, max) if specified. min and max are numbers"
        )
    arr = _images(tensor, "make_grid").copy()
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim == 3:
        if arr.shape[0] == 1:
            arr = np.concatenate([arr] * 3, axis=0)
        arr = arr[None]
    if arr.ndim != 4:
        raise ValueError(f"make_grid: expected images of shape (B, C, H, W), got {arr.shape}")
    if arr.shape[1] == 1:
        arr = np.concatenate([arr] * 3, axis=1)
    if normalize:
        if not np.issubdtype(arr.dtype, np.floating):
            arr = arr.astype(npgrad.get_default_dtype())

        def norm_range(img: np.ndarray) -> np.ndarray:
            low, high = value_range if value_range is not None else (img.min(), img.max())
            img = np.clip(img, low, high)
            return (img - low) / max(float(high) - float(low), 1e-5)

        if scale_each:
            arr = np.stack([norm_range(img) for img in arr]).astype(arr.dtype)
        else:
            arr = norm_range(arr).astype(arr.dtype)
    if arr.shape[0] == 1:
        return npgrad.from_numpy(np.ascontiguousarray(arr[0]))
    nmaps = arr.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(nmaps / xmaps))
    height, width = arr.shape[2] + padding, arr.shape[3] + padding
    grid = np.full(
        (arr.shape[1], height * ymaps + padding, width * xmaps + padding), pad_value, arr.dtype
    )
    for k in range(nmaps):
        y, x = divmod(k, xmaps)
        top, left = y * height + padding, x * width + padding
        grid[:, top : top + height - padding, left : left + width - padding] = arr[k]
    return npgrad.from_numpy(grid)


def to_pil_image(tensor: Tensor) -> Image.Image:
    """A ``(C, H, W)`` (C = 1 or 3) or ``(H, W)`` float tensor in ``[0, 1]`` as a PIL image
    (values ``* 255``, rounded and clipped, as ``save_image`` does)."""
    arr = _images(tensor, "to_pil_image")
    if arr.ndim == 3 and arr.shape[0] in (1, 3):
        arr = arr[0] if arr.shape[0] == 1 else arr.transpose(1, 2, 0)
    elif arr.ndim != 2:
        raise ValueError(
            f"to_pil_image: expected (C, H, W) with C = 1 or 3, or (H, W), got {arr.shape}"
        )
    # torchvision's rounding: x * 255 + 0.5, clamped, then truncated to uint8
    return Image.fromarray(np.clip(arr * 255 + 0.5, 0, 255).astype(np.uint8))


def save_image(
    tensor: Tensor | Sequence[Tensor],
    fp: PathOrFile,
    format: str | None = None,  # noqa: A002
    **kwargs: Any,
) -> None:
    """Save a tensor (or batch, tiled with :func:`make_grid` ``**kwargs``) as an image file.

    Values are expected in ``[0, 1]`` (use ``normalize=True`` otherwise). The format comes
    from the file name or ``format`` (e.g. ``"PNG"`` for a file object).

    Examples
    --------
    >>> import io
    >>> import npgrad
    >>> from PIL import Image
    >>> from npgrad.vision.utils import save_image
    >>> buf = io.BytesIO()
    >>> save_image(npgrad.ones(4, 1, 8, 8), buf, format="PNG", nrow=2, padding=0)
    >>> Image.open(buf).size
    (16, 16)
    """
    grid = make_grid(tensor, **kwargs)
    _save(to_pil_image(grid), fp, format, "save_image")


# ---- plots ---------------------------------------------------------------------------------
def _font() -> Any:
    return ImageFont.load_default()


def _text_size(draw: ImageDraw.ImageDraw, text: str, font: Any) -> tuple[int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    return int(right - left), int(bottom - top)


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``i`` predicted as class ``j``.

    Examples
    --------
    >>> from npgrad.vision.utils import confusion_matrix
    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2]).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    """
    t = np.asarray(y_true.numpy() if isinstance(y_true, Tensor) else y_true).reshape(-1)
    p = np.asarray(y_pred.numpy() if isinstance(y_pred, Tensor) else y_pred).reshape(-1)
    if t.shape != p.shape:
        raise ValueError(f"confusion_matrix: y_true has {t.size} labels, y_pred {p.size}")
    if t.size and (
        not np.issubdtype(t.dtype, np.integer) or not np.issubdtype(p.dtype, np.integer)
    ):
        raise TypeError("confusion_matrix: labels must be integers")
    if t.size and min(t.min(), p.min()) < 0:
        raise ValueError("confusion_matrix: labels must be non-negative")
    if num_classes is not None and (
        not isinstance(num_classes, numbers.Integral) or isinstance(num_classes, bool)
    ):
        raise TypeError(f"confusion_matrix: num_classes must be an int, got {num_classes!r}")
    n = int(max(t.max(initial=-1), p.max(initial=-1)) + 1) if num_classes is None else num_classes
    if t.size and max(t.max(), p.max()) >= n:
        raise ValueError(f"confusion_matrix: a label is >= num_classes={n}")
    codes = t.astype(np.int64) * n + p.astype(np.int64)  # an empty list parses as float64
    return np.bincount(codes, minlength=n * n).reshape(n, n).astype(np.int64)


def draw_confusion_matrix(
    matrix: Any,
    path: PathOrFile | None = None,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
    cell: int = 36,
    normalize: bool = False,
) -> Image.Image:
    """Draw a confusion matrix (rows: true class, columns: predicted) as an RGB image.

    Each cell is shaded from white (0) to dark blue (the largest count, or 1.0 of its row
    when ``normalize``) and labelled with its count (or row fraction).

    Parameters
    ----------
    matrix : array-like
        Square ``(K, K)`` counts, e.g. from :func:`confusion_matrix`.
    path : path or file, optional
        Also save the image there (PNG unless the extension says otherwise).
    class_names : sequence of str, optional
        Axis labels; ``0 .. K-1`` by default.
    title : str, optional
        A line of text above the matrix.
    cell : int, optional
        Cell size in pixels.
    normalize : bool, optional
        Show each row as fractions of its total.

    Returns
    -------
    PIL.Image.Image

    Examples
    --------
    >>> from npgrad.vision.utils import draw_confusion_matrix
    >>> img = draw_confusion_matrix([[5, 1], [0, 6]], class_names=["cat", "dog"])
    >>> img.mode
    'RGB'
    """
    raw = np.asarray(matrix.numpy() if isinstance(matrix, Tensor) else matrix)
    if raw.dtype.kind not in "biuf":
        raise TypeError(f"draw_confusion_matrix: expected a matrix of numbers, got {raw.dtype}")
    m = raw.astype(np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] == 0:
        raise ValueError(f"draw_confusion_matrix: expected a square (K, K) matrix, got {m.shape}")
    if not np.isfinite(m).all():
        raise ValueError("draw_confusion_matrix: the matrix contains NaN or infinity")
    k = m.shape[0]
    names = [str(i) for i in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(names) != k:
        raise ValueError(f"draw_confusion_matrix: {len(names)} class names for {k} classes")
    if normalize:
        totals = m.sum(axis=1, keepdims=True)
        values = np.divide(m, totals, out=np.zeros_like(m), where=totals > 0)
        shade = values
    else:
        values = m
        shade = m / m.max() if m.max() > 0 else m
    font = _font()
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    label_w = max(_text_size(probe, n, font)[0] for n in names) + 8
    label_h = max(_text_size(probe, n, font)[1] for n in names) + 8
    title_h = _text_size(probe, title, font)[1] + 10 if title else 0
    left, top = label_w, title_h + label_h
    img = Image.new("RGB", (left + k * cell + 4, top + k * cell + 4), "white")
    draw = ImageDraw.Draw(img)
    if title:
        draw.text((4, 4), title, fill="black", font=font)
    for j, name in enumerate(names):  # predicted classes along the top
        w, _ = _text_size(draw, name, font)
        draw.text((left + j * cell + (cell - w) // 2, title_h + 2), name, fill="black", font=font)
    for i in range(k):
        draw.text((2, top + i * cell + cell // 3), names[i], fill="black", font=font)
        for j in range(k):
            s = float(shade[i, j])
            # white -> (8, 48, 107), the dark end of a "Blues" colour map
            color = tuple(int(round(255 + (c - 255) * s)) for c in (8, 48, 107))
            box = (
                left + j * cell,
                top + i * cell,
                left + (j + 1) * cell - 1,
                top + (i + 1) * cell - 1,
            )
            draw.rectangle(box, fill=color, outline=(200, 200, 200))
            text = f"{values[i, j]:.2f}" if normalize else f"{int(values[i, j])}"
            w, h = _text_size(draw, text, font)
            ink = "white" if s > 0.5 else "black"
            draw.text(
                (box[0] + (cell - w) // 2, box[1] + (cell - h) // 2), text, fill=ink, font=font
            )
    if path is not None:
        _save(img, path, None, "draw_confusion_matrix", default="PNG")
    return img


_PALETTE = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
]


def _save(
    img: Image.Image, fp: PathOrFile, format: str | None, where: str, default: str | None = None
) -> None:
    """Encode in memory, then write: a failing save leaves an existing file as it was."""
    path = os.fspath(fp) if isinstance(fp, (str, os.PathLike)) else None
    if format is None and path is not None:
        ext = os.path.splitext(path)[1].lower()
        format = Image.registered_extensions().get(ext) if ext else default
        if format is None:
            raise ValueError(
                f"{where}: unknown file extension {ext!r} of {path!r}; pass format= (e.g. 'PNG')"
            )
    format = format or default
    if format is None:
        name = getattr(fp, "name", None)
        format = Image.registered_extensions().get(os.path.splitext(str(name))[1].lower())
        if format is None:
            raise ValueError(f"{where}: pass format= (e.g. 'PNG') to write to a file object")
    Image.init()
    if format.upper() not in Image.SAVE:
        raise ValueError(f"{where}: unknown image format {format!r}")
    buf = io.BytesIO()
    img.save(buf, format=format)
    if path is None:
        cast(IO[bytes], fp).write(buf.getvalue())
        return
    write_atomic(path, buf.getvalue(), where)


def plot_history(
    history: Mapping[str, Sequence[float]],
    path: PathOrFile | None = None,
    size: tuple[int, int] = (640, 400),
    title: str | None = None,
    xlabel: str = "epoch",
) -> Image.Image:
    """Plot training curves (e.g. ``{"train loss": [...], "val loss": [...]}``) as lines.

    One coloured polyline per series against its index (starting at 1), with a legend; the
    y axis spans the finite values (NaN and infinite points are skipped) with five labelled
    grid lines.

    Parameters
    ----------
    history : mapping of str to sequence of float
        Named series (they may have different lengths).
    path : path or file, optional
        Also save the image there (PNG unless the extension says otherwise).
    size : (int, int), optional
        Width and height in pixels.
    title : str, optional
        A line of text above the plot.
    xlabel : str, optional
        Label of the horizontal axis.

    Returns
    -------
    PIL.Image.Image

    Examples
    --------
    >>> from npgrad.vision.utils import plot_history
    >>> plot_history({"loss": [1.0, 0.5, 0.3], "acc": [0.5, 0.8, 0.9]}).size
    (640, 400)
    """
    if not isinstance(history, Mapping) or not history:
        raise ValueError("plot_history: expected a non-empty mapping of name -> values")
    series = {}
    for name, values in history.items():
        try:
            arr = np.asarray([float(v) for v in values], dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError(f"plot_history: series {name!r} must hold numbers ({e})") from None
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"plot_history: series {name!r} is empty")
        series[str(name)] = arr
    finite = np.concatenate([a[np.isfinite(a)] for a in series.values()])
    if finite.size == 0:
        raise ValueError("plot_history: no finite value to plot")
    lo, hi = float(finite.min()), float(finite.max())
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    margin = 0.05 * (hi - lo)  # keep the extreme points off the frame
    lo, hi = lo - margin, hi + margin
    n = max(len(a) for a in series.values())
    width, height = size
    font = _font()
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    y_ticks = np.linspace(lo + margin, hi - margin, 5)
    labels = [f"{v:.3g}" for v in y_ticks]
    tick_w = max(_text_size(draw, label, font)[0] for label in labels) + 10
    text_h = _text_size(draw, "0", font)[1]
    x0, x1 = tick_w, width - 10
    y0, y1 = (text_h + 14) if title else 10, height - 2 * text_h - 14
    if x1 - x0 < 20 or y1 - y0 < 20:
        raise ValueError(f"plot_history: size {size} is too small")
    if title:
        draw.text((x0, 4), title, fill="black", font=font)

    def to_y(v: float) -> float:
        return y1 - (y1 - y0) * (v - lo) / (hi - lo)

    def to_x(i: int) -> float:  # i: 0-based index of the point
        return x0 + (x1 - x0) * (i / (n - 1) if n > 1 else 0.5)

    for v, label in zip(y_ticks, labels):
        y = to_y(float(v))
        draw.line((x0, y, x1, y), fill=(230, 230, 230))
        w, h = _text_size(draw, label, font)
        draw.text((x0 - w - 5, y - h // 2), label, fill="black", font=font)
    step = max(1, math.ceil(n / 10))  # at most ~10 labelled epochs, evenly spaced
    x_ticks = sorted(set(range(0, n, step)) | {n - 1})
    for i in x_ticks:
        x = to_x(i)
        draw.line((x, y1, x, y1 + 3), fill="black")
        w, _ = _text_size(draw, str(i + 1), font)
        draw.text((x - w // 2, y1 + 5), str(i + 1), fill="black", font=font)
    draw.rectangle((x0, y0, x1, y1), outline="black")
    w, _ = _text_size(draw, xlabel, font)
    draw.text(((x0 + x1 - w) // 2, y1 + text_h + 8), xlabel, fill="black", font=font)

    for idx, arr in enumerate(series.values()):
        color = _PALETTE[idx % len(_PALETTE)]
        points = [(to_x(i), to_y(v)) for i, v in enumerate(arr) if np.isfinite(v)]
        if len(points) > 1:
            draw.line(points, fill=color, width=2)
        for x, y in points:
            draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=color)
    # the legend last, on a white box, so that no line hides it
    name_w = max(_text_size(draw, name, font)[0] for name in series)
    lx1, ly0 = x1 - 6, y0 + 6
    lx0 = lx1 - name_w - 40
    draw.rectangle(
        (lx0, ly0, lx1, ly0 + len(series) * (text_h + 6) + 6), fill="white", outline=(180, 180, 180)
    )
    for idx, name in enumerate(series):
        y = ly0 + 6 + idx * (text_h + 6)
        color = _PALETTE[idx % len(_PALETTE)]
        draw.line((lx0 + 6, y + text_h // 2, lx0 + 26, y + text_h // 2), fill=color, width=3)
        draw.text((lx0 + 32, y), name, fill="black", font=font)
    if path is not None:
        _save(img, path, None, "plot_history", default="PNG")
    return img
