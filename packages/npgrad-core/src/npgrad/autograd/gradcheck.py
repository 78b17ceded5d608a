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
    fn: Callable[..., Any], inputs: Sequence[Any], diff_idx: list[int], check_dtypes: bool = False
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
                    x = inputs[diff_idx[j]]
                    if g.shape != x.shape:
                        raise GradcheckError(
                            f"gradcheck: the gradient of input {diff_idx[j]} has shape {g.shape}, "
                            f"the input has shape {x.shape}"
                        )
                    if check_dtypes and g.dtype != x.dtype:
                        raise GradcheckError(
                            f"gradcheck: Gradient has dtype mismatch: the gradient of input "
                            f"{diff_idx[j]} is {g.dtype}, the input is {x.dtype}"
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
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """True when backward agrees with central differences for every input that requires grad.

    PyTorch's options: ``nondet_tol`` bounds the difference between two backward runs (0:
    identical); ``check_grad_dtypes`` requires each gradient to have its input's dtype;
    ``check_batched_grad`` compares ``autograd.grad(..., is_grads_batched=True)`` with one
    backward per cotangent; ``fast_mode`` checks ``u^T J v`` for random ``u`` and ``v``
    (one directional difference per input instead of one per element).
    ``check_backward_ad=False`` skips the backward check. ``check_undefined_grad`` is always
    done: each output's gradient is computed alone, the others undefined. npgrad's forward-mode
    AD (:mod:`npgrad.autograd.forward_ad`) is computed from the reverse graph, which
    :func:`gradgradcheck` checks, so ``check_forward_ad`` and ``check_batched_forward_grad``
    must be False;
    ``masked`` (for sparse tensors) changes nothing.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([0.5, 1.5], dtype=npgrad.float64, requires_grad=True)
    >>> npgrad.autograd.gradcheck(lambda t: (t * t.exp()).sum(), (x,))
    True
    """
    if check_forward_ad or check_batched_forward_grad:
        raise ValueError(
            "gradcheck: npgrad computes forward-mode AD from the reverse graph (gradgradcheck "
            "checks it); check_forward_ad and check_batched_forward_grad must be False"
        )
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
    if not check_backward_ad:
        return True

    def fail(msg: str) -> bool:
        if raise_exception:
            raise GradcheckError(msg)
        return False

    if fast_mode:
        return _fast_check(func, inputs, diff_idx, eps, atol, rtol, check_grad_dtypes, fail)
    analytical = _analytical(func, inputs, diff_idx, check_grad_dtypes)
    again = _analytical(func, inputs, diff_idx)
    for j, i in enumerate(diff_idx):
        numerical = _numerical(func, inputs, i, eps)
        a = analytical[j]
        if numerical.shape != a.shape:
            numerical = numerical.reshape(a.shape)
        bad = np.abs(a - numerical) - (atol + rtol * np.abs(numerical))
        if bad.size and (np.nanmax(bad) > 0 or np.isnan(a).any() != np.isnan(numerical).any()):
            worst = np.unravel_index(np.nanargmax(bad), bad.shape)
            return fail(
                f"gradcheck: Jacobian mismatch for input {i} (shape {inputs[i].shape}): worst at "
                f"input element {np.unravel_index(worst[0], inputs[i].shape)}, output element "
                f"{worst[1]}: analytical {a[worst]:.8g} vs numerical {numerical[worst]:.8g} "
                f"(atol={atol}, rtol={rtol})"
            )
        spread = np.nanmax(np.abs(a - again[j]), initial=0.0)
        if spread > nondet_tol:
            return fail(
                f"gradcheck: Backward is not reentrant for input {i}: two runs with the same "
                f"input and grad_output differ by {spread:.3g} (nondet_tol={nondet_tol})"
            )
    if check_batched_grad:
        return _batched_check(func, inputs, diff_idx, atol, rtol, fail)
    return True


def _fast_check(
    func: Callable[..., Any],
    inputs: tuple[Any, ...],
    diff_idx: list[int],
    eps: float,
    atol: float,
    rtol: float,
    check_dtypes: bool,
    fail: Callable[[str], bool],
) -> bool:
    """PyTorch's fast mode: ``v^T J u`` by backward against the directional difference."""
    T = _tensor_cls()
    rng = np.random.default_rng(0)
    outs = [o for o in _float_outputs(func, inputs) if o.requires_grad]
    if not outs:
        return True
    vs = [T._make(rng.standard_normal(o.shape).astype(o.dtype), False, None) for o in outs]
    grads = autograd_grad(outs, [inputs[i] for i in diff_idx], vs, allow_unused=True)
    for g, i in zip(grads, diff_idx):
        x = inputs[i]
        u = rng.standard_normal(x.shape)
        if check_dtypes and g is not None and g.dtype != x.dtype:
            return fail(f"gradcheck: Gradient has dtype mismatch for input {i}")
        analytical = 0.0 if g is None else float(np.sum(g._data * u))
        data = x._data
        orig = data.copy()
        data += eps * u
        plus = [o._data.astype(np.float64) for o in _float_outputs(func, inputs) if o.requires_grad]
        data[...] = orig - eps * u
        minus = [
            o._data.astype(np.float64) for o in _float_outputs(func, inputs) if o.requires_grad
        ]
        data[...] = orig
        numerical = sum(
            float(np.sum((p - m) / (2 * eps) * v._data)) for p, m, v in zip(plus, minus, vs)
        )
        if not abs(analytical - numerical) <= atol + rtol * abs(numerical):
            return fail(
                f"gradcheck (fast mode): for input {i} (shape {x.shape}) v^T J u is "
                f"{analytical:.8g} by backward and {numerical:.8g} numerically "
                f"(atol={atol}, rtol={rtol})"
            )
    return True


def _batched_check(
    func: Callable[..., Any],
    inputs: tuple[Any, ...],
    diff_idx: list[int],
    atol: float,
    rtol: float,
    fail: Callable[[str], bool],
) -> bool:
    """``is_grads_batched`` against one backward per cotangent."""
    T = _tensor_cls()
    rng = np.random.default_rng(1)
    outs = [o for o in _float_outputs(func, inputs) if o.requires_grad]
    if not outs:
        return True
    xs = [inputs[i] for i in diff_idx]
    vs = [T._make(rng.standard_normal((3, *o.shape)).astype(o.dtype), False, None) for o in outs]
    batched = autograd_grad(
        outs, xs, vs, retain_graph=True, allow_unused=True, is_grads_batched=True
    )
    for b in range(3):
        single = autograd_grad(outs, xs, [v[b] for v in vs], retain_graph=True, allow_unused=True)
        for k, (bg, sg) in enumerate(zip(batched, single)):
            if (bg is None) != (sg is None) or (
                bg is not None and not np.allclose(bg._data[b], sg._data, atol=atol, rtol=rtol)  # type: ignore[union-attr]
            ):
                return fail(
                    f"gradcheck: the batched gradient of input {diff_idx[k]} differs from the "
                    f"gradient computed for batch entry {b} alone"
                )
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
    seed: int = 0,
) -> bool:
    """Second-order check: gradcheck of ``(inputs, v) -> grad(func(inputs), inputs, v)``.

    ``grad_outputs`` (random when omitted) are differentiated too. The options are
    :func:`gradcheck`'s; ``check_rev_over_rev=False`` skips the check, ``check_fwd_over_rev``
    must be False (npgrad's forward mode is reverse over reverse) and ``gen_non_contig_grad_outputs`` changes nothing
    (npgrad's arrays are checked contiguous).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([0.5, 1.5], dtype=npgrad.float64, requires_grad=True)
    >>> npgrad.autograd.gradgradcheck(lambda t: (t**3).sin(), (x,))
    True
    """
    if check_fwd_over_rev:
        raise ValueError(
            "gradgradcheck: npgrad computes forward-mode AD from the reverse graph; "
            "check_fwd_over_rev must be False"
        )
    if not check_rev_over_rev:
        return True
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
        nondet_tol=nondet_tol,
        check_grad_dtypes=check_grad_dtypes,
        check_batched_grad=check_batched_grad,
        fast_mode=fast_mode,
    )
