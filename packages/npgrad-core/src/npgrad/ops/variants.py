"""Namespace forms of Tensor methods that PyTorch also exposes as functions.

- **In-place functions**: ``npgrad.exp_(x)`` is ``x.exp_()``, ``npgrad.clamp_(x, 0, 1)`` is
  ``x.clamp_(0, 1)`` -- every ``torch.<op>_`` of the core op set. Each one checks that its
  first argument is a Tensor and calls the method: the method is the one implementation.
- **Copying view ops**: ``npgrad.t_copy(x)`` is ``x.t()`` as a new contiguous tensor that
  shares no memory with ``x`` (PyTorch's ``*_copy`` functions, the view ops' functional
  forms). Each one applies the view op and then ``clone``, so gradients flow as through the
  two ops.

Examples
--------
>>> import npgrad
>>> x = npgrad.tensor([-1.0, 0.5, 2.0])
>>> npgrad.relu_(x)
tensor([0.0000, 0.5000, 2.0000])
>>> x
tensor([0.0000, 0.5000, 2.0000])
>>> y = npgrad.t_copy(npgrad.ones(2, 3))
>>> y.shape, y.is_contiguous()
(npgrad.Size([3, 2]), True)
"""

from __future__ import annotations

import operator
from typing import Any

from npgrad import _memory_format
from npgrad.ops.shape import Clone
from npgrad.tensor import Tensor, _check_dim

__all__ = [
    "abs_",
    "acos_",
    "acosh_",
    "addmv_",
    "alias_copy",
    "arccos_",
    "arccosh_",
    "arcsin_",
    "arcsinh_",
    "arctan_",
    "arctanh_",
    "as_strided_",
    "as_strided_copy",
    "asin_",
    "asinh_",
    "atan_",
    "atanh_",
    "ceil_",
    "clamp_",
    "clamp_max_",
    "clamp_min_",
    "clip_",
    "cos_",
    "cosh_",
    "deg2rad_",
    "detach_",
    "detach_copy",
    "diagonal_copy",
    "erf_",
    "erfc_",
    "exp2_",
    "exp_",
    "expand_copy",
    "expm1_",
    "fill_",
    "fix_",
    "floor_",
    "frac_",
    "gcd_",
    "i0_",
    "index_put_",
    "lcm_",
    "ldexp_",
    "log10_",
    "log1p_",
    "log2_",
    "log_",
    "logit_",
    "nan_to_num_",
    "neg_",
    "negative_",
    "permute_copy",
    "rad2deg_",
    "reciprocal_",
    "relu_",
    "resize_as_",
    "round_",
    "rsqrt_",
    "select_copy",
    "sigmoid_",
    "sin_",
    "sinc_",
    "sinh_",
    "slice_copy",
    "split_copy",
    "split_with_sizes_copy",
    "sqrt_",
    "square_",
    "squeeze_copy",
    "t_copy",
    "tan_",
    "tanh_",
    "transpose_copy",
    "trunc_",
    "unbind_copy",
    "unfold_copy",
    "unsqueeze_copy",
    "view_copy",
    "xlogy_",
]


def _tensor(op: str, input: Any) -> Tensor:  # noqa: A002
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    return input


# ---- in-place functions (generated once from the methods' signatures; keep them in sync) ----
def abs_(input: Tensor) -> Tensor:  # noqa: A002
    """``abs`` in place: ``npgrad.abs_(x, ...)`` is ``x.abs_(...)``."""
    return _tensor("abs_", input).abs_()


def acos_(input: Tensor) -> Tensor:  # noqa: A002
    """``acos`` in place: ``npgrad.acos_(x, ...)`` is ``x.acos_(...)``."""
    return _tensor("acos_", input).acos_()


def acosh_(input: Tensor) -> Tensor:  # noqa: A002
    """``acosh`` in place: ``npgrad.acosh_(x, ...)`` is ``x.acosh_(...)``."""
    return _tensor("acosh_", input).acosh_()


