"""Tensor's methods and operators, one mixin per op family, composed into
:class:`npgrad._tensor_methods.TensorMethods` (``Tensor``'s base class).

Each method calls the npgrad function of the same name (``x.exp()`` is ``npgrad.exp(x)``,
``x + y`` is ``npgrad.add(x, y)``), so there is one code path per op; in-place variants go
through :meth:`MethodsBase._inplace`. The op modules need ``Tensor``, which needs these classes
first, so the methods reach them through the ``npgrad.ops`` package (``ops.arithmetic.add``),
whose submodules are attributes by the time any method runs.
"""
