"""PyTorch's ``repr``: ``tensor([1.0000, 2.5000], requires_grad=True)``.

A port of ``torch/_tensor_str.py`` (default print options) so that the text matches
PyTorch's character for character, ``torch`` replaced by ``npgrad``:

* floats print with 4 decimals; as ``1.`` when every nonzero finite value is integral; in
  scientific notation when nonzero finite magnitudes span more than 1e3, exceed 1e8, or (for
  non-integral values) go below 1e-4;
* column widths come from the nonzero finite values only (``nan``/``inf`` may be wider);
* more than 1000 elements are summarised with ``...`` (3 edge items per dimension), and the
  format is chosen from the edge items alone;
* lines wrap at 80 characters by whole elements; ``dtype=``/``grad_fn=`` suffixes wrap too.

The one difference: backward node names have no version suffix (``MulBackward``, where
PyTorch prints ``MulBackward0``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad import dtypes

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["tensor_repr"]

_PRECISION = 4
_THRESHOLD = 1000
_EDGEITEMS = 3
_LINEWIDTH = 80


class _Formatter:
    """One width and style for every element of a tensor (PyTorch's ``_Formatter``)."""

    def __init__(self, a: np.ndarray) -> None:
        self.floating = a.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = a.reshape(-1)
        if not self.floating:
            self.max_width = max([1, *(len(str(v)) for v in flat.tolist())])
            return
        vals = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if vals.size == 0:
            return
        mag = np.abs(vals)
        lo, hi = mag.min(), mag.max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if self.int_mode:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8)
            spec, extra = (f".{_PRECISION}e", 0) if self.sci_mode else (".0f", 1)  # 1 for "."
        else:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
            spec, extra = (f".{_PRECISION}e", 0) if self.sci_mode else (f".{_PRECISION}f", 0)
        self.max_width = max(len(format(v, spec)) + extra for v in vals.tolist())

    def format(self, value: Any) -> str:
        if not self.floating:
            ret = str(value)
        elif self.sci_mode:
            ret = f"{value:{self.max_width}.{_PRECISION}e}"
        elif self.int_mode:
            ret = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            ret = f"{value:.{_PRECISION}f}"
        return (self.max_width - len(ret)) * " " + ret


def _summarized(a: np.ndarray) -> np.ndarray:
    """The edge items that a summarised print shows (the formatter looks only at these)."""
    if a.ndim == 0:
        return a
    n = a.shape[0]
    keep = list(range(_EDGEITEMS)) + list(range(n - _EDGEITEMS, n)) if n > 2 * _EDGEITEMS else None
    if a.ndim == 1:
        return a if keep is None else a[keep]
    return np.stack([_summarized(a[i]) for i in (range(n) if keep is None else keep)])


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.max_width + 2  # ", " between elements
    per_line = max(1, (_LINEWIDTH - indent) // element_length)
    if summarize and a.shape[0] > 2 * _EDGEITEMS:
        data = (
            [fmt.format(v) for v in a[:_EDGEITEMS].tolist()]
            + [" ..."]
            + [fmt.format(v) for v in a[-_EDGEITEMS:].tolist()]
        )
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    n = a.shape[0]
    if summarize and n > 2 * _EDGEITEMS:
        slices = (
            [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(_EDGEITEMS)]
            + ["..."]
            + [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(n - _EDGEITEMS, n)]
        )
    else:
        slices = [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t: Tensor) -> str:
    a = t._data
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    default = dtypes.get_default_dtype()
    if a.size == 0:
        # like NumPy, the shape is shown unless it is (0,); with no elements to read the
        # dtype from, any dtype but the default float is shown (int64 and bool included)
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if a.dtype != default:
            suffixes.append(f"dtype=npgrad.{a.dtype}")
        body = "[]"
    else:
        if a.dtype not in (default, dtypes.int64, dtypes.bool_):
            suffixes.append(f"dtype=npgrad.{a.dtype}")
        summarize = a.size > _THRESHOLD
        fmt = _Formatter(_summarized(a) if summarize else a)
        body = _tensor_str(a, indent, summarize, fmt)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
