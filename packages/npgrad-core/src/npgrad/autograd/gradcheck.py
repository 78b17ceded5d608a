"""Check backward against central finite differences (use float64 inputs).

``gradcheck`` compares the Jacobian that backward computes (one ``autograd.grad`` per output
element) with ``(f(x + eps) - f(x - eps)) / (2 eps)`` per input element, and reports the
worst disagreement. ``gradgradcheck`` runs the same check on the function that maps the
inputs (and the output gradient) to the gradient, so it tests the backward's own backward.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad.autograd.engine import grad as autograd_grad

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck / gradgradcheck when analytical and numerical gradients differ."""


def _tensor_cls() -> type[Tensor]:
    # imported late: npgrad.autograd is loaded while npgrad.tensor is still being built
    from npgrad.tensor import Tensor

    return Tensor


def _tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _float_outputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[Tensor]:
    T = _tensor_cls()
    return [o for o in _tuple(fn(*inputs)) if isinstance(o, T) and o.dtype.kind == "f"]


def _numerical(fn: Callable[..., Any], inputs: Sequence[Any], i: int, eps: float) -> np.ndarray:
    x = inputs[i]._data
    flat = x.reshape(-1)  # a view: x is contiguous (checked by the caller)
    cols = []
    # grad mode stays on: gradgradcheck's function computes a gradient itself
    for j in range(flat.size):
        orig = flat[j]
        flat[j] = orig + eps
        plus = [o._data.astype(np.float64).ravel() for o in _float_outputs(fn, inputs)]
        flat[j] = orig - eps
        minus = [o._data.astype(np.float64).ravel() for o in _float_outputs(fn, inputs)]
        flat[j] = orig
        diff = [(p - m) / (2 * eps) for p, m in zip(plus, minus)]
        cols.append(np.concatenate(diff) if diff else np.zeros(0))
    return np.stack(cols) if cols else np.zeros((0, 0))


def _analytical(
    fn: Callable[..., Any], inputs: Sequence[Any], diff_idx: list[int]
) -> list[np.ndarray]:
    outs = _float_outputs(fn, inputs)
    n_out = sum(o._data.size for o in outs)
    jac = [np.zeros((inputs[i]._data.size, n_out)) for i in diff_idx]
    col = 0
    for o in outs:
        for k in range(o._data.size):
            if not o.requires_grad:
                col += 1
                continue
            e = np.zeros(o._data.size, dtype=o.dtype)
            e[k] = 1
            grads = autograd_grad(
                o,
                [inputs[i] for i in diff_idx],
                _tensor_cls()._make(e.reshape(o.shape), False, None),
                retain_graph=True,
                allow_unused=True,
            )
            for j, g in enumerate(grads):
                if g is not None:
                    if g.shape != inputs[diff_idx[j]].shape:
                        raise GradcheckError(
                            f"gradcheck: the gradient of input {diff_idx[j]} has shape {g.shape}, "
                            f"the input has shape {inputs[diff_idx[j]].shape}"
                        )
                    jac[j][:, col] = g._data.ravel()
            col += 1
    return jac


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True when backward agrees with central differences for every input that requires grad.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([0.5, 1.5], dtype=npgrad.float64, requires_grad=True)
    >>> npgrad.autograd.gradcheck(lambda t: (t * t.exp()).sum(), (x,))
    True
    """
    inputs = _tuple(inputs)
    T = _tensor_cls()
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, T) and x.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck: no input requires grad; nothing to check")
    for i in diff_idx:
        if inputs[i].dtype != np.float64:
            warnings.warn(
                f"gradcheck: input {i} is {inputs[i].dtype}, not float64; finite differences "
                "will be inaccurate",
                stacklevel=2,
            )
        if not inputs[i]._data.flags.c_contiguous or not inputs[i]._data.flags.writeable:
            raise ValueError(f"gradcheck: input {i} must be a contiguous, writeable tensor")
    analytical = _analytical(func, inputs, diff_idx)
    for j, i in enumerate(diff_idx):
        numerical = _numerical(func, inputs, i, eps)
        a = analytical[j]
        if numerical.shape != a.shape:
            numerical = numerical.reshape(a.shape)
        bad = np.abs(a - numerical) - (atol + rtol * np.abs(numerical))
        if bad.size and (np.nanmax(bad) > 0 or np.isnan(a).any() != np.isnan(numerical).any()):
            worst = np.unravel_index(np.nanargmax(bad), bad.shape)
            msg = (
                f"gradcheck: Jacobian mismatch for input {i} (shape {inputs[i].shape}): worst at "
                f"input element {np.unravel_index(worst[0], inputs[i].shape)}, output element "
                f"{worst[1]}: analytical {a[worst]:.8g} vs numerical {numerical[worst]:.8g} "
                f"(atol={atol}, rtol={rtol})"
            )
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Second-order check: gradcheck of ``(inputs, v) -> grad(func(inputs), inputs, v)``.

    ``grad_outputs`` (random when omitted) are differentiated too.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([0.5, 1.5], dtype=npgrad.float64, requires_grad=True)
    >>> npgrad.autograd.gradgradcheck(lambda t: (t**3).sin(), (x,))
    True
    """
    inputs = _tuple(inputs)
    T = _tensor_cls()
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, T) and x.requires_grad]
    outs = _float_outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = tuple(
            T._make(rng.standard_normal(o.shape).astype(o.dtype), True, None) for o in outs
        )
    grad_outputs = _tuple(grad_outputs)
    n_in = len(inputs)

    def first_order(*args: Any) -> tuple[Tensor, ...]:
        xs, vs = args[:n_in], args[n_in:]
        ys = [o for o in _float_outputs(func, xs) if o.requires_grad]
        grads = autograd_grad(
            ys, [xs[i] for i in diff_idx], vs[: len(ys)], create_graph=True, allow_unused=True
        )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_order,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
