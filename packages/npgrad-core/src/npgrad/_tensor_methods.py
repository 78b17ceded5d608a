"""Tensor's mathematical methods and operators: each one calls the npgrad function of the
same name (``x.exp()`` is ``npgrad.exp(x)``, ``x + y`` is ``npgrad.add(x, y)``), so there is
one code path per op. In-place variants (``x.add_(y)``) compute the op out of place and write
the result back with :meth:`Tensor._set_inplace` — one mechanism for every ``_`` method.

The op modules are imported at the bottom of this file: they need ``Tensor``, which needs
this class first. ``npgrad/__init__.py`` therefore imports this module before anything else
that touches ``npgrad.tensor``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from npgrad.autograd.grad_mode import is_grad_enabled_fast
from npgrad.ops._aliases import numpy_aliases

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["TensorMethods"]


class TensorMethods:
    __slots__ = ()

    # ---- the in-place mechanism ----------------------------------------------------------
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

        self._check_inplace(op)
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

    # ---- arithmetic operators ------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return arithmetic.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return arithmetic.add(self, other)  # commutative: the tensor first, as fast paths want

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __sub__(self, other: Any) -> Tensor:
        return arithmetic.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return arithmetic.sub(other, self)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __mul__(self, other: Any) -> Tensor:
        return arithmetic.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return arithmetic.mul(self, other)  # commutative: the tensor first, as fast paths want

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __truediv__(self, other: Any) -> Tensor:
        return arithmetic.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return arithmetic.div(other, self)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __floordiv__(self, other: Any) -> Tensor:
        return arithmetic.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return arithmetic.floor_divide(other, self)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return self._inplace("floor_divide_", arithmetic.floor_divide, other)

    def __mod__(self, other: Any) -> Tensor:
        return arithmetic.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return arithmetic.remainder(other, self)

    def __imod__(self, other: Any) -> Tensor:
        return self._inplace("remainder_", arithmetic.remainder, other)

    def __pow__(self, other: Any) -> Tensor:
        return arithmetic.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return arithmetic.pow(other, self)

    def __ipow__(self, other: Any) -> Tensor:
        return self.pow_(other)

    def __matmul__(self, other: Any) -> Tensor:
        return linalg.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return linalg.matmul(other, self)

    def __neg__(self) -> Tensor:
        return arithmetic.neg(self)

    def __pos__(self) -> Tensor:
        return self  # type: ignore[return-value]

    def __abs__(self) -> Tensor:
        return elementwise.abs(self)

    def __invert__(self) -> Tensor:
        return bitwise.bitwise_not(self)

    def __and__(self, other: Any) -> Tensor:
        return bitwise.bitwise_and(self, other)

    __rand__ = __and__

    def __iand__(self, other: Any) -> Tensor:
        return self._inplace("bitwise_and_", bitwise.bitwise_and, other)

    def __or__(self, other: Any) -> Tensor:
        return bitwise.bitwise_or(self, other)

    __ror__ = __or__

    def __ior__(self, other: Any) -> Tensor:
        return self._inplace("bitwise_or_", bitwise.bitwise_or, other)

    def __xor__(self, other: Any) -> Tensor:
        return bitwise.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __ixor__(self, other: Any) -> Tensor:
        return self._inplace("bitwise_xor_", bitwise.bitwise_xor, other)

    def __lshift__(self, other: Any) -> Tensor:
        return bitwise.bitwise_left_shift(self, other)

    def __rlshift__(self, other: Any) -> Tensor:
        return bitwise.bitwise_left_shift(other, self)

    def __ilshift__(self, other: Any) -> Tensor:
        return self._inplace("bitwise_left_shift_", bitwise.bitwise_left_shift, other)

    def __rshift__(self, other: Any) -> Tensor:
        return bitwise.bitwise_right_shift(self, other)

    def __rrshift__(self, other: Any) -> Tensor:
        return bitwise.bitwise_right_shift(other, self)

    def __irshift__(self, other: Any) -> Tensor:
        return self._inplace("bitwise_right_shift_", bitwise.bitwise_right_shift, other)

    # ---- comparisons (never differentiable) ----------------------------------------------
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        if other is None:  # torch: ``t == None`` is False (list.index, `in` rely on it)
            return False  # type: ignore[return-value]
        return comparison.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        if other is None:
            return True  # type: ignore[return-value]
        return comparison.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return comparison.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return comparison.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return comparison.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return comparison.ge(self, other)

    def eq(self, other: Any) -> Tensor:
        return comparison.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        return comparison.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        return comparison.lt(self, other)

    def le(self, other: Any) -> Tensor:
        return comparison.le(self, other)

    def gt(self, other: Any) -> Tensor:
        return comparison.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        return comparison.ge(self, other)

    def equal(self, other: Any) -> bool:
        return comparison.equal(self, other)

    def allclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> bool:
        return comparison.allclose(self, other, rtol, atol, equal_nan)

    def isnan(self) -> Tensor:
        return comparison.isnan(self)

    def isinf(self) -> Tensor:
        return comparison.isinf(self)

    def isfinite(self) -> Tensor:
        return comparison.isfinite(self)

    def logical_not(self) -> Tensor:
        return comparison.logical_not(self)

    def logical_and(self, other: Any) -> Tensor:
        return comparison.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        return comparison.logical_or(self, other)

    def logical_xor(self, other: Any) -> Tensor:
        return comparison.logical_xor(self, other)

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def eq_(self, other: Any) -> Tensor:
        return self._inplace("eq_", comparison.eq, other)

    def ne_(self, other: Any) -> Tensor:
        return self._inplace("ne_", comparison.ne, other)

    def lt_(self, other: Any) -> Tensor:
        return self._inplace("lt_", comparison.lt, other)

    def le_(self, other: Any) -> Tensor:
        return self._inplace("le_", comparison.le, other)

    def gt_(self, other: Any) -> Tensor:
        return self._inplace("gt_", comparison.gt, other)

    def ge_(self, other: Any) -> Tensor:
        return self._inplace("ge_", comparison.ge, other)

    greater_, greater_equal_, less_, less_equal_, not_equal_ = gt_, ge_, lt_, le_, ne_

    def logical_and_(self, other: Any) -> Tensor:
        return self._inplace("logical_and_", comparison.logical_and, other)

    def logical_or_(self, other: Any) -> Tensor:
        return self._inplace("logical_or_", comparison.logical_or, other)

    def logical_xor_(self, other: Any) -> Tensor:
        return self._inplace("logical_xor_", comparison.logical_xor, other)

    def logical_not_(self) -> Tensor:
        return self._inplace("logical_not_", comparison.logical_not)

    def isposinf(self) -> Tensor:
        return comparison.isposinf(self)

    def isneginf(self) -> Tensor:
        return comparison.isneginf(self)

    def isreal(self) -> Tensor:
        return comparison.isreal(self)

    def is_complex(self) -> bool:
        return False

    def is_signed(self) -> bool:
        return comparison.is_signed(self)

    def is_same_size(self, other: Tensor) -> bool:
        return comparison.is_same_size(self, other)

    # ---- arithmetic methods --------------------------------------------------------------
    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return arithmetic.add(self, other, alpha=alpha)

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self._inplace("add_", arithmetic.add, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return arithmetic.sub(self, other, alpha=alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self._inplace("sub_", arithmetic.sub, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        return arithmetic.mul(self, other)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace("mul_", arithmetic.mul, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return arithmetic.div(self, other, rounding_mode=rounding_mode)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return self._inplace("div_", arithmetic.div, other, rounding_mode=rounding_mode)

    true_divide = div
    multiply = mul
    subtract = sub
    divide = div
    true_divide_ = divide_ = div_
    multiply_ = mul_
    subtract_ = sub_

    def floor_divide(self, other: Any) -> Tensor:
        return arithmetic.floor_divide(self, other)

    def remainder(self, other: Any) -> Tensor:
        return arithmetic.remainder(self, other)

    def pow(self, exponent: Any) -> Tensor:
        return arithmetic.pow(self, exponent)

    def pow_(self, exponent: Any) -> Tensor:
        return self._inplace("pow_", arithmetic.pow, exponent)

    def remainder_(self, other: Any) -> Tensor:
        return self._inplace("remainder_", arithmetic.remainder, other)

    def neg(self) -> Tensor:
        return arithmetic.neg(self)

    def neg_(self) -> Tensor:
        return self._inplace("neg_", arithmetic.neg)

    negative = neg

    # ---- elementwise ---------------------------------------------------------------------
    def abs(self) -> Tensor:
        return elementwise.abs(self)

    def abs_(self) -> Tensor:
        return self._inplace("abs_", elementwise.abs)

    def sign(self) -> Tensor:
        return elementwise.sign(self)

    def sign_(self) -> Tensor:
        return self._inplace("sign_", elementwise.sign)

    def exp(self) -> Tensor:
        return elementwise.exp(self)

    def exp_(self) -> Tensor:
        return self._inplace("exp_", elementwise.exp)

    def expm1(self) -> Tensor:
        return elementwise.expm1(self)

    def log(self) -> Tensor:
        return elementwise.log(self)

    def log_(self) -> Tensor:
        return self._inplace("log_", elementwise.log)

    def log2(self) -> Tensor:
        return elementwise.log2(self)

    def log10(self) -> Tensor:
        return elementwise.log10(self)

    def log1p(self) -> Tensor:
        return elementwise.log1p(self)

    def sqrt(self) -> Tensor:
        return elementwise.sqrt(self)

    def sqrt_(self) -> Tensor:
        return self._inplace("sqrt_", elementwise.sqrt)

    def rsqrt(self) -> Tensor:
        return elementwise.rsqrt(self)

    def rsqrt_(self) -> Tensor:
        return self._inplace("rsqrt_", elementwise.rsqrt)

    def square(self) -> Tensor:
        return elementwise.square(self)

    def reciprocal(self) -> Tensor:
        return elementwise.reciprocal(self)

    def reciprocal_(self) -> Tensor:
        return self._inplace("reciprocal_", elementwise.reciprocal)

    def sin(self) -> Tensor:
        return elementwise.sin(self)

    def sin_(self) -> Tensor:
        return self._inplace("sin_", elementwise.sin)

    def cos(self) -> Tensor:
        return elementwise.cos(self)

    def cos_(self) -> Tensor:
        return self._inplace("cos_", elementwise.cos)

    def tan(self) -> Tensor:
        return elementwise.tan(self)

    def tan_(self) -> Tensor:
        return self._inplace("tan_", elementwise.tan)

    def asin(self) -> Tensor:
        return elementwise.asin(self)

    def acos(self) -> Tensor:
        return elementwise.acos(self)

    def atan(self) -> Tensor:
        return elementwise.atan(self)

    def atan2(self, other: Any) -> Tensor:
        return binary.atan2(self, other)

    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2

    def sinh(self) -> Tensor:
        return elementwise.sinh(self)

    def cosh(self) -> Tensor:
        return elementwise.cosh(self)

    def tanh(self) -> Tensor:
        return elementwise.tanh(self)

    def tanh_(self) -> Tensor:
        return self._inplace("tanh_", elementwise.tanh)

    def sigmoid(self) -> Tensor:
        return elementwise.sigmoid(self)

    def sigmoid_(self) -> Tensor:
        return self._inplace("sigmoid_", elementwise.sigmoid)

    def relu(self) -> Tensor:
        return elementwise.relu(self)

    def relu_(self) -> Tensor:
        return self._inplace("relu_", elementwise.relu)

    def floor(self) -> Tensor:
        return elementwise.floor(self)

    def floor_(self) -> Tensor:
        return self._inplace("floor_", elementwise.floor)

    def ceil(self) -> Tensor:
        return elementwise.ceil(self)

    def ceil_(self) -> Tensor:
        return self._inplace("ceil_", elementwise.ceil)

    def round(self, *, decimals: int = 0) -> Tensor:
        return elementwise.round(self, decimals=decimals)

    def round_(self, *, decimals: int = 0) -> Tensor:
        return self._inplace("round_", elementwise.round, decimals=decimals)

    def trunc(self) -> Tensor:
        return elementwise.trunc(self)

    def trunc_(self) -> Tensor:
        return self._inplace("trunc_", elementwise.trunc)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return binary.clamp(self, min, max)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return self._inplace("clamp_", binary.clamp, min, max)

    clip, clip_ = clamp, clamp_

    def maximum(self, other: Any) -> Tensor:
        return binary.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return binary.minimum(self, other)

    def where(self, condition: Any, other: Any) -> Tensor:
        return comparison.where(condition, self, other)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        return binary.lerp(self, end, weight)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return self._inplace("lerp_", binary.lerp, end, weight)

    # in-place forms of the ops above, and PyTorch's other elementwise names (npgrad.ops.special)
    def expm1_(self) -> Tensor:
        return self._inplace("expm1_", elementwise.expm1)

    def log2_(self) -> Tensor:
        return self._inplace("log2_", elementwise.log2)

    def log10_(self) -> Tensor:
        return self._inplace("log10_", elementwise.log10)

    def log1p_(self) -> Tensor:
        return self._inplace("log1p_", elementwise.log1p)

    def square_(self) -> Tensor:
        return self._inplace("square_", elementwise.square)

    def asin_(self) -> Tensor:
        return self._inplace("asin_", elementwise.asin)

    def acos_(self) -> Tensor:
        return self._inplace("acos_", elementwise.acos)

    def atan_(self) -> Tensor:
        return self._inplace("atan_", elementwise.atan)

    def atan2_(self, other: Any) -> Tensor:
        return self._inplace("atan2_", binary.atan2, other)

    arcsin_, arccos_, arctan_, arctan2_ = asin_, acos_, atan_, atan2_

    def sinh_(self) -> Tensor:
        return self._inplace("sinh_", elementwise.sinh)

    def cosh_(self) -> Tensor:
        return self._inplace("cosh_", elementwise.cosh)

    def asinh(self) -> Tensor:
        return special.asinh(self)

    def asinh_(self) -> Tensor:
        return self._inplace("asinh_", special.asinh)

    def acosh(self) -> Tensor:
        return special.acosh(self)

    def acosh_(self) -> Tensor:
        return self._inplace("acosh_", special.acosh)

    def atanh(self) -> Tensor:
        return special.atanh(self)

    def atanh_(self) -> Tensor:
        return self._inplace("atanh_", special.atanh)

    arcsinh, arcsinh_, arccosh, arccosh_ = asinh, asinh_, acosh, acosh_
    arctanh, arctanh_ = atanh, atanh_

    def exp2(self) -> Tensor:
        return special.exp2(self)

    def exp2_(self) -> Tensor:
        return self._inplace("exp2_", special.exp2)

    def sinc(self) -> Tensor:
        return special.sinc(self)

    def sinc_(self) -> Tensor:
        return self._inplace("sinc_", special.sinc)

    def absolute(self) -> Tensor:
        return elementwise.abs(self)

    def absolute_(self) -> Tensor:
        return self._inplace("absolute_", elementwise.abs)

    def negative_(self) -> Tensor:
        return self._inplace("negative_", arithmetic.neg)

    def positive(self) -> Tensor:
        return special.positive(self)

    def sgn(self) -> Tensor:
        return special.sgn(self)

    def sgn_(self) -> Tensor:
        return self._inplace("sgn_", special.sgn)

    def signbit(self) -> Tensor:
        return special.signbit(self)

    def fix(self) -> Tensor:
        return special.fix(self)

    def fix_(self) -> Tensor:
        return self._inplace("fix_", special.fix)

    def deg2rad_(self) -> Tensor:
        return self._inplace("deg2rad_", extras.deg2rad)

    def rad2deg_(self) -> Tensor:
        return self._inplace("rad2deg_", extras.rad2deg)

    def nan_to_num(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        return special.nan_to_num(self, nan, posinf, neginf)

    def nan_to_num_(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        return self._inplace("nan_to_num_", special.nan_to_num, nan, posinf, neginf)

    def logit(self, eps: float | None = None) -> Tensor:
        return special.logit(self, eps)

    def logit_(self, eps: float | None = None) -> Tensor:
        return self._inplace("logit_", special.logit, eps)

    def xlogy(self, other: Any) -> Tensor:
        return special.xlogy(self, other)

    def xlogy_(self, other: Any) -> Tensor:
        return self._inplace("xlogy_", special.xlogy, other)

    def erf_(self) -> Tensor:
        return self._inplace("erf_", activation.erf)

    def erfc(self) -> Tensor:
        return special.erfc(self)

    def erfc_(self) -> Tensor:
        return self._inplace("erfc_", special.erfc)

    def erfinv(self) -> Tensor:
        return special.erfinv(self)

    def erfinv_(self) -> Tensor:
        return self._inplace("erfinv_", special.erfinv)

    # ---- reductions ----------------------------------------------------------------------
    @numpy_aliases
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return reduction.sum(self, dim, keepdim, dtype=dtype)

    @numpy_aliases
    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return reduction.mean(self, dim, keepdim, dtype=dtype)

    @numpy_aliases
    def var(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
    ) -> Tensor:
        return reduction.var(self, dim, unbiased, keepdim, correction=correction)

    @numpy_aliases
    def std(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
    ) -> Tensor:
        return reduction.std(self, dim, unbiased, keepdim, correction=correction)

    @numpy_aliases
    def prod(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return reduction.prod(self, dim, keepdim, dtype=dtype)

    @numpy_aliases
    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        return extrema.max(self, dim, keepdim)

    @numpy_aliases
    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return extrema.min(self, dim, keepdim)

    @numpy_aliases
    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return extrema.amax(self, dim, keepdim)

    @numpy_aliases
    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return extrema.amin(self, dim, keepdim)

    @numpy_aliases
    def argmax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return extrema.argmax(self, dim, keepdim)

    @numpy_aliases
    def argmin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return extrema.argmin(self, dim, keepdim)

    @numpy_aliases
    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return reduction.logsumexp(self, dim, keepdim)

    @numpy_aliases
    def norm(
        self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
    ) -> Tensor:
        return reduction.norm(self, p, dim, keepdim, dtype=dtype)

    @numpy_aliases
    def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor:
        return scan.cumsum(self, dim, dtype=dtype)

    @numpy_aliases
    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        return scan.cumprod(self, dim, dtype=dtype)

    @numpy_aliases
    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return reduction.any(self, dim, keepdim)

    @numpy_aliases
    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return reduction.all(self, dim, keepdim)

    # ---- shape ---------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        return shape_ops.reshape(self, *shape)

    def view(self, *shape: Any) -> Tensor:
        return shape_ops.view(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        return shape_ops.view(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return shape_ops.reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return shape_ops.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        return shape_ops.unflatten(self, dim, sizes)

    @numpy_aliases
    def squeeze(self, dim: Any = None) -> Tensor:
        return shape_ops.squeeze(self, dim)

    @numpy_aliases
    def squeeze_(self, dim: Any = None) -> Tensor:
        return self._inplace_view("squeeze_", shape_ops.squeeze, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return shape_ops.unsqueeze(self, dim)

    def unsqueeze_(self, dim: int) -> Tensor:
        return self._inplace_view("unsqueeze_", shape_ops.unsqueeze, dim)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return shape_ops.transpose(self, dim0, dim1)

    swapaxes = swapdims = transpose

    def transpose_(self, dim0: int, dim1: int) -> Tensor:
        return self._inplace_view("transpose_", shape_ops.transpose, dim0, dim1)

    swapaxes_ = swapdims_ = transpose_

    def t(self) -> Tensor:
        return shape_ops.t(self)

    def t_(self) -> Tensor:
        return self._inplace_view("t_", shape_ops.t)

    @property
    def T(self) -> Tensor:  # noqa: N802
        return shape_ops.permute(self, tuple(range(self.ndim - 1, -1, -1)))  # type: ignore[attr-defined]

    @property
    def mT(self) -> Tensor:  # noqa: N802
        return shape_ops.transpose(self, -2, -1)

    def permute(self, *dims: Any) -> Tensor:
        return shape_ops.permute(self, *dims)

    def expand(self, *sizes: Any) -> Tensor:
        return shape_ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return shape_ops.expand(self, other.shape)

    def broadcast_to(self, shape: Any) -> Tensor:
        return shape_ops.expand(self, shape)

    def repeat(self, *sizes: Any) -> Tensor:
        return shape_ops.repeat(self, *sizes)

    def tile(self, *dims: Any) -> Tensor:
        return shape_ops.tile(self, *dims)

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        # PyTorch's method names its argument ``split_size`` (an int or a list of sizes);
        # the function ``npgrad.split`` names it ``split_size_or_sections``
        return shape_ops.split(self, split_size, dim)

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return other_ops.tensor_split(self, indices_or_sections, dim)

    def select(self, dim: int, index: int) -> Tensor:
        return other_ops.select(self, dim, index)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return shape_ops.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return shape_ops.unbind(self, dim)

    def flip(self, *dims: Any) -> Tensor:
        return shape_ops.flip(self, *dims)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return shape_ops.roll(self, shifts, dims)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return shape_ops.diagonal(self, offset, dim1, dim2)

    def trace(self) -> Tensor:
        return shape_ops.trace(self)

    def tril(self, diagonal: int = 0) -> Tensor:
        return shape_ops.tril(self, diagonal)

    def tril_(self, diagonal: int = 0) -> Tensor:
        return self._inplace("tril_", shape_ops.tril, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return shape_ops.triu(self, diagonal)

    def triu_(self, diagonal: int = 0) -> Tensor:
        return self._inplace("triu_", shape_ops.triu, diagonal)

    def diag(self, diagonal: int = 0) -> Tensor:
        return other_ops.diag(self, diagonal)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        return other_ops.diag_embed(self, offset, dim1, dim2)

    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Tensor:
        return self._inplace("fill_diagonal_", other_ops._fill_diagonal, fill_value, wrap)

    def rot90(self, k: int = 1, dims: Any = (0, 1)) -> Tensor:
        return other_ops.rot90(self, k, dims)

    def clone(self) -> Tensor:
        return shape_ops.clone(self)

    def contiguous(self) -> Tensor:
        return shape_ops.contiguous(self)

    def __getitem__(self, key: Any) -> Tensor:
        return shape_ops.getitem(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        indexing.setitem(self, key, value)

    def index_put(self, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
        return shape_ops.index_put(self, tuple(indices), values, accumulate)

    def index_put_(self, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
        return self._inplace("index_put_", shape_ops.index_put, tuple(indices), values, accumulate)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return shape_ops.movedim(self, source, destination)

    moveaxis = movedim

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return shape_ops.narrow(self, dim, start, length)

    # ---- gather / scatter / index / masked (npgrad.ops.gather_scatter, ops.selection) ----
    def gather(self, dim: int, index: Any) -> Tensor:
        return shape_ops.gather(self, dim, index)

    def scatter(
        self, dim: int, index: Any, src: Any = None, value: Any = None, *, reduce: str | None = None
    ) -> Tensor:
        return shape_ops.scatter(self, dim, index, src, value, reduce=reduce)

    def scatter_(
        self, dim: int, index: Any, src: Any = None, value: Any = None, *, reduce: str | None = None
    ) -> Tensor:
        return self._inplace("scatter_", shape_ops.scatter, dim, index, src, value, reduce=reduce)

    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor:
        return shape_ops.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Tensor:
        return self._inplace("scatter_add_", shape_ops.scatter_add, dim, index, src)

    def scatter_reduce(
        self, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        return shape_ops.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def scatter_reduce_(
        self, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        return self._inplace(
            "scatter_reduce_",
            shape_ops.scatter_reduce,
            dim,
            index,
            src,
            reduce,
            include_self=include_self,
        )

    def index_select(self, dim: int, index: Any) -> Tensor:
        return shape_ops.index_select(self, dim, index)

    def index_add(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        return shape_ops.index_add(self, dim, index, source, alpha=alpha)

    def index_add_(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        return self._inplace("index_add_", shape_ops.index_add, dim, index, source, alpha=alpha)

    def index_copy(self, dim: int, index: Any, source: Any) -> Tensor:
        return shape_ops.index_copy(self, dim, index, source)

    def index_copy_(self, dim: int, index: Any, source: Any) -> Tensor:
        return self._inplace("index_copy_", shape_ops.index_copy, dim, index, source)

    def index_fill(self, dim: int, index: Any, value: Any) -> Tensor:
        return shape_ops.index_fill(self, dim, index, value)

    def index_fill_(self, dim: int, index: Any, value: Any) -> Tensor:
        return self._inplace("index_fill_", shape_ops.index_fill, dim, index, value)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        return shape_ops.masked_fill(self, mask, value)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return self._inplace("masked_fill_", shape_ops.masked_fill, mask, value)

    def masked_select(self, mask: Any) -> Tensor:
        return shape_ops.masked_select(self, mask)

    def masked_scatter(self, mask: Any, source: Any) -> Tensor:
        return shape_ops.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask: Any, source: Any) -> Tensor:
        return self._inplace("masked_scatter_", shape_ops.masked_scatter, mask, source)

    def take(self, index: Any) -> Tensor:
        return shape_ops.take(self, index)

    def take_along_dim(self, indices: Any, dim: int | None = None) -> Tensor:
        return shape_ops.take_along_dim(self, indices, dim)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return shape_ops.nonzero(self, as_tuple=as_tuple)

    def nonzero_static(self, *, size: int, fill_value: int = -1) -> Tensor:
        return selection.nonzero_static(self, size=size, fill_value=fill_value)

    def argwhere(self) -> Tensor:
        return shape_ops.argwhere(self)

    # ---- sorting (npgrad.ops.sorting) ----------------------------------------------------
    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        return sorting.sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return sorting.argsort(self, dim, descending, stable)

    def msort(self) -> Tensor:
        return sorting.msort(self)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        return sorting.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        return sorting.kthvalue(self, k, dim, keepdim)

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return sorting.median(self, dim, keepdim)

    def nanmedian(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return sorting.nanmedian(self, dim, keepdim)

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        return sorting.mode(self, dim, keepdim)

    def unique(
        self,
        sorted: bool = True,  # noqa: A002
        return_inverse: bool = False,
        return_counts: bool = False,
        dim: int | None = None,
    ) -> Any:
        return sorting.unique(self, sorted, return_inverse, return_counts, dim)

    def unique_consecutive(
        self, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
    ) -> Any:
        return sorting.unique_consecutive(self, return_inverse, return_counts, dim)

    # ---- linear algebra ------------------------------------------------------------------
    def matmul(self, other: Any) -> Tensor:
        return linalg.matmul(self, other)

    def mm(self, other: Any) -> Tensor:
        return linalg.mm(self, other)

    def bmm(self, other: Any) -> Tensor:
        return linalg.bmm(self, other)

    def mv(self, other: Any) -> Tensor:
        return linalg.mv(self, other)

    def dot(self, other: Any) -> Tensor:
        return linalg.dot(self, other)

    def outer(self, other: Any) -> Tensor:
        return linalg.outer(self, other)

    # ---- npgrad.ops.extras (with cross, kron, diff, repeat_interleave of npgrad.ops.other and
    # cummax, cummin, logcumsumexp of npgrad.ops.scan) ----------------------------------------
    def fmod(self, other: Any) -> Tensor:
        return extras.fmod(self, other)

    def fmod_(self, other: Any) -> Tensor:
        return self._inplace("fmod_", extras.fmod, other)

    def hypot(self, other: Any) -> Tensor:
        return extras.hypot(self, other)

    def hypot_(self, other: Any) -> Tensor:
        return self._inplace("hypot_", extras.hypot, other)

    def logaddexp(self, other: Any) -> Tensor:
        return extras.logaddexp(self, other)

    def copysign(self, other: Any) -> Tensor:
        return extras.copysign(self, other)

    def copysign_(self, other: Any) -> Tensor:
        return self._inplace("copysign_", extras.copysign, other)

    def frac(self) -> Tensor:
        return extras.frac(self)

    def frac_(self) -> Tensor:
        return self._inplace("frac_", extras.frac)

    def isclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> Tensor:
        return extras.isclose(self, other, rtol, atol, equal_nan)

    def cross(self, other: Any, dim: int | None = None) -> Tensor:
        return other_ops.cross(self, other, dim)

    def kron(self, other: Any) -> Tensor:
        return other_ops.kron(self, other)

    @numpy_aliases
    def cummax(self, dim: int) -> Any:
        return scan.cummax(self, dim)

    @numpy_aliases
    def cummin(self, dim: int) -> Any:
        return scan.cummin(self, dim)

    @numpy_aliases
    def logcumsumexp(self, dim: int) -> Tensor:
        return scan.logcumsumexp(self, dim)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:
        return extras.bincount(self, weights, minlength)

    def deg2rad(self) -> Tensor:
        return extras.deg2rad(self)

    def rad2deg(self) -> Tensor:
        return extras.rad2deg(self)

    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002
        return extras.clamp_min(self, min)

    def clamp_min_(self, min: Any) -> Tensor:  # noqa: A002
        return self._inplace("clamp_min_", extras.clamp_min, min)

    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002
        return extras.clamp_max(self, max)

    def clamp_max_(self, max: Any) -> Tensor:  # noqa: A002
        return self._inplace("clamp_max_", extras.clamp_max, max)

    def addmm(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return extras.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmm_(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace("addmm_", extras.addmm, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return extras.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def addmv_(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace("addmv_", extras.addmv, mat, vec, beta=beta, alpha=alpha)

    def baddbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return extras.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm_(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace("baddbmm_", extras.baddbmm, batch1, batch2, beta=beta, alpha=alpha)

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
        return other_ops.diff(self, n, dim, prepend, append)

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return extras.addcmul(self, tensor1, tensor2, value=value)

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return self._inplace("addcmul_", extras.addcmul, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return extras.addcdiv(self, tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return self._inplace("addcdiv_", extras.addcdiv, tensor1, tensor2, value=value)

    def repeat_interleave(
        self, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
    ) -> Tensor:
        if repeats is None:  # ``t.repeat_interleave()``: PyTorch's index form on ``t``
            return other_ops.repeat_interleave(self)
        return other_ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    @numpy_aliases
    def count_nonzero(self, dim: Any = None) -> Tensor:
        return extras.count_nonzero(self, dim)

    @numpy_aliases
    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return extras.nansum(self, dim, keepdim, dtype=dtype)

    @numpy_aliases
    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return extras.nanmean(self, dim, keepdim, dtype=dtype)

    def is_nonzero(self) -> bool:
        return extras.is_nonzero(self)  # type: ignore[arg-type]

    # ---- new tensors like this one, and memory layout --------------------------------------
    def new_tensor(
        self: Any, data: Any, *, dtype: Any = None, requires_grad: bool = False
    ) -> Tensor:
        """A new leaf holding a copy of ``data``, with this tensor's dtype unless ``dtype`` is
        given (a Tensor ``data`` is detached and copied).

        Examples
        --------
        >>> import npgrad
        >>> npgrad.tensor([1.5]).new_tensor([1, 2])
        tensor([1., 2.])
        """
        if hasattr(data, "_data"):
            data = data._data
        return creation.tensor(
            data, dtype=self.dtype if dtype is None else dtype, requires_grad=requires_grad
        )

    def new_zeros(self: Any, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """A tensor of zeros of ``size`` with this tensor's dtype unless ``dtype`` is given.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.tensor([1, 2]).new_zeros(2, 3).dtype
        dtype('int64')
        """
        d = self.dtype if dtype is None else dtype
        return creation.zeros(*size, dtype=d, requires_grad=requires_grad)

    def new_ones(self: Any, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """A tensor of ones of ``size`` with this tensor's dtype unless ``dtype`` is given.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(1, dtype=npgrad.float64).new_ones((2,))
        tensor([1., 1.], dtype=npgrad.float64)
        """
        d = self.dtype if dtype is None else dtype
        return creation.ones(*size, dtype=d, requires_grad=requires_grad)

    def new_empty(self: Any, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """An uninitialised tensor of ``size`` with this tensor's dtype unless ``dtype`` is
        given.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(1).new_empty(2, 2).shape
        (2, 2)
        """
        d = self.dtype if dtype is None else dtype
        return creation.empty(*size, dtype=d, requires_grad=requires_grad)

    def new_full(
        self: Any, size: Any, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False
    ) -> Tensor:
        """A tensor of ``size`` filled with ``fill_value``, with this tensor's dtype unless
        ``dtype`` is given.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(1).new_full((2,), 3)
        tensor([3., 3.])
        """
        d = self.dtype if dtype is None else dtype
        return creation.full(size, fill_value, dtype=d, requires_grad=requires_grad)

    def stride(self: Any, dim: int | None = None) -> Any:
        """The step, in elements, between consecutive entries of each dimension (a tuple), or
        of dimension ``dim`` — PyTorch's ``stride()`` (NumPy's ``strides`` are in bytes).

        Examples
        --------
        >>> import npgrad
        >>> x = npgrad.zeros(2, 3)
        >>> x.stride(), x.t().stride(), x.stride(-1)
        ((3, 1), (1, 3), 1)
        """
        data = self._data
        strides = tuple(s // data.itemsize for s in data.strides)
        if dim is None:
            return strides
        from npgrad.tensor import _check_dim

        if data.ndim == 0:
            raise IndexError("stride: a 0-d tensor has no dimensions")
        return strides[_check_dim("stride", dim, data.ndim)]

    def storage_offset(self: Any) -> int:
        """How many elements into the memory it shares with other tensors this tensor starts
        (0 unless it is a view that starts later, like ``x[1:]``).

        Examples
        --------
        >>> import npgrad
        >>> x = npgrad.zeros(3, 4)
        >>> x.storage_offset(), x[1:, 1:].storage_offset()
        (0, 5)
        """
        data = base = self._data
        while isinstance(base.base, np.ndarray):  # the array that owns the memory
            base = base.base
        start = base.__array_interface__["data"][0]
        return (data.__array_interface__["data"][0] - start) // data.itemsize  # type: ignore[no-any-return]

    def data_ptr(self: Any) -> int:
        """The memory address of the first element (equal for tensors that alias it).

        Examples
        --------
        >>> import npgrad
        >>> x = npgrad.zeros(3)
        >>> x.data_ptr() == x.view(3).data_ptr(), x[1:].data_ptr() - x.data_ptr()
        (True, 4)
        """
        return self._data.__array_interface__["data"][0]  # type: ignore[no-any-return]

    def get_device(self: Any) -> int:
        """The device index: always -1, PyTorch's answer for a CPU tensor.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(1).get_device()
        -1
        """
        return -1

    def nelement(self: Any) -> int:
        """The number of elements: an alias of :meth:`numel`.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(2, 3).nelement()
        6
        """
        return self.numel()

    # ---- PyTorch's remaining Tensor methods (npgrad.ops.products, shape_more, ...) --------
    def ravel(self) -> Tensor:
        return shape_more.ravel(self)

    def ger(self, vec2: Any) -> Tensor:
        return products.ger(self, vec2)

    def inner(self, other: Any) -> Tensor:
        return products.inner(self, other)

    def vdot(self, other: Any) -> Tensor:
        return products.vdot(self, other)

    def addr(self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return products.addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def addr_(self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace("addr_", products.addr, vec1, vec2, beta=beta, alpha=alpha)

    def addbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return products.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm_(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace("addbmm_", products.addbmm, batch1, batch2, beta=beta, alpha=alpha)

    @numpy_aliases
    def cumsum_(self, dim: Any, *, dtype: Any = None) -> Tensor:
        return self._inplace("cumsum_", scan.cumsum, dim, dtype=dtype)

    @numpy_aliases
    def cumprod_(self, dim: Any, *, dtype: Any = None) -> Tensor:
        return self._inplace("cumprod_", scan.cumprod, dim, dtype=dtype)

    def floor_divide_(self, other: Any) -> Tensor:
        return self._inplace("floor_divide_", arithmetic.floor_divide, other)

    def unsafe_chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return shape_more.unsafe_chunk(self, chunks, dim)

    def unsafe_split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return shape_more.unsafe_split(self, split_size, dim)

    def unsafe_split_with_sizes(self, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return shape_more.unsafe_split_with_sizes(self, split_sizes, dim)

    def hardshrink(self, lambd: float = 0.5) -> Tensor:
        return activation.hardshrink(self, lambd)

    def prelu(self, weight: Any) -> Tensor:
        return activation.prelu(self, weight)

    def put(self, index: Any, source: Any, accumulate: bool = False) -> Tensor:
        return indexing.put(self, index, source, accumulate)

    def put_(self, index: Any, source: Any, accumulate: bool = False) -> Tensor:
        return self._inplace("put_", indexing.put, index, source, accumulate)

    def index_reduce(
        self, dim: int, index: Any, source: Any, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        return gather_scatter.index_reduce(
            self, dim, index, source, reduce, include_self=include_self
        )

    def index_reduce_(
        self, dim: int, index: Any, source: Any, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        return self._inplace(
            "index_reduce_",
            gather_scatter.index_reduce,
            dim,
            index,
            source,
            reduce,
            include_self=include_self,
        )

    def as_strided(self, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:
        return assembly.as_strided(self, size, stride, storage_offset)

    def as_strided_(self, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:
        return self._inplace_view("as_strided_", assembly.as_strided, size, stride, storage_offset)  # type: ignore[attr-defined,no-any-return]

    def narrow_copy(self, dim: int, start: int, length: int) -> Tensor:
        return shape_more.narrow_copy(self, dim, start, length)

    def sum_to_size(self: Any, *size: Any) -> Tensor:
        """The sum of this tensor down to ``size``, which must expand to this tensor's
        shape: the dimensions broadcasting would stretch or add are summed.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.ones(2, 3).sum_to_size(1, 3)
        tensor([[2., 2., 2.]])
        """
        shape = creation._size("sum_to_size", size)
        ok = len(shape) <= self.ndim and all(
            s in (1, n) for s, n in zip(shape[::-1], self.shape[::-1])
        )
        if not ok:
            raise ValueError(
                f"sum_to_size: size {shape} is not expandable to size {tuple(self.shape)}"
            )
        return sum_to(self, shape)  # type: ignore[no-any-return]

    @property
    def output_nr(self: Any) -> int:
        """Which output of its ``grad_fn`` this tensor is (0 for a leaf).

        Examples
        --------
        >>> import npgrad
        >>> a, b = npgrad.ones(4, requires_grad=True).split(2)
        >>> a.output_nr, b.output_nr
        (0, 1)
        """
        return int(self._output_nr)

    def new(self: Any, *args: Any) -> Tensor:
        """PyTorch's legacy constructor, with this tensor's dtype: ``x.new(data)`` copies a
        sequence or array, ``x.new(*sizes)`` is uninitialised, ``x.new()`` is empty and
        ``x.new(t)`` returns a tensor ``t`` of the same dtype detached (sharing memory).

        Examples
        --------
        >>> import npgrad
        >>> x = npgrad.zeros(1)
        >>> x.new([1, 2]), x.new(2, 3).shape, x.new().shape
        (tensor([1., 2.]), (2, 3), (0,))
        """
        from npgrad.tensor import Tensor

        if not args:
            return creation.empty(0, dtype=self.dtype)
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0].dtype != self.dtype:
                raise TypeError(
                    f"new: expected a tensor of dtype {self.dtype}, got {args[0].dtype}"
                )
            return args[0].detach()  # type: ignore[no-any-return]
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            return creation.empty(*args, dtype=self.dtype)
        if len(args) == 1:
            return creation.tensor(args[0], dtype=self.dtype)
        raise TypeError(f"new: expected data or sizes (ints), got {args!r}")

    def new_empty_strided(
        self: Any, size: Any, stride: Any, *, dtype: Any = None, requires_grad: bool = False
    ) -> Tensor:
        """:func:`npgrad.empty_strided` with this tensor's dtype unless ``dtype`` is given.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(1).new_empty_strided((2, 2), (1, 2)).stride()
        (1, 2)
        """
        d = self.dtype if dtype is None else dtype
        return creation.empty_strided(size, stride, dtype=d, requires_grad=requires_grad)

    def resize_(self: Any, *sizes: Any) -> Tensor:
        """Give this tensor the shape ``sizes`` in place, keeping its first elements in
        row-major order: extra elements are uninitialised, missing ones dropped. Refused on
        a tensor that requires grad, as in PyTorch.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.arange(6).resize_(2, 2)
        tensor([[0, 1],
                [2, 3]])
        """
        if self._requires_grad:
            raise RuntimeError("resize_: cannot resize a tensor that requires grad")
        shape = creation._size("resize_", sizes)
        self._check_inplace("resize_")
        if self._view is not None and shape != tuple(self.shape):
            # npgrad cannot grow or re-lay the memory a view shares with its base
            raise RuntimeError(
                f"resize_: can't resize a view of another tensor (shape {tuple(self.shape)} to "
                f"{shape}); resize a .clone() instead"
            )
        n = int(np.prod(shape, dtype=np.int64))
        flat = self._data.reshape(-1)
        if n == flat.size:
            new = flat.reshape(shape)
        else:
            new = np.empty(n, dtype=self.dtype)
            k = min(n, flat.size)
            new[:k] = flat[:k]
            if n > k and self.dtype.kind in "fc":
                new[k:] = 0  # NumPy's garbage may hold signalling patterns: zeros are safer
            new = new.reshape(shape)
        self._data = new
        self._version += 1
        return self  # type: ignore[no-any-return]

    def resize_as_(self: Any, other: Any) -> Tensor:
        """:meth:`resize_` to ``other``'s shape.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.zeros(4).resize_as_(npgrad.ones(2, 2)).shape
        (2, 2)
        """
        return self.resize_(tuple(other.shape))  # type: ignore[no-any-return]

    def _python_map(self: Any, op: str, fn: Any, *others: Any) -> Tensor:
        if not callable(fn):
            raise TypeError(f"{op}: expected a callable, got {type(fn).__name__}")
        if self._requires_grad:
            raise RuntimeError(
                f"{op}: can't apply a Python function to a tensor that requires grad (it "
                "would not be differentiable)"
            )
        arrs = [np.broadcast_to(getattr(o, "_data", o), self.shape) for o in others]
        self._check_inplace(op)
        out = np.empty(self.shape, dtype=self.dtype)
        for i in np.ndindex(self.shape):
            out[i] = fn(self._data[i].item(), *(a[i].item() for a in arrs))
        self._data[...] = out
        return self._mark_modified(None)  # type: ignore[no-any-return]

    def apply_(self, callable: Any) -> Tensor:  # noqa: A002
        """Replace each element ``v`` by ``callable(v)`` in place (a Python loop: slow;
        refused on a tensor that requires grad).

        Examples
        --------
        >>> import npgrad
        >>> npgrad.tensor([1, 2]).apply_(lambda v: v * 10)
        tensor([10, 20])
        """
        return self._python_map("apply_", callable)

    def map_(self, tensor: Any, callable: Any) -> Tensor:  # noqa: A002
        """Replace each element ``v`` by ``callable(v, w)``, ``w`` the element of ``tensor``
        (broadcast to this shape), in place.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.tensor([1, 2]).map_(npgrad.tensor([3, 4]), lambda a, b: a * b)
        tensor([3, 8])
        """
        return self._python_map("map_", callable, tensor)

    def map2_(self, x: Any, y: Any, callable: Any) -> Tensor:  # noqa: A002
        """Replace each element ``v`` by ``callable(v, a, b)``, ``a`` and ``b`` the elements
        of ``x`` and ``y`` (broadcast to this shape), in place.

        Examples
        --------
        >>> import npgrad
        >>> npgrad.tensor([1, 2]).map2_(npgrad.tensor([3, 4]), npgrad.tensor(1), max)
        tensor([3, 4])
        """
        return self._python_map("map2_", callable, x, y)

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Tensor:
        from npgrad.random import bernoulli

        return bernoulli(self, p, generator=generator)

    def multinomial(
        self, num_samples: int, replacement: bool = False, *, generator: Any = None
    ) -> Tensor:
        from npgrad.random import multinomial

        return multinomial(self, num_samples, replacement, generator=generator)  # type: ignore[arg-type]

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        """Fill with 0/1 samples, 1 with probability ``p`` (a number or a tensor)."""
        return _random_more.bernoulli_(self, p, generator)  # type: ignore[arg-type]

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples from the Cauchy law of ``median`` and ``sigma``."""
        return _random_more.cauchy_(self, median, sigma, generator)  # type: ignore[arg-type]

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples from the exponential law of rate ``lambd``."""
        return _random_more.exponential_(self, lambd, generator)  # type: ignore[arg-type]

    def geometric_(self, p: float, *, generator: Any = None) -> Tensor:
        """Fill with samples from the geometric law on 1, 2, ... of success rate ``p``."""
        return _random_more.geometric_(self, p, generator)  # type: ignore[arg-type]

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> Tensor:
        """Fill with ``exp`` of samples from ``N(mean, std**2)``."""
        return _random_more.log_normal_(self, mean, std, generator)  # type: ignore[arg-type]

    def random_(self, from_: Any = None, to: Any = None, *, generator: Any = None) -> Tensor:
        """Fill with integers drawn uniformly from ``[from_, to - 1]`` (see
        :func:`npgrad._random_more.random_` for the defaults)."""
        return _random_more.random_(self, from_, to, generator)  # type: ignore[arg-type]

    def conj(self) -> Tensor:
        return conjugation.conj(self)

    def conj_physical(self) -> Tensor:
        return conjugation.conj_physical(self)

    def resolve_conj(self) -> Tensor:
        return conjugation.resolve_conj(self)

    def resolve_neg(self) -> Tensor:
        return conjugation.resolve_neg(self)

    def is_conj(self) -> bool:
        return conjugation.is_conj(self)

    def is_neg(self) -> bool:
        return conjugation.is_neg(self)

    def adjoint(self) -> Tensor:
        return conjugation.adjoint(self)

    @property
    def real(self: Any) -> Tensor:
        """The real part: this tensor itself (npgrad's tensors are real)."""
        return self  # type: ignore[no-any-return]

    @property
    def mH(self: Any) -> Tensor:  # noqa: N802 - PyTorch's name
        """The conjugate transpose of the last two dimensions: ``mT`` for a real tensor (a 0-d
        tensor is returned as it is, as in PyTorch)."""
        if self.ndim == 0:
            return self  # type: ignore[no-any-return]
        if self.ndim < 2:
            raise ShapeError(
                f"mH: only supported on matrices or batches of matrices, got a {self.ndim}-D tensor"
            )
        return self.transpose(-2, -1)  # type: ignore[no-any-return]

    @property
    def H(self: Any) -> Tensor:  # noqa: N802 - PyTorch's name
        """The conjugate transpose of a matrix: ``t()`` for a real 2-D tensor (a 0-d tensor is
        returned as it is, as in PyTorch)."""
        if self.ndim == 0:
            return self  # type: ignore[no-any-return]
        if self.ndim != 2:
            raise ShapeError(
                f"H: only supported on matrices (2-D tensors), got a {self.ndim}-D tensor; for "
                "batches of matrices use mH"
            )
        return self.transpose(0, 1)  # type: ignore[no-any-return]

    # ---- random fills (in place, outside the graph) --------------------------------------
    def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with values drawn uniformly from ``[from_, to)``."""
        from npgrad.random import uniform_

        self._check_inplace("uniform_")  # type: ignore[attr-defined]
        return uniform_(self, from_, to, generator=generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with values drawn from ``N(mean, std²)``."""
        from npgrad.random import normal_

        self._check_inplace("normal_")  # type: ignore[attr-defined]
        return normal_(self, mean, std, generator=generator)

    # ---- activations ---------------------------------------------------------------------
    @numpy_aliases
    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        return activation.softmax(self, dim, dtype=dtype)

    @numpy_aliases
    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        return activation.log_softmax(self, dim, dtype=dtype)

    def erf(self) -> Tensor:
        return activation.erf(self)

    # ---- decompositions and solvers (npgrad.ops.decomposition) ---------------------------
    def inverse(self) -> Tensor:
        return decomposition.inverse(self)

    def det(self) -> Tensor:
        return decomposition.det(self)

    def slogdet(self) -> Any:
        return decomposition.slogdet(self)

    def logdet(self) -> Tensor:
        return decomposition.logdet(self)

    def matrix_power(self, n: int) -> Tensor:
        return decomposition.matrix_power(self, n)

    def matrix_exp(self) -> Tensor:
        return decomposition.matrix_exp(self)

    def cholesky(self, upper: bool = False) -> Tensor:
        return decomposition.cholesky(self, upper)

    def cholesky_solve(self, input2: Any, upper: bool = False) -> Tensor:
        return decomposition.cholesky_solve(self, input2, upper)

    def cholesky_inverse(self, upper: bool = False) -> Tensor:
        return decomposition.cholesky_inverse(self, upper)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        return decomposition.pinverse(self, rcond)

    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        return decomposition.svd(self, some, compute_uv)

    def qr(self, some: bool = True) -> Any:
        return decomposition.qr(self, some)

    # ---- special functions (npgrad.ops.special) ------------------------------------------
    def lgamma(self) -> Tensor:
        return special.lgamma(self)

    def lgamma_(self) -> Tensor:
        return self._inplace("lgamma_", special.lgamma)

    def digamma(self) -> Tensor:
        return special.digamma(self)

    def digamma_(self) -> Tensor:
        return self._inplace("digamma_", special.digamma)

    def polygamma(self, n: int) -> Tensor:
        return special.polygamma(n, self)

    def polygamma_(self, n: int) -> Tensor:
        return self._inplace("polygamma_", lambda x: special.polygamma(n, x))

    def mvlgamma(self, p: int) -> Tensor:
        return special.mvlgamma(self, p)

    def mvlgamma_(self, p: int) -> Tensor:
        return self._inplace("mvlgamma_", special.mvlgamma, p)

    def i0(self) -> Tensor:
        return special.i0(self)

    def i0_(self) -> Tensor:
        return self._inplace("i0_", special.i0)

    def igamma(self, other: Any) -> Tensor:
        return special.igamma(self, other)

    def igamma_(self, other: Any) -> Tensor:
        return self._inplace("igamma_", special.igamma, other)

    def igammac(self, other: Any) -> Tensor:
        return special.igammac(self, other)

    def igammac_(self, other: Any) -> Tensor:
        return self._inplace("igammac_", special.igammac, other)

    # ---- statistics, bitwise ops, assembly (npgrad.ops.statistics, bitwise, assembly) ----
    def bitwise_and(self, other: Any) -> Tensor:
        return bitwise.bitwise_and(self, other)

    def bitwise_and_(self, other: Any) -> Tensor:
        return self._inplace("bitwise_and_", bitwise.bitwise_and, other)

    def bitwise_or(self, other: Any) -> Tensor:
        return bitwise.bitwise_or(self, other)

    def bitwise_or_(self, other: Any) -> Tensor:
        return self._inplace("bitwise_or_", bitwise.bitwise_or, other)

    def bitwise_xor(self, other: Any) -> Tensor:
        return bitwise.bitwise_xor(self, other)

    def bitwise_xor_(self, other: Any) -> Tensor:
        return self._inplace("bitwise_xor_", bitwise.bitwise_xor, other)

    def bitwise_not(self) -> Tensor:
        return bitwise.bitwise_not(self)

    def bitwise_not_(self) -> Tensor:
        return self._inplace("bitwise_not_", bitwise.bitwise_not)

    def bitwise_left_shift(self, other: Any) -> Tensor:
        return bitwise.bitwise_left_shift(self, other)

    def bitwise_left_shift_(self, other: Any) -> Tensor:
        return self._inplace("bitwise_left_shift_", bitwise.bitwise_left_shift, other)

    def bitwise_right_shift(self, other: Any) -> Tensor:
        return bitwise.bitwise_right_shift(self, other)

    def bitwise_right_shift_(self, other: Any) -> Tensor:
        return self._inplace("bitwise_right_shift_", bitwise.bitwise_right_shift, other)

    def gcd(self, other: Any) -> Tensor:
        return bitwise.gcd(self, other)

    def gcd_(self, other: Any) -> Tensor:
        return self._inplace("gcd_", bitwise.gcd, other)

    def lcm(self, other: Any) -> Tensor:
        return bitwise.lcm(self, other)

    def lcm_(self, other: Any) -> Tensor:
        return self._inplace("lcm_", bitwise.lcm, other)

    def ndimension(self: Any) -> int:
        return int(self._data.ndim)

    def fmax(self, other: Any) -> Tensor:
        return binary.fmax(self, other)

    def fmin(self, other: Any) -> Tensor:
        return binary.fmin(self, other)

    def heaviside(self, values: Any) -> Tensor:
        return binary.heaviside(self, values)

    def heaviside_(self, values: Any) -> Tensor:
        return self._inplace("heaviside_", binary.heaviside, values)

    def logaddexp2(self, other: Any) -> Tensor:
        return binary.logaddexp2(self, other)

    def ldexp(self, other: Any) -> Tensor:
        return binary.ldexp(self, other)

    def ldexp_(self, other: Any) -> Tensor:
        return self._inplace("ldexp_", binary.ldexp, other)

    def float_power(self, exponent: Any) -> Tensor:
        return binary.float_power(self, exponent)

    def float_power_(self: Any, exponent: Any) -> Tensor:
        if self._data.dtype != "float64":  # PyTorch refuses to round the float64 result
            raise RuntimeError(
                f"float_power_: the tensor has dtype {self._data.dtype} but the result "
                "requires float64; use float_power() or a float64 tensor"
            )
        return self._inplace("float_power_", binary.float_power, exponent)

    def nextafter(self, other: Any) -> Tensor:
        return binary.nextafter(self, other)

    def nextafter_(self, other: Any) -> Tensor:
        return self._inplace("nextafter_", binary.nextafter, other)

    def frexp(self) -> Any:
        return binary.frexp(self)

    @numpy_aliases
    def quantile(
        self, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear"
    ) -> Tensor:
        return statistics.quantile(self, q, dim, keepdim, interpolation=interpolation)

    @numpy_aliases
    def nanquantile(
        self, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear"
    ) -> Tensor:
        return statistics.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def cov(self, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
        return statistics.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self) -> Tensor:
        return statistics.corrcoef(self)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
        return statistics.histc(self, bins, min, max)

    def histogram(
        self,
        bins: Any = 100,
        *,
        range: Any = None,  # noqa: A002
        weight: Any = None,
        density: bool = False,
    ) -> Any:
        return statistics.histogram(self, bins, range=range, weight=weight, density=density)

    def dist(self, other: Any, p: float = 2.0) -> Tensor:
        return statistics.dist(self, other, p)

    @numpy_aliases
    def aminmax(self, *, dim: Any = None, keepdim: bool = False) -> Any:
        return statistics.aminmax(self, dim=dim, keepdim=keepdim)

    def renorm(self, p: float, dim: int, maxnorm: float) -> Tensor:
        return statistics.renorm(self, p, dim, maxnorm)

    def renorm_(self, p: float, dim: int, maxnorm: float) -> Tensor:
        return self._inplace("renorm_", statistics.renorm, p, dim, maxnorm)

    def diagflat(self, offset: int = 0) -> Tensor:
        return assembly.diagflat(self, offset)

    def slice_scatter(
        self, src: Any, dim: int = 0, start: Any = None, end: Any = None, step: int = 1
    ) -> Tensor:
        return assembly.slice_scatter(self, src, dim, start, end, step)

    def select_scatter(self, src: Any, dim: int, index: int) -> Tensor:
        return assembly.select_scatter(self, src, dim, index)

    def diagonal_scatter(self, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return assembly.diagonal_scatter(self, src, offset, dim1, dim2)

    def split_with_sizes(self, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return assembly.split_with_sizes(self, split_sizes, dim)

    def hsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return assembly.hsplit(self, indices_or_sections)

    def vsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return assembly.vsplit(self, indices_or_sections)

    def dsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return assembly.dsplit(self, indices_or_sections)

    def fliplr(self) -> Tensor:
        return assembly.fliplr(self)

    def flipud(self) -> Tensor:
        return assembly.flipud(self)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        return assembly.unfold(self, dimension, size, step)


# imported last: these modules need Tensor, which needs TensorMethods above
import numpy as np  # noqa: E402

from npgrad import _random_more, creation  # noqa: E402
from npgrad.ops import (  # noqa: E402
    activation,
    arithmetic,
    assembly,
    binary,
    bitwise,
    comparison,
    conjugation,
    decomposition,
    elementwise,
    extras,
    extrema,
    gather_scatter,
    indexing,
    linalg,
    products,
    reduction,
    scan,
    selection,
    shape_more,
    sorting,
    special,
    statistics,
)
from npgrad.ops import other as other_ops  # noqa: E402
from npgrad.ops import shape as shape_ops  # noqa: E402
from npgrad.ops._broadcast import sum_to  # noqa: E402
from npgrad.ops._shape_util import ShapeError  # noqa: E402
