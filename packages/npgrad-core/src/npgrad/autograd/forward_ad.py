"""Forward-mode AD with PyTorch's API (``torch.autograd.forward_ad``): dual tensors.

Inside a :class:`dual_level`, ``make_dual(x, t)`` gives a tensor with ``x``'s values carrying
the tangent ``t``; run any computation on it and ``unpack_dual(out)`` returns
``(primal, tangent)``, the tangent being the Jacobian-vector product ``J t`` (summed over every
dual ``out`` depends on).

How npgrad computes it, and the limits that follow (PyTorch pushes a tangent through every op
as it runs; npgrad has one graph, the reverse-mode one):

- A dual is an alias of ``x`` that requires grad, so the ops on it record the reverse graph.
  ``unpack_dual(out)`` computes the tangent *then*, by the double-vjp identity: ``g(u) = J^T u``
  is linear in ``u``, and its vector-Jacobian product with ``t`` is ``J t``. Each
  ``unpack_dual`` therefore costs two reverse passes over the graph recorded since the duals
  were made (``npgrad.func.jvp`` costs the same). The level keeps every dual and its tangent
  until it exits.
- A tangent flows only through recorded ops. ``make_dual`` and ``unpack_dual`` refuse to run
  while grad mode is off (``no_grad``, ``inference_mode``), but an op run under ``no_grad`` in
  between can't be detected: its result carries no tangent (PyTorch's does).
- Asking for a tangent through an op whose backward is ``@once_differentiable`` raises that
  op's usual second-order error, unless its Function defines a ``jvp`` staticmethod (then
  called with the op's input tangents, as PyTorch's); so does, with the usual reverse-mode
  errors, asking it
  through an in-place op that overwrote a value saved for backward, or through a graph that a
  ``backward()`` without ``retain_graph=True`` has freed (unpack the tangents first).
- Tensor and node hooks on the way from a result to the duals run during ``unpack_dual``'s
  passes too, on its internal (zero) cotangents: a hook that changes gradients changes
  tangents, and a tensor with ``retain_grad()`` gets a zero ``.grad``.
- Results computed from a dual require grad (they have a ``grad_fn`` even when ``x`` does not
  require grad: PyTorch's don't); a backward from them reaches ``x`` only if ``x`` requires
  grad, and is a silent no-op otherwise (PyTorch raises that they do not require grad).
- The tangent of a computed tensor has that tensor's dtype (PyTorch keeps a float64 tangent of
  a float32 primal in float64); ``unpack_dual`` of the dual itself returns its tangent as given.

Examples
--------
>>> import npgrad
>>> import npgrad.autograd.forward_ad as fwAD
>>> x = npgrad.tensor([0.0, 1.0])
>>> with fwAD.dual_level():
...     out = fwAD.make_dual(x, npgrad.tensor([1.0, 2.0])).exp()
...     fwAD.unpack_dual(out).tangent
tensor([1.0000, 5.4366])
"""

from __future__ import annotations

import contextvars
import functools
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np

from npgrad.autograd import _views
from npgrad.autograd.function import Function
from npgrad.autograd.grad_mode import is_grad_enabled

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]

F = TypeVar("F", bound=Callable[..., Any])

# One level at a time, process-wide, as in PyTorch (whose levels are global too).
_current_level = -1


class _Dual:
    """A dual of the current level: the tensor ``make_dual`` returned, its tangent, and a handle
    on the node it was made with (``autograd.grad`` with respect to the handle gives the gradient
    reaching that node, even after an in-place op on the dual moved its ``grad_fn``)."""

    __slots__ = ("tensor", "tangent", "handle", "hidden")

    def __init__(self, tensor: Tensor, tangent: Tensor, hidden: Tensor | None) -> None:
        from npgrad.tensor import Tensor

        self.tensor, self.tangent, self.hidden = tensor, tangent, hidden
        self.handle = Tensor._make(tensor._data, True, tensor.grad_fn, 0)


_duals: dict[int, _Dual] = {}  # by id() of the node each dual was made with

# The leaves made to record from tensors that do not require grad, of every level so far (a
# result of an earlier level may be used in this one): by id(), while they live.
_hidden: weakref.WeakValueDictionary[int, Tensor] = weakref.WeakValueDictionary()


# True while unpack_dual's reverse passes run: primals stop gradients then (they carry no
# tangent), and pass them on in every other backward (they are reverse-differentiable).
_tangent_pass: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "npgrad_forward_ad_tangent_pass", default=False
)


class DualAlias(Function):
    """The dual tensor: ``x``'s memory, a node of its own (where its tangent enters)."""

    _array_backward = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        return a.view()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad


class PrimalAlias(DualAlias):
    """The primal of an unpacked tensor: reverse-differentiable, without the tangent."""

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return None if _tangent_pass.get() else grad


