"""Second order for every public op: each differentiable function in ``npgrad.__all__`` has an
entry in ``SECOND_ORDER`` (a float64 input builder and a call) and passes ``gradcheck`` and
``gradgradcheck``; everything else is listed, with the reason, in ``NOT_DIFFERENTIABLE`` (checked
to really give no gradient) or ``NOT_AN_OP``. A new public op that is in none of them fails
``test_every_public_function_is_classified``.

Also: the Hessian of a small MLP loss against finite differences of its gradient, and a
gradient-penalty loss (a gradient norm built with ``create_graph=True``, backpropagated to the
weights) against finite differences.
"""

from __future__ import annotations

import inspect
import types
import warnings

import numpy as np
import pytest

import npgrad
from npgrad.autograd import functional, gradcheck, gradgradcheck
from npgrad.autograd import grad as autograd_grad
from npgrad.ops import variants
from npgrad.testing import make_tensor


def _op(name):
    """The public function ``name``: from ``npgrad``, or from the op module that defines it
    when ``npgrad/__init__.py`` does not export that module's ops yet."""
    if name in npgrad.__all__:
        return getattr(npgrad, name)
    from npgrad.ops import shape, sorting

    for module in (sorting, shape):
        if name in getattr(module, "__all__", ()):
            return getattr(module, name)
    raise LookupError(f"no public op named {name!r}")


def _public_functions():
    out = set()
    for name in npgrad.__all__:
        obj = getattr(npgrad, name)
        if isinstance(obj, (types.ModuleType, np.dtype)) or inspect.isclass(obj):
            continue
        if callable(obj):
            out.add(name)
    return out


# ---- input builders --------------------------------------------------------------------------
def _x(*specs):
    """A builder of fresh float64 leaves requiring grad. A spec is a shape, or ``(shape, low,
    high)`` for a range (away from the points where an op is not differentiable)."""

    def build():
        tensors = []
        for k, spec in enumerate(specs):
            shape, low, high = spec if isinstance(spec, list) else (spec, -2.0, 2.0)
            tensors.append(
                make_tensor(
                    shape, dtype=npgrad.float64, low=low, high=high, requires_grad=True, seed=k
                )
            )
        return tuple(tensors)

    return build


def POS(shape):  # noqa: N802
    return [shape, 0.5, 2.0]


def UNIT(shape):  # noqa: N802
    return [shape, -0.9, 0.9]


def SMALL(shape):  # noqa: N802
    return [shape, -0.5, 0.5]


M23 = (2, 3)
M33 = (3, 3)
MASK = np.array([[True, False, True], [False, False, True]])
F64 = npgrad.float64


def _well_conditioned(a):
    # entries in [-0.5, 0.5] plus 2 on the diagonal: diagonally dominant, far from singular
    return a + 2 * npgrad.eye(a.shape[-1], dtype=F64)


def _quiet(f, *args):
    # deprecated ops (chain_matmul) warn on every call: not what these tests check
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*args)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _spd(a):
    return a @ a.mT + npgrad.eye(a.shape[-1], dtype=F64)


