"""PyTorch's ``torch.utils.hooks``: :class:`RemovableHandle`, what every ``register_*_hook``
returns (tensor, module and optimizer hooks alike)."""

from npgrad._removable_handle import RemovableHandle

__all__ = ["RemovableHandle"]
