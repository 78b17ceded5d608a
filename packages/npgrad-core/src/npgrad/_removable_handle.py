"""``RemovableHandle``, what every ``register_*_hook`` returns: tensor hooks, module hooks
(npgrad-nn) and optimizer step hooks (npgrad-optim) alike. Public as
:class:`npgrad.utils.hooks.RemovableHandle` (PyTorch's ``torch.utils.hooks``); defined here,
importing nothing, because Tensor's own hook methods need it before ``npgrad.utils`` can be
imported."""

from __future__ import annotations

import itertools
from collections.abc import MutableMapping
from typing import Any

__all__ = ["RemovableHandle"]


class RemovableHandle:
    """Unregisters the hook it was returned for: the entry under :attr:`id` in the hook dict
    (and in the ``extra_dict`` dicts, which keep per-hook options). ``remove()`` a second
    time does nothing; ``with handle:`` removes the hook when the block ends.

    Examples
    --------
    >>> from npgrad.utils.hooks import RemovableHandle
    >>> hooks = {}
    >>> handle = RemovableHandle(hooks)
    >>> hooks[handle.id] = print
    >>> handle.remove()
    >>> hooks
    {}
    """

    _ids = itertools.count()

    def __init__(self, hooks_dict: MutableMapping[int, Any], *, extra_dict: Any = None) -> None:
        self.hooks_dict = hooks_dict
        if extra_dict is None:
            extra_dict = ()
        elif isinstance(extra_dict, MutableMapping):
            extra_dict = (extra_dict,)
        self.extra_dicts: tuple[MutableMapping[int, Any], ...] = tuple(extra_dict)
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        """Unregister the hook."""
        for d in (self.hooks_dict, *self.extra_dicts):
            d.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
