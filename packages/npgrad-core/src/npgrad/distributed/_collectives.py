"""Collectives on Tensors: ``all_reduce``, ``broadcast``, ``all_gather`` ... as in PyTorch.

Each one works in place on the tensors' arrays. A C-contiguous, writable array goes to MPI as it
is (no copy); a non-contiguous view is copied into a contiguous buffer and the result copied
back, which is what MPI needs. Results are written without autograd (like PyTorch's
collectives) and bump the tensor's version counter. With ``async_op=True`` a :class:`Work` is
returned; its ``wait()`` finishes the collective (the results are in place after it).

The examples run in a simulated two-rank world (``backend="fake"``) in which the other rank
holds the same values; under ``mpiexec`` each rank contributes its own.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from npgrad.distributed._group import ReduceOp, Work, _group
from npgrad.tensor import Tensor

__all__ = [
    "all_gather",
    "all_gather_into_tensor",
    "all_gather_object",
    "all_reduce",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "reduce_scatter",
    "reduce_scatter_tensor",
]

_BOOL_OPS = {
    ReduceOp.SUM: "lor",
    ReduceOp.MAX: "lor",
    ReduceOp.BOR: "lor",
    ReduceOp.PRODUCT: "land",
    ReduceOp.MIN: "land",
    ReduceOp.BAND: "land",
    ReduceOp.BXOR: "lxor",
}
_NUMBER_OPS = {
    ReduceOp.SUM: "sum",
    ReduceOp.AVG: "sum",  # then divided by the world size
    ReduceOp.PRODUCT: "prod",
    ReduceOp.MAX: "max",
    ReduceOp.MIN: "min",
    ReduceOp.BAND: "band",
    ReduceOp.BOR: "bor",
    ReduceOp.BXOR: "bxor",
}


def _mpi_op(op: Any, dtype: np.dtype, where: str) -> str:
    """The backend's reduction for ``op`` on ``dtype``, or a TypeError naming the conflict."""
    if not isinstance(op, ReduceOp):
        raise TypeError(f"{where}: op must be a npgrad.distributed.ReduceOp, got {op!r}")
    kind = dtype.kind
    if kind == "b":
        if op in _BOOL_OPS:
            return _BOOL_OPS[op]
    elif kind in "iu":
        if op is not ReduceOp.AVG:
            return _NUMBER_OPS[op]
    elif kind == "f":
        if op not in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR):
            return _NUMBER_OPS[op]
    elif kind == "c" and op in (ReduceOp.SUM, ReduceOp.AVG, ReduceOp.PRODUCT):
        return _NUMBER_OPS[op]
    raise TypeError(f"{where}: ReduceOp.{op.name} is not supported for tensors of dtype {dtype}")


def _tensor(t: Any, where: str, what: str = "tensor") -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{where}: {what} must be an npgrad Tensor, got {type(t).__name__}")
    if t._data.dtype.kind not in "biufc":
        raise TypeError(f"{where}: {what} has dtype {t._data.dtype}, which MPI can't reduce")
    return t


def _writable(t: Tensor, where: str, what: str = "tensor") -> None:
    if not t._data.flags.writeable:
        raise ValueError(
            f"{where}: the memory of {what} (shape {t.shape}) is read-only; "
            "pass a writable tensor (e.g. .clone())"
        )


def _contiguous(t: Tensor) -> tuple[np.ndarray, Callable[[], None] | None]:
    """The array to hand to MPI, and how to copy the result back into ``t`` if it is a copy."""
    arr = t._data
    if arr.flags.c_contiguous:
        return arr, None
    buf = np.ascontiguousarray(arr)
    return buf, lambda: np.copyto(arr, buf)


def _run(request: Any, op: str, finish: Callable[[], None], async_op: bool) -> Work | None:
    work = Work(request, op, finish)
    if async_op:
        return work
    work.wait()
    return None


