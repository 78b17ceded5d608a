"""Tensor's methods and operators: :class:`TensorMethods` composes the per-family mixins of
:mod:`npgrad._methods` (operators and arithmetic, elementwise math, reductions, shape, linear
algebra, layout, casts, hooks). Each method calls the npgrad function of the same name (``x.exp()`` is
``npgrad.exp(x)``, ``x + y`` is ``npgrad.add(x, y)``), so there is one code path per op.

The op modules are imported at the bottom of this file: they need ``Tensor``, which needs
this class first. ``npgrad/__init__.py`` therefore imports this module before anything else
that touches ``npgrad.tensor``.
"""

from __future__ import annotations

from npgrad._methods.arithmetic import ArithmeticMethods
from npgrad._methods.casts import CastMethods
from npgrad._methods.elementwise import ElementwiseMethods
from npgrad._methods.hooks import HookMethods
from npgrad._methods.layout import LayoutMethods
from npgrad._methods.linalg import LinalgMethods
from npgrad._methods.reduction import ReductionMethods
from npgrad._methods.shape import ShapeMethods

__all__ = ["TensorMethods"]


class TensorMethods(
    ArithmeticMethods,
    ElementwiseMethods,
    ReductionMethods,
    ShapeMethods,
    LinalgMethods,
    LayoutMethods,
    CastMethods,
    HookMethods,
):
    __slots__ = ()


# imported last, so that every method's ``ops.<module>`` exists once npgrad is imported:
# these modules need Tensor, which needs TensorMethods above
from npgrad import _random_more, creation  # noqa: E402, F401
from npgrad.ops import (  # noqa: E402, F401
    _broadcast,
    _shape_util,
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
    other,
    products,
    reduction,
    scan,
    selection,
    shape,
    shape_more,
    sorting,
    special,
    statistics,
)
