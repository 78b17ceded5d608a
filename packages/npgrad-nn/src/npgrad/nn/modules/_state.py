"""``Module.state_dict`` and ``Module.load_state_dict``: saving and loading a module tree's
parameters and persistent buffers under dotted names, as PyTorch does, including the
uninitialized parameters of lazy modules (kept as they are in a state_dict; materialized
with the checkpoint's shapes when one is loaded into them).

``StateMethods`` is the part of ``Module`` that saves and loads (a base class of ``Module``):
the two methods, their hooks and the extra-state protocol."""

from __future__ import annotations

import os
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn.modules._hooks import _RemovableHandle
from npgrad.nn.parameter import Parameter, is_lazy

if TYPE_CHECKING:
    from npgrad.nn.modules.module import Module

__all__: list[str] = []


class _IncompatibleKeysBase(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]


class _IncompatibleKeys(_IncompatibleKeysBase):
    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _detached(t: Tensor, keep_vars: bool) -> Tensor:
    # an uninitialized tensor has no values to copy: PyTorch's state_dict holds it as it is
    if keep_vars or is_lazy(t):
        return t
    return Tensor._make(t._data.copy(), False, None)


def _hook_dict(mod: Module, name: str) -> dict[int, Any]:
    # the state-dict hooks live in dicts made on first registration (modules pickled before
    # they existed have none)
    hooks: dict[int, Any] = mod.__dict__.get(name) or {}
    return hooks


def _overrides(mod: Module, method: str) -> bool:
    """Whether ``mod``'s class defines its own ``get_extra_state``/``set_extra_state``."""
    from npgrad.nn.modules.module import Module

    return getattr(type(mod), method) is not getattr(Module, method)


def state_dict(
    module: Module, destination: dict[str, Any] | None, prefix: str, keep_vars: bool
) -> OrderedDict[str, Tensor]:
    out: OrderedDict[str, Tensor] = OrderedDict() if destination is None else destination  # type: ignore[assignment]
    if destination is None:
        out._metadata = OrderedDict()  # type: ignore[attr-defined]
    _save(module, out, prefix, keep_vars, getattr(out, "_metadata", None))
    return out


def _save(
    mod: Module, out: dict[str, Any], base: str, keep_vars: bool, metadata: dict[str, Any] | None
) -> None:
    """One module's entries, then its children's (each path of a shared module), with the
    state-dict hooks around them as in PyTorch. ``base`` is prepended to every key as it is
    (PyTorch's ``prefix``: ``"encoder."``); the metadata key is ``base`` without its last
    character (the trailing dot)."""
    local = {"version": mod._version}
    if metadata is not None:
        metadata[base[:-1]] = local
    for hook in _hook_dict(mod, "_state_dict_pre_hooks").values():
        hook(mod, base, keep_vars)
    for k, p in mod._parameters.items():
        if p is not None:
            out[base + k] = _detached(p, keep_vars)
    for k, b in mod._buffers.items():
        if b is not None and k not in mod._non_persistent_buffers:
            out[base + k] = _detached(b, keep_vars)
    if _overrides(mod, "get_extra_state"):
        out[base + "_extra_state"] = mod.get_extra_state()
    for child_name, child in mod._modules.items():
        if child is not None:
            _save(child, out, f"{base}{child_name}.", keep_vars, metadata)
    for hook in _hook_dict(mod, "_state_dict_post_hooks").values():
        if hook(mod, out, base, local) is not None:
            raise RuntimeError(
                "state_dict post hooks must return None (modify state_dict in place)"
            )


def _own_entries(
    module: Module,
) -> tuple[dict[str, tuple[Module, str, Tensor]], dict[str, Module]]:
    """The tensors ``load_state_dict`` fills (parameters and persistent buffers, by key, with
    the module and attribute name holding each) and the modules taking an ``_extra_state``
    entry, without running the state-dict hooks."""
    tensors: dict[str, tuple[Module, str, Tensor]] = {}
    extra: dict[str, Module] = {}
    for name, mod in module.named_modules(remove_duplicate=False):
        base = f"{name}." if name else ""
        for k, p in mod._parameters.items():
            if p is not None:
                tensors[base + k] = (mod, k, p)
        for k, b in mod._buffers.items():
            if b is not None and k not in mod._non_persistent_buffers:
                tensors[base + k] = (mod, k, b)
        if _overrides(mod, "set_extra_state"):
            extra[base + "_extra_state"] = mod
    return tensors, extra


