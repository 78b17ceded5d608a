"""Data-parallel training across processes, as ``torch.nn.parallel``.

:class:`DataParallel` is PyTorch's multi-GPU wrapper as it runs without GPUs (the module as it
is). :class:`DistributedDataParallel` wraps a model so that every rank of
``npgrad.distributed`` (processes started by ``mpiexec``) trains the same replica on its own
share of the data, with gradients averaged across ranks during backward.

Examples
--------
>>> from npgrad.nn.parallel import DistributedDataParallel
>>> DistributedDataParallel.__name__
'DistributedDataParallel'
"""

from npgrad.nn.parallel.data_parallel import DataParallel
from npgrad.nn.parallel.distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