# op name -> (builder, call(op, *inputs)); every call must use the op it is listed under
SECOND_ORDER = {
    # randomized: the same random projection at every evaluation (a seed in the call)
    "svd_lowrank": (_x((5, 3)), lambda f, a: (npgrad.manual_seed(0), f(a, 3, 1)[1])[1]),
    "pca_lowrank": (_x((5, 3)), lambda f, a: (npgrad.manual_seed(0), f(a, 2)[1])[1]),
    # the copying view ops (npgrad/ops/variants.py): the view, then clone
    "alias_copy": (_x((2, 3)), lambda f, a: f(a)),
    "as_strided_copy": (_x((2, 3)), lambda f, a: f(a, (2, 2), (1, 2), 1)),
    "diagonal_copy": (_x((2, 3, 3)), lambda f, a: f(a, 0, 1, 2)),
    "expand_copy": (_x((2, 1)), lambda f, a: f(a, (3, 2, 4))),
    "permute_copy": (_x((2, 3, 4)), lambda f, a: f(a, (2, 0, 1))),
    "select_copy": (_x((2, 3)), lambda f, a: f(a, 1, -1)),
    "slice_copy": (_x((2, 5)), lambda f, a: f(a, 1, 1, None, 2)),
    "split_copy": (_x((2, 5)), lambda f, a: f(a, 2, 1)),
    "split_with_sizes_copy": (_x((2, 5)), lambda f, a: f(a, [1, 4], 1)),
    "squeeze_copy": (_x((2, 1, 3)), lambda f, a: f(a)),
    "t_copy": (_x((2, 3)), lambda f, a: f(a)),
    "transpose_copy": (_x((2, 3, 4)), lambda f, a: f(a, 0, 2)),
    "unbind_copy": (_x((2, 3)), lambda f, a: f(a, 1)),
    "unfold_copy": (_x((2, 5)), lambda f, a: f(a, 1, 2, 1)),
    "unsqueeze_copy": (_x((2, 3)), lambda f, a: f(a, 1)),
    "view_copy": (_x((2, 3)), lambda f, a: f(a, (3, 2))),
    # decompositions and solvers
    "det": (_x(M33), lambda f, a: f(a)),
    "logdet": (_x(SMALL(M33)), lambda f, a: f(_well_conditioned(a))),
    "slogdet": (_x(SMALL(M33)), lambda f, a: f(_well_conditioned(a)).logabsdet),
    "inverse": (_x(SMALL(M33)), lambda f, a: f(_well_conditioned(a))),
    "matrix_power": (_x(SMALL(M33)), lambda f, a: (f(a, 3), f(_well_conditioned(a), -2))),
    "matrix_exp": (_x(SMALL(M33)), lambda f, a: f(a)),
    "cholesky": (_x(M33), lambda f, a: f(_spd(a))),
    "cholesky_solve": (
        _x(SMALL(M33), (3, 2)),
        lambda f, a, b: f(b, _well_conditioned(a).tril()),
    ),
    "cholesky_inverse": (_x(SMALL(M33)), lambda f, a: f(_well_conditioned(a).tril())),
    "pinverse": (_x((3, 2)), lambda f, a: f(a)),
    "qr": (_x((3, 2)), lambda f, a: f(a)),
    "svd": (_x((3, 2)), lambda f, a: f(a)[1]),  # the singular values (vectors: sign gauge)
    "lu_unpack": (
        _x(SMALL(M33)),
        lambda f, a: f(*npgrad.linalg.lu_factor(_well_conditioned(a)))[1:],
    ),
    "orgqr": (_x((4, 3), SMALL((2,))), lambda f, a, t: f(a, t)),
    "ormqr": (_x((4, 3), (3,), (4, 2)), lambda f, a, t, c: f(a, t, c, transpose=True)),
    # the deprecated solvers warn on every call, as PyTorch's do
    "triangular_solve": (
        _x((3, 2), SMALL(M33)),
        lambda f, b, a: _quiet(f, b, _well_conditioned(a), upper=False, transpose=True),
    ),
    "lu": (_x(SMALL(M33)), lambda f, a: _quiet(f, _well_conditioned(a))[0]),
    "lu_solve": (
        _x((3, 2), SMALL(M33)),
        lambda f, b, a: _quiet(f, b, *npgrad.linalg.lu_factor(_well_conditioned(a))),
    ),
    # arithmetic
    "add": (_x(M23, (3,)), lambda f, a, b: f(a, b, alpha=0.5)),
    "sub": (_x(M23, (2, 1)), lambda f, a, b: f(a, b, alpha=2.0)),
    "mul": (_x(M23, (3,)), lambda f, a, b: f(a, b)),
    "div": (_x(M23, POS((3,))), lambda f, a, b: f(a, b)),
    "true_divide": (_x(M23, POS(M23)), lambda f, a, b: f(a, b)),
    "neg": (_x(M23), lambda f, a: f(a)),
    "pow": (_x(POS(M23), (3,)), lambda f, a, b: f(a, b)),
    "remainder": (_x(M23, POS((3,))), lambda f, a, b: f(a, b)),
    "floor_divide": (_x(M23, POS((3,))), lambda f, a, b: f(a, b)),
    # elementwise
    "abs": (_x(M23), lambda f, a: f(a)),
    "absolute": (_x(M23), lambda f, a: f(a)),
    "sign": (_x(M23), lambda f, a: f(a)),
    "floor": (_x(M23), lambda f, a: f(a)),
    "ceil": (_x(M23), lambda f, a: f(a)),
    "round": (_x(M23), lambda f, a: f(a)),
    "trunc": (_x(M23), lambda f, a: f(a)),
    "exp": (_x(M23), lambda f, a: f(a)),
    "expm1": (_x(M23), lambda f, a: f(a)),
    "log": (_x(POS(M23)), lambda f, a: f(a)),
    "log2": (_x(POS(M23)), lambda f, a: f(a)),
    "log10": (_x(POS(M23)), lambda f, a: f(a)),
    "log1p": (_x(POS(M23)), lambda f, a: f(a)),
    "sqrt": (_x(POS(M23)), lambda f, a: f(a)),
    "rsqrt": (_x(POS(M23)), lambda f, a: f(a)),
    "square": (_x(M23), lambda f, a: f(a)),
    "reciprocal": (_x(POS(M23)), lambda f, a: f(a)),
    "sin": (_x(M23), lambda f, a: f(a)),
    "cos": (_x(M23), lambda f, a: f(a)),
    "tan": (_x(UNIT(M23)), lambda f, a: f(a)),
    "asin": (_x(UNIT(M23)), lambda f, a: f(a)),
    "arcsin": (_x(UNIT(M23)), lambda f, a: f(a)),
    "acos": (_x(UNIT(M23)), lambda f, a: f(a)),
    "arccos": (_x(UNIT(M23)), lambda f, a: f(a)),
    "atan": (_x(M23), lambda f, a: f(a)),
    "arctan": (_x(M23), lambda f, a: f(a)),
    "atan2": (_x(M23, M23), lambda f, a, b: f(a, b)),
    "arctan2": (_x(M23, M23), lambda f, a, b: f(a, b)),
    "sinh": (_x(M23), lambda f, a: f(a)),
    "cosh": (_x(M23), lambda f, a: f(a)),
    "tanh": (_x(M23), lambda f, a: f(a)),
    "sigmoid": (_x(M23), lambda f, a: f(a)),
    "relu": (_x(M23), lambda f, a: f(a)),
    "clamp": (
        _x(M23, [(3,), -1.5, -0.5], [(3,), 0.5, 1.5]),
        lambda f, a, lo, hi: f(a, lo, hi),
    ),
    "clip": (_x(M23), lambda f, a: f(a, -0.5, 0.5)),
    "maximum": (_x(M23, (3,)), lambda f, a, b: f(a, b)),
    "minimum": (_x(M23, (3,)), lambda f, a, b: f(a, b)),
    "lerp": (_x(M23, M23, (3,)), lambda f, a, b, w: f(a, b, w)),
    "where": (_x(M23, (3,)), lambda f, a, b: f(npgrad.tensor(MASK), a, b)),
    "cast": (_x(M23), lambda f, a: f(a, F64, copy=True)),
    # activations
    "celu": (_x(M23), lambda f, a: f(a, 0.7)),
    "elu": (_x(M23), lambda f, a: f(a, 1.3)),
    "selu": (_x(M23), lambda f, a: f(a)),
    "erf": (_x(M23), lambda f, a: f(a)),
    # special functions and the other new elementwise ops
    **{
        name: (_x(M23), lambda f, a: f(a))
        for name in [
            "asinh",
            "arcsinh",
            "exp2",
            "erfc",
            "sinc",
            "negative",
            "positive",
            "fix",
            "sgn",
        ]
    },
    **{name: (_x([M23, 1.2, 3.0]), lambda f, a: f(a)) for name in ["acosh", "arccosh"]},
    **{name: (_x(UNIT(M23)), lambda f, a: f(a)) for name in ["atanh", "arctanh", "erfinv"]},
    **{name: (_x(POS(M23)), lambda f, a: f(a)) for name in ["lgamma", "digamma", "i0"]},
    "logit": (_x([M23, 0.2, 0.8]), lambda f, a: f(a) + f(a, eps=0.1)),
    "xlogy": (_x(M23, POS(M23)), lambda f, a, b: f(a, b)),
    "polygamma": (_x(POS(M23)), lambda f, a: f(1, a) + f(2, a)),
    "mvlgamma": (_x([M23, 1.5, 3.0]), lambda f, a: f(a, p=2)),
    # the first argument has no gradient (as in PyTorch): a constant there
    **{
        name: (_x(POS(M23)), lambda f, x: f(npgrad.full(M23, 1.5, dtype=F64), x))
        for name in ["igamma", "igammac"]
    },
    "nan_to_num": (_x(M23), lambda f, a: f(a * a, nan=0.0)),
    "gelu": (_x(M23), lambda f, a: f(a) + f(a, approximate="tanh")),
    "hardsigmoid": (_x([M23, -4.0, 4.0]), lambda f, a: f(a)),
    "hardswish": (_x([M23, -4.0, 4.0]), lambda f, a: f(a)),
    "hardtanh": (_x(M23), lambda f, a: f(a)),
    "relu6": (_x([M23, -3.0, 8.0]), lambda f, a: f(a)),
    "leaky_relu": (_x(M23), lambda f, a: f(a, 0.2)),
    "logsigmoid": (_x(M23), lambda f, a: f(a)),
    "mish": (_x(M23), lambda f, a: f(a)),
    "silu": (_x(M23), lambda f, a: f(a)),
    "softplus": (_x(M23), lambda f, a: f(a, beta=2.0)),
    "softsign": (_x(M23), lambda f, a: f(a)),
    "tanhshrink": (_x(M23), lambda f, a: f(a)),
    "softmax": (_x(M23), lambda f, a: f(a, 1)),
    "softmin": (_x(M23), lambda f, a: f(a, 0)),
    "log_softmax": (_x(M23), lambda f, a: f(a, 1)),
    # linear algebra
    "matmul": (_x(M23, (3, 2)), lambda f, a, b: f(a, b)),
    "mm": (_x(M23, (3, 2)), lambda f, a, b: f(a, b)),
    "bmm": (_x((2, 2, 3), (2, 3, 2)), lambda f, a, b: f(a, b)),
    "mv": (_x(M23, (3,)), lambda f, a, b: f(a, b)),
    "dot": (_x((3,), (3,)), lambda f, a, b: f(a, b)),
    "outer": (_x((2,), (3,)), lambda f, a, b: f(a, b)),
    "einsum": (_x(M23, (3, 2)), lambda f, a, b: f("ij,jk->ik", a, b)),
    "tensordot": (_x(M23, (3, 2)), lambda f, a, b: f(a, b, dims=1)),
    # reductions
    "sum": (_x(M23), lambda f, a: f(a, 1)),
    "mean": (_x(M23), lambda f, a: f(a, 0, keepdim=True)),
    "var": (_x(M23), lambda f, a: f(a, 1)),
    "std": (_x(M23), lambda f, a: f(a, 1)),
    "prod": (_x(M23), lambda f, a: f(a, 1)),
    "cumsum": (_x(M23), lambda f, a: f(a, 1)),
    "cumprod": (_x(M23), lambda f, a: f(a, 1)),
    "logsumexp": (_x(M23), lambda f, a: f(a, 1)),
    "norm": (_x(M23), lambda f, a: f(a)),
    "amax": (_x(M23), lambda f, a: f(a, 1)),
    "amin": (_x(M23), lambda f, a: f(a, 0)),
    "max": (_x(M23), lambda f, a: (f(a), *f(a, 1))),
    "min": (_x(M23), lambda f, a: (f(a), *f(a, 0))),
    # shape
    "broadcast_tensors": (_x(M23, (3,)), lambda f, a, b: f(a, b)),
    "broadcast_to": (_x((3,)), lambda f, a: f(a, (2, 3))),
    "expand": (_x((1, 3)), lambda f, a: f(a, 2, 3)),
    "cat": (_x(M23, (1, 3)), lambda f, a, b: f([a, b], 0)),
    "concat": (_x(M23, (2, 1)), lambda f, a, b: f([a, b], 1)),
    "concatenate": (_x(M23, M23), lambda f, a, b: f([a, b])),
    "stack": (_x(M23, M23), lambda f, a, b: f([a, b], 1)),
    "chunk": (_x(M23), lambda f, a: f(a, 2, 1)),
    "split": (_x(M23), lambda f, a: f(a, [1, 2], 1)),
    "unbind": (_x(M23), lambda f, a: f(a, 1)),
    "clone": (_x(M23), lambda f, a: f(a)),
    "contiguous": (_x(M23), lambda f, a: f(a.t())),
    "diagonal": (_x((3, 3)), lambda f, a: f(a, 1)),
    "trace": (_x((3, 3)), lambda f, a: f(a)),
    "tril": (_x((3, 3)), lambda f, a: f(a)),
    "triu": (_x((3, 3)), lambda f, a: f(a, 1)),
    "flatten": (_x((2, 3, 1)), lambda f, a: f(a)),
    "unflatten": (_x((2, 6)), lambda f, a: f(a, 1, (2, 3))),
    "reshape": (_x(M23), lambda f, a: f(a, 3, 2)),
    "view": (_x(M23), lambda f, a: f(a, 6)),
    "squeeze": (_x((2, 1, 3)), lambda f, a: f(a, 1)),
    "unsqueeze": (_x(M23), lambda f, a: f(a, 0)),
    "flip": (_x(M23), lambda f, a: f(a, 0, 1)),
    "roll": (_x(M23), lambda f, a: f(a, 1, 1)),
    "permute": (_x((2, 3, 1)), lambda f, a: f(a, 2, 0, 1)),
    "transpose": (_x(M23), lambda f, a: f(a, 0, 1)),
    "swapaxes": (_x(M23), lambda f, a: f(a, 0, 1)),
    "swapdims": (_x(M23), lambda f, a: f(a, 1, 0)),
    "moveaxis": (_x((2, 3, 1)), lambda f, a: f(a, 0, 2)),
    "movedim": (_x((2, 3, 1)), lambda f, a: f(a, 2, 0)),
    "t": (_x(M23), lambda f, a: f(a)),
    "repeat": (_x(M23), lambda f, a: f(a, 2, 1)),
    "tile": (_x(M23), lambda f, a: f(a, (2,))),
    "narrow": (_x(M23), lambda f, a: f(a, 1, 1, 2)),
    "pad": (_x(M23), lambda f, a: f(a, (2, 1), mode="reflect") + f(a, (2, 1), value=0.5)),
    "getitem": (_x((3, 4)), lambda f, a: f(a, ([0, 0, 2], slice(1, None)))),
    "index_put": (
        _x((3, 4), (4,)),
        lambda f, a, v: f(a, (npgrad.tensor([0, 0]),), v, True) * f(a, (1,), v),
    ),
    # gather / scatter / index / masked ops
    "gather": (_x((3, 4)), lambda f, a: f(a, 0, npgrad.tensor([[0, 2, 0, 1], [2, 2, 1, 0]]))),
    "scatter": (
        _x((3, 4), (2, 5)),
        lambda f, a, s: f(a, 0, npgrad.tensor([[2, 0, 1, 2], [0, 2, 0, 1]]), s),
    ),
    "scatter_add": (
        _x((3, 4), (2, 4)),
        lambda f, a, s: f(a, 0, npgrad.tensor([[0, 2, 0, 1], [2, 2, 1, 0]]), s),
    ),
    "scatter_reduce": (
        _x((3, 4), (2, 4)),
        lambda f, a, s: (
            f(a, 0, npgrad.tensor([[0, 2, 0, 1], [0, 2, 1, 0]]), s, "prod")
            + f(a, 0, npgrad.tensor([[0, 2, 0, 1], [0, 2, 1, 0]]), s, "amax", include_self=False)
        ),
    ),
    "index_select": (_x((3, 4)), lambda f, a: f(a, 1, npgrad.tensor([3, 0, 3]))),
    "index_add": (_x((3, 4), (3, 3)), lambda f, a, s: f(a, 1, npgrad.tensor([3, 0, 3]), s)),
    "index_copy": (_x((3, 4), (2, 4)), lambda f, a, s: f(a, 0, npgrad.tensor([2, 0]), s)),
    "index_fill": (_x((3, 4), ()), lambda f, a, v: f(a, 1, npgrad.tensor([3, 0]), v)),
    "masked_fill": (_x(M23, ()), lambda f, a, v: f(a, npgrad.tensor(MASK), v)),
    "masked_select": (_x((3,)), lambda f, a: f(a, npgrad.tensor(MASK))),
    "masked_scatter": (_x(M23, (4,)), lambda f, a, s: f(a, npgrad.tensor(MASK), s)),
    "take": (_x(M23), lambda f, a: f(a, npgrad.tensor([[0, -1], [4, 4]]))),
    "take_along_dim": (_x(M23), lambda f, a: f(a, npgrad.tensor([[2], [0]]), 1)),
    # sorting (the inputs are distinct values: no ties)
    "sort": (_x(M23), lambda f, a: f(a, 1, descending=True).values),
    "msort": (_x(M23), lambda f, a: f(a)),
    "topk": (_x(M23), lambda f, a: f(a, 2).values),
    "kthvalue": (_x(M23), lambda f, a: f(a, 2, 1).values),
    "median": (_x(M23), lambda f, a: f(a) + f(a, 1).values.sum()),
    "nanmedian": (_x(M23), lambda f, a: f(a) + f(a, 0).values.sum()),
    "mode": (_x(M23), lambda f, a: f(a, 1).values),
    # npgrad.ops.extras, npgrad.ops.other (diff, atleast_*d, the stacks, repeat_interleave,
    # meshgrid, diag, diag_embed, cross, kron, rot90, select, tensor_split) and the scans
    # cummax, cummin, logcumsumexp of npgrad.ops.scan
    "fmod": (_x(M23, POS((3,))), lambda f, a, b: f(a, b)),
    "hypot": (_x(POS(M23), (3,)), lambda f, a, b: f(a, b)),
    "logaddexp": (_x(M23, (3,)), lambda f, a, b: f(a, b)),
    "deg2rad": (_x(M23), lambda f, a: f(a)),
    "rad2deg": (_x(M23), lambda f, a: f(a)),
    "clamp_min": (_x(M23, (3,)), lambda f, a, lo: f(a, lo)),
    "clamp_max": (_x(M23, (3,)), lambda f, a, hi: f(a, hi)),
    "addmm": (_x((3,), M23, (3, 3)), lambda f, c, a, b: f(c, a, b, beta=0.5, alpha=2.0)),
    "addmv": (_x((2,), M23, (3,)), lambda f, c, a, v: f(c, a, v, beta=2.0, alpha=0.5)),
    "baddbmm": (
        _x((1, 3), (2, 2, 4), (2, 4, 3)),
        lambda f, c, a, b: f(c, a, b, beta=0.5, alpha=2.0),
    ),
    "diff": (_x((2, 4), (2, 1)), lambda f, a, p: f(a, 2, 1, prepend=p)),
    "addcmul": (_x(M23, (3,), M23), lambda f, c, a, b: f(c, a, b, value=0.5)),
    "addcdiv": (_x(M23, (3,), POS(M23)), lambda f, c, a, b: f(c, a, b, value=2.0)),
    "atleast_1d": (_x(()), lambda f, a: f(a)),
    "atleast_2d": (_x((3,)), lambda f, a: f(a)),
    "atleast_3d": (_x(M23), lambda f, a: f(a)),
    "hstack": (_x(M23, (2, 1)), lambda f, a, b: f([a, b])),
    "vstack": (_x((3,), M23), lambda f, a, b: f([a, b])),
    "dstack": (_x(M23, M23), lambda f, a, b: f([a, b])),
    "column_stack": (_x((2,), M23), lambda f, a, b: f([a, b])),
    "repeat_interleave": (_x(M23), lambda f, a: f(a, npgrad.tensor([2, 0, 1]), dim=1)),
    "nansum": (_x(M23), lambda f, a: f(npgrad.where(npgrad.tensor(MASK), float("nan"), a), 1)),
    "nanmean": (_x(M23), lambda f, a: f(npgrad.where(npgrad.tensor(MASK), float("nan"), a), 1)),
    "copysign": (_x(M23, (3,)), lambda f, a, b: f(a, b) * a),
    "frac": (_x(M23), lambda f, a: f(a * 3.7) * a),
    "meshgrid": (_x((3,), (2,)), lambda f, a, b: f(a, b, indexing="xy")),
    "diag": (_x((3,), M23), lambda f, v, m: (f(v, 1), f(m, -1))),
    "diag_embed": (_x(M23), lambda f, a: f(a, 1, 0, 2)),
    "cross": (_x((4, 3), (1, 3)), lambda f, a, b: f(a, b, dim=1)),
    "kron": (_x(M23, (3, 1, 2)), lambda f, a, b: f(a, b)),
    "rot90": (_x((2, 3, 4)), lambda f, a: f(a, 3, (2, 0)) * f(a, 1, (2, 0))),
    "select": (_x((2, 3, 4)), lambda f, a: f(a, 1, -1) * f(a, 1, 0)),
    "tensor_split": (_x((2, 7)), lambda f, a: f(a, [1, 6, 3], 1)),
    "var_mean": (_x(M23), lambda f, a: f(a, 1)),
    "std_mean": (_x(M23), lambda f, a: f(a, 0, keepdim=True, correction=0)),
    "cummax": (_x(M23), lambda f, a: f(a, 1).values * a),
    "cummin": (_x(M23), lambda f, a: f(a, 0).values),
    "logcumsumexp": (_x(M23), lambda f, a: f(a, 1)),
    # ops.arithmetic aliases, ops.binary, ops.statistics, ops.assembly (helper M)
    "multiply": (_x(M23, (3,)), lambda f, a, b: f(a, b) * a),
    "divide": (_x(M23, [(3,), 0.5, 2.0]), lambda f, a, b: f(a, b)),
    "subtract": (_x(M23, (3,)), lambda f, a, b: f(a * a, b)),
    "rsub": (_x(M23, (3,)), lambda f, a, b: f(a * a, b, alpha=2.0)),
    "fmax": (_x(M23, M23), lambda f, a, b: f(a, b) * a),
    "fmin": (_x(M23, M23), lambda f, a, b: f(a, b) * b),
    "logaddexp2": (_x(M23, (3,)), lambda f, a, b: f(a, b)),
    "ldexp": (_x(M23, (3,)), lambda f, a, b: f(a, b)),
    "float_power": (_x([M23, 0.5, 2.0], M23), lambda f, a, b: f(a, b)),
    "frexp": (_x(M23), lambda f, a: f(a * a * 3.0).mantissa),
    "quantile": (_x((2, 5)), lambda f, a: f(a * a, 0.3, dim=1)),
    "nanquantile": (_x((2, 5)), lambda f, a: f(a * a, 0.7)),
    "cov": (_x((2, 5)), lambda f, a: f(a)),
    "corrcoef": (_x((2, 5)), lambda f, a: f(a)),
    "cdist": (_x((3, 2), (4, 2)), lambda f, a, b: f(a, b)),
    "pdist": (_x((4, 2)), lambda f, a: f(a, 3.0)),
    "dist": (_x(M23, (3,)), lambda f, a, b: f(a, b)),
    "aminmax": (_x(M23), lambda f, a: f(a, dim=1).max * f(a, dim=1).min),
    "trapezoid": (_x(M23, (3,)), lambda f, a, b: f(a * a, b)),
    "trapz": (_x(M23), lambda f, a: f(a * a, dx=0.5)),
    "cumulative_trapezoid": (_x(M23), lambda f, a: f(a * a, dim=0)),
    "renorm": (_x((3, 4)), lambda f, a: f(a, 2, 0, 1.0)),
    "block_diag": (_x(M23, (2,)), lambda f, a, b: f(a * a, b)),
    "cartesian_prod": (_x((2,), (3,)), lambda f, a, b: f(a, b) ** 2),
    "combinations": (_x((4,)), lambda f, a: f(a * a, 2)),
    "vander": (_x((3,)), lambda f, a: f(a, 4)),
    "diagflat": (_x(M23), lambda f, a: f(a * a, 1)),
    "slice_scatter": (_x((2, 4), (2, 2)), lambda f, a, b: f(a * a, b * b, 1, 0, 4, 2)),
    "select_scatter": (_x(M23, (3,)), lambda f, a, b: f(a * a, b * b, 0, 1)),
    "diagonal_scatter": (_x((3, 3), (2,)), lambda f, a, b: f(a * a, b * b, 1)),
    "split_with_sizes": (_x((2, 5)), lambda f, a: f(a * a, [2, 3], 1)),
    "hsplit": (_x((2, 4)), lambda f, a: f(a * a, 2)),
    "vsplit": (_x((4, 2)), lambda f, a: f(a * a, [1])),
    "dsplit": (_x((1, 2, 4)), lambda f, a: f(a * a, 2)),
    "fliplr": (_x(M23), lambda f, a: f(a) * a),
    "flipud": (_x(M23), lambda f, a: f(a) * a),
    # PyTorch's remaining product, shape and indexing spellings
    "ger": (_x((2,), (3,)), lambda f, a, b: f(a, b)),
    "inner": (_x(M23, (4, 3)), lambda f, a, b: f(a, b)),
    "vdot": (_x((3,), (3,)), lambda f, a, b: f(a * a, b)),
    "addr": (_x(M23, (2,), (3,)), lambda f, c, a, b: f(c, a, b, beta=2.0, alpha=0.5)),
    "addbmm": (
        _x((3,), (2, 2, 4), (2, 4, 3)),
        lambda f, c, a, b: f(c, a, b, beta=0.5, alpha=2.0),
    ),
    "chain_matmul": (_x(M23, M33, (3, 2)), lambda f, a, b, c: _quiet(f, a, b, c)),
    "frobenius_norm": (_x((2, 3, 2)), lambda f, a: f(a, (0, 2))),
    "nuclear_norm": (_x((3, 2)), lambda f, a: f(a)),
    "ravel": (_x(M23), lambda f, a: f(a.t()) * f(a.t())),
    "unsafe_chunk": (_x((2, 4)), lambda f, a: f(a * a, 2, 1)),
    "unsafe_split": (_x((2, 5)), lambda f, a: f(a * a, 2, 1)),
    "unsafe_split_with_sizes": (_x((2, 5)), lambda f, a: f(a * a, [1, 4], 1)),
    "fill": (_x(M23, ()), lambda f, a, v: f(a, v * v) * a),
    "hardshrink": (_x(M23), lambda f, a: f(a * a, 0.3)),
    "prelu": (_x(M23, (3,)), lambda f, a, w: f(a, w * w)),
    "put": (
        _x(M23, (3,)),
        lambda f, a, s: (
            f(a * a, npgrad.tensor([0, 4, -1]), s * s),
            f(a * a, npgrad.tensor([1, 1, 0]), s * s, accumulate=True),
        ),
    ),
    "index_reduce": (
        _x(M23, (2, 2)),
        lambda f, a, s: tuple(
            f(a, 1, npgrad.tensor([0, 2]), s, r, include_self=inc)
            for r, inc in (("prod", True), ("mean", False), ("amax", True), ("amin", False))
        ),
    ),
    "as_strided": (_x((6,)), lambda f, a: f(a * a, (3, 3), (1, 1), 0) * a[:3]),
    **{
        name: (_x(M23), lambda f, a: f(a * a))
        for name in ["conj", "conj_physical", "resolve_conj", "resolve_neg", "real"]
    },
    "adjoint": (_x((2, 2, 3)), lambda f, a: f(a * a)),
    "narrow_copy": (_x((3, 4)), lambda f, a: f(a * a, 1, 1, 2)),
    "row_stack": (_x((3,), (2, 3)), lambda f, a, b: f([a * a, b])),
    "gradient": (
        _x((3, 4), SMALL((4,))),
        lambda f, a, c: (
            f(a * a, spacing=[2.0, npgrad.tensor([0.0, 1.0, 3.0, 4.0], dtype=F64) + 0.2 * c])
            + f(a * a, edge_order=2, spacing=[0.5, npgrad.tensor([0.0, 1.0, 3.0, 4.0]) + c])
        ),
    ),
}