def addmv_(  # noqa: A002
    input: Tensor,
    mat: Any,
    vec: Any,
    *,
    beta: Any = 1,
    alpha: Any = 1,
) -> Tensor:
    """``addmv`` in place: ``npgrad.addmv_(x, ...)`` is ``x.addmv_(...)``."""
    return _tensor("addmv_", input).addmv_(mat, vec, beta=beta, alpha=alpha)


def arccos_(input: Tensor) -> Tensor:  # noqa: A002
    """``arccos`` in place: ``npgrad.arccos_(x, ...)`` is ``x.arccos_(...)``."""
    return _tensor("arccos_", input).arccos_()


def arccosh_(input: Tensor) -> Tensor:  # noqa: A002
    """``arccosh`` in place: ``npgrad.arccosh_(x, ...)`` is ``x.arccosh_(...)``."""
    return _tensor("arccosh_", input).arccosh_()


def arcsin_(input: Tensor) -> Tensor:  # noqa: A002
    """``arcsin`` in place: ``npgrad.arcsin_(x, ...)`` is ``x.arcsin_(...)``."""
    return _tensor("arcsin_", input).arcsin_()


def arcsinh_(input: Tensor) -> Tensor:  # noqa: A002
    """``arcsinh`` in place: ``npgrad.arcsinh_(x, ...)`` is ``x.arcsinh_(...)``."""
    return _tensor("arcsinh_", input).arcsinh_()


def arctan_(input: Tensor) -> Tensor:  # noqa: A002
    """``arctan`` in place: ``npgrad.arctan_(x, ...)`` is ``x.arctan_(...)``."""
    return _tensor("arctan_", input).arctan_()


def arctanh_(input: Tensor) -> Tensor:  # noqa: A002
    """``arctanh`` in place: ``npgrad.arctanh_(x, ...)`` is ``x.arctanh_(...)``."""
    return _tensor("arctanh_", input).arctanh_()


def as_strided_(  # noqa: A002
    input: Tensor,
    size: Any,
    stride: Any,
    storage_offset: int | None = None,
) -> Tensor:
    """``as_strided`` in place: ``npgrad.as_strided_(x, ...)`` is ``x.as_strided_(...)``."""
    return _tensor("as_strided_", input).as_strided_(size, stride, storage_offset)


def asin_(input: Tensor) -> Tensor:  # noqa: A002
    """``asin`` in place: ``npgrad.asin_(x, ...)`` is ``x.asin_(...)``."""
    return _tensor("asin_", input).asin_()


def asinh_(input: Tensor) -> Tensor:  # noqa: A002
    """``asinh`` in place: ``npgrad.asinh_(x, ...)`` is ``x.asinh_(...)``."""
    return _tensor("asinh_", input).asinh_()


def atan_(input: Tensor) -> Tensor:  # noqa: A002
    """``atan`` in place: ``npgrad.atan_(x, ...)`` is ``x.atan_(...)``."""
    return _tensor("atan_", input).atan_()


def atanh_(input: Tensor) -> Tensor:  # noqa: A002
    """``atanh`` in place: ``npgrad.atanh_(x, ...)`` is ``x.atanh_(...)``."""
    return _tensor("atanh_", input).atanh_()


def ceil_(input: Tensor) -> Tensor:  # noqa: A002
    """``ceil`` in place: ``npgrad.ceil_(x, ...)`` is ``x.ceil_(...)``."""
    return _tensor("ceil_", input).ceil_()