def load_state_dict(
    module: Module, state_dict: Any, strict: bool, assign: bool
) -> _IncompatibleKeys:
    if isinstance(state_dict, (str, os.PathLike)):
        state_dict = npgrad.load(state_dict)
    if not isinstance(state_dict, dict):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
    metadata = getattr(state_dict, "_metadata", None) or {}
    state_dict = OrderedDict(state_dict)  # the upgrade hooks must not change the caller's
    missing: list[str] = []
    unexpected: list[str] = []
    errors: list[str] = []
    modules = list(module.named_modules(remove_duplicate=False))
    for name, mod in modules:
        prefix, local = f"{name}." if name else "", metadata.get(name, {})
        mod._upgrade_state_dict(state_dict, prefix, local)
        # PyTorch's load walk passes strict=True to every module, hence to its pre-hooks
        for hook in _hook_dict(mod, "_load_state_dict_pre_hooks").values():
            hook(mod, state_dict, prefix, local, True, missing, unexpected, errors)
    own, extra = _own_entries(module)
    n_missing, n_unexpected = len(missing), len(unexpected)  # what the pre-hooks added
    by_prefix = _keys_by_prefix(state_dict)
    for name, mod in modules:
        _check_keys(mod, f"{name}." if name else "", state_dict, by_prefix, missing, unexpected)
    values: list[_Load] = []
    for k, (owner, attr, target) in own.items():
        if k not in state_dict:
            continue
        src = state_dict[k]
        if is_lazy(src):
            if not is_lazy(target):
                errors.append(
                    f"size mismatch for {k}: copying an uninitialized parameter or buffer (of a "
                    "lazy module not yet called) from checkpoint into one of shape "
                    f"{target.shape}; call forward on the lazy module before saving it."
                )
            continue  # into an uninitialized one: nothing to copy
        arr = src._data if isinstance(src, Tensor) else np.asarray(src)
        if not is_lazy(target) and target.ndim == 0 and arr.shape == (1,):
            # PyTorch's compatibility with 0.3 checkpoints: one element loads into a 0-d tensor
            arr = arr.reshape(())
            src = src.reshape(()) if isinstance(src, Tensor) else arr
        if arr.dtype.kind not in "biufc":  # a str, None, object...: nothing to copy from
            errors.append(
                f'While copying the parameter named "{k}", expected a Tensor or an array of '
                f"numbers from checkpoint but received {type(src).__name__}"
            )
        # an uninitialized target takes the checkpoint's shape (PyTorch's lazy load hook)
        elif not is_lazy(target) and arr.shape != target.shape:
            errors.append(
                f"size mismatch for {k}: copying a param with shape {arr.shape} from checkpoint, "
                f"the shape in current model is {target.shape}."
            )
        else:
            values.append(_Load(owner, attr, target, src, arr))
    post_hooks = any(_hook_dict(mod, "_load_state_dict_post_hooks") for _, mod in modules)
    # Without post hooks every error is known now: raise before anything changes. A post hook
    # may still clear missing or unexpected keys (PyTorch checks them after its hooks): then
    # the values are loaded first, and put back if the strict check fails after all.
    if errors or (strict and not post_hooks and (missing or unexpected)):
        _raise(module, errors, missing if strict else [], unexpected if strict else [])
    backup = [(v, v.target._data.copy()) for v in values if not is_lazy(v.target)]
    backup = backup if post_hooks else []
    _assign(module, values, assign)
    for key, mod in extra.items():
        if key in state_dict:
            mod.set_extra_state(state_dict[key])
    if post_hooks:
        # PyTorch's walk: each module adds its keys as it is loaded, and its post hooks run
        # after its children's, seeing the keys found so far
        del missing[n_missing:], unexpected[n_unexpected:]
        inc = _IncompatibleKeys(missing, unexpected)
        _post_walk(module, "", state_dict, by_prefix, inc)
        if strict and (missing or unexpected):
            for v, data in backup:
                v.target._data = data
                if assign:  # the module's own tensor goes back in place of the loaded one
                    setattr(v.owner, v.attr, v.target)
            _raise(module, [], missing, unexpected)
    return _IncompatibleKeys(missing, unexpected)


def _keys_by_prefix(state_dict: dict[str, Any]) -> dict[str, list[str]]:
    """The state-dict keys under each dotted prefix ("", "a.", "a.b.", ...), in order."""
    out: dict[str, list[str]] = {}
    for key in state_dict:
        end = -1
        while True:
            out.setdefault(key[: end + 1], []).append(key)
            end = key.find(".", end + 1)
            if end < 0:
                break
    return out


