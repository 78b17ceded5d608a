"""Elementwise ops of two or three operands beyond arithmetic: atan2, maximum, minimum,
fmax, fmin, clamp, lerp, logaddexp2, ldexp, float_power, and the non-differentiable
heaviside, nextafter and frexp's exponent.

Operands are promoted like arithmetic's (scalars never widen a tensor). Non-differentiable
points follow PyTorch: ``clamp`` passes the gradient where ``min <= x <= max``; ``maximum`` and
``minimum`` split it evenly between equal inputs, ``fmax`` and ``fmin`` give it all to
``input`` on a tie; ``atan2``'s gradient is 0 at the origin.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._broadcast import sum_to
from npgrad.ops._promote import (
    _tensor_or_scalar,
    check_broadcast,
    const,
    fill_value,
    operands,
    scalar_as,
    tensor_arg,
)
from npgrad.ops._return_types import named_pair
from npgrad.ops.arithmetic import add, mul, pow, sub
from npgrad.ops.comparison import (
    eq,
    ge,
    gt,
    isnan,
    le,
    logical_and,
    logical_or,
    lt,
    where,
)
from npgrad.ops.elementwise import cast, sigmoid
from npgrad.tensor import Tensor

__all__ = [
    "arctan2",
    "atan2",
    "clamp",
    "clip",
    "float_power",
    "fmax",
    "fmin",
    "frexp",
    "heaviside",
    "ldexp",
    "lerp",
    "logaddexp2",
    "maximum",
    "minimum",
    "nextafter",
]


class Atan2(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        # d/da = b / (a² + b²), d/db = -a / (a² + b²); 0 at the origin, like PyTorch. The
        # denominator is made 1 there (not masked afterwards) so no nan enters second order.
        denom = add(a * a, b * b)  # a or b may be a scalar
        denom = where(eq(denom, 0), 1.0, denom)
        ga = sum_to(grad * b / denom, sa) if need_a else None
        gb = sum_to(-grad * a / denom, sb) if need_b else None
        return ga, gb


class _MaxMin(Function):
    _np: Any
    _loses: Any  # an elementwise comparison: True where ``a`` is not the result

    @classmethod
    def forward(cls, ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        return cls._np(a, b)  # type: ignore[no-any-return]

    @classmethod
    def backward(cls, ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        # PyTorch's formula: ties split the gradient evenly; where a comparison with nan is
        # false both inputs get the whole gradient (PyTorch does the same)
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        shared = where(eq(a, b), grad * 0.5, grad)
        ga = sum_to(where(cls._loses(a, b), 0.0, shared), sa) if need_a else None
        gb = sum_to(where(cls._loses(b, a), 0.0, shared), sb) if need_b else None
        return ga, gb


class Maximum(_MaxMin):
    _np, _loses = np.maximum, staticmethod(lambda a, b: lt(a, b))


class Minimum(_MaxMin):
    _np, _loses = np.minimum, staticmethod(lambda a, b: gt(a, b))


class Clamp(Function):
    @staticmethod
    def forward(ctx: Any, x: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
        # min(max(x, lo), hi): when lo > hi the result is hi, like PyTorch; nan propagates
        out = x if lo is None else np.maximum(x, lo)
        out = out if hi is None else np.minimum(out, hi)
        ctx.save_for_backward(x, lo, hi)
        ctx.shapes = (np.shape(x), np.shape(lo), np.shape(hi))
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        # PyTorch's rules: x gets the gradient where lo <= x <= hi (so not where x is nan);
        # lo where x < lo < hi; hi where x > hi or hi < lo (hi is then the result)
        x, lo, hi = ctx.saved_tensors
        sx, slo, shi = ctx.shapes
        need_x, need_lo, need_hi = ctx.needs_input_grad
        gx = glo = ghi = None
        if need_x:
            if lo is None:
                inside = le(x, hi)
            elif hi is None:
                inside = ge(x, lo)
            else:
                inside = logical_and(ge(x, lo), le(x, hi))
            gx = sum_to(where(inside, grad, 0.0), sx)
        if need_lo:
            below = lt(x, lo) if hi is None else logical_and(lt(x, lo), lt(lo, hi))
            glo = sum_to(where(below, grad, 0.0), slo)
        if need_hi:
            above = gt(x, hi) if lo is None else logical_or(gt(x, hi), lt(hi, lo))
            ghi = sum_to(where(above, grad, 0.0), shi)
        return gx, glo, ghi


class Lerp(Function):
    @staticmethod
    def forward(ctx: Any, start: np.ndarray, end: np.ndarray, weight: Any) -> np.ndarray:
        need_s, need_e, need_w = ctx.needs_input_grad
        ctx.save_for_backward(
            start if need_w else None, end if need_w else None, weight if need_s or need_e else None
        )
        ctx.shapes = (np.shape(start), np.shape(end), np.shape(weight))
        # float16 is computed in float32 and rounded once, as PyTorch computes it (a number
        # weight then comes as a float32 0-d array: PyTorch does not round it to half)
        half = np.result_type(start, end) == np.float16
        if half:
            start, end, weight = (np.asarray(v, np.float32) for v in (start, end, weight))
        diff = end - start
        # PyTorch's two-sided formula, the side picked by |weight|: exact at weight = 0 and
        # at weight = 1 (and its inf/nan pattern for infinite operands)
        out = np.where(np.abs(weight) < 0.5, start + weight * diff, end - diff * (1 - weight))
        return out.astype(np.float16) if half else out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        start, end, weight = ctx.saved_tensors
        ss, se, sw = ctx.shapes
        need_s, need_e, need_w = ctx.needs_input_grad
        gs = sum_to(grad * (1 - weight), ss) if need_s else None
        ge_ = sum_to(grad * weight, se) if need_e else None
        gw = sum_to(grad * sub(end, start), sw) if need_w else None  # end may be a scalar
        return gs, ge_, gw


def _binary(fn: Any, op: str, a: Any, b: Any, to_float: bool = False) -> Tensor:
    pa, pb = operands(op, a, b)
    if to_float and pa.dtype.kind != "f":
        # integers give the default float dtype: each operand converted as it is, not after
        # their integer promotion (a uint8 tensor and -3 must not meet in uint8)
        d = dtypes.get_default_dtype()
        pa, pb = operands(op, *(_as(_tensor_or_scalar(op, v), d) for v in (a, b)))
    a, b = pa, pb
    try:
        return fn.apply(a, b)  # type: ignore[no-any-return]
    except ValueError:
        check_broadcast(op, a, b)
        raise


def atan2(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The angle of the point ``(other, input)``: ``atan(input / other)`` in the right
    quadrant, in ``[-pi, pi]``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.atan2(npgrad.tensor([1.0, 1.0]), npgrad.tensor([1.0, -1.0]))
    tensor([0.7854, 2.3562])
    """
    return _binary(Atan2, "atan2", input, other, to_float=True)


