"""``autograd.backward`` and ``autograd.grad``: the entry points of the backward pass.

They check and complete their arguments (one gradient per output, ``inputs``,
``is_grads_batched``, ``materialize_grads``) and run the walk over the graph,
:func:`run_backward`, whose algorithm is described in ``autograd/_walk.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad.autograd._walk import (
    GradientEdge,
    _describe,
    get_gradient_edge,
    run_backward,
)
from npgrad.autograd._walk import queue_callback as queue_callback  # (its former home)

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["GradientEdge", "backward", "get_gradient_edge", "grad", "run_backward"]


def _make_grads(op: str, outputs: Sequence[Tensor], grads: Sequence[Any] | None) -> list[Tensor]:
    from npgrad.creation import as_tensor
    from npgrad.tensor import Tensor

    if grads is None:
        grads = [None] * len(outputs)
    for g in grads:  # ``backward([1., 1.])`` is a list of numbers, not one gradient
        if isinstance(g, (bool, int, float, complex)):
            raise TypeError(
                f"{op}: gradients can be either Tensors or None, but got {type(g).__name__}; "
                f"pass the gradient of one output as a tensor"
            )
    if len(grads) != len(outputs):
        raise RuntimeError(
            f"{op}: got {len(grads)} gradients for {len(outputs)} outputs; pass one per output"
        )
    out: list[Tensor] = []
    for i, (t, g) in enumerate(zip(outputs, grads)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: outputs must be Tensors, got {type(t).__name__} at {i}")
        if not t._requires_grad:
            raise RuntimeError(
                f"{op}: element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(
                    f"{op}: grad can be implicitly created only for scalar outputs; the output "
                    f"has shape {t.shape}: pass `gradient` (a tensor of that shape)"
                )
            g = Tensor._make(np.ones_like(t._data), False, None)
        else:
            g = g if isinstance(g, Tensor) else as_tensor(g, dtype=t.dtype)
            if g.dtype != t.dtype:  # PyTorch casts the given gradient to the output's dtype
                g = g.to(t.dtype)
            if g.shape != t.shape:
                raise RuntimeError(
                    f"{op}: mismatch in shape: the gradient has shape {g.shape} and the output "
                    f"has shape {t.shape}"
                )
        out.append(g)
    return out


def _as_list(x: Any) -> list[Any]:
    from npgrad.tensor import Tensor

    if x is None:
        return []
    return [x] if isinstance(x, (Tensor, GradientEdge)) else list(x)


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the graph's leaves
    (only of ``inputs`` when given). ``retain_graph`` defaults to ``create_graph``.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> npgrad.autograd.backward([(x * x).sum(), x.sum()])
    >>> x.grad
    tensor([3., 5.])
    """
    from npgrad.tensor import Tensor

    outs = _as_list(tensors)
    grads = _make_grads(
        "backward",
        outs,
        None
        if grad_tensors is None
        else ([grad_tensors] if isinstance(grad_tensors, Tensor) else list(grad_tensors)),
    )
    if retain_graph is None:
        retain_graph = create_graph
    ins = _as_list(inputs) if inputs is not None else None
    if ins is not None and not ins:
        raise RuntimeError("backward: 'inputs' argument to backward() cannot be empty")
    captured = run_backward(outs, grads, retain_graph, create_graph, ins, accumulate=True)
    # a non-leaf among ``inputs`` gets its gradient in ``.grad`` too, as in PyTorch (the
    # leaves' accumulated in the walk)
    for t, g in zip(ins or (), captured):
        # (a GradientEdge names no tensor to fill, unless its node is a leaf: accumulated)
        if not isinstance(t, GradientEdge) and t.grad_fn is not None and g is not None:
            g = g if g._requires_grad else Tensor._make(g._data.copy(), False, None)
            t.grad = g if t._grad is None else t._grad + g


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated).

    With ``is_grads_batched`` the first dimension of every ``grad_outputs`` entry is a batch:
    the result holds one vector-Jacobian product per batch entry, stacked along a new first
    dimension (PyTorch computes them with vmap; npgrad runs one backward per entry).
    ``only_inputs`` is deprecated and ignored, as in PyTorch.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor(3.0, requires_grad=True)
    >>> (g,) = npgrad.autograd.grad(x ** 3, x, create_graph=True)
    >>> g, npgrad.autograd.grad(g, x)[0]
    (tensor(27., grad_fn=<MulBackward>), tensor(18.))
    """
    from npgrad.tensor import Tensor

    if not only_inputs:
        warnings.warn(
            "grad: the only_inputs argument is deprecated and is ignored now (defaults to "
            "True). To accumulate gradient for other parts of the graph, please use "
            "npgrad.autograd.backward.",
            FutureWarning,
            stacklevel=2,
        )
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    if not ins:
        raise RuntimeError("grad: 'inputs' cannot be empty")
    go = (
        None
        if grad_outputs is None
        else ([grad_outputs] if isinstance(grad_outputs, Tensor) else list(grad_outputs))
    )
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise ValueError(
            "grad: expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False"
        )
    if is_grads_batched:
        return _batched_grad(
            outs, ins, go, retain_graph, create_graph, allow_unused, materialize_grads
        )
    grads = _make_grads("grad", outs, go)
    result = run_backward(outs, grads, retain_graph, create_graph, ins, accumulate=False)
    for i, (g, t) in enumerate(zip(result, ins)):
        if g is None:
            if materialize_grads:
                result[i] = _zeros_for("grad", t)
                if create_graph:  # a leaf that requires grad, as PyTorch's zeros_like(...)
                    result[i]._requires_grad = True  # type: ignore[union-attr]
            elif not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} {_describe(t)} appears to not have been used in the "
                    "graph; set allow_unused=True if this is the desired behavior"
                )
        elif not create_graph and g._requires_grad:
            result[i] = g.detach()
    return tuple(result)


def _zeros_for(op: str, t: Any) -> Tensor:
    """The zero gradient ``materialize_grads`` gives an input that received none."""
    from npgrad.tensor import Tensor

    if isinstance(t, GradientEdge):
        node = t.node
        if node._is_leaf_vertex:
            t = node
        elif node._output_meta:  # a node of several outputs knows each one's shape
            shape, dtype = node._output_meta[t.output_nr]
            return Tensor._make(np.zeros(shape, dtype), False, None)
        else:
            raise RuntimeError(
                f"{op}: materialize_grads needs the shape of the unused input "
                f"{_describe(t)}, which npgrad does not keep for a node of one output; pass "
                "the tensor itself, or allow_unused=True"
            )
    return Tensor._make(np.zeros_like(t._data), False, None)


def _batched_grad(
    outs: list[Tensor],
    ins: list[Tensor],
    go: list[Any] | None,
    retain_graph: bool,
    create_graph: bool,
    allow_unused: bool,
    materialize_grads: bool,
) -> tuple[Tensor | None, ...]:
    """``grad(..., is_grads_batched=True)``: one backward per entry of the batch dimension."""
    from npgrad.ops.shape import stack
    from npgrad.tensor import Tensor

    if go is None or any(g is None for g in go):
        raise RuntimeError(
            "grad: is_grads_batched=True needs a batched gradient in grad_outputs for every output"
        )
    sizes = {g.shape[0] if g.ndim else None for g in go}
    if len(sizes) != 1 or None in sizes:
        raise RuntimeError(
            "grad: with is_grads_batched=True every grad_outputs entry must have the same "
            f"batch size in its first dimension, got shapes {[tuple(g.shape) for g in go]}"
        )
    n: int = sizes.pop()  # type: ignore[assignment]  # (None was refused above)
    for i, (t, g) in enumerate(zip(outs, go)):
        if isinstance(t, Tensor) and tuple(g.shape[1:]) != tuple(t.shape):
            raise RuntimeError(
                f"grad: with is_grads_batched=True the first dimension of each grad_outputs "
                f"entry is the batch dimension and the rest must be the output's shape: entry "
                f"{i} has shape {tuple(g.shape)}, output {i} has shape {tuple(t.shape)}"
            )
    per_entry = [
        grad(
            outs,
            ins,
            [g[b] for g in go],
            retain_graph=retain_graph or b < n - 1,
            create_graph=create_graph,
            allow_unused=True,
            materialize_grads=materialize_grads,
        )
        for b in range(n)
    ]
    result: list[Tensor | None] = []
    for i, t in enumerate(ins):
        column = [entry[i] for entry in per_entry]
        if n and all(g is None for g in column):
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} {_describe(t)} appears to not have been used in the "
                    "graph; set allow_unused=True if this is the desired behavior"
                )
            result.append(None)
        elif n:
            result.append(stack([g for g in column if g is not None]))
        else:  # no batch entries: an empty batch of the input's gradient
            zero = _zeros_for("grad", t)
            result.append(Tensor._make(np.zeros((0, *zero.shape), zero.dtype), False, None))
    return tuple(result)
