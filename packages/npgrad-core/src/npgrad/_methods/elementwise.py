"""Tensor's elementwise math methods (``exp``, ``sin``, ``clamp``, ``sigmoid``...) with
their in-place forms, activations, special functions and conjugation: :mod:`npgrad.ops.elementwise`,
``binary``, ``activation``, ``special``, ``conjugation`` and the elementwise ops of ``extras``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from npgrad import ops
from npgrad._methods.base import MethodsBase
from npgrad.ops._aliases import numpy_aliases

if TYPE_CHECKING:
    from npgrad.tensor import Tensor

__all__ = ["ElementwiseMethods"]


class ElementwiseMethods(MethodsBase):
    __slots__ = ()

    # ---- operators -----------------------------------------------------------------------
    def __abs__(self) -> Tensor:
        return ops.elementwise.abs(self)

    # ---- elementwise math (npgrad.ops.elementwise) ---------------------------------------
    def abs(self) -> Tensor:
        return ops.elementwise.abs(self)

    def abs_(self) -> Tensor:
        return self._inplace("abs_", ops.elementwise.abs)

    def sign(self) -> Tensor:
        return ops.elementwise.sign(self)

    def sign_(self) -> Tensor:
        return self._inplace("sign_", ops.elementwise.sign)

    def exp(self) -> Tensor:
        return ops.elementwise.exp(self)

    def exp_(self) -> Tensor:
        return self._inplace("exp_", ops.elementwise.exp)

    def expm1(self) -> Tensor:
        return ops.elementwise.expm1(self)

    def log(self) -> Tensor:
        return ops.elementwise.log(self)

    def log_(self) -> Tensor:
        return self._inplace("log_", ops.elementwise.log)

    def log2(self) -> Tensor:
        return ops.elementwise.log2(self)

    def log10(self) -> Tensor:
        return ops.elementwise.log10(self)

    def log1p(self) -> Tensor:
        return ops.elementwise.log1p(self)

    def sqrt(self) -> Tensor:
        return ops.elementwise.sqrt(self)

    def sqrt_(self) -> Tensor:
        return self._inplace("sqrt_", ops.elementwise.sqrt)

    def rsqrt(self) -> Tensor:
        return ops.elementwise.rsqrt(self)

    def rsqrt_(self) -> Tensor:
        return self._inplace("rsqrt_", ops.elementwise.rsqrt)

    def square(self) -> Tensor:
        return ops.elementwise.square(self)

    def reciprocal(self) -> Tensor:
        return ops.elementwise.reciprocal(self)

    def reciprocal_(self) -> Tensor:
        return self._inplace("reciprocal_", ops.elementwise.reciprocal)

    def sin(self) -> Tensor:
        return ops.elementwise.sin(self)

    def sin_(self) -> Tensor:
        return self._inplace("sin_", ops.elementwise.sin)

    def cos(self) -> Tensor:
        return ops.elementwise.cos(self)

    def cos_(self) -> Tensor:
        return self._inplace("cos_", ops.elementwise.cos)

    def tan(self) -> Tensor:
        return ops.elementwise.tan(self)

    def tan_(self) -> Tensor:
        return self._inplace("tan_", ops.elementwise.tan)

    def asin(self) -> Tensor:
        return ops.elementwise.asin(self)

    def acos(self) -> Tensor:
        return ops.elementwise.acos(self)

    def atan(self) -> Tensor:
        return ops.elementwise.atan(self)

    def sinh(self) -> Tensor:
        return ops.elementwise.sinh(self)

    def cosh(self) -> Tensor:
        return ops.elementwise.cosh(self)

    def tanh(self) -> Tensor:
        return ops.elementwise.tanh(self)

    def tanh_(self) -> Tensor:
        return self._inplace("tanh_", ops.elementwise.tanh)

    def sigmoid(self) -> Tensor:
        return ops.elementwise.sigmoid(self)

    def sigmoid_(self) -> Tensor:
        return self._inplace("sigmoid_", ops.elementwise.sigmoid)

    def relu(self) -> Tensor:
        return ops.elementwise.relu(self)

    def relu_(self) -> Tensor:
        return self._inplace("relu_", ops.elementwise.relu)

    def floor(self) -> Tensor:
        return ops.elementwise.floor(self)

    def floor_(self) -> Tensor:
        return self._inplace("floor_", ops.elementwise.floor)

    def ceil(self) -> Tensor:
        return ops.elementwise.ceil(self)

    def ceil_(self) -> Tensor:
        return self._inplace("ceil_", ops.elementwise.ceil)

    def round(self, *, decimals: int = 0) -> Tensor:
        return ops.elementwise.round(self, decimals=decimals)

    def round_(self, *, decimals: int = 0) -> Tensor:
        return self._inplace("round_", ops.elementwise.round, decimals=decimals)

    def trunc(self) -> Tensor:
        return ops.elementwise.trunc(self)

    def trunc_(self) -> Tensor:
        return self._inplace("trunc_", ops.elementwise.trunc)

    # in-place forms of the ops above
    def expm1_(self) -> Tensor:
        return self._inplace("expm1_", ops.elementwise.expm1)

    def log2_(self) -> Tensor:
        return self._inplace("log2_", ops.elementwise.log2)

    def log10_(self) -> Tensor:
        return self._inplace("log10_", ops.elementwise.log10)

    def log1p_(self) -> Tensor:
        return self._inplace("log1p_", ops.elementwise.log1p)

    def square_(self) -> Tensor:
        return self._inplace("square_", ops.elementwise.square)

    def asin_(self) -> Tensor:
        return self._inplace("asin_", ops.elementwise.asin)

    def acos_(self) -> Tensor:
        return self._inplace("acos_", ops.elementwise.acos)

    def atan_(self) -> Tensor:
        return self._inplace("atan_", ops.elementwise.atan)

    def sinh_(self) -> Tensor:
        return self._inplace("sinh_", ops.elementwise.sinh)

    def cosh_(self) -> Tensor:
        return self._inplace("cosh_", ops.elementwise.cosh)

    def absolute(self) -> Tensor:
        return ops.elementwise.abs(self)

    def absolute_(self) -> Tensor:
        return self._inplace("absolute_", ops.elementwise.abs)

    # ---- two-operand elementwise ops (npgrad.ops.binary) ---------------------------------
    def atan2(self, other: Any) -> Tensor:
        return ops.binary.atan2(self, other)

    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return ops.binary.clamp(self, min, max)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return self._inplace("clamp_", ops.binary.clamp, min, max)

    clip, clip_ = clamp, clamp_

    def maximum(self, other: Any) -> Tensor:
        return ops.binary.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return ops.binary.minimum(self, other)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        return ops.binary.lerp(self, end, weight)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return self._inplace("lerp_", ops.binary.lerp, end, weight)

    def atan2_(self, other: Any) -> Tensor:
        return self._inplace("atan2_", ops.binary.atan2, other)

    arcsin_, arccos_, arctan_, arctan2_ = asin_, acos_, atan_, atan2_

    def fmax(self, other: Any) -> Tensor:
        return ops.binary.fmax(self, other)

    def fmin(self, other: Any) -> Tensor:
        return ops.binary.fmin(self, other)

    def heaviside(self, values: Any) -> Tensor:
        return ops.binary.heaviside(self, values)

    def heaviside_(self, values: Any) -> Tensor:
        return self._inplace("heaviside_", ops.binary.heaviside, values)

    def logaddexp2(self, other: Any) -> Tensor:
        return ops.binary.logaddexp2(self, other)

    def ldexp(self, other: Any) -> Tensor:
        return ops.binary.ldexp(self, other)

    def ldexp_(self, other: Any) -> Tensor:
        return self._inplace("ldexp_", ops.binary.ldexp, other)

    def float_power(self, exponent: Any) -> Tensor:
        return ops.binary.float_power(self, exponent)

    def float_power_(self: Any, exponent: Any) -> Tensor:
        if self._data.dtype != "float64":  # PyTorch refuses to round the float64 result
            raise RuntimeError(
                f"float_power_: the tensor has dtype {self._data.dtype} but the result "
                "requires float64; use float_power() or a float64 tensor"
            )
        return self._inplace("float_power_", ops.binary.float_power, exponent)

    def nextafter(self, other: Any) -> Tensor:
        return ops.binary.nextafter(self, other)

    def nextafter_(self, other: Any) -> Tensor:
        return self._inplace("nextafter_", ops.binary.nextafter, other)

    def frexp(self) -> Any:
        return ops.binary.frexp(self)

    # ---- special functions (npgrad.ops.special) ------------------------------------------
    def asinh(self) -> Tensor:
        return ops.special.asinh(self)

    def asinh_(self) -> Tensor:
        return self._inplace("asinh_", ops.special.asinh)

    def acosh(self) -> Tensor:
        return ops.special.acosh(self)

    def acosh_(self) -> Tensor:
        return self._inplace("acosh_", ops.special.acosh)

    def atanh(self) -> Tensor:
        return ops.special.atanh(self)

    def atanh_(self) -> Tensor:
        return self._inplace("atanh_", ops.special.atanh)

    arcsinh, arcsinh_, arccosh, arccosh_ = asinh, asinh_, acosh, acosh_

    arctanh, arctanh_ = atanh, atanh_

    def exp2(self) -> Tensor:
        return ops.special.exp2(self)

    def exp2_(self) -> Tensor:
        return self._inplace("exp2_", ops.special.exp2)

    def sinc(self) -> Tensor:
        return ops.special.sinc(self)

    def sinc_(self) -> Tensor:
        return self._inplace("sinc_", ops.special.sinc)

    def positive(self) -> Tensor:
        return ops.special.positive(self)

    def sgn(self) -> Tensor:
        return ops.special.sgn(self)

    def sgn_(self) -> Tensor:
        return self._inplace("sgn_", ops.special.sgn)

    def signbit(self) -> Tensor:
        return ops.special.signbit(self)

    def fix(self) -> Tensor:
        return ops.special.fix(self)

    def fix_(self) -> Tensor:
        return self._inplace("fix_", ops.special.fix)

    def nan_to_num(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        return ops.special.nan_to_num(self, nan, posinf, neginf)

    def nan_to_num_(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        return self._inplace("nan_to_num_", ops.special.nan_to_num, nan, posinf, neginf)

    def logit(self, eps: float | None = None) -> Tensor:
        return ops.special.logit(self, eps)

    def logit_(self, eps: float | None = None) -> Tensor:
        return self._inplace("logit_", ops.special.logit, eps)

    def xlogy(self, other: Any) -> Tensor:
        return ops.special.xlogy(self, other)

    def xlogy_(self, other: Any) -> Tensor:
        return self._inplace("xlogy_", ops.special.xlogy, other)

    def erfc(self) -> Tensor:
        return ops.special.erfc(self)

    def erfc_(self) -> Tensor:
        return self._inplace("erfc_", ops.special.erfc)

    def erfinv(self) -> Tensor:
        return ops.special.erfinv(self)

    def erfinv_(self) -> Tensor:
        return self._inplace("erfinv_", ops.special.erfinv)

    def lgamma(self) -> Tensor:
        return ops.special.lgamma(self)

    def lgamma_(self) -> Tensor:
        return self._inplace("lgamma_", ops.special.lgamma)

    def digamma(self) -> Tensor:
        return ops.special.digamma(self)

    def digamma_(self) -> Tensor:
        return self._inplace("digamma_", ops.special.digamma)

    def polygamma(self, n: int) -> Tensor:
        return ops.special.polygamma(n, self)

    def polygamma_(self, n: int) -> Tensor:
        return self._inplace("polygamma_", lambda x: ops.special.polygamma(n, x))

    def mvlgamma(self, p: int) -> Tensor:
        return ops.special.mvlgamma(self, p)

    def mvlgamma_(self, p: int) -> Tensor:
        return self._inplace("mvlgamma_", ops.special.mvlgamma, p)

    def i0(self) -> Tensor:
        return ops.special.i0(self)

    def i0_(self) -> Tensor:
        return self._inplace("i0_", ops.special.i0)

    def igamma(self, other: Any) -> Tensor:
        return ops.special.igamma(self, other)

    def igamma_(self, other: Any) -> Tensor:
        return self._inplace("igamma_", ops.special.igamma, other)

    def igammac(self, other: Any) -> Tensor:
        return ops.special.igammac(self, other)

    def igammac_(self, other: Any) -> Tensor:
        return self._inplace("igammac_", ops.special.igammac, other)

    # ---- npgrad.ops.extras ---------------------------------------------------------------
    def deg2rad_(self) -> Tensor:
        return self._inplace("deg2rad_", ops.extras.deg2rad)

    def rad2deg_(self) -> Tensor:
        return self._inplace("rad2deg_", ops.extras.rad2deg)

    def fmod(self, other: Any) -> Tensor:
        return ops.extras.fmod(self, other)

    def fmod_(self, other: Any) -> Tensor:
        return self._inplace("fmod_", ops.extras.fmod, other)

    def hypot(self, other: Any) -> Tensor:
        return ops.extras.hypot(self, other)

    def hypot_(self, other: Any) -> Tensor:
        return self._inplace("hypot_", ops.extras.hypot, other)

    def logaddexp(self, other: Any) -> Tensor:
        return ops.extras.logaddexp(self, other)

    def copysign(self, other: Any) -> Tensor:
        return ops.extras.copysign(self, other)

    def copysign_(self, other: Any) -> Tensor:
        return self._inplace("copysign_", ops.extras.copysign, other)

    def frac(self) -> Tensor:
        return ops.extras.frac(self)

    def frac_(self) -> Tensor:
        return self._inplace("frac_", ops.extras.frac)

    def deg2rad(self) -> Tensor:
        return ops.extras.deg2rad(self)

    def rad2deg(self) -> Tensor:
        return ops.extras.rad2deg(self)

    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002
        return ops.extras.clamp_min(self, min)

    def clamp_min_(self, min: Any) -> Tensor:  # noqa: A002
        return self._inplace("clamp_min_", ops.extras.clamp_min, min)

    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002
        return ops.extras.clamp_max(self, max)

    def clamp_max_(self, max: Any) -> Tensor:  # noqa: A002
        return self._inplace("clamp_max_", ops.extras.clamp_max, max)

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return ops.extras.addcmul(self, tensor1, tensor2, value=value)

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return self._inplace("addcmul_", ops.extras.addcmul, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return ops.extras.addcdiv(self, tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return self._inplace("addcdiv_", ops.extras.addcdiv, tensor1, tensor2, value=value)

    # ---- activations (npgrad.ops.activation) ---------------------------------------------
    def erf_(self) -> Tensor:
        return self._inplace("erf_", ops.activation.erf)

    def hardshrink(self, lambd: float = 0.5) -> Tensor:
        return ops.activation.hardshrink(self, lambd)

    def prelu(self, weight: Any) -> Tensor:
        return ops.activation.prelu(self, weight)

    @numpy_aliases
    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        return ops.activation.softmax(self, dim, dtype=dtype)

    @numpy_aliases
    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        return ops.activation.log_softmax(self, dim, dtype=dtype)

    def erf(self) -> Tensor:
        return ops.activation.erf(self)

    # ---- conjugation: real tensors are their own conjugates (npgrad.ops.conjugation) -----
    def conj(self) -> Tensor:
        return ops.conjugation.conj(self)

    def conj_physical(self) -> Tensor:
        return ops.conjugation.conj_physical(self)

    def resolve_conj(self) -> Tensor:
        return ops.conjugation.resolve_conj(self)

    def resolve_neg(self) -> Tensor:
        return ops.conjugation.resolve_neg(self)

    def is_conj(self) -> bool:
        return ops.conjugation.is_conj(self)

    def is_neg(self) -> bool:
        return ops.conjugation.is_neg(self)

    def adjoint(self) -> Tensor:
        return ops.conjugation.adjoint(self)

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
            raise ops._shape_util.ShapeError(
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
            raise ops._shape_util.ShapeError(
                f"H: only supported on matrices (2-D tensors), got a {self.ndim}-D tensor; for "
                "batches of matrices use mH"
            )
        return self.transpose(0, 1)  # type: ignore[no-any-return]
