"""``nn.utils.prune``: PyTorch's pruning API.

Pruning a module's tensor ``name`` (a parameter, or a buffer) moves it to the parameter
``name + "_orig"``, adds the buffer ``name + "_mask"`` (1 keeps an entry, 0 prunes it) and makes
``module.name`` the product ``name_orig * name_mask``, recomputed before every forward by a
forward pre-hook — the pruning method itself, as in PyTorch, so state_dicts have PyTorch's keys
and the gradient reaches only the kept entries. Pruning the same tensor again combines the
masks (a :class:`PruningContainer`): a later method only sees the entries still kept.
:func:`remove` makes the pruning permanent.

Which entries a method prunes: ``amount`` is a fraction in [0, 1] (rounded to the nearest
count) or a count. Unstructured methods prune single entries (the smallest ``|x|`` for
:class:`L1Unstructured`, random ones for :class:`RandomUnstructured`); structured ones prune
whole slices along ``dim`` (the smallest ``n``-norm for :class:`LnStructured`).
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn.modules.module import Module
from npgrad.nn.parameter import Parameter

__all__ = [
    "BasePruningMethod",
    "CustomFromMask",
    "Identity",
    "L1Unstructured",
    "LnStructured",
    "PruningContainer",
    "RandomStructured",
    "RandomUnstructured",
    "custom_from_mask",
    "global_unstructured",
    "identity",
    "is_pruned",
    "l1_unstructured",
    "ln_structured",
    "random_structured",
    "random_unstructured",
    "remove",
]


# ---- amounts -----------------------------------------------------------------------------------
def _validate_amount(amount: Any) -> None:
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and int(amount) < 0) or (
        not isinstance(amount, numbers.Integral) and not 0.0 <= float(amount) <= 1.0
    ):
        raise ValueError(
            f"amount={amount} should either be a float in the range [0, 1] or a non-negative "
            "integer"
        )


def _count(amount: Any, n: int) -> int:
    """The number of units to prune out of ``n``; a count larger than ``n`` raises."""
    if isinstance(amount, numbers.Integral):
        if int(amount) > n:
            raise ValueError(
                f"amount={amount} should be smaller than the number of parameters to prune={n}"
            )
        return int(amount)
    return round(float(amount) * n)


def _smallest(scores: np.ndarray, k: int) -> np.ndarray:
    """Flat indices of the ``k`` smallest scores (ties: the first ones, a stable sort)."""
    return np.argsort(scores.reshape(-1), kind="stable")[:k]


def _dim(t: Tensor, dim: int) -> int:
    if t.ndim < 2:
        raise ValueError(
            "Structured pruning can only be applied to multidimensional tensors. Found tensor "
            f"of shape {tuple(t.shape)} with {t.ndim} dims"
        )
    if not -t.ndim <= dim < t.ndim:
        raise IndexError(f"prune: dim {dim} is out of range for a tensor of {t.ndim} dimensions")
    return dim % t.ndim


# ---- methods -----------------------------------------------------------------------------------
class BasePruningMethod(ABC):
    """A way to choose what to prune. A subclass sets ``PRUNING_TYPE`` (``"unstructured"``,
    ``"structured"`` or ``"global"``) and implements ``compute_mask(t, default_mask)``; the
    instance is the forward pre-hook that recomputes ``module.<name>``."""

    PRUNING_TYPE = "unstructured"
    _tensor_name: str

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """The new mask: ``default_mask`` with the entries this method prunes set to 0."""

    def apply_mask(self, module: Module) -> Tensor:
        """``name_orig * name_mask``: the pruned tensor (differentiable in ``name_orig``)."""
        orig = getattr(module, self._tensor_name + "_orig")
        mask = getattr(module, self._tensor_name + "_mask")
        return orig * mask.to(orig.dtype)

    @classmethod
    def apply(
        cls,
        module: Module,
        name: str,
        *args: Any,
        importance_scores: Tensor | None = None,
        **kwargs: Any,
    ) -> BasePruningMethod:
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)``, combining with earlier
        pruning of it (see the module docstring); returns the hook now in place."""
        previous = None
        for key, hook in list(module._forward_pre_hooks.items()):
            if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
                if previous is not None:
                    raise RuntimeError(f"prune: more than one pruning hook on {name}")
                previous = (key, hook)
        method = cls(*args, **kwargs)
        method._tensor_name = name
        if previous is not None:
            key, old = previous
            container = old if isinstance(old, PruningContainer) else PruningContainer(old)
            container.add_pruning_method(method)
            method = container
            del module._forward_pre_hooks[key]
            module._update_call_hooks()
            default_mask = getattr(module, name + "_mask").detach().clone()
        # the tensor as it is now (already pruned, if it was): its values are the default
        # importance scores, as in PyTorch
        orig = getattr(module, name, None)
        if not isinstance(orig, Tensor):
            raise AttributeError(
                f"prune: module {type(module).__name__} has no parameter or buffer {name!r}"
            )
        if previous is None:
            default_mask = npgrad.ones_like(orig)
        scores = orig if importance_scores is None else importance_scores
        if tuple(scores.shape) != tuple(orig.shape):
            raise ValueError(
                f"prune: importance_scores should have the same shape as parameter {name} "
                f"{tuple(orig.shape)}, got {tuple(scores.shape)}"
            )
        mask = method.compute_mask(scores.detach(), default_mask=default_mask)
        if previous is None:  # move name to name_orig, as a parameter if it was one
            if name in module._parameters:
                del module._parameters[name]
                module.register_parameter(name + "_orig", orig)  # type: ignore[arg-type]
            else:
                module.register_buffer(name + "_orig", orig)
                del module._buffers[name]
        module.register_buffer(name + "_mask", mask)
        object.__setattr__(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def prune(
        self, t: Tensor, default_mask: Tensor | None = None, importance_scores: Tensor | None = None
    ) -> Tensor:
        """``t`` with this method's mask applied (the module stays as it is)."""
        scores = t if importance_scores is None else importance_scores
        mask = self.compute_mask(
            scores.detach(), default_mask if default_mask is not None else npgrad.ones_like(t)
        )
        return t * mask.to(t.dtype)

    def remove(self, module: Module) -> None:
        """Make the pruning permanent: ``name`` becomes a parameter holding the pruned values,
        and ``name_orig``, ``name_mask`` and the hook go."""
        name = self._tensor_name
        if name + "_orig" not in module._parameters and name + "_orig" not in module._buffers:
            raise ValueError(
                f"Parameter '{name}' of module {module} has to be pruned before pruning can be "
                "removed"
            )
        pruned = self.apply_mask(module).detach()
        was_parameter = name + "_orig" in module._parameters
        orig = getattr(module, name + "_orig")
        if was_parameter:
            del module._parameters[name + "_orig"]
        else:
            del module._buffers[name + "_orig"]
        del module._buffers[name + "_mask"]
        if name in module.__dict__:
            object.__delattr__(module, name)
        if was_parameter:
            module.register_parameter(name, Parameter(pruned, requires_grad=orig.requires_grad))
        else:
            module.register_buffer(name, pruned)
        for key, hook in list(module._forward_pre_hooks.items()):
            if hook is self:
                del module._forward_pre_hooks[key]
        module._update_call_hooks()


class PruningContainer(BasePruningMethod):
    """Several pruning methods applied one after the other to one tensor: each new method
    chooses among the entries the earlier ones kept (for a structured method: in the slices
    still fully kept along its ``dim``)."""

    def __init__(self, *args: BasePruningMethod) -> None:
        self._pruning_methods: tuple[BasePruningMethod, ...] = ()
        if len(args) == 1 and not isinstance(args[0], BasePruningMethod):
            args = tuple(args[0])
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method: BasePruningMethod) -> None:
        if not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if self._pruning_methods and method._tensor_name != self._tensor_name:
            raise ValueError(
                "Can only add pruning methods acting on the parameter named "
                f"'{self._tensor_name}' to PruningContainer. Found '{method._tensor_name}'"
            )
        self._tensor_name = method._tensor_name
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self) -> Any:
        return iter(self._pruning_methods)

    def __getitem__(self, idx: int) -> BasePruningMethod:
        return self._pruning_methods[idx]

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        # the newest method prunes among what the mask so far keeps
        method = self._pruning_methods[-1]
        if method.PRUNING_TYPE == "global":  # it sees the whole tensor and mask
            return method.compute_mask(t, default_mask)
        mask = default_mask.detach().numpy().copy()
        if method.PRUNING_TYPE == "unstructured":
            kept = mask == 1
            sub = method.compute_mask(
                npgrad.tensor(t.detach().numpy()[kept]),
                npgrad.ones(int(kept.sum()), dtype=default_mask.dtype),
            )
            mask[kept] = sub.numpy()
        else:
            dim = _dim(t, method.dim)  # type: ignore[attr-defined]
            axes = tuple(a for a in range(t.ndim) if a != dim)
            alive = (mask != 0).any(axis=axes) if axes else mask != 0  # slices not all pruned
            index = [slice(None)] * t.ndim
            index[dim] = alive
            sub_t = t.detach().numpy()[tuple(index)]
            sub = method.compute_mask(npgrad.tensor(sub_t), npgrad.ones_like(npgrad.tensor(sub_t)))
            mask[tuple(index)] = sub.numpy() * mask[tuple(index)]
        return npgrad.tensor(mask, dtype=default_mask.dtype)


