"""``nn.utils.parametrize``: make a module's parameter the output of a function of other
tensors, as ``torch.nn.utils.parametrize``.

After ``register_parametrization(m, "weight", P())``, ``m.weight`` is computed as
``P()(original)`` each time it is read, ``original`` being the trained Parameter, stored at
``m.parametrizations.weight.original`` (state_dict key ``parametrizations.weight.original``,
as PyTorch). Reading an attribute must run code, so the module's class is swapped for a
generated subclass, ``Parametrized<Class>``, that holds one ``property`` per parametrized
name (what PyTorch does); ``remove_parametrizations`` restores the original class once the
last parametrization is gone.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import npgrad
from npgrad import Tensor
from npgrad.nn.modules.container import ModuleDict, ModuleList
from npgrad.nn.modules.module import Module
from npgrad.nn.parameter import Parameter

__all__ = [
    "ParametrizationList",
    "cached",
    "is_parametrized",
    "register_parametrization",
    "remove_parametrizations",
    "type_before_parametrizations",
]

_cache_enabled = 0
_cache: dict[tuple[int, str], Tensor] = {}


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Inside this context each parametrized tensor is computed once, on its first read, and
    reused (e.g. a weight read at every step of an RNN). Nested contexts share the cache; it is
    cleared when the outermost exits.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.utils import parametrize
    >>> class Double(nn.Module):
    ...     def forward(self, x):
    ...         return 2 * x
    >>> m = parametrize.register_parametrization(nn.Linear(2, 2), "weight", Double())
    >>> with parametrize.cached():
    ...     m.weight is m.weight
    True
    >>> m.weight is m.weight
    False
    """
    global _cache_enabled, _cache
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register(module: Module, name: str, value: Tensor) -> None:
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


def _set_data(target: Tensor, value: Tensor) -> None:
    # PyTorch's ``original.set_(value)``: the same tensor object (optimizers hold it) takes the
    # new values, shape and dtype
    target._data = value._data.copy()
    target._version += 1


