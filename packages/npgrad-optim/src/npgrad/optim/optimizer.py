"""``Optimizer``: the base class every algorithm derives from, with ``torch.optim``'s API.

An optimizer holds ``param_groups`` (a list of dicts: the tensors to update plus their
hyper-parameters) and ``state`` (a dict from each parameter to its buffers). Subclasses
implement ``step``; the arithmetic of each algorithm is a pure NumPy function in
:mod:`npgrad.optim._functional` that updates the parameter's array in place, so no graph is
recorded and every view or alias of a parameter sees the new values.

The step hooks (``register_optimizer_step_pre_hook``...) live in
:mod:`npgrad.optim._optimizer_hooks` and are re-exported here, as is the handle they return,
:class:`npgrad.utils.hooks.RemovableHandle`; the hyper-parameter checks and
state helpers that the algorithms import from here live in :mod:`npgrad.optim._optimizer_util`.
"""

from __future__ import annotations

import copy
import itertools
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeAlias, cast

import numpy as np

import npgrad
from npgrad.autograd.profiler import record_function
from npgrad.optim._optimizer_hooks import (
    StepPostHook,
    StepPreHook,
    _add_hook,
    _check_hook,
    _with_step_hooks,
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
)
from npgrad.optim._optimizer_util import _as_list, _cast_state
from npgrad.optim._optimizer_util import _as_tuple as _as_tuple
from npgrad.optim._optimizer_util import _check_betas as _check_betas
from npgrad.optim._optimizer_util import _check_nonnegative as _check_nonnegative
from npgrad.optim._optimizer_util import _check_number as _check_number
from npgrad.optim._optimizer_util import _scalar_state as _scalar_state
from npgrad.optim._optimizer_util import _zeros_state as _zeros_state
from npgrad.tensor import Tensor
from npgrad.utils.hooks import RemovableHandle

__all__ = [
    "Optimizer",
    "RemovableHandle",
    "register_optimizer_step_post_hook",
    "register_optimizer_step_pre_hook",
    "required",
]

ParamsT: TypeAlias = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]

# State entries that stay in their own dtype when a state dict is loaded (the others take
# the parameter's dtype). PyTorch exempts only ``step``; keeping NAdam's ``mu_product`` too
# makes a loaded float64 optimizer continue exactly where the saved one left off.
_SCALAR_STATE_KEYS = frozenset({"step", "mu_product"})
# The built-in optimizers' per-element buffers: a loaded one must have its parameter's shape.
_ELEMENTWISE_STATE_KEYS = frozenset(
    {
        "momentum_buffer",
        "exp_avg",
        "exp_avg_sq",
        "max_exp_avg_sq",
        "square_avg",
        "grad_avg",
        "acc_delta",
        "sum",
        "exp_inf",
    }
)