class UnpackedDualTensor(NamedTuple):
    """What :func:`unpack_dual` returns: the ``primal`` (a tensor with no tangent) and the
    ``tangent`` (None when the tensor depends on no dual of the level)."""

    primal: Tensor
    tangent: Tensor | None


# ---- levels ----------------------------------------------------------------------------------
def enter_dual_level() -> int:
    """Enter a new forward AD level and return it; only one level can exist at a time.

    Examples
    --------
    >>> import npgrad.autograd.forward_ad as fwAD
    >>> level = fwAD.enter_dual_level()
    >>> level
    0
    >>> fwAD.exit_dual_level(level=level)
    """
    global _current_level
    if _current_level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _current_level = 0
    return _current_level


def exit_dual_level(*, level: int | None = None) -> None:
    """Exit the forward AD level ``level`` (the current one by default), discarding every
    tangent of that level: afterwards ``unpack_dual`` gives no tangent.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.autograd.forward_ad as fwAD
    >>> fwAD.enter_dual_level()
    0
    >>> d = fwAD.make_dual(npgrad.tensor([1.0]), npgrad.tensor([2.0]))
    >>> fwAD.exit_dual_level()
    >>> fwAD.unpack_dual(d).tangent is None
    True
    """
    global _current_level
    if _current_level < 0:
        raise RuntimeError("exit_dual_level: no forward AD level exists (enter_dual_level first)")
    if level is not None and level != _current_level:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. "
            f"This is not supported. (exit_dual_level: got level={level}, the current level "
            f"is {_current_level})"
        )
    _duals.clear()
    _current_level = -1


class dual_level:
    """Context manager (and decorator) running its block in a new forward AD level: the
    tangents made inside are discarded on exit. ``with dual_level() as level`` binds the level.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.autograd.forward_ad as fwAD
    >>> with fwAD.dual_level():
    ...     d = fwAD.make_dual(npgrad.tensor([3.0]), npgrad.tensor([1.0]))
    ...     fwAD.unpack_dual(d ** 2)
    UnpackedDualTensor(primal=tensor([9.]), tangent=tensor([6.]))
    """

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with dual_level():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


# ---- the graph since the duals ---------------------------------------------------------------
def _scan(t: Tensor) -> tuple[list[_Dual], bool]:
    """The duals ``t`` depends on (not through a primal), and whether it depends on a tensor
    the user made require grad (its tangent then keeps a graph, as PyTorch's does)."""
    reached: dict[int, _Dual] = {}
    user_leaf = False
    start = t.grad_fn if t.grad_fn is not None else t
    stack: list[tuple[Any, bool]] = [(start, False)]
    seen: set[tuple[int, bool]] = set()
    primal_node = PrimalAlias._backward_cls
    while stack:
        obj, blocked = stack.pop()
        if (id(obj), blocked) in seen:
            continue
        seen.add((id(obj), blocked))
        if obj._is_leaf_vertex:
            user_leaf = user_leaf or (obj._requires_grad and _hidden.get(id(obj)) is not obj)
            continue
        if not blocked and id(obj) in _duals:
            reached[id(obj)] = _duals[id(obj)]
        blocked = blocked or type(obj) is primal_node
        stack.extend((c, blocked) for c, _ in getattr(obj, "next_functions", ()) if c is not None)
    return list(reached.values()), user_leaf


def _depends_on_duals(t: Tensor) -> bool:
    if not _duals or not t._requires_grad:
        return False
    _views.refresh(t)
    return bool(_scan(t)[0])


def _check_level(op: str, level: int | None) -> None:
    if level is not None and level != _current_level:
        raise RuntimeError(
            f"{op}: invalid forward AD level {level}: the current level is {_current_level}"
        )


def _grad_mode_error(op: str) -> RuntimeError:
    return RuntimeError(
        f"{op}: grad mode is off (no_grad or inference_mode). npgrad computes tangents from "
        "the reverse-mode graph, which is not recorded then: make, use and unpack dual "
        "tensors with grad mode on"
    )


