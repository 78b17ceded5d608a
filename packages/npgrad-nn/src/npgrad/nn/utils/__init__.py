"""``npgrad.nn.utils``: gradient clipping, parameter/vector conversion, packed sequences,
parametrizations (weight and spectral normalisation), conv/linear + batch-norm fusion, conv weights' memory format,
``stateless.functional_call``, ``prune``, weight averaging (``AveragedModel``, ``update_bn``) and
``skip_init``."""

from npgrad.nn.utils import (
    clip_grad,
    convert_parameters,
    fusion,
    memory_format,
    parametrizations,
    parametrize,
    prune,
    rnn,
    stateless,
    swa,
)
from npgrad.nn.utils.clip_grad import *  # noqa: F403
from npgrad.nn.utils.convert_parameters import *  # noqa: F403
from npgrad.nn.utils.fusion import *  # noqa: F403
from npgrad.nn.utils.init import skip_init
from npgrad.nn.utils.memory_format import *  # noqa: F403

# the functions shadow their modules' names, as in torch.nn.utils
from npgrad.nn.utils.spectral_norm import remove_spectral_norm, spectral_norm
from npgrad.nn.utils.swa import *  # noqa: F403
from npgrad.nn.utils.weight_norm import remove_weight_norm, weight_norm

__all__ = [
    "parametrizations",
    "parametrize",
    "prune",
    "rnn",
    "stateless",
    *clip_grad.__all__,
    *convert_parameters.__all__,
    *fusion.__all__,
    *memory_format.__all__,
    *swa.__all__,
    "remove_spectral_norm",
    "remove_weight_norm",
    "skip_init",
    "spectral_norm",
    "weight_norm",
]
