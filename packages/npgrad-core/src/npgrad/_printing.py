"""PyTorch-style ``repr``: ``tensor([1.0000, 2.5000], requires_grad=True)``.

Floats print with 4 decimals, or as ``1.`` when every value is integral, or in scientific
notation when magnitudes span more than 1e3 or leave [1e-4, 1e8) — PyTorch's rules. More
than 1000 elements are summarised with ``...``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from npgrad import dtypes

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["tensor_repr"]

_THRESHOLD = 1000
_EDGEITEMS = 3


def _float_formatter(values: np.ndarray) -> tuple[str, int]:
    finite = np.abs(values[np.isfinite(values)]).astype(np.float64)
    if finite.size == 0:
        return "fixed0", 0
    if np.all(finite == np.round(finite)):
        if finite.max() > 1e8:
            return "sci", 4
        return "int", 0
    nonzero = finite[finite != 0]
    if nonzero.size and (nonzero.max() / nonzero.min() > 1e3 or nonzero.max() >= 1e8 or nonzero.min() < 1e-4):
        return "sci", 4
    return "fixed", 4


def _format_float(x: float, style: str, prec: int) -> str:
    if not np.isfinite(x):
        return "nan" if np.isnan(x) else ("inf" if x > 0 else "-inf")
    if style == "int":
        return f"{x:.0f}."
    if style == "sci":
        return f"{x:.{prec}e}"
    return f"{x:.{prec}f}"


def tensor_repr(t: Tensor) -> str:
    a = t._data
    summarise = a.size > _THRESHOLD
    if a.dtype.kind == "f":
        sample = a
        if summarise:
            sample = np.concatenate(
                [np.ravel(a)[:_EDGEITEMS], np.ravel(a)[-_EDGEITEMS:]]
            )
        style, prec = _float_formatter(np.asarray(sample))
        strs = np.vectorize(lambda v: _format_float(float(v), style, prec), otypes=[object])(a) if a.size else a
        width = max((len(s) for s in np.ravel(strs)), default=0) if a.size else 0

        def fmt(v: object) -> str:
            return _format_float(float(v), style, prec).rjust(width)  # type: ignore[arg-type]

        formatter = {"float_kind": fmt}
    elif a.dtype.kind == "b":
        formatter = {"bool": lambda v: "True" if v else "False"}
    else:
        width = max((len(str(v)) for v in np.ravel(a)), default=0) if a.size <= _THRESHOLD else 0
        formatter = {"int": lambda v: str(v).rjust(width)}
    body = np.array2string(
        a,
        separator=", ",
        prefix="tensor(",
        formatter=formatter,  # type: ignore[arg-type]
        threshold=_THRESHOLD,
        edgeitems=_EDGEITEMS,
        max_line_width=80,
    )
    if a.size == 0:
        body = "[]" if a.ndim == 1 else f"[], size={a.shape}"
    extras = []
    if a.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
        extras.append(f"dtype=npgrad.{a.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + ", ".join([body, *extras]) + ")"