def _check_keys(
    mod: Module,
    prefix: str,
    state_dict: dict[str, Any],
    by_prefix: dict[str, list[str]],
    missing: list[str],
    unexpected: list[str],
) -> None:
    """One module's missing and unexpected keys, in PyTorch's order (``_load_from_state_dict``
    with strict checks): its missing tensors, its ``_extra_state``, then the keys under its
    prefix that name neither one of its tensors nor a path into one of its children."""
    local = [k for k, p in mod._parameters.items() if p is not None] + [
        k for k, b in mod._buffers.items() if b is not None and k not in mod._non_persistent_buffers
    ]
    missing.extend(prefix + k for k in local if prefix + k not in state_dict)
    extra = prefix + "_extra_state"
    if _overrides(mod, "set_extra_state"):
        if extra not in state_dict:
            missing.append(extra)
    elif extra in state_dict:
        unexpected.append(extra)
    for key in by_prefix.get(prefix, ()):
        if key != extra:
            first, dot, _ = key[len(prefix) :].partition(".")
            if first not in (mod._modules if dot else local):
                unexpected.append(key)


def _post_walk(
    mod: Module, prefix: str, state_dict: dict[str, Any], by_prefix: dict[str, list[str]], inc: Any
) -> None:
    _check_keys(mod, prefix, state_dict, by_prefix, inc.missing_keys, inc.unexpected_keys)
    for name, child in mod._modules.items():
        if child is not None:
            _post_walk(child, f"{prefix}{name}.", state_dict, by_prefix, inc)
    for hook in _hook_dict(mod, "_load_state_dict_post_hooks").values():
        if hook(mod, inc) is not None:
            raise RuntimeError("load_state_dict post hooks must return None")


def _raise(module: Module, errors: list[str], missing: list[str], unexpected: list[str]) -> None:
    lines = []  # PyTorch's order: missing keys, unexpected keys, then the other errors
    if missing:
        lines.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
    if unexpected:
        lines.append(
            "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + "."
        )
    raise RuntimeError(
        f"Error(s) in loading state_dict for {module._get_name()}:\n\t"
        + "\n\t".join(lines + errors)
    )


class _Load(NamedTuple):
    """One tensor to load: where it lives (``owner.attr``), the module's tensor, the
    checkpoint's value and that value as an array."""

    owner: Module
    attr: str
    target: Tensor
    src: Any
    arr: np.ndarray


def _assigned(v: _Load) -> Tensor:
    """``load_state_dict(assign=True)``: the checkpoint's tensor itself takes the place of the
    module's (its dtype and memory; a Parameter's ``requires_grad`` stays the module's), as in
    PyTorch."""
    new = v.src if isinstance(v.src, Tensor) else Tensor._make(np.array(v.arr), False, None)
    if isinstance(v.target, Parameter):
        if isinstance(new, Parameter):
            new.requires_grad_(v.target.requires_grad)
        else:
            new = Parameter(new, requires_grad=v.target.requires_grad)
    return new


def _assign(module: Module, values: list[_Load], assign: bool) -> None:
    materialized = False
    for v in values:
        target, arr = v.target, v.arr
        if is_lazy(target):
            target.materialize(arr.shape)  # type: ignore[attr-defined]
            materialized = True
            if assign:  # the materialized tensor takes the checkpoint's values and dtype
                target._data = np.array(arr, dtype=arr.dtype)
            else:
                np.copyto(target._data, arr, casting="unsafe")
            target._version += 1
        elif assign:
            setattr(v.owner, v.attr, _assigned(v))
        else:
            np.copyto(target._data, arr, casting="unsafe")
            target._version += 1
    if materialized:
        # the lazy modules take their sizes (in_features...) from what was loaded
        for mod in module.modules():
            sync = getattr(type(mod), "_sync_sizes", None)
            if sync is not None:
                sync(mod)


_save_tree = state_dict
_load = load_state_dict