def maximum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise maximum, broadcasting; ``nan`` propagates. Equal inputs share the gradient
    evenly.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.maximum(npgrad.tensor([1.0, 5.0]), npgrad.tensor([3.0, 2.0]))
    tensor([3., 5.])
    """
    return _binary(Maximum, "maximum", input, other)


def minimum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise minimum, broadcasting; ``nan`` propagates. Equal inputs share the gradient
    evenly.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.minimum(npgrad.tensor([1.0, 5.0]), npgrad.tensor([3.0, 2.0]))
    tensor([1., 2.])
    """
    return _binary(Minimum, "minimum", input, other)


def _operand(op: str, name: str, v: Any) -> Any:
    if v is None or isinstance(v, (Tensor, bool, int, float, np.generic)):
        return v
    if isinstance(v, np.ndarray):
        return Tensor._make(v, False, None)
    raise TypeError(f"{op}: {name} must be a Tensor or a number, got {type(v).__name__}")


def _as(v: Any, d: np.dtype, op: str | None = None) -> Any:
    """``v`` in dtype ``d``: a Tensor cast, a number converted (with ``op``: checked as
    PyTorch checks a number written into a tensor, out of the dtype's range raising)."""
    if v is None:
        return None
    if isinstance(v, Tensor):
        return cast(v, d)
    return fill_value(op, v, d) if op is not None and d.kind in "iuf" else scalar_as(v, d)


def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor:  # noqa: A001, A002
    """Limit ``input`` to ``[min, max]``; either bound may be omitted, a number or a tensor
    (broadcasting). Where ``min > max`` the result is ``max``. The gradient passes where
    ``min <= input <= max``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.clamp(npgrad.tensor([-2.0, 0.5, 3.0]), min=-1.0, max=1.0)
    tensor([-1.0000,  0.5000,  1.0000])
    >>> npgrad.clamp(npgrad.tensor([-2, 3]), min=0)
    tensor([0, 3])
    """
    x = tensor_arg("clamp", input)
    lo, hi = _operand("clamp", "min", min), _operand("clamp", "max", max)
    if lo is None and hi is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    d = dtypes.result_type(x, *(v for v in (lo, hi) if v is not None))
    x, lo, hi = _as(x, d), _as(lo, d, "clamp"), _as(hi, d, "clamp")
    try:
        return Clamp.apply(x, lo, hi)  # type: ignore[no-any-return]
    except ValueError:
        for v in (lo, hi):
            if v is not None:
                check_broadcast("clamp", x, v)
        if lo is not None and hi is not None:
            check_broadcast("clamp", lo, hi)
        raise


