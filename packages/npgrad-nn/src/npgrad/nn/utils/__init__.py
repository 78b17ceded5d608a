"""``npgrad.nn.utils``: gradient clipping, parameter/vector conversion, packed sequences."""

from npgrad.nn.utils import clip_grad, convert_parameters, rnn
from npgrad.nn.utils.clip_grad import *  # noqa: F403
from npgrad.nn.utils.convert_parameters import *  # noqa: F403

__all__ = ["rnn", *clip_grad.__all__, *convert_parameters.__all__]
