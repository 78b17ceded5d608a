"""``npgrad.func``: PyTorch's composable function transforms (``torch.func``), built on the
autograd engine.

``grad(f)`` is the function computing ``f``'s gradient, ``vjp``/``jvp`` give vector-Jacobian
and Jacobian-vector products (``linearize`` the latter for many tangents at one point), ``jacrev``/``jacfwd``/``hessian`` whole Jacobians, and
``vmap(f)`` maps ``f`` over a batch dimension. Arguments and results may be Tensors or
(nested) tuples, lists and dicts of them.

How they are built, and where that differs from PyTorch:

- A transform differentiates with ``autograd.grad``, through an alias of each argument that
  requires grad. When any argument already requires grad (a parameter, or the argument of an
  enclosing transform), the graph of the result is kept: ``grad(grad(f))`` works, and so does
  a gradient penalty that backpropagates through ``grad``. PyTorch keeps each transform's
  variables apart by levels; npgrad does not see tensors a function closes over: pass them
  as arguments to have them count.
- ``jvp`` and ``jacfwd`` compute the same values with reverse passes (``jvp`` by the
  double-vjp identity), as does :mod:`npgrad.autograd.forward_ad`.
- ``vmap`` calls the function once per batch entry and stacks the results: PyTorch's results
  for any function (even one with data-dependent control flow, which PyTorch's vmap refuses),
  at a loop's speed. ``randomness="error"`` can't be detected and runs like ``"different"``.
- ``functional_call`` is :func:`npgrad.nn.utils.stateless.functional_call` (npgrad-core does
  not depend on npgrad-nn).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from npgrad import random as _random
from npgrad.autograd.engine import grad as _autograd_grad
from npgrad.autograd.grad_mode import enable_grad
from npgrad.creation import ones_like, zeros_like
from npgrad.ops.other import select
from npgrad.ops.shape import movedim, stack
from npgrad.tensor import Tensor

__all__ = [
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "linearize",
    "vjp",
    "vmap",
]


# ---- pytrees: Tensors inside (nested) tuples, lists and dicts --------------------------------
def _leaves(tree: Any) -> list[Any]:
    if isinstance(tree, (tuple, list)):
        return [leaf for t in tree for leaf in _leaves(t)]
    if isinstance(tree, dict):
        return [leaf for t in tree.values() for leaf in _leaves(t)]
    return [tree]


def _rebuild(tree: Any, leaves: Any) -> Any:
    """``tree`` with its leaves replaced, in order, by the items of the iterator ``leaves``."""
    if isinstance(tree, (tuple, list)):
        return type(tree)(_rebuild(t, leaves) for t in tree)
    if isinstance(tree, dict):
        return {k: _rebuild(v, leaves) for k, v in tree.items()}
    return next(leaves)


def _tensors_require_grad(tree: Any) -> bool:
    return any(isinstance(t, Tensor) and t.requires_grad for t in _leaves(tree))


def _alias(x: Any, op: str) -> Tensor:
    """A tensor that requires grad and has ``x``'s values (``x`` itself if it does already)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected the differentiated arguments to be Tensors, got {x!r}")
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: only Tensors of floating point dtype can require gradients, got {x.dtype}"
        )
    return x if x.requires_grad else x.detach().requires_grad_()


def _argnums(argnums: Any, n: int, op: str) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums or not all(isinstance(a, int) and -n <= a < n for a in nums):
        raise RuntimeError(f"{op}: got argnums={argnums!r} for {n} positional argument(s)")
    return tuple(a % n for a in nums)


def _split_aux(out: Any, has_aux: bool, op: str) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not isinstance(out, tuple) or len(out) != 2:
        raise RuntimeError(f"{op}: with has_aux=True the function must return (output, aux)")
    return out[0], out[1]


def _check_outputs(out: Any, op: str) -> list[Tensor]:
    leaves = _leaves(out)
    if not all(isinstance(t, Tensor) for t in leaves):
        raise RuntimeError(f"{op}: the function must return Tensors (or tuples of them)")
    return leaves


