"""Indexing, ``x[key]``: forward against NumPy (and PyTorch where the two differ), backward
against finite differences and an exact scatter oracle, repeated indices, second order, views,
errors, hypothesis-drawn keys.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import grad as autograd_grad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

HYP = settings(max_examples=30, deadline=None)
SHAPE = (3, 4, 5)


def _rand(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return rng.random(shape) < 0.5
    return rng.integers(-50, 50, shape).astype(dtype)


def _assert_same(actual, expected):
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    np.testing.assert_array_equal(actual.numpy(), expected)


def _check_vjp_by_ids(shape, key, seed=0):
    """The gradient of ``x[key]`` is the output gradient scatter-added to the source elements:
    index a tensor of element ids with the same key to know where each output came from."""
    ids = np.arange(math.prod(shape), dtype=np.int64).reshape(shape)
    out_ids = npgrad.tensor(ids)[key].numpy()
    rng = np.random.default_rng(seed)
    x = npgrad.tensor(rng.standard_normal(shape), requires_grad=True)
    out = x[key]
    assert out.shape == out_ids.shape
    v = rng.standard_normal(out.shape)
    (g,) = autograd_grad(out, x, npgrad.tensor(v))
    expected = np.zeros(ids.size)
    np.add.at(expected, out_ids.ravel(), v.ravel())
    assert_close(g, expected.reshape(shape))


def _torch_key(torch, key):
    items = key if isinstance(key, tuple) else (key,)
    conv = []
    for k in items:
        if isinstance(k, npgrad.Tensor):
            k = k.numpy()
        if isinstance(k, (np.ndarray, list)):
            k = np.array(k)
            k = k.astype(np.int64) if k.dtype.kind == "f" else k  # an empty list
            k = torch.from_numpy(k.astype(bool) if k.dtype == np.uint8 else k)
        conv.append(k)
    return tuple(conv) if isinstance(key, tuple) else conv[0]


T = npgrad.tensor
M = np.array([True, False, True])  # a mask over dimension 0
# keys whose meaning is the same in NumPy and PyTorch: (id, key, NumPy key)
SAME_AS_NUMPY = [
    ("int", 1, 1),
    ("neg_int", -1, -1),
    ("ints", (2, -1), (2, -1)),
    ("all_ints", (0, 1, 2), (0, 1, 2)),
    ("slice", slice(1, None), slice(1, None)),
    (
        "slices_steps",
        (slice(None, None, 2), slice(1, 4, 2)),
        (slice(None, None, 2), slice(1, 4, 2)),
    ),
    ("neg_step", (slice(None), slice(None, None, -1)), (slice(None), slice(None, None, -1))),
    (
        "neg_step_bounds",
        (slice(2, 0, -2), 1, slice(-1, None, -3)),
        (slice(2, 0, -2), 1, slice(-1, None, -3)),
    ),
    ("empty_slice", slice(2, 1), slice(2, 1)),
    ("none", (None, 1), (None, 1)),
    ("ellipsis", (Ellipsis, 2), (Ellipsis, 2)),
    ("ellipsis_mid", (1, Ellipsis, slice(1, 3)), (1, Ellipsis, slice(1, 3))),
    ("ellipsis_only", Ellipsis, Ellipsis),
    ("list", [0, 2, 2], [0, 2, 2]),
    ("array", np.array([2, -1]), np.array([2, -1])),
    ("int32_tensor", T([1, 0], dtype=npgrad.int32), np.array([1, 0])),
    ("tensor_2d", T([[0, 1], [2, 2]]), np.array([[0, 1], [2, 2]])),
    ("empty_list", [], np.zeros(0, np.int64)),
    ("adv_then_slices", ([0, 2], slice(None), slice(1, 3)), ([0, 2], slice(None), slice(1, 3))),
    ("adv_last", (Ellipsis, [0, 4, 4]), (Ellipsis, [0, 4, 4])),
    ("adv_pair", ([0, 1], [1, 3]), ([0, 1], [1, 3])),
    ("adv_broadcast", ([[0], [2]], slice(None), [1, 4]), ([[0], [2]], slice(None), [1, 4])),
    ("adv_separated", ([0, 2], slice(1, 3), [4, 0]), ([0, 2], slice(1, 3), [4, 0])),
    ("mask_tensor", T(M), M),
    (
        "mask_ndarray",
        (slice(None), np.array([True, False, False, True])),
        (slice(None), np.array([True, False, False, True])),
    ),
    ("mask_2d", T(_rand((3, 4), np.bool_, 5)), _rand((3, 4), np.bool_, 5)),
    ("mask_3d", T(_rand(SHAPE, np.bool_, 6)), _rand(SHAPE, np.bool_, 6)),
    ("mask_and_slice", (T(M), slice(None, None, -1)), (M, slice(None, None, -1))),
    ("mask_and_array", (T(M), slice(None), [0, 0]), (M, slice(None), [0, 0])),
    ("uint8_mask", T(M.astype(np.uint8)), M),  # PyTorch reads byte tensors as masks
    ("true", True, None),
    ("false", False, False),
    ("tensor_slice_bounds", slice(T(1), T(3)), slice(1, 3)),
]
# keys PyTorch reads differently from NumPy: ints (and None) are applied first, so index arrays
# separated only by them stay in place: (id, key, the equivalent two-step NumPy indexing)
TORCH_ORDER = [
    ("int_slice_list", (0, slice(None), [0, 1]), lambda a: a[0][:, [0, 1]]),
    ("list_slice_int", ([0, 1], slice(None), 0), lambda a: a[:, :, 0][[0, 1]]),
    ("none_list_none_int", (None, [0, 1], None, 0), lambda a: a[None, :, None, 0][:, [0, 1]]),
    ("int_none_list", (0, None, [1, 2]), lambda a: a[0][None][:, [1, 2]]),
    ("tensor0d_slice_list", (T(1), slice(None), [0, 1]), lambda a: a[1][:, [0, 1]]),
    ("int_list_int", (2, [3, 3, 0], 1), lambda a: a[2, :, 1][[3, 3, 0]]),
    ("mask_int", (T(M), 2), lambda a: a[:, 2][M]),
    ("ellipsis_list_int", (Ellipsis, [0, 1], 0), lambda a: a[..., 0][..., [0, 1]]),
]
ALL_KEYS = [(k[0], k[1]) for k in SAME_AS_NUMPY] + [(k[0], k[1]) for k in TORCH_ORDER]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.bool_])
@pytest.mark.parametrize(
    ("name", "key", "np_key"), SAME_AS_NUMPY, ids=[k[0] for k in SAME_AS_NUMPY]
)
def test_forward_matches_numpy(name, key, np_key, dtype):
    a = _rand(SHAPE, dtype)
    out = npgrad.tensor(a)[key]
    _assert_same(out, a[np_key])
    assert not out.requires_grad


@pytest.mark.parametrize("dtype", [np.float32, np.int64])
@pytest.mark.parametrize(("name", "key", "ref"), TORCH_ORDER, ids=[k[0] for k in TORCH_ORDER])
def test_integers_apply_before_index_arrays_like_pytorch(name, key, ref, dtype):
    a = _rand(SHAPE, dtype)
    _assert_same(npgrad.tensor(a)[key], ref(a))


@pytest.mark.parametrize(("name", "key"), ALL_KEYS, ids=[k[0] for k in ALL_KEYS])
def test_gradcheck_gradgradcheck_and_scatter_oracle(name, key):
    x = npgrad.tensor(_rand(SHAPE, np.float64), requires_grad=True)
    assert gradcheck(lambda t: t[key], (x,))
    assert gradgradcheck(lambda t: t[key], (x,))
    _check_vjp_by_ids(SHAPE, key)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "key"), ALL_KEYS, ids=[k[0] for k in ALL_KEYS])
def test_matches_torch_values_and_gradients(name, key):
    torch = pytest.importorskip("torch")
    if name.startswith("neg_step") or name == "mask_and_slice":
        pytest.skip("PyTorch does not support negative slice steps")
    a = _rand(SHAPE, np.float64)
    x, tx = npgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ours, theirs = x[key], tx[_torch_key(torch, key)]
    _assert_same(ours, theirs.detach().numpy())
    v = np.random.default_rng(1).standard_normal(ours.shape)
    (g,) = autograd_grad(ours, x, npgrad.tensor(v))
    (tg,) = torch.autograd.grad(theirs, tx, torch.tensor(v))
    assert_close(g, tg.numpy())


def test_repeated_indices_accumulate_their_gradients():
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].backward(npgrad.tensor([1.0, 10.0, 100.0, 1000.0]))
    _assert_same(x.grad, np.array([1011.0, 0.0, 100.0], np.float32))
    y = npgrad.ones(2, 3, requires_grad=True)
    y[npgrad.tensor([1, 1]), npgrad.tensor([2, 2])].backward(npgrad.tensor([1.0, 2.0]))
    _assert_same(y.grad, np.array([[0, 0, 0], [0, 0, 3]], np.float32))


def test_backward_of_indexing_is_differentiable_and_its_backward_is_indexing():
    x = npgrad.tensor([1.0, 2.0, 3.0], dtype=npgrad.float64, requires_grad=True)
    v = npgrad.tensor([1.0, 2.0], dtype=npgrad.float64, requires_grad=True)
    (g,) = autograd_grad(x[[2, 2]] * x[[2, 0]], x, v, create_graph=True)
    assert g.requires_grad
    # d/dx (x2 * x2 * v0 + x2 * x0 * v1) = (x2 v1, 0, 2 x2 v0 + x0 v1)
    _assert_same(g, np.array([3.0 * 2.0, 0.0, 2 * 3.0 * 1.0 + 1.0 * 2.0]))
    (gv,) = autograd_grad(x[[1, 1]], x, v, create_graph=True)
    assert gv.grad_fn.name() == "IndexScatterBackward"
    (back,) = autograd_grad(gv, v, npgrad.tensor([5.0, 6.0, 7.0], dtype=npgrad.float64))
    _assert_same(back, np.array([6.0, 6.0]))  # the scatter's backward gathers again


def test_basic_indexing_is_a_view_and_index_arrays_copy():
    x = npgrad.zeros(3, 4)
    for view in (x[1], x[:, 1:3], x[None, ..., ::-1], x[0, 0]):
        assert np.shares_memory(view.numpy(), x.numpy())
    row = x[1]
    with npgrad.no_grad():
        row.fill_(5.0)
    assert x.numpy()[1].tolist() == [5.0] * 4
    assert x[0, 0].shape == () and isinstance(x[0, 0].numpy(), np.ndarray)
    for copy in (x[[0, 1]], x[x > 1], x[npgrad.tensor(1), [0]]):
        assert not np.shares_memory(copy.numpy(), x.numpy())


def test_index_tensors_are_not_differentiated_and_are_left_untouched():
    x = npgrad.ones(4, requires_grad=True)
    idx = npgrad.tensor([3, 1])
    x[idx].backward(npgrad.tensor([1.0, 2.0]))
    _assert_same(idx, np.array([3, 1]))
    _assert_same(x.grad, np.array([0.0, 2.0, 0.0, 1.0], np.float32))


def test_zero_dim_integer_tensor_selects_like_an_int():
    x = npgrad.arange(12).reshape(3, 4)
    _assert_same(x[npgrad.tensor(2)], x.numpy()[2])
    _assert_same(x[1, npgrad.tensor(-1)], np.array(7))


INDEX_ERRORS = [
    (5, IndexError, "getitem: index 5 is out of bounds for dimension 0 with size 3"),
    (-4, IndexError, "getitem: index -4 is out of bounds for dimension 0 with size 3"),
    ((0, 7), IndexError, "getitem: index 7 is out of bounds for dimension 1 with size 4"),
    ((0, [1, 4]), IndexError, "getitem: index 4 is out of bounds for dimension 1 with size 4"),
    (
        (0, slice(None), npgrad.tensor([-6, 1])),
        IndexError,
        "getitem: index -6 is out of bounds for dimension 2 with size 5",
    ),
    (
        (None, 0, 0, 0, 0),
        IndexError,
        r"getitem: too many indices for a tensor of dimension 3 \(shape \(3, 4, 5\)\)",
    ),
    ((Ellipsis, 0, Ellipsis), IndexError, "getitem: an index can only have a single ellipsis"),
    (
        npgrad.tensor([True, False]),
        IndexError,
        r"getitem: the shape of the mask \(2,\) at index 0 does not match the shape of the indexed tensor \(3, 4, 5\)",
    ),
    (1.5, IndexError, r"getitem: only integers, slices .* \(got float\)"),
    ("a", IndexError, r"getitem: only integers.* \(got str\)"),
    (
        npgrad.tensor([0.0]),
        IndexError,
        "getitem: tensors used as indices must be integer or boolean, got float32",
    ),
    (([0, 1], [0, 1, 2]), IndexError, "shape mismatch"),  # NumPy's broadcasting error
]


@pytest.mark.parametrize(
    ("key", "exc", "match"), INDEX_ERRORS, ids=[e[2][:40] for e in INDEX_ERRORS]
)
def test_bad_keys_raise_index_errors_naming_getitem(key, exc, match):
    x = npgrad.zeros(*SHAPE)
    with pytest.raises(exc, match=match):
        x[key]


def test_indexing_a_zero_dim_tensor():
    x = npgrad.tensor(3.0, requires_grad=True)
    assert x[...].shape == () and x[None].shape == (1,)
    with pytest.raises(IndexError, match="too many indices for a tensor of dimension 0"):
        x[0]
    x[None, None].backward(npgrad.tensor([[2.0]]))
    _assert_same(x.grad, np.array(2.0, np.float32))


# ---- hypothesis: drawn keys ------------------------------------------------------------------
@st.composite
def _keys(draw, shape, kind, positive_steps=False):
    """A key for ``shape``. kind "basic": ints/slices/None/Ellipsis; "arrays": slices and index
    arrays or one mask (NumPy's meaning equals PyTorch's); "mixed": anything, for PyTorch."""
    nd = len(shape)
    used = draw(st.integers(0, nd))
    ell = draw(st.one_of(st.none(), st.integers(0, used)))
    dims = [j if ell is None or j < ell else nd - used + j for j in range(used)]
    adv = "none" if kind == "basic" else draw(st.sampled_from(["ints", "mask", "none"]))
    length = draw(st.integers(0, 3))
    mask_at = draw(st.integers(0, used - 1)) if used and adv == "mask" else -1
    items = []
    for j, d in enumerate(dims):
        n = shape[d]
        choice = draw(st.sampled_from(["int", "slice", "array"]))
        if j == mask_at:
            items.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))))
        elif choice == "array" and adv == "ints":
            items.append(
                np.array(
                    draw(st.lists(st.integers(-n, n - 1), min_size=length, max_size=length)),
                    np.int64,
                )
            )
        elif choice == "int" and kind != "arrays":
            items.append(draw(st.integers(-n, n - 1)))
        else:
            step = draw(
                st.sampled_from([None, 1, 2, 3] if positive_steps else [None, 1, 2, -1, -2])
            )
            items.append(
                slice(
                    draw(st.one_of(st.none(), st.integers(-n - 1, n + 1))),
                    draw(st.one_of(st.none(), st.integers(-n - 1, n + 1))),
                    step,
                )
            )
    if ell is not None:
        items.insert(ell, Ellipsis)
    if kind != "arrays":
        for _ in range(draw(st.integers(0, 2))):
            items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items)


@HYP
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4), data=st.data())
def test_drawn_basic_keys_match_numpy(shape, data):
    key = data.draw(_keys(shape, "basic"))
    a = _rand(shape, np.float32)
    _assert_same(npgrad.tensor(a)[key], a[key])
    _check_vjp_by_ids(shape, key)


@HYP
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), data=st.data())
def test_drawn_array_keys_match_numpy(shape, data):
    key = data.draw(_keys(shape, "arrays"))
    a = _rand(shape, np.int32)
    _assert_same(npgrad.tensor(a)[key], a[key])
    _check_vjp_by_ids(shape, key)


@pytest.mark.torch
@HYP
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), data=st.data())
def test_drawn_mixed_keys_match_torch(shape, data):
    torch = pytest.importorskip("torch")
    key = data.draw(_keys(shape, "mixed", positive_steps=True))
    a = _rand(shape, np.float64)
    x, tx = npgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ours, theirs = x[key], tx[_torch_key(torch, key)]
    _assert_same(ours, theirs.detach().numpy())
    v = np.random.default_rng(2).standard_normal(ours.shape)
    (g,) = autograd_grad(ours, x, npgrad.tensor(v))
    (tg,) = torch.autograd.grad(theirs, tx, torch.tensor(v))
    assert_close(g, tg.numpy())


# ---- assignment through an index: x[key] = value ------------------------------------------------
def test_setitem_without_graph_writes_in_place_and_bumps_version():
    x = npgrad.zeros(2, 3)
    alias = x.detach()
    x[0, 1:] = 5.0
    x[1] = npgrad.tensor([1.0, 2.0, 3.0])
    x[x > 4] = -1.0
    assert x.tolist() == [[0.0, -1.0, -1.0], [1.0, 2.0, 3.0]]
    assert alias.tolist() == x.tolist() and x._version == 3


def test_setitem_is_differentiable_in_target_and_value():
    a = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=npgrad.float64, requires_grad=True)
    v = npgrad.tensor([7.0, 8.0], dtype=npgrad.float64, requires_grad=True)

    def f(a, v):
        b = a * 1.0
        b[0] = v * a[1]
        b[1, [1, 0]] = v[:1]
        return b

    assert npgrad.autograd.gradcheck(f, (a, v))
    assert npgrad.autograd.gradgradcheck(f, (a, v))


def test_setitem_on_leaf_requiring_grad_raises_and_bad_shapes_are_named():
    x = npgrad.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x[0] = 1.0
    y = npgrad.zeros(2, 3)
    with pytest.raises(ValueError, match=r"shape \(5,\).*indexed shape \(3,\)"):
        y[0] = npgrad.ones(5)


def test_index_put_accumulate_adds_repeated_indices():
    x = npgrad.zeros(3)
    out = x.index_put((npgrad.tensor([0, 0, 2]),), npgrad.tensor([1.0, 2.0, 3.0]), accumulate=True)
    assert out.tolist() == [3.0, 0.0, 3.0] and x.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.torch
def test_setitem_gradients_match_torch():
    torch = pytest.importorskip("torch")
    a0 = np.arange(12.0).reshape(3, 4)
    a, v = npgrad.tensor(a0, requires_grad=True), npgrad.tensor([5.0, 6.0], requires_grad=True)
    b = a * 2.0
    b[1:, [1, 3]] = v * v
    (b * b).sum().backward()
    ta = torch.tensor(a0, requires_grad=True)
    tv = torch.tensor([5.0, 6.0], dtype=torch.float64, requires_grad=True)
    tb = ta * 2.0
    tb[1:, [1, 3]] = tv * tv
    (tb * tb).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())
    np.testing.assert_allclose(v.grad.numpy(), tv.grad.numpy())


# ---- regressions from differential testing against PyTorch ----------------------------------
@pytest.mark.parametrize("kind", ["tensor", "array"])
def test_an_index_changed_in_place_after_use_does_not_change_the_gradient(kind):
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    i = npgrad.tensor([0, 1]) if kind == "tensor" else np.array([0, 1])
    y = x[i] * x[i]
    i += 1  # PyTorch raises here at backward; npgrad kept its own copy of the index
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 0.0]


def test_a_mask_changed_in_place_after_use_does_not_change_the_gradient():
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = npgrad.tensor([True, False, True])
    y = x[m]
    m[...] = ~m
    y.backward(npgrad.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [1.0, 0.0, 10.0]


def test_a_short_list_holding_sequences_indexes_like_a_tuple_with_pytorchs_warning():
    x = npgrad.arange(24).reshape(2, 3, 4)
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        assert x[[[0, 1], [1, 0]]].tolist() == x[[0, 1], [1, 0]].tolist()
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        assert x[[0, [1]]].shape == (1, 4)
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        assert x[[0, slice(None)]].shape == (3, 4)
    y = npgrad.zeros(3, 3)
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        y[[npgrad.tensor([0, 1]), npgrad.tensor([1, 2])]] = 1.0
    assert y.sum().item() == 2.0 and y[0, 1].item() == 1.0 and y[1, 2].item() == 1.0
    assert x[[0, 1]].shape == (2, 3, 4)  # a list of numbers is one index array
    assert x[range(2)].shape == (2, 3, 4)


def test_list_index_parity_with_torch():
    torch = pytest.importorskip("torch")
    x = np.arange(24).reshape(2, 3, 4)
    for key in ([[0, 1], [1, 0]], [0, [1]], [0, slice(1, 3)], [1, None, 2], [0, 1]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = npgrad.tensor(x)[key]
            theirs = torch.tensor(x)[key]
        assert ours.tolist() == theirs.tolist(), key


def test_writing_python_numbers_into_integer_tensors_follows_pytorch():
    u = npgrad.tensor([1, 2], dtype=npgrad.uint8)
    u[0] = -1  # negative integers wrap into unsigned types
    assert u.tolist() == [255, 2]
    u[1] = 2.7  # floats truncate
    assert u.tolist() == [255, 2]
    for bad in (256, -256, -1.5, float("nan")):
        with pytest.raises(
            RuntimeError, match="setitem: value .* cannot be converted to type uint8"
        ):
            u[0] = bad
    assert u.tolist() == [255, 2]  # nothing written
    i = npgrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="cannot be converted to type int64"):
        i[0] = float("inf")
    x = npgrad.tensor([1.0, 2.0], requires_grad=True) * 1  # the recorded path
    x[0] = 5
    assert x.tolist() == [5.0, 2.0]


def test_narrow_errors_have_pytorchs_types():
    x = npgrad.ones(2, 3)
    with pytest.raises(RuntimeError, match="exceeds dimension 1 of size 3"):
        x.narrow(1, 2, 2)
    with pytest.raises(IndexError, match="start out of range"):
        x.narrow(1, 5, 1)
    with pytest.raises(RuntimeError, match="length must be non-negative"):
        x.narrow(1, 0, -1)
    assert x.narrow(1, -3, 3).shape == (2, 3)
