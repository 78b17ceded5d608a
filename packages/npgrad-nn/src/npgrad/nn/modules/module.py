"""``Module``: the base class of every layer and model, with ``torch.nn.Module``'s behaviour.

Assigning a :class:`Parameter` or a Module to an attribute registers it; tensors registered with
``register_buffer`` travel with the module (``to``, ``state_dict``) without being trained.
``state_dict`` keys are dotted attribute paths (``features.0.weight``), so a PyTorch
state_dict of the same architecture loads unchanged.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor, _memory_format
from npgrad._device import is_device
from npgrad.nn._factory import check_device
from npgrad.nn.modules import _hooks
from npgrad.nn.modules._hooks import (
    _global_buffer_registration_hooks,
    _global_module_registration_hooks,
    _global_parameter_registration_hooks,
    call_with_hooks,
    register_module_buffer_registration_hook,
    register_module_forward_hook,
    register_module_forward_pre_hook,
    register_module_full_backward_hook,
    register_module_full_backward_pre_hook,
    register_module_module_registration_hook,
    register_module_parameter_registration_hook,
    run_registration_hooks,
)
from npgrad.nn.modules._module_hooks import HookMethods
from npgrad.nn.modules._state import StateMethods
from npgrad.nn.parameter import Buffer, Parameter, is_lazy
from npgrad.ops._shape_util import ShapeError

# the global hooks live in _hooks and are PyTorch's ``torch.nn.modules.module`` functions
__all__ = [
    "Module",
    "register_module_buffer_registration_hook",
    "register_module_forward_hook",
    "register_module_forward_pre_hook",
    "register_module_full_backward_hook",
    "register_module_full_backward_pre_hook",
    "register_module_module_registration_hook",
    "register_module_parameter_registration_hook",
]


def _check_sizes(owner: str, **sizes: Any) -> None:
    """Layer sizes (``in_features=...``) must be non-negative ints: checked in the constructor,
    so the error names the layer rather than the tensor factory that would fail (a negative
    size is a ShapeError: npgrad's ValueError and PyTorch's RuntimeError)."""
    for name, size in sizes.items():
        try:
            n = operator.index(size)
        except TypeError:
            raise TypeError(f"{owner}: {name} must be an int, got {type(size).__name__}") from None
        if n < 0:
            raise ShapeError(f"{owner}: {name} must be non-negative, got {n}")


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class Module(StateMethods, HookMethods):
    """Base class for all neural-network modules; subclasses define ``forward``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> class Scale(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = nn.Parameter(npgrad.ones(2))
    ...     def forward(self, x):
    ...         return x * self.w
    >>> m = Scale()
    >>> [name for name, _ in m.named_parameters()]
    ['w']
    >>> m(npgrad.tensor([1.0, 2.0]))
    tensor([1., 2.], grad_fn=<MulBackward>)
    """

    training: bool
    # the version of this class's state_dict layout, saved in ``state_dict()._metadata`` (as
    # PyTorch does) so that ``_upgrade_state_dict`` can recognise an older checkpoint
    _version: int = 1
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]

    def __init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "training", True)
        set_(self, "_parameters", {})
        set_(self, "_buffers", {})
        set_(self, "_non_persistent_buffers", set())
        set_(self, "_modules", {})
        set_(self, "_forward_pre_hooks", {})
        set_(self, "_forward_pre_hooks_with_kwargs", {})
        set_(self, "_forward_hooks", {})
        set_(self, "_forward_hooks_with_kwargs", {})
        set_(self, "_forward_hooks_always_called", {})
        set_(self, "_backward_pre_hooks", {})
        set_(self, "_backward_hooks", {})
        # whether any of the four hook dicts holds a hook: __call__ reads this one attribute
        # (not the four dicts) so that a module without hooks pays one lookup per call. The
        # register_* methods and the handles' remove() keep it up to date.
        set_(self, "_has_call_hooks", False)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # a module pickled before backward hooks existed gets their (empty) stores
        self.__dict__.update(state)
        self.__dict__.setdefault("_backward_pre_hooks", {})
        self.__dict__.setdefault("_backward_hooks", {})
        self._update_call_hooks()

    def _update_call_hooks(self) -> None:
        d = self.__dict__
        d["_has_call_hooks"] = bool(
            d["_forward_pre_hooks"]
            or d["_forward_hooks"]
            or d["_backward_hooks"]
            or d["_backward_pre_hooks"]
        )

    forward: Callable[..., Any]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._has_call_hooks or _hooks.has_global_call_hooks:
            return call_with_hooks(self, args, kwargs)
        return self._forward_function()(self, *args, **kwargs)

    def _forward_function(self) -> Callable[..., Any]:
        try:
            return type(self).forward  # type: ignore[no-any-return]
        except AttributeError:
            raise NotImplementedError(
                f'Module [{type(self).__name__}] is missing the required "forward" function'
            ) from None

    # ---- registration ----------------------------------------------------------------------
    def _check_name(self, kind: str, name: Any) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if not name:
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got {name!r}')

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None) under ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name("parameter", name)
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute {name!r} already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(nn.Parameter or None required)"
            )
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                "created explicitly; use .detach() for a leaf"
            )
        if param is not None and _global_parameter_registration_hooks:
            param = run_registration_hooks(_global_parameter_registration_hooks, self, name, param)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: state that is not trained (``running_mean``); ``persistent=False``
        leaves it out of the state_dict."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name("buffer", name)
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute {name!r} already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (Tensor or None required)"
            )
        if _global_buffer_registration_hooks:
            tensor = run_registration_hooks(_global_buffer_registration_hooks, self, name, tensor)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name("module", name)
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute {name!r} already exists")
        if _global_module_registration_hooks:
            module = run_registration_hooks(_global_module_registration_hooks, self, name, module)
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params, buffers, modules = d.get("_parameters"), d.get("_buffers"), d.get("_modules")

        def remove_from(*dicts: Any) -> None:
            for dd in dicts:
                if dd is not None and name in dd:
                    del dd[name]
            d.pop(name, None)

        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            remove_from(buffers, modules)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(nn.Parameter or None expected)"
                )
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            remove_from(params, buffers)
            if _global_module_registration_hooks:
                value = run_registration_hooks(_global_module_registration_hooks, self, name, value)
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' (Module or None expected)"
                )
            if _global_module_registration_hooks:
                value = run_registration_hooks(_global_module_registration_hooks, self, name, value)
            modules[name] = value
        elif isinstance(value, Buffer) or (buffers is not None and name in buffers):
            if buffers is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)"
                )
            # an nn.Buffer brings its persistence; another value keeps the buffer's (PyTorch)
            if isinstance(value, Buffer):
                persistent = value.persistent
            else:
                persistent = name not in self._non_persistent_buffers
            self.register_buffer(name, value, persistent)
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = set(super().__dir__()) | set(self._parameters) | set(self._buffers)
        keys |= set(self._modules)
        # not valid identifiers (Sequential's "0", "1", ...): left out, as PyTorch does
        return sorted(k for k in keys if not k[:1].isdigit())

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``""`` is the module itself)."""
        mod: Module = self
        for item in target.split(".") if target else []:
            sub = mod._modules.get(item)
            if sub is None:
                raise AttributeError(
                    f"{mod._get_name()} has no attribute `{item}` (from {target!r})"
                )
            mod = sub
        return mod

    def get_parameter(self, target: str) -> Parameter:
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._parameters or mod._parameters[name] is None:
            raise AttributeError(f"`{name}` is not an nn.Parameter (from {target!r})")
        return mod._parameters[name]  # type: ignore[return-value]

    def get_buffer(self, target: str) -> Tensor:
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._buffers:
            raise AttributeError(f"`{name}` is not a buffer (from {target!r})")
        return mod._buffers[name]  # type: ignore[return-value]

    # ---- traversal -------------------------------------------------------------------------
    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """Every module in the tree, itself first, with dotted names (iterative, no recursion
        limit on deep models). ``memo``: the modules already seen, as in PyTorch (those in it
        are skipped with their subtrees, and the ones yielded are added to it)."""
        memo = set() if memo is None else memo
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if mod in memo:
                    continue
                memo.add(mod)
            yield name, mod
            children = [
                (f"{name}.{k}" if name else k, m) for k, m in mod._modules.items() if m is not None
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(
        self, store: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        mods = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for mod_prefix, mod in mods:
            for k, v in getattr(mod, store).items():
                if v is None or (remove_duplicate and id(v) in seen):
                    continue
                seen.add(id(v))
                yield (f"{mod_prefix}.{k}" if mod_prefix else k), v

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs, shared parameters once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)  # type: ignore[return-value]

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ---- modes and bulk changes ------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (dropout active, batch-norm updating its statistics)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None by default; with
        ``set_to_none=False`` each ``.grad`` is detached and filled with zeros in place (the
        same tensor, as in PyTorch)."""
        for p in self.parameters():
            g = p.grad
            if g is None:
                continue
            if set_to_none:
                p.grad = None
            elif not g._data.flags.writeable:  # a read-only gradient (one set by hand): replaced
                p.grad = Tensor._make(np.zeros_like(g._data), False, None)
            else:
                if g.grad_fn is not None or g.requires_grad:
                    g.detach_()
                g.zero_()

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule, then on this module, in PyTorch's order: for each
        child in ``children()`` order its whole subtree first (post-order), a module shared by
        several parents once under each. Iterative: no recursion limit on deep models."""
        stack: list[tuple[Module, bool]] = [(self, False)]
        while stack:
            mod, children_done = stack.pop()
            if children_done:
                fn(mod)
            else:
                stack.append((mod, True))
                stack.extend((child, False) for child in reversed(list(mod.children())))
        return self

    def _apply_to_tensors(
        self, fn: Callable[[np.ndarray], np.ndarray], floating_only: bool, recurse: bool = True
    ) -> Module:
        # Parameters keep their identity (optimizers hold them); their data is replaced.
        for m in self.modules() if recurse else (self,):
            for store in (m._parameters, m._buffers):
                for t in store.values():
                    if t is None or (floating_only and t.dtype.kind != "f"):
                        continue
                    if is_lazy(t):  # no values yet: the dtype it will materialize with
                        t._apply_lazy(fn)  # type: ignore[attr-defined]
                        continue
                    t._data = fn(t._data)
                    if t.grad is not None:
                        t.grad._data = fn(t.grad._data)
        return self

    def _to_memory_format(self, op: str, fmt: Any) -> Module:
        """Store the parameters and buffers of ``fmt``'s rank (4-D or 5-D; both for
        ``contiguous_format``) in that order."""
        if not isinstance(fmt, _memory_format.memory_format) or fmt is npgrad.preserve_format:
            raise TypeError(
                f"{op}: memory_format must be npgrad.contiguous_format, channels_last or "
                f"channels_last_3d, got {fmt!r}"
            )
        ranks = (4, 5) if fmt._order is None else (len(fmt._order),)
        return self._apply_to_tensors(
            lambda a: _memory_format.copy_in(a, fmt) if a.ndim in ranks else a,
            floating_only=False,
        )

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Cast floating parameters and buffers to a dtype (``model.to(npgrad.float64)``);
        the CPU as a device is accepted, another device raises. ``memory_format`` stores the
        4-D (``channels_last``; 5-D for ``channels_last_3d``) parameters and buffers in that
        order."""
        dtype = kwargs.pop("dtype", None)
        check_device("Module.to", kwargs.pop("device", None))
        kwargs.pop("non_blocking", None)
        fmt = kwargs.pop("memory_format", None)
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif is_device(a):
                check_device("Module.to", a)
            elif a is not None:
                dtype = a
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        if fmt is not None:
            self._to_memory_format("Module.to", fmt)
        if dtype is None:
            return self
        d = npgrad.dtypes.to_dtype(dtype)
        if d.kind != "f":
            raise TypeError(
                f"nn.Module.to only accepts floating point dtypes, but got desired dtype={d}"
            )
        return self._apply_to_tensors(lambda a: a.astype(d), floating_only=True)

    def to_empty(self, *, device: Any, recurse: bool = True) -> Module:
        """Give every parameter and buffer new, uninitialized memory of the same shape and
        dtype (what ``npgrad.empty`` holds), as PyTorch does when it moves a module off the
        ``meta`` device. ``device`` must be the CPU (or None); ``recurse=False`` leaves the
        submodules alone. Parameters keep their identity, and their gradients get new memory
        too.

        Examples
        --------
        >>> from npgrad import nn
        >>> m = nn.Linear(2, 3).to_empty(device="cpu")
        >>> m.weight.shape, m.weight.requires_grad
        (npgrad.Size([3, 2]), True)
        """
        check_device("Module.to_empty", device)
        return self._apply_to_tensors(np.empty_like, floating_only=False, recurse=recurse)

    def type(self, dst_type: Any) -> Module:
        """Cast every parameter and buffer to ``dst_type``, in place. Unlike :meth:`to`,
        integer buffers are cast too (``num_batches_tracked`` becomes a float under
        ``type(npgrad.float64)``), as in PyTorch.

        Examples
        --------
        >>> import npgrad
        >>> from npgrad import nn
        >>> nn.Linear(2, 1).type(npgrad.float64).weight.dtype
        dtype('float64')
        """
        d = npgrad.dtypes.to_dtype(dst_type, "Module.type")
        return self._apply_to_tensors(lambda a: a.astype(d), floating_only=False)

    def float(self) -> Module:
        return self.to(npgrad.float32)

    def double(self) -> Module:
        return self.to(npgrad.float64)

    def half(self) -> Module:
        return self.to(npgrad.float16)

    def cpu(self) -> Module:
        return self

    def _to_accelerator(self, kind: str, device: Any) -> Module:
        # Module.cuda(1) is cuda:1, Module.xpu(1) xpu:1: an int names an index of that kind
        if isinstance(device, int) and not isinstance(device, bool):
            device = npgrad.device(kind, device)
        check_device(f"Module.{kind}", kind if device is None else device)
        return self  # reached only for a CPU device

    def cuda(self, device: Any = None) -> Module:
        """Raises: npgrad has no CUDA (``npgrad.cuda.is_available()`` is False)."""
        return self._to_accelerator("cuda", device)

    def xpu(self, device: Any = None) -> Module:
        """Raises: npgrad computes on the CPU only."""
        return self._to_accelerator("xpu", device)

    def ipu(self, device: Any = None) -> Module:
        """Raises: npgrad computes on the CPU only."""
        return self._to_accelerator("ipu", device)

    def mtia(self, device: Any = None) -> Module:
        """Raises: npgrad computes on the CPU only."""
        return self._to_accelerator("mtia", device)

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put ``module`` at the dotted path ``target`` (``"encoder.0"``); with ``strict`` the
        submodule must exist already."""
        if not target:
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        *path, name = target.split(".")
        parent = self.get_submodule(".".join(path)) if path else self
        if strict and name not in parent._modules:
            raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        if name in parent._modules or not hasattr(parent, name):
            parent.add_module(name, module)
        else:
            raise AttributeError(f"`{name}` is not an nn.Module")

    # ---- printing ----------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The layer's settings shown inside its repr (``in_features=2, out_features=3, ...``)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({k}): " + _addindent(repr(m), 2) for k, m in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"