_NO_GRAD_BOOL = "boolean result: no gradient"
_NO_GRAD_INT = "integer indices or counts: no gradient"
# Functions that take tensors but whose results carry no gradient (probed below)
NOT_DIFFERENTIABLE = {
    **dict.fromkeys(
        ["eq", "ne", "lt", "le", "gt", "ge", "isfinite", "isinf", "isnan", "all", "any"],
        _NO_GRAD_BOOL,
    ),
    **dict.fromkeys(["logical_and", "logical_or", "logical_xor", "logical_not"], _NO_GRAD_BOOL),
    **dict.fromkeys(
        ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not"], "integer/bool only"
    ),
    "equal": "a Python bool",
    "detach_copy": "a copy outside the graph, like detach()",
    "signbit": _NO_GRAD_BOOL,
    "allclose": "a Python bool",
    **dict.fromkeys(
        [
            "argmax",
            "argmin",
            "argsort",
            "argwhere",
            "nonzero",
            "nonzero_static",
            "unique",
            "unique_consecutive",
        ],
        _NO_GRAD_INT,
    ),
    **dict.fromkeys(["searchsorted", "bucketize"], _NO_GRAD_INT),
    **dict.fromkeys(["zeros_like", "ones_like", "empty_like", "full_like"], "a new leaf"),
    **dict.fromkeys(["rand_like", "randn_like", "randint_like"], "random: a new leaf"),
    "count_nonzero": _NO_GRAD_INT,
    **dict.fromkeys(
        [
            "greater",
            "greater_equal",
            "less",
            "less_equal",
            "not_equal",
            "isin",
            "isneginf",
            "isposinf",
            "isreal",
        ],
        _NO_GRAD_BOOL,
    ),
    **dict.fromkeys(["is_complex", "is_same_size", "is_signed"], "a Python bool"),
    **dict.fromkeys(["histc", "histogram", "histogramdd"], "counts: no gradient, as in PyTorch"),
    "heaviside": "a step: no gradient (PyTorch has none either)",
    "nextafter": "the next float: no gradient (PyTorch has none either)",
    "isclose": _NO_GRAD_BOOL,
    "detach": "cut off from the graph by definition",
    **dict.fromkeys(["is_conj", "is_neg"], "a Python bool"),
}
# Functions that are not ops on tensors (not probed: some change global state)
NOT_AN_OP = {
    **dict.fromkeys(
        ["arange", "empty", "eye", "full", "linspace", "logspace", "ones", "zeros"],
        "creates a tensor from sizes or numbers",
    ),
    **dict.fromkeys(["tensor", "as_tensor", "from_numpy"], "wraps data: a leaf (or the input)"),
    **dict.fromkeys(
        ["rand", "randn", "randint", "randperm", "multinomial"], "random sampling from sizes"
    ),
    # PyTorch defines their gradient w.r.t. mean/std/probabilities as zero, which finite
    # differences of a fixed-seed sample would contradict
    **dict.fromkeys(["normal", "bernoulli"], "random sampling: zero gradient by definition"),
    **dict.fromkeys(
        ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state"], "RNG state"
    ),
    **dict.fromkeys(
        [
            "can_cast",
            "get_default_dtype",
            "set_default_dtype",
            "is_floating_point",
            "promote_types",
        ],
        "dtype utility",
    ),
    "result_type": "dtype utility",
    "is_grad_enabled": "grad-mode query",
    "broadcast_shapes": "works on shapes, not tensors",
    **dict.fromkeys(["tril_indices", "triu_indices"], "creates a tensor from sizes or numbers"),
    **dict.fromkeys(
        ["bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm", "unravel_index"],
        "integer tensors only (no float input to probe): never differentiable",
    ),
    **dict.fromkeys(["numel", "is_tensor", "is_nonzero"], "a query: a Python int or bool"),
    "bincount": "counts of integers (integer input only): no gradient, as in PyTorch",
    "save": "serialization",
    "load": "serialization",
    **dict.fromkeys(["set_printoptions", "get_printoptions"], "printing options"),
    **dict.fromkeys(["set_num_threads", "get_num_threads"], "BLAS thread count"),
    **dict.fromkeys(
        [
            "scalar_tensor",
            "empty_permuted",
            "empty_strided",
            "range",
            "hann_window",
            "hamming_window",
            "blackman_window",
            "bartlett_window",
            "kaiser_window",
        ],
        "creates a tensor from sizes or numbers",
    ),
    "asarray": "wraps data: a leaf (or the input)",
    **dict.fromkeys(
        ["from_dlpack", "frombuffer"],
        "wraps another library's memory: a leaf (tests/test_interop.py)",
    ),
    "to_dlpack": "exports memory: a DLPack capsule, not a tensor",
    "geqrf": "no derivative, as in PyTorch: a backward through it raises NotImplementedError "
    "(tests/test_linalg_ldl_qr_extras.py)",
    "typename": "a type's name: a str",
    "is_inference_mode_enabled": "grad-mode query",
    "is_inference": "a query about a tensor: a bool",
    "vmap": "a function transform (npgrad.func.vmap, tested with npgrad.func)",
    **dict.fromkeys(["poisson", "binomial"], "random sampling: a new leaf, as in PyTorch"),
    "imag": "always an error: npgrad's tensors are real",
    "zero_": "in place on its argument (tested in tests/ops/test_api_gaps.py)",
    **dict.fromkeys(
        [n for n in variants.__all__ if n.endswith("_")],
        "the Tensor method of the same name, as a function (tests/ops/test_variants.py)",
    ),
    **dict.fromkeys(
        [
            "use_deterministic_algorithms",
            "are_deterministic_algorithms_enabled",
            "is_deterministic_algorithms_warn_only_enabled",
            "set_deterministic_debug_mode",
            "get_deterministic_debug_mode",
            "set_default_device",
            "get_default_device",
            "set_float32_matmul_precision",
            "get_float32_matmul_precision",
            "set_num_interop_threads",
            "get_num_interop_threads",
            "set_warn_always",
            "is_warn_always_enabled",
            "is_anomaly_enabled",
            "set_anomaly_enabled",
            "is_anomaly_check_nan_enabled",
        ],
        "global setting (npgrad._settings)",
    ),
}


