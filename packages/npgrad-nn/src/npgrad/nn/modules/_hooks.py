"""The call path of :class:`~npgrad.nn.Module` with forward hooks (registered with
``Module.register_forward_pre_hook`` / ``register_forward_hook``: ``with_kwargs``,
``always_call``) and full backward hooks (``register_full_backward_pre_hook`` /
``register_full_backward_hook``), with PyTorch's semantics, and the handle that removes a hook;
and the global hooks (``register_module_forward_hook``...: PyTorch's functions of
``torch.nn.modules.module``, re-exported by :mod:`npgrad.nn.modules.module`), which run for
every module before its own, and the global registration hooks.

Backward hooks work as PyTorch's ``BackwardHook`` does: the module's input Tensors and its
output Tensors each pass through an identity :class:`~npgrad.autograd.Function`. In the
backward pass the outputs' identity node runs first and hands ``grad_output`` to the
pre-hooks; the inputs' identity node runs once every gradient w.r.t. the inputs has been
summed (the engine's topological order) and calls the hooks with ``grad_input``. What a hook
returns is what these identity nodes pass on.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad import Tensor
from npgrad._removable_handle import RemovableHandle
from npgrad.autograd import Function
from npgrad.autograd.grad_mode import is_grad_enabled

if TYPE_CHECKING:
    from npgrad.nn.modules.module import Module

__all__ = [
    "register_module_buffer_registration_hook",
    "register_module_forward_hook",
    "register_module_forward_pre_hook",
    "register_module_full_backward_hook",
    "register_module_full_backward_pre_hook",
    "register_module_module_registration_hook",
    "register_module_parameter_registration_hook",
]

# ---- global hooks: called for every Module, before the module's own ------------------------
_global_forward_pre_hooks: dict[int, Callable[..., Any]] = {}
_global_forward_hooks: dict[int, Callable[..., Any]] = {}
_global_with_kwargs: dict[int, bool] = {}  # the forward hooks registered with_kwargs
_global_always_called: dict[int, bool] = {}  # ... and with always_call
_global_backward_pre_hooks: dict[int, Callable[..., Any]] = {}
_global_backward_hooks: dict[int, Callable[..., Any]] = {}
_global_buffer_registration_hooks: dict[int, Callable[..., Any]] = {}
_global_module_registration_hooks: dict[int, Callable[..., Any]] = {}
_global_parameter_registration_hooks: dict[int, Callable[..., Any]] = {}

# Whether a global forward or backward hook exists: ``Module.__call__`` reads this one flag
# (besides the module's own) so that, without global hooks, a call costs one more lookup.
has_global_call_hooks = False


def _update_global_call_hooks() -> None:
    global has_global_call_hooks
    has_global_call_hooks = bool(
        _global_forward_pre_hooks
        or _global_forward_hooks
        or _global_backward_pre_hooks
        or _global_backward_hooks
    )


def _register_global(
    hooks: dict[int, Any], hook: Callable[..., Any], *extra: dict[int, Any]
) -> _RemovableHandle:
    if not callable(hook):
        raise TypeError(f"a module hook must be callable, got {type(hook).__name__}")
    handle = _RemovableHandle(hooks, *extra, on_remove=_update_global_call_hooks)
    hooks[handle.id] = hook
    _update_global_call_hooks()
    return handle


def register_module_forward_pre_hook(hook: Callable[..., Any]) -> _RemovableHandle:
    """Register ``hook(module, args)`` to run before the forward of every Module.

    It runs before the module's own forward pre-hooks; a returned value replaces ``args`` (a
    non-tuple becomes a 1-tuple). A global hook is meant for debugging and profiling: it
    adds work to every module call. Returns a handle whose ``remove()`` unregisters it.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.modules.module import register_module_forward_pre_hook
    >>> seen = []
    >>> h = register_module_forward_pre_hook(lambda m, args: seen.append(type(m).__name__))
    >>> _ = nn.Sequential(nn.Linear(2, 2), nn.ReLU())(npgrad.ones(1, 2))
    >>> h.remove()
    >>> seen
    ['Sequential', 'Linear', 'ReLU']
    """
    return _register_global(_global_forward_pre_hooks, hook)


def register_module_forward_hook(
    hook: Callable[..., Any], *, with_kwargs: bool = False, always_call: bool = False
) -> _RemovableHandle:
    """Register ``hook(module, args, output)`` to run after the forward of every Module.

    It runs before the module's own forward hooks; a returned value replaces the output.
    ``with_kwargs=True``: ``hook(module, args, kwargs, output)``. ``always_call=True``: it
    also runs when forward raises (see :meth:`Module.register_forward_hook`). Returns a
    handle whose ``remove()`` unregisters it.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.modules.module import register_module_forward_hook
    >>> shapes = []
    >>> h = register_module_forward_hook(lambda m, args, out: shapes.append(out.shape))
    >>> _ = nn.Sequential(nn.Linear(2, 3), nn.Tanh())(npgrad.ones(4, 2))
    >>> h.remove()
    >>> shapes
    [npgrad.Size([4, 3]), npgrad.Size([4, 3]), npgrad.Size([4, 3])]
    """
    handle = _register_global(
        _global_forward_hooks, hook, _global_with_kwargs, _global_always_called
    )
    if with_kwargs:
        _global_with_kwargs[handle.id] = True
    if always_call:
        _global_always_called[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook: Callable[..., Any]) -> _RemovableHandle:
    """Register ``hook(module, grad_output)`` for every Module, as
    :meth:`Module.register_full_backward_pre_hook` does for one; it runs before the
    module's own. Applies to the module calls made after registering it. Returns a handle
    whose ``remove()`` unregisters it."""
    return _register_global(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook: Callable[..., Any]) -> _RemovableHandle:
    """Register ``hook(module, grad_input, grad_output)`` for every Module, as
    :meth:`Module.register_full_backward_hook` does for one; it runs before the module's
    own. Applies to the module calls made after registering it. Returns a handle whose
    ``remove()`` unregisters it.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.modules.module import register_module_full_backward_hook
    >>> seen = []
    >>> h = register_module_full_backward_hook(lambda m, gi, go: seen.append(type(m).__name__))
    >>> model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    >>> model(npgrad.ones(1, 2, requires_grad=True)).sum().backward()
    >>> h.remove()
    >>> seen
    ['ReLU', 'Linear', 'Sequential']
    """
    return _register_global(_global_backward_hooks, hook)


def register_module_buffer_registration_hook(hook: Callable[..., Any]) -> _RemovableHandle:
    """Register ``hook(module, name, buffer)``, called whenever a buffer is registered on any
    Module (``register_buffer``, or assigning a :class:`~npgrad.nn.Buffer` or a new value to
    a buffer's name), before it is stored; a returned Tensor is stored instead. Returns a
    handle whose ``remove()`` unregisters it.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.modules.module import register_module_buffer_registration_hook
    >>> h = register_module_buffer_registration_hook(lambda m, name, b: print(name))
    >>> nn.BatchNorm1d(3).running_mean.shape
    running_mean
    running_var
    num_batches_tracked
    npgrad.Size([3])
    >>> h.remove()
    """
    return _register_global(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook: Callable[..., Any]) -> _RemovableHandle:
    """Register ``hook(module, name, submodule)``, called whenever a submodule is registered
    on any Module (attribute assignment or ``add_module``), before it is stored; a returned
    Module is stored instead. Returns a handle whose ``remove()`` unregisters it.

    Examples
    --------
    >>> from npgrad import nn
    >>> from npgrad.nn.modules.module import register_module_module_registration_hook
    >>> h = register_module_module_registration_hook(lambda m, name, sub: print(name, sub))
    >>> model = nn.Sequential(nn.ReLU(), nn.Tanh())
    0 ReLU()
    1 Tanh()
    >>> h.remove()
    """
    return _register_global(_global_module_registration_hooks, hook)


def register_module_parameter_registration_hook(hook: Callable[..., Any]) -> _RemovableHandle:
    """Register ``hook(module, name, param)``, called whenever a Parameter is registered on
    any Module (attribute assignment or ``register_parameter``; not for None), before it is
    stored; a returned Parameter is stored instead. Returns a handle whose ``remove()``
    unregisters it.

    Examples
    --------
    >>> from npgrad import nn
    >>> from npgrad.nn.modules.module import register_module_parameter_registration_hook
    >>> h = register_module_parameter_registration_hook(lambda m, n, p: print(n, p.shape))
    >>> layer = nn.Linear(2, 3)
    weight npgrad.Size([3, 2])
    bias npgrad.Size([3])
    >>> h.remove()
    """
    return _register_global(_global_parameter_registration_hooks, hook)


def run_registration_hooks(
    hooks: dict[int, Callable[..., Any]], module: Module, name: str, value: Any
) -> Any:
    """``value`` after each global registration hook in ``hooks`` has seen (and maybe
    replaced) it, as PyTorch runs them."""
    for hook in list(hooks.values()):
        new = hook(module, name, value)
        if new is not None:
            value = new
    return value


class _RemovableHandle(RemovableHandle):
    """The :class:`npgrad.utils.hooks.RemovableHandle` of a module hook: removing it also
    refreshes its module's (or, for a global hook, the global) "has call hooks" flag."""

    def __init__(
        self,
        hooks: dict[int, Any],
        *extra: dict[int, Any],
        module: Module | None = None,
        on_remove: Callable[[], None] | None = None,
    ) -> None:
        # ``extra``: the hook's entries in the option dicts (with_kwargs, always_call)
        super().__init__(hooks, extra_dict=extra)
        # the module whose ``_has_call_hooks`` flag follows its hook dicts (weakly: a handle
        # kept around must not keep the module alive)
        self._module = None if module is None else weakref.ref(module)
        self._on_remove = on_remove  # for a global hook: refresh the global flag

    def remove(self) -> None:
        super().remove()
        module = None if self._module is None else self._module()
        if module is not None:
            module._update_call_hooks()
        if self._on_remove is not None:
            self._on_remove()

    # A handle kept as a module attribute (a lazy module's) is pickled and deep-copied with
    # it: the weak reference travels as the module itself.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_module"] = None if self._module is None else self._module()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        module = state["_module"]
        self.__dict__.update(state)
        self._module = None if module is None else weakref.ref(module)


def call_with_hooks(module: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``module(*args, **kwargs)`` with the global and its own forward pre-hooks and hooks, and
    the backward hooks set up on the inputs and outputs, in PyTorch's order (global hooks
    first) and semantics."""
    out = None
    called: set[int] = set()  # the always_call hooks that ran
    bw_hook = None
    try:
        pre_hooks = list(module._forward_pre_hooks.items())
        if _global_forward_pre_hooks:
            pre_hooks[:0] = _global_forward_pre_hooks.items()
        for key, hook in pre_hooks:
            if key in module._forward_pre_hooks_with_kwargs:
                new = hook(module, args, kwargs)
                if new is not None:
                    if not (isinstance(new, tuple) and len(new) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {new}."
                        )
                    args, kwargs = new
            else:
                new = hook(module, args)
                if new is not None:
                    args = new if isinstance(new, tuple) else (new,)
        if (
            module._backward_hooks
            or module._backward_pre_hooks
            or _global_backward_hooks
            or _global_backward_pre_hooks
        ):
            # as PyTorch: the hooks registered when forward runs are the ones called
            bw_hook = _BackwardHook(
                module,
                [*_global_backward_hooks.values(), *module._backward_hooks.values()],
                [*_global_backward_pre_hooks.values(), *module._backward_pre_hooks.values()],
            )
            args = bw_hook.setup_input_hook(args)
        out = module._forward_function()(module, *args, **kwargs)
        hooks = list(module._forward_hooks.items())
        if _global_forward_hooks:
            hooks[:0] = _global_forward_hooks.items()
        for key, hook in hooks:
            if key in module._forward_hooks_always_called or key in _global_always_called:
                called.add(key)
            if key in module._forward_hooks_with_kwargs or key in _global_with_kwargs:
                new = hook(module, args, kwargs, out)
            else:
                new = hook(module, args, out)
            if new is not None:
                out = new
        if bw_hook is not None:
            if not isinstance(out, (Tensor, tuple)):
                warnings.warn(
                    "For backward hooks to be called, module output should be a Tensor or a "
                    f"tuple of Tensors but received {type(out)}",
                    UserWarning,
                    stacklevel=3,
                )
            out = bw_hook.setup_output_hook(out)
    except Exception:
        if _global_always_called or module._forward_hooks_always_called:
            out = _run_always_called_hooks(module, args, kwargs, out, called)
        raise
    return out


def _run_always_called_hooks(
    module: Module, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any, called: set[int]
) -> Any:
    # as PyTorch: after an exception, the always_call hooks that have not run yet (the global
    # ones first) run with the output so far (None when forward raised); their own errors
    # only warn
    always = {**_global_always_called, **module._forward_hooks_always_called}
    with_kwargs = {**_global_with_kwargs, **module._forward_hooks_with_kwargs}
    for key, hook in [*_global_forward_hooks.items(), *module._forward_hooks.items()]:
        if key not in always or key in called:
            continue
        try:
            if key in with_kwargs:
                new = hook(module, args, kwargs, out)
            else:
                new = hook(module, args, out)
            if new is not None:
                out = new
        except Exception as e:
            kind = "global module" if key in _global_forward_hooks else "module"
            warnings.warn(
                f"{kind} forward hook with ``always_call=True`` raised an exception that was "
                f"silenced as another error was raised in forward: {e}",
                UserWarning,
                stacklevel=3,
            )
    return out


class _BackwardHookFunction(Function):
    """The identity on some Tensors; its backward hands their gradients to ``on_grad`` and
    passes on what it returns (one gradient, or None, per Tensor)."""

    _node_name = "BackwardHookFunction"  # grad_fn=<BackwardHookFunctionBackward>, as PyTorch

    @staticmethod
    def forward(
        ctx: Any, *arrays: Any, on_grad: Callable[..., Any], materialize: bool
    ) -> tuple[Any, ...]:
        ctx.on_grad = on_grad
        # PyTorch's hooks see zeros for an input that got no gradient, None for an output
        ctx.set_materialize_grads(materialize)
        # Copies, where PyTorch returns aliases of the inputs: an alias made here would have
        # a version counter of its own, so an in-place change through it (or through the
        # tensor it aliases) would go unnoticed by the ops that saved the other one, and
        # backward would silently use the new values. PyTorch raises for such changes; with
        # copies they are simply safe.
        return tuple(a.copy() for a in arrays)

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        # the gradient passes through unchanged (or as a hook replaced it): under
        # create_graph it keeps its own graph, so higher orders are unaffected
        return ctx.on_grad(grads)


def _pack(index: list[int], values: Sequence[Any], size: int) -> list[Any]:
    res: list[Any] = [None] * size
    for i, v in zip(index, values):
        res[i] = v
    return res


class _BackwardHook:
    """One forward call's backward hooks (PyTorch's ``torch.utils.hooks.BackwardHook``)."""

    def __init__(
        self, module: Module, hooks: list[Callable[..., Any]], pre_hooks: list[Callable[..., Any]]
    ) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs: tuple[Any, ...] | None = None
        self.n_inputs = 0
        self.input_index: list[int] | None = None  # positions of the inputs that require grad
        # the other Tensor inputs: PyTorch's hooks see zeros of their shape and dtype
        self.input_zeros: list[tuple[int, tuple[int, ...], Any]] = []
        self.n_outputs = 0
        self.output_index: list[int] | None = None

    @staticmethod
    def _apply(
        args: tuple[Any, ...], on_grad: Callable[..., Any], materialize: bool
    ) -> tuple[tuple[Any, ...], list[int] | None]:
        # Only the Tensors that require grad go through the identity: the others never get
        # a gradient (PyTorch marks them non-differentiable)
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        if not index or not is_grad_enabled():
            return args, None
        new = _BackwardHookFunction.apply(
            *[args[i] for i in index], on_grad=on_grad, materialize=materialize
        )
        items = list(args)
        for i, t in zip(index, new):
            items[i] = t
        out = tuple(items) if type(args) is tuple else type(args)(*items)  # a namedtuple
        return out, index

    def setup_input_hook(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        res, self.input_index = self._apply(args, self._on_grad_input, True)
        self.n_inputs = len(args)
        if self.input_index is not None:
            self.input_zeros = [
                (i, a.shape, a.dtype)
                for i, a in enumerate(args)
                if isinstance(a, Tensor) and not a.requires_grad
            ]
        return res

    def setup_output_hook(self, out: Any) -> Any:
        is_tuple = isinstance(out, tuple)
        outs = out if is_tuple else (out,)
        res, self.output_index = self._apply(outs, self._on_grad_output, False)
        self.n_outputs = len(outs)
        return res if is_tuple else res[0]

    def _on_grad_output(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        assert self.output_index is not None
        self.grad_outputs = tuple(_pack(self.output_index, grads, self.n_outputs))
        for hook in self.pre_hooks:
            new = hook(self.module, self.grad_outputs)
            if new is None:
                continue
            self._check_length("pre hook", "grad_output", new, len(self.grad_outputs))
            self.grad_outputs = tuple(new)
        local = self.grad_outputs
        if self.input_index is None:
            # no input requires grad: no identity node on the inputs will run, so the hooks
            # are called here, with None for every grad_input (PyTorch warns about it)
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to "
                "module outputs since no inputs require gradients. See "
                "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.register_full_backward_hook for more details.",
                UserWarning,
                stacklevel=2,
            )
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError(
                        f"Backward hook of {self.module._get_name()}: backward hooks for "
                        "Modules where no input requires gradient should always return None "
                        "or None for all gradients."
                    )
            self.grad_outputs = None
        return self._checked(tuple(local[i] for i in self.output_index), grads, "grad_output")

    def _on_grad_input(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        if self.grad_outputs is None:
            # the gradient reached the inputs without passing through the outputs (a
            # second-order pass, or the hooks already ran for this backward): no hook call
            return grads
        assert self.input_index is not None
        packed = _pack(self.input_index, grads, self.n_inputs)
        for i, shape, dtype in self.input_zeros:
            packed[i] = Tensor._make(np.zeros(shape, dtype), False, None)
        res = tuple(packed)
        for hook in self.hooks:
            new = hook(self.module, res, self.grad_outputs)
            if new is None:
                continue
            self._check_length("hook", "grad_input", new, len(res))
            res = tuple(new)
        self.grad_outputs = None
        return self._checked(tuple(res[i] for i in self.input_index), grads, "grad_input")

    def _check_length(self, kind: str, what: str, new: Any, expected: int) -> None:
        if not isinstance(new, (tuple, list)) or len(new) != expected:
            got = len(new) if isinstance(new, (tuple, list)) else type(new).__name__
            raise RuntimeError(
                f"Backward {kind} of {self.module._get_name()} returned an invalid number of "
                f"{what}, got {got}, but expected {expected}"
            )

    def _checked(self, new: tuple[Any, ...], old: tuple[Any, ...], what: str) -> tuple[Any, ...]:
        # a replaced gradient must fit the Tensor it is the gradient of
        for k, (n, o) in enumerate(zip(new, old)):  # k: the Tensor's position among them
            if n is None or n is o:
                continue
            if not isinstance(n, Tensor):
                raise TypeError(
                    f"Backward hook of {self.module._get_name()} returned a "
                    f"{type(n).__name__} in {what}; expected a Tensor or None"
                )
            if o is not None and n.shape != o.shape:
                raise RuntimeError(
                    f"Backward hook of {self.module._get_name()} returned an invalid gradient "
                    f"in {what} (Tensor {k}): got shape {tuple(n.shape)} but expected shape "
                    f"{tuple(o.shape)}"
                )
        return new
