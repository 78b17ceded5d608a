"""``npgrad.nn.functional``: the functional form of every layer, activation and loss.

Core activations (``relu``, ``softmax``, ``gelu``…) are npgrad-core ops re-exported here; the
rest is defined in this package, one private module per family.
"""

from npgrad.nn.functional import (
    _activation,
    _attention,
    _conv,
    _ctc,
    _distance,
    _dropout,
    _embedding,
    _fractional,
    _grid,
    _linear,
    _linear_ce,
    _loss,
    _loss_margin,
    _normalization,
    _padding,
    _pooling,
    _pooling_adaptive,
    _rnn,
)
from npgrad.nn.functional._activation import *  # noqa: F403
from npgrad.nn.functional._attention import *  # noqa: F403
from npgrad.nn.functional._conv import *  # noqa: F403
from npgrad.nn.functional._ctc import *  # noqa: F403
from npgrad.nn.functional._distance import *  # noqa: F403
from npgrad.nn.functional._dropout import *  # noqa: F403
from npgrad.nn.functional._embedding import *  # noqa: F403
from npgrad.nn.functional._fractional import *  # noqa: F403
from npgrad.nn.functional._grid import *  # noqa: F403
from npgrad.nn.functional._linear import *  # noqa: F403
from npgrad.nn.functional._linear_ce import *  # noqa: F403
from npgrad.nn.functional._loss import *  # noqa: F403
from npgrad.nn.functional._loss_margin import *  # noqa: F403
from npgrad.nn.functional._normalization import *  # noqa: F403
from npgrad.nn.functional._padding import *  # noqa: F403
from npgrad.nn.functional._pooling import *  # noqa: F403
from npgrad.nn.functional._pooling_adaptive import *  # noqa: F403
from npgrad.nn.functional._rnn import *  # noqa: F403

__all__: list[str] = []
for _m in (
    _activation,
    _attention,
    _conv,
    _ctc,
    _distance,
    _dropout,
    _embedding,
    _fractional,
    _grid,
    _linear,
    _linear_ce,
    _loss,
    _loss_margin,
    _normalization,
    _padding,
    _pooling,
    _pooling_adaptive,
    _rnn,
):
    __all__ += _m.__all__
del _m
