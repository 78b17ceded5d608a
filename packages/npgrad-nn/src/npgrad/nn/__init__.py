"""Neural-network building blocks with ``torch.nn``'s API.

Modules, layers, losses, ``functional``, ``init`` and ``utils``, computed with NumPy through
npgrad's autograd. Ships in the ``npgrad-nn`` distribution; ``import npgrad`` comes from
``npgrad-core``.
"""

# Each family is star-imported by name (not through npgrad.nn.modules' computed __all__) so
# that type checkers see every layer class as ``npgrad.nn.<Name>``.
from npgrad.nn import attention, functional, init, modules, parallel, utils
from npgrad.nn.modules.activation import *  # noqa: F403
from npgrad.nn.modules.adaptive import *  # noqa: F403
from npgrad.nn.modules.attention import *  # noqa: F403
from npgrad.nn.modules.container import *  # noqa: F403
from npgrad.nn.modules.conv import *  # noqa: F403
from npgrad.nn.modules.distance import *  # noqa: F403
from npgrad.nn.modules.dropout import *  # noqa: F403
from npgrad.nn.modules.flatten import *  # noqa: F403
from npgrad.nn.modules.fractional_pooling import *  # noqa: F403
from npgrad.nn.modules.lazy import *  # noqa: F403
from npgrad.nn.modules.linear import *  # noqa: F403
from npgrad.nn.modules.linear_cross_entropy import *  # noqa: F403
from npgrad.nn.modules.loss import *  # noqa: F403
from npgrad.nn.modules.module import *  # noqa: F403
from npgrad.nn.modules.normalization import *  # noqa: F403
from npgrad.nn.modules.padding import *  # noqa: F403
from npgrad.nn.modules.pooling import *  # noqa: F403
from npgrad.nn.modules.rnn import *  # noqa: F403
from npgrad.nn.modules.sparse import *  # noqa: F403
from npgrad.nn.modules.sync_batchnorm import *  # noqa: F403
from npgrad.nn.modules.transformer import *  # noqa: F403
from npgrad.nn.parallel import DataParallel
from npgrad.nn.parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = [
    "Buffer",
    "DataParallel",
    "Parameter",
    "UninitializedBuffer",
    "UninitializedParameter",
    "attention",
    "functional",
    "init",
    "modules",
    "parallel",
    "utils",
    *modules.__all__,
]