def _vjp(outs: list[Tensor], inputs: list[Tensor], cots: list[Any], create: bool) -> list[Any]:
    """The gradients of ``outs`` (weighted by ``cots``) w.r.t. ``inputs``; zeros where none."""
    live = [(o, c) for o, c in zip(outs, cots) if o.requires_grad]
    if not live:
        return [zeros_like(x) for x in inputs]
    return list(
        _autograd_grad(
            [o for o, _ in live],
            inputs,
            [c for _, c in live],
            retain_graph=True,
            create_graph=create,
            allow_unused=True,
            materialize_grads=True,
        )
    )


def _with_aliases(args: tuple[Any, ...], nums: tuple[int, ...], op: str) -> tuple[Any, ...]:
    """``(args with the differentiated ones aliased, their trees, their aliased leaves)``."""
    new = list(args)
    trees = [args[a] for a in nums]
    leaves = [[_alias(x, op) for x in _leaves(t)] for t in trees]
    for a, t, ls in zip(nums, trees, leaves):
        new[a] = _rebuild(t, iter(ls))
    return new, trees, leaves


# ---- grad, grad_and_value --------------------------------------------------------------------
def grad_and_value(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """``func`` -> a function returning ``(gradient, value)``: the value of ``func`` (which
    must be a scalar, 0-d Tensor) and its gradient w.r.t. the arguments ``argnums`` (a tuple
    of gradients for a tuple of argnums). With ``has_aux``, ``func`` returns ``(value, aux)``
    and the result is ``(gradient, (value, aux))``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.func import grad_and_value
    >>> grad_and_value(lambda x: (x ** 2).sum())(npgrad.tensor([1.0, 3.0]))
    (tensor([2., 6.]), tensor(10.))
    """

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums(argnums, len(args), "grad")
        keep = _tensors_require_grad((args, kwargs))  # an enclosing graph: keep ours
        new, trees, leaves = _with_aliases(args, nums, "grad")
        with enable_grad():
            out, aux = _split_aux(func(*new, **kwargs), has_aux, "grad")
            if not isinstance(out, Tensor) or out.ndim != 0:
                got = f"shape {tuple(out.shape)}" if isinstance(out, Tensor) else repr(out)
                raise RuntimeError(
                    f"grad: the function must return a scalar Tensor (0-d, one element), got {got}"
                )
            flat = [x for ls in leaves for x in ls]
            gs = _vjp([out], flat, [ones_like(out)], keep)
        per_arg = [_rebuild(t, iter(gs[i:])) for t, i in zip(trees, _offsets(leaves))]
        g = per_arg[0] if isinstance(argnums, int) else tuple(per_arg)
        value = out if keep else out.detach()
        return (g, (value, aux)) if has_aux else (g, value)

    return wrapper


def _offsets(leaves: list[list[Any]]) -> list[int]:
    out, k = [], 0
    for ls in leaves:
        out.append(k)
        k += len(ls)
    return out


def grad(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """``func`` -> the function computing its gradient w.r.t. the arguments ``argnums``
    (``func`` must return a scalar, 0-d Tensor; with ``has_aux`` it returns ``(value, aux)``
    and the result is ``(gradient, aux)``).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.func import grad
    >>> grad(lambda x: x.sin().sum())(npgrad.tensor([0.0]))
    tensor([1.])
    >>> grad(grad(lambda x: x ** 3))(npgrad.tensor(2.0))
    tensor(12.)
    """
    inner = grad_and_value(func, argnums, has_aux)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = inner(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


# ---- vjp, jvp --------------------------------------------------------------------------------
def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """``(output, vjp_fn)``, where ``vjp_fn(cotangents)`` returns one vector-Jacobian product
    per primal (``cotangents`` shaped like ``output``); ``(output, vjp_fn, aux)`` with
    ``has_aux``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.func import vjp
    >>> out, vjp_fn = vjp(lambda x: x * x, npgrad.tensor([1.0, 2.0]))
    >>> vjp_fn(npgrad.tensor([1.0, 10.0]))
    (tensor([ 2., 40.]),)
    """
    keep = _tensors_require_grad(primals)
    new, trees, leaves = _with_aliases(primals, tuple(range(len(primals))), "vjp")
    with enable_grad():
        out, aux = _split_aux(func(*new), has_aux, "vjp")
    outs = _check_outputs(out, "vjp")
    flat = [x for ls in leaves for x in ls]

    def vjp_fn(cotangents: Any) -> tuple[Any, ...]:
        cots = _leaves(cotangents)
        if len(cots) != len(outs) or any(
            not isinstance(c, Tensor) or c.shape != o.shape for c, o in zip(cots, outs)
        ):
            raise RuntimeError(
                "vjp: the cotangents must have the structure and shapes of the output, "
                f"{[tuple(o.shape) for o in outs]}"
            )
        with enable_grad():
            gs = _vjp(outs, flat, cots, keep or _tensors_require_grad(cots))
        return tuple(_rebuild(t, iter(gs[i:])) for t, i in zip(trees, _offsets(leaves)))

    shown = out if keep else _rebuild(out, iter([o.detach() for o in outs]))
    return (shown, vjp_fn, aux) if has_aux else (shown, vjp_fn)


def jvp(
    func: Callable[..., Any],
    primals: Any,
    tangents: Any,
    *,
    strict: bool = False,
    has_aux: bool = False,
) -> Any:
    """``(output, jvp_out)``: ``func(*primals)`` and its Jacobian-vector product with
    ``tangents`` (one per primal), computed by two reverse passes (the double-vjp identity);
    ``(output, jvp_out, aux)`` with ``has_aux``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.func import jvp
    >>> jvp(lambda x: x ** 2, (npgrad.tensor([3.0]),), (npgrad.tensor([1.0]),))
    (tensor([9.]), tensor([6.]))
    """
    if strict:
        raise RuntimeError("jvp: strict=True is not supported (it isn't in PyTorch either)")
    primals, tangents = tuple(primals), tuple(tangents)
    _check_tangents(primals, tangents, "jvp")
    keep = _tensors_require_grad((primals, tangents))
    new, trees, leaves = _with_aliases(primals, tuple(range(len(primals))), "jvp")
    flat = [x for ls in leaves for x in ls]
    with enable_grad():
        out, aux = _split_aux(func(*new), has_aux, "jvp")
        outs = _check_outputs(out, "jvp")
        us, gs = _transposed(outs, flat)
        jv = _jacobian_times(us, gs, _leaves(tangents), keep)
    value = out if keep else _rebuild(out, iter([o.detach() for o in outs]))
    result = _rebuild(out, iter(jv))
    return (value, result, aux) if has_aux else (value, result)


def _check_tangents(primals: tuple[Any, ...], tangents: tuple[Any, ...], op: str) -> None:
    if len(primals) != len(tangents):
        raise RuntimeError(
            f"{op}: expected one tangent per primal, got {len(tangents)} for {len(primals)}"
        )
    for p, t in zip(_leaves(primals), _leaves(tangents)):
        if not isinstance(t, Tensor) or t.shape != p.shape:
            raise RuntimeError(f"{op}: each tangent must be a Tensor of its primal's shape")


def _transposed(outs: list[Tensor], flat: list[Tensor]) -> tuple[list[Tensor], list[Any]]:
    """Dummy cotangents ``u`` and the recorded ``g(u) = J^T u``: linear in ``u``, so its vjp
    with tangents ``t`` is ``J t`` (the double-vjp identity)."""
    us = [zeros_like(o).requires_grad_() for o in outs]
    return us, _vjp(outs, flat, us, True)


def _jacobian_times(us: list[Tensor], gs: list[Any], tangents: list[Any], keep: bool) -> list[Any]:
    """``J t`` from :func:`_transposed`'s graph (kept, so it can be asked again)."""
    from npgrad.autograd.forward_ad import _tangent_pass

    pairs = [(g, t) for g, t in zip(gs, tangents) if g.requires_grad]
    if not pairs:
        return [u.detach() for u in us]
    token = _tangent_pass.set(True)  # a once_differentiable Function gives its jvp's tangents
    try:
        with enable_grad():
            return _vjp([g for g, _ in pairs], us, [t for _, t in pairs], keep)
    finally:
        _tangent_pass.reset(token)


def linearize(func: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``(output, jvp_fn)``: ``func(*primals)`` and the function computing its
    Jacobian-vector product at ``primals`` for any tangents (one per primal). ``func`` runs
    once; each ``jvp_fn`` call is one reverse pass over the graph kept from it (more memory
    than :func:`jvp`, less time when many tangents are pushed through one point).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.func import linearize
    >>> out, jvp_fn = linearize(lambda x: x.sin(), npgrad.zeros(2))
    >>> jvp_fn(npgrad.tensor([1.0, 2.0]))
    tensor([1., 2.])
    """
    keep = _tensors_require_grad(primals)
    new, trees, leaves = _with_aliases(primals, tuple(range(len(primals))), "linearize")
    flat = [x for ls in leaves for x in ls]
    with enable_grad():
        out = func(*new)
        outs = _check_outputs(out, "linearize")
        us, gs = _transposed(outs, flat)

    def jvp_fn(*tangents: Any) -> Any:
        _check_tangents(primals, tangents, "linearize")
        jv = _jacobian_times(us, gs, _leaves(tangents), keep or _tensors_require_grad(tangents))
        return _rebuild(out, iter(jv))

    value = out if keep else _rebuild(out, iter([o.detach() for o in outs]))
    return value, jvp_fn


# ---- jacrev, jacfwd, hessian -----------------------------------------------------------------
def jacrev(
    func: Callable[..., Any],
    argnums: int | tuple[int, ...] = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """``func`` -> the function computing its Jacobian w.r.t. the arguments ``argnums``, of
    shape ``output.shape + input.shape`` (nested per output and per argument for tuples),
    one reverse pass per output element. ``chunk_size`` is accepted for compatibility.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.func import jacrev
    >>> jacrev(lambda x: x * x)(npgrad.tensor([1.0, 3.0]))
    tensor([[2., 0.],
            [0., 6.]])
    """

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums(argnums, len(args), "jacrev")
        keep = _tensors_require_grad((args, kwargs))
        new, trees, leaves = _with_aliases(args, nums, "jacrev")
        flat = [x for ls in leaves for x in ls]
        with enable_grad():
            out, aux = _split_aux(func(*new, **kwargs), has_aux, "jacrev")
            outs = _check_outputs(out, "jacrev")
            jacs = []
            for o in outs:
                rows: list[list[Tensor]] = [[] for _ in flat]
                for k in range(o.numel()):
                    e = zeros_like(o).reshape(-1)
                    e[k] = 1
                    cots = [e.reshape(o.shape) if p is o else zeros_like(p) for p in outs]
                    for j, g in enumerate(_vjp(outs, flat, cots, keep)):
                        rows[j].append(g)
                blocks = [
                    stack(r).reshape(tuple(o.shape) + tuple(x.shape))
                    if r
                    else zeros_like(x).reshape(-1)[:0].reshape(tuple(o.shape) + tuple(x.shape))
                    for r, x in zip(rows, flat)
                ]
                per_arg = [_rebuild(t, iter(blocks[i:])) for t, i in zip(trees, _offsets(leaves))]
                jacs.append(per_arg[0] if isinstance(argnums, int) else tuple(per_arg))
        jac = _rebuild(out, iter(jacs))
        return (jac, aux) if has_aux else jac

    return wrapper


def jacfwd(
    func: Callable[..., Any],
    argnums: int | tuple[int, ...] = 0,
    has_aux: bool = False,
    *,
    randomness: str = "error",
) -> Callable[..., Any]:
    """PyTorch's forward-mode Jacobian; npgrad computes the same Jacobian as :func:`jacrev`.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.func import jacfwd
    >>> jacfwd(lambda x: x.sum() * x)(npgrad.tensor([1.0, 2.0]))
    tensor([[4., 1.],
            [2., 5.]])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            f"jacfwd: randomness must be 'error', 'different' or 'same', got {randomness!r}"
        )
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """``func`` -> the function computing its Hessian w.r.t. the arguments ``argnums``: the
    Jacobian of its gradient.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.func import hessian
    >>> hessian(lambda x: (x ** 3).sum())(npgrad.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)


# ---- vmap ------------------------------------------------------------------------------------
def vmap(
    func: Callable[..., Any],
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """``func`` mapped over a batch dimension: ``in_dims`` gives, per positional argument
    (or one int for all), the dimension to map over (None: not mapped; a nested structure
    for a nested argument); ``out_dims`` where the batch dimension goes in each output.
    Keyword arguments are not mapped. ``randomness="same"`` draws the same random numbers
    for every batch entry. See the module docstring for how npgrad computes it.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.func import vmap
    >>> vmap(npgrad.dot)(npgrad.ones(3, 2), npgrad.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    tensor([ 3.,  7., 11.])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            f"vmap: randomness must be 'error', 'different' or 'same', got {randomness!r}"
        )

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        if len(dims) != len(args):
            raise ValueError(
                f"vmap: in_dims has {len(dims)} entries for {len(args)} positional argument(s)"
            )
        leaves = _leaves(list(args))
        dim_leaves = _leaves([_expand(d, a) for d, a in zip(dims, args)])
        sizes = set()
        for x, d in zip(leaves, dim_leaves):
            if d is None:
                continue
            if not isinstance(x, Tensor):
                raise ValueError(f"vmap: in_dims={d} was given for a non-Tensor input {x!r}")
            if not -x.ndim <= d < max(x.ndim, 1) or x.ndim == 0:
                raise ValueError(
                    f"vmap: in_dim {d} is out of range for an input of shape {tuple(x.shape)}"
                )
            sizes.add(x.shape[d])
        if not sizes:
            raise ValueError("vmap: at least one input must be mapped over (in_dims all None)")
        if len(sizes) > 1:
            raise ValueError(f"vmap: the mapped dimensions have different sizes {sorted(sizes)}")
        n = sizes.pop()
        state = _random.get_rng_state() if randomness == "same" else None
        results = []
        for b in range(max(n, 1)):
            if state is not None:
                _random.set_rng_state(state)
            sliced = [
                x if d is None else select(x, d, b) if n else _empty_entry(x, d)
                for x, d in zip(leaves, dim_leaves)
            ]
            results.append(func(*_rebuild(list(args), iter(sliced)), **kwargs))
        first = results[0]
        outs = [_check_outputs(r, "vmap") for r in results]
        odims = _leaves(_expand(out_dims, first))
        stacked = [
            _unbatched(outs, k)
            if odims[k] is None
            else movedim(_stack_entries(outs, k, n), 0, odims[k])
            for k in range(len(outs[0]))
        ]
        return _rebuild(first, iter(stacked))

    return wrapper


def _stack_entries(outs: list[list[Tensor]], k: int, n: int) -> Tensor:
    stacked = stack([o[k] for o in outs])
    return stacked if n else stacked[:0]  # a size-0 batch ran once on a stand-in entry


def _unbatched(outs: list[list[Tensor]], k: int) -> Tensor:
    """Output ``k`` given ``out_dims=None``: it must not depend on the batch entry, and is
    returned as the function gave it."""
    first = outs[0][k]
    for o in outs[1:]:
        t = o[k]
        if t.shape != first.shape or not np.array_equal(t._data, first._data, equal_nan=True):
            raise ValueError(
                f"vmap: out_dims=None was given for output {k}, which differs between batch "
                "entries (it is batched); give it an int out_dim"
            )
    return first


def _empty_entry(x: Tensor, d: int) -> Tensor:
    """A stand-in batch entry of an input mapped over a size-0 dimension ``d`` (zeros of the
    entry's shape and dtype, on ``x``'s graph): the function runs on it once so the empty
    results get their shapes and dtypes, as PyTorch's vmap gives them."""
    return x.sum(d).to(x.dtype)


def _expand(dims: Any, tree: Any) -> Any:
    """``dims`` spread over the structure of ``tree`` (one int or None for a whole subtree)."""
    if isinstance(dims, (tuple, list)) and isinstance(tree, (tuple, list)):
        if len(dims) != len(tree):
            raise ValueError(f"vmap: dims {dims!r} don't match the structure of the arguments")
        return type(tree)(_expand(d, t) for d, t in zip(dims, tree))
    if isinstance(dims, dict) and isinstance(tree, dict):
        return {k: _expand(dims[k], v) for k, v in tree.items()}
    if dims is not None and not isinstance(dims, int):
        raise ValueError(f"vmap: expected an int, None or a matching structure, got {dims!r}")
    return _rebuild(tree, iter([dims] * len(_leaves(tree))))
