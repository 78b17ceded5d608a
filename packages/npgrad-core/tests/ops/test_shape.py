"""Shape ops: forward against NumPy (float and integer dtypes), backward against finite
differences (first and second order), hypothesis-drawn shapes, errors, PyTorch parity.

The ops only move elements around, so besides gradcheck their backward is checked against an
exact oracle: run the op on element *ids* (an integer tensor, which the ops pass through) and
scatter-add the output gradient back to the ids it came from.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import grad as autograd_grad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

HYP = settings(max_examples=25, deadline=None)


class _TorchNS:
    """``torch`` with ``pad`` taken from ``torch.nn.functional``, so one lambda serves both."""

    def __init__(self, torch):
        self._torch = torch
        self.pad = torch.nn.functional.pad

    def __getattr__(self, name):
        return getattr(self._torch, name)


def _outs(result):
    return tuple(result) if isinstance(result, (tuple, list)) else (result,)


def _rand(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(-50, 50, shape).astype(dtype)


def _assert_same(actual, expected):
    """Exact equality, shape and dtype: shape ops copy values, they never compute them."""
    assert isinstance(actual, npgrad.Tensor)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    np.testing.assert_array_equal(actual.numpy(), expected)


def _check_vjp_by_ids(fn, shapes, seed=0):
    """Backward of a gather-like op equals scatter-adding the output gradient to the source
    ids (id 0 marks elements that come from no input, e.g. padding or zeroed triangles)."""
    rng = np.random.default_rng(seed)
    ids, start = [], 1
    for s in shapes:
        n = math.prod(s)
        ids.append(np.arange(start, start + n, dtype=np.int64).reshape(s))
        start += n
    out_ids = _outs(fn(npgrad, *[npgrad.tensor(i) for i in ids]))
    xs = [npgrad.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    outs = _outs(fn(npgrad, *xs))
    assert [o.shape for o in outs] == [o.shape for o in out_ids]
    if not outs:
        return
    vs = [rng.standard_normal(o.shape) for o in outs]
    grads = autograd_grad(outs, xs, [npgrad.tensor(v) for v in vs], allow_unused=True)
    total = np.zeros(start)
    for oid, v in zip(out_ids, vs):
        np.add.at(total, oid.numpy().ravel(), v.ravel())
    for g, i in zip(grads, ids):
        expected = total[i]
        if g is None:
            assert not expected.any()
        else:
            assert_close(g, expected)


# (id, input shapes, fn(M, *tensors) with M = npgrad or torch, NumPy reference)
CASES = [
    ("reshape", [(2, 3, 4)], lambda M, x: x.reshape(4, -1), lambda a: a.reshape(4, -1)),
    ("reshape_tuple", [(2, 3, 4)], lambda M, x: M.reshape(x, (6, 4)), lambda a: a.reshape(6, 4)),
    ("reshape_0d", [()], lambda M, x: x.reshape(1, 1), lambda a: a.reshape(1, 1)),
    ("reshape_to_0d", [(1, 1)], lambda M, x: x.reshape(()), lambda a: a.reshape(())),
    ("view", [(2, 3, 4)], lambda M, x: x.view(2, 12), lambda a: a.reshape(2, 12)),
    ("view_as", [(2, 3, 4)], lambda M, x: x.view_as(M.zeros(4, 6)), lambda a: a.reshape(4, 6)),
    ("flatten", [(2, 3, 4)], lambda M, x: x.flatten(), lambda a: a.reshape(-1)),
    ("flatten_mid", [(2, 3, 4, 1)], lambda M, x: M.flatten(x, 1, 2), lambda a: a.reshape(2, 12, 1)),
    ("flatten_0d", [()], lambda M, x: x.flatten(), lambda a: a.reshape(1)),
    (
        "unflatten",
        [(2, 3, 4)],
        lambda M, x: x.unflatten(2, (2, -1)),
        lambda a: a.reshape(2, 3, 2, 2),
    ),
    ("squeeze", [(1, 3, 1, 2)], lambda M, x: x.squeeze(), lambda a: np.squeeze(a)),
    ("squeeze_dim", [(1, 3, 1, 2)], lambda M, x: x.squeeze(-2), lambda a: a.squeeze(2)),
    ("squeeze_tuple", [(1, 3, 1, 2)], lambda M, x: x.squeeze((0, 1)), lambda a: a.squeeze(0)),
    ("squeeze_not_1", [(2, 3)], lambda M, x: x.squeeze(1), lambda a: a),
    ("unsqueeze", [(2, 3)], lambda M, x: x.unsqueeze(1), lambda a: a[:, None]),
    ("unsqueeze_end", [(2, 3)], lambda M, x: M.unsqueeze(x, -1), lambda a: a[..., None]),
    ("transpose", [(2, 3, 4)], lambda M, x: x.transpose(0, 2), lambda a: a.swapaxes(0, 2)),
    ("swapaxes", [(2, 3, 4)], lambda M, x: M.swapaxes(x, -1, 1), lambda a: a.swapaxes(2, 1)),
    ("swapdims", [(2, 3, 4)], lambda M, x: M.swapdims(x, 0, 1), lambda a: a.swapaxes(0, 1)),
    ("t", [(2, 3)], lambda M, x: x.t(), lambda a: a.T),
    ("t_1d", [(3,)], lambda M, x: M.t(x), lambda a: a),
    ("T", [(2, 3)], lambda M, x: x.T, lambda a: a.T),
    ("mT", [(2, 3, 4)], lambda M, x: x.mT, lambda a: a.swapaxes(-1, -2)),
    ("permute", [(2, 3, 4)], lambda M, x: x.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1)),
    (
        "permute_tuple",
        [(2, 3, 4)],
        lambda M, x: M.permute(x, (1, -1, 0)),
        lambda a: a.transpose(1, 2, 0),
    ),
    (
        "movedim",
        [(2, 3, 4)],
        lambda M, x: M.movedim(x, (0, 1), (2, 0)),
        lambda a: np.moveaxis(a, (0, 1), (2, 0)),
    ),
    ("moveaxis", [(2, 3, 4)], lambda M, x: M.moveaxis(x, 0, -1), lambda a: np.moveaxis(a, 0, -1)),
    ("expand", [(3, 1)], lambda M, x: x.expand(2, 3, 4), lambda a: np.broadcast_to(a, (2, 3, 4))),
    ("expand_keep", [(3, 1)], lambda M, x: x.expand(-1, 5), lambda a: np.broadcast_to(a, (3, 5))),
    (
        "expand_as",
        [(3, 1)],
        lambda M, x: x.expand_as(M.zeros(3, 2)),
        lambda a: np.broadcast_to(a, (3, 2)),
    ),
    (
        "broadcast_to",
        [(3, 1)],
        lambda M, x: M.broadcast_to(x, (2, 3, 4)),
        lambda a: np.broadcast_to(a, (2, 3, 4)),
    ),
    (
        "broadcast_tensors",
        [(3, 1), (4,)],
        lambda M, x, y: M.broadcast_tensors(x, y),
        lambda a, b: np.broadcast_arrays(a, b),
    ),
    ("repeat", [(2, 3)], lambda M, x: x.repeat(2, 1, 3), lambda a: np.tile(a, (2, 1, 3))),
    ("repeat_zero", [(2, 3)], lambda M, x: x.repeat(0, 2), lambda a: np.tile(a, (0, 2))),
    ("tile", [(2, 3)], lambda M, x: x.tile(2), lambda a: np.tile(a, 2)),
    ("tile_fn", [(2, 3)], lambda M, x: M.tile(x, (2, 1, 2)), lambda a: np.tile(a, (2, 1, 2))),
    ("cat", [(2, 3), (1, 3)], lambda M, x, y: M.cat([x, y]), lambda a, b: np.concatenate([a, b])),
    (
        "cat_last",
        [(2, 3), (2, 1), (2, 2)],
        lambda M, x, y, z: M.cat((x, y, z), dim=-1),
        lambda a, b, c: np.concatenate([a, b, c], -1),
    ),
    (
        "concat",
        [(2, 3), (2, 2)],
        lambda M, x, y: M.concat([x, y], 1),
        lambda a, b: np.concatenate([a, b], 1),
    ),
    (
        "concatenate",
        [(2, 3), (1, 3)],
        lambda M, x, y: M.concatenate([x, y]),
        lambda a, b: np.concatenate([a, b]),
    ),
    (
        "stack",
        [(2, 3), (2, 3)],
        lambda M, x, y: M.stack([x, y], 1),
        lambda a, b: np.stack([a, b], 1),
    ),
    (
        "stack_end",
        [(2, 3), (2, 3)],
        lambda M, x, y: M.stack([x, y], -1),
        lambda a, b: np.stack([a, b], -1),
    ),
    ("split", [(5, 2)], lambda M, x: x.split(2), lambda a: tuple(np.split(a, [2, 4]))),
    (
        "split_list",
        [(2, 5)],
        lambda M, x: M.split(x, [1, 0, 4], 1),
        lambda a: tuple(np.split(a, [1, 1], 1)),
    ),
    ("chunk", [(5, 2)], lambda M, x: x.chunk(3), lambda a: tuple(np.split(a, [2, 4]))),
    ("chunk_fewer", [(6,)], lambda M, x: M.chunk(x, 4), lambda a: tuple(np.split(a, [2, 4]))),
    ("unbind", [(2, 3)], lambda M, x: x.unbind(1), lambda a: tuple(a[:, i] for i in range(3))),
    ("flip", [(2, 3, 4)], lambda M, x: x.flip(0, 2), lambda a: np.flip(a, (0, 2))),
    ("flip_tuple", [(2, 3, 4)], lambda M, x: M.flip(x, (1,)), lambda a: np.flip(a, 1)),
    ("roll_flat", [(2, 3, 4)], lambda M, x: x.roll(5), lambda a: np.roll(a, 5)),
    (
        "roll_dims",
        [(2, 3, 4)],
        lambda M, x: x.roll((1, -2), (0, 2)),
        lambda a: np.roll(a, (1, -2), (0, 2)),
    ),
    ("pad", [(2, 3)], lambda M, x: M.pad(x, (1, 2)), lambda a: np.pad(a, ((0, 0), (1, 2)))),
    (
        "pad_value",
        [(2, 3)],
        lambda M, x: M.pad(x, (1, 0, 0, 2), value=1.5),
        lambda a: np.pad(a, ((0, 2), (1, 0)), constant_values=1.5),
    ),
    (
        "pad_crop",
        [(2, 3)],
        lambda M, x: M.pad(x, (-1, 2, 2, -1)),
        lambda a: np.pad(a, ((2, 0), (0, 2)))[:-1, 1:],
    ),
    (
        "pad_reflect",
        [(1, 2, 4)],
        lambda M, x: M.pad(x, (2, 3), mode="reflect"),
        lambda a: np.pad(a, ((0, 0), (0, 0), (2, 3)), mode="reflect"),
    ),
    (
        "pad_reflect_2d",
        [(1, 3, 4)],
        lambda M, x: M.pad(x, (1, 2, 2, 1), mode="reflect"),
        lambda a: np.pad(a, ((0, 0), (2, 1), (1, 2)), mode="reflect"),
    ),
    (
        "pad_replicate",
        [(1, 2, 3)],
        lambda M, x: M.pad(x, (2, 4), mode="replicate"),
        lambda a: np.pad(a, ((0, 0), (0, 0), (2, 4)), mode="edge"),
    ),
    (
        "pad_replicate_crop",
        [(1, 2, 3)],
        lambda M, x: M.pad(x, (-1, 2), mode="replicate"),
        lambda a: np.pad(a, ((0, 0), (0, 0), (0, 2)), mode="edge")[..., 1:],
    ),
    (
        "pad_circular",
        [(1, 2, 3)],
        lambda M, x: M.pad(x, (2, 1), mode="circular"),
        lambda a: np.pad(a, ((0, 0), (0, 0), (2, 1)), mode="wrap"),
    ),
    (
        "pad_circular_2d",
        [(1, 1, 3, 4)],
        lambda M, x: M.pad(x, (1, 2, 3, 0), mode="circular"),
        lambda a: np.pad(a, ((0, 0), (0, 0), (3, 0), (1, 2)), mode="wrap"),
    ),
    (
        "pad_circular_crop",
        [(1, 2, 3)],
        lambda M, x: M.pad(x, (-1, 2), mode="circular"),
        lambda a: np.pad(a[..., 1:], ((0, 0), (0, 0), (0, 2)), mode="wrap"),
    ),
    ("diagonal", [(3, 4)], lambda M, x: x.diagonal(), lambda a: np.diagonal(a)),
    (
        "diagonal_dims",
        [(2, 3, 4)],
        lambda M, x: x.diagonal(1, 2, 0),
        lambda a: np.diagonal(a, 1, 2, 0),
    ),
    ("diagonal_below", [(3, 4)], lambda M, x: M.diagonal(x, -1), lambda a: np.diagonal(a, -1)),
    (
        "trace",
        [(3, 4)],
        lambda M, x: x.trace(),
        lambda a: np.asarray(np.trace(a, dtype=np.int64 if a.dtype.kind == "i" else a.dtype)),
    ),
    ("tril", [(3, 4)], lambda M, x: x.tril(), lambda a: np.tril(a)),
    ("tril_batched", [(2, 3, 4)], lambda M, x: M.tril(x, -1), lambda a: np.tril(a, -1)),
    ("triu", [(3, 4)], lambda M, x: x.triu(1), lambda a: np.triu(a, 1)),
    ("clone", [(2, 3)], lambda M, x: x.clone(), lambda a: a.copy()),
    ("contiguous", [(3, 4)], lambda M, x: x.t().contiguous(), lambda a: a.T.copy()),
    ("narrow", [(4, 3)], lambda M, x: M.narrow(x, 0, 1, 2), lambda a: a[1:3]),
    ("narrow_neg", [(4, 3)], lambda M, x: M.narrow(x, -1, -2, 2), lambda a: a[:, 1:3]),
]
CASE_IDS = [c[0] for c in CASES]
# ops that gather (each output element is one input element or a fill value): the id oracle applies
GATHERS = [c for c in CASES if c[0] != "trace" and c[0] != "pad_value"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize(("name", "shapes", "fn", "ref"), CASES, ids=CASE_IDS)
def test_forward_matches_numpy(name, shapes, fn, ref, dtype):
    arrays = [_rand(s, dtype, seed=k) for k, s in enumerate(shapes)]
    outs = _outs(fn(npgrad, *[npgrad.tensor(a) for a in arrays]))
    expected = _outs(ref(*arrays))
    assert len(outs) == len(expected)
    for o, e in zip(outs, expected):
        _assert_same(o, e)
        assert not o.requires_grad


@pytest.mark.parametrize(("name", "shapes", "fn", "ref"), CASES, ids=CASE_IDS)
def test_gradcheck_and_gradgradcheck(name, shapes, fn, ref):
    xs = [npgrad.tensor(_rand(s, np.float64, k), requires_grad=True) for k, s in enumerate(shapes)]
    assert gradcheck(lambda *t: fn(npgrad, *t), xs)
    assert gradgradcheck(lambda *t: fn(npgrad, *t), xs)


@pytest.mark.parametrize(("name", "shapes", "fn", "ref"), GATHERS, ids=[c[0] for c in GATHERS])
def test_backward_scatters_to_source_elements(name, shapes, fn, ref):
    _check_vjp_by_ids(fn, shapes)


@pytest.mark.parametrize(("name", "shapes", "fn", "ref"), CASES, ids=CASE_IDS)
def test_float32_gradient_stays_float32(name, shapes, fn, ref):
    xs = [npgrad.tensor(_rand(s, np.float32, k), requires_grad=True) for k, s in enumerate(shapes)]
    outs = _outs(fn(npgrad, *xs))
    assert all(o.dtype == np.float32 for o in outs)
    grads = autograd_grad(outs, xs, [npgrad.ones(o.shape) for o in outs], allow_unused=True)
    assert all(g is None or g.dtype == np.float32 for g in grads)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "shapes", "fn", "ref"), CASES, ids=CASE_IDS)
def test_matches_torch(name, shapes, fn, ref):
    torch = pytest.importorskip("torch")
    arrays = [_rand(s, np.float64, k) for k, s in enumerate(shapes)]
    xs = [npgrad.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours, theirs = _outs(fn(npgrad, *xs)), _outs(fn(_TorchNS(torch), *ts))
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        _assert_same(o, t.detach().numpy())
    rng = np.random.default_rng(1)
    vs = [rng.standard_normal(o.shape) for o in ours]
    g_ours = autograd_grad(ours, xs, [npgrad.tensor(v) for v in vs], allow_unused=True)
    g_theirs = torch.autograd.grad(theirs, ts, [torch.tensor(v) for v in vs], allow_unused=True)
    for go, gt in zip(g_ours, g_theirs):
        assert (go is None) == (gt is None)
        if go is not None:
            assert_close(go, gt.numpy())


# ---- hypothesis: drawn shapes and arguments -------------------------------------------------
def _shapes(min_dims=0, max_dims=4, min_side=1, max_side=4):
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def _forward_and_vjp(fn, ref, shapes):
    arrays = [_rand(s, np.float32, k) for k, s in enumerate(shapes)]
    outs = _outs(fn(npgrad, *[npgrad.tensor(a) for a in arrays]))
    expected = _outs(ref(*arrays))
    assert len(outs) == len(expected)
    for o, e in zip(outs, expected):
        _assert_same(o, e)
    _check_vjp_by_ids(fn, shapes)


@HYP
@given(shape=_shapes(min_side=0), data=st.data())
def test_reshape_drawn(shape, data):
    # the target: the dims in a drawn order, adjacent ones merged, maybe one left as -1
    order = data.draw(st.permutations(shape))
    target: list[int] = []
    for s in order:
        if target and data.draw(st.booleans()):
            target[-1] *= s
        else:
            target.append(s)
    if target and math.prod(target) and data.draw(st.booleans()):
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    _forward_and_vjp(lambda M, x: x.reshape(*target), lambda a: a.reshape(target), [shape])


@HYP
@given(shape=_shapes(), data=st.data())
def test_permute_and_transpose_drawn(shape, data):
    perm = data.draw(st.permutations(range(len(shape))))
    _forward_and_vjp(lambda M, x: x.permute(*perm), lambda a: a.transpose(perm), [shape])
    if shape:
        d0, d1 = data.draw(st.tuples(*[st.integers(-len(shape), len(shape) - 1)] * 2))
        _forward_and_vjp(lambda M, x: x.transpose(d0, d1), lambda a: a.swapaxes(d0, d1), [shape])


@HYP
@given(shape=_shapes(max_side=2), data=st.data())
def test_squeeze_unsqueeze_drawn(shape, data):
    nd = len(shape)
    dims = tuple(data.draw(st.sets(st.integers(0, nd - 1)))) if nd else ()
    kept = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    _forward_and_vjp(lambda M, x: x.squeeze(dims), lambda a: a.reshape(kept), [shape])
    d = data.draw(st.integers(-nd - 1, nd))
    _forward_and_vjp(lambda M, x: x.unsqueeze(d), lambda a: np.expand_dims(a, d), [shape])


@HYP
@given(target=_shapes(min_side=0), data=st.data())
def test_expand_drawn(target, data):
    k = data.draw(st.integers(0, len(target)))
    ones = [data.draw(st.booleans()) for _ in target[k:]]
    shape = tuple(1 if o else s for o, s in zip(ones, target[k:]))
    sizes = list(target[:k]) + [-1 if data.draw(st.booleans()) else s for s in target[k:]]
    sizes = [
        s if s != -1 or shape[i - k] == t else t for i, (s, t) in enumerate(zip(sizes, target))
    ]
    _forward_and_vjp(lambda M, x: x.expand(*sizes), lambda a: np.broadcast_to(a, target), [shape])


@HYP
@given(shape=_shapes(max_dims=3, max_side=3), data=st.data())
def test_repeat_drawn(shape, data):
    extra = data.draw(st.integers(0, 2))
    reps = tuple(
        data.draw(
            st.lists(st.integers(0, 3), min_size=len(shape) + extra, max_size=len(shape) + extra)
        )
    )
    _forward_and_vjp(lambda M, x: x.repeat(*reps), lambda a: np.tile(a, reps), [shape])


@HYP
@given(shape=_shapes(min_dims=1, max_dims=3), data=st.data())
def test_cat_and_stack_drawn(shape, data):
    nd = len(shape)
    d = data.draw(st.integers(-nd, nd - 1))
    sizes = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    shapes = [shape[: d % nd] + (s,) + shape[d % nd + 1 :] for s in sizes]
    _forward_and_vjp(lambda M, *xs: M.cat(xs, d), lambda *a: np.concatenate(a, d), shapes)
    ds = data.draw(st.integers(-nd - 1, nd))
    _forward_and_vjp(
        lambda M, *xs: M.stack(xs, ds), lambda *a: np.stack(a, ds), [shape] * len(sizes)
    )


@HYP
@given(shape=_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5), data=st.data())
def test_split_chunk_unbind_drawn(shape, data):
    nd = len(shape)
    d = data.draw(st.integers(-nd, nd - 1))
    n = shape[d]
    size = data.draw(st.integers(1, 5))
    cuts = list(range(size, n, size))
    _forward_and_vjp(lambda M, x: x.split(size, d), lambda a: tuple(np.split(a, cuts, d)), [shape])
    chunks = data.draw(st.integers(1, 5))
    if n:
        step = -(-n // chunks)
        expected = lambda a: tuple(np.split(a, list(range(step, n, step)), d))  # noqa: E731
        _forward_and_vjp(lambda M, x: x.chunk(chunks, d), expected, [shape])
    unbound = lambda a: tuple(np.moveaxis(a, d, 0))  # noqa: E731
    _forward_and_vjp(lambda M, x: x.unbind(d), unbound, [shape])


@HYP
@given(shape=_shapes(min_side=0), data=st.data())
def test_flip_and_roll_drawn(shape, data):
    nd = len(shape)
    dims = tuple(data.draw(st.sets(st.integers(0, nd - 1)))) if nd else ()
    _forward_and_vjp(lambda M, x: x.flip(dims), lambda a: np.flip(a, dims), [shape])
    shifts = tuple(data.draw(st.integers(-5, 5)) for _ in dims)
    if dims:
        _forward_and_vjp(
            lambda M, x: x.roll(shifts, dims), lambda a: np.roll(a, shifts, dims), [shape]
        )
    s = data.draw(st.integers(-7, 7))
    _forward_and_vjp(lambda M, x: x.roll(s), lambda a: np.roll(a, s), [shape])


def test_flip_of_a_0d_tensor_accepts_dim_0_and_minus_1_like_torch():
    x = npgrad.tensor(2.5, requires_grad=True)
    for dims in ((0,), (-1,), ()):
        y = x.flip(*dims)
        assert y.shape == () and y.item() == 2.5
    with pytest.raises(IndexError, match="flip: dimension out of range"):
        x.flip(1)
    (g,) = npgrad.autograd.grad(x.flip(0), x)
    assert g.item() == 1.0


@HYP
@given(
    shape=_shapes(min_dims=1, max_dims=3),
    mode=st.sampled_from(["constant", "reflect", "replicate", "circular"]),
    data=st.data(),
)
def test_pad_drawn(shape, mode, data):
    k = data.draw(st.integers(1, len(shape)))
    pairs = []
    for n in shape[len(shape) - k :]:
        lo = data.draw(st.integers(-n - 2, 3))
        hi = data.draw(st.integers(-(n + lo), 3)) if n + lo >= 0 else -(n + lo)  # size >= 0
        if mode == "reflect":  # positive amounts must stay below the size
            lo, hi = min(lo, n - 1), min(hi, n - 1)
        if mode == "circular":  # crop no more than the data, then wrap at most once around it
            lo = max(lo, -n)
            hi = max(hi, -(n - max(-lo, 0)))
            m = n - max(-lo, 0) - max(-hi, 0)
            lo, hi = min(lo, m), min(hi, m)
        assume(n + lo + hi >= 0)  # the clamps above can make the padded size negative
        pairs.append((lo, hi))
    flat = tuple(v for lo_hi in reversed(pairs) for v in lo_hi)
    np_mode = {
        "constant": "constant",
        "reflect": "reflect",
        "replicate": "edge",
        "circular": "wrap",
    }[mode]

    def ref(a):
        full = [(0, 0)] * (a.ndim - k) + pairs
        if mode == "circular":  # crop first, then wrap
            a = a[tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(a.shape, full))]
        out = np.pad(a, [(max(lo, 0), max(hi, 0)) for lo, hi in full], mode=np_mode)
        if mode != "circular":  # pad, then crop (PyTorch's order)
            out = out[
                tuple(slice(max(-lo, 0), m - max(-hi, 0)) for m, (lo, hi) in zip(out.shape, full))
            ]
        return out

    _forward_and_vjp(lambda M, x: M.pad(x, flat, mode=mode), ref, [shape])


@HYP
@given(shape=_shapes(min_dims=2), data=st.data())
def test_diagonal_and_triangles_drawn(shape, data):
    nd = len(shape)
    d1, d2 = data.draw(
        st.lists(st.integers(-nd, nd - 1), min_size=2, max_size=2, unique_by=lambda d: d % nd)
    )
    offset = data.draw(st.integers(-4, 4))
    _forward_and_vjp(
        lambda M, x: x.diagonal(offset, d1, d2), lambda a: np.diagonal(a, offset, d1, d2), [shape]
    )
    _forward_and_vjp(lambda M, x: x.tril(offset), lambda a: np.tril(a, offset), [shape])
    _forward_and_vjp(lambda M, x: x.triu(offset), lambda a: np.triu(a, offset), [shape])


# ---- semantics beyond values -----------------------------------------------------------------
def test_trace_gradient_is_the_identity_and_integer_trace_is_int64():
    x = npgrad.tensor(_rand((3, 4), np.float64), requires_grad=True)
    (g,) = autograd_grad(x.trace(), x, npgrad.tensor(2.0, dtype=npgrad.float64))
    _assert_same(g, 2.0 * np.eye(3, 4))
    assert npgrad.tensor([[1, 2], [3, 4]], dtype=npgrad.uint8).trace().dtype == np.int64
    assert npgrad.tensor([[1.0, 2.0], [3.0, 4.0]]).trace().dtype == np.float32


def test_cat_and_stack_promote_dtypes_like_pytorch_and_cast_gradients_back():
    i32 = npgrad.tensor([1, 2], dtype=npgrad.int32)
    f16 = npgrad.tensor([0.5], dtype=npgrad.float16)
    assert npgrad.cat([i32, f16]).dtype == np.float16
    assert (
        npgrad.cat([npgrad.tensor([True]), npgrad.tensor([3], dtype=npgrad.uint8)]).dtype
        == np.uint8
    )
    assert npgrad.stack([i32, i32.to(npgrad.int64)]).dtype == np.int64
    x32 = npgrad.tensor([1.0, 2.0], requires_grad=True)
    x64 = npgrad.tensor([3.0], dtype=npgrad.float64, requires_grad=True)
    out = npgrad.cat([x32, x64])
    assert out.dtype == np.float64
    g32, g64 = autograd_grad(out, [x32, x64], npgrad.tensor([1.0, 2.0, 3.0], dtype=npgrad.float64))
    _assert_same(g32, np.array([1.0, 2.0], np.float32))
    _assert_same(g64, np.array([3.0]))


def test_cat_skips_legacy_1d_empty_tensors_like_pytorch():
    x = npgrad.ones(2, 3)
    assert npgrad.cat([x, npgrad.zeros(0), x]).shape == (4, 3)
    assert npgrad.cat([npgrad.zeros(0), npgrad.zeros(0)]).shape == (0,)


def test_chunk_sizes_follow_pytorch():
    sizes = lambda n, c: [len(p) for p in npgrad.arange(n).chunk(c)]  # noqa: E731
    assert sizes(5, 3) == [2, 2, 1]
    assert sizes(6, 4) == [2, 2, 2]  # fewer chunks than asked, as PyTorch
    assert sizes(6, 5) == [2, 2, 2]
    assert sizes(3, 5) == [1, 1, 1]
    assert [p.shape for p in npgrad.zeros(2, 0).chunk(3, 1)] == [(2, 0)] * 3


def test_split_of_an_empty_dimension_gives_one_empty_piece():
    assert [p.shape for p in npgrad.zeros(0).split(2)] == [(0,)]
    assert [p.shape for p in npgrad.zeros(0).split(0)] == [(0,)]


def test_unused_split_outputs_get_zero_gradient():
    x = npgrad.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    a, _, c = x.split(2)
    a.backward(npgrad.tensor([1.0, 2.0]), retain_graph=True)
    c.backward(npgrad.tensor([3.0]))
    _assert_same(x.grad, np.array([1.0, 2.0, 0.0, 0.0, 3.0], np.float32))


def test_iteration_and_len_use_unbind():
    x = npgrad.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    assert len(x) == 3
    rows = list(x)
    assert [r.shape for r in rows] == [(2,)] * 3
    _assert_same(rows[1], np.array([3.0, 4.0], np.float32))
    assert rows[0].grad_fn.name() == "UnbindBackward"
    (rows[0] * 1.0 + rows[2] * 2.0).backward(npgrad.ones(2))
    _assert_same(x.grad, np.array([[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]], np.float32))
    assert [int(v) for v in npgrad.tensor([7, 8, 9])] == [7, 8, 9]
    assert list(npgrad.zeros(0, 2)) == []
    with pytest.raises(TypeError, match="0-d"):
        iter(npgrad.tensor(1.0))
    with pytest.raises(TypeError, match="0-d"):
        len(npgrad.tensor(1.0))


def test_views_share_memory_and_copies_do_not():
    x = npgrad.tensor(_rand((2, 3, 4), np.float32))
    views = [
        x.reshape(6, 4),
        x.view(-1),
        x.flatten(1),
        x.unflatten(0, (1, 2)),
        x[None].squeeze(0),
        x.unsqueeze(0),
        x.transpose(0, 1),
        x.permute(2, 1, 0),
        x[:, :1].expand(2, 5, 4),
        x.split(1)[1],
        x.unbind(2)[3],
        x.diagonal(0, 1, 2),
        npgrad.narrow(x, 1, 1, 2),
        x[1, ::-1],
    ]
    for v in views:
        assert np.shares_memory(v.numpy(), x.numpy())
    copies = [
        x.flip(0),
        x.roll(1),
        x.repeat(1, 1, 1),
        npgrad.cat([x, x]),
        npgrad.stack([x]),
        npgrad.pad(x, (1, 1)),
        npgrad.pad(x, (1, 1), mode="reflect"),
        x.tril(),
        x.clone(),
        x.transpose(0, 1).contiguous(),
        x[[0, 1]],
        x[x > 0],
    ]
    for c in copies:
        assert not np.shares_memory(c.numpy(), x.numpy())


def test_diagonal_is_a_writable_view_like_pytorch():
    x = npgrad.zeros(3, 3)
    with npgrad.no_grad():
        x.diagonal().fill_(1.0)
    _assert_same(x, np.eye(3, dtype=np.float32))


def test_contiguous_returns_the_input_itself_when_already_contiguous():
    x = npgrad.ones(2, 3, requires_grad=True)
    assert x.contiguous() is x
    y = x.t().contiguous()
    assert y is not x and y.is_contiguous() and y.grad_fn.name() == "ContiguousBackward"


def test_flatten_of_a_single_dimension_returns_the_input():
    x = npgrad.ones(2, 3)
    assert x.flatten(1, 1) is x


def test_view_refuses_incompatible_strides_and_reshape_copies():
    x = npgrad.tensor(_rand((2, 3), np.float32))
    with pytest.raises(RuntimeError, match=r"view: shape \(6,\).*reshape"):
        x.t().view(6)
    with pytest.raises(ValueError, match="view"):  # ShapeError is both
        x.t().view(-1)
    _assert_same(x.t().reshape(6), x.numpy().T.reshape(6))
    _assert_same(x.t().view(3, 2), x.numpy().T)  # compatible: fine
    _assert_same(x[:, ::2].view(2, 2), x.numpy()[:, ::2])


def test_grad_fn_names_follow_the_op():
    x = npgrad.ones(2, 3, requires_grad=True)
    names = {
        "ReshapeBackward": x.reshape(3, 2),
        "ViewBackward": x.view(6),
        "SqueezeBackward": x.squeeze(),
        "UnsqueezeBackward": x.unsqueeze(0),
        "TransposeBackward": x.t(),
        "PermuteBackward": x.T,
        "ExpandBackward": x.expand(2, 2, 3),
        "RepeatBackward": x.repeat(1, 2),
        "CatBackward": npgrad.cat([x, x]),
        "StackBackward": npgrad.stack([x, x]),
        "SplitBackward": x.split(1)[0],
        "FlipBackward": x.flip(0),
        "RollBackward": x.roll(1),
        "ConstantPadBackward": npgrad.pad(x, (1, 1)),
        "PadBackward": npgrad.pad(x, (1, 1), mode="reflect"),
        "DiagonalBackward": x.diagonal(),
        "TraceBackward": x.trace(),
        "TrilBackward": x.tril(),
        "TriuBackward": x.triu(),
        "CloneBackward": x.clone(),
        "IndexBackward": x[0],
    }
    for name, t in names.items():
        assert t.grad_fn.name() == name


ERRORS = [
    (
        lambda: npgrad.ones(2, 3).reshape(4, 2),
        ValueError,
        r"reshape: shape \(4, 2\) is invalid for an input of size 6",
    ),
    (lambda: npgrad.ones(2, 3).reshape(-1, -1), RuntimeError, r"reshape: invalid shape \(-1, -1\)"),
    (
        lambda: npgrad.ones(0, 3).reshape(-1, 0),
        RuntimeError,
        r"reshape: cannot reshape .* the -1 can be any value",
    ),
    (lambda: npgrad.ones(2, 3).reshape(2.0, 3), TypeError, "reshape: size must be integers"),
    (lambda: npgrad.ones(2, 3).view(npgrad.int32), TypeError, r"view\(dtype\)"),
    (
        lambda: npgrad.ones(2, 3).flatten(1, 0),
        ValueError,
        "flatten: start_dim .1. cannot come after end_dim .0.",
    ),
    (lambda: npgrad.ones(2, 3).flatten(2), IndexError, r"flatten: dimension out of range"),
    (
        lambda: npgrad.ones(2, 6).unflatten(1, (4, -1)),
        ValueError,
        r"unflatten: shape \(4, -1\) is invalid for dimension 1 of size 6",
    ),
    (lambda: npgrad.ones(2, 6).unflatten(1, ()), ValueError, "unflatten: sizes must be non-empty"),
    (lambda: npgrad.tensor(1.0).unflatten(0, (1,)), IndexError, "unflatten: .*no dimensions"),
    (lambda: npgrad.ones(2, 3).squeeze(2), IndexError, "squeeze: dimension out of range"),
    (
        lambda: npgrad.ones(2, 3).unsqueeze(3),
        IndexError,
        r"unsqueeze: dimension out of range \(expected to be in range of \[-3, 2\]",
    ),
    (lambda: npgrad.ones(2, 3).transpose(0, 2), IndexError, "transpose: dimension out of range"),
    (
        lambda: npgrad.ones(2, 3, 4).t(),
        ValueError,
        r"t: expects a tensor with <= 2 dimensions, got shape \(2, 3, 4\)",
    ),
    (
        lambda: npgrad.ones(2, 3).permute(0),
        RuntimeError,
        r"permute: the number of dims \(1\) must equal .* \(2\)",
    ),
    (
        lambda: npgrad.ones(2, 3).permute(0, 0),
        ValueError,
        r"permute: dims \(0, 0\) name a dimension more than once",
    ),
    (lambda: npgrad.ones(2, 3).permute(0, 2), IndexError, "permute: dimension out of range"),
    (
        lambda: npgrad.movedim(npgrad.ones(2, 3), (0, 1), 0),
        ValueError,
        "movedim: source .* same length",
    ),
    (
        lambda: npgrad.ones(2, 3).expand(2, 4),
        RuntimeError,
        r"expand: the expanded size of the tensor \(4\) must match the existing size \(3\) at non-singleton dimension 1",
    ),
    (
        lambda: npgrad.ones(2, 3).expand(3),
        ValueError,
        r"expand: the number of sizes provided \(1\) must be greater or equal",
    ),
    (
        lambda: npgrad.ones(2, 3).expand(-1, 2, 3),
        ValueError,
        r"expand: the expanded size \(-1\) isn't allowed in a leading",
    ),
    (
        lambda: npgrad.ones(2, 3).expand(2, -2),
        ValueError,
        r"expand: the expanded size of the tensor \(-2\)",
    ),
    (
        lambda: npgrad.broadcast_to(npgrad.ones(2, 3), (3, 3)),
        ValueError,
        "broadcast_to: the expanded size",
    ),
    (
        lambda: npgrad.broadcast_tensors(npgrad.ones(2), npgrad.ones(3)),
        ValueError,
        r"broadcast_shapes: shapes \(2,\), \(3,\) cannot be broadcast",
    ),
    (
        lambda: npgrad.ones(2, 3).repeat(2),
        ValueError,
        r"repeat: the number of repeat dims \(1\) can not be smaller",
    ),
    (lambda: npgrad.ones(2, 3).repeat(1, -1), ValueError, "repeat: repeats must be non-negative"),
    (lambda: npgrad.cat([]), ValueError, "cat: expected a non-empty list of Tensors"),
    (
        lambda: npgrad.cat(npgrad.ones(2)),
        TypeError,
        "cat: expected a tuple or list of Tensors, got Tensor",
    ),
    (
        lambda: npgrad.cat([npgrad.ones(2), 1]),
        TypeError,
        "cat: expected a Tensor as element 1, got int",
    ),
    (
        lambda: npgrad.cat([npgrad.tensor(1.0), npgrad.tensor(2.0)]),
        RuntimeError,
        "cat: a zero-dimensional tensor",
    ),
    (
        lambda: npgrad.cat([npgrad.ones(2, 3), npgrad.ones(2, 4)]),
        RuntimeError,
        r"cat: sizes of tensors must match except in dimension 0: got shapes \(2, 3\) and \(2, 4\) \(tensor 1\)",
    ),
    (
        lambda: npgrad.cat([npgrad.ones(2, 3), npgrad.ones(2)]),
        ValueError,
        r"cat: tensors must have the same number of dimensions: got shapes \(2, 3\) and \(2,\)",
    ),
    (lambda: npgrad.cat([npgrad.ones(2, 3)], dim=2), IndexError, "cat: dimension out of range"),
    (
        lambda: npgrad.stack([npgrad.ones(2, 3), npgrad.ones(2, 4)]),
        RuntimeError,
        r"stack: expects each tensor to be equal size, but got \(2, 3\) at entry 0 and \(2, 4\) at entry 1",
    ),
    (lambda: npgrad.stack([npgrad.ones(2)], dim=3), IndexError, "stack: dimension out of range"),
    (
        lambda: npgrad.ones(6).split([2, 3]),
        ValueError,
        r"split: split sizes \(2, 3\) must be non-negative and sum exactly to 6",
    ),
    (lambda: npgrad.ones(6).split(0), RuntimeError, "split: split_size must be positive"),
    (lambda: npgrad.ones(6).split(-1), ValueError, "split: split_size must be positive"),
    (lambda: npgrad.tensor(1.0).split(1), IndexError, "split: .*no dimensions"),
    (
        lambda: npgrad.ones(6).chunk(0),
        ValueError,
        "chunk: expects chunks to be greater than 0, got 0",
    ),
    (
        lambda: npgrad.tensor(1.0).unbind(0),
        IndexError,
        "unbind: dimension specified as 0 but the tensor has no dimensions",
    ),
    (lambda: npgrad.ones(2, 3).unbind(2), IndexError, "unbind: dimension out of range"),
    (
        lambda: npgrad.narrow(npgrad.ones(4), 0, 3, 2),
        RuntimeError,
        r"narrow: start \(3\) \+ length \(2\) exceeds dimension 0 of size 4",
    ),
    (
        lambda: npgrad.ones(2, 3).flip(0, 0),
        ValueError,
        r"flip: dims \(0, 0\) name a dimension more than once",
    ),
    (lambda: npgrad.ones(2, 3).flip(2), IndexError, "flip: dimension out of range"),
    (
        lambda: npgrad.ones(2, 3).roll((1, 2), (0,)),
        ValueError,
        r"roll: shifts and dims must align, got shifts \(1, 2\) and dims \(0,\)",
    ),
    (
        lambda: npgrad.ones(2, 3).roll((1, 2)),
        ValueError,
        "roll: shifts .* need dims of the same length",
    ),
    (lambda: npgrad.ones(2, 3).roll(1, 5), IndexError, "roll: dimension out of range"),
    (
        lambda: npgrad.pad(npgrad.ones(2, 3), (1,)),
        ValueError,
        r"pad: the padding length must be even .* got pad \(1,\)",
    ),
    (
        lambda: npgrad.pad(npgrad.ones(2, 3), (1,) * 6),
        RuntimeError,
        "pad: the padding length must be even and at most twice the number of dimensions .2",
    ),
    (
        lambda: npgrad.pad(npgrad.ones(2, 3), (-2, -2)),
        ValueError,
        "pad: the input size 3, plus negative padding -2 and -2, gives a negative output size for dimension 1",
    ),
    (
        lambda: npgrad.pad(npgrad.ones(1, 2, 3), (3, 3), mode="reflect"),
        RuntimeError,
        r"pad: reflect padding \(3, 3\) must be smaller than the size 3 of dimension 2 of the input \(shape \(1, 2, 3\)\)",
    ),
    (
        lambda: npgrad.pad(npgrad.ones(1, 2, 3), (4, 0), mode="circular"),
        ValueError,
        r"pad: circular padding \(4, 0\) wraps around more than once on dimension 2",
    ),
    (
        lambda: npgrad.pad(npgrad.ones(1, 2, 0), (1, 0), mode="replicate"),
        ValueError,
        "pad: cannot replicate-pad the empty dimension 2",
    ),
    (
        lambda: npgrad.pad(npgrad.ones(1, 2, 3), (1, 0), mode="foo"),
        ValueError,
        "pad: unrecognised padding mode 'foo'",
    ),
    (
        lambda: npgrad.pad(npgrad.ones(1, 2, 3), (1, 0), mode="reflect", value=1.0),
        ValueError,
        "pad: padding mode 'reflect' doesn't take a value",
    ),
    (
        lambda: npgrad.ones(3).diagonal(),
        ValueError,
        r"diagonal: needs at least 2 dimensions, got shape \(3,\)",
    ),
    (
        lambda: npgrad.ones(2, 3).diagonal(0, 1, -1),
        RuntimeError,
        "diagonal: dimensions cannot be identical, got dim1=1, dim2=-1",
    ),
    (
        lambda: npgrad.ones(2, 2, 2).trace(),
        ValueError,
        r"trace: expected a matrix, got a tensor of shape \(2, 2, 2\)",
    ),
    (
        lambda: npgrad.ones(3).tril(),
        RuntimeError,
        r"tril: input tensor must have at least 2 dimensions, got \(3,\)",
    ),
    (
        lambda: npgrad.ones(3).triu(),
        ValueError,
        "triu: input tensor must have at least 2 dimensions",
    ),
]


@pytest.mark.parametrize(("call", "exc", "match"), ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors_name_the_op_and_the_shapes(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_shape_errors_are_both_valueerror_and_runtimeerror():
    from npgrad.ops.shape import ShapeError

    assert issubclass(ShapeError, ValueError) and issubclass(ShapeError, RuntimeError)


def test_movedim_of_a_zero_dim_tensor_names_dimension_0_or_minus_1():
    x = npgrad.tensor(1.5, requires_grad=True)
    y = x.movedim(0, -1)
    assert y.shape == () and y.item() == 1.5
    y.backward()
    assert x.grad.item() == 1.0
    with pytest.raises(IndexError, match="movedim: dimension out of range"):
        x.movedim(1, 0)
