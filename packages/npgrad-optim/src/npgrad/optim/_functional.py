"""The update rule of every optimizer as a pure function over NumPy arrays.

Each function updates ``param`` and its state buffers **in place** (so views and aliases of
the parameter see the new values) and records no graph. Hyper-parameters arrive as Python
floats; each is converted once to the parameter's scalar type (``dt(...)``) before it meets
an array, so float32 parameters are computed in float32 on NumPy 1.x (value-based casting)
and 2.x (NEP 50) alike, and 0-dim parameters too.

The order of the operations follows PyTorch's single-tensor CPU implementation (e.g.
``addcdiv`` is ``p + (value * a) / b``; ``lerp`` is ``start + w * (end - start)``), so
trajectories agree with PyTorch to rounding: PyTorch fuses some multiply-adds, NumPy does not,
which changes the last bit of a float32 result now and then.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "adadelta",
    "adafactor",
    "adagrad",
    "adam",
    "adamax",
    "asgd",
    "nadam",
    "radam",
    "rmsprop",
    "rprop",
    "sgd",
]


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start += weight * (end - start)`` in place, in the form exact at both ends (torch's)."""
    dt = start.dtype.type
    if abs(weight) < 0.5:
        start += dt(weight) * (end - start)
    else:
        w = dt(weight)
        start[...] = end - (end - start) * dt(1.0 - float(w))


def _decay(
    param: np.ndarray, grad: np.ndarray, weight_decay: float, lr: float, decoupled: bool
) -> np.ndarray:
    """Apply L2 weight decay: to the gradient (``g + wd * p``), or, decoupled, to the parameter
    (``p *= 1 - lr * wd``, AdamW-style). Returns the gradient to use."""
    if weight_decay == 0:
        return grad
    dt = param.dtype.type
    if decoupled:
        param *= dt(1 - lr * weight_decay)
        return grad
    return grad + dt(weight_decay) * param


def sgd(
    param: np.ndarray,
    grad: np.ndarray,
    momentum_buffer: np.ndarray | None,
    *,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
    maximize: bool,
    l1_penalty: float = 0.0,
) -> np.ndarray | None:
    """One SGD step; returns the momentum buffer (a new array on the first momentum step).

    Examples
    --------
    >>> import numpy as np
    >>> p, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    >>> buf = sgd(p, g, None, lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0,
    ...           nesterov=False, maximize=False)
    >>> p, buf
    (array([0.95, 2.1 ]), array([ 0.5, -1. ]))
    """
    dt = param.dtype.type
    g = -grad if maximize else grad
    g = _decay(param, g, weight_decay, lr, decoupled=False)
    if l1_penalty != 0:
        g = g + dt(l1_penalty) * np.sign(param)
    buf = momentum_buffer
    if momentum != 0:
        if buf is None:
            buf = np.array(g, copy=True)  # g may still be the caller's gradient array
        else:
            buf *= dt(momentum)
            buf += dt(1 - dampening) * g
        g = g + dt(momentum) * buf if nesterov else buf
    param += dt(-lr) * g
    return buf


