"""Higher-level derivatives built on ``autograd.grad``: vjp, jvp, jacobian, hessian, hvp.

Signatures and return structures follow ``torch.autograd.functional``: ``inputs`` is a
Tensor or a tuple of Tensors, and results mirror that structure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad.autograd.engine import grad as autograd_grad
from npgrad.autograd.grad_mode import enable_grad

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _prepare(op: str, inputs: Any, create_graph: bool) -> tuple[bool, tuple[Tensor, ...]]:
    from npgrad.tensor import Tensor

    is_tuple = isinstance(inputs, (tuple, list))
    xs = tuple(inputs) if is_tuple else (inputs,)
    for i, x in enumerate(xs):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}: inputs must be Tensors, got {type(x).__name__} at {i}")
        if x.dtype.kind != "f":
            raise TypeError(f"{op}: input {i} has dtype {x.dtype}; inputs must be floating")
    # fresh leaves that require grad; under create_graph they stay connected to the originals
    prepared = tuple(
        (x.view_as(x) if create_graph and x.requires_grad else x.detach()).requires_grad_(True)
        for x in xs
    )
    return is_tuple, prepared


def _outputs(op: str, out: Any) -> tuple[bool, tuple[Tensor, ...]]:
    from npgrad.tensor import Tensor

    is_tuple = isinstance(out, (tuple, list))
    outs = tuple(out) if is_tuple else (out,)
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(
                f"{op}: the function must return Tensors, got {type(o).__name__} at {i}"
            )
    return is_tuple, outs


def _grads(
    outs: tuple[Tensor, ...],
    xs: tuple[Tensor, ...],
    vs: Any,
    create_graph: bool,
    strict: str | None = None,
) -> tuple[Tensor, ...]:
    """vᵀJ for each input; an input the outputs don't depend on gets zeros — or, with
    ``strict`` (the op's name), a RuntimeError, as ``strict=True`` asks in PyTorch."""
    keep = [i for i, o in enumerate(outs) if o.requires_grad]
    if not keep:
        if strict and xs:
            raise RuntimeError(f"{strict}: the output is independent of input 0 (strict=True)")
        return tuple(_filled_like(x, 0) for x in xs)
    gs = autograd_grad(
        [outs[i] for i in keep],
        xs,
        [vs[i] for i in keep],
        create_graph=create_graph,
        retain_graph=True,
        allow_unused=True,
    )
    if strict:
        for i, g in enumerate(gs):
            if g is None:
                raise RuntimeError(
                    f"{strict}: the output is independent of input {i} (strict=True)"
                )
    return tuple(g if g is not None else _filled_like(x, 0) for g, x in zip(gs, xs))


def vjp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), vᵀ J)``: the vector-Jacobian product at ``inputs``.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0, 2.0])
    >>> out, g = npgrad.autograd.functional.vjp(lambda t: t * t, x, npgrad.tensor([1.0, 1.0]))
    >>> g
    tensor([2., 4.])
    """

    with enable_grad():
        in_tuple, xs = _prepare("vjp", inputs, create_graph)
        out_tuple, outs = _outputs("vjp", func(*xs))
        if v is None:
            if len(outs) != 1 or outs[0].numel() != 1:
                raise RuntimeError(
                    "vjp: v can only be omitted when the function returns a single element"
                )
            vs: Any = (_filled_like(outs[0], 1),)
        else:
            vs = _as_tuple(v)
        gs = _grads(outs, xs, vs, create_graph, "vjp" if strict else None)
    res = outs if create_graph else tuple(o.detach() for o in outs)
    return (res if out_tuple else res[0]), (gs if in_tuple else gs[0])


def jvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), J v)`` by the double-vjp trick (two reverse passes).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.autograd.functional import jvp
    >>> out, jv = jvp(lambda t: t * t, npgrad.tensor([1.0, 3.0]), npgrad.tensor([1.0, 1.0]))
    >>> jv
    tensor([2., 6.])
    """
    from npgrad.tensor import Tensor

    with enable_grad():
        in_tuple, xs = _prepare("jvp", inputs, create_graph)
        out_tuple, outs = _outputs("jvp", func(*xs))
        if v is None:
            if len(xs) != 1 or xs[0].numel() != 1:
                raise RuntimeError("jvp: v can only be omitted when the input is a single element")
            v = _filled_like(xs[0], 1)
        vs = _as_tuple(v)
        # u ↦ uᵀJ is linear in u; differentiating <uᵀJ, v> with respect to u gives J v
        us = tuple(Tensor._make(np.zeros_like(o._data), True, None) for o in outs)
        gs = _grads(outs, xs, us, create_graph=True, strict="jvp" if strict else None)
        jv = _grads(gs, us, vs, create_graph)
    res = outs if create_graph else tuple(o.detach() for o in outs)
    return (res if out_tuple else res[0]), (jv if out_tuple else jv[0])