def lerp(input: Any, end: Any, weight: Any) -> Tensor:  # noqa: A002
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` is a number or a
    tensor (broadcasting). Floating point only.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.lerp(npgrad.tensor([0.0, 1.0]), npgrad.tensor([10.0, 3.0]), 0.25)
    tensor([2.5000, 1.5000])
    """
    start = tensor_arg("lerp", input)
    end, weight = _operand("lerp", "end", end), _operand("lerp", "weight", weight)
    d = dtypes.result_type(start, end, weight)
    if d.kind != "f":
        raise TypeError(f"lerp: expected floating point inputs, got {d}")
    start, end = _as(start, d), _as(end, d)
    if d == np.float16 and not isinstance(weight, Tensor):  # see Lerp.forward
        weight = const(np.asarray(weight, np.float32))
    else:
        weight = _as(weight, d)
    try:
        return Lerp.apply(start, end, weight)  # type: ignore[no-any-return]
    except ValueError:
        check_broadcast("lerp", start, end)
        check_broadcast("lerp", start, weight)
        check_broadcast("lerp", end, weight)
        raise


# ---- fmax, fmin: maximum and minimum that ignore nan ----------------------------------------
class _FMaxMin(Function):
    _np: Any
    _keeps: Any  # True where ``input`` is the result (ties included, as PyTorch)

    @classmethod
    def forward(cls, ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        return cls._np(a, b)  # type: ignore[no-any-return]

    @classmethod
    def backward(cls, ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        # PyTorch's formula: all of the gradient goes to ``input`` where it is the result
        # (a tie, or ``other`` is nan), else all to ``other``
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        to_a = logical_or(cls._keeps(a, b), isnan(b))
        ga = sum_to(where(to_a, grad, 0.0), sa) if need_a else None
        gb = sum_to(where(to_a, 0.0, grad), sb) if need_b else None
        return ga, gb


class FMax(_FMaxMin):
    _np, _keeps = np.fmax, staticmethod(lambda a, b: ge(a, b))


class FMin(_FMaxMin):
    _np, _keeps = np.fmin, staticmethod(lambda a, b: le(a, b))


def fmax(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise maximum that ignores nan: where one operand is nan the other is the result
    (nan only where both are). On a tie the gradient goes to ``input``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.fmax(npgrad.tensor([1.0, float("nan"), 3.0]), npgrad.tensor([2.0, 0.5, float("nan")]))
    tensor([2.0000, 0.5000, 3.0000])
    """
    return _binary(FMax, "fmax", input, other)


def fmin(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise minimum that ignores nan: where one operand is nan the other is the result
    (nan only where both are). On a tie the gradient goes to ``input``.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.fmin(npgrad.tensor([1.0, float("nan"), 3.0]), npgrad.tensor([2.0, 0.5, float("nan")]))
    tensor([1.0000, 0.5000, 3.0000])
    """
    return _binary(FMin, "fmin", input, other)


# ---- logaddexp2, ldexp, float_power ---------------------------------------------------------
_LN2 = float(np.log(2.0))


class LogAddExp2(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        with np.errstate(invalid="ignore"):  # nan in, nan out, silently (as PyTorch)
            return np.logaddexp2(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        # d/da = 2^a / (2^a + 2^b) = sigmoid((a - b) ln 2): no overflow for any magnitude
        ga = sum_to(grad * sigmoid(sub(a, b) * _LN2), sa) if need_a else None
        gb = sum_to(grad * sigmoid(sub(b, a) * _LN2), sb) if need_b else None
        return ga, gb


def _float_operands(op: str, a: Any, b: Any) -> tuple[Any, Any]:
    """``a`` and ``b`` promoted; two integral operands both become the default float dtype."""
    pa, pb = operands(op, a, b)
    if (pa if isinstance(pa, Tensor) else pb).dtype.kind != "f":
        d = dtypes.get_default_dtype()
        pa, pb = operands(op, *(_as(_tensor_or_scalar(op, v), d) for v in (a, b)))
    return pa, pb


def logaddexp2(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``log2(2**input + 2**other)`` computed stably, broadcasting; integer operands give
    the default float dtype.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.logaddexp2(npgrad.tensor([1.0, 100.0]), npgrad.tensor([1.0, -100.0]))
    tensor([  2., 100.])
    """
    return _binary(LogAddExp2, "logaddexp2", *_float_operands("logaddexp2", input, other))


def ldexp(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input * 2**other``, broadcasting; integer operands give the default float dtype.
    Differentiable in both operands (``other``'s gradient is ``grad * result * ln 2``).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.ldexp(npgrad.tensor([1.0, 3.0]), npgrad.tensor([3, -1]))
    tensor([8.0000, 1.5000])
    """
    a, b = _float_operands("ldexp", input, other)
    try:
        return mul(a, pow(2.0, b))
    except ValueError:
        check_broadcast("ldexp", a, b)
        raise


def float_power(input: Any, exponent: Any) -> Tensor:  # noqa: A002
    """``input ** exponent`` computed in float64 whatever the operands' dtypes (the result is
    float64; the gradients come back in each operand's own dtype).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.float_power(npgrad.tensor([2, 3]), 2)
    tensor([4., 9.], dtype=npgrad.float64)
    """
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power: at least one of input and exponent must be a Tensor")
    f64 = dtypes.float64
    a = _as(_operand("float_power", "input", input), f64)
    b = _as(_operand("float_power", "exponent", exponent), f64)
    try:
        return pow(a, b)
    except ValueError:
        check_broadcast("float_power", a, b)
        raise


# ---- non-differentiable: heaviside, nextafter; frexp's exponent -----------------------------
def heaviside(input: Any, values: Any) -> Tensor:  # noqa: A002
    """The Heaviside step: 0 where ``input < 0``, 1 where ``input > 0`` and ``values`` where
    ``input == 0`` (0 where ``input`` is nan, as PyTorch). Both must have one dtype; the
    result has no gradient.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.heaviside(npgrad.tensor([-1.5, 0.0, 2.0]), npgrad.tensor([0.5]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    x, v = tensor_arg("heaviside", input), tensor_arg("heaviside", values)
    if x.dtype != v.dtype:
        raise RuntimeError(
            f"heaviside: input and values must have the same dtype, got {x.dtype} and {v.dtype}"
        )
    check_broadcast("heaviside", x, v)
    xd = x._data
    out = np.where(xd == 0, v._data, (xd > 0).astype(xd.dtype, copy=False))
    return Tensor._make(np.asarray(out, dtype=xd.dtype), False, None)


def nextafter(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The next floating point value after ``input`` towards ``other``, elementwise
    (floating point only; no gradient).

    Examples
    --------
    >>> import npgrad
    >>> (npgrad.nextafter(npgrad.tensor([1.0]), npgrad.tensor([2.0])) - 1).item() == 2**-23
    True
    """
    from npgrad.ops.bitwise import DtypeNotImplementedError

    a, b = operands("nextafter", input, other)
    t = a if isinstance(a, Tensor) else b
    if t.dtype.kind != "f":
        raise DtypeNotImplementedError(
            f"nextafter: only floating point tensors are supported, got {t.dtype}"
        )
    xa = a._data if isinstance(a, Tensor) else a
    xb = b._data if isinstance(b, Tensor) else b
    check_broadcast("nextafter", a, b)
    return Tensor._make(np.asarray(np.nextafter(xa, xb)), False, None)


_FrexpResult = named_pair("frexp", "mantissa", "exponent", __name__, "_FrexpResult")


class Frexp(Function):
    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m, e = np.frexp(x)
        e = np.asarray(e, dtype=np.int32)
        ctx.mark_non_differentiable(e)
        ctx.scale = np.asarray(np.ldexp(x.dtype.type(1), -e), dtype=x.dtype)
        return np.asarray(m), e

    @staticmethod
    def backward(ctx: Any, grad: Tensor, _grad_exponent: Any) -> Tensor:
        # the mantissa is x * 2**-exponent with a piecewise-constant exponent (PyTorch's rule)
        return grad * Tensor._make(ctx.scale, False, None)


def frexp(input: Tensor) -> Any:  # noqa: A002
    """Split a floating tensor into mantissas in ``[0.5, 1)`` (in magnitude) and int32
    exponents, ``input == mantissa * 2**exponent``; a named tuple ``(mantissa, exponent)``.
    The mantissa is differentiable (its gradient is ``grad * 2**-exponent``).

    Examples
    --------
    >>> import npgrad
    >>> m, e = npgrad.frexp(npgrad.tensor([8.0, -3.0, 0.0]))
    >>> m, e
    (tensor([ 0.5000, -0.7500,  0.0000]), tensor([4, 2, 0], dtype=npgrad.int32))
    """
    from npgrad.ops.bitwise import DtypeNotImplementedError

    x = tensor_arg("frexp", input)
    if x.dtype.kind != "f":
        raise DtypeNotImplementedError(
            f"frexp: only floating point tensors are supported, got {x.dtype}"
        )
    m, e = Frexp.apply(x)
    return _FrexpResult(m, e)


# NumPy's names
arctan2 = atan2
clip = clamp
