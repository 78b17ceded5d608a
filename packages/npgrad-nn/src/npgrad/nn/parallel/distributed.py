"""``DistributedDataParallel``: the same model on every rank, gradients averaged after backward.

Every rank runs the script on its own share of the data (``npgrad.data.DistributedSampler``).
The wrapper makes the replicas start equal (parameters and buffers are broadcast from rank 0),
keeps buffers equal (broadcast at every forward), and averages the gradients across ranks
during backward (see :mod:`npgrad.nn.parallel._reducer`), so an optimizer step on each rank
applies the same update: the same as one process training on the concatenated batch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from npgrad import Tensor
from npgrad import distributed as dist
from npgrad.autograd.grad_mode import is_grad_enabled
from npgrad.nn.modules.module import Module
from npgrad.nn.parallel._reducer import Reducer

__all__ = ["DistributedDataParallel"]


def _broadcast_coalesced(tensors: list[Tensor], src: int = 0) -> None:
    """Broadcast ``tensors`` from ``src`` with one collective per dtype (not one per tensor)."""
    by_dtype: dict[np.dtype, list[Tensor]] = {}
    for t in tensors:
        by_dtype.setdefault(t.dtype, []).append(t)
    receiving = dist.get_rank() != src
    for group in by_dtype.values():
        flat = np.concatenate([t._data.reshape(-1) for t in group])
        dist.broadcast(Tensor._make(flat, False, None), src=src)
        if receiving:
            start = 0
            for t in group:
                np.copyto(t._data, flat[start : start + t.numel()].reshape(t.shape))
                t._version += 1
                start += t.numel()


class DistributedDataParallel(Module):
    """Data-parallel training of ``module`` across the ranks of ``npgrad.distributed``.

    Construct it on every rank after :func:`npgrad.distributed.init_process_group`, with
    identical architectures. Call it like the module; ``loss.backward()`` then leaves the
    gradients averaged over all ranks in every parameter's ``.grad``.

    Parameters
    ----------
    module : Module
        The model. Its parameters and buffers are overwritten with rank 0's at construction.
    device_ids, output_device : None
        Accepted for PyTorch compatibility; npgrad computes on the CPU only.
    broadcast_buffers : bool, optional
        Broadcast rank 0's buffers (batch-norm statistics ...) at the start of every forward.
    bucket_cap_mb : float, optional
        Largest gradient bucket in megabytes (PyTorch's default 25): one all-reduce per
        bucket, started as soon as backward has produced all its gradients.
    find_unused_parameters : bool, optional
        Search each forward's output graph for parameters it does not use, so that backward
        does not wait for their gradients. Needed when some forward passes skip parameters;
        it costs a graph walk per forward and one small extra all-reduce per backward.
    gradient_as_bucket_view : bool, optional
        Make each ``.grad`` a view into its bucket's flat array, saving the copy back and the
        memory of a second copy of the gradients. ``.grad`` must then not be replaced by a
        tensor of another layout while training.

    Attributes
    ----------
    module : Module
        The wrapped model; ``state_dict()`` keys start with ``module.`` as in PyTorch.
    require_backward_grad_sync : bool
        False inside :meth:`no_sync`.

    Raises
    ------
    ValueError
        When the process group is not initialised, or when the ranks' models differ.
    RuntimeError
        When ``module`` has no parameter that requires grad.

    Examples
    --------
    A simulated two-rank world (``backend="fake"``) in which the other rank computes the same
    gradients; under ``mpiexec`` each rank's batch differs and the average is taken:

    >>> import npgrad
    >>> import npgrad.distributed as dist
    >>> from npgrad import nn
    >>> from npgrad.nn.parallel import DistributedDataParallel
    >>> dist.init_process_group("fake", world_size=2, rank=0)
    >>> model = DistributedDataParallel(nn.Linear(2, 1))
    >>> [name for name in model.state_dict()]
    ['module.weight', 'module.bias']
    >>> model(npgrad.ones(4, 2)).sum().backward()
    >>> model.module.bias.grad
    tensor([4.])
    >>> dist.destroy_process_group()
    """

    def __init__(
        self,
        module: Module,
        device_ids: Any = None,
        output_device: Any = None,
        broadcast_buffers: bool = True,
        bucket_cap_mb: float | None = 25,
        find_unused_parameters: bool = False,
        gradient_as_bucket_view: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(
                f"DistributedDataParallel: module must be an npgrad.nn.Module, got "
                f"{type(module).__name__}"
            )
        for name, value in (("device_ids", device_ids), ("output_device", output_device)):
            if value not in (None, "cpu") and value != ["cpu"]:
                raise ValueError(
                    f"DistributedDataParallel: {name}={value!r}: npgrad computes on the CPU "
                    "only; leave it None"
                )
        cap = 25.0 if bucket_cap_mb is None else bucket_cap_mb
        if isinstance(cap, bool) or not isinstance(cap, (int, float)) or not cap > 0:
            raise ValueError(
                f"DistributedDataParallel: bucket_cap_mb must be positive, got {bucket_cap_mb!r}"
            )
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have any parameter "
                "that requires a gradient."
            )
        rank = dist.get_rank()  # raises unless the process group is initialised
        self.module = module
        self.broadcast_buffers = bool(broadcast_buffers)
        self.find_unused_parameters = bool(find_unused_parameters)
        self.gradient_as_bucket_view = bool(gradient_as_bucket_view)
        self.bucket_bytes_cap = int(cap * 1024 * 1024)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.device_ids = None
        self.output_device = None

        _check_same_model(module, rank)
        states = [p for _, p in module.named_parameters()] + list(module.buffers())
        _broadcast_coalesced(states, src=0)
        self._reducer = Reducer(
            [p for _, p in named],
            [n for n, _ in named],
            self.bucket_bytes_cap,
            self.find_unused_parameters,
            self.gradient_as_bucket_view,
        )

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """Run ``module`` (after syncing buffers); arm the gradient reduction of backward."""
        # first, before any collective: the other ranks may still wait in the last reduction
        self._reducer.check_finished()
        if self.broadcast_buffers and self.require_forward_param_sync:
            buffers = list(self.module.buffers())
            if buffers:
                _broadcast_coalesced(buffers, src=0)
        out = self.module(*inputs, **kwargs)
        if self.require_backward_grad_sync and is_grad_enabled():
            self._reducer.prepare(out)
        else:
            self._reducer.disarm()
        return out

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Accumulate gradients locally: backward passes of forwards run inside this block do
        not communicate. The first backward after it averages everything accumulated.

        Examples
        --------
        >>> import npgrad
        >>> import npgrad.distributed as dist
        >>> from npgrad import nn
        >>> from npgrad.nn.parallel import DistributedDataParallel
        >>> dist.init_process_group("fake", world_size=2, rank=0)
        >>> ddp = DistributedDataParallel(nn.Linear(2, 1))
        >>> with ddp.no_sync():
        ...     ddp(npgrad.ones(1, 2)).sum().backward()   # local only
        >>> ddp(npgrad.ones(1, 2)).sum().backward()       # synchronises both
        >>> ddp.module.bias.grad
        tensor([2.])
        >>> dist.destroy_process_group()
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous


def _check_same_model(module: Module, rank: int) -> None:
    """Raise the same ValueError on every rank unless all ranks hold the same architecture."""
    mine = [
        (name, tuple(t.shape), str(t.dtype), kind)
        for kind, items in (
            ("parameter", module.named_parameters()),
            ("buffer", module.named_buffers()),
        )
        for name, t in items
    ]
    everyone: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, mine)
    reference = everyone[0]
    for other, theirs in enumerate(everyone[1:], start=1):
        if theirs == reference:
            continue
        diff = next(
            (f"{a} on rank 0 but {b} on rank {other}" for a, b in zip(reference, theirs) if a != b),
            f"{len(reference)} parameters and buffers on rank 0 but {len(theirs)} on rank {other}",
        )
        raise ValueError(
            "DistributedDataParallel expects the same model on every rank (same parameter and "
            f"buffer names, shapes and dtypes, in the same order), found {diff} "
            f"(this is rank {rank})"
        )
