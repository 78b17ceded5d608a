"""``nn.utils.weight_norm`` / ``remove_weight_norm``: PyTorch's original (hook-based) weight
normalisation, ``w = g * v / ||v||``, with ``weight_g`` and ``weight_v`` as the trained
parameters (the state_dict keys PyTorch uses). New code should prefer
:func:`npgrad.nn.utils.parametrizations.weight_norm`, as PyTorch advises.

The weight is recomputed by a forward pre-hook before each call and stored as a plain
attribute of the module, as PyTorch does.
"""

from __future__ import annotations

import warnings
from typing import Any

import npgrad
from npgrad import Tensor
from npgrad.nn.modules.module import Module
from npgrad.nn.parameter import Parameter

__all__ = ["remove_weight_norm", "weight_norm"]


def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """The 2-norm of ``v`` over every dimension but ``dim`` (kept, size 1); ``dim=-1``: the
    norm of the whole tensor, 0-d (PyTorch's ``norm_except_dim`` convention)."""
    if dim == -1:
        return npgrad.norm(v)
    d = dim + v.ndim if dim < 0 else dim
    if not 0 <= d < v.ndim:
        raise IndexError(
            f"weight_norm: dimension out of range (expected to be in range of [{-v.ndim}, "
            f"{v.ndim - 1}], but "
            f"got {dim})"
        )
    others = tuple(i for i in range(v.ndim) if i != d)
    if not others:
        return npgrad.abs(v)
    return npgrad.norm(v, 2, others, keepdim=True)


def _weight_norm(v: Tensor, g: Tensor, dim: int) -> Tensor:
    return v * (g / _norm_except_dim(v, dim))


class _WeightNormHook:
    """The forward pre-hook: ``module.<name> = g * v / ||v||`` before each call."""

    handle: Any  # the forward pre-hook's handle, to remove it

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim

    def compute_weight(self, module: Module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` as ``g * v / ||v||`` (Salimans & Kingma, 2016).

    ``<name>_g`` (the norms, over every dimension but ``dim``; ``dim=None``: one norm of the
    whole tensor) and ``<name>_v`` (the direction) replace the parameter; a forward pre-hook
    recomputes ``module.<name>`` from them before each call. Deprecated in PyTorch (which
    warns with a FutureWarning, as npgrad does) in favour of
    :func:`npgrad.nn.utils.parametrizations.weight_norm`.

    Examples
    --------
    >>> import warnings
    >>> from npgrad import nn
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     m = nn.utils.weight_norm(nn.Linear(3, 2))
    >>> [name for name, _ in m.named_parameters()]
    ['bias', 'weight_g', 'weight_v']
    >>> m.weight_g.shape
    npgrad.Size([2, 1])
    """
    warnings.warn(
        "torch.nn.utils.weight_norm is deprecated in favor of "
        "torch.nn.utils.parametrizations.weight_norm.",
        FutureWarning,
        stacklevel=2,
    )
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, _WeightNormHook) and hook.name == name:
            raise RuntimeError(
                f"Cannot register two weight_norm hooks on the same parameter {name}"
            )
    d = -1 if dim is None else dim
    weight = module._parameters.get(name)
    if weight is None:
        raise AttributeError(f"weight_norm: module {module._get_name()} has no parameter {name!r}")
    fn = _WeightNormHook(name, d)
    with npgrad.no_grad():  # before removing the parameter: a bad ``dim`` raises here
        g = _norm_except_dim(weight, d)
    del module._parameters[name]
    module.register_parameter(name + "_g", Parameter(g.detach()))
    module.register_parameter(name + "_v", Parameter(weight.detach()))
    setattr(module, name, fn.compute_weight(module))
    fn.handle = module.register_forward_pre_hook(fn)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo :func:`weight_norm`: ``module.<name>`` becomes a Parameter holding ``g * v / ||v||``.

    Examples
    --------
    >>> import warnings
    >>> from npgrad import nn
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     m = nn.utils.weight_norm(nn.Linear(3, 2))
    >>> [name for name, _ in nn.utils.remove_weight_norm(m).named_parameters()]
    ['bias', 'weight']
    """
    for hook in list(module._forward_pre_hooks.values()):
        if isinstance(hook, _WeightNormHook) and hook.name == name:
            with npgrad.no_grad():
                weight = hook.compute_weight(module)
            module.__dict__.pop(name, None)
            del module._parameters[name + "_g"]
            del module._parameters[name + "_v"]
            module.register_parameter(name, Parameter(weight.detach()))
            hook.handle.remove()
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
