"""``npgrad.utils.dlpack``: PyTorch's ``torch.utils.dlpack`` — :func:`from_dlpack` and
:func:`to_dlpack` (also ``npgrad.from_dlpack`` / ``npgrad.to_dlpack``), defined in
:mod:`npgrad._interop`."""

from npgrad._interop import from_dlpack, to_dlpack

__all__ = ["from_dlpack", "to_dlpack"]
