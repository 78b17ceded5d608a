"""The ``device=`` / ``dtype=`` arguments of layer constructors, handled one way.

PyTorch's layers pass ``factory_kwargs = {"device": device, "dtype": dtype}`` to every tensor
they create. npgrad computes on the CPU only, so :func:`factory_kwargs` checks the device
once, through :func:`npgrad._device.parse_device` (the check of the creation functions), and
returns the keyword arguments for npgrad's tensor factories: ``{"dtype": ...}``.
"""

from __future__ import annotations

from typing import Any

import npgrad
from npgrad._device import parse_device

__all__ = ["check_device", "factory_kwargs"]


def check_device(owner: str, device: Any) -> None:
    """Refuse any device but the CPU (None, ``"cpu"``, ``npgrad.device("cpu")``, a
    ``torch.device("cpu")``) with parse_device's ``RuntimeError``, naming ``owner``."""
    parse_device(owner, device)


def factory_kwargs(
    owner: str, device: Any, dtype: Any, *, parameters: bool = True
) -> dict[str, Any]:
    """The tensor-factory keywords of a layer built with ``device`` and ``dtype``.

    ``device`` may be None, ``"cpu"``, ``npgrad.device("cpu")`` or a ``torch.device("cpu")``;
    any other device raises parse_device's ``RuntimeError``, naming ``owner`` (the layer).
    ``dtype`` None means the default float dtype. ``parameters`` says whether the layer, as
    configured, makes trainable parameters in ``dtype``: they must then be floating point
    (PyTorch raises the same ``RuntimeError`` when the parameter is made); a layer without
    parameters (``LayerNorm(..., elementwise_affine=False)``) accepts any dtype, as PyTorch's
    does.

    Examples
    --------
    >>> from npgrad.nn._factory import factory_kwargs
    >>> factory_kwargs("Linear", "cpu", "float64")
    {'dtype': dtype('float64')}
    """
    check_device(owner, device)
    dt = npgrad.get_default_dtype() if dtype is None else npgrad.dtypes.to_dtype(dtype, owner)
    if parameters and dt.kind != "f":
        raise RuntimeError(
            f"{owner}: only Tensors of floating point dtype can require gradients, so its "
            f"parameters can't be {dt}; pass a floating dtype (got dtype={dtype!r})"
        )
    return {"dtype": dt}