def _check_result(z: Any, shape: tuple[int, ...], dtype: Any, what: str) -> None:
    """``z`` (a parametrization's result) has the unparametrized ``shape`` and ``dtype``."""
    if not isinstance(z, Tensor):
        raise ValueError(f"A parametrization must return a tensor. Got {type(z).__name__}.")
    if z.dtype != dtype:
        raise ValueError(
            f"{what} may not change the dtype of the tensor, unless `unsafe` flag is enabled.\n"
            f"unparametrized dtype: {dtype}\nparametrized dtype: {z.dtype}"
        )
    if z.shape != shape:
        raise ValueError(
            f"{what} may not change the shape of the tensor, unless `unsafe` flag is enabled.\n"
            f"unparametrized shape: {shape}\nparametrized shape: {z.shape}"
        )


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order, and the tensor(s) they take:
    ``original``, or ``original0``, ``original1``... when the first parametrization's
    ``right_inverse`` returns a sequence."""

    def __init__(self, modules: Sequence[Module], original: Tensor, unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        # what ``original`` was before ``right_inverse`` may reshape it in place (PyTorch's
        # ``set_``): the checks compare with it, and a failed check puts it back
        shape, dtype, data = original.shape, original.dtype, original._data
        new: Any = original
        with npgrad.no_grad():
            for m in reversed(list(self)):
                if hasattr(m, "right_inverse"):
                    new = m.right_inverse(new)
        if not isinstance(new, (Tensor, Sequence)):
            raise ValueError(
                "'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                f"Got {type(new).__name__}"
            )
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if isinstance(new, Tensor):
            if original.dtype != new.dtype:
                raise ValueError(
                    "When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                    f"original.dtype: {original.dtype}\nright_inverse(original).dtype: "
                    f"{new.dtype}"
                )
            if new is not original:
                _set_data(original, new)
            _register(self, "original", original)
        else:
            for i, t in enumerate(new):
                if not isinstance(t, Tensor):
                    raise ValueError(
                        "'right_inverse' must return a Tensor or a Sequence of tensors (list, "
                        f"tuple...). Got element {i} of the sequence with type "
                        f"{type(t).__name__}."
                    )
                t = t.detach()
                if isinstance(original, Parameter):
                    t = Parameter(t, original.requires_grad)
                _register(self, f"original{i}", t)
        if not self.unsafe:
            try:
                _check_result(self(), shape, dtype, "Registering a parametrization")
            except BaseException:
                if original._data is not data:
                    original._data = data
                    original._version += 1
                raise

    def right_inverse(self, value: Tensor) -> None:
        """Set the original tensor(s) so that the parametrization gives ``value`` (assigning
        ``module.weight = value`` calls this)."""
        with npgrad.no_grad():
            new: Any = value
            for m in reversed(list(self)):
                if not hasattr(m, "right_inverse"):
                    raise RuntimeError(
                        f"parametrization {type(m).__name__} does not implement right_inverse."
                    )
                new = m.right_inverse(new)
            if self.is_tensor:
                if not isinstance(new, Tensor):
                    raise ValueError(
                        f"`right_inverse` should return a tensor. Got {type(new).__name__}"
                    )
                if new.dtype != self.original.dtype:
                    raise ValueError(
                        f"The tensor returned by `right_inverse` has dtype {new.dtype} while "
                        f"`original` has dtype {self.original.dtype}"
                    )
                _set_data(self.original, new)
            else:
                if not isinstance(new, Sequence) or len(new) != self.ntensors:
                    raise ValueError(
                        f"'right_inverse' must return a sequence of {self.ntensors} tensors"
                    )
                for i, t in enumerate(new):
                    _set_data(getattr(self, f"original{i}"), t)

    def forward(self) -> Tensor:
        mods = list(self)
        if self.is_tensor:
            x = mods[0](self.original)
        else:
            x = mods[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for m in mods[1:]:
            x = m(x)
        return x  # type: ignore[no-any-return]


def _no_pickle(self: Any) -> Any:
    raise RuntimeError(
        "Serialization of parametrized modules is only supported through state_dict(). See "
        "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
    )


def _deepcopy(self: Any, memo: dict[int, Any]) -> Any:
    replica = self.__new__(self.__class__)
    memo[id(self)] = replica
    replica.__dict__ = copy.deepcopy(self.__dict__, memo)
    return replica


def _upgrade(self: Any, state_dict: dict[str, Any], prefix: str, metadata: dict[str, Any]) -> None:
    super(type(self), self)._upgrade_state_dict(state_dict, prefix, metadata)
    for hook in self.__dict__.get("_parametrize_load_hooks", ()):
        hook(state_dict, prefix)


def _inject_new_class(module: Module) -> None:
    cls = module.__class__
    new_cls = type(
        f"Parametrized{cls.__name__}",
        (cls,),
        {
            "__getstate__": _no_pickle,
            "__deepcopy__": _deepcopy,
            # state_dict key renaming of the parametrizations (weight_norm's old keys)
            "_upgrade_state_dict": _upgrade,
        },
    )
    new_cls.__module__ = cls.__module__
    module.__class__ = new_cls


def _inject_property(module: Module, name: str) -> None:
    def get_parametrized(self: Module) -> Tensor:
        # stateless.functional_call may stand a given tensor in for the parametrized one
        given = self.__dict__.get("_parametrize_overrides")
        if given and name in given:
            return given[name]  # type: ignore[no-any-return]
        plist = self.parametrizations[name]  # type: ignore[index]
        if _cache_enabled:
            key = (id(self), name)
            tensor = _cache.get(key)
            if tensor is None:
                tensor = _cache[key] = plist()
            return tensor
        return plist()  # type: ignore[no-any-return]

    def set_original(self: Module, value: Tensor) -> None:
        self.parametrizations[name].right_inverse(value)  # type: ignore[index]

    setattr(module.__class__, name, property(get_parametrized, set_original))


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization (on ``tensor_name``, if given)."""
    plist = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(plist, ModuleDict):
        return False
    return len(plist) > 0 if tensor_name is None else tensor_name in plist


