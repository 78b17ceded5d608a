"""Weight averaging of a whole model: ``AveragedModel`` (SWA and EMA) and ``update_bn``, with
``torch.optim.swa_utils``' behaviour.

They work on modules and batch-norm layers, so they live in npgrad-nn; ``npgrad.optim.swa_utils``
re-exports them on first use, and its averaging functions (``get_ema_multi_avg_fn(0.999)``, …)
are passed in by the user: this module never imports ``npgrad.optim``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import npgrad
from npgrad import Tensor
from npgrad._device import parse_device
from npgrad.nn.modules.module import Module
from npgrad.nn.modules.normalization import _BatchNorm
from npgrad.nn.parameter import is_lazy
from npgrad.ops._shape_util import ShapeError

__all__ = ["AveragedModel", "update_bn"]

AvgFn = Callable[[Tensor, Tensor, Any], Tensor]
MultiAvgFn = Callable[[Sequence[Tensor], Sequence[Tensor], Any], None]


def _check_fn(name: str, fn: Any) -> None:
    if fn is not None and not callable(fn):
        raise TypeError(f"AveragedModel: {name} must be callable or None, got {type(fn).__name__}")


def _pair_up(
    kind: str, averaged: Sequence[tuple[str, Tensor]], current: Sequence[tuple[str, Tensor]]
) -> None:
    """Check the averaged and the model's tensors pair up, before any of them is updated (a
    ShapeError: npgrad's ValueError and PyTorch's RuntimeError)."""
    if len(averaged) != len(current):
        raise ShapeError(
            f"AveragedModel.update_parameters: the averaged model has {len(averaged)} {kind}, "
            f"the model {len(current)}; it must have the architecture the averaged copy was "
            "made from"
        )
    for (name, a), (other, c) in zip(averaged, current):
        if a.shape != c.shape:
            raise ShapeError(
                f"AveragedModel.update_parameters: averaged {name!r} has shape {tuple(a.shape)} "
                f"but the model's {other!r} has shape {tuple(c.shape)}"
            )


class AveragedModel(Module):
    """A running average of a model's parameters, for Stochastic Weight Averaging (SWA) and
    exponential moving averages (EMA), as ``torch.optim.swa_utils.AveragedModel``.

    Holds a deep copy of ``model`` as the submodule ``module`` and the number of models averaged
    so far in the int64 buffer ``n_averaged``, so its ``state_dict`` has PyTorch's keys
    (``n_averaged``, ``module.<name>``). Calling it calls the averaged copy.

    Parameters
    ----------
    model : Module
        The model to average (copied; the copy's values are replaced at the first update).
    device : str or device, optional
        Where to keep the copy: None or the CPU (another device raises RuntimeError).
    avg_fn : callable, optional
        ``avg_fn(averaged_param, model_param, num_averaged)`` returning the new average of one
        tensor (``npgrad.optim.swa_utils.get_ema_avg_fn(0.999)``, …).
    multi_avg_fn : callable, optional
        ``multi_avg_fn(averaged_params, model_params, num_averaged)`` updating lists of
        tensors in place, called once per dtype (``get_ema_multi_avg_fn(0.999)``, …). Give at
        most one of ``avg_fn`` and ``multi_avg_fn``; with neither, the equal-weight running
        mean (SWA) is used.
    use_buffers : bool, default False
        Average the buffers (batch-norm statistics) with the parameters; otherwise
        :meth:`update_parameters` copies the model's buffers and :func:`update_bn` can
        recompute them.

    Notes
    -----
    ``num_averaged`` is the ``n_averaged`` buffer, a 0-d int64 tensor, as in PyTorch. The
    averaging functions are not part of the ``state_dict``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.utils import AveragedModel
    >>> model = nn.Linear(1, 1, bias=False)
    >>> swa = AveragedModel(model)
    >>> for w in (1.0, 2.0, 6.0):
    ...     with npgrad.no_grad():
    ...         _ = model.weight.fill_(w)
    ...     swa.update_parameters(model)
    >>> swa.module.weight, swa.n_averaged
    (Parameter containing:
    tensor([[3.]], requires_grad=True), tensor(3))
    >>> list(swa.state_dict())
    ['n_averaged', 'module.weight']
    """

    n_averaged: Tensor

    def __init__(
        self,
        model: Module,
        device: Any = None,
        avg_fn: AvgFn | None = None,
        multi_avg_fn: MultiAvgFn | None = None,
        use_buffers: bool = False,
    ) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"AveragedModel: model must be a Module, got {type(model).__name__}")
        _check_fn("avg_fn", avg_fn)
        _check_fn("multi_avg_fn", multi_avg_fn)
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError(
                "AveragedModel: only one of avg_fn and multi_avg_fn should be provided"
            )
        if not isinstance(use_buffers, bool):
            raise TypeError(
                f"AveragedModel: use_buffers must be a bool, got {type(use_buffers).__name__}"
            )
        parse_device("AveragedModel", device)
        super().__init__()
        self.module = copy.deepcopy(model)
        self.register_buffer("n_averaged", npgrad.tensor(0, dtype=npgrad.int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Call the averaged copy of the model."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current parameters (and buffers, with ``use_buffers``) into the
        average: the first call copies them, later ones apply the averaging function; then
        ``n_averaged`` grows by one. Without ``use_buffers`` the model's buffers are copied.

        ``model`` must have the architecture of the averaged copy; this is checked before
        anything is updated (ValueError naming the first mismatch).
        """
        if not isinstance(model, Module):
            raise TypeError(
                "AveragedModel.update_parameters: model must be a Module, got "
                f"{type(model).__name__}"
            )
        averaged: list[tuple[str, Tensor]] = list(self.module.named_parameters())
        current: list[tuple[str, Tensor]] = list(model.named_parameters())
        _pair_up("parameters", averaged, current)
        own_buffers = list(self.module.named_buffers())
        model_buffers = list(model.named_buffers())
        _pair_up("buffers", own_buffers, model_buffers)
        if self.use_buffers:  # parameters then buffers, one sequence, as PyTorch iterates them
            averaged += own_buffers
            current += model_buffers
        avg = [t.detach() for _, t in averaged]
        cur = [t.detach() for _, t in current]
        with npgrad.no_grad():
            if int(self.n_averaged.item()) == 0:
                for a, c in zip(avg, cur):
                    a.copy_(c)
            elif self.avg_fn is not None:
                self._apply_avg_fn(self.avg_fn, avg, cur)
            else:
                self._apply_multi_avg_fn(avg, cur)
            if not self.use_buffers:  # the buffers follow the model (PyTorch)
                for (_, a), (_, c) in zip(own_buffers, model_buffers):
                    a.detach().copy_(c.detach())
            self.n_averaged.add_(1)

    def _apply_avg_fn(self, fn: AvgFn, avg: list[Tensor], cur: list[Tensor]) -> None:
        # every new value is computed and checked before the first one is written
        results = [fn(a, c, self.n_averaged) for a, c in zip(avg, cur)]
        for i, (a, r) in enumerate(zip(avg, results)):
            if not isinstance(r, Tensor):
                raise TypeError(
                    f"AveragedModel: avg_fn must return a Tensor, got {type(r).__name__} for "
                    f"tensor {i}"
                )
            if r.shape != a.shape:
                raise ValueError(
                    f"AveragedModel: avg_fn returned shape {tuple(r.shape)} for tensor {i} of "
                    f"shape {tuple(a.shape)}"
                )
        for a, r in zip(avg, results):
            a.copy_(r)

    def _apply_multi_avg_fn(self, avg: list[Tensor], cur: list[Tensor]) -> None:
        # one call per dtype of the averaged tensors, in order of first appearance, as PyTorch
        # groups them (float parameters apart from an int64 num_batches_tracked)
        groups: dict[Any, tuple[list[Tensor], list[Tensor]]] = {}
        for a, c in zip(avg, cur):
            group = groups.setdefault(a.dtype, ([], []))
            group[0].append(a)
            group[1].append(c)
        if self.multi_avg_fn is not None:
            # the function updates in place, group after group: should it raise (the SWA mean
            # refuses an int64 buffer), the groups already done are put back as they were
            before = [a.numpy().copy() for a in avg]
            try:
                for group_avg, group_cur in groups.values():
                    self.multi_avg_fn(group_avg, group_cur, self.n_averaged)
            except BaseException:
                for a, saved in zip(avg, before):
                    a.numpy()[...] = saved
                raise
            return
        for group_avg, group_cur in groups.values():
            # the default equal-weight mean, one tensor at a time as PyTorch does on the CPU:
            # integer buffers get the (float) mean truncated on the copy back
            count = self.n_averaged + 1
            for a, c in zip(group_avg, group_cur):
                a.copy_(a + (c - a) / count)


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the running statistics of every batch-norm layer of ``model`` with one pass
    over ``loader``, as ``torch.optim.swa_utils.update_bn``.

    Each layer's statistics are reset and become the cumulative average over the batches
    (``momentum=None``), the model runs in training mode without gradients, then the layers'
    momenta and the model's training mode are restored (also when the model raises; then the
    running statistics are put back as they were too, where PyTorch leaves them reset). A model
    without batch norm (``_BatchNorm``: ``BatchNorm1d/2d/3d``, ``SyncBatchNorm``, the lazy
    ones) is left alone and ``loader`` is not read.

    Parameters
    ----------
    loader : iterable
        The batches: tensors, or lists/tuples whose first element is the model's input (a
        ``DataLoader`` over ``(input, target)`` pairs).
    model : Module
        The model whose batch-norm statistics are recomputed (e.g. an ``AveragedModel``).
    device : str or device, optional
        Where to move the inputs: None or the CPU (another device raises RuntimeError).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> from npgrad.nn.utils import update_bn
    >>> model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).eval()
    >>> with npgrad.no_grad():
    ...     _ = model[0].weight.copy_(npgrad.eye(2))
    ...     _ = model[0].bias.zero_()
    >>> batches = [(npgrad.tensor([[0.0, 1.0], [2.0, 3.0]]), None), npgrad.tensor([[4.0, 5.0]] * 2)]
    >>> update_bn(batches, model)
    >>> model[1].running_mean, model[1].num_batches_tracked, model.training, model[1].momentum
    (tensor([2.5000, 3.5000]), tensor(2), False, 0.1)
    """
    if not isinstance(model, Module):
        raise TypeError(f"update_bn: model must be a Module, got {type(model).__name__}")
    parse_device("update_bn", device)
    momenta = {m: m.momentum for m in model.modules() if isinstance(m, _BatchNorm)}
    if not momenta:
        return
    try:
        batches = iter(loader)
    except TypeError:
        raise TypeError(
            f"update_bn: loader must be an iterable of batches, got {type(loader).__name__}"
        ) from None
    was_training = model.training
    # the statistics as they were: put back if a batch raises (a failed pass leaves none reset)
    saved = [
        (b, b._data.copy())
        for bn in momenta
        for b in bn._buffers.values()
        if b is not None and not is_lazy(b)
    ]
    for bn in momenta:
        bn.reset_running_stats()
        bn.momentum = None
    model.train()
    try:
        with npgrad.no_grad():
            for i, batch in enumerate(batches):
                if isinstance(batch, (list, tuple)):
                    if not batch:
                        raise ValueError(
                            f"update_bn: batch {i} is an empty {type(batch).__name__}; a batch "
                            "is a tensor or a list/tuple whose first element is the input"
                        )
                    batch = batch[0]
                model(batch)
    except BaseException:
        for b, data in saved:
            b._data[...] = data
            b._version += 1
        raise
    finally:
        for bn, momentum in momenta.items():
            bn.momentum = momentum
        model.train(was_training)
