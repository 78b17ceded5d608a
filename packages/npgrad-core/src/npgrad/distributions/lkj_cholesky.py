"""The LKJ distribution over Cholesky factors of correlation matrices (Lewandowski,
Kurowicka and Joe, 2009)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import npgrad
from npgrad.autograd.grad_mode import no_grad
from npgrad.distributions import constraints
from npgrad.distributions.dirichlet import Beta
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.utils import _standard_normal, _tiny, broadcast_all
from npgrad.tensor import Tensor

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """The LKJ distribution for lower Cholesky factors ``L`` of ``dim x dim`` correlation
    matrices: the density of ``L L^T`` is proportional to ``det(L L^T)^(concentration - 1)``
    (uniform over correlation matrices at ``concentration = 1``).

    Sampling uses the onion method (Lewandowski et al., 2009, section 3.2).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import LKJCholesky
    >>> d = LKJCholesky(3, 0.5)
    >>> L = d.sample()
    >>> L.shape, bool(((L * L).sum(-1) - 1).abs().max() < 1e-5)
    (npgrad.Size([3, 3]), True)
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky
    dim: int
    concentration: Tensor
    _beta: Beta

    def __init__(
        self, dim: int, concentration: Any = 1.0, validate_args: bool | None = None
    ) -> None:
        if not isinstance(dim, numbers.Integral) or isinstance(dim, bool) or dim < 2:
            raise ValueError(
                f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}."
            )
        self.dim = int(dim)
        (self.concentration,) = broadcast_all(concentration)
        batch_shape = self.concentration.shape
        event_shape = (self.dim, self.dim)
        # the onion method's Beta draws: the squared norm of each new row's off-diagonal part
        marginal_conc = self.concentration + 0.5 * (self.dim - 2)
        offset = npgrad.arange(self.dim - 1, dtype=self.concentration.dtype)
        offset = npgrad.cat([npgrad.zeros(1, dtype=offset.dtype), offset])
        beta_conc1 = offset + 0.5
        beta_conc0 = marginal_conc.unsqueeze(-1) - 0.5 * offset
        self._beta = Beta(beta_conc1, beta_conc0)
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LKJCholesky:
        new = self._get_checked_instance(LKJCholesky, _instance)
        batch_shape = tuple(batch_shape)
        new.dim = self.dim
        new.concentration = self.concentration.expand(batch_shape)
        new._beta = self._beta.expand(batch_shape + (self.dim,))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new  # type: ignore[no-any-return]

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            dtype = self.concentration.dtype
            u = _standard_normal(self._extended_shape(sample_shape), dtype).tril(-1)
            norms = (u * u).sum(-1, keepdim=True).sqrt()
            # the first row has no off-diagonal part: 0 / 0 there becomes 0
            norms = npgrad.where(norms == 0, 1.0, norms)
            w = y.sqrt() * (u / norms)
            diag = (1 - (w * w).sum(-1)).clamp(min=_tiny(dtype)).sqrt()
            return w + npgrad.diag_embed(diag)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diag_elems = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = npgrad.arange(2, self.dim + 1, dtype=self.concentration.dtype)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = (order * diag_elems.log()).sum(-1)
        # the normalising constant (Lewandowski et al., 2009, p. 1999)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        denominator = npgrad.lgamma(alpha) * dm1
        numerator = npgrad.mvlgamma(alpha - 0.5, p=dm1)
        pi_constant = 0.5 * dm1 * math.log(math.pi)
        return unnormalized - (pi_constant + numerator - denominator)
