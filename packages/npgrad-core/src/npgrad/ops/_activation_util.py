"""Helpers of the activation ops (:mod:`npgrad.ops.activation` and its private family modules):
float input checks and the float16-in-float32 arithmetic of the fused forwards.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.ops._promote import float_arg, tensor_arg
from npgrad.tensor import Tensor

_float_input = float_arg  # (npgrad.nn's functional activations use it under this name)


def _to_float(op: str, x: Any) -> Tensor:
    """For the compositions that PyTorch runs on integers too: those give the default float."""
    x = tensor_arg(op, x)
    if x.dtype.kind == "b":
        raise TypeError(f"{op}: not implemented for bool tensors")
    return x if x.dtype.kind == "f" else x.to(dtypes.get_default_dtype())


def _opmath(a: np.ndarray) -> np.ndarray:
    """``a``, float16 as float32: the fused forwards of the activation modules compute float16 in float32 and
    round once at the end (``_round``), as PyTorch computes it (rounding every step in
    float16 would be off by an ulp in a good part of the results)."""
    return a.astype(np.float32) if a.dtype.char == "e" else a


def _vector(a: np.ndarray) -> np.ndarray:
    """``_opmath(a)``, a 0-d array as 1-d: ufuncs give NumPy scalars for 0-d arrays, and the
    fused forwards below write into their temporaries in place (``out=``)."""
    a = _opmath(a)
    return a if a.ndim else a.reshape(1)


def _round(out: Any, a: np.ndarray) -> np.ndarray:
    """A fused forward's result ``out`` (computed from ``_vector(a)`` or ``_opmath(a)``) in
    ``a``'s dtype and shape."""
    if a.dtype.char == "e":
        out = out.astype(np.float16)
    return out if a.ndim else out.reshape(())  # type: ignore[no-any-return]
