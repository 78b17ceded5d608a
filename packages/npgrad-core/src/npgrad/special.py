"""``npgrad.special``: PyTorch's ``torch.special`` namespace. The ops are defined in
:mod:`npgrad.ops.special` (and are the same functions as ``npgrad.erf``, ``npgrad.sigmoid``...
where PyTorch has both names).

Examples
--------
>>> import npgrad
>>> npgrad.special.gammaln(npgrad.tensor([0.5, 4.0]))
tensor([0.5724, 1.7918])
>>> npgrad.special.expit(npgrad.tensor([0.0]))
tensor([0.5000])
"""

from __future__ import annotations

from npgrad.ops._special_elementary import entr, erfcx, log_ndtr, ndtr, ndtri, xlog1py
from npgrad.ops._special_gamma import (
    airy_ai,
    bessel_j0,
    bessel_j1,
    bessel_y0,
    bessel_y1,
    gammainc,
    gammaincc,
    i0e,
    i1,
    i1e,
    modified_bessel_i0,
    modified_bessel_i1,
    modified_bessel_k0,
    modified_bessel_k1,
    scaled_modified_bessel_k0,
    scaled_modified_bessel_k1,
    spherical_bessel_j0,
    zeta,
)
from npgrad.ops._special_polynomials import (
    chebyshev_polynomial_t,
    chebyshev_polynomial_u,
    chebyshev_polynomial_v,
    chebyshev_polynomial_w,
    hermite_polynomial_h,
    hermite_polynomial_he,
    laguerre_polynomial_l,
    legendre_polynomial_p,
    shifted_chebyshev_polynomial_t,
    shifted_chebyshev_polynomial_u,
    shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w,
)
from npgrad.ops.activation import erf, log_softmax, softmax
from npgrad.ops.elementwise import expm1, log1p, round, sigmoid  # noqa: A004
from npgrad.ops.reduction import logsumexp
from npgrad.ops.special import (
    digamma,
    erfc,
    erfinv,
    exp2,
    i0,
    lgamma,
    logit,
    mvlgamma,
    polygamma,
    sinc,
    xlogy,
)

__all__ = [
    "airy_ai",
    "bessel_j0",
    "bessel_j1",
    "bessel_y0",
    "bessel_y1",
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammainc",
    "gammaincc",
    "gammaln",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "modified_bessel_k0",
    "modified_bessel_k1",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "sinc",
    "softmax",
    "spherical_bessel_j0",
    "xlog1py",
    "xlogy",
    "zeta",
]

# torch.special's other names for the same functions
expit = sigmoid
gammaln = lgamma
psi = digamma
multigammaln = mvlgamma
