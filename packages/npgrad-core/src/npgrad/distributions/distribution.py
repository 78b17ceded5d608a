"""``Distribution``: the base class of every probability distribution."""

from __future__ import annotations

import warnings
from typing import Any

import npgrad
from npgrad.autograd.grad_mode import no_grad
from npgrad.distributions import constraints
from npgrad.distributions.utils import lazy_property
from npgrad.tensor import Tensor

__all__ = ["Distribution"]


def _shape(op: str, shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int):
        return (shape,)
    try:
        out = tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{op}: expected a shape (tuple of ints), got {shape!r}") from None
    if any(s < 0 for s in out):
        raise ValueError(f"{op}: shape dimensions must be non-negative, got {out}")
    return out


class Distribution:
    """Base class of probability distributions, with ``torch.distributions``' API.

    A distribution has a ``batch_shape`` (independent, differently parameterised copies)
    and an ``event_shape`` (the shape of one draw); ``sample(sample_shape)`` returns a Tensor
    of shape ``sample_shape + batch_shape + event_shape``. Sampling uses npgrad's default
    generator, so :func:`npgrad.manual_seed` makes it reproducible.

    Parameters
    ----------
    batch_shape, event_shape : tuple of int
    validate_args : bool, optional
        Check the parameters (and, in ``log_prob`` and friends, the values) against
        ``arg_constraints`` and ``support``. Defaults to
        ``Distribution.set_default_validate_args``'s setting (on, as in PyTorch).
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__
    arg_constraints: dict[str, constraints.Constraint] = {}
    support: Any = None

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument validation on or off for distributions created afterwards without
        an explicit ``validate_args``.

        Examples
        --------
        >>> from npgrad.distributions import Distribution, Normal
        >>> Distribution.set_default_validate_args(False)
        >>> Normal(0.0, -1.0).scale  # no error: not validated
        tensor(-1.)
        >>> Distribution.set_default_validate_args(True)
        """
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args: expected True or False, got {value!r}")
        Distribution._validate_args = value

    def __init__(
        self,
        batch_shape: tuple[int, ...] = (),
        event_shape: tuple[int, ...] = (),
        validate_args: bool | None = None,
    ) -> None:
        self._batch_shape = _shape(type(self).__name__, batch_shape)
        self._event_shape = _shape(type(self).__name__, event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for param, constraint in self.arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__ and isinstance(
                    getattr(type(self), param, None), lazy_property
                ):
                    continue  # the other parameterisation was given; this one is derived
                value = getattr(self, param)
                valid = constraint.check(value)
                if not bool(valid.all()):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}"
                    )

    # ---- shapes -------------------------------------------------------------------------
    @property
    def batch_shape(self) -> tuple[int, ...]:
        """The shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self) -> tuple[int, ...]:
        """The shape of a single sample (without batching)."""
        return self._event_shape

    def _extended_shape(self, sample_shape: Any = ()) -> tuple[int, ...]:
        return _shape("sample", sample_shape) + self._batch_shape + self._event_shape

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """A new distribution with parameters expanded (broadcast, no copy) to
        ``batch_shape``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement expand")

    def _expanded(
        self, cls: type, batch_shape: Any, _instance: Any, *names: str, param_shape: Any = ()
    ) -> Any:
        """The common part of ``expand``: an instance of ``cls`` whose tensors ``names``
        (those this one has: ``probs``/``logits`` may be either) are this one's expanded to
        ``batch_shape + param_shape``, with the same argument validation. A distribution with
        more state sets it on the result."""
        new = self._get_checked_instance(cls, _instance)
        batch_shape = tuple(batch_shape)
        for name in names:
            if name in self.__dict__:
                setattr(new, name, getattr(self, name).expand(batch_shape + tuple(param_shape)))
        if "_param" in self.__dict__:  # the probs/logits family: whichever was given
            new._param = new.logits if "logits" in new.__dict__ else new.probs
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _get_checked_instance(self, cls: type, _instance: Any) -> Any:
        if _instance is None and type(self).__init__ != cls.__init__:  # type: ignore[misc]
            raise NotImplementedError(
                f"Subclass {type(self).__name__} of {cls.__name__} that defines a custom "
                "__init__ method must also define a custom .expand() method."
            )
        return type(self).__new__(type(self)) if _instance is None else _instance

    # ---- moments ------------------------------------------------------------------------
    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement mean")

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement mode")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement variance")

    @property
    def stddev(self) -> Tensor:
        """The standard deviation (square root of ``variance``)."""
        return self.variance.sqrt()

    # ---- sampling -----------------------------------------------------------------------
    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draw ``sample_shape`` batches of samples (no gradient flows to the parameters)."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """Draw reparameterized samples: differentiable with respect to the parameters."""
        raise NotImplementedError(f"{type(self).__name__} does not implement rsample")

    def sample_n(self, n: int) -> Tensor:
        """Deprecated: ``sample((n,))``."""
        warnings.warn(
            "sample_n will be deprecated. Use .sample((n,)) instead",
            UserWarning,
            stacklevel=2,
        )
        return self.sample((n,))

    # ---- densities ----------------------------------------------------------------------
    def log_prob(self, value: Tensor) -> Tensor:
        """The log of the probability density/mass function at ``value``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement log_prob")

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function at ``value``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement cdf")

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse cumulative distribution function at ``value``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement icdf")

    def entropy(self) -> Tensor:
        """The entropy, batched over ``batch_shape``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement entropy")

    def perplexity(self) -> Tensor:
        """``exp(entropy)``."""
        return npgrad.exp(self.entropy())

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """Every value of a discrete distribution's support along a new leading dimension."""
        raise NotImplementedError(f"{type(self).__name__} does not implement enumerate_support")

    # ---- validation ---------------------------------------------------------------------
    def _validate_sample(self, value: Any) -> None:
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = value.ndim - len(self._event_shape)
        if value.shape[event_dim_start:] != self._event_shape:
            raise ValueError(
                f"The right-most size of value must match event_shape: {value.shape} vs "
                f"{self._event_shape}."
            )
        actual_shape = value.shape
        expected_shape = self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual_shape), reversed(expected_shape)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(
                    f"Value is not broadcastable with batch_shape+event_shape: {actual_shape} "
                    f"vs {expected_shape}."
                )
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(
                f"{type(self).__name__} does not define `support` to enable sample "
                "validation. Please initialize the distribution with `validate_args=False` "
                "to turn off validation.",
                stacklevel=3,
            )
            return
        if support is None:
            return
        valid = support.check(value)
        if not bool(valid.all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support ({support!r}) of the "
                f"distribution {self!r}, but found invalid values:\n{value}"
            )

    def __repr__(self) -> str:
        names = [k for k in self.arg_constraints if k in self.__dict__]
        parts = []
        for p in names:
            v = self.__dict__[p]
            # one-element parameters show their value, others their shape (as PyTorch)
            shown = (v.item() if v.ndim == 0 else v) if v.numel() == 1 else v.shape
            parts.append(f"{p}: {shown}")
        return f"{type(self).__name__}({', '.join(parts)})"
