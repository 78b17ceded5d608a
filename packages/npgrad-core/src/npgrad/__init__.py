"""npgrad: a deep-learning library whose every computation is NumPy, with PyTorch's API.

Only the ``npgrad-core`` distribution ships this file. The other distributions
(``npgrad-nn``, ``npgrad-optim``, ``npgrad-data``, ``npgrad-vision``) ship only their
subpackage; extending ``__path__`` the pkgutil way lets ``npgrad.nn`` & co. resolve from
separate distributions in wheel, editable and mixed installs alike.
"""

from __future__ import annotations

import warnings
from pkgutil import extend_path
from typing import TYPE_CHECKING

__path__ = extend_path(__path__, __name__)

__version__ = "0.1.0"

# Like PyTorch, npgrad computes inf and NaN silently (log(0), x / 0, an overflow, the gradient of
# sqrt at 0): NumPy's floating-point warnings raised inside npgrad's own modules are ignored.
# The filter matches only those messages attributed to npgrad (other code keeps NumPy's
# warnings) and goes last, so any filter the user sets (``-W error``) takes precedence.
warnings.filterwarnings(
    "ignore",
    message=r"(divide by zero|invalid value|overflow|underflow) encountered in",
    category=RuntimeWarning,
    module=r"npgrad(\.|$)",
    append=True,
)

