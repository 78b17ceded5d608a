"""Tensor itself: metadata, conversions, casts, detach, requires_grad rules, in place, pickling."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import npgrad
from npgrad.testing import assert_close


def test_metadata_and_conversions():
    x = npgrad.arange(6.0).reshape(2, 3)
    assert x.shape == x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3
    assert x.dim() == x.ndim == 2 and x.numel() == 6 and len(x) == 2
    assert x.dtype == npgrad.float32 and x.is_floating_point() and str(x.device) == "cpu"
    assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert x[1, 2].item() == 5.0 and float(x[0, 1]) == 1.0 and int(x[1, 1]) == 4
    assert x.T.shape == (3, 2) and x.mT.shape == (3, 2)
    assert np.asarray(x) is x.numpy()
    with pytest.raises(IndexError, match="size"):
        x.size(2)


def test_item_and_bool_need_a_single_element():
    with pytest.raises(RuntimeError, match="2 elements"):
        npgrad.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(npgrad.tensor([1.0, 2.0]))
    assert bool(npgrad.tensor([3.0])) and not bool(npgrad.tensor(0))
    with pytest.raises(TypeError, match="0-d"):
        len(npgrad.tensor(1.0))


def test_format_of_a_0d_tensor_formats_its_value_like_torch():
    loss = npgrad.tensor(0.123456)
    assert f"{loss:.3f}" == "0.123" and f"{npgrad.tensor(7):4d}" == "   7"
    assert f"{npgrad.tensor([1.0, 2.0])}" == "tensor([1., 2.])"
    with pytest.raises(TypeError):
        f"{npgrad.tensor([1.0, 2.0]):.3f}"  # noqa: B018


def test_numpy_shares_memory_even_when_requiring_grad():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    x.numpy()[0] = 7.0
    assert x.tolist() == [7.0, 2.0]


@pytest.mark.parametrize(
    ("method", "dtype"),
    [
        ("float", "float32"),
        ("double", "float64"),
        ("half", "float16"),
        ("int", "int32"),
        ("long", "int64"),
        ("short", "int16"),
        ("char", "int8"),
        ("byte", "uint8"),
        ("bool", "bool"),
    ],
)
def test_casts(method, dtype):
    y = getattr(npgrad.tensor([0.0, 1.5, 2.0]), method)()
    assert y.dtype == np.dtype(dtype)


def test_to_returns_self_when_nothing_changes_and_casts_are_differentiable():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    assert x.to(npgrad.float32) is x and x.to("cpu") is x
    y = x.to(npgrad.float64)
    assert y.grad_fn.name() == "CastBackward"
    (y * y).sum().backward()
    assert x.grad.dtype == npgrad.float32 and x.grad.tolist() == [2.0, 4.0]
    assert x.type_as(npgrad.zeros(1, dtype=npgrad.float64)).dtype == npgrad.float64
    assert not x.long().requires_grad


def test_requires_grad_rules():
    with pytest.raises(RuntimeError, match="floating point"):
        npgrad.tensor([1, 2], requires_grad=True)
    x = npgrad.tensor([1.0], requires_grad=True)
    y = x * 2.0
    assert not y.is_leaf and x.is_leaf
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad_(False)
    x.requires_grad = False
    assert not (x * 2.0).requires_grad


def test_detach_shares_memory_and_detach_inplace_makes_a_leaf():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    d.numpy()[1] = 9.0
    assert x.tolist() == [1.0, 9.0] and not d.requires_grad
    y = x * 2.0
    y.detach_()
    assert y.is_leaf and not y.requires_grad
    assert x.data.tolist() == [1.0, 9.0] and not x.data.requires_grad


def test_clone_is_a_differentiable_copy():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    c.numpy()[0] = 5.0
    assert x.tolist() == [1.0, 2.0]
    (c * 3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_zero_fill_copy_in_place():
    x = npgrad.ones(3)
    alias = x.detach()
    x.zero_()
    assert alias.tolist() == [0.0, 0.0, 0.0] and x._version == 1
    x.fill_(2.5)
    x.copy_(npgrad.tensor([1.0, 2.0, 3.0]))
    assert x.tolist() == [1.0, 2.0, 3.0] and x._version == 3
    with pytest.raises(RuntimeError, match="broadcast"):
        x.copy_(npgrad.ones(4))


def test_fill_and_copy_with_a_differentiable_source():
    v = npgrad.tensor(2.0, requires_grad=True)
    y = npgrad.zeros(3)
    y.fill_(v)
    y.sum().backward()
    assert v.grad.item() == 3.0
    src = npgrad.tensor([1.0, 2.0], requires_grad=True)
    z = npgrad.zeros(2, 2)
    z.copy_(src)
    (z * z).sum().backward()
    assert_close(src.grad, npgrad.tensor([4.0, 8.0]))


def test_inplace_ops_check_the_result_dtype():
    x = npgrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        x.add_(0.5)
    x.add_(1)
    assert x.tolist() == [2, 3]


def test_inplace_ops_cast_within_a_category_like_torch():
    # PyTorch's rule (canCast): only float -> integer and non-bool -> bool are refused;
    # a wider float or integer result is cast down to the tensor's dtype
    h = npgrad.tensor([1.0, 2.0], dtype=npgrad.float16)
    h.add_(npgrad.tensor([0.5, 0.5], dtype=npgrad.float64))
    assert h.dtype == npgrad.float16 and h.tolist() == [1.5, 2.5]
    i = npgrad.tensor([1, 2], dtype=npgrad.int32)
    i.mul_(npgrad.tensor([3, 4]))
    assert i.dtype == npgrad.int32 and i.tolist() == [3, 8]
    f = npgrad.tensor([1.0])
    f.add_(npgrad.tensor([2]))
    assert f.tolist() == [3.0]
    with pytest.raises(RuntimeError, match="add_: result type float32 can't be cast.*int32"):
        i.add_(npgrad.tensor([0.5]))
    b = npgrad.tensor([True, False])
    with pytest.raises(RuntimeError, match="result type int64 can't be cast.*bool"):
        b.mul_(npgrad.tensor([2, 2]))


def test_inplace_op_with_a_wider_operand_gives_gradients_in_each_inputs_dtype():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    w = npgrad.tensor([3.0, 4.0], dtype=npgrad.float64, requires_grad=True)
    y = x * 1.0
    y.mul_(w)
    assert y.dtype == npgrad.float32
    y.sum().backward()
    assert x.grad.dtype == npgrad.float32 and x.grad.tolist() == [3.0, 4.0]
    assert w.grad.dtype == npgrad.float64 and w.grad.tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    "overwrite",
    [
        lambda y: y.fill_(2.0),
        lambda y: y.zero_(),
        lambda y: y.copy_(npgrad.tensor([5.0, 6.0])),
    ],
)
def test_overwriting_a_tensor_in_the_graph_with_a_constant_keeps_it_in_the_graph(overwrite):
    # PyTorch: the tensor still requires grad, and its former history gets a zero gradient
    w = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = w * 3.0
    overwrite(y)
    assert y.requires_grad and y.grad_fn is not None and y._version == 1
    (y * w).sum().backward()
    assert w.grad.tolist() == y.tolist()  # only through the product, not through y's past


def test_pickle_and_deepcopy_keep_data_grad_and_requires_grad():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    x.grad = npgrad.ones(2)
    for y in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x)):
        assert y.tolist() == [1.0, 2.0] and y.requires_grad and y.grad.tolist() == [1.0, 1.0]
        assert not np.shares_memory(y.numpy(), x.numpy())
    with pytest.raises(RuntimeError, match="non-leaf"):
        pickle.dumps(x * 2.0)


def test_iteration_yields_rows():
    x = npgrad.arange(6).reshape(3, 2)
    assert [r.tolist() for r in x] == [[0, 1], [2, 3], [4, 5]]


def test_hash_is_identity_and_eq_is_elementwise():
    a, b = npgrad.tensor([1.0]), npgrad.tensor([1.0])
    assert len({a, b}) == 2
    assert (a == b).tolist() == [True]
    assert (a == None) is False  # noqa: E711 - PyTorch's behaviour


def test_methods_accept_numpy_axis_and_keepdims_aliases():
    x = npgrad.arange(6.0).reshape(2, 3)
    assert x.mean(axis=1).tolist() == x.mean(dim=1).tolist()
    assert x.sum(axis=0, keepdims=True).shape == (1, 3)
    assert x.max(axis=1).values.tolist() == [2.0, 5.0]
    assert x.var(axis=1).tolist() == [1.0, 1.0]
    assert x.log_softmax(axis=1).shape == (2, 3)
    with pytest.raises(TypeError, match="both 'dim' and its alias 'axis'"):
        x.sum(dim=0, axis=1)


def test_contains_and_python_number_conversions_follow_pytorch():
    x = npgrad.arange(6.0).reshape(2, 3)
    assert 4.0 in x and 7 not in x
    assert npgrad.tensor([3.0, 4.0, 5.0]) in x
    with pytest.raises(RuntimeError, match="__contains__"):
        _ = "a" in x
    with pytest.raises(ValueError, match="only one element tensors"):
        float(npgrad.ones(3))
    with pytest.raises(ValueError, match="only one element tensors"):
        int(npgrad.ones(2))
    assert float(npgrad.tensor([2.5])) == 2.5 and int(npgrad.tensor(3)) == 3


def test_make_tensor_integers_exclude_high():
    from npgrad.testing import make_tensor

    t = make_tensor(2000, dtype=npgrad.int64, low=0, high=3)
    assert sorted(set(t.tolist())) == [0, 1, 2]
    assert set(make_tensor(5, dtype=npgrad.int64, low=4, high=4).tolist()) == {4}


# ---- the legacy constructor Tensor(...) --------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "shape"),
    [(([1, 2],), (2,)), (([True],), (1,)), ((np.array([1, 2]),), (2,)), (([[1.5]],), (1, 1)),
     ((2, 3), (2, 3)), ((npgrad.Size([2, 3]),), (2, 3)), ((), (0,)), ((0,), (0,))],
)  # fmt: skip
def test_the_legacy_constructor_gives_the_default_float_dtype(args, shape):
    t = npgrad.Tensor(*args)
    assert t.dtype == npgrad.get_default_dtype() and tuple(t.shape) == shape
    assert not t.requires_grad


def test_the_legacy_constructor_with_a_tensor_dtype_or_bad_arguments():
    a = npgrad.tensor([1, 2])
    assert npgrad.Tensor(a).dtype == npgrad.int64 and npgrad.Tensor(a).tolist() == [1, 2]
    assert npgrad.Tensor([1, 2], dtype=npgrad.int64).dtype == npgrad.int64
    assert npgrad.Tensor([1.0, 2.0], requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="Tensor: expected data"):
        npgrad.Tensor(2, "a")
    with pytest.raises(ValueError, match="negative dimension"):
        npgrad.Tensor(-1)


@pytest.mark.torch
def test_the_legacy_constructor_matches_torch():
    torch = pytest.importorskip("torch")
    for args in ([1, 2],), ([True, False],), (np.array([1, 2]),), (2, 3), ():
        ours, theirs = npgrad.Tensor(*args), torch.Tensor(*args)
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        assert tuple(ours.shape) == tuple(theirs.shape)
