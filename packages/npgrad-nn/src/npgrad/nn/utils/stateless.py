"""``nn.utils.stateless.functional_call``: call a module with some of its parameters and
buffers replaced by given tensors, as ``torch.func.functional_call`` /
``torch.nn.utils.stateless.functional_call``. The gradient then flows to the given tensors
(meta-learning, per-sample gradients, ensembling).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from npgrad import Tensor
from npgrad.nn.modules.module import Module
from npgrad.nn.utils.parametrize import is_parametrized

__all__ = ["functional_call"]

_MISSING = object()


def _merge(parameters_and_buffers: Any) -> dict[str, Any]:
    if isinstance(parameters_and_buffers, Mapping):
        return dict(parameters_and_buffers)
    if isinstance(parameters_and_buffers, Sequence) and all(
        isinstance(d, Mapping) for d in parameters_and_buffers
    ):
        merged: dict[str, Any] = {}
        for d in parameters_and_buffers:
            repeated = sorted(set(merged) & set(d))
            if repeated:
                raise ValueError(
                    f"{repeated} appeared in multiple dictionaries; behavior of functional call "
                    "is ambiguous"
                )
            merged.update(d)
        return merged
    raise TypeError(
        "functional_call: parameters_and_buffers must be a dict or a tuple of dicts, got "
        f"{type(parameters_and_buffers).__name__}"
    )


def _tied_names(module: Module) -> dict[str, list[str]]:
    """Each parameter/buffer name -> every name of the same tensor (tied weights)."""
    by_id: dict[int, list[str]] = {}
    for name, t in (
        *module.named_parameters(remove_duplicate=False),
        *module.named_buffers(remove_duplicate=False),
    ):
        by_id.setdefault(id(t), []).append(name)
    return {name: names for names in by_id.values() for name in names}


@contextlib.contextmanager
def _swapped(module: Module, values: dict[str, Any]) -> Iterator[None]:
    saved: list[tuple[Module, str, str, Any]] = []
    try:
        for name, value in values.items():
            path, _, leaf = name.rpartition(".")
            owner = module.get_submodule(path)
            d = owner.__dict__
            store = next((s for s in ("_parameters", "_buffers") if leaf in d[s]), None)
            if is_parametrized(owner, leaf):
                # the given tensor replaces the parametrization's output for the call
                overrides = d.setdefault("_parametrize_overrides", {})
                saved.append((owner, "_parametrize_overrides", leaf, overrides.get(leaf, _MISSING)))
                overrides[leaf] = value
            elif store is not None:
                saved.append((owner, store, leaf, d[store][leaf]))
                # straight into the store: a computed Tensor is not a Parameter, and
                # __setattr__ would refuse it
                d[store][leaf] = value
            else:  # not strict: a new plain attribute for the call's duration
                saved.append((owner, "", leaf, d.get(leaf, _MISSING)))
                object.__setattr__(owner, leaf, value)
        yield
    finally:
        for owner, store, leaf, old in reversed(saved):
            if store == "_parametrize_overrides":
                overrides = owner.__dict__[store]
                if old is _MISSING:
                    del overrides[leaf]
                else:
                    overrides[leaf] = old
            elif store:
                owner.__dict__[store][leaf] = old
            elif old is _MISSING:
                owner.__dict__.pop(leaf, None)
            else:
                owner.__dict__[leaf] = old


def functional_call(
    module: Module,
    parameters_and_buffers: Any,
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """Call ``module(*args, **kwargs)`` with the parameters and buffers named in
    ``parameters_and_buffers`` replaced, then restore them.

    Parameters
    ----------
    module : Module
    parameters_and_buffers : dict or tuple of dicts
        Dotted names (as in ``state_dict``) to tensors; several dicts must not repeat a key.
    args : Tensor or tuple, optional
        Positional arguments (a single non-tuple is one argument).
    kwargs : dict, optional
        Keyword arguments.
    tie_weights : bool
        A value for one name of tied tensors (the same Parameter under several names) is
        used for all of them; giving different values for tied names is an error. False:
        only the names given are replaced.
    strict : bool
        Every parameter and buffer must be given, and nothing else.

    Notes
    -----
    On a parametrized module (:mod:`npgrad.nn.utils.parametrize`) either name works: the
    original (``parametrizations.weight.original``), which the parametrization is then applied
    to, or the parametrized name (``weight``), whose value is then used as it is.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.utils.stateless import functional_call
    >>> m = nn.Linear(2, 1, bias=False)
    >>> w = npgrad.tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = functional_call(m, {"weight": w}, (npgrad.tensor([[3.0, 4.0]]),))
    >>> y
    tensor([[11.]], grad_fn=<LinearBackward>)
    >>> y.sum().backward()
    >>> w.grad
    tensor([[3., 4.]])
    """
    if not isinstance(module, Module):
        raise TypeError(f"functional_call: expected a Module, got {type(module).__name__}")
    values = _merge(parameters_and_buffers)
    for k, v in values.items():
        if not isinstance(k, str):
            raise TypeError(f"functional_call: keys must be names (str), got {k!r}")
        if not isinstance(v, Tensor) and v is not None:
            raise TypeError(
                f"functional_call: the value of {k!r} must be a Tensor, got {type(v).__name__}"
            )
    tied = _tied_names(module)
    if strict:
        missing = [k for k in tied if k not in values]
        unexpected = [k for k in values if k not in tied]
        if missing or unexpected:
            lines = []
            if unexpected:
                lines.append("Unexpected key(s): " + ", ".join(repr(k) for k in unexpected) + ".")
            if missing:
                lines.append("Missing key(s): " + ", ".join(repr(k) for k in missing) + ".")
            raise RuntimeError(
                f"Error(s) in reparametrizing for {module._get_name()}:\n\t" + "\n\t".join(lines)
            )
    if tie_weights:
        expanded = dict(values)
        for k, v in values.items():
            for other in tied.get(k, ()):
                if other in values and values[other] is not v:
                    group = sorted(tied[k])
                    raise ValueError(
                        f"functional_call got multiple values for keys {group}, which are tied. "
                        "Consider using tie_weights=False"
                    )
                expanded[other] = v
        values = expanded
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, values):
        return module(*args, **(kwargs or {}))