def adam(
    param: np.ndarray,
    grad: np.ndarray,
    exp_avg: np.ndarray,
    exp_avg_sq: np.ndarray,
    max_exp_avg_sq: np.ndarray | None,
    *,
    step: float,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    amsgrad: bool,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> None:
    """One Adam / AdamW step (``step`` is the count including this one)."""
    dt = param.dtype.type
    g = -grad if maximize else grad
    g = _decay(param, g, weight_decay, lr, decoupled_weight_decay)
    _lerp_(exp_avg, g, 1 - beta1)
    exp_avg_sq *= dt(beta2)
    exp_avg_sq += (dt(1 - beta2) * g) * g
    step_size = lr / (1 - beta1**step)
    bias_correction2_sqrt = (1 - beta2**step) ** 0.5
    if amsgrad:
        assert max_exp_avg_sq is not None
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        second = max_exp_avg_sq
    else:
        second = exp_avg_sq
    denom = np.sqrt(second) / dt(bias_correction2_sqrt) + dt(eps)
    param += (dt(-step_size) * exp_avg) / denom


def rmsprop(
    param: np.ndarray,
    grad: np.ndarray,
    square_avg: np.ndarray,
    grad_avg: np.ndarray | None,
    momentum_buffer: np.ndarray | None,
    *,
    lr: float,
    alpha: float,
    eps: float,
    weight_decay: float,
    momentum: float,
    centered: bool,
    maximize: bool,
) -> None:
    """One RMSprop step (``grad_avg`` when centered, ``momentum_buffer`` when momentum > 0)."""
    dt = param.dtype.type
    g = -grad if maximize else grad
    g = _decay(param, g, weight_decay, lr, decoupled=False)
    square_avg *= dt(alpha)
    square_avg += (dt(1 - alpha) * g) * g
    if centered:
        assert grad_avg is not None
        _lerp_(grad_avg, g, 1 - alpha)
        variance = square_avg - grad_avg * grad_avg
        if np.isnan(variance).any():
            # PyTorch fuses this multiply-add (addcmul): where grad_avg is finite but its
            # square overflows, an infinite square_avg stays infinite (not inf - inf = NaN)
            variance = np.where(
                np.isposinf(square_avg) & np.isfinite(grad_avg), dt(np.inf), variance
            )
        avg = np.sqrt(variance) + dt(eps)
    else:
        avg = np.sqrt(square_avg) + dt(eps)
    if momentum > 0:
        assert momentum_buffer is not None
        momentum_buffer *= dt(momentum)
        momentum_buffer += g / avg
        param += dt(-lr) * momentum_buffer
    else:
        param += (dt(-lr) * g) / avg


def adagrad(
    param: np.ndarray,
    grad: np.ndarray,
    state_sum: np.ndarray,
    *,
    step: float,
    lr: float,
    lr_decay: float,
    weight_decay: float,
    eps: float,
    maximize: bool,
) -> None:
    """One Adagrad step (``step`` is the count including this one)."""
    dt = param.dtype.type
    g = -grad if maximize else grad
    g = _decay(param, g, weight_decay, lr, decoupled=False)
    clr = lr / (1 + (step - 1) * lr_decay)
    state_sum += g * g
    param += (dt(-clr) * g) / (np.sqrt(state_sum) + dt(eps))


def adadelta(
    param: np.ndarray,
    grad: np.ndarray,
    square_avg: np.ndarray,
    acc_delta: np.ndarray,
    *,
    lr: float,
    rho: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """One Adadelta step."""
    dt = param.dtype.type
    g = -grad if maximize else grad
    g = _decay(param, g, weight_decay, lr, decoupled=False)
    square_avg *= dt(rho)
    square_avg += (dt(1 - rho) * g) * g
    std = np.sqrt(square_avg + dt(eps))
    delta = np.sqrt(acc_delta + dt(eps)) / std * g
    acc_delta *= dt(rho)
    acc_delta += (dt(1 - rho) * delta) * delta
    param += dt(-lr) * delta


def adamax(
    param: np.ndarray,
    grad: np.ndarray,
    exp_avg: np.ndarray,
    exp_inf: np.ndarray,
    *,
    step: float,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """One Adamax step (``step`` is the count including this one)."""
    dt = param.dtype.type
    g = -grad if maximize else grad
    g = _decay(param, g, weight_decay, lr, decoupled=False)
    _lerp_(exp_avg, g, 1 - beta1)
    exp_inf *= dt(beta2)
    np.maximum(exp_inf, np.abs(g) + dt(eps), out=exp_inf)
    clr = lr / (1 - beta1**step)
    param += (dt(-clr) * exp_avg) / exp_inf


def nadam(
    param: np.ndarray,
    grad: np.ndarray,
    exp_avg: np.ndarray,
    exp_avg_sq: np.ndarray,
    mu_product: np.ndarray,
    *,
    step: float,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    momentum_decay: float,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    """One NAdam step; ``mu_product`` (0-dim, in the state's dtype) is updated in place."""
    dt = param.dtype.type
    g = -grad if maximize else grad
    g = _decay(param, g, weight_decay, lr, decoupled_weight_decay)
    bias_correction2 = 1 - beta2**step
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
    # the product is kept in its own (scalar) dtype, as PyTorch does: float32 by default
    mu_product *= mu_product.dtype.type(mu)
    product = float(mu_product)
    product_next = product * mu_next
    _lerp_(exp_avg, g, 1 - beta1)
    exp_avg_sq *= dt(beta2)
    exp_avg_sq += (dt(1 - beta2) * g) * g
    denom = np.sqrt(exp_avg_sq / dt(bias_correction2)) + dt(eps)
    param += (dt(-lr * (1.0 - mu) / (1.0 - product)) * g) / denom
    param += (dt(-lr * mu_next / (1.0 - product_next)) * exp_avg) / denom


def radam(
    param: np.ndarray,
    grad: np.ndarray,
    exp_avg: np.ndarray,
    exp_avg_sq: np.ndarray,
    *,
    step: float,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    """One RAdam step (``step`` is the count including this one)."""
    dt = param.dtype.type
    g = -grad if maximize else grad
    g = _decay(param, g, weight_decay, lr, decoupled_weight_decay)
    _lerp_(exp_avg, g, 1 - beta1)
    exp_avg_sq *= dt(beta2)
    exp_avg_sq += (dt(1 - beta2) * g) * g
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    corrected_exp_avg = exp_avg / dt(bias_correction1)
    # the length of the approximated simple moving average; the variance is tractable above 5
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
    if rho_t > 5.0:
        rect = (
            (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        ) ** 0.5
        adaptive_lr = (dt(1) / (np.sqrt(exp_avg_sq) + dt(eps))) * dt(bias_correction2**0.5)
        param -= corrected_exp_avg * dt(lr) * adaptive_lr * dt(rect)
    else:
        param -= corrected_exp_avg * dt(lr)


def asgd(
    param: np.ndarray,
    grad: np.ndarray,
    ax: np.ndarray,
    eta: np.ndarray,
    mu: np.ndarray,
    *,
    step: float,
    lr: float,
    lambd: float,
    alpha: float,
    t0: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """One ASGD step (``step`` is the count including this one).

    ``eta`` (the current step size) and ``mu`` (the averaging weight) are 0-dim arrays read
    before and rewritten after the update, in their own dtype: PyTorch keeps them float32 by
    default, so a float64 parameter moves by the float32-rounded step size.

    Examples
    --------
    >>> import numpy as np
    >>> p, g, ax = np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.zeros(2)
    >>> eta, mu = np.array(0.5), np.array(1.0)
    >>> asgd(p, g, ax, eta, mu, step=1.0, lr=0.5, lambd=0.0, alpha=0.75, t0=1e6,
    ...      weight_decay=0.0, maximize=False)
    >>> p, ax, float(eta)
    (array([0.5, 2.5]), array([0.5, 2.5]), 0.5)
    """
    dt = param.dtype.type
    g = -grad if maximize else grad
    g = _decay(param, g, weight_decay, lr, decoupled=False)
    eta_value = float(eta)
    param *= dt(1 - lambd * eta_value)
    param += dt(-eta_value) * g
    mu_value = float(mu)
    if mu_value != 1:
        ax += (param - ax) * dt(mu_value)
    else:  # before t0 the "average" is just the last iterate
        ax[...] = param
    eta[...] = lr / (1 + lambd * lr * step) ** alpha
    mu[...] = 1 / max(1, step - t0)


def rprop(
    param: np.ndarray,
    grad: np.ndarray,
    prev: np.ndarray,
    step_size: np.ndarray,
    *,
    etaminus: float,
    etaplus: float,
    step_size_min: float,
    step_size_max: float,
    maximize: bool,
) -> None:
    """One Rprop step: each coordinate moves by its own step size against its gradient's sign.

    The step size grows by ``etaplus`` while the gradient keeps its sign and shrinks by
    ``etaminus`` when it flips; after a flip the coordinate stays put for one step (its
    remembered gradient ``prev`` is zeroed), as in PyTorch (Rprop without backtracking).

    Examples
    --------
    >>> import numpy as np
    >>> p, prev, size = np.array([1.0, 1.0]), np.array([1.0, 1.0]), np.array([0.1, 0.1])
    >>> rprop(p, np.array([2.0, -3.0]), prev, size, etaminus=0.5, etaplus=1.2,
    ...       step_size_min=1e-6, step_size_max=50.0, maximize=False)
    >>> p, size, prev
    (array([0.88, 1.  ]), array([0.12, 0.05]), array([2., 0.]))
    """
    dt = param.dtype.type
    g = -grad if maximize else grad
    factor = np.empty_like(param)  # an array even for a 0-dim parameter
    with np.errstate(invalid="ignore"):  # inf * 0 is NaN
        np.multiply(g, prev, out=factor)
    grew, flipped = factor > 0, factor < 0
    # a zero or NaN product keeps the step size: PyTorch's sign(NaN) is 0
    factor.fill(dt(1))
    factor[grew] = dt(etaplus)
    factor[flipped] = dt(etaminus)
    step_size *= factor
    np.clip(step_size, dt(step_size_min), dt(step_size_max), out=step_size)
    g = np.where(flipped, dt(0), g)
    direction = np.sign(g, out=factor)
    direction[np.isnan(direction)] = 0  # a NaN gradient doesn't move its coordinate
    param -= direction * step_size
    prev[...] = g


def _rms(x: np.ndarray) -> float:
    """The root mean square of ``x`` as a Python float (the 2-norm over sqrt(numel))."""
    return float(np.sqrt(np.sum(x * x))) / x.size**0.5


def adafactor(
    param: np.ndarray,
    grad: np.ndarray,
    row_var: np.ndarray | None,
    col_var: np.ndarray | None,
    variance: np.ndarray | None,
    *,
    step: float,
    lr: float,
    beta2_decay: float,
    eps1: float,
    eps2: float,
    d: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """One Adafactor step (Shazeer & Stern 2018, PyTorch's variant without first moment).

    A parameter with 2 or more dims keeps factored second moments, ``row_var`` (shape
    ``(..., m, 1)``) and ``col_var`` (``(..., 1, n)``); one with fewer keeps ``variance``.

    Examples
    --------
    >>> import numpy as np
    >>> p, g = np.array([3.0, 4.0]), np.array([1.0, -1.0])
    >>> adafactor(p, g, None, None, np.zeros(2), step=1.0, lr=0.01, beta2_decay=-0.8,
    ...           eps1=1e-30, eps2=1e-3, d=1.0, weight_decay=0.0, maximize=False)
    >>> p  # alpha = lr * rms(p) = 0.01 * sqrt(12.5); the update is sign(g)
    array([2.96464466, 4.03535534])
    """
    if param.size == 0:
        return  # nothing to update (PyTorch divides by the zero size and raises)
    dt = param.dtype.type
    g = -grad if maximize else grad
    beta2_complement = step**beta2_decay
    rho = min(lr, 1 / step**0.5)
    alpha = max(eps2, _rms(param)) * rho
    if weight_decay != 0:
        param *= dt(1 - lr * weight_decay)
    if g.ndim > 1:
        assert row_var is not None and col_var is not None
        # the squared norm over the mean (PyTorch's order of operations, for its rounding)
        row_mean = np.square(np.sqrt(np.sum(g * g, axis=-1, keepdims=True))) / dt(g.shape[-1])
        _lerp_(row_var, row_mean, beta2_complement)
        col_mean = np.square(np.sqrt(np.sum(g * g, axis=-2, keepdims=True))) / dt(g.shape[-2])
        _lerp_(col_var, col_mean, beta2_complement)
        row_scale = np.maximum(np.mean(row_var, axis=-2, keepdims=True), dt(eps1))
        var_estimate = row_var * col_var / row_scale
    else:
        assert variance is not None
        _lerp_(variance, g * g, beta2_complement)
        var_estimate = variance.copy()
    update = dt(1) / np.sqrt(np.maximum(var_estimate, dt(eps1 * eps1)))
    update *= g
    denom = max(1.0, _rms(update) / d)
    param += dt(-alpha / denom) * update
