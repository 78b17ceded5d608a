"""``LazyModuleMixin``: the machinery of the lazy modules (re-exported by
:mod:`npgrad.nn.modules.lazy`, where PyTorch has it, next to the lazy layers).

A forward pre-hook registered in ``__init__`` calls ``initialize_parameters`` with the first
call's arguments, checks that every parameter was materialized, removes itself and turns the
module into its ``cls_to_become``."""

from __future__ import annotations

from typing import Any

import npgrad
from npgrad import Tensor
from npgrad.nn.modules.module import Module
from npgrad.nn.parameter import is_lazy
from npgrad.ops._shape_util import ShapeError

__all__ = ["LazyModuleMixin"]


def _infer_parameters(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    # The forward pre-hook of an uninitialized lazy module (a function of ``module``, not a
    # bound method, so that a deep copy's hook initialises the copy).
    module.initialize_parameters(*args, **kwargs)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
    module._initialize_hook.remove()
    del module._initialize_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


def _input(module: Module, args: tuple[Any, ...]) -> Tensor:
    if not args or not isinstance(args[0], Tensor):
        got = type(args[0]).__name__ if args else "no input"
        raise TypeError(
            f"{module._get_name()}: the first call of a lazy module needs a Tensor input to "
            f"infer its parameters' shapes, got {got}"
        )
    return args[0]


class LazyModuleMixin:
    """A mixin for modules whose parameters' shapes come from their first input.

    A lazy class derives from this mixin and from its non-lazy layer (``cls_to_become``),
    creates :class:`~npgrad.nn.UninitializedParameter` objects in ``__init__`` and
    implements ``initialize_parameters(*args, **kwargs)``, which receives the first call's
    arguments and materializes them. After that first call the module *is* a
    ``cls_to_become`` (a regular layer). Until then its parameters cannot be used: build the
    optimizer and convert the dtype (``.double()``, which lazy parameters follow) freely, but
    run a dry batch first before anything reads the values. ``load_state_dict`` materializes
    them with the checkpoint's shapes; ``state_dict()`` holds them as they are.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> m = nn.LazyLinear(3)
    >>> m
    LazyLinear(in_features=0, out_features=3, bias=True)
    >>> m.has_uninitialized_params(), m.weight
    (True, <UninitializedParameter>)
    >>> m(npgrad.ones(2, 5)).shape
    npgrad.Size([2, 3])
    >>> m, m.weight.shape
    (Linear(in_features=5, out_features=3, bias=True), npgrad.Size([3, 5]))
    """

    cls_to_become: type[Module] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        module: Any = self
        # a plain (not registered) attribute, as PyTorch's; removed by the first call
        module._initialize_hook = module.register_forward_pre_hook(
            _infer_parameters, with_kwargs=True
        )

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer of this module is still uninitialized."""
        d: Any = self.__dict__
        return any(is_lazy(t) for t in (*d["_parameters"].values(), *d["_buffers"].values()))

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Materialize (and initialise) the uninitialized parameters from the first call's
        arguments; each lazy class defines it."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {type(self).__name__}"
        )

    def _sync_sizes(self) -> None:
        """After ``load_state_dict`` materialized parameters: take the layer's sizes
        (``in_features``...) from them, so that the module is consistent before its first call
        (PyTorch leaves them 0 until then)."""

    def _check_loaded(self, shapes: dict[str, tuple[int, ...]]) -> bool:
        """Whether some of the tensors named in ``shapes`` were already materialized (by
        ``load_state_dict``); raises if one of them has another shape than the input needs."""
        module: Any = self
        partial = False
        for name, shape in shapes.items():
            t = getattr(module, name)
            if t is None or is_lazy(t):
                continue
            partial = True
            if t.shape != shape:
                raise ShapeError(
                    f"{module!r}: the loaded {name} has shape {t.shape}, but the input needs "
                    f"shape {shape}"
                )
        return partial

    def _materialize(self, shapes: dict[str, tuple[int, ...]]) -> None:
        """Materialize the uninitialized tensors among ``shapes`` (name -> shape) and
        initialise them with the layer's own ``reset_parameters``: the same random draws as
        the non-lazy layer's constructor. Tensors already loaded by ``load_state_dict`` must
        have their shape and keep their values (and so do the other buffers then)."""
        module: Any = self
        kept = {}
        if self._check_loaded(shapes):
            for k, t in (*module._parameters.items(), *module._buffers.items()):
                if t is not None and not is_lazy(t):
                    kept[k] = t._data.copy()
        with npgrad.no_grad():
            for name, shape in shapes.items():
                t = getattr(module, name)
                if t is not None and is_lazy(t):
                    t.materialize(shape)
            module.reset_parameters()
            for name, arr in kept.items():
                getattr(module, name)._data[...] = arr