class StateMethods:
    """``Module``'s saving and loading: ``state_dict``, ``load_state_dict``, their hooks and
    the extra-state protocol."""

    def state_dict(
        self,
        *args: Any,
        destination: dict[str, Any] | None = None,
        prefix: str = "",
        keep_vars: bool = False,
    ) -> OrderedDict[str, Tensor]:
        """Parameters and persistent buffers under their dotted names, as detached copies
        (``keep_vars=True``: the Parameter objects themselves).

        ``prefix`` is prepended to every key as it is (``prefix="encoder."``). Like PyTorch's,
        the returned OrderedDict carries ``_metadata``: each module's dotted name mapped to
        ``{"version": module._version}``. ``destination``, ``prefix`` and ``keep_vars`` may
        still be passed positionally, in that order, with PyTorch's ``FutureWarning``.
        """
        if args:
            if len(args) > 3:
                raise TypeError(
                    f"state_dict() takes at most 3 positional arguments (destination, prefix, "
                    f"keep_vars), got {len(args)}"
                )
            warnings.warn(
                "Positional args are being deprecated, use kwargs instead: "
                "state_dict(destination=..., prefix=..., keep_vars=...)",
                FutureWarning,
                stacklevel=2,
            )
            # PyTorch's rule: a positional value is used where the keyword kept its default
            if destination is None:
                destination = args[0]
            if len(args) > 1 and prefix == "":
                prefix = args[1]
            if len(args) > 2 and keep_vars is False:
                keep_vars = args[2]
        return _save_tree(cast("Module", self), destination, prefix, keep_vars)

    def load_state_dict(
        self, state_dict: Any, strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        """Copy values into this module's parameters and buffers.

        ``state_dict`` may also be a path (read with ``npgrad.load``: safetensors, npz or a
        PyTorch ``.pt``). Everything is checked before anything is copied: with ``strict`` a
        RuntimeError lists every missing and unexpected key, and any shape mismatch is an error
        listing every such key; the module is then left unchanged.
        """
        return _load(cast("Module", self), state_dict, strict, assign)

    def _upgrade_state_dict(
        self, state_dict: dict[str, Any], prefix: str, local_metadata: dict[str, Any]
    ) -> None:
        """Bring this module's entries of an older ``state_dict`` (keys starting with
        ``prefix``) up to date, in place, before ``load_state_dict`` checks the keys.

        ``local_metadata`` is this module's entry of ``state_dict._metadata`` (``{}`` when there
        is none, as for a plain dict), holding the ``"version"`` (``_version``) of the module
        that saved it. ``state_dict`` is load_state_dict's own copy. The base class changes
        nothing; a layer whose layout changed overrides this (the key-fixing part of PyTorch's
        ``_load_from_state_dict``).
        """

    def get_extra_state(self) -> Any:
        """What to save under ``<prefix>_extra_state`` in ``state_dict()``: a subclass that
        overrides this (and :meth:`set_extra_state`) keeps any picklable state there."""
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called: "
            "override get_extra_state in the subclass to return the extra state"
        )

    def set_extra_state(self, state: Any) -> None:
        """Restore what :meth:`get_extra_state` saved (called by ``load_state_dict``)."""
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called: "
            "override set_extra_state in the subclass to load the extra state"
        )

    def _register_state_hook(self, store: str, hook: Callable[..., Any]) -> _RemovableHandle:
        hooks = self.__dict__.setdefault(store, {})
        handle = _RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_state_dict_pre_hook(self, hook: Callable[..., Any]) -> _RemovableHandle:
        """Call ``hook(module, prefix, keep_vars)`` before ``state_dict`` saves this module."""
        return self._register_state_hook("_state_dict_pre_hooks", hook)

    def register_state_dict_post_hook(self, hook: Callable[..., Any]) -> _RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata)`` after this module and its
        children were saved; the hook may change ``state_dict`` in place (and returns None)."""
        return self._register_state_hook("_state_dict_post_hooks", hook)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any]) -> _RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before ``load_state_dict`` checks the keys; it may
        rename entries of ``state_dict`` (load_state_dict's own copy) or add to the lists."""
        return self._register_state_hook("_load_state_dict_pre_hooks", hook)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any]) -> _RemovableHandle:
        """Call ``hook(module, incompatible_keys)`` after ``load_state_dict`` loaded the
        values (children's hooks first); it may remove keys from
        ``incompatible_keys.missing_keys``/``unexpected_keys`` before the strict check (which,
        if it still fails, puts the previous values back)."""
        return self._register_state_hook("_load_state_dict_post_hooks", hook)

    def save_state_dict(self, path: str | os.PathLike[str]) -> None:
        """Save ``state_dict()`` to ``path`` with ``npgrad.save`` (the seed project's API)."""
        npgrad.save(self.state_dict(), path)