class _RequiredParameter:
    """The default of a hyper-parameter that every param group must give itself."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class of all optimizers (``torch.optim.Optimizer``'s API).

    Parameters
    ----------
    params : iterable
        The tensors to optimize, ``(name, tensor)`` pairs, or dicts that define parameter
        groups (``{"params": [...], "lr": ...}``); a group's missing hyper-parameters take
        the values in ``defaults``.
    defaults : dict
        The default hyper-parameters of every group.

    Notes
    -----
    A subclass implements ``step(closure=None)``: for each group, for each parameter whose
    ``grad`` is not None, update ``param._data`` in place and bump ``param._version``. The
    registered step hooks run around every subclass's ``step`` automatically.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> w, b = npgrad.tensor([1.0, 2.0], requires_grad=True), npgrad.tensor(0.0, requires_grad=True)
    >>> opt = SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    >>> [group["lr"] for group in opt.param_groups]
    [0.1, 0.5]
    >>> opt.state_dict()["param_groups"][1]["params"]
    [1]
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_npgrad_step_hooks", False):
            cls.step = _with_step_hooks(step)  # type: ignore[method-assign]

    # Loading a state dict: entries named in ``_scalar_state_keys`` keep their own dtype (the
    # others take the parameter's) and, like those in ``_elementwise_state_keys``, have their
    # shape checked (see _state_shape); an optimizer with state of its own extends them.
    _scalar_state_keys: frozenset[str] = _SCALAR_STATE_KEYS
    _elementwise_state_keys: frozenset[str] = _ELEMENTWISE_STATE_KEYS

    def _state_shape(self, param: Tensor, key: str) -> tuple[int, ...] | None:
        """The shape a loaded ``state[param][key]`` must have (None: not checked)."""
        if key in self._scalar_state_keys:
            return ()
        if key in self._elementwise_state_keys:
            return tuple(param._data.shape)
        return None

    _in_step: bool = False  # inside step(): a subclass's super().step() runs no hooks again
    _opt_called: bool = False  # step() has run (the LR schedulers check the call order)

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._step_pre_hooks: dict[int, StepPreHook] = OrderedDict()
        self._step_post_hooks: dict[int, StepPostHook] = OrderedDict()
        self._init_state_dict_hooks()
        self.state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if not any(v is required for v in defaults.values()):
            self._validate_group(defaults)  # bad constructor arguments fail even if overridden

        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Tensors or dicts, "
                "got a single Tensor; wrap it in a list: [tensor]"
            )
        if isinstance(params, (dict, set, frozenset)):
            raise TypeError(
                f"{type(self).__name__}: params must be an ordered iterable (list or tuple) of "
                f"Tensors or dicts, got a {type(params).__name__}"
            )
        param_groups: list[Any] = _as_list(type(self).__name__, "params", params)
        if not param_groups:
            raise ValueError(f"{type(self).__name__}: optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ---- hyper-parameters ----------------------------------------------------------------
    def _validate_group(self, group: Mapping[str, Any]) -> None:
        """Raise ValueError for an invalid hyper-parameter; subclasses check their own."""

    # ---- groups --------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters.

        Missing hyper-parameters take the optimizer's ``defaults``. Useful to start training
        layers that were frozen. Nothing changes when the group is invalid.

        Parameters
        ----------
        param_group : dict
            ``{"params": tensors, **hyper_parameters}``.

        Examples
        --------
        >>> import npgrad
        >>> from npgrad.optim import SGD
        >>> opt = SGD([npgrad.zeros(2, requires_grad=True)], lr=0.1)
        >>> opt.add_param_group({"params": npgrad.zeros(3, requires_grad=True), "lr": 0.01})
        >>> len(opt.param_groups), opt.param_groups[1]["lr"]
        (2, 0.01)
        """
        owner = f"{type(self).__name__}.add_param_group"
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{owner}: param_group must be a dict, got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"{owner}: param_group has no 'params' entry")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{owner}: parameters must be in an ordered collection (a list), not a set: "
                "a set's order changes between runs"
            )
        else:
            params = _as_list(owner, "param_group['params']", params)

        tensors: list[Any] = []
        names: list[Any] = []
        for item in params:
            if isinstance(item, tuple) and len(item) == 2:
                names.append(item[0])
                tensors.append(item[1])
            else:
                tensors.append(item)
        if names and len(names) != len(tensors):
            raise ValueError(f"{owner}: either every parameter has a name or none has")
        for i, p in enumerate(tensors):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{owner}: an optimizer can only optimize Tensors, but parameter {i} is a "
                    f"{type(p).__name__}"
                )
            if not (p.is_leaf or p.retains_grad):
                raise ValueError(
                    f"{owner}: can't optimize a non-leaf Tensor (parameter {i} has grad_fn="
                    f"{type(p.grad_fn).__name__}); optimize the leaf it was computed from, "
                    "or use .detach().requires_grad_()"
                )
        if len({id(p) for p in tensors}) != len(tensors):
            raise ValueError(f"{owner}: the parameter group contains the same Tensor twice")

        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    f"{owner}: parameter group didn't specify a value of required "
                    f"optimization parameter {name}"
                )
            group.setdefault(name, default)
        self._validate_group(group)

        for other in self.param_groups:
            if ("param_names" in other) != bool(names):
                raise ValueError(
                    f"{owner}: all parameter groups must be given with names or all without"
                )
        seen = {id(p) for other in self.param_groups for p in other["params"]}
        if any(id(p) in seen for p in tensors):
            raise ValueError(f"{owner}: some parameters appear in more than one parameter group")

        group["params"] = tensors
        if names:
            group["param_names"] = names
        param_group.clear()
        param_group.update(group)  # torch fills the caller's dict in too
        self.param_groups.append(param_group)

    # ---- gradients -----------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter.

        Parameters
        ----------
        set_to_none : bool, default True
            Set ``grad`` to None (the parameter is then skipped by ``step`` until it gets a
            gradient again) instead of filling it with zeros.
        """
        with record_function(f"Optimizer.zero_grad#{type(self).__name__}.zero_grad"):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if set_to_none:
                        p.grad = None
                    else:
                        if p.grad.grad_fn is not None:
                            p.grad.detach_()
                        else:
                            p.grad.requires_grad_(False)
                        p.grad.zero_()

    def _params_with_grad(self, group: Mapping[str, Any]) -> Iterator[tuple[Tensor, np.ndarray]]:
        """Each parameter of ``group`` that has a gradient, with the gradient's array (in the
        parameter's dtype)."""
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            grad = g._data
            if grad.shape != p._data.shape:
                raise RuntimeError(
                    f"{type(self).__name__}.step: a parameter of shape {p._data.shape} has a "
                    f"gradient of shape {grad.shape}"
                )
            if grad.dtype != p._data.dtype:
                grad = grad.astype(p._data.dtype)
            yield p, grad

    def _evaluate(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        if not callable(closure):
            raise TypeError(
                f"{type(self).__name__}.step: closure must be a callable that returns the loss "
                f"(or None), got {type(closure).__name__}"
            )
        with npgrad.enable_grad():
            return closure()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    # ---- hooks ---------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: StepPreHook) -> RemovableHandle:
        """Register ``hook(optimizer, args, kwargs)`` to run before each ``step``.

        The hook may return ``(new_args, new_kwargs)`` to replace the arguments of ``step``.
        Returns a handle whose ``remove()`` unregisters it.
        """
        _check_hook(f"{type(self).__name__}.register_step_pre_hook", hook)
        handle = RemovableHandle(self._step_pre_hooks)
        self._step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: StepPostHook) -> RemovableHandle:
        """Register ``hook(optimizer, args, kwargs)`` to run after each ``step``.

        Returns a handle whose ``remove()`` unregisters it.
        """
        _check_hook(f"{type(self).__name__}.register_step_post_hook", hook)
        handle = RemovableHandle(self._step_post_hooks)
        self._step_post_hooks[handle.id] = hook
        return handle

    # ---- state-dict hooks ----------------------------------------------------------------
    def _init_state_dict_hooks(self) -> None:
        self._state_dict_pre_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        self._state_dict_post_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        self._load_state_dict_pre_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        self._load_state_dict_post_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()

    def register_state_dict_pre_hook(
        self, hook: Callable[[Optimizer], None], prepend: bool = False
    ) -> RemovableHandle:
        """Register ``hook(optimizer)`` to run before :meth:`state_dict` builds the state.

        ``prepend=True`` runs it before the hooks already registered. Returns a handle whose
        ``remove()`` unregisters it.
        """
        owner = f"{type(self).__name__}.register_state_dict_pre_hook"
        return _add_hook(owner, self._state_dict_pre_hooks, hook, prepend, "hook(optimizer)")

    def register_state_dict_post_hook(
        self, hook: Callable[[Optimizer, dict[str, Any]], Any], prepend: bool = False
    ) -> RemovableHandle:
        """Register ``hook(optimizer, state_dict)`` to run after :meth:`state_dict`.

        The hook may change the dict in place or return a new one, which replaces it.
        ``prepend=True`` runs it before the hooks already registered.
        """
        owner = f"{type(self).__name__}.register_state_dict_post_hook"
        signature = "hook(optimizer, state_dict)"
        return _add_hook(owner, self._state_dict_post_hooks, hook, prepend, signature)

    def register_load_state_dict_pre_hook(
        self, hook: Callable[[Optimizer, dict[str, Any]], Any], prepend: bool = False
    ) -> RemovableHandle:
        """Register ``hook(optimizer, state_dict)`` to run before :meth:`load_state_dict`.

        The hook receives a shallow copy of the dict being loaded; it may change it in place
        or return a new one, which is loaded instead.
        """
        owner = f"{type(self).__name__}.register_load_state_dict_pre_hook"
        signature = "hook(optimizer, state_dict)"
        return _add_hook(owner, self._load_state_dict_pre_hooks, hook, prepend, signature)

    def register_load_state_dict_post_hook(
        self, hook: Callable[[Optimizer], None], prepend: bool = False
    ) -> RemovableHandle:
        """Register ``hook(optimizer)`` to run after :meth:`load_state_dict` has loaded."""
        owner = f"{type(self).__name__}.register_load_state_dict_post_hook"
        return _add_hook(owner, self._load_state_dict_post_hooks, hook, prepend, "hook(optimizer)")

    # ---- state dict ----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as ``{"state": {...}, "param_groups": [...]}``.

        Parameters are replaced by their index (counted across groups), as in PyTorch; the
        state tensors are the optimizer's own (not copies).

        Examples
        --------
        >>> import npgrad
        >>> from npgrad.optim import SGD
        >>> w = npgrad.tensor([1.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> w.grad = npgrad.tensor([2.0])
        >>> opt.step()
        >>> opt.state_dict()["state"]
        {0: {'momentum_buffer': tensor([2.])}}
        """
        for pre_hook in self._state_dict_pre_hooks.values():
            pre_hook(self)
        index: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": state, "param_groups": groups}
        for post_hook in self._state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Load a state produced by :meth:`state_dict` (of an optimizer with the same layout).

        Everything is checked before anything changes: a state dict whose groups or shapes
        don't match raises and leaves the optimizer as it was. Loaded state tensors are copies,
        cast to their parameter's dtype (``step`` keeps its own).

        Examples
        --------
        >>> import npgrad
        >>> from npgrad.optim import Adam
        >>> w = npgrad.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = Adam([w], lr=0.1)
        >>> w.grad = npgrad.tensor([1.0, -1.0])
        >>> opt.step()
        >>> other = Adam([npgrad.tensor([1.0, 2.0], requires_grad=True)])
        >>> other.load_state_dict(opt.state_dict())
        >>> other.param_groups[0]["lr"], float(other.state_dict()["state"][0]["step"])
        (0.1, 1.0)
        """
        owner = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{owner}: expected a dict, got {type(state_dict).__name__}")
        state_dict = dict(state_dict)  # a shallow copy, for the pre-hooks to edit
        for pre_hook in self._load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"{owner}: a load_state_dict pre-hook returned {type(state_dict).__name__}, "
                "not a dict"
            )
        missing = [key for key in ("state", "param_groups") if key not in state_dict]
        if missing:
            raise RuntimeError(
                f"{owner}: the state dict is missing the key(s) {missing}; an optimizer state "
                f"dict has 'state' and 'param_groups' (it has {sorted(map(str, state_dict))})"
            )
        if not isinstance(state_dict["param_groups"], (list, tuple)):
            raise TypeError(
                f"{owner}: 'param_groups' must be a list of dicts, got "
                f"{type(state_dict['param_groups']).__name__}"
            )
        if not isinstance(state_dict["state"], Mapping):
            raise TypeError(
                f"{owner}: 'state' must be a dict from parameter index to state dict, got "
                f"{type(state_dict['state']).__name__}"
            )
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        groups = self.param_groups
        if len(groups) != len(saved_groups):
            raise ValueError(
                f"{owner}: the loaded state dict has {len(saved_groups)} parameter group(s), "
                f"the optimizer has {len(groups)}"
            )
        for i, (group, saved) in enumerate(zip(groups, saved_groups)):
            if not isinstance(saved, dict):
                raise TypeError(
                    f"{owner}: loaded parameter group {i} must be a dict, got "
                    f"{type(saved).__name__}"
                )
            if not isinstance(saved.get("params"), (list, tuple)):
                raise ValueError(f"{owner}: loaded parameter group {i} has no 'params' list")
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"{owner}: loaded parameter group {i} has {len(saved['params'])} "
                    f"parameter(s), the optimizer's group {i} has {len(group['params'])}"
                )
        id_map = dict(
            zip(
                itertools.chain.from_iterable(g["params"] for g in saved_groups),
                itertools.chain.from_iterable(g["params"] for g in groups),
            )
        )
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if not isinstance(value, Mapping):
                raise TypeError(
                    f"{owner}: state[{key!r}] must be a dict of state entries, got "
                    f"{type(value).__name__}"
                )
            if key in id_map:
                state[id_map[key]] = _cast_state(self, owner, id_map[key], value, key)
            else:
                state[key] = cast(dict[str, Any], value)  # kept as it is, as in PyTorch
        for i, (group, saved) in enumerate(zip(groups, saved_groups)):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            for name, default in self.defaults.items():
                if default is not required:
                    saved.setdefault(name, default)
            self._fix_loaded_group(saved)
            try:
                self._validate_group(saved)
            except (TypeError, ValueError) as error:
                raise type(error)(f"{owner}: loaded parameter group {i}: {error}") from None
        # everything is built: now commit
        self.state = state
        self.param_groups = saved_groups
        for post_hook in self._load_state_dict_post_hooks.values():
            post_hook(self)

    def _fix_loaded_group(self, group: dict[str, Any]) -> None:
        """Adjust a loaded group in place (AdamW forces its decoupled weight decay)."""

    # ---- pickling and printing -----------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._step_pre_hooks = OrderedDict()
        self._step_post_hooks = OrderedDict()
        self._init_state_dict_hooks()

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"