def all_reduce(
    tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group: Any = None, async_op: bool = False
) -> Work | None:
    """Combine ``tensor`` across all ranks, in place: afterwards every rank holds the result.

    Parameters
    ----------
    tensor : Tensor
        Input and output (same shape and dtype on every rank).
    op : ReduceOp, optional
        ``SUM`` (default), ``AVG``, ``PRODUCT``, ``MIN``, ``MAX``, ``BAND``, ``BOR``, ``BXOR``.
    group : None
        The default group (every rank) is the only one.
    async_op : bool, optional
        Return a :class:`Work` to ``wait()`` on instead of waiting here.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.distributed as dist
    >>> dist.init_process_group("fake", world_size=2, rank=0)
    >>> x = npgrad.tensor([1.0, 5.0])
    >>> dist.all_reduce(x)
    >>> x
    tensor([ 2., 10.])
    >>> dist.all_reduce(x, op=dist.ReduceOp.AVG)
    >>> x
    tensor([ 2., 10.])
    >>> dist.destroy_process_group()
    """
    g = _group("all_reduce", group)
    _tensor(tensor, "all_reduce")
    mop = _mpi_op(op, tensor.dtype, "all_reduce")
    _writable(tensor, "all_reduce")
    buf, copy_back = _contiguous(tensor)
    size = g.backend.size
    request = g.backend.allreduce(buf, mop)

    def finish() -> None:
        if op is ReduceOp.AVG:
            np.divide(buf, size, out=buf, casting="unsafe")
        if copy_back is not None:
            copy_back()
        tensor._version += 1

    return _run(request, "all_reduce", finish, async_op)


def _check_rank(rank: Any, size: int, where: str, what: str) -> int:
    if isinstance(rank, bool) or not isinstance(rank, (int, np.integer)) or not 0 <= rank < size:
        raise ValueError(f"{where}: {what} must be a rank in [0, {size - 1}], got {rank!r}")
    return int(rank)


