"""Products: ``matmul`` (and its strict forms ``mm``, ``bmm``, ``mv``, ``dot``), ``outer``,
``tensordot`` and ``einsum``.

The matrix products are one Function, ``Matmul``, whose forward is ``np.matmul`` itself and
whose backward is two more matmuls (``grad @ b.mT`` and ``a.mT @ grad``) on transposed views:
no copies, so forward + backward cost what the same three NumPy calls cost. ``tensordot`` is
an ``einsum``, and ``einsum``'s backward is an ``einsum`` per operand, so every op here is
differentiable to any order.

The matrix products promote mixed dtypes by PyTorch's elementwise rules (``int64 @ float32`` is
float32; PyTorch itself raises here — a documented difference that keeps nptorch-era code such
as ``x.long().matmul(y)`` working); ``tensordot`` and ``einsum`` require one dtype.
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence
from typing import Any

import numpy as np

from npgrad import dtypes
from npgrad.autograd.function import Function
from npgrad.ops._broadcast import Expand, sum_to
from npgrad.ops._promote import operands, tensor_arg
from npgrad.tensor import Tensor

__all__ = ["bmm", "dot", "einsum", "matmul", "mm", "mv", "outer", "tensordot"]


# ---- matmul and its strict forms ------------------------------------------------------------
class Matmul(Function):
    _array_backward = True  # backward: reshape, swapaxes, _product and sum_to (see _product)

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.shapes = (a.shape, b.shape)
        return _np_matmul(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        if len(sa) == 1 and len(sb) == 1:  # dot product: grad is 0-d
            return (grad * b if need_a else None, grad * a if need_b else None)
        # 1-D operands are matrices with a unit dimension inserted (a row, b a column), so the
        # gradient gets that dimension back before the two matrix products
        g = grad
        if len(sa) == 1:
            g = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
        if len(sb) == 1:
            g = g.reshape(g.shape + (1,))
        ga = gb = None
        if need_a:
            bm = b.reshape(sb + (1,)) if len(sb) == 1 else b
            ga = _product(g, bm.swapaxes(-1, -2))
            if len(sa) == 1:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
            ga = sum_to(ga, sa)
        if need_b:
            am = a.reshape((1,) + sa) if len(sa) == 1 else a
            if len(sb) <= 2 < len(sa):
                # b was broadcast over a's whole stack: sum over the stack inside one GEMM,
                # (k, B*m) @ (B*m, n), rather than B products summed afterwards
                rows, k, n = math.prod(sa[:-1]), sa[-1], g.shape[-1]
                gb = _product(am.reshape(rows, k).swapaxes(-1, -2), g.reshape(rows, n))
            else:
                gb = sum_to(_product(am.swapaxes(-1, -2), g), sb if len(sb) > 1 else sb + (1,))
            if len(sb) == 1:
                gb = gb.reshape(sb)
        return ga, gb


def _np_matmul(a: Any, b: Any) -> np.ndarray:
    if a.ndim > 2 and b.ndim <= 2:
        # a stack of matrices times one matrix (every nn.Linear on a batch): one GEMM on the
        # folded stack instead of NumPy's loop of one GEMM per matrix
        rows = math.prod(a.shape[:-1])
        return np.matmul(a.reshape(rows, a.shape[-1]), b).reshape(a.shape[:-1] + b.shape[1:])
    return np.matmul(a, b)


def _product(a: Any, b: Any) -> Any:
    """``a @ b`` inside Matmul's backward: recorded on Tensors, plain NumPy on arrays (the
    engine's first-order array mode)."""
    if isinstance(a, (np.ndarray, np.generic)):
        return _np_matmul(a, b)
    return Matmul.apply(a, b)


# distinct subclasses only so that grad_fn names the op the user called (MmBackward, ...)
class Mm(Matmul):
    pass


class Bmm(Matmul):
    pass


class Mv(Matmul):
    pass


class Dot(Matmul):
    pass


def _pair(op: str, a: Any, b: Any) -> tuple[Tensor, Tensor]:
    a, b = tensor_arg(op, a), tensor_arg(op, b)
    da, db = a._data.dtype, b._data.dtype
    if da != db:  # promote (differentiably), as the elementwise ops do
        rd = dtypes.promote_types(da, db)
        a, b = a.to(rd), b.to(rd)
        da = rd
    if da.kind == "b":
        raise TypeError(f"{op}: not implemented for bool tensors; cast them with .float()")
    return a, b


