"""``npgrad.utils.data``: PyTorch's ``torch.utils.data`` path to :mod:`npgrad.data`.

``from npgrad.utils.data import DataLoader, Dataset, random_split`` gives the very objects of
:mod:`npgrad.data`, and ``npgrad.utils.data.dataloader`` (``.dataset``, ``.sampler``,
``.distributed``, ``.collate``) are npgrad.data's modules, so code written for
``torch.utils.data`` runs unchanged. The data loaders ship in the separate distribution
``npgrad-data``: this module, part of ``npgrad-core``, imports it only when it is imported
itself (never with ``import npgrad``), and without ``npgrad-data`` installed it raises a
``ModuleNotFoundError`` that says how to install it.

Examples
--------
>>> import npgrad
>>> from npgrad.utils.data import DataLoader, TensorDataset
>>> import npgrad.data
>>> DataLoader is npgrad.data.DataLoader
True
>>> ds = TensorDataset(npgrad.arange(4.0))
>>> [b[0].tolist() for b in DataLoader(ds, batch_size=3)]
[[0.0, 1.0, 2.0], [3.0]]
"""

from __future__ import annotations

import importlib
import sys

_DISTRIBUTION = "npgrad-data"
# npgrad.data's modules that torch.utils.data also has, reachable under this name too
_SUBMODULES = ("collate", "dataloader", "dataset", "distributed", "sampler")

try:
    _data = importlib.import_module("npgrad.data")
except ModuleNotFoundError as exc:
    if exc.name != "npgrad.data":  # npgrad-data is there but something it needs is not
        raise
    raise ModuleNotFoundError(
        f"npgrad.utils.data is npgrad.data, which ships in the separate distribution "
        f"{_DISTRIBUTION!r}; install it with `pip install {_DISTRIBUTION}`",
        name="npgrad.data",
    ) from None

from npgrad.data import *  # noqa: E402, F403 - the same objects, under torch's path

__all__ = list(_data.__all__)

for _name in _SUBMODULES:
    # the same module objects (not copies), so classes and isinstance checks are shared
    _module = importlib.import_module(f"npgrad.data.{_name}")
    sys.modules[f"{__name__}.{_name}"] = _module
    globals()[_name] = _module
del _name, _module


def __getattr__(name: str) -> object:
    # what npgrad.data loads on first use (npgrad.utils.data.transforms, which needs Pillow)
    try:
        return getattr(_data, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