def test_every_public_function_is_classified():
    public = _public_functions()
    known = set(SECOND_ORDER) | set(NOT_DIFFERENTIABLE) | set(NOT_AN_OP)
    missing = sorted(public - known)
    assert not missing, (
        f"public functions without second-order coverage: {missing}; add each to SECOND_ORDER "
        "in this file (or, with the reason, to NOT_DIFFERENTIABLE / NOT_AN_OP)"
    )


def test_the_tables_are_disjoint_and_name_existing_functions():
    assert not set(SECOND_ORDER) & set(NOT_DIFFERENTIABLE)
    assert not (set(SECOND_ORDER) | set(NOT_DIFFERENTIABLE)) & set(NOT_AN_OP)
    for name in [*SECOND_ORDER, *NOT_DIFFERENTIABLE, *NOT_AN_OP]:
        assert callable(_op(name)), name


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_op_passes_gradcheck_and_gradgradcheck(name):
    build, call = SECOND_ORDER[name]
    op = _op(name)
    inputs = build()

    def fn(*xs):
        return call(op, *xs)

    out = fn(*inputs)
    outs = out if isinstance(out, tuple) else (out,)
    assert any(isinstance(o, npgrad.Tensor) and o.requires_grad for o in outs), (
        f"{name}: the listed call gives no differentiable output"
    )
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def _probe_calls():
    x = make_tensor((2, 3), dtype=npgrad.float64, requires_grad=True)
    seq = npgrad.tensor([-1.0, 0.0, 1.0], dtype=npgrad.float64, requires_grad=True)
    return [(x,), (x, x), (x, 1), (x, 0.5), (x > 0,), (x > 0, x < 1), (seq, x), (x, seq)]


