"""Several processes, one training run: ``torch.distributed``'s API on MPI.

Start the same script on N processes with ``mpiexec -n N python train.py``; each calls
:func:`init_process_group` and learns its :func:`get_rank` among :func:`get_world_size`
ranks. The collectives (:func:`all_reduce`, :func:`broadcast`, :func:`all_gather`,
:func:`reduce_scatter` ...) work in place on Tensors through ``mpi4py``'s buffer interface.
``npgrad.nn.parallel.DistributedDataParallel`` builds data-parallel training on them and
``npgrad.data.DistributedSampler`` gives each rank its share of a dataset.

``mpi4py`` is an optional dependency: ``pip install npgrad-core[mpi]`` (plus an MPI library,
e.g. ``pip install mpich``, or the system's). ``import npgrad.distributed`` works without it;
:func:`init_process_group` then raises an ImportError saying what to install.

Examples
--------
>>> import npgrad
>>> import npgrad.distributed as dist
>>> dist.is_initialized()
False
>>> dist.init_process_group("fake", world_size=2, rank=0)  # under mpiexec: init_process_group()
>>> x = npgrad.tensor([float(dist.get_rank() + 1)])
>>> dist.all_reduce(x, op=dist.ReduceOp.SUM)
>>> x  # every rank now holds the sum over the (here simulated) ranks
tensor([2.])
>>> dist.destroy_process_group()
"""

from npgrad.distributed._collectives import (
    all_gather,
    all_gather_into_tensor,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    broadcast_object_list,
    reduce_scatter,
    reduce_scatter_tensor,
)
from npgrad.distributed._group import (
    ReduceOp,
    Work,
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
)

__all__ = [
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_gather_object",
    "all_reduce",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "destroy_process_group",
    "get_backend",
    "get_rank",
    "get_world_size",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "reduce_scatter",
    "reduce_scatter_tensor",
]