def matmul(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Matrix product with PyTorch's (and NumPy's) broadcasting rules: the ``@`` operator.

    1-D·1-D is a dot product (0-d result); a 1-D first operand is a row vector and a 1-D
    second operand a column vector, the inserted dimension being removed from the result;
    N-D operands are stacks of matrices whose batch dimensions broadcast. Mixed dtypes promote
    like the elementwise ops (PyTorch raises instead).

    Examples
    --------
    >>> import npgrad
    >>> a = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> npgrad.matmul(a, npgrad.tensor([1.0, 1.0]))
    tensor([3., 7.])
    >>> (npgrad.tensor([1.0, 2.0]) @ npgrad.tensor([3.0, 4.0]))
    tensor(11.)
    """
    a, b = _pair("matmul", input, other)
    sa, sb = a._data.shape, b._data.shape
    if not sa or not sb:
        raise ValueError(
            f"matmul: both arguments need to be at least 1-D, but they are {len(sa)}-D and "
            f"{len(sb)}-D (shapes {sa} and {sb}); use mul for scalars"
        )
    if sa[-1] != sb[-2 if len(sb) > 1 else -1]:
        raise ValueError(
            f"matmul: shapes {sa} and {sb} cannot be multiplied ({sa[-1]} != "
            f"{sb[-2 if len(sb) > 1 else -1]} in the contracted dimension)"
        )
    try:
        return Matmul.apply(a, b)  # type: ignore[no-any-return]
    except ValueError:
        raise ValueError(
            f"matmul: the batch dimensions of shapes {sa} and {sb} cannot be broadcast together"
        ) from None


def _strict(op: str, fn: type[Matmul], a: Tensor, b: Tensor, nda: int, ndb: int) -> Tensor:
    sa, sb = a._data.shape, b._data.shape
    if len(sa) != nda or len(sb) != ndb:
        raise ValueError(
            f"{op}: expected {nda}-D and {ndb}-D tensors, got shapes {sa} and {sb}; use "
            "matmul for other shapes and broadcasting"
        )
    if sa[-1] != sb[-2 if ndb > 1 else -1] or (op == "bmm" and sa[0] != sb[0]):
        raise ValueError(f"{op}: shapes {sa} and {sb} cannot be multiplied")
    return fn.apply(a, b)  # type: ignore[no-any-return]


def mm(input: Any, mat2: Any) -> Tensor:  # noqa: A002
    """Product of two matrices (2-D only, no broadcasting).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.mm(npgrad.tensor([[1.0, 2.0]]), npgrad.tensor([[3.0], [4.0]]))
    tensor([[11.]])
    """
    a, b = _pair("mm", input, mat2)
    return _strict("mm", Mm, a, b, 2, 2)


def bmm(input: Any, mat2: Any) -> Tensor:  # noqa: A002
    """Batched matrix product of ``(B, n, m)`` and ``(B, m, p)`` tensors (no broadcasting).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.bmm(npgrad.ones(2, 1, 3), npgrad.ones(2, 3, 1)).shape
    npgrad.Size([2, 1, 1])
    """
    a, b = _pair("bmm", input, mat2)
    return _strict("bmm", Bmm, a, b, 3, 3)


def mv(input: Any, vec: Any) -> Tensor:  # noqa: A002
    """Product of a matrix and a vector.

    Examples
    --------
    >>> import npgrad
    >>> npgrad.mv(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]), npgrad.tensor([1.0, 0.0]))
    tensor([1., 3.])
    """
    a, b = _pair("mv", input, vec)
    return _strict("mv", Mv, a, b, 2, 1)


def dot(input: Any, tensor: Any) -> Tensor:  # noqa: A002
    """Dot product of two 1-D tensors of the same length (a 0-d result).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.dot(npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0]))
    tensor(11.)
    """
    a, b = _pair("dot", input, tensor)
    return _strict("dot", Dot, a, b, 1, 1)


# ---- outer ----------------------------------------------------------------------------------
class Outer(Function):
    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return np.multiply.outer(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # d/da_i sum_ij g_ij a_i b_j = (g @ b)_i;  d/db_j = (a @ g)_j
        return (
            Matmul.apply(grad, b) if need_a else None,
            Matmul.apply(a, grad) if need_b else None,
        )


def outer(input: Any, vec2: Any) -> Tensor:  # noqa: A002
    """Outer product ``out[i, j] = input[i] * vec2[j]`` of two 1-D tensors (dtypes promote,
    as in PyTorch, where ``outer`` is an elementwise product).

    Examples
    --------
    >>> import npgrad
    >>> npgrad.outer(npgrad.tensor([1.0, 2.0]), npgrad.tensor([1.0, 10.0]))
    tensor([[ 1., 10.],
            [ 2., 20.]])
    """
    a, b = tensor_arg("outer", input), tensor_arg("outer", vec2)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"outer: expected two 1-D tensors, got shapes {a.shape} and {b.shape}")
    a, b = operands("outer", a, b)
    return Outer.apply(a, b)  # type: ignore[no-any-return]


# ---- einsum ---------------------------------------------------------------------------------
_LETTERS = string.ascii_letters  # NumPy's einsum knows exactly these 52 subscripts
_PARSE_CACHE: dict[tuple[str, tuple[tuple[int, ...], ...]], tuple[Any, ...]] = {}
_PATH_CACHE: dict[tuple[str, tuple[tuple[int, ...], ...]], Any] = {}
_CACHE_SIZE = 512
_SMALL_EINSUM = 1 << 15  # total index space below which NumPy's C loop needs no plan


def _cache_put(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _CACHE_SIZE:
        cache.clear()  # equations in a program are few; a full cache means churn, start over
    cache[key] = value


def _parse(equation: str, shapes: tuple[tuple[int, ...], ...]) -> tuple[Any, ...]:
    """The equation with every ``...`` replaced by explicit letters and the output made
    explicit: ``(input subscripts, output subscripts, size of each letter)``."""
    key = (equation, shapes)
    hit = _PARSE_CACHE.get(key)
    if hit is not None:
        return hit
    eq = equation.replace(" ", "")
    if eq.count("->") > 1:
        raise ValueError(f"einsum: equation {equation!r} has more than one '->'")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(
            f"einsum: equation {equation!r} names {len(terms)} operand(s) but {len(shapes)} "
            "tensor(s) were given"
        )
    for t in [*terms, rhs]:
        rest = t.replace("...", "", 1)
        bad = [c for c in rest if c not in _LETTERS]
        if bad:
            raise ValueError(
                f"einsum: invalid subscript {bad[0]!r} in equation {equation!r}; subscripts are "
                "letters a-z, A-Z and at most one '...' per operand"
            )
    used = {c for c in eq if c in _LETTERS}
    n_ell = []
    for k, (t, shape) in enumerate(zip(terms, shapes)):
        n_sub = len(t.replace("...", ""))
        if "..." in t:
            if n_sub > len(shape):
                raise ValueError(
                    f"einsum: operand {k} has {len(shape)} dimension(s) (shape {shape}) but "
                    f"subscripts {t!r} name {n_sub}"
                )
            n_ell.append(len(shape) - n_sub)
        elif n_sub != len(shape):
            raise ValueError(
                f"einsum: the subscripts {t!r} of operand {k} name {n_sub} dimension(s) but the "
                f"operand has {len(shape)} (shape {shape}) and no '...' was given"
            )
        else:
            n_ell.append(0)
    ne = max(n_ell, default=0)
    free = [c for c in _LETTERS if c not in used]
    if ne > len(free):
        raise ValueError(f"einsum: equation {equation!r} needs more than 52 subscripts")
    ell = "".join(free[:ne])
    ins = tuple(t.replace("...", ell[ne - n :]) for t, n in zip(terms, n_ell))
    if arrow:
        # like PyTorch (unlike NumPy), '...' dims missing from an explicit output are summed
        out = rhs.replace("...", ell)
    else:
        counts: dict[str, int] = {}
        for c in "".join(terms).replace("...", ""):
            counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    sizes: dict[str, int] = {}
    for k, (t, shape) in enumerate(zip(ins, shapes)):
        seen: dict[str, int] = {}
        for c, n in zip(t, shape):
            if c in seen and seen[c] != n:
                raise ValueError(
                    f"einsum: subscript {c!r} is repeated for operand {k} but the sizes don't "
                    f"match, {seen[c]} != {n}"
                )
            seen[c] = n
            m = sizes.get(c, 1)
            if m != 1 and n != 1 and m != n:
                raise ValueError(
                    f"einsum: operands do not broadcast: subscript {c!r} has size {m} in an "
                    f"earlier operand and {n} in operand {k} (shapes {shapes})"
                )
            sizes[c] = max(m, n) if n != 1 else m
    for c in out:
        if c not in sizes:
            raise ValueError(
                f"einsum: output subscript {c!r} does not appear in any input of {equation!r}"
            )
        if out.count(c) > 1:
            raise ValueError(f"einsum: output subscript {c!r} appears more than once")
    result = (ins, out, sizes)
    _cache_put(_PARSE_CACHE, key, result)
    return result


def _run_einsum(ins: tuple[str, ...], out: str, arrays: Sequence[np.ndarray]) -> np.ndarray:
    eq = ",".join(ins) + "->" + out
    if len(arrays) == 1:
        res = np.einsum(eq, arrays[0])
        # one operand may give a view (a transpose, a diagonal): own the result, so that
        # writing into it never writes into the input behind autograd's back
        return res.copy() if np.may_share_memory(res, arrays[0]) else res
    key = (eq, tuple(a.shape for a in arrays))
    path = _PATH_CACHE.get(key)
    if path is None:
        sizes: dict[str, int] = {}
        for t, a in zip(ins, arrays):
            sizes.update(zip(t, a.shape))
        if math.prod(sizes.values()) <= _SMALL_EINSUM:
            path = False  # one C loop over every index beats planning for small problems
        else:
            # a contraction order (and BLAS for pairwise contractions) found once per
            # equation and shapes, instead of NumPy's plain loops or a search on every call
            path = np.einsum_path(eq, *arrays, optimize="greedy")[0]
        _cache_put(_PATH_CACHE, key, path)
    return np.einsum(eq, *arrays, optimize=path)


class Einsum(Function):
    @staticmethod
    def forward(ctx: Any, *arrays: np.ndarray, ins: tuple[str, ...], out: str) -> np.ndarray:
        need = ctx.needs_input_grad
        if any(need):
            # operand j is needed for the gradient of every other operand
            n_need = sum(need)
            ctx.save_for_backward(
                *(a if n_need - need[j] > 0 else None for j, a in enumerate(arrays))
            )
            ctx.ins, ctx.out = ins, out
            ctx.shapes = tuple(a.shape for a in arrays)
        res = _run_einsum(ins, out, arrays)
        return res if isinstance(res, np.ndarray) else np.asarray(res)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        saved = ctx.saved_tensors
        ins, out, shapes = ctx.ins, ctx.out, ctx.shapes
        sizes: dict[str, int] = {}
        for t, shape in zip(ins, shapes):
            for c, n in zip(t, shape):
                sizes[c] = max(sizes.get(c, 1), n)
        grads: list[Tensor | None] = []
        for k, need in enumerate(ctx.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            grads.append(_einsum_grad(k, grad, saved, ins, out, shapes, sizes))
        return tuple(grads)


def _einsum_grad(
    k: int,
    grad: Tensor,
    saved: Sequence[Any],
    ins: tuple[str, ...],
    out: str,
    shapes: tuple[tuple[int, ...], ...],
    sizes: dict[str, int],
) -> Tensor:
    """Gradient of operand ``k``: the einsum of the output gradient with the other operands,
    producing ``ins[k]``.

    A subscript repeated in ``ins[k]`` (a diagonal) can't be repeated in an einsum output: the
    repeat gets a fresh letter and an identity matrix ties the two. A subscript of ``ins[k]``
    alone (summed away in the forward) gets a ones operand, which broadcasts the gradient."""
    used = set("".join(ins) + out)
    fresh = iter(c for c in _LETTERS if c not in used)
    dtype = grad.dtype
    subs = [out] + [t for j, t in enumerate(ins) if j != k]
    ops: list[Any] = [grad] + [s for j, s in enumerate(saved) if j != k]
    target = []
    for c in ins[k]:
        if c in target:
            f = next(fresh)
            target.append(f)
            subs.append(c + f)
            ops.append(Tensor._make(np.eye(sizes[c], dtype=dtype), False, None))
        else:
            target.append(c)
    present = set("".join(subs))
    alone = [c for c in target if c not in present]
    if alone:
        ones = np.broadcast_to(np.ones((), dtype), tuple(sizes[c] for c in alone))
        subs.append("".join(alone))
        ops.append(Tensor._make(ones, False, None))
    g = Einsum.apply(*ops, ins=tuple(subs), out="".join(target))
    # labelled dimensions broadcast between operands: where operand k had size 1 the
    # gradient sums, where only operand k had the full size the gradient (size 1) repeats
    full = np.broadcast_shapes(g.shape, shapes[k])
    if g.shape != full:
        g = Expand.apply(g, full)
    return sum_to(g, shapes[k])


def _same_dtype(op: str, tensors: Sequence[Tensor]) -> None:
    d0 = tensors[0]._data.dtype if tensors else None
    for t in tensors:
        if t._data.dtype != d0:
            raise RuntimeError(
                f"{op}: expected all operands to have the same dtype, but got {d0} and "
                f"{t._data.dtype}; cast with .to()"
            )
        if d0 is not None and d0.kind == "b":
            raise TypeError(f"{op}: not implemented for bool tensors; cast them with .float()")


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, differentiable in every operand.

    ``equation`` is NumPy's and PyTorch's notation: comma-separated subscripts per operand,
    optionally ``->`` and the output subscripts (implicit mode: the letters that appear once,
    sorted). ``...`` stands for broadcast dimensions; a repeated subscript within an operand
    takes its diagonal; labelled dimensions of size 1 broadcast. Operands may also be given
    as one list. All operands must have the same dtype.

    Examples
    --------
    >>> import npgrad
    >>> a = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> npgrad.einsum("ii", a)
    tensor(5.)
    >>> npgrad.einsum("ij,j->i", a, npgrad.tensor([1.0, 1.0]))
    tensor([3., 7.])
    """
    if not isinstance(equation, str):
        raise TypeError(
            f"einsum: expected an equation string first, got {type(equation).__name__} (the "
            "sublist format is not supported)"
        )
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = [tensor_arg("einsum", t) for t in operands]
    if not tensors:
        raise ValueError("einsum: at least one operand is required")
    _same_dtype("einsum", tensors)
    ins, out, _ = _parse(equation, tuple(t._data.shape for t in tensors))
    return Einsum.apply(*tensors, ins=ins, out=out)  # type: ignore[no-any-return]


