"""``skip_init``: build a module without keeping its parameters' initialisation, as
``torch.nn.utils.skip_init``."""

from __future__ import annotations

import inspect
from typing import Any, TypeVar

import npgrad.random as _nrandom
from npgrad.nn.modules.module import Module

__all__ = ["skip_init"]

_M = TypeVar("_M", bound=Module)


def skip_init(module_cls: type[_M], *args: Any, **kwargs: Any) -> _M:
    """Instantiate ``module_cls(*args, **kwargs)`` with its parameters and buffers left
    uninitialized (the values of :func:`npgrad.empty`), for a module that is about to be
    initialised some other way or loaded from a checkpoint.

    As in PyTorch the class must accept a ``device`` argument (npgrad's layers all do), and
    the constructor must do nothing with its parameters but initialise them. npgrad has no
    ``meta`` device: the constructor runs on the CPU, its random draws are undone (the
    default generator's state is as before the call, as in PyTorch) and
    :meth:`~npgrad.nn.Module.to_empty` then replaces the values. The result is PyTorch's;
    the time of the initialisation is not saved.

    Parameters
    ----------
    module_cls : type
        A subclass of :class:`~npgrad.nn.Module`.
    *args, **kwargs
        The constructor's arguments; ``device`` (default the CPU) is passed on.

    Returns
    -------
    Module
        The module, with uninitialized parameters and buffers of the right shapes and dtypes.

    Raises
    ------
    RuntimeError
        If ``module_cls`` is not a Module class or its constructor takes no ``device``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.utils.skip_init(nn.Linear, 5, 1, dtype=npgrad.float64)
    >>> m
    Linear(in_features=5, out_features=1, bias=True)
    >>> m.weight.shape, m.weight.dtype, m.weight.requires_grad
    (npgrad.Size([1, 5]), dtype('float64'), True)
    """
    if not isinstance(module_cls, type):
        raise TypeError(f"skip_init: expected a Module class, got {module_cls!r}")
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError(
            f"Module must support a 'device' arg to skip initialization ({module_cls.__name__}"
            "'s constructor takes no 'device' argument)"
        )
    device = kwargs.pop("device", "cpu")
    construct: Any = module_cls  # Module's own __init__ takes no device: the subclass's does
    with _nrandom.fork_rng():
        module = construct(*args, device=device, **kwargs)
    module.to_empty(device=device)
    return module  # type: ignore[no-any-return]