# Order matters: _tensor_methods must be imported before anything that imports npgrad.tensor
# (it binds the op modules, which need Tensor, at its bottom).
from npgrad import _tensor_methods  # noqa: E402, F401, I001
from npgrad import autograd, dtypes, ops  # noqa: E402
from npgrad.autograd.grad_mode import (  # noqa: E402
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from npgrad.creation import *  # noqa: E402, F403
from npgrad import random  # noqa: E402
from npgrad.random import (  # noqa: E402
    Generator,
    bernoulli,
    binomial,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    multinomial,
    normal,
    poisson,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)
from npgrad.dtypes import (  # noqa: E402
    bool_ as bool,  # noqa: A004 - torch.bool
    can_cast,
    finfo,
    float16,
    float16 as half,
    float32,
    float32 as float,  # noqa: A004
    float64,
    float64 as double,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int16 as short,
    int32,
    int32 as int,  # noqa: A004
    int64,
    int64 as long,
    is_floating_point,
    promote_types,
    result_type,
    set_default_dtype,
    uint8,
)
from npgrad.ops.activation import *  # noqa: E402, F403
from npgrad.ops.arithmetic import *  # noqa: E402, F403
from npgrad.ops.assembly import *  # noqa: E402, F403
from npgrad.ops.binary import *  # noqa: E402, F403
from npgrad.ops.bitwise import *  # noqa: E402, F403
from npgrad.ops.comparison import *  # noqa: E402, F403
from npgrad.ops.decomposition import *  # noqa: E402, F403
from npgrad.ops.elementwise import *  # noqa: E402, F403
from npgrad.ops.extras import *  # noqa: E402, F403
from npgrad.ops.extrema import *  # noqa: E402, F403
from npgrad.ops.linalg import *  # noqa: E402, F403
from npgrad.ops.other import *  # noqa: E402, F403
from npgrad.ops.reduction import *  # noqa: E402, F403
from npgrad.ops.scan import *  # noqa: E402, F403
from npgrad.ops.shape import *  # noqa: E402, F403
from npgrad.ops.sorting import *  # noqa: E402, F403
from npgrad.ops.special import *  # noqa: E402, F403
from npgrad.ops.statistics import *  # noqa: E402, F403
from npgrad.ops.products import *  # noqa: E402, F403
from npgrad.ops.shape_more import *  # noqa: E402, F403
from npgrad.ops.windows import *  # noqa: E402, F403
from npgrad.ops.conjugation import *  # noqa: E402, F403
from npgrad.ops.variants import *  # noqa: E402, F403
from npgrad.ops.lowrank import *  # noqa: E402, F403
from npgrad._settings import *  # noqa: E402, F403
from npgrad import backends, cuda, func, linalg, special  # noqa: E402
from npgrad._device import device  # noqa: E402
from npgrad._size import Size  # noqa: E402
from npgrad._memory_format import (  # noqa: E402
    channels_last,
    channels_last_3d,
    contiguous_format,
    layout,
    memory_format,
    preserve_format,
    strided,
)
from npgrad.serialization import load, save  # noqa: E402
from npgrad._printing import get_printoptions, set_printoptions  # noqa: E402
from npgrad._threads import get_num_threads, set_num_threads  # noqa: E402
from npgrad.tensor import Tensor  # noqa: E402
from npgrad._interop import from_dlpack, frombuffer, to_dlpack, typename  # noqa: E402
from npgrad._constants import e, inf, nan, newaxis, pi  # noqa: E402
from npgrad import utils  # noqa: E402
from npgrad.func import vmap  # noqa: E402

from npgrad import creation as _creation  # noqa: E402, I001
from npgrad.ops import activation as _act, arithmetic as _ar, comparison as _cmp  # noqa: E402
from npgrad.ops import binary as _bin, elementwise as _el, extrema as _ext  # noqa: E402
from npgrad.ops import extras as _xtr, other as _oth  # noqa: E402
from npgrad.ops import linalg as _la, reduction as _red, scan as _scan  # noqa: E402
from npgrad.ops import shape as _sh, sorting as _so  # noqa: E402
from npgrad.ops import assembly as _asm, bitwise as _bit, decomposition as _dec  # noqa: E402
from npgrad.ops import special as _spe, statistics as _sta  # noqa: E402
from npgrad.ops import products as _prod, shape_more as _shm, windows as _win  # noqa: E402
from npgrad.ops import conjugation as _conj, lowrank as _low, variants as _var  # noqa: E402
from npgrad import _settings  # noqa: E402

__all__ = [
    "Generator",
    "Size",
    "channels_last",
    "channels_last_3d",
    "contiguous_format",
    "layout",
    "memory_format",
    "preserve_format",
    "strided",
    "Tensor",
    "__version__",
    "autograd",
    "backends",
    "bernoulli",
    "binomial",
    "default_generator",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "multinomial",
    "normal",
    "poisson",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "random",
    "randperm",
    "seed",
    "set_rng_state",
    "bool",
    "can_cast",
    "cuda",
    "device",
    "distributions",  # noqa: F405 - imported on first use, by __getattr__
    "double",
    "dtypes",
    "e",
    "enable_grad",
    "finfo",
    "float",
    "float16",
    "float32",
    "float64",
    "func",
    "get_default_dtype",
    "get_num_threads",
    "get_printoptions",
    "half",
    "iinfo",
    "inf",
    "inference_mode",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_floating_point",
    "is_grad_enabled",
    "is_inference",
    "is_inference_mode_enabled",
    "from_dlpack",
    "frombuffer",
    "to_dlpack",
    "typename",
    "utils",
    "vmap",
    "linalg",
    "load",
    "long",
    "nan",
    "newaxis",
    "no_grad",
    "ops",
    "pi",
    "profiler",  # noqa: F405 - imported on first use, by __getattr__
    "promote_types",
    "result_type",
    "save",
    "set_default_dtype",
    "set_grad_enabled",
    "set_num_threads",
    "set_printoptions",
    "short",
    "special",
    "testing",  # noqa: F405 - imported on first use, by __getattr__
    "uint8",
]
for _m in (_creation, _act, _ar, _asm, _bin, _bit, _cmp, _dec, _el, _ext, _xtr, _la, _oth):
    __all__ += getattr(_m, "__all__", [])
for _m in (_red, _scan, _sh, _so, _spe, _sta, _prod, _shm, _win, _conj, _var, _low, _settings):
    __all__ += getattr(_m, "__all__", [])
del _m

# core subpackages imported on first use (npgrad.distributions: ~40 ms); npgrad.testing is an
# attribute after ``import npgrad``, as torch.testing is
_LAZY = ("distributions", "profiler", "testing")

_SUBPACKAGES = {
    "nn": "npgrad-nn",
    "optim": "npgrad-optim",
    "data": "npgrad-data",
    "vision": "npgrad-vision",
}

if not TYPE_CHECKING:

    def __getattr__(name: str):
        # Called only for attributes not found normally: turn a missing sibling
        # distribution into an error that says how to install it.
        if name in _LAZY:
            import importlib

            return importlib.import_module(f"{__name__}.{name}")
        if name in _SUBPACKAGES:
            import importlib

            try:
                return importlib.import_module(f"{__name__}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{name}":
                    raise
                raise ImportError(
                    f"npgrad.{name} is not installed: it ships in the separate distribution "
                    f"{_SUBPACKAGES[name]!r}; install it with `pip install {_SUBPACKAGES[name]}`"
                ) from None
        raise AttributeError(f"module 'npgrad' has no attribute {name!r}")