# ---- tensordot --------------------------------------------------------------------------------
def tensordot(a: Any, b: Any, dims: Any = 2) -> Tensor:
    """Sum of products over the last ``dims`` dimensions of ``a`` and the first ``dims`` of
    ``b``, or over the dimension lists ``dims = (dims_a, dims_b)``.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.ones(2, 3, 4)
    >>> npgrad.tensordot(x, npgrad.ones(3, 4, 5)).shape
    npgrad.Size([2, 5])
    >>> npgrad.tensordot(x, npgrad.ones(4, 3), dims=([1, 2], [1, 0])).shape
    npgrad.Size([2])
    """
    a, b = tensor_arg("tensordot", a), tensor_arg("tensordot", b)
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"tensordot: both inputs should have the same dtype, got {a.dtype} and {b.dtype}"
        )
    _same_dtype("tensordot", [a, b])
    na, nb = a.ndim, b.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        n = int(dims)
        if n < 0:
            raise ValueError(f"tensordot: expected dims >= 0, but got dims={n}")
        if n > min(na, nb):
            raise ValueError(
                f"tensordot: expected dims <= the number of dimensions of both operands "
                f"({na} and {nb}), but got dims={n}"
            )
        dims_a, dims_b = list(range(na - n, na)), list(range(n))
    elif isinstance(dims, (list, tuple)) and len(dims) == 2:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
        if not all(isinstance(d, (int, np.integer)) for d in [*dims_a, *dims_b]):
            raise TypeError(f"tensordot: dims must be an int or two lists of ints, got {dims!r}")
    else:
        raise TypeError(f"tensordot: dims must be an int or two lists of ints, got {dims!r}")
    if len(dims_a) != len(dims_b):
        raise ValueError(
            f"tensordot: both dimension lists should have the same length, got {dims_a} and "
            f"{dims_b}"
        )
    dims_a = [_dim("tensordot", d, na) for d in dims_a]
    dims_b = [_dim("tensordot", d, nb) for d in dims_b]
    for ds in (dims_a, dims_b):
        if len(set(ds)) != len(ds):
            raise ValueError(f"tensordot: a dimension appears more than once in {ds}")
    sub_a = list(_LETTERS[:na])
    sub_b = list(_LETTERS[na : na + nb])
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise ValueError(
                f"tensordot: contracted dimensions need to match, but the first has size "
                f"{a.shape[da]} in dim {da} and the second has size {b.shape[db]} in dim {db}"
            )
        sub_b[db] = sub_a[da]
    out = [c for i, c in enumerate(sub_a) if i not in dims_a]
    out += [c for i, c in enumerate(sub_b) if i not in dims_b]
    if na + nb > len(_LETTERS):
        raise ValueError("tensordot: more than 52 dimensions in total are not supported")
    ins = ("".join(sub_a), "".join(sub_b))
    return Einsum.apply(a, b, ins=ins, out="".join(out))  # type: ignore[no-any-return]


def _dim(op: str, d: int, ndim: int) -> int:
    if not -ndim <= d < ndim:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], "
            f"but got {d})"
        )
    return int(d) % ndim
