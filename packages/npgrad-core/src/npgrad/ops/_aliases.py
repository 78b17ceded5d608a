"""NumPy's argument names as aliases of PyTorch's, for functions and Tensor methods alike.

Kept free of npgrad imports: the method mixins of ``npgrad._methods`` need it before
``Tensor`` exists.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["numpy_aliases"]


def numpy_aliases(fn: Any) -> Any:
    """Accept NumPy's ``axis``/``keepdims`` as keyword aliases of ``dim``/``keepdim``
    (DESIGN §3) on a reduction-style function or Tensor method."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            for alias, name in (("axis", "dim"), ("keepdims", "keepdim")):
                if alias in kwargs:
                    if name in kwargs:
                        raise TypeError(f"{fn.__name__}: got both '{name}' and its alias '{alias}'")
                    kwargs[name] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    return wrapper