def jacobian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``: shape ``out.shape + in.shape`` per pair.

    npgrad computes forward mode with reverse passes: ``strategy="forward-mode"`` (which PyTorch accepts only
    with ``vectorize=True`` and without ``strict``) gives the same Jacobian, computed with
    one backward per output element as ``"reverse-mode"`` does. ``vectorize`` changes
    nothing but the argument checks.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.autograd.functional.jacobian(lambda t: t * t, npgrad.tensor([1.0, 3.0]))
    tensor([[2., 0.],
            [0., 6.]])
    """
    from npgrad.ops.shape import stack
    from npgrad.tensor import Tensor

    _check_strategy("jacobian", strategy, "strategy", strict, vectorize)
    with enable_grad():
        in_tuple, xs = _prepare("jacobian", inputs, create_graph)
        out_tuple, outs = _outputs("jacobian", func(*xs))
        blocks: list[list[Tensor]] = []
        for o in outs:
            rows: list[list[Tensor]] = [[] for _ in xs]
            for k in range(o.numel()):
                e = np.zeros(o.numel(), dtype=o.dtype)
                e[k] = 1
                vs = tuple(
                    Tensor._make(e.reshape(o.shape), False, None) if p is o else _filled_like(p, 0)
                    for p in outs
                )
                for j, g in enumerate(
                    _grads(outs, xs, vs, create_graph, "jacobian" if strict else None)
                ):
                    rows[j].append(g)
            blocks.append(
                [
                    stack(r).reshape(o.shape + x.shape)
                    if r
                    else Tensor._make(np.zeros(o.shape + x.shape, x.dtype), False, None)
                    for r, x in zip(rows, xs)
                ]
            )
    result: Any = [tuple(b) if in_tuple else b[0] for b in blocks]
    return tuple(result) if out_tuple else result[0]


def hessian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of a scalar function: ``jacobian`` of its gradient (``vectorize`` and
    ``outer_jacobian_strategy`` as in :func:`jacobian`).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.autograd.functional.hessian(lambda t: (t ** 3).sum(), npgrad.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    _check_strategy(
        "hessian", outer_jacobian_strategy, "outer_jacobian_strategy", strict, vectorize
    )
    in_tuple = isinstance(inputs, (tuple, list))

    def gradient(*xs: Tensor) -> Any:
        out = func(*xs)
        _, outs = _outputs("hessian", out)
        ones = (_filled_like(_single("hessian", outs), 1),)
        gs = _grads(outs, xs, ones, create_graph=True, strict="hessian" if strict else None)
        return gs if in_tuple else gs[0]

    return jacobian(
        gradient,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )


def _check_strategy(op: str, strategy: str, name: str, strict: bool, vectorize: bool) -> None:
    """PyTorch's argument checks of ``jacobian``/``hessian``, so that code runs under both."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError(
            f'{op}: expected {name} to be either "forward-mode" or "reverse-mode", got {strategy!r}'
        )
    if strict and vectorize:
        raise RuntimeError(
            f"{op}: `strict=True` and `vectorize=True` are not supported together. Please "
            "either set `strict=False` or `vectorize=False`."
        )
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError(
            f'{op}: {name}="forward-mode" is only implemented for `vectorize=True`'
        )


def _filled_like(t: Tensor, value: float) -> Tensor:
    from npgrad.tensor import Tensor

    return Tensor._make(np.full_like(t._data, value), False, None)


def _as_tuple(v: Any) -> tuple[Any, ...]:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


def _single(op: str, outs: tuple[Tensor, ...]) -> Tensor:
    if len(outs) != 1 or outs[0].numel() != 1:
        raise RuntimeError(f"{op}: the function must return a single-element Tensor")
    return outs[0]


def vhp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), vᵀ H)`` for a scalar function.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.autograd.functional import vhp
    >>> f = lambda t: (t**3).sum()
    >>> vhp(f, npgrad.tensor([1.0, 2.0]), npgrad.tensor([1.0, 1.0]))[1]
    tensor([ 6., 12.])
    """
    with enable_grad():
        in_tuple, xs = _prepare("vhp", inputs, True)
        _, outs = _outputs("vhp", func(*xs))
        ones = (_filled_like(_single("vhp", outs), 1),)
        gs = _grads(outs, xs, ones, create_graph=True, strict="vhp" if strict else None)
        vs = _as_tuple(v)
        hv = _grads(gs, xs, vs, create_graph, strict="vhp" if strict else None)
    out = outs[0] if create_graph else outs[0].detach()
    return out, (hv if in_tuple else hv[0])


def hvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), H v)``; equal to ``vhp`` since the Hessian is symmetric.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.autograd.functional import hvp
    >>> hvp(lambda t: (t * t).sum(), npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0]))[1]
    tensor([6., 8.])
    """
    return vhp(func, inputs, v, create_graph, strict)
