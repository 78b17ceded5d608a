"""The base of every Tensor method mixin: the one in-place mechanism (``x.add_(y)`` computes
the op out of place and writes the result back with ``Tensor._set_inplace``) and its form for
view ops (``x.unsqueeze_(0)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from npgrad.autograd.grad_mode import is_grad_enabled_fast

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["MethodsBase"]


class MethodsBase:
    __slots__ = ()

    def _inplace(self: Any, op: str, fn: Any, *args: Any, **kwargs: Any) -> Tensor:
        self._check_inplace(op)
        src = self
        if is_grad_enabled_fast() and (
            self._requires_grad or any(getattr(a, "_requires_grad", False) for a in args)
        ):
            # the op may save its input for backward: give it a snapshot of the current
            # values that stands for the same graph vertex (same grad_fn), since ``self`` is
            # about to be overwritten (PyTorch saves a clone of the original self likewise)
            from npgrad.tensor import Tensor

            src = Tensor._make(
                self._data.copy(), self._requires_grad, self.grad_fn, self._output_nr
            )
        return self._set_inplace(fn(src, *args, **kwargs), op)

    def _inplace_view(self: Any, op: str, fn: Any, *args: Any) -> Tensor:
        """The in-place form of a view op (``unsqueeze_``, ``t_``...): the tensor takes the
        view's shape and strides over the same memory and, in a graph, the view op's node;
        the version is bumped, as PyTorch does, so saved copies of the old shape fail
        loudly. A view keeps the record of how it is made from its base (now one op
        longer). A tensor that requires grad and has views or aliases of its own (another
        tensor holds its version counter) is refused: those views are replayed from this
        tensor, whose shape would no longer be theirs."""
        import sys

        from npgrad.tensor import Tensor

        self._check_inplace(op, write=False)
        grad = is_grad_enabled_fast() and self._requires_grad
        # the counter list is held by this tensor (and getrefcount's argument) unless shared
        if grad and self._view is None and self._vc is not None and sys.getrefcount(self._vc) > 2:
            raise RuntimeError(
                f"{op}: can't change in place the shape of a tensor that requires grad and "
                f"shares its memory with views or aliases; use the out-of-place {op[:-1]}() "
                "instead"
            )
        prev = Tensor._make(self._data, self._requires_grad, self.grad_fn, self._output_nr)
        prev._view, prev._vc = self._view, self._vc
        result = fn(prev, *args)
        self._data = result._data
        if self._view is not None:
            # made at the old version: the node is rebuilt from the base when next needed
            self._view = result._view
        self._version += 1
        if grad:
            self.grad_fn, self._output_nr = result.grad_fn, result._output_nr
        return self