class Identity(BasePruningMethod):
    """Prunes nothing (a mask of ones): PyTorch's way to add the ``_orig``/``_mask`` pair."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        return default_mask

    @classmethod
    def apply(cls, module: Module, name: str) -> BasePruningMethod:  # type: ignore[override]
        return super().apply(module, name)


class _Unstructured(BasePruningMethod):
    """Prunes the ``amount`` entries of smallest score (``_scores``), wherever they are."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: Any) -> None:
        _validate_amount(amount)
        self.amount = amount

    def _scores(self, t: Tensor) -> np.ndarray:
        raise NotImplementedError  # each pruning method has its own

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        k = _count(self.amount, t.numel())
        mask = default_mask.detach().numpy().copy()
        if k:
            mask.reshape(-1)[_smallest(self._scores(t), k)] = 0
        return npgrad.tensor(mask)


class RandomUnstructured(_Unstructured):
    """Prunes ``amount`` entries chosen at random (npgrad's generator)."""

    def _scores(self, t: Tensor) -> np.ndarray:
        return npgrad.rand(*t.shape).numpy()

    @classmethod
    def apply(cls, module: Module, name: str, amount: Any) -> BasePruningMethod:  # type: ignore[override]
        return super().apply(module, name, amount=amount)


class L1Unstructured(_Unstructured):
    """Prunes the ``amount`` entries of smallest absolute value (of ``importance_scores``
    when given)."""

    def _scores(self, t: Tensor) -> np.ndarray:
        return np.abs(t.detach().numpy())

    @classmethod
    def apply(  # type: ignore[override]
        cls, module: Module, name: str, amount: Any, importance_scores: Tensor | None = None
    ) -> BasePruningMethod:
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Prunes ``amount`` whole slices along ``dim``, chosen at random."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount: Any, dim: int = -1) -> None:
        _validate_amount(amount)
        self.amount, self.dim = amount, dim

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        dim = _dim(t, self.dim)
        k = _count(self.amount, t.shape[dim])
        scores = npgrad.rand(t.shape[dim]).numpy()
        return _structured_mask(t, default_mask, dim, _smallest(scores, k))

    @classmethod
    def apply(cls, module: Module, name: str, amount: Any, dim: int = -1) -> BasePruningMethod:  # type: ignore[override]
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Prunes the ``amount`` slices along ``dim`` of smallest ``n``-norm (``n`` as
    ``npgrad.norm``'s ``p``: a number, ``inf``, ``-inf`` or ``'fro'``)."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount: Any, n: Any, dim: int = -1) -> None:
        _validate_amount(amount)
        self.amount, self.n, self.dim = amount, n, dim

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        dim = _dim(t, self.dim)
        k = _count(self.amount, t.shape[dim])
        axes = tuple(a for a in range(t.ndim) if a != dim)
        norms = npgrad.norm(t.detach(), self.n, dim=axes) if axes else t.detach().abs()
        return _structured_mask(t, default_mask, dim, _smallest(norms.numpy(), k))

    @classmethod
    def apply(  # type: ignore[override]
        cls,
        module: Module,
        name: str,
        amount: Any,
        n: Any,
        dim: int,
        importance_scores: Tensor | None = None,
    ) -> BasePruningMethod:
        return super().apply(
            module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores
        )


def _structured_mask(t: Tensor, default_mask: Tensor, dim: int, slices: np.ndarray) -> Tensor:
    mask = default_mask.detach().numpy().copy()
    index: list[Any] = [slice(None)] * t.ndim
    index[dim] = slices
    mask[tuple(index)] = 0
    return npgrad.tensor(mask)


class CustomFromMask(BasePruningMethod):
    """Prunes where the given ``mask`` is 0."""

    PRUNING_TYPE = "global"

    def __init__(self, mask: Tensor) -> None:
        self.mask = mask

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        if tuple(self.mask.shape) != tuple(default_mask.shape):
            raise ValueError(
                f"prune: the mask has shape {tuple(self.mask.shape)}, the tensor "
                f"{tuple(default_mask.shape)}"
            )
        return default_mask * self.mask.to(default_mask.dtype)

    @classmethod
    def apply(cls, module: Module, name: str, mask: Tensor) -> BasePruningMethod:  # type: ignore[override]
        return super().apply(module, name, mask=mask)


# ---- functions ---------------------------------------------------------------------------------
def identity(module: Module, name: str) -> Module:
    """Add the ``name_orig``/``name_mask`` pair without pruning anything; returns ``module``.

    Examples
    --------
    >>> from npgrad import nn
    >>> from npgrad.nn.utils import prune
    >>> m = prune.identity(nn.Linear(2, 3), "weight")
    >>> sorted(m.state_dict())
    ['bias', 'weight_mask', 'weight_orig']
    """
    Identity.apply(module, name)
    return module


def random_unstructured(module: Module, name: str, amount: Any) -> Module:
    """Prune ``amount`` random entries of ``module.<name>``; returns ``module``."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(
    module: Module, name: str, amount: Any, importance_scores: Tensor | None = None
) -> Module:
    """Prune the ``amount`` entries of ``module.<name>`` of smallest absolute value.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.utils import prune
    >>> m = nn.Linear(2, 1, bias=False)
    >>> with npgrad.no_grad():
    ...     _ = m.weight.copy_(npgrad.tensor([[0.1, -2.0]]))
    >>> _ = prune.l1_unstructured(m, "weight", amount=1)
    >>> m.weight
    tensor([[ 0., -2.]], grad_fn=<MulBackward>)
    """
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module: Module, name: str, amount: Any, dim: int) -> Module:
    """Prune ``amount`` random slices of ``module.<name>`` along ``dim``."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(
    module: Module,
    name: str,
    amount: Any,
    n: Any,
    dim: int,
    importance_scores: Tensor | None = None,
) -> Module:
    """Prune the ``amount`` slices of ``module.<name>`` along ``dim`` of smallest ``n``-norm."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module: Module, name: str, mask: Tensor) -> Module:
    """Prune ``module.<name>`` where ``mask`` is 0."""
    CustomFromMask.apply(module, name, mask=mask)
    return module


def global_unstructured(
    parameters: Iterable[tuple[Module, str]],
    pruning_method: type[BasePruningMethod],
    importance_scores: dict[tuple[Module, str], Tensor] | None = None,
    **kwargs: Any,
) -> None:
    """Prune the tensors ``(module, name)`` of ``parameters`` together: the method chooses
    among all their (still kept) entries at once, e.g. the globally smallest by ``|x|``.

    Examples
    --------
    >>> from npgrad import nn
    >>> from npgrad.nn.utils import prune
    >>> a, b = nn.Linear(4, 4), nn.Linear(4, 2)
    >>> prune.global_unstructured([(a, "weight"), (b, "weight")], prune.L1Unstructured, amount=6)
    >>> int((a.weight == 0).sum() + (b.weight == 0).sum())
    6
    """
    parameters = list(parameters)
    if not parameters:
        raise ValueError("global_unstructured: parameters must be a non-empty iterable")
    scores = importance_scores or {}
    flat_t, flat_mask, sizes = [], [], []
    for module, name in parameters:
        t = scores.get((module, name), getattr(module, name))
        mask = getattr(module, name + "_mask", None)
        flat_t.append(t.detach().numpy().reshape(-1))
        flat_mask.append(np.ones(t.numel(), t.dtype) if mask is None else mask.numpy().reshape(-1))
        sizes.append(t.numel())
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(
            'Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
            f"{pruning_method} of type {method.PRUNING_TYPE}"
        )
    container = PruningContainer(method)
    joint = container.compute_mask(
        npgrad.tensor(np.concatenate(flat_t)), npgrad.tensor(np.concatenate(flat_mask))
    ).numpy()
    start = 0
    for (module, name), size in zip(parameters, sizes):
        part = joint[start : start + size].reshape(tuple(getattr(module, name).shape))
        custom_from_mask(module, name, npgrad.tensor(part))
        start += size


def remove(module: Module, name: str) -> Module:
    """Make the pruning of ``module.<name>`` permanent (see :meth:`BasePruningMethod.remove`).

    Examples
    --------
    >>> from npgrad import nn
    >>> from npgrad.nn.utils import prune
    >>> m = prune.l1_unstructured(nn.Linear(2, 3), "weight", 0.5)
    >>> sorted(prune.remove(m, "weight").state_dict())
    ['bias', 'weight']
    """
    for hook in list(module._forward_pre_hooks.values()):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            return module
    raise ValueError(
        f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed"
    )


def is_pruned(module: Module) -> bool:
    """Whether any submodule of ``module`` has a pruning hook.

    Examples
    --------
    >>> from npgrad import nn
    >>> from npgrad.nn.utils import prune
    >>> m = nn.Sequential(nn.Linear(2, 2))
    >>> prune.is_pruned(m), prune.is_pruned(prune.identity(m[0], "bias") and m)
    (False, True)
    """
    return any(
        isinstance(hook, BasePruningMethod)
        for m in module.modules()
        for hook in m._forward_pre_hooks.values()
    )
