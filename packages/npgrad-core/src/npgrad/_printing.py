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

__all__ = ["get_printoptions", "set_printoptions", "tensor_repr"]


class _PrintOptions:
    """PyTorch's ``PRINT_OPTS``: the options :func:`set_printoptions` changes."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set the options for printing tensors (``torch.set_printoptions``).

    Parameters
    ----------
    precision : int, optional
        Digits after the decimal point (default 4).
    threshold : float, optional
        Tensors with more elements than this are summarised with ``...`` (default 1000).
    edgeitems : int, optional
        Items shown at each end of a summarised dimension (default 3).
    linewidth : int, optional
        Characters per line before wrapping (default 80).
    profile : {"default", "short", "full"}, optional
        Sets the four options above at once; the explicit ones then override it.
    sci_mode : bool, optional
        Force (True) or forbid (False) scientific notation; None (the default) chooses it
        from the values. As in PyTorch, every call sets it, to None when not given.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad._printing import set_printoptions
    >>> set_printoptions(precision=2)
    >>> npgrad.tensor([1.2345, 2.0])
    tensor([1.23, 2.00])
    >>> set_printoptions(profile="default")
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"Invalid profile: {profile}. the profile must be one of 'default', 'short', 'full'"
            )
        _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = _PROFILES[profile]
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as a dict of :func:`set_printoptions`'s arguments."""
    return {
        "precision": _OPTS.precision,
        "threshold": _OPTS.threshold,
        "edgeitems": _OPTS.edgeitems,
        "linewidth": _OPTS.linewidth,
        "sci_mode": _OPTS.sci_mode,
    }


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
        with np.errstate(over="ignore"):  # 1e300 / 1e-300 is inf: a wide span, not a warning
            span = hi / lo
        precision = _OPTS.precision
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if _OPTS.sci_mode is None:
            self.sci_mode = bool(span > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:  # forced before the widths are measured, as in PyTorch
            self.sci_mode = bool(_OPTS.sci_mode)
        if self.sci_mode:
            spec, extra = f".{precision}e", 0
        elif self.int_mode:
            spec, extra = ".0f", 1  # 1 for the "." appended to integral floats
        else:
            spec, extra = f".{precision}f", 0
        self.max_width = max(len(format(v, spec)) + extra for v in vals.tolist())

    def format(self, value: Any) -> str:
        if not self.floating:
            ret = str(value)
        elif self.sci_mode:
            ret = f"{value:{self.max_width}.{_OPTS.precision}e}"
        elif self.int_mode:
            ret = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            ret = f"{value:.{_OPTS.precision}f}"
        return (self.max_width - len(ret)) * " " + ret


def _summarized(a: np.ndarray) -> np.ndarray:
    """The edge items that a summarised print shows (the formatter looks only at these);
    PyTorch's ``get_summarized_data``, quirks included (``edgeitems=0`` keeps a whole row)."""
    e = _OPTS.edgeitems
    if a.ndim == 0:
        return a
    n = a.shape[0]
    if a.ndim == 1:
        return np.concatenate([a[:e], a[-e:]]) if n > 2 * e else a
    if not e:
        return np.empty((0,) * a.ndim, a.dtype)
    keep = [*range(e), *range(n - e, n)] if n > 2 * e else range(n)
    return np.stack([_summarized(a[i]) for i in keep])


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.max_width + 2  # ", " between elements
    per_line = max(1, (_OPTS.linewidth - indent) // element_length)
    if summarize and not _OPTS.edgeitems:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * _OPTS.edgeitems:
        data = (
            [fmt.format(v) for v in a[: _OPTS.edgeitems].tolist()]
            + [" ..."]
            + [fmt.format(v) for v in a[-_OPTS.edgeitems :].tolist()]
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
    if summarize and n > 2 * _OPTS.edgeitems:
        slices = (
            [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(_OPTS.edgeitems)]
            + ["..."]
            + [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(n - _OPTS.edgeitems, n)]
        )
    else:
        slices = [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _OPTS.linewidth:
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
        if not _OPTS.edgeitems:  # PyTorch: with no edge items shown, the shape is
            suffixes.append(f"size={tuple(a.shape)}")
        if a.dtype not in (default, dtypes.int64, dtypes.bool_):
            suffixes.append(f"dtype=npgrad.{a.dtype}")
        summarize = a.size > _OPTS.threshold
        fmt = _Formatter(_summarized(a) if summarize else a)
        body = _tensor_str(a, indent, summarize, fmt)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
