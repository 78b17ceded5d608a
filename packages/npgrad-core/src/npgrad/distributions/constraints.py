"""Constraints: the sets a distribution's parameters and samples live in, as in
``torch.distributions.constraints``.

A :class:`Constraint` has ``check(value)``, which returns a boolean Tensor saying, per
event, whether ``value`` satisfies it, plus ``is_discrete`` and ``event_dim`` (how many
rightmost dimensions form one event: 0 for ``real``, 1 for ``simplex``, 2 for matrices).

Examples
--------
>>> import npgrad
>>> from npgrad.distributions import constraints
>>> constraints.positive.check(npgrad.tensor([-1.0, 2.0]))
tensor([False,  True])
>>> constraints.positive
GreaterThan(lower_bound=0.0)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import npgrad
from npgrad.tensor import Tensor

__all__ = [
    "Constraint",
    "MixtureSameFamilyConstraint",
    "boolean",
    "cat",
    "corr_cholesky",
    "dependent",
    "dependent_property",
    "greater_than",
    "greater_than_eq",
    "half_open_interval",
    "independent",
    "integer_interval",
    "interval",
    "is_dependent",
    "less_than",
    "lower_cholesky",
    "lower_triangular",
    "multinomial",
    "nonnegative",
    "nonnegative_integer",
    "one_hot",
    "positive",
    "positive_definite",
    "positive_integer",
    "positive_semidefinite",
    "real",
    "real_vector",
    "simplex",
    "square",
    "stack",
    "symmetric",
    "unit_interval",
]


def _t(value: Any) -> Tensor:
    if isinstance(value, Tensor):
        return value.detach()
    return npgrad.as_tensor(value)


def _is_integer(v: Tensor) -> Tensor:
    with np.errstate(invalid="ignore"):  # nan and inf are simply not integers
        return npgrad.as_tensor(np.asarray(np.mod(v._data, 1) == 0))


class Constraint:
    """A region over which a variable is valid (base class).

    Attributes
    ----------
    is_discrete : bool
        Whether the constrained space is discrete.
    event_dim : int
        Number of rightmost dimensions that together define one event.
    """

    is_discrete = False
    event_dim = 0

    def check(self, value: Any) -> Tensor:
        """A boolean Tensor of shape ``value.shape[:value.ndim - event_dim]`` saying which
        events satisfy the constraint."""
        raise NotImplementedError(f"{type(self).__name__}.check is not implemented")

    def __repr__(self) -> str:
        return type(self).__name__.lstrip("_") + "()"


class _Dependent(Constraint):
    """Placeholder for a variable whose support depends on other variables: it has no
    ``check`` of its own (``Uniform``'s ``low`` and ``high`` are dependent)."""

    def __init__(self, *, is_discrete: Any = NotImplemented, event_dim: Any = NotImplemented):
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return bool(self._is_discrete)

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return int(self._event_dim)

    def __call__(
        self, *, is_discrete: Any = NotImplemented, event_dim: Any = NotImplemented
    ) -> _Dependent:
        if is_discrete is NotImplemented:
            is_discrete = self._is_discrete
        if event_dim is NotImplemented:
            event_dim = self._event_dim
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim)

    def check(self, value: Any) -> Tensor:
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint: Any) -> bool:
    """Whether ``constraint`` is a dependent constraint (has no ``check`` of its own).

    Examples
    --------
    >>> from npgrad.distributions import constraints
    >>> constraints.is_dependent(constraints.dependent), constraints.is_dependent(constraints.real)
    (True, False)
    """
    return isinstance(constraint, _Dependent)


class _DependentProperty(property, _Dependent):
    """A property that is also a dependent constraint: on the class it is the constraint,
    on an instance the property's value (``Uniform.support`` is an ``Interval(low, high)``)."""

    def __init__(
        self,
        fn: Callable[..., Any] | None = None,
        *,
        is_discrete: Any = NotImplemented,
        event_dim: Any = NotImplemented,
    ) -> None:
        property.__init__(self, fn)
        _Dependent.__init__(self, is_discrete=is_discrete, event_dim=event_dim)

    def __call__(self, fn: Callable[..., Any]) -> _DependentProperty:  # type: ignore[override]
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


