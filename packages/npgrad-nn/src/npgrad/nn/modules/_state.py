"""``Module.state_dict`` and ``Module.load_state_dict``: saving and loading a module tree's
parameters and persistent buffers under dotted names, as PyTorch does, including the
uninitialized parameters of lazy modules (kept as they are in a state_dict; materialized
with the checkpoint's shapes when one is loaded into them)."""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn.parameter import is_lazy

if TYPE_CHECKING:
    from npgrad.nn.modules.module import Module

__all__: list[str] = []


class _IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]


def _detached(t: Tensor, keep_vars: bool) -> Tensor:
    # an uninitialized tensor has no values to copy: PyTorch's state_dict holds it as it is
    if keep_vars or is_lazy(t):
        return t
    return Tensor._make(t._data.copy(), False, None)


def state_dict(
    module: Module, destination: dict[str, Any] | None, prefix: str, keep_vars: bool
) -> OrderedDict[str, Tensor]:
    out: OrderedDict[str, Tensor] = OrderedDict() if destination is None else destination  # type: ignore[assignment]
    if destination is None:
        out._metadata = OrderedDict()  # type: ignore[attr-defined]
    metadata = getattr(out, "_metadata", None)
    for mod_prefix, mod in module.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False):
        if metadata is not None:
            metadata[mod_prefix] = {"version": mod._version}
        base = f"{mod_prefix}." if mod_prefix else ""
        for k, p in mod._parameters.items():
            if p is not None:
                out[base + k] = _detached(p, keep_vars)
        for k, b in mod._buffers.items():
            if b is not None and k not in mod._non_persistent_buffers:
                out[base + k] = _detached(b, keep_vars)
    return out


def load_state_dict(
    module: Module, state_dict: Any, strict: bool, assign: bool
) -> _IncompatibleKeys:
    if isinstance(state_dict, (str, os.PathLike)):
        state_dict = npgrad.load(state_dict)
    if not isinstance(state_dict, dict):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
    metadata = getattr(state_dict, "_metadata", None) or {}
    state_dict = OrderedDict(state_dict)  # the upgrade hooks must not change the caller's
    for name, mod in module.named_modules(remove_duplicate=False):
        mod._upgrade_state_dict(state_dict, f"{name}." if name else "", metadata.get(name, {}))
    own = module.state_dict(keep_vars=True)
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    errors = []
    if strict:
        if unexpected:
            errors.append(
                "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + "."
            )
        if missing:
            errors.append(
                "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + "."
            )
    values: list[tuple[Tensor, np.ndarray]] = []
    for k, target in own.items():
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
        # an uninitialized target takes the checkpoint's shape (PyTorch's lazy load hook)
        if not is_lazy(target) and arr.shape != target.shape:
            errors.append(
                f"size mismatch for {k}: copying a param with shape {arr.shape} from checkpoint, "
                f"the shape in current model is {target.shape}."
            )
        else:
            values.append((target, arr))
    if errors:
        raise RuntimeError(
            f"Error(s) in loading state_dict for {module._get_name()}:\n\t" + "\n\t".join(errors)
        )
    materialized = False
    for target, arr in values:
        if is_lazy(target):
            target.materialize(arr.shape)  # type: ignore[attr-defined]
            materialized = True
        if assign:
            target._data = np.array(arr, dtype=arr.dtype)
        else:
            np.copyto(target._data, arr, casting="unsafe")
        target._version += 1
    if materialized:
        # the lazy modules take their sizes (in_features...) from what was loaded
        for mod in module.modules():
            sync = getattr(type(mod), "_sync_sizes", None)
            if sync is not None:
                sync(mod)
    return _IncompatibleKeys(missing, unexpected)
