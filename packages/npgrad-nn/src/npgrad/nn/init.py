"""``npgrad.nn.init``: filling parameters in place, with ``torch.nn.init``'s schemes.

Every function writes into the tensor's array without recording a graph (as PyTorch does
under ``no_grad``), bumps the tensor's version counter (so a backward that saved the old
values fails loudly) and returns the tensor. Random samples come from
:mod:`npgrad.random`: the default generator, or ``generator=`` where PyTorch accepts one, so
``npgrad.manual_seed`` makes initialisation reproducible. The distributions are PyTorch's;
the streams are not (a different generator algorithm).

Fans follow PyTorch's convention for a weight of shape ``(out, in, *kernel)``:
``fan_in = in * prod(kernel)`` and ``fan_out = out * prod(kernel)``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.random import Generator

__all__ = [
    "calculate_gain",
    "constant",
    "constant_",
    "dirac",
    "dirac_",
    "eye",
    "eye_",
    "kaiming_normal",
    "kaiming_normal_",
    "kaiming_uniform",
    "kaiming_uniform_",
    "normal",
    "normal_",
    "ones_",
    "orthogonal",
    "orthogonal_",
    "sparse",
    "sparse_",
    "trunc_normal_",
    "uniform",
    "uniform_",
    "xavier_normal",
    "xavier_normal_",
    "xavier_uniform",
    "xavier_uniform_",
    "zeros_",
]

_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def _check_tensor(op: str, tensor: Any) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init.{op}: expected a Tensor, got {type(tensor).__name__}")
    return tensor


def _write(tensor: Tensor, values: np.ndarray) -> Tensor:
    # the no_grad write every init function ends with: values into the existing array (views
    # and optimizers holding the Parameter see them), version bumped
    tensor._data[...] = values
    tensor._version += 1
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table).

    ``linear``, the convolutions and ``sigmoid``: 1; ``tanh``: 5/3; ``relu``: sqrt(2);
    ``leaky_relu``: sqrt(2 / (1 + negative_slope**2)) with ``param`` the slope (default
    0.01); ``selu``: 3/4.

    Examples
    --------
    >>> from npgrad.nn import init
    >>> round(init.calculate_gain("leaky_relu", 0.2), 4)
    1.3868
    >>> init.calculate_gain("tanh")
    1.6666666666666667
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope: float = 0.01
        elif (not isinstance(param, bool) and isinstance(param, int)) or isinstance(param, float):
            negative_slope = param  # bool is an int: excluded above, as in PyTorch
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4  # PyTorch's empirical value (pytorch/pytorch#50664)
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


# ---- plain fills ----------------------------------------------------------------------------
def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill ``tensor`` with samples from ``U(a, b)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.nn import init
    >>> w = init.uniform_(npgrad.empty(3, 5), -0.1, 0.1)
    >>> bool(((w >= -0.1) & (w < 0.1)).all())
    True
    """
    return npgrad.random.uniform_(_check_tensor("uniform_", tensor), a, b, generator=generator)


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill ``tensor`` with samples from ``N(mean, std**2)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.init.normal_(npgrad.empty(3, 5), std=0.02).shape
    npgrad.Size([3, 5])
    """
    return npgrad.random.normal_(_check_tensor("normal_", tensor), mean, std, generator=generator)


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Generator | None = None,
) -> Tensor:
    """Fill ``tensor`` with ``N(mean, std**2)`` samples truncated to ``[a, b]``.

    As in PyTorch: when the interval holds more than 30 % of the mass, out-of-range normal
    draws are redrawn until all lie in ``[a, b]``; otherwise uniform proposals on ``[a, b]``
    are accepted with probability ``pdf(x) / pdf(mode)`` (rejection sampling). Either way the
    result has exactly the truncated normal law.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> w = nn.init.trunc_normal_(npgrad.empty(100), std=1.0, a=-0.5, b=0.5)
    >>> bool(((w >= -0.5) & (w <= 0.5)).all())
    True
    """
    t = _check_tensor("trunc_normal_", tensor)
    if t.dtype.kind != "f":
        raise TypeError(f"nn.init.trunc_normal_: expected a floating point tensor, got {t.dtype}")
    mean, std, a, b = float(mean), float(std), float(a), float(b)
    if not a <= b:
        raise ValueError(f"nn.init.trunc_normal_: expected a <= b, got a={a}, b={b}")
    if not std > 0:
        raise ValueError(f"nn.init.trunc_normal_: expected std > 0, got std={std}")
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    d = t.dtype
    w = np.dtype(np.float32) if d == np.float16 else d  # float16 work in float32

    def norm_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    def randn(n: int) -> np.ndarray:
        return npgrad.random.randn(n, generator=generator, dtype=w)._data * w.type(std) + w.type(
            mean
        )

    def rand(n: int, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
        return npgrad.random.uniform(lo, hi, (n,), generator=generator, dtype=w)._data

    n = t.numel()
    # compare against the bounds as the tensor's dtype can represent them (PyTorch does too)
    lo, hi = w.type(a), w.type(b)
    p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)
    if p > 0.3:
        out = randn(n)
        bad = np.flatnonzero((out < lo) | (out > hi))
        while bad.size:
            out[bad] = randn(bad.size)
            bad = bad[(out[bad] < lo) | (out[bad] > hi)]
    else:
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2
        out = np.empty(n, w)
        pending = np.arange(n)
        while pending.size:
            cand = rand(pending.size, a, b)
            log_pdf = -0.5 * ((cand.astype(np.float64) - mean) / std) ** 2 - log_peak
            with np.errstate(divide="ignore"):  # log(0) = -inf: always accepted
                accept = np.log(rand(pending.size)) <= log_pdf
            out[pending[accept]] = cand[accept]
            pending = pending[~accept]
    return _write(t, out.reshape(t.shape).astype(d, copy=False))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` with ``val``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.init.constant_(npgrad.empty(2), 0.3)
    tensor([0.3000, 0.3000])
    """
    t = _check_tensor("constant_", tensor)
    with npgrad.no_grad():
        return t.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with ones.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.init.ones_(npgrad.empty(2))
    tensor([1., 1.])
    """
    return constant_(_check_tensor("ones_", tensor), 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with zeros.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.init.zeros_(npgrad.empty(2))
    tensor([0., 0.])
    """
    return constant_(_check_tensor("zeros_", tensor), 0.0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D ``tensor`` with the identity matrix (ones on the main diagonal).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.init.eye_(npgrad.empty(2, 3))
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    t = _check_tensor("eye_", tensor)
    if t.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _write(t, np.eye(*t.shape, dtype=t.dtype))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-D convolution weight with the Dirac delta: the convolution then
    passes as many input channels through unchanged as it can (per group).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> w = nn.init.dirac_(npgrad.empty(2, 2, 3))
    >>> w[:, :, 1]
    tensor([[1., 0.],
            [0., 1.]])
    """
    t = _check_tensor("dirac_", tensor)
    if t.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = t.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = sizes[0] // groups
    min_dim = min(out_per_group, sizes[1])
    values = np.zeros(sizes, t.dtype)
    centre = tuple(s // 2 for s in sizes[2:])
    d = np.arange(min_dim)
    for g in range(groups):
        values[(g * out_per_group + d, d) + centre] = 1
    return _write(t, values)


# ---- fans and the scaled schemes --------------------------------------------------------------
def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shaped ``(out, in, *kernel)`` (at least 2-D)."""
    dimensions = tensor.dim()
    if dimensions < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive_field_size = math.prod(tensor.shape[2:])
    fan_in = tensor.shape[1] * receptive_field_size
    fan_out = tensor.shape[0] * receptive_field_size
    return fan_in, fan_out


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Glorot uniform: ``U(-a, a)`` with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> w = nn.init.xavier_uniform_(npgrad.empty(3, 5))
    >>> bool((w.abs() <= (6 / 8) ** 0.5).all())
    True
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(_check_tensor("xavier_uniform_", tensor))
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # the uniform bound with that standard deviation
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Glorot normal: ``N(0, std**2)`` with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.init.xavier_normal_(npgrad.empty(3, 5)).shape
    npgrad.Size([3, 5])
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(_check_tensor("xavier_normal_", tensor))
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(op: str, tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    _check_tensor(op, tensor)
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """He uniform: ``U(-bound, bound)`` with ``bound = gain * sqrt(3 / fan)``.

    ``a`` is the negative slope of the rectifier that follows (used with ``leaky_relu``),
    ``mode`` picks ``fan_in`` (default) or ``fan_out``. ``Linear`` and the convolutions use
    ``a=sqrt(5)``, which gives ``bound = 1 / sqrt(fan_in)``.

    Examples
    --------
    >>> import math
    >>> import npgrad
    >>> from npgrad import nn
    >>> w = nn.init.kaiming_uniform_(npgrad.empty(4, 9), a=math.sqrt(5))
    >>> bool((w.abs() <= 1 / 3).all())
    True
    """
    std = _kaiming_std("kaiming_uniform_", tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """He normal: ``N(0, std**2)`` with ``std = gain / sqrt(fan)``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> nn.init.kaiming_normal_(npgrad.empty(4, 9), mode="fan_out", nonlinearity="relu").shape
    npgrad.Size([4, 9])
    """
    std = _kaiming_std("kaiming_normal_", tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Generator | None = None) -> Tensor:
    """Fill ``tensor`` (at least 2-D; trailing dims flattened) with a (semi-)orthogonal
    matrix times ``gain``.

    The Q factor of a Gaussian matrix, its columns' signs fixed by the diagonal of R so that
    Q is uniformly (Haar) distributed — PyTorch's method (Mezzadri, 2007).

    Examples
    --------
    >>> import numpy as np
    >>> import npgrad
    >>> from npgrad import nn
    >>> w = nn.init.orthogonal_(npgrad.empty(3, 5, dtype=npgrad.float64))
    >>> np.allclose((w @ w.T).numpy(), np.eye(3))
    True
    """
    t = _check_tensor("orthogonal_", tensor)
    if t.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if t.numel() == 0:
        return t
    rows = t.shape[0]
    cols = t.numel() // rows
    w = np.dtype(np.float32) if t.dtype == np.float16 else t.dtype
    flat = npgrad.random.randn(rows, cols, generator=generator, dtype=w)._data
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diagonal(r))  # column signs from R: Haar-distributed Q
    if rows < cols:
        q = q.T
    return _write(t, (q * gain).reshape(t.shape).astype(t.dtype, copy=False))


def sparse_(
    tensor: Tensor, sparsity: float, std: float = 0.01, generator: Generator | None = None
) -> Tensor:
    """Fill a 2-D ``tensor`` with ``N(0, std**2)`` samples and zero ``ceil(sparsity * rows)``
    random entries of every column (Martens, 2010).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> w = nn.init.sparse_(npgrad.empty(10, 3), sparsity=0.3)
    >>> (w == 0).sum(0).tolist()
    [3, 3, 3]
    """
    t = _check_tensor("sparse_", tensor)
    if t.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = t.shape
    num_zeros = math.ceil(sparsity * rows)
    values = npgrad.random.normal(
        0.0, std, (rows, cols), generator=generator, dtype=t.dtype
    )._data.copy()
    # a random subset of num_zeros rows per column: the first ranks of random keys. Unlike
    # PyTorch (whose randperm here ignores it) the choice also follows ``generator``.
    keys = npgrad.random.rand(rows, cols, generator=generator, dtype=np.float64)._data
    zero_rows = np.argsort(keys, axis=0, kind="stable")[:num_zeros]
    values[zero_rows, np.arange(cols)] = 0
    return _write(t, values)


# ---- deprecated names (PyTorch keeps them with a FutureWarning) ------------------------------------
def _make_deprecate(meth: Callable[..., Tensor]) -> Callable[..., Tensor]:
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args: Any, **kwargs: Any) -> Tensor:
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
            FutureWarning,
            stacklevel=2,
        )
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = f"Deprecated alias of :func:`{new_name}`."
    deprecated_init.__name__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)
