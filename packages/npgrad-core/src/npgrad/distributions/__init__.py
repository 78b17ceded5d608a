"""``npgrad.distributions``: probability distributions with PyTorch's
``torch.distributions`` API — sampling (``sample``, differentiable ``rsample``),
``log_prob``, ``entropy``, moments, ``cdf``/``icdf``, argument validation, transforms and
``kl_divergence``.

Everything is built from npgrad ops, so ``log_prob``, ``entropy``, ``rsample`` and
``kl_divergence`` are differentiable (to any order) with respect to the parameters.
Sampling draws from npgrad's default generator: :func:`npgrad.manual_seed` makes it
reproducible (the streams differ from PyTorch's).

Examples
--------
>>> import npgrad
>>> from npgrad.distributions import Normal
>>> loc = npgrad.tensor(0.0, requires_grad=True)
>>> d = Normal(loc, 1.0)
>>> d.log_prob(npgrad.tensor(1.0)).backward()
>>> loc.grad
tensor(1.)
"""

from __future__ import annotations

from npgrad.distributions import constraints, transforms
from npgrad.distributions.bernoulli import Bernoulli
from npgrad.distributions.categorical import (
    Categorical,
    OneHotCategorical,
    OneHotCategoricalStraightThrough,
)
from npgrad.distributions.cauchy import Cauchy, Gumbel
from npgrad.distributions.constraint_registry import biject_to, transform_to
from npgrad.distributions.continuous_bernoulli import ContinuousBernoulli
from npgrad.distributions.dirichlet import Beta, Dirichlet, StudentT
from npgrad.distributions.discrete import Binomial, Geometric, Poisson
from npgrad.distributions.distribution import Distribution
from npgrad.distributions.exp_family import ExponentialFamily
from npgrad.distributions.exponential import Exponential, Laplace
from npgrad.distributions.gamma import Chi2, Gamma
from npgrad.distributions.kl import kl_divergence, register_kl
from npgrad.distributions.kumaraswamy import Kumaraswamy, LogisticNormal
from npgrad.distributions.lkj_cholesky import LKJCholesky
from npgrad.distributions.log_normal import HalfNormal, LogNormal
from npgrad.distributions.lowrank_multivariate_normal import LowRankMultivariateNormal
from npgrad.distributions.multinomial import MixtureSameFamily, Multinomial, NegativeBinomial
from npgrad.distributions.multivariate_normal import MultivariateNormal
from npgrad.distributions.normal import Normal
from npgrad.distributions.pareto import (
    FisherSnedecor,
    GeneralizedPareto,
    InverseGamma,
    Pareto,
    Weibull,
)
from npgrad.distributions.relaxed import RelaxedBernoulli, RelaxedOneHotCategorical
from npgrad.distributions.transformed_distribution import Independent, TransformedDistribution
from npgrad.distributions.transforms import (
    AbsTransform,
    AffineTransform,
    CatTransform,
    ComposeTransform,
    CorrCholeskyTransform,
    CumulativeDistributionTransform,
    ExpTransform,
    IndependentTransform,
    LowerCholeskyTransform,
    PositiveDefiniteTransform,
    PowerTransform,
    ReshapeTransform,
    SigmoidTransform,
    SoftmaxTransform,
    SoftplusTransform,
    StackTransform,
    StickBreakingTransform,
    TanhTransform,
    Transform,
    identity_transform,
)
from npgrad.distributions.uniform import Uniform
from npgrad.distributions.von_mises import HalfCauchy, VonMises
from npgrad.distributions.wishart import Wishart

__all__ = [
    "ExponentialFamily",
    "LKJCholesky",
    "Wishart",
    "GeneralizedPareto",
    "PositiveDefiniteTransform",
    "CumulativeDistributionTransform",
    "OneHotCategoricalStraightThrough",
    "VonMises",
    "HalfCauchy",
    "ContinuousBernoulli",
    "LowRankMultivariateNormal",
    "LogisticNormal",
    "Kumaraswamy",
    "Weibull",
    "Pareto",
    "InverseGamma",
    "FisherSnedecor",
    "NegativeBinomial",
    "Multinomial",
    "MixtureSameFamily",
    "transform_to",
    "biject_to",
    "StickBreakingTransform",
    "SoftmaxTransform",
    "ReshapeTransform",
    "LowerCholeskyTransform",
    "IndependentTransform",
    "RelaxedOneHotCategorical",
    "RelaxedBernoulli",
    "StudentT",
    "Poisson",
    "MultivariateNormal",
    "Gumbel",
    "Geometric",
    "Gamma",
    "Dirichlet",
    "Chi2",
    "Cauchy",
    "Binomial",
    "Beta",
    "AbsTransform",
    "AffineTransform",
    "Bernoulli",
    "Categorical",
    "CatTransform",
    "ComposeTransform",
    "CorrCholeskyTransform",
    "StackTransform",
    "Distribution",
    "ExpTransform",
    "Exponential",
    "HalfNormal",
    "Independent",
    "Laplace",
    "LogNormal",
    "Normal",
    "OneHotCategorical",
    "PowerTransform",
    "SigmoidTransform",
    "SoftplusTransform",
    "TanhTransform",
    "Transform",
    "TransformedDistribution",
    "Uniform",
    "constraints",
    "identity_transform",
    "kl_divergence",
    "register_kl",
    "transforms",
]
