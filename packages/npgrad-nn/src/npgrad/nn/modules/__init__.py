"""All layer classes, re-exported as ``npgrad.nn.<Name>``; one file per family as in torch."""

from npgrad.nn.modules import (
    activation,
    adaptive,
    attention,
    container,
    conv,
    distance,
    dropout,
    flatten,
    fractional_pooling,
    lazy,
    linear,
    linear_cross_entropy,
    loss,
    module,
    normalization,
    padding,
    pooling,
    rnn,
    sparse,
    sync_batchnorm,
    transformer,
)
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

__all__: list[str] = []
for _m in (
    activation,
    adaptive,
    attention,
    container,
    conv,
    distance,
    dropout,
    flatten,
    fractional_pooling,
    lazy,
    linear,
    linear_cross_entropy,
    loss,
    module,
    normalization,
    padding,
    pooling,
    rnn,
    sparse,
    sync_batchnorm,
    transformer,
):
    __all__ += _m.__all__
del _m