# keyword-only arguments an op needs in every call
_PROBE_KWARGS = {"nonzero_static": {"size": 2}}


@pytest.mark.parametrize("name", sorted(NOT_DIFFERENTIABLE))
def test_not_differentiable_ops_really_give_no_gradient(name):
    op = _op(name)
    kwargs = _PROBE_KWARGS.get(name, {})
    worked = 0
    for args in _probe_calls():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = op(*args, **kwargs)
        except (TypeError, ValueError, RuntimeError, IndexError, AttributeError):
            continue
        worked += 1
        outs = out if isinstance(out, tuple) else (out,)
        for o in outs:
            assert not (isinstance(o, npgrad.Tensor) and o.requires_grad), (
                f"{name}{tuple(type(a).__name__ for a in args)} gives a differentiable result: "
                "move it to SECOND_ORDER"
            )
    assert worked, f"{name}: no probe call worked; the check would be vacuous"


# ---- higher order on small models ------------------------------------------------------------
X = np.random.default_rng(0).standard_normal((5, 3))


def _mlp_loss(theta):
    """A 3-4-2 MLP without biases on fixed data, from a flat parameter vector."""
    w1 = theta[:12].reshape(3, 4)
    w2 = theta[12:].reshape(4, 2)
    h = npgrad.tensor(X).matmul(w1).tanh()
    return h.matmul(w2).tanh().sum()