def clamp_(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """``clamp`` in place: ``npgrad.clamp_(x, ...)`` is ``x.clamp_(...)``."""
    return _tensor("clamp_", input).clamp_(min, max)


def clamp_max_(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    """``clamp_max`` in place: ``npgrad.clamp_max_(x, ...)`` is ``x.clamp_max_(...)``."""
    return _tensor("clamp_max_", input).clamp_max_(max)


def clamp_min_(input: Tensor, min: Any) -> Tensor:  # noqa: A002
    """``clamp_min`` in place: ``npgrad.clamp_min_(x, ...)`` is ``x.clamp_min_(...)``."""
    return _tensor("clamp_min_", input).clamp_min_(min)


def clip_(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """``clip`` in place: ``npgrad.clip_(x, ...)`` is ``x.clip_(...)``."""
    return _tensor("clip_", input).clip_(min, max)


def cos_(input: Tensor) -> Tensor:  # noqa: A002
    """``cos`` in place: ``npgrad.cos_(x, ...)`` is ``x.cos_(...)``."""
    return _tensor("cos_", input).cos_()


def cosh_(input: Tensor) -> Tensor:  # noqa: A002
    """``cosh`` in place: ``npgrad.cosh_(x, ...)`` is ``x.cosh_(...)``."""
    return _tensor("cosh_", input).cosh_()


def deg2rad_(input: Tensor) -> Tensor:  # noqa: A002
    """``deg2rad`` in place: ``npgrad.deg2rad_(x, ...)`` is ``x.deg2rad_(...)``."""
    return _tensor("deg2rad_", input).deg2rad_()


def detach_(input: Tensor) -> Tensor:  # noqa: A002
    """``detach`` in place: ``npgrad.detach_(x, ...)`` is ``x.detach_(...)``."""
    return _tensor("detach_", input).detach_()


def erf_(input: Tensor) -> Tensor:  # noqa: A002
    """``erf`` in place: ``npgrad.erf_(x, ...)`` is ``x.erf_(...)``."""
    return _tensor("erf_", input).erf_()


def erfc_(input: Tensor) -> Tensor:  # noqa: A002
    """``erfc`` in place: ``npgrad.erfc_(x, ...)`` is ``x.erfc_(...)``."""
    return _tensor("erfc_", input).erfc_()


def exp2_(input: Tensor) -> Tensor:  # noqa: A002
    """``exp2`` in place: ``npgrad.exp2_(x, ...)`` is ``x.exp2_(...)``."""
    return _tensor("exp2_", input).exp2_()


def exp_(input: Tensor) -> Tensor:  # noqa: A002
    """``exp`` in place: ``npgrad.exp_(x, ...)`` is ``x.exp_(...)``."""
    return _tensor("exp_", input).exp_()


def expm1_(input: Tensor) -> Tensor:  # noqa: A002
    """``expm1`` in place: ``npgrad.expm1_(x, ...)`` is ``x.expm1_(...)``."""
    return _tensor("expm1_", input).expm1_()


def fill_(input: Tensor, value: Any) -> Tensor:  # noqa: A002
    """``fill`` in place: ``npgrad.fill_(x, ...)`` is ``x.fill_(...)``."""
    return _tensor("fill_", input).fill_(value)


def fix_(input: Tensor) -> Tensor:  # noqa: A002
    """``fix`` in place: ``npgrad.fix_(x, ...)`` is ``x.fix_(...)``."""
    return _tensor("fix_", input).fix_()


def floor_(input: Tensor) -> Tensor:  # noqa: A002
    """``floor`` in place: ``npgrad.floor_(x, ...)`` is ``x.floor_(...)``."""
    return _tensor("floor_", input).floor_()


def frac_(input: Tensor) -> Tensor:  # noqa: A002
    """``frac`` in place: ``npgrad.frac_(x, ...)`` is ``x.frac_(...)``."""
    return _tensor("frac_", input).frac_()


def gcd_(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """``gcd`` in place: ``npgrad.gcd_(x, ...)`` is ``x.gcd_(...)``."""
    return _tensor("gcd_", input).gcd_(other)


def i0_(input: Tensor) -> Tensor:  # noqa: A002
    """``i0`` in place: ``npgrad.i0_(x, ...)`` is ``x.i0_(...)``."""
    return _tensor("i0_", input).i0_()


def index_put_(  # noqa: A002
    input: Tensor,
    indices: Any,
    values: Any,
    accumulate: bool = False,
) -> Tensor:
    """``index_put`` in place: ``npgrad.index_put_(x, ...)`` is ``x.index_put_(...)``."""
    return _tensor("index_put_", input).index_put_(indices, values, accumulate)


def lcm_(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """``lcm`` in place: ``npgrad.lcm_(x, ...)`` is ``x.lcm_(...)``."""
    return _tensor("lcm_", input).lcm_(other)


def ldexp_(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """``ldexp`` in place: ``npgrad.ldexp_(x, ...)`` is ``x.ldexp_(...)``."""
    return _tensor("ldexp_", input).ldexp_(other)


def log10_(input: Tensor) -> Tensor:  # noqa: A002
    """``log10`` in place: ``npgrad.log10_(x, ...)`` is ``x.log10_(...)``."""
    return _tensor("log10_", input).log10_()


def log1p_(input: Tensor) -> Tensor:  # noqa: A002
    """``log1p`` in place: ``npgrad.log1p_(x, ...)`` is ``x.log1p_(...)``."""
    return _tensor("log1p_", input).log1p_()


def log2_(input: Tensor) -> Tensor:  # noqa: A002
    """``log2`` in place: ``npgrad.log2_(x, ...)`` is ``x.log2_(...)``."""
    return _tensor("log2_", input).log2_()


def log_(input: Tensor) -> Tensor:  # noqa: A002
    """``log`` in place: ``npgrad.log_(x, ...)`` is ``x.log_(...)``."""
    return _tensor("log_", input).log_()


def logit_(input: Tensor, eps: float | None = None) -> Tensor:  # noqa: A002
    """``logit`` in place: ``npgrad.logit_(x, ...)`` is ``x.logit_(...)``."""
    return _tensor("logit_", input).logit_(eps)


def nan_to_num_(  # noqa: A002
    input: Tensor,
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,
) -> Tensor:
    """``nan_to_num`` in place: ``npgrad.nan_to_num_(x, ...)`` is ``x.nan_to_num_(...)``."""
    return _tensor("nan_to_num_", input).nan_to_num_(nan, posinf, neginf)


def neg_(input: Tensor) -> Tensor:  # noqa: A002
    """``neg`` in place: ``npgrad.neg_(x, ...)`` is ``x.neg_(...)``."""
    return _tensor("neg_", input).neg_()


def negative_(input: Tensor) -> Tensor:  # noqa: A002
    """``negative`` in place: ``npgrad.negative_(x, ...)`` is ``x.negative_(...)``."""
    return _tensor("negative_", input).negative_()


def rad2deg_(input: Tensor) -> Tensor:  # noqa: A002
    """``rad2deg`` in place: ``npgrad.rad2deg_(x, ...)`` is ``x.rad2deg_(...)``."""
    return _tensor("rad2deg_", input).rad2deg_()


def reciprocal_(input: Tensor) -> Tensor:  # noqa: A002
    """``reciprocal`` in place: ``npgrad.reciprocal_(x, ...)`` is ``x.reciprocal_(...)``."""
    return _tensor("reciprocal_", input).reciprocal_()


def relu_(input: Tensor) -> Tensor:  # noqa: A002
    """``relu`` in place: ``npgrad.relu_(x, ...)`` is ``x.relu_(...)``."""
    return _tensor("relu_", input).relu_()


def resize_as_(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """``resize_as`` in place: ``npgrad.resize_as_(x, ...)`` is ``x.resize_as_(...)``."""
    return _tensor("resize_as_", input).resize_as_(other)


def round_(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A002
    """``round`` in place: ``npgrad.round_(x, ...)`` is ``x.round_(...)``."""
    return _tensor("round_", input).round_(decimals=decimals)


def rsqrt_(input: Tensor) -> Tensor:  # noqa: A002
    """``rsqrt`` in place: ``npgrad.rsqrt_(x, ...)`` is ``x.rsqrt_(...)``."""
    return _tensor("rsqrt_", input).rsqrt_()


def sigmoid_(input: Tensor) -> Tensor:  # noqa: A002
    """``sigmoid`` in place: ``npgrad.sigmoid_(x, ...)`` is ``x.sigmoid_(...)``."""
    return _tensor("sigmoid_", input).sigmoid_()


def sin_(input: Tensor) -> Tensor:  # noqa: A002
    """``sin`` in place: ``npgrad.sin_(x, ...)`` is ``x.sin_(...)``."""
    return _tensor("sin_", input).sin_()


def sinc_(input: Tensor) -> Tensor:  # noqa: A002
    """``sinc`` in place: ``npgrad.sinc_(x, ...)`` is ``x.sinc_(...)``."""
    return _tensor("sinc_", input).sinc_()


def sinh_(input: Tensor) -> Tensor:  # noqa: A002
    """``sinh`` in place: ``npgrad.sinh_(x, ...)`` is ``x.sinh_(...)``."""
    return _tensor("sinh_", input).sinh_()


def sqrt_(input: Tensor) -> Tensor:  # noqa: A002
    """``sqrt`` in place: ``npgrad.sqrt_(x, ...)`` is ``x.sqrt_(...)``."""
    return _tensor("sqrt_", input).sqrt_()


def square_(input: Tensor) -> Tensor:  # noqa: A002
    """``square`` in place: ``npgrad.square_(x, ...)`` is ``x.square_(...)``."""
    return _tensor("square_", input).square_()


def tan_(input: Tensor) -> Tensor:  # noqa: A002
    """``tan`` in place: ``npgrad.tan_(x, ...)`` is ``x.tan_(...)``."""
    return _tensor("tan_", input).tan_()


def tanh_(input: Tensor) -> Tensor:  # noqa: A002
    """``tanh`` in place: ``npgrad.tanh_(x, ...)`` is ``x.tanh_(...)``."""
    return _tensor("tanh_", input).tanh_()


def trunc_(input: Tensor) -> Tensor:  # noqa: A002
    """``trunc`` in place: ``npgrad.trunc_(x, ...)`` is ``x.trunc_(...)``."""
    return _tensor("trunc_", input).trunc_()


def xlogy_(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """``xlogy`` in place: ``npgrad.xlogy_(x, ...)`` is ``x.xlogy_(...)``."""
    return _tensor("xlogy_", input).xlogy_(other)


# ---- copying view ops --------------------------------------------------------------------------
def _copy(view: Tensor) -> Tensor:
    return Clone.apply(view, _memory_format.contiguous_format)  # type: ignore[no-any-return]


def alias_copy(input: Tensor) -> Tensor:  # noqa: A002
    """A contiguous copy of ``input`` (the copying form of ``alias``): ``x.clone()``."""
    return _copy(_tensor("alias_copy", input))


def as_strided_copy(
    input: Tensor,  # noqa: A002
    size: Any,
    stride: Any,
    storage_offset: int | None = None,
) -> Tensor:
    """``x.as_strided(size, stride, storage_offset)`` as a new contiguous tensor."""
    return _copy(_tensor("as_strided_copy", input).as_strided(size, stride, storage_offset))


def detach_copy(input: Tensor) -> Tensor:  # noqa: A002
    """``x.detach()`` as a new tensor: a copy outside the graph (it does not require grad)."""
    return _copy(_tensor("detach_copy", input).detach())


def diagonal_copy(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """``x.diagonal(offset, dim1, dim2)`` as a new contiguous tensor."""
    return _copy(_tensor("diagonal_copy", input).diagonal(offset, dim1, dim2))


def expand_copy(input: Tensor, size: Any, *, implicit: bool = False) -> Tensor:  # noqa: A002
    """``x.expand(size)`` as a new contiguous tensor (every element written out).
    ``implicit`` is accepted for PyTorch's signature and changes nothing."""
    return _copy(_tensor("expand_copy", input).expand(size))


def permute_copy(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    """``x.permute(dims)`` as a new contiguous tensor."""
    return _copy(_tensor("permute_copy", input).permute(dims))


def select_copy(input: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """``x.select(dim, index)`` as a new contiguous tensor."""
    return _copy(_tensor("select_copy", input).select(dim, index))


def slice_copy(
    input: Tensor,  # noqa: A002
    dim: int = 0,
    start: int | None = None,
    end: int | None = None,
    step: int = 1,
) -> Tensor:
    """Elements ``start:end:step`` of dimension ``dim`` as a new contiguous tensor (PyTorch's
    ``slice`` op; out-of-range bounds are clipped as in Python slicing).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.slice_copy(npgrad.arange(10), 0, 2, 9, 3)
    tensor([2, 5, 8])
    """
    x = _tensor("slice_copy", input)
    step = operator.index(step)
    if step <= 0:
        raise ValueError(f"slice_copy: the step must be positive, got {step}")
    if x.ndim == 0:
        raise IndexError("slice_copy: a 0-d tensor has no dimension to slice")
    d = _check_dim("slice_copy", dim, x.ndim)
    return _copy(x[(slice(None),) * d + (slice(start, end, step),)])


def split_copy(input: Tensor, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """``x.split(split_size, dim)`` with every piece a new contiguous tensor."""
    return tuple(_copy(p) for p in _tensor("split_copy", input).split(split_size, dim))


def split_with_sizes_copy(
    input: Tensor,  # noqa: A002
    split_sizes: Any,
    dim: int = 0,
) -> tuple[Tensor, ...]:
    """``x.split(split_sizes, dim)`` for a list of sizes, every piece a new contiguous tensor."""
    x = _tensor("split_with_sizes_copy", input)
    if isinstance(split_sizes, int):
        raise TypeError("split_with_sizes_copy: split_sizes must be a list of ints, got an int")
    return tuple(_copy(p) for p in x.split(list(split_sizes), dim))


def squeeze_copy(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """``x.squeeze(dim)`` as a new contiguous tensor."""
    x = _tensor("squeeze_copy", input)
    return _copy(x.squeeze() if dim is None else x.squeeze(dim))


def t_copy(input: Tensor) -> Tensor:  # noqa: A002
    """``x.t()`` as a new contiguous tensor."""
    return _copy(_tensor("t_copy", input).t())


def transpose_copy(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """``x.transpose(dim0, dim1)`` as a new contiguous tensor."""
    return _copy(_tensor("transpose_copy", input).transpose(dim0, dim1))


def unbind_copy(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """``x.unbind(dim)`` with every slice a new contiguous tensor."""
    return tuple(_copy(p) for p in _tensor("unbind_copy", input).unbind(dim))


def unfold_copy(input: Tensor, dimension: int, size: int, step: int) -> Tensor:  # noqa: A002
    """``x.unfold(dimension, size, step)`` as a new contiguous tensor."""
    return _copy(_tensor("unfold_copy", input).unfold(dimension, size, step))


def unsqueeze_copy(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """``x.unsqueeze(dim)`` as a new contiguous tensor."""
    return _copy(_tensor("unsqueeze_copy", input).unsqueeze(dim))


def view_copy(input: Tensor, size: Any) -> Tensor:  # noqa: A002
    """``x.view(size)`` as a new contiguous tensor. Like ``view`` it needs a shape that the
    input's strides allow; ``size`` may also be a dtype (``view_copy(x, npgrad.float64)`` is
    ``view``'s dtype form, which npgrad does not support)."""
    return _copy(_tensor("view_copy", input).view(size))
