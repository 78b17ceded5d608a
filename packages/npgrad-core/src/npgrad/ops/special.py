"""Special functions (PyTorch's ``torch.special``): gamma and error function families,
Bessel functions, logit and friends, each a Function with its backward. The ``torch.special``
names are in :mod:`npgrad.special`; PyTorch's top-level names (``lgamma``...) in ``npgrad``.

The ops live in private modules by family: :mod:`npgrad.ops._special_elementary` (inverse
hyperbolic functions, ``exp2``, ``sinc``, ``logit``, ``xlogy``, ``nan_to_num``, the error
function family...), :mod:`npgrad.ops._special_gamma` (gamma family, zeta, incomplete gamma,
Bessel functions) and :mod:`npgrad.ops._special_polynomials` (orthogonal polynomials); their
NumPy kernels in :mod:`npgrad.ops._erf`, :mod:`npgrad.ops._special_kernels` and
:mod:`npgrad.ops._special_bessel`.
"""

from __future__ import annotations

from npgrad.ops._special_elementary import (
    acosh,
    arccosh,
    arcsinh,
    arctanh,
    asinh,
    atanh,
    erfc,
    erfinv,
    exp2,
    fix,
    logit,
    nan_to_num,
    negative,
    positive,
    sgn,
    signbit,
    sinc,
    xlogy,
)
from npgrad.ops._special_gamma import (
    digamma,
    gammainc,
    gammaincc,
    i0,
    lgamma,
    mvlgamma,
    polygamma,
)

# PyTorch's top-level names (star-imported into ``npgrad``); the others (``erfcx``,
# ``ndtr``, ``i1``, ``zeta``...) are only in ``npgrad.special``, as in ``torch.special``, which
# imports them from the private modules
__all__ = [
    "acosh",
    "arccosh",
    "arcsinh",
    "arctanh",
    "asinh",
    "atanh",
    "digamma",
    "erfc",
    "erfinv",
    "exp2",
    "fix",
    "i0",
    "igamma",
    "igammac",
    "lgamma",
    "logit",
    "mvlgamma",
    "nan_to_num",
    "negative",
    "polygamma",
    "positive",
    "sgn",
    "signbit",
    "sinc",
    "xlogy",
]

# PyTorch's top-level names of torch.special.gammainc and gammaincc
igamma, igammac = gammainc, gammaincc