def type_before_parametrizations(module: Module) -> type:
    """The module's class before parametrizations were registered (its class if none)."""
    return module.__class__.__bases__[0] if is_parametrized(module) else module.__class__


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """Make ``module.<tensor_name>`` the output of ``parametrization`` applied to the tensor.

    Parameters
    ----------
    module : Module
        The module holding the parameter or buffer ``tensor_name``.
    tensor_name : str
        The parameter or buffer to parametrize; registering on an already parametrized name
        chains the new parametrization after the existing ones.
    parametrization : Module
        ``forward(X)`` gives the tensor. An optional ``right_inverse(Y)`` gives the ``X``
        (or a sequence of tensors, then passed to ``forward`` as separate arguments) with
        ``forward(X) == Y``: it initialises the original from the current value, and makes
        ``module.<tensor_name> = Y`` assignable.
    unsafe : bool
        Skip the checks that the parametrization keeps the tensor's dtype and shape.

    Returns
    -------
    Module
        ``module``, whose class is now ``Parametrized<Class>``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.utils import parametrize
    >>> class Symmetric(nn.Module):
    ...     def forward(self, x):
    ...         return x.triu() + x.triu(1).transpose(0, 1)
    >>> m = nn.Linear(2, 2, bias=False)
    >>> with npgrad.no_grad():
    ...     _ = m.weight.copy_(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    >>> _ = parametrize.register_parametrization(m, "weight", Symmetric())
    >>> m.weight
    tensor([[1., 2.],
            [2., 4.]], grad_fn=<AddBackward>)
    >>> list(m.state_dict())
    ['parametrizations.weight.original']
    """
    if not isinstance(module, Module):
        raise TypeError(f"register_parametrization: expected a Module, got {type(module).__name__}")
    if not isinstance(parametrization, Module):
        raise TypeError(
            "register_parametrization: the parametrization must be a Module, got "
            f"{type(parametrization).__name__}"
        )
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        plist: ParametrizationList = module.parametrizations[tensor_name]  # type: ignore[index]
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            _check_result(x, y.shape, y.dtype, "Registering a parametrization")
            if hasattr(parametrization, "right_inverse"):
                z = parametrization.right_inverse(x)
                _check_result(z, y.shape, y.dtype, "parametrization.right_inverse")
        plist.append(parametrization)
        plist.unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        if original is None:
            raise ValueError(f"Module '{module}' has {tensor_name} = None: nothing to parametrize")
        plist = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        module.parametrizations[tensor_name] = plist  # type: ignore[index]
        _inject_property(module, tensor_name)
    else:
        raise ValueError(
            f"Module '{module}' does not have a parameter, a buffer, or a parametrized element "
            f"with name '{tensor_name}'"
        )
    return module


def remove_parametrizations(
    module: Module, tensor_name: str, leave_parametrized: bool = True
) -> Module:
    """Remove the parametrizations on ``tensor_name``: it becomes a plain parameter (or
    buffer) again, holding the parametrized value (``leave_parametrized=True``) or the
    original one. The original Parameter object is kept, so optimizers holding it still work.

    Examples
    --------
    >>> from npgrad import nn
    >>> from npgrad.nn.utils import parametrize
    >>> m = parametrize.register_parametrization(nn.Linear(2, 2), "weight", nn.Identity())
    >>> type(m).__name__
    'ParametrizedLinear'
    >>> type(parametrize.remove_parametrizations(m, "weight")).__name__
    'Linear'
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    plist: ParametrizationList = module.parametrizations[tensor_name]  # type: ignore[index]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with npgrad.no_grad():
                t = getattr(module, tensor_name)
                _set_data(original, t)
    else:
        if not leave_parametrized:
            raise ValueError(
                "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                "parametrized in terms of a sequence of tensors."
            )
        with npgrad.no_grad():
            t = getattr(module, tensor_name)
        first = plist.original0
        original = Parameter(t.detach(), first.requires_grad) if isinstance(first, Parameter) else t
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]  # type: ignore[attr-defined]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__dict__.pop("_parametrize_load_hooks", None)
        module.__class__ = module.__class__.__bases__[0]
    return module


def _add_load_hook(module: Module, hook: Callable[[dict[str, Any], str], None]) -> None:
    """Run ``hook(state_dict, prefix)`` when a state_dict is loaded into the parametrized
    ``module``, before its keys are checked (to rename a checkpoint's older keys)."""
    module.__dict__.setdefault("_parametrize_load_hooks", []).append(hook)