def broadcast(tensor: Tensor, src: int, group: Any = None, async_op: bool = False) -> Work | None:
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.distributed as dist
    >>> dist.init_process_group("fake", world_size=2, rank=1)
    >>> x = npgrad.zeros(2)
    >>> dist.broadcast(x, src=0)  # the simulated rank 0 holds zeros as well
    >>> x
    tensor([0., 0.])
    >>> dist.destroy_process_group()
    """
    g = _group("broadcast", group)
    _tensor(tensor, "broadcast")
    src = _check_rank(src, g.backend.size, "broadcast", "src")
    receiving = src != g.backend.rank
    if receiving:
        _writable(tensor, "broadcast")
    buf, copy_back = _contiguous(tensor)
    request = g.backend.bcast(buf, src)

    def finish() -> None:
        if receiving:
            if copy_back is not None:
                copy_back()
            tensor._version += 1

    return _run(request, "broadcast", finish, async_op)


def _outputs(tensors: Any, like: Tensor, size: int, where: str, what: str) -> list[Tensor]:
    if not isinstance(tensors, (list, tuple)) or len(tensors) != size:
        raise ValueError(
            f"{where}: {what} must be a list of world_size={size} tensors, got "
            f"{len(tensors) if isinstance(tensors, (list, tuple)) else type(tensors).__name__}"
        )
    for i, t in enumerate(tensors):
        _tensor(t, where, f"{what}[{i}]")
        if t.shape != like.shape or t.dtype != like.dtype:
            raise ValueError(
                f"{where}: {what}[{i}] has shape {t.shape} and dtype {t.dtype}; every tensor "
                f"must have the shape {like.shape} and dtype {like.dtype} of the local tensor"
            )
    return list(tensors)


def all_gather(
    tensor_list: list[Tensor], tensor: Tensor, group: Any = None, async_op: bool = False
) -> Work | None:
    """Fill ``tensor_list[r]`` with rank ``r``'s ``tensor``, on every rank.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.distributed as dist
    >>> dist.init_process_group("fake", world_size=2, rank=0)
    >>> out = [npgrad.zeros(2), npgrad.zeros(2)]
    >>> dist.all_gather(out, npgrad.tensor([1.0, 2.0]))
    >>> out
    [tensor([1., 2.]), tensor([1., 2.])]
    >>> dist.destroy_process_group()
    """
    g = _group("all_gather", group)
    _tensor(tensor, "all_gather")
    outputs = _outputs(tensor_list, tensor, g.backend.size, "all_gather", "tensor_list")
    for i, t in enumerate(outputs):
        _writable(t, "all_gather", f"tensor_list[{i}]")
    send, _ = _contiguous(tensor)
    recv = np.empty((g.backend.size, *tensor.shape), dtype=tensor.dtype)
    request = g.backend.allgather(send, recv)

    def finish() -> None:
        for t, block in zip(outputs, recv):
            np.copyto(t._data, block)
            t._version += 1

    return _run(request, "all_gather", finish, async_op)


def _check_sizes(big: Tensor, small: Tensor, size: int, where: str, names: tuple[str, str]) -> None:
    if big.dtype != small.dtype:
        raise ValueError(
            f"{where}: {names[0]} has dtype {big.dtype} and {names[1]} {small.dtype}; they must match"
        )
    if big.numel() != size * small.numel():
        raise ValueError(
            f"{where}: {names[0]} (shape {big.shape}) must hold world_size={size} times the "
            f"elements of {names[1]} (shape {small.shape})"
        )


def all_gather_into_tensor(
    output_tensor: Tensor, input_tensor: Tensor, group: Any = None, async_op: bool = False
) -> Work | None:
    """Every rank's ``input_tensor``, concatenated in rank order, into ``output_tensor``.

    ``output_tensor`` holds ``world_size`` times the elements of ``input_tensor``: shape
    ``(world_size * n, ...)`` (concatenated) or ``(world_size, n, ...)`` (stacked).

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.distributed as dist
    >>> dist.init_process_group("fake", world_size=2, rank=0)
    >>> out = npgrad.zeros(2, 3)
    >>> dist.all_gather_into_tensor(out, npgrad.tensor([1.0, 2.0, 3.0]))
    >>> out
    tensor([[1., 2., 3.],
            [1., 2., 3.]])
    >>> dist.destroy_process_group()
    """
    g = _group("all_gather_into_tensor", group)
    where = "all_gather_into_tensor"
    _tensor(output_tensor, where, "output_tensor")
    _tensor(input_tensor, where, "input_tensor")
    _check_sizes(
        output_tensor, input_tensor, g.backend.size, where, ("output_tensor", "input_tensor")
    )
    _writable(output_tensor, where, "output_tensor")
    send, _ = _contiguous(input_tensor)
    recv, copy_back = _contiguous(output_tensor)
    request = g.backend.allgather(send, recv)

    def finish() -> None:
        if copy_back is not None:
            copy_back()
        output_tensor._version += 1

    return _run(request, where, finish, async_op)


def _reduce_scatter(
    where: str, output: Tensor, send: np.ndarray, op: ReduceOp, g: Any, async_op: bool
) -> Work | None:
    mop = _mpi_op(op, output.dtype, where)
    _writable(output, where, "output")
    recv, copy_back = _contiguous(output)
    size = g.backend.size
    request = g.backend.reduce_scatter_block(send, recv, mop)

    def finish() -> None:
        if op is ReduceOp.AVG:
            np.divide(recv, size, out=recv, casting="unsafe")
        if copy_back is not None:
            copy_back()
        output._version += 1

    return _run(request, where, finish, async_op)


def reduce_scatter(
    output: Tensor,
    input_list: list[Tensor],
    op: ReduceOp = ReduceOp.SUM,
    group: Any = None,
    async_op: bool = False,
) -> Work | None:
    """Reduce ``input_list[r]`` across ranks into rank ``r``'s ``output``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.distributed as dist
    >>> dist.init_process_group("fake", world_size=2, rank=1)
    >>> out = npgrad.zeros(2)
    >>> dist.reduce_scatter(out, [npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0])])
    >>> out  # rank 1 gets the sum of every rank's input_list[1]
    tensor([6., 8.])
    >>> dist.destroy_process_group()
    """
    g = _group("reduce_scatter", group)
    _tensor(output, "reduce_scatter", "output")
    inputs = _outputs(input_list, output, g.backend.size, "reduce_scatter", "input_list")
    send = np.stack([t._data for t in inputs])
    return _reduce_scatter("reduce_scatter", output, send, op, g, async_op)


def reduce_scatter_tensor(
    output: Tensor,
    input: Tensor,  # noqa: A002 - PyTorch's name
    op: ReduceOp = ReduceOp.SUM,
    group: Any = None,
    async_op: bool = False,
) -> Work | None:
    """Reduce ``input`` (``world_size`` blocks of ``output``'s size) across ranks; rank ``r``
    receives block ``r`` in ``output``.

    Examples
    --------
    >>> import npgrad
    >>> import npgrad.distributed as dist
    >>> dist.init_process_group("fake", world_size=2, rank=0)
    >>> out = npgrad.zeros(2)
    >>> dist.reduce_scatter_tensor(out, npgrad.tensor([1.0, 2.0, 3.0, 4.0]))
    >>> out
    tensor([2., 4.])
    >>> dist.destroy_process_group()
    """
    g = _group("reduce_scatter_tensor", group)
    where = "reduce_scatter_tensor"
    _tensor(output, where, "output")
    _tensor(input, where, "input")
    _check_sizes(input, output, g.backend.size, where, ("input", "output"))
    send, _ = _contiguous(input)
    return _reduce_scatter(where, output, send, op, g, async_op)


def barrier(group: Any = None, async_op: bool = False) -> Work | None:
    """Wait until every rank has called ``barrier``."""
    g = _group("barrier", group)
    return _run(g.backend.barrier(), "barrier", lambda: None, async_op)


def _wait(request: Any, where: str) -> None:
    Work(request, where).wait()


def all_gather_object(object_list: list[Any], obj: Any, group: Any = None) -> None:
    """Fill ``object_list`` (of length ``world_size``) with every rank's picklable ``obj``.

    Objects travel pickled, as in PyTorch: unpickling runs code from the other ranks, so use it
    only within a job you trust.

    Examples
    --------
    >>> import npgrad.distributed as dist
    >>> dist.init_process_group("fake", world_size=2, rank=0)
    >>> out = [None, None]
    >>> dist.all_gather_object(out, {"loss": 0.5})
    >>> out
    [{'loss': 0.5}, {'loss': 0.5}]
    >>> dist.destroy_process_group()
    """
    g = _group("all_gather_object", group)
    size = g.backend.size
    if not isinstance(object_list, list) or len(object_list) != size:
        raise ValueError(
            f"all_gather_object: object_list must be a list of world_size={size} entries"
        )
    data = np.frombuffer(pickle.dumps(obj), dtype=np.uint8)
    lengths = np.empty(size, dtype=np.int64)
    _wait(g.backend.allgather(np.array([data.size], dtype=np.int64), lengths), "all_gather_object")
    longest = int(lengths.max())
    send = np.zeros(longest, dtype=np.uint8)
    send[: data.size] = data
    recv = np.empty((size, longest), dtype=np.uint8)
    _wait(g.backend.allgather(send, recv), "all_gather_object")
    for r in range(size):
        object_list[r] = pickle.loads(recv[r, : lengths[r]].tobytes())  # noqa: S301


def broadcast_object_list(object_list: list[Any], src: int = 0, group: Any = None) -> None:
    """Replace the entries of ``object_list`` by those of rank ``src`` (picklable objects; the
    list has the same length on every rank).

    Examples
    --------
    >>> import npgrad.distributed as dist
    >>> dist.init_process_group("fake", world_size=2, rank=0)
    >>> config = [{"lr": 0.1}, "sgd"]
    >>> dist.broadcast_object_list(config, src=0)
    >>> config
    [{'lr': 0.1}, 'sgd']
    >>> dist.destroy_process_group()
    """
    g = _group("broadcast_object_list", group)
    src = _check_rank(src, g.backend.size, "broadcast_object_list", "src")
    if not isinstance(object_list, list):
        raise TypeError("broadcast_object_list: object_list must be a list")
    root = g.backend.rank == src
    data = np.frombuffer(pickle.dumps(list(object_list)), dtype=np.uint8) if root else None
    length = np.array([data.size if data is not None else 0], dtype=np.int64)
    _wait(g.backend.bcast(length, src), "broadcast_object_list")
    buf = data.copy() if data is not None else np.empty(int(length[0]), dtype=np.uint8)
    _wait(g.backend.bcast(buf, src), "broadcast_object_list")
    if not root:
        received = pickle.loads(buf.tobytes())  # noqa: S301
        if len(received) != len(object_list):
            raise ValueError(
                f"broadcast_object_list: rank {src} sent {len(received)} objects but this "
                f"rank's object_list has {len(object_list)} entries; they must match"
            )
        object_list[:] = received
