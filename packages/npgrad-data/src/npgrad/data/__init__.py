"""Data loading with ``torch.utils.data``'s API.

``Dataset``, samplers, ``DataLoader``, ``default_collate`` and image ``transforms`` (Pillow).
This package never imports ``npgrad.nn`` or ``npgrad.optim``.

Ships in the ``npgrad-data`` distribution; ``import npgrad`` comes from ``npgrad-core``.

Examples
--------
>>> import npgrad
>>> from npgrad.data import DataLoader, TensorDataset
>>> ds = TensorDataset(npgrad.arange(6.0).reshape(3, 2))
>>> [batch[0].shape for batch in DataLoader(ds, batch_size=2)]
[npgrad.Size([2, 2]), npgrad.Size([1, 2])]
"""

from npgrad.data._worker import WorkerInfo, get_worker_info
from npgrad.data.collate import default_collate, default_convert
from npgrad.data.dataloader import DataLoader
from npgrad.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from npgrad.data.distributed import DistributedSampler
from npgrad.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "WorkerInfo",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]


def __getattr__(name: str) -> object:
    # ``npgrad.data.transforms`` imports Pillow: load it on first use, not with npgrad.data
    if name == "transforms":
        import importlib

        return importlib.import_module(f"{__name__}.transforms")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