class _IndependentConstraint(Constraint):
    """Reinterpret ``reinterpreted_batch_ndims`` batch dimensions of ``base_constraint`` as
    event dimensions: an event is valid when all its elements are."""

    def __init__(self, base_constraint: Constraint, reinterpreted_batch_ndims: int) -> None:
        if not isinstance(base_constraint, Constraint):
            raise TypeError(
                f"independent: base_constraint must be a Constraint, got "
                f"{type(base_constraint).__name__}"
            )
        if not isinstance(reinterpreted_batch_ndims, int) or reinterpreted_batch_ndims < 0:
            raise ValueError(
                "independent: reinterpreted_batch_ndims must be a non-negative int, got "
                f"{reinterpreted_batch_ndims!r}"
            )
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value: Any) -> Tensor:
        result = self.base_constraint.check(value)
        n = self.reinterpreted_batch_ndims
        if result.ndim < n:
            expected = self.base_constraint.event_dim + n
            raise ValueError(f"Expected value.dim() >= {expected} but got {_t(value).ndim}")
        if n == 0:
            return result
        return result.reshape(result.shape[: result.ndim - n] + (-1,)).all(-1)

    def __repr__(self) -> str:
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


def _check_dim(op: str, dim: int, value: Tensor) -> None:
    if not -value.ndim <= dim < value.ndim:
        raise IndexError(
            f"{op}: dim {dim} is out of range for a value of shape {tuple(value.shape)}"
        )


class _Joined(Constraint):
    """A constraint per slice of a value along ``dim`` (the base of ``cat`` and ``stack``)."""

    def __init__(self, op: str, cseq: Any, dim: int) -> None:
        self.cseq = list(cseq)
        for c in self.cseq:
            if not isinstance(c, Constraint):
                raise TypeError(
                    f"{op}: every element of cseq must be a Constraint, got {type(c).__name__}"
                )
        self.dim = dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return any(c.is_discrete for c in self.cseq)


class _Cat(_Joined):
    """Constraints ``cseq`` applied to consecutive slices along ``dim``, of ``lengths`` (1
    each by default): the constraint of a :func:`npgrad.cat` of their values."""

    def __init__(self, cseq: Any, dim: int = 0, lengths: Any = None) -> None:
        super().__init__("cat", cseq, dim)
        self.lengths = [1] * len(self.cseq) if lengths is None else [int(n) for n in lengths]
        if len(self.lengths) != len(self.cseq):
            raise ValueError(f"cat: {len(self.lengths)} lengths for {len(self.cseq)} constraints")

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return max(c.event_dim for c in self.cseq)

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        _check_dim("cat", self.dim, v)
        pieces, start = [], 0
        for c, n in zip(self.cseq, self.lengths):
            pieces.append(c.check(v.narrow(self.dim, start, n)))
            start += n
        return npgrad.cat(pieces, self.dim)

    def __repr__(self) -> str:
        return f"Cat({self.cseq!r}, dim={self.dim}, lengths={self.lengths})"


class _Stack(_Joined):
    """Constraint ``cseq[i]`` applied to the ``i``-th slice along ``dim``: the constraint of
    a :func:`npgrad.stack` of their values."""

    def __init__(self, cseq: Any, dim: int = 0) -> None:
        super().__init__("stack", cseq, dim)

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        # a negative dim counted from the end lies among the event dimensions
        dim = max(c.event_dim for c in self.cseq)
        return dim + 1 if self.dim + dim < 0 else dim

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        _check_dim("stack", self.dim, v)
        if v.shape[self.dim] != len(self.cseq):
            raise ValueError(
                f"stack: a value of shape {tuple(v.shape)} has {v.shape[self.dim]} slices "
                f"along dim {self.dim} for {len(self.cseq)} constraints"
            )
        return npgrad.stack(
            [c.check(v.select(self.dim, i)) for i, c in enumerate(self.cseq)], self.dim
        )

    def __repr__(self) -> str:
        return f"Stack({self.cseq!r}, dim={self.dim})"


class MixtureSameFamilyConstraint(Constraint):
    """The support of a :class:`~npgrad.distributions.MixtureSameFamily`: a value is valid
    when it is a valid value of every component (``base_constraint``, the component
    distribution's support, checked with the mixture dimension added back)."""

    def __init__(self, base_constraint: Constraint) -> None:
        if not isinstance(base_constraint, Constraint):
            raise TypeError(
                "MixtureSameFamilyConstraint: base_constraint must be a Constraint, got "
                f"{type(base_constraint).__name__}"
            )
        self.base_constraint = base_constraint

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self.base_constraint.event_dim

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        n = self.event_dim
        if v.ndim < n:
            raise ValueError(f"Expected value.dim() >= {n} but got {v.ndim}")
        result = self.base_constraint.check(v.unsqueeze(-1 - n))
        keep = v.ndim - n
        return result.reshape(result.shape[:keep] + (-1,)).all(-1)

    def __repr__(self) -> str:
        return f"MixtureSameFamilyConstraint({self.base_constraint!r})"


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        return (v == 0) | (v == 1)


class _OneHot(Constraint):
    is_discrete = True
    event_dim = 1

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        is_boolean = ((v == 0) | (v == 1)).all(-1)
        return is_boolean & (v.sum(-1) == 1)


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        return _is_integer(v) & (v >= self.lower_bound) & (v <= self.upper_bound)

    def __repr__(self) -> str:
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _IntegerGreaterThan(Constraint):
    is_discrete = True

    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        return _is_integer(v) & (v >= self.lower_bound)

    def __repr__(self) -> str:
        return f"IntegerGreaterThan(lower_bound={self.lower_bound})"


