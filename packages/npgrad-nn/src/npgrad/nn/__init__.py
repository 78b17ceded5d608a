"""Neural-network building blocks with ``torch.nn``'s API.

Modules, layers, losses, ``functional``, ``init`` and ``utils``, computed with NumPy through
npgrad's autograd. Ships in the ``npgrad-nn`` distribution; ``import npgrad`` comes from
``npgrad-core``.
"""

from npgrad.nn import functional, init, modules, utils
from npgrad.nn.modules import *  # noqa: F403
from npgrad.nn.parameter import Parameter

__all__ = ["Parameter", "functional", "init", "utils", *modules.__all__]