# ---- make_dual, unpack_dual ------------------------------------------------------------------
def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A dual tensor: ``tensor``'s values (sharing its memory) with the forward gradient
    ``tangent`` (same shape, floating point), for the current level. It is differentiable in
    reverse mode too: a backward from results computed from it reaches ``tensor`` if that
    requires grad.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.autograd.forward_ad as fwAD
    >>> with fwAD.dual_level():
    ...     d = fwAD.make_dual(npgrad.tensor([1.0, 2.0]), npgrad.tensor([1.0, 0.0]))
    ...     fwAD.unpack_dual((d * d).sum()).tangent
    tensor(2.)
    """
    from npgrad.tensor import Tensor

    if _current_level < 0:
        if level is not None:
            raise RuntimeError(
                "Trying to access a forward AD level with an invalid index. This index was "
                f"either not created or is already deleted. (make_dual: level={level})"
            )
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    _check_level("make_dual", level)
    for name, x in (("tensor", tensor), ("tangent", tangent)):
        if not isinstance(x, Tensor):
            raise TypeError(f"make_dual: expected {name} to be a Tensor, got {type(x).__name__}")
    if tensor.dtype.kind != "f":
        raise ValueError(f"Expected primal to be floating point, but got: {tensor.dtype}")
    if tangent.dtype.kind != "f":
        raise ValueError(f"Expected tangent to be floating point, but got: {tangent.dtype}")
    if tangent.shape != tensor.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}."
        )
    if not is_grad_enabled():
        raise _grad_mode_error("make_dual")
    if _depends_on_duals(tensor):
        raise RuntimeError(
            "Making a dual Tensor based on a Tensor that already has a forward gradient at the "
            f"same level {_current_level} is not supported."
        )
    if _depends_on_duals(tangent):
        raise RuntimeError(
            "Setting a forward grad that itself has a forward gradient at the same level "
            f"{_current_level} is not supported."
        )
    # A tensor that does not require grad gets a hidden leaf alias to record from; the dual
    # itself is never a leaf, so in-place ops on it work as on PyTorch's
    hidden = None if tensor._requires_grad else tensor.detach().requires_grad_()
    if hidden is not None:
        _hidden[id(hidden)] = hidden
    dual: Tensor = DualAlias.apply(tensor if hidden is None else hidden)
    dual._vc = _views.shared_counter(tensor)  # writes through either are seen by both
    entry = _Dual(dual, tangent, hidden)
    _duals[id(dual.grad_fn)] = entry
    return dual


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of ``tensor``: its values without the tangent (still
    differentiable in reverse mode) and its forward gradient at the current level, the
    Jacobian-vector product of everything it was computed from with the tangents of the duals;
    None when it depends on no dual of the level. Costs two reverse passes over the graph
    recorded since the duals were made.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.autograd.forward_ad as fwAD
    >>> with fwAD.dual_level():
    ...     d = fwAD.make_dual(npgrad.tensor([0.0]), npgrad.tensor([2.0]))
    ...     primal, tangent = fwAD.unpack_dual(d.sin() + 1)
    >>> primal, tangent
    (tensor([1.]), tensor([2.]))
    """
    # (imported here: npgrad.autograd is imported before the modules these come from)
    from npgrad.creation import zeros_like
    from npgrad.func import _vjp
    from npgrad.tensor import Tensor

    if not isinstance(tensor, Tensor):
        raise TypeError(f"unpack_dual: expected a Tensor, got {type(tensor).__name__}")
    if _current_level < 0 or not _duals:
        _check_level("unpack_dual", None if _current_level < 0 else level)
        return UnpackedDualTensor(tensor, None)
    _check_level("unpack_dual", level)
    if not is_grad_enabled():
        raise _grad_mode_error("unpack_dual")
    if not tensor._requires_grad:
        return UnpackedDualTensor(tensor, None)
    _views.refresh(tensor)
    own = _duals.get(id(tensor.grad_fn))
    if own is not None and own.tensor is tensor:  # the dual itself: its tangent as given
        return UnpackedDualTensor(_primal(tensor, own.hidden is None), own.tangent)
    duals, user_leaf = _scan(tensor)
    if not duals:
        return UnpackedDualTensor(tensor, None)
    keep = user_leaf or any(d.tangent._requires_grad for d in duals)
    token = _tangent_pass.set(True)
    try:
        # g(u) = J^T u is linear in u; its vjp with the tangents is J t
        u = zeros_like(tensor).requires_grad_()
        gs = _vjp([tensor], [d.handle for d in duals], [u], True)
        pairs = [(g, d.tangent) for g, d in zip(gs, duals) if g._requires_grad]
        if pairs:
            (jt,) = _vjp([g for g, _ in pairs], [u], [t for _, t in pairs], keep)
        else:  # the gradients do not depend on u: a piecewise-constant op's zero Jacobian
            jt = zeros_like(tensor)
    finally:
        _tangent_pass.reset(token)
    return UnpackedDualTensor(_primal(tensor, user_leaf), jt)


def _primal(t: Tensor, differentiable: bool) -> Tensor:
    """``t``'s values without its tangent; in the graph only if it leads to a tensor the user
    made require grad (else nothing requires grad, as in PyTorch)."""
    if not differentiable:
        return t.detach()
    p: Tensor = PrimalAlias.apply(t)
    p._vc = _views.shared_counter(t)
    return p