class _Real(Constraint):
    def check(self, value: Any) -> Tensor:
        v = _t(value)
        return v == v  # False exactly for nan (infinities are real here, as in PyTorch)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def check(self, value: Any) -> Tensor:
        return _t(value) > self.lower_bound

    def __repr__(self) -> str:
        return f"GreaterThan(lower_bound={self.lower_bound})"


class _GreaterThanEq(Constraint):
    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def check(self, value: Any) -> Tensor:
        return _t(value) >= self.lower_bound

    def __repr__(self) -> str:
        return f"GreaterThanEq(lower_bound={self.lower_bound})"


class _LessThan(Constraint):
    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        return _t(value) < self.upper_bound

    def __repr__(self) -> str:
        return f"LessThan(upper_bound={self.upper_bound})"


class _Interval(Constraint):
    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        return (v >= self.lower_bound) & (v <= self.upper_bound)

    def __repr__(self) -> str:
        return f"Interval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _HalfOpenInterval(_Interval):
    def check(self, value: Any) -> Tensor:
        v = _t(value)
        return (v >= self.lower_bound) & (v < self.upper_bound)

    def __repr__(self) -> str:
        return f"HalfOpenInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _Multinomial(Constraint):
    """Non-negative counts over the last dimension summing to at most ``upper_bound``."""

    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        return (v >= 0).all(-1) & (v.sum(-1) <= self.upper_bound)

    def __repr__(self) -> str:
        return f"Multinomial(upper_bound={self.upper_bound})"


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        return (v >= 0).all(-1) & ((v.sum(-1) - 1).abs() < 1e-6)


class _Square(Constraint):
    event_dim = 2

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        return npgrad.full(v.shape[:-2], v.shape[-2] == v.shape[-1], dtype=npgrad.bool)


class _Symmetric(_Square):
    def check(self, value: Any) -> Tensor:
        square = super().check(value)
        if not bool(square.all()):
            return square
        v = _t(value)
        close = np.isclose(v._data, np.swapaxes(v._data, -1, -2), atol=1e-6)
        return npgrad.as_tensor(close.all(axis=(-2, -1)))


class _LowerTriangular(Constraint):
    event_dim = 2

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        return (v.tril() == v).reshape(v.shape[:-2] + (-1,)).all(-1)


class _LowerCholesky(Constraint):
    event_dim = 2

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        lower = (v.tril() == v).reshape(v.shape[:-2] + (-1,)).all(-1)
        positive_diagonal = (v.diagonal(dim1=-2, dim2=-1) > 0).all(-1)
        return lower & positive_diagonal


class _CorrCholesky(Constraint):
    """Lower Cholesky factors of correlation matrices: lower-triangular with a positive
    diagonal and rows of unit Euclidean norm."""

    event_dim = 2

    def check(self, value: Any) -> Tensor:
        v = _t(value)
        tol = float(np.finfo(v.dtype).eps) * v.shape[-1] * 10  # rounding in the row norms
        row_norm = np.sqrt((v._data.astype(np.float64) ** 2).sum(-1))
        unit = npgrad.as_tensor(np.asarray((np.abs(row_norm - 1.0) <= tol).all(-1)))
        return _LowerCholesky().check(v) & unit


class _PositiveSemidefinite(_Symmetric):
    _strict = False

    def check(self, value: Any) -> Tensor:
        sym = super().check(value)
        if not bool(_Square().check(value).all()):
            return sym
        # eigvalsh reads one triangle only: the symmetry check above covers the other
        eig = np.linalg.eigvalsh(_t(value)._data.astype(np.float64, copy=False))
        ok = (eig > 0).all(-1) if self._strict else (eig >= 0).all(-1)
        return sym & npgrad.as_tensor(np.asarray(ok))


class _PositiveDefinite(_PositiveSemidefinite):
    _strict = True


# public instances and factories, PyTorch's names
dependent = _Dependent()
dependent_property = _DependentProperty
independent = _IndependentConstraint
boolean = _Boolean()
one_hot = _OneHot()
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
integer_interval = _IntegerInterval
real = _Real()
real_vector = independent(real, 1)
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
unit_interval = _Interval(0.0, 1.0)
interval = _Interval
half_open_interval = _HalfOpenInterval
simplex = _Simplex()
multinomial = _Multinomial
square = _Square()
symmetric = _Symmetric()
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
corr_cholesky = _CorrCholesky()
cat = _Cat
stack = _Stack
positive_semidefinite = _PositiveSemidefinite()
positive_definite = _PositiveDefinite()
