"""Learning-rate schedulers with ``torch.optim.lr_scheduler``'s API and step semantics.

Create the scheduler after the optimizer; in the training loop call ``optimizer.step()`` and
then ``scheduler.step()`` (``scheduler.step(metric)`` for :class:`ReduceLROnPlateau`).

Examples
--------
>>> import npgrad
>>> from npgrad.optim import SGD
>>> from npgrad.optim.lr_scheduler import StepLR
>>> opt = SGD([npgrad.zeros(1, requires_grad=True)], lr=0.5)
>>> sched = StepLR(opt, step_size=1, gamma=0.5)
>>> opt.step()
>>> sched.step()
>>> opt.param_groups[0]["lr"]
0.25
"""

from npgrad.optim.lr_scheduler.base import LRScheduler
from npgrad.optim.lr_scheduler.composite import ChainedScheduler, SequentialLR
from npgrad.optim.lr_scheduler.cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from npgrad.optim.lr_scheduler.decay import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from npgrad.optim.lr_scheduler.plateau import ReduceLROnPlateau

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]
