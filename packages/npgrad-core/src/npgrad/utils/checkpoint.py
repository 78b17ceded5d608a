"""Activation checkpointing: trade compute for memory.

``checkpoint(function, *args)`` runs ``function`` keeping none of the tensors its ops save for
the backward; the backward runs ``function`` again (with the same random numbers) to get them
back. It is built on :class:`npgrad.autograd.graph.saved_tensors_hooks`:

- in the forward, the pack hook replaces every saved tensor by its position in the order of
  saving (and remembers its shape and dtype);
- the first unpack runs ``function`` once more, under grad mode, with hooks that collect the
  tensors the same ops save this time, in the same order; every unpack then returns the one at
  its position.

This is PyTorch's non-reentrant algorithm: parameters used inside ``function`` get their
gradients, whether or not an argument requires grad, and ``autograd.grad`` works through it.
npgrad runs it for ``use_reentrant=True`` too (see Differences from PyTorch).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from npgrad import random as _random
from npgrad.autograd.grad_mode import enable_grad, is_grad_enabled
from npgrad.autograd.graph import saved_tensors_hooks

__all__ = ["CheckpointError", "checkpoint", "checkpoint_sequential", "noop_context_fn"]


class CheckpointError(RuntimeError):
    """The recomputed forward did not save the same tensors as the first run."""


def noop_context_fn() -> tuple[contextlib.AbstractContextManager[Any], ...]:
    """The default ``context_fn``: no context around either run of ``function``."""
    return contextlib.nullcontext(), contextlib.nullcontext()


class _Frame:
    """One checkpointed call: what its forward saved (as metadata) and, once the backward
    asked for it, the recomputed tensors."""

    def __init__(self, recompute: Callable[[_Frame], None], check: bool) -> None:
        self.recompute_fn = recompute
        self.check = check
        self.meta: list[tuple[tuple[int, ...], Any]] = []
        self.values: list[Any] | None = None

    def pack(self, t: Any) -> int:
        self.meta.append((tuple(t.shape), t.dtype))
        return len(self.meta) - 1

    def unpack(self, k: int) -> Any:
        if is_grad_enabled():
            raise RuntimeError(
                "checkpoint: second-order gradients (create_graph=True) through a checkpointed "
                "function are not supported"
            )
        if self.values is None:
            self.values = []
            self.recompute_fn(self)
            if self.check and len(self.values) != len(self.meta):
                raise CheckpointError(
                    f"checkpoint: the recomputed forward saved {len(self.values)} tensors for "
                    f"the backward where the first run saved {len(self.meta)}: the function "
                    "must do the same ops when it runs again"
                )
        if k >= len(self.values):
            raise CheckpointError(
                f"checkpoint: the recomputed forward saved only {len(self.values)} tensors; "
                f"tensor {k} is missing"
            )
        t = self.values[k]
        if self.check and (tuple(t.shape), t.dtype) != self.meta[k]:
            shape, dtype = self.meta[k]
            raise CheckpointError(
                f"checkpoint: recomputed tensor {k} has shape {tuple(t.shape)} and dtype "
                f"{t.dtype}; the first run saved shape {shape} and dtype {dtype}"
            )
        return t


def checkpoint(
    function: Callable[..., Any],
    *args: Any,
    use_reentrant: bool | None = None,
    context_fn: Callable[[], tuple[Any, ...]] = noop_context_fn,
    determinism_check: str = "default",
    debug: bool = False,
    preserve_rng_state: bool = True,
    early_stop: bool = True,
    **kwargs: Any,
) -> Any:
    """``function(*args, **kwargs)``, keeping nothing for the backward: the backward runs
    ``function`` again to get the saved tensors back (see the module docstring).

    ``preserve_rng_state`` makes the second run draw the same random numbers (dropout masks)
    as the first. ``context_fn`` returns two context managers, entered around the first and
    the second run. ``determinism_check="default"`` raises :class:`CheckpointError` when the
    second run saves tensors of other shapes or dtypes; ``"none"`` skips the check. ``debug``
    and ``early_stop`` are accepted for compatibility. Under ``no_grad`` it just calls
    ``function``. Second-order gradients through it raise.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.utils.checkpoint import checkpoint
    >>> x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> y = checkpoint(lambda t: (t.exp() * t).sum(), x, use_reentrant=False)
    >>> y.backward()
    >>> x.grad
    tensor([ 5.4366, 22.1672])
    """
    if use_reentrant is None:
        warnings.warn(
            "checkpoint: the use_reentrant parameter should be passed explicitly, as PyTorch "
            "asks (npgrad runs the non-reentrant algorithm either way)",
            UserWarning,
            stacklevel=2,
        )
    if determinism_check not in ("default", "none"):
        raise ValueError(
            f"checkpoint: determinism_check must be 'default' or 'none', got {determinism_check!r}"
        )
    if not is_grad_enabled():
        return function(*args, **kwargs)
    rng_state = _random.get_rng_state() if preserve_rng_state else None
    forward_context, recompute_context = context_fn()

    def recompute(frame: _Frame) -> None:
        values = frame.values
        assert values is not None

        def collect(t: Any) -> None:
            values.append(t.detach())

        current = _random.get_rng_state() if rng_state is not None else None
        try:
            if rng_state is not None:
                _random.set_rng_state(rng_state)
            with enable_grad(), recompute_context, saved_tensors_hooks(collect, _no_unpack):
                function(*args, **kwargs)
        finally:
            if current is not None:
                _random.set_rng_state(current)

    frame = _Frame(recompute, determinism_check == "default")
    with forward_context, saved_tensors_hooks(frame.pack, frame.unpack):
        return function(*args, **kwargs)


def _no_unpack(_: Any) -> Any:
    raise CheckpointError("checkpoint: a tensor saved while recomputing was asked for")


def checkpoint_sequential(
    functions: Any,
    segments: int,
    input: Any,  # noqa: A002 - PyTorch's name
    use_reentrant: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Run ``functions`` (a list of callables, or a module with ``children()`` such as
    ``nn.Sequential``) one after the other on ``input``, in ``segments`` chunks: all but the
    last chunk are checkpointed. ``kwargs`` go to :func:`checkpoint`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.utils.checkpoint import checkpoint_sequential
    >>> fns = [lambda t: t * 2, lambda t: t.sin(), lambda t: t * t]
    >>> x = npgrad.tensor([0.5], requires_grad=True)
    >>> checkpoint_sequential(fns, 2, x, use_reentrant=False).backward(npgrad.ones(1))
    >>> x.grad
    tensor([1.8186])
    """
    if use_reentrant is None:
        warnings.warn(
            "checkpoint_sequential: the use_reentrant parameter should be passed explicitly, "
            "as PyTorch asks (npgrad runs the non-reentrant algorithm either way)",
            UserWarning,
            stacklevel=2,
        )
    if hasattr(functions, "children"):
        functions = list(functions.children())
    functions = list(functions)
    if not isinstance(segments, int) or isinstance(segments, bool) or segments < 1:
        raise ValueError(
            f"checkpoint_sequential: segments must be a positive int, got {segments!r}"
        )
    if not functions:
        return input
    size = max(len(functions) // segments, 1)

    def run(chunk: Sequence[Callable[[Any], Any]]) -> Callable[[Any], Any]:
        def forward(x: Any) -> Any:
            for fn in chunk:
                x = fn(x)
            return x

        return forward

    end = 0
    for start in range(0, size * (segments - 1), size):
        if start + size >= len(functions):  # more segments than functions: the rest runs plain
            break
        end = start + size
        input = checkpoint(run(functions[start:end]), input, use_reentrant=True, **kwargs)  # noqa: A001
    return run(functions[end:])(input)