def test_mlp_hessian_equals_finite_differences_of_its_gradient():
    theta = make_tensor((20,), dtype=npgrad.float64, low=-1.0, high=1.0, requires_grad=True)
    h = functional.hessian(_mlp_loss, theta).numpy()

    def grad_at(v):
        t = npgrad.tensor(v, requires_grad=True)
        (g,) = autograd_grad(_mlp_loss(t), t)
        return g.numpy()

    eps = 1e-6
    base = theta.detach().numpy().copy()
    fd = np.empty((20, 20))
    for j in range(20):
        e = np.zeros(20)
        e[j] = eps
        fd[:, j] = (grad_at(base + e) - grad_at(base - e)) / (2 * eps)
    np.testing.assert_allclose(h, fd, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(h, h.T, atol=1e-12)  # second derivatives commute
    assert np.abs(h).max() > 1e-2  # not a vacuous comparison of zeros


def _penalty(w1, w2, x, create_graph):
    """Squared norm of the gradient of a small critic with respect to its input."""
    critic = x.matmul(w1).tanh().matmul(w2).sum()
    (gx,) = autograd_grad(critic, x, create_graph=create_graph)
    return (gx * gx).sum()


def test_gradient_penalty_backpropagates_to_the_weights():
    w1 = make_tensor((3, 4), dtype=npgrad.float64, low=-1.0, high=1.0, requires_grad=True, seed=1)
    w2 = make_tensor((4, 1), dtype=npgrad.float64, low=-1.0, high=1.0, requires_grad=True, seed=2)
    x = npgrad.tensor(X, requires_grad=True)
    penalty = _penalty(w1, w2, x, create_graph=True)
    penalty.backward()
    assert w1.grad is not None and w2.grad is not None

    def value(a1, a2):
        return _penalty(
            npgrad.tensor(a1), npgrad.tensor(a2), npgrad.tensor(X, requires_grad=True), False
        ).item()

    eps = 1e-6
    for w, grad, other, first in ((w1, w1.grad, w2, True), (w2, w2.grad, w1, False)):
        base, fixed = w.detach().numpy().copy(), other.detach().numpy()
        fd = np.empty(base.size)
        for j in range(base.size):
            e = np.zeros(base.size)
            e[j] = eps
            plus, minus = base + e.reshape(base.shape), base - e.reshape(base.shape)
            if first:
                fd[j] = (value(plus, fixed) - value(minus, fixed)) / (2 * eps)
            else:
                fd[j] = (value(fixed, plus) - value(fixed, minus)) / (2 * eps)
        np.testing.assert_allclose(grad.numpy().ravel(), fd, rtol=1e-5, atol=1e-8)
        assert np.abs(fd).max() > 1e-3
    # the gradient norm is itself a function of x: its gradient there exists too
    assert x.grad is not None and x.grad.shape == X.shape


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_first_order_gradients_equal_the_recorded_backward(name):
    # Without create_graph the engine runs each backward on NumPy arrays (an _array_backward
    # op's own code, or the others on unrecorded Tensors); with it, on recorded Tensors. Both
    # must give the same gradient, through the engine's inline path (.backward()) as well.
    build, call = SECOND_ORDER[name]
    op = _op(name)
    first = build()
    second = [t.detach().clone().requires_grad_() for t in first]
    rng = np.random.default_rng(0)

    def loss(xs):
        out = call(op, *xs)
        outs = [o for o in (out if isinstance(out, tuple) else (out,)) if o.requires_grad]
        weights = [npgrad.tensor(rng.standard_normal(o.shape), dtype=o.dtype) for o in outs]
        return sum((o * w).sum() for o, w in zip(outs, weights))

    rng = np.random.default_rng(0)
    loss(first).backward()
    rng = np.random.default_rng(0)
    recorded = autograd_grad(loss(second), second, create_graph=True, allow_unused=True)
    for k, (x, g) in enumerate(zip(first, recorded)):
        if g is None:
            assert x.grad is None or not x.grad.numpy().any(), (name, k)
            continue
        np.testing.assert_allclose(x.grad.numpy(), g.detach().numpy(), rtol=1e-12, atol=1e-13)
