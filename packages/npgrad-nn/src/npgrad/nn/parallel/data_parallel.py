"""``DataParallel``: PyTorch's single-process, multi-GPU wrapper, as PyTorch runs it on a
machine without GPUs — the wrapped module runs as it is. It exists so that code written for
it runs unchanged, and so that checkpoints of wrapped models (keys ``module.<name>``) load into
a wrapped npgrad model (or, without the prefix, into the bare one)."""

from __future__ import annotations

from typing import Any

from npgrad.nn.modules.module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Run ``module`` as it is: with no GPU (npgrad has none) PyTorch's ``DataParallel`` does
    the same, and ignores ``device_ids``, ``output_device`` and ``dim``. For several CPU
    processes use :class:`npgrad.nn.parallel.DistributedDataParallel`.

    Examples
    --------
    >>> from npgrad import nn
    >>> m = nn.DataParallel(nn.Linear(2, 1))
    >>> list(m.state_dict())
    ['module.weight', 'module.bias']
    """

    def __init__(
        self,
        module: Module,
        device_ids: Any = None,
        output_device: Any = None,
        dim: int = 0,
    ) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel: expected a Module, got {type(module).__name__}")
        self.module = module
        self.device_ids: list[Any] = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)
