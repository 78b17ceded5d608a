"""``ExponentialFamily``: the base of the distributions whose density is
``p(x; θ) = exp(<t(x), θ> - F(θ) + k(x))`` — natural parameters ``θ``, sufficient statistic
``t``, log normalizer ``F`` and carrier measure ``k``.

A subclass gives ``_natural_params`` (the tuple ``θ``), ``_log_normalizer(*θ)`` (``F``, per
batch element) and, for the generic entropy, ``_mean_carrier_measure`` (``E[k(x)]``). Autograd
then gives the rest (Nielsen and Nock, "Entropies and cross-entropies of exponential
families", 2010): ``∇F(θ) = E[t(x)]``, so

* ``H = F(θ) - <θ, ∇F(θ)> - E[k(x)]`` (:meth:`ExponentialFamily.entropy`), and
* ``KL(p || q) = F(θ_q) - F(θ_p) - <θ_q - θ_p, ∇F(θ_p)>`` — the Bregman divergence of ``F``,
  which :func:`npgrad.distributions.kl_divergence` uses for two distributions of the same
  exponential family that have no closed form registered.

``∇F`` is taken with ``create_graph=True`` at the natural parameters themselves when they
require grad, so both results stay differentiable in the distribution's parameters (PyTorch
detaches them first, so its generic entropy and KL have no gradient); when none does, the
result holds no graph.
"""

from __future__ import annotations

from typing import Any

from npgrad.autograd.engine import grad
from npgrad.autograd.grad_mode import enable_grad
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.utils import _sum_rightmost
from npgrad.tensor import Tensor

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """The base class of exponential-family distributions (``Normal``, ``Gamma``,
    ``Bernoulli``...): generic entropy and KL divergence from the log normalizer.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.distributions import ExponentialFamily, Normal
    >>> d = Normal(npgrad.tensor([0.0, 1.0]), npgrad.tensor([1.0, 2.0]))
    >>> isinstance(d, ExponentialFamily)
    True
    >>> ExponentialFamily.entropy(d)  # the generic form equals Normal's closed form
    tensor([1.4189, 2.1121])
    """

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        raise NotImplementedError(f"{type(self).__name__} does not define _natural_params")

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not define _log_normalizer")

    @property
    def _mean_carrier_measure(self) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} does not define _mean_carrier_measure: its carrier "
            "measure is not constant, so the generic entropy does not apply"
        )

    def _normalizer_and_mean(self) -> tuple[list[Tensor], Tensor, list[Tensor], bool]:
        """``(θ, F(θ), ∇F(θ), whether θ required grad)``; ``∇F`` is differentiable (see the
        module docstring)."""
        natural = self._natural_params
        tracked = any(p.requires_grad for p in natural)
        params = [p if p.requires_grad else p.detach().requires_grad_() for p in natural]
        with enable_grad():
            f = self._log_normalizer(*params)
            means = grad(f.sum(), params, create_graph=True)
        return params, f, [m for m in means if m is not None], tracked

    def _inner(self, a: Tensor, b: Tensor) -> Tensor:
        """``<a, b>`` per batch element: summed over each parameter's own dimensions."""
        prod = a * b
        return _sum_rightmost(prod, prod.ndim - len(self.batch_shape))

    def entropy(self) -> Tensor:
        """``F(θ) - <θ, ∇F(θ)> - E[k(x)]``: the entropy from the log normalizer (a subclass
        with a closed form overrides it)."""
        carrier = self._mean_carrier_measure
        params, f, means, tracked = self._normalizer_and_mean()
        result = f - carrier
        for p, m in zip(params, means):
            result = result - self._inner(p, m)
        return result if tracked else result.detach()  # no graph when no parameter needs one


def _kl_bregman(p: ExponentialFamily, q: ExponentialFamily) -> Tensor:
    """``KL(p || q)`` of two distributions of the same exponential family: the Bregman
    divergence of the log normalizer (see the module docstring)."""
    if type(p) is not type(q):
        raise NotImplementedError(
            f"No KL(p || q) is implemented for p of type {type(p).__name__} and q of type "
            f"{type(q).__name__} (the Bregman form needs two distributions of one family)"
        )
    p_params, f_p, means, tracked = p._normalizer_and_mean()
    q_params = q._natural_params
    with enable_grad():
        result = q._log_normalizer(*q_params) - f_p
        for pp, qp, m in zip(p_params, q_params, means):
            result = result - p._inner(qp - pp, m)
    return result if tracked or any(x.requires_grad for x in q_params) else result.detach()
