"""Tensor's operators (``+ - * / // % ** @``, unary ``-`` and ``+``, ``abs()``, bitwise
``& | ^ ~ << >>``, comparisons) and the named arithmetic, comparison and bitwise methods with
their in-place forms: :mod:`npgrad.ops.arithmetic`, ``comparison`` and ``bitwise``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from npgrad import ops
from npgrad._methods.base import MethodsBase

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["ArithmeticMethods"]


class ArithmeticMethods(MethodsBase):
    __slots__ = ()

    # ---- operators -----------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return ops.arithmetic.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return ops.arithmetic.add(self, other)  # commutative: the tensor first, as fast paths want

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __sub__(self, other: Any) -> Tensor:
        return ops.arithmetic.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return ops.arithmetic.sub(other, self)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __mul__(self, other: Any) -> Tensor:
        return ops.arithmetic.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return ops.arithmetic.mul(self, other)  # commutative: the tensor first, as fast paths want

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.arithmetic.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.arithmetic.div(other, self)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __floordiv__(self, other: Any) -> Tensor:
        return ops.arithmetic.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return ops.arithmetic.floor_divide(other, self)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return self._inplace("floor_divide_", ops.arithmetic.floor_divide, other)

    def __mod__(self, other: Any) -> Tensor:
        return ops.arithmetic.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return ops.arithmetic.remainder(other, self)

    def __imod__(self, other: Any) -> Tensor:
        return self._inplace("remainder_", ops.arithmetic.remainder, other)

    def __pow__(self, other: Any) -> Tensor:
        return ops.arithmetic.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return ops.arithmetic.pow(other, self)

    def __ipow__(self, other: Any) -> Tensor:
        return self.pow_(other)

    def __neg__(self) -> Tensor:
        return ops.arithmetic.neg(self)

    def __pos__(self) -> Tensor:
        return self  # type: ignore[return-value]

    def __invert__(self) -> Tensor:
        return ops.bitwise.bitwise_not(self)

    def __and__(self, other: Any) -> Tensor:
        return ops.bitwise.bitwise_and(self, other)

    __rand__ = __and__

    def __iand__(self, other: Any) -> Tensor:
        return self._inplace("bitwise_and_", ops.bitwise.bitwise_and, other)

    def __or__(self, other: Any) -> Tensor:
        return ops.bitwise.bitwise_or(self, other)

    __ror__ = __or__

    def __ior__(self, other: Any) -> Tensor:
        return self._inplace("bitwise_or_", ops.bitwise.bitwise_or, other)

    def __xor__(self, other: Any) -> Tensor:
        return ops.bitwise.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __ixor__(self, other: Any) -> Tensor:
        return self._inplace("bitwise_xor_", ops.bitwise.bitwise_xor, other)

    def __lshift__(self, other: Any) -> Tensor:
        return ops.bitwise.bitwise_left_shift(self, other)

    def __rlshift__(self, other: Any) -> Tensor:
        return ops.bitwise.bitwise_left_shift(other, self)

    def __ilshift__(self, other: Any) -> Tensor:
        return self._inplace("bitwise_left_shift_", ops.bitwise.bitwise_left_shift, other)

    def __rshift__(self, other: Any) -> Tensor:
        return ops.bitwise.bitwise_right_shift(self, other)

    def __rrshift__(self, other: Any) -> Tensor:
        return ops.bitwise.bitwise_right_shift(other, self)

    def __irshift__(self, other: Any) -> Tensor:
        return self._inplace("bitwise_right_shift_", ops.bitwise.bitwise_right_shift, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        if other is None:  # torch: ``t == None`` is False (list.index, `in` rely on it)
            return False  # type: ignore[return-value]
        return ops.comparison.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        if other is None:
            return True  # type: ignore[return-value]
        return ops.comparison.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return ops.comparison.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return ops.comparison.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return ops.comparison.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return ops.comparison.ge(self, other)

    # ---- comparisons and logic, never differentiable (npgrad.ops.comparison) -------------
    def eq(self, other: Any) -> Tensor:
        return ops.comparison.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        return ops.comparison.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        return ops.comparison.lt(self, other)

    def le(self, other: Any) -> Tensor:
        return ops.comparison.le(self, other)

    def gt(self, other: Any) -> Tensor:
        return ops.comparison.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        return ops.comparison.ge(self, other)

    def equal(self, other: Any) -> bool:
        return ops.comparison.equal(self, other)

    def allclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> bool:
        return ops.comparison.allclose(self, other, rtol, atol, equal_nan)

    def isnan(self) -> Tensor:
        return ops.comparison.isnan(self)

    def isinf(self) -> Tensor:
        return ops.comparison.isinf(self)

    def isfinite(self) -> Tensor:
        return ops.comparison.isfinite(self)

    def logical_not(self) -> Tensor:
        return ops.comparison.logical_not(self)

    def logical_and(self, other: Any) -> Tensor:
        return ops.comparison.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        return ops.comparison.logical_or(self, other)

    def logical_xor(self, other: Any) -> Tensor:
        return ops.comparison.logical_xor(self, other)

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def eq_(self, other: Any) -> Tensor:
        return self._inplace("eq_", ops.comparison.eq, other)

    def ne_(self, other: Any) -> Tensor:
        return self._inplace("ne_", ops.comparison.ne, other)

    def lt_(self, other: Any) -> Tensor:
        return self._inplace("lt_", ops.comparison.lt, other)

    def le_(self, other: Any) -> Tensor:
        return self._inplace("le_", ops.comparison.le, other)

    def gt_(self, other: Any) -> Tensor:
        return self._inplace("gt_", ops.comparison.gt, other)

    def ge_(self, other: Any) -> Tensor:
        return self._inplace("ge_", ops.comparison.ge, other)

    greater_, greater_equal_, less_, less_equal_, not_equal_ = gt_, ge_, lt_, le_, ne_

    def logical_and_(self, other: Any) -> Tensor:
        return self._inplace("logical_and_", ops.comparison.logical_and, other)

    def logical_or_(self, other: Any) -> Tensor:
        return self._inplace("logical_or_", ops.comparison.logical_or, other)

    def logical_xor_(self, other: Any) -> Tensor:
        return self._inplace("logical_xor_", ops.comparison.logical_xor, other)

    def logical_not_(self) -> Tensor:
        return self._inplace("logical_not_", ops.comparison.logical_not)

    def isposinf(self) -> Tensor:
        return ops.comparison.isposinf(self)

    def isneginf(self) -> Tensor:
        return ops.comparison.isneginf(self)

    def isreal(self) -> Tensor:
        return ops.comparison.isreal(self)

    def is_signed(self) -> bool:
        return ops.comparison.is_signed(self)

    def is_same_size(self, other: Tensor) -> bool:
        return ops.comparison.is_same_size(self, other)

    def where(self, condition: Any, other: Any) -> Tensor:
        return ops.comparison.where(condition, self, other)

    # ---- arithmetic (npgrad.ops.arithmetic) ----------------------------------------------
    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return ops.arithmetic.add(self, other, alpha=alpha)

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self._inplace("add_", ops.arithmetic.add, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return ops.arithmetic.sub(self, other, alpha=alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self._inplace("sub_", ops.arithmetic.sub, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        return ops.arithmetic.mul(self, other)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace("mul_", ops.arithmetic.mul, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return ops.arithmetic.div(self, other, rounding_mode=rounding_mode)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return self._inplace("div_", ops.arithmetic.div, other, rounding_mode=rounding_mode)

    true_divide = div

    multiply = mul

    subtract = sub

    divide = div

    true_divide_ = divide_ = div_

    multiply_ = mul_

    subtract_ = sub_

    def floor_divide(self, other: Any) -> Tensor:
        return ops.arithmetic.floor_divide(self, other)

    def remainder(self, other: Any) -> Tensor:
        return ops.arithmetic.remainder(self, other)

    def pow(self, exponent: Any) -> Tensor:
        return ops.arithmetic.pow(self, exponent)

    def pow_(self, exponent: Any) -> Tensor:
        return self._inplace("pow_", ops.arithmetic.pow, exponent)

    def remainder_(self, other: Any) -> Tensor:
        return self._inplace("remainder_", ops.arithmetic.remainder, other)

    def neg(self) -> Tensor:
        return ops.arithmetic.neg(self)

    def neg_(self) -> Tensor:
        return self._inplace("neg_", ops.arithmetic.neg)

    negative = neg

    def negative_(self) -> Tensor:
        return self._inplace("negative_", ops.arithmetic.neg)

    def floor_divide_(self, other: Any) -> Tensor:
        return self._inplace("floor_divide_", ops.arithmetic.floor_divide, other)

    # ---- npgrad.ops.extras ---------------------------------------------------------------
    def isclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> Tensor:
        return ops.extras.isclose(self, other, rtol, atol, equal_nan)

    # ---- bitwise and integer ops (npgrad.ops.bitwise) ------------------------------------
    def bitwise_and(self, other: Any) -> Tensor:
        return ops.bitwise.bitwise_and(self, other)

    def bitwise_and_(self, other: Any) -> Tensor:
        return self._inplace("bitwise_and_", ops.bitwise.bitwise_and, other)

    def bitwise_or(self, other: Any) -> Tensor:
        return ops.bitwise.bitwise_or(self, other)

    def bitwise_or_(self, other: Any) -> Tensor:
        return self._inplace("bitwise_or_", ops.bitwise.bitwise_or, other)

    def bitwise_xor(self, other: Any) -> Tensor:
        return ops.bitwise.bitwise_xor(self, other)

    def bitwise_xor_(self, other: Any) -> Tensor:
        return self._inplace("bitwise_xor_", ops.bitwise.bitwise_xor, other)

    def bitwise_not(self) -> Tensor:
        return ops.bitwise.bitwise_not(self)

    def bitwise_not_(self) -> Tensor:
        return self._inplace("bitwise_not_", ops.bitwise.bitwise_not)

    def bitwise_left_shift(self, other: Any) -> Tensor:
        return ops.bitwise.bitwise_left_shift(self, other)

    def bitwise_left_shift_(self, other: Any) -> Tensor:
        return self._inplace("bitwise_left_shift_", ops.bitwise.bitwise_left_shift, other)

    def bitwise_right_shift(self, other: Any) -> Tensor:
        return ops.bitwise.bitwise_right_shift(self, other)

    def bitwise_right_shift_(self, other: Any) -> Tensor:
        return self._inplace("bitwise_right_shift_", ops.bitwise.bitwise_right_shift, other)

    def gcd(self, other: Any) -> Tensor:
        return ops.bitwise.gcd(self, other)

    def gcd_(self, other: Any) -> Tensor:
        return self._inplace("gcd_", ops.bitwise.gcd, other)

    def lcm(self, other: Any) -> Tensor:
        return ops.bitwise.lcm(self, other)

    def lcm_(self, other: Any) -> Tensor:
        return self._inplace("lcm_", ops.bitwise.lcm, other)
