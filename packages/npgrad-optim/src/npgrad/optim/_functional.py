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
    "adagrad",
    "adam",
    "adamax",
    "nadam",
    "radam",
    "rmsprop",
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
        avg = np.sqrt(square_avg - grad_avg * grad_avg) + dt(eps)
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
