"""Optimizers and learning-rate schedulers with ``torch.optim``'s API.

Optimizers update any :class:`npgrad.Tensor` that has a ``.grad``; this package never imports
``npgrad.nn``. Every update is plain NumPy on the parameters' arrays, in place, and their
trajectories equal PyTorch's for the same hyper-parameters (to rounding).

Ships in the ``npgrad-optim`` distribution; ``import npgrad`` comes from ``npgrad-core``.

Examples
--------
>>> import npgrad
>>> from npgrad import optim
>>> w = npgrad.tensor([3.0], requires_grad=True)
>>> opt = optim.SGD([w], lr=0.25)
>>> for _ in range(3):
...     opt.zero_grad()
...     w.grad = 2 * w.detach()  # the gradient of w ** 2
...     opt.step()
>>> w
tensor([0.3750], requires_grad=True)
"""

from npgrad.optim import lr_scheduler, swa_utils
from npgrad.optim.adadelta import Adadelta
from npgrad.optim.adafactor import Adafactor
from npgrad.optim.adagrad import Adagrad
from npgrad.optim.adam import Adam
from npgrad.optim.adamax import Adamax
from npgrad.optim.adamw import AdamW
from npgrad.optim.asgd import ASGD
from npgrad.optim.lbfgs import LBFGS
from npgrad.optim.muon import Muon
from npgrad.optim.nadam import NAdam
from npgrad.optim.optimizer import Optimizer
from npgrad.optim.radam import RAdam
from npgrad.optim.rmsprop import RMSprop
from npgrad.optim.rprop import Rprop
from npgrad.optim.sgd import SGD

__all__ = [
    "ASGD",
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Muon",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "lr_scheduler",
    "swa_utils",
]
