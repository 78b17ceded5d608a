"""Tensor and autograd semantics checked against PyTorch 2.13: regression tests for the
mismatches a differential audit found (``.grad`` of non-leaves, hooks that change the
gradient, ``np.array(t)``, ``__index__``, ``detach_`` of views, ``deepcopy``, the ``new_*``
methods, ``materialize_grads``, the layout of a first ``.grad``...). Each behaviour is asserted
directly; the ``torch``-marked twins run the same scenario on PyTorch and compare."""

from __future__ import annotations

import copy
import importlib
import pickle
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck


def _outcome(fn: Callable[[Any], Any], lib: Any) -> tuple[Any, ...]:
    """What ``fn(lib)`` does: ("ok", value) or ("err", exception type name), with the
    categories of the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = fn(lib)
            out: tuple[Any, ...] = ("ok", _plain(value))
        except Exception as e:  # the type is what is compared
            out = ("err", type(e).__name__)
    return out, sorted({w.category.__name__ for w in caught if w.category is UserWarning})


def _plain(value: Any) -> Any:
    if hasattr(value, "detach") and hasattr(value, "dtype"):
        arr = np.asarray(value.detach().numpy())
        return (str(arr.dtype), arr.shape, arr.tolist())
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    return value


# ---- .grad of a non-leaf -----------------------------------------------------------------------
def test_grad_of_a_non_leaf_warns_and_is_none():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    with pytest.warns(UserWarning, match="not a leaf Tensor is being accessed"):
        assert y.grad is None
    y.sum().backward()
    with pytest.warns(UserWarning, match=r"retain_grad\(\)"):
        assert y.grad is None


def test_grad_of_leaves_retained_and_set_non_leaves_does_not_warn():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y, z = x * 2.0, x * 3.0
    y.retain_grad()
    z.grad = npgrad.ones(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None and y.grad is None and z.grad.tolist() == [1.0, 1.0]
        assert npgrad.ones(2).grad is None  # a leaf that does not require grad
        (y * y).sum().backward()
        assert y.grad.tolist() == [4.0, 8.0] and x.grad.tolist() == [8.0, 16.0]


def test_backward_with_a_non_leaf_input_fills_its_grad_without_warning():
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (y * y).sum().backward(inputs=[y])
        (y * y).sum().backward(inputs=[y])  # a second time: accumulates
        assert y.grad.tolist() == [8.0, 16.0, 24.0]
    assert x.grad is None


def test_del_grad_sets_it_to_none():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    (x * 2.0).sum().backward()
    del x.grad
    assert x.grad is None
    (x * 3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


# ---- .data ---------------------------------------------------------------------------------------
def test_data_of_a_tensor_requiring_grad_refuses_a_non_float_value():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="data: data set to a tensor that requires grad.*int64"):
        x.data = npgrad.tensor([4, 5])
    assert x.dtype == npgrad.float32 and x.tolist() == [1.0, 2.0]
    x.data = npgrad.tensor([4.0, 5.0, 6.0], dtype=npgrad.float64)  # another size/dtype: allowed
    assert x.tolist() == [4.0, 5.0, 6.0] and x.dtype == npgrad.float64 and x.requires_grad
    y = npgrad.tensor([1.0, 2.0])
    y.data = npgrad.tensor([True, False])  # no grad: any dtype
    assert y.dtype == npgrad.bool


# ---- scalars and NumPy -------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_index_of_a_one_element_integer_tensor(shape):
    i = npgrad.tensor(1).reshape(shape)
    assert [10, 20, 30][i] == 20 and "abc"[npgrad.tensor(True).reshape(shape)] == "b"


@pytest.mark.parametrize(
    "t", [npgrad.tensor(1.0), npgrad.tensor([1, 2]), npgrad.tensor([], dtype=npgrad.int64)]
)
def test_index_refuses_floats_and_several_elements(t):
    with pytest.raises(TypeError, match=r"__index__: only integer tensors of a single element"):
        [10, 20, 30][t]


def test_np_array_copies_and_np_asarray_shares():
    t = npgrad.tensor([1.0, 2.0])
    a = np.array(t)
    a[0] = 9.0
    assert t.tolist() == [1.0, 2.0]
    b = np.array(t, dtype=np.float32)
    assert not np.shares_memory(b, t.numpy())
    c = np.asarray(t)
    c[1] = 7.0
    assert t.tolist() == [1.0, 7.0] and np.shares_memory(c, t.numpy())
    assert np.asarray(t, dtype=np.float64).dtype == np.float64


@pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.0.0", reason="copy= is NumPy 2's")
def test_np_asarray_copy_false_refuses_a_dtype_change():
    t = npgrad.tensor([1.0, 2.0])
    assert np.shares_memory(np.asarray(t, copy=False), t.numpy())
    with pytest.raises(ValueError, match=r"__array__: can't convert a float32 tensor to float64"):
        np.asarray(t, dtype=np.float64, copy=False)


# ---- detach_ -----------------------------------------------------------------------------------
@pytest.mark.parametrize("requires_grad", [False, True])
def test_detach__of_a_view_raises_whatever_the_base(requires_grad):
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=requires_grad)
    v = x[:2]
    with pytest.raises(RuntimeError, match=r"detach_: can't detach views in-place.*\(2,\).*\(3,\)"):
        v.detach_()
    assert v.detach().tolist() == [1.0, 2.0]  # detach() is the way
    y = npgrad.ones(3).clone()
    assert y.detach_() is y  # not a view: fine


# ---- hooks -------------------------------------------------------------------------------------
@pytest.mark.parametrize("leaf", [True, False])
def test_a_hook_returning_a_non_tensor_raises_type_error(leaf):
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    t = x if leaf else x * 2.0

    def bad(g):
        return 3

    t.register_hook(bad)
    with pytest.raises(TypeError, match="register_hook: expected a Tensor or None, but hook 'bad'"):
        (t * 2.0).sum().backward()


@pytest.mark.parametrize("leaf", [True, False])
def test_a_hook_changing_the_shape_raises_naming_the_hook(leaf):
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t = x if leaf else x * 2.0
    t.register_hook(lambda g: g[:2])
    with pytest.raises(
        RuntimeError, match=r"hook '<lambda>' has changed the size of value.*\(3,\)"
    ):
        (t * 2.0).sum().backward()


@pytest.mark.parametrize("leaf", [True, False])
def test_a_hook_changing_the_dtype_raises(leaf):
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    t = x if leaf else x * 2.0
    t.register_hook(lambda g: g.double())
    with pytest.raises(RuntimeError, match="hook '<lambda>' has changed the type of value"):
        (t * 2.0).sum().backward()
    assert x.grad is None


def test_a_hook_replacing_the_gradient_still_works_and_is_differentiable():
    x = npgrad.tensor([1.0, 2.0], dtype=npgrad.float64, requires_grad=True)

    def f(a, scale=1.0):
        y = a * a
        y.register_hook(lambda g: g * scale)  # a new Tensor of the same shape and dtype
        return (y * a).sum()

    (g,) = npgrad.autograd.grad(f(x, 3.0), x, create_graph=True)
    assert g.tolist() == [1.0 + 6.0, 4.0 + 24.0]  # d(y*a)/da = y + 3 * 2a * a
    assert gradcheck(f, (x,)) and gradgradcheck(f, (x,))


# ---- autograd.grad -----------------------------------------------------------------------------
def test_materialize_grads_refuses_allow_unused_false():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    w = npgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="grad: expected allow_unused to be True or not passed"):
        npgrad.autograd.grad((x * 2.0).sum(), [x, w], allow_unused=False, materialize_grads=True)
    gx, gw = npgrad.autograd.grad((x * 2.0).sum(), [x, w], materialize_grads=True)
    assert gx.tolist() == [2.0, 2.0] and gw.tolist() == [0.0, 0.0]
    gx, gw = npgrad.autograd.grad(
        (x * 2.0).sum(), [x, w], allow_unused=True, materialize_grads=True
    )
    assert gw.tolist() == [0.0, 0.0]


def test_an_input_that_does_not_require_grad_is_named_with_the_op():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    c = npgrad.ones(3)
    with pytest.raises(
        RuntimeError, match=r"grad: input 1 \(shape \(3,\)\).*does not require grad"
    ):
        npgrad.autograd.grad((x * 2.0).sum(), [x, c])
    with pytest.raises(RuntimeError, match=r"backward: input 0 \(shape \(3,\)\)"):
        (x * 2.0).sum().backward(inputs=[c])


# ---- the first .grad follows the leaf's layout -------------------------------------------------
def test_first_grad_has_the_leaf_layout_not_the_gradients():
    x = npgrad.zeros(2, 3, dtype=npgrad.float64, requires_grad=True)
    (x.t() * 2.0).sum().backward()  # the gradient arrives transposed
    assert x.grad.is_contiguous() and x.grad.tolist() == [[2.0] * 3] * 2
    g = x.grad
    (x.t() * 3.0).sum().backward()  # accumulated in place
    assert x.grad is g and g.tolist() == [[5.0] * 3] * 2
    xt = npgrad.zeros(3, 2).t().requires_grad_()  # a leaf laid out column-major
    (xt * 2.0).sum().backward()
    assert xt.grad.stride() == xt.stride()


# ---- deepcopy ----------------------------------------------------------------------------------
def test_deepcopy_keeps_grad_and_refuses_non_leaves():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    (x * 2.0).sum().backward()
    y = copy.deepcopy(x)
    assert y.tolist() == [1.0, 2.0] and y.requires_grad and y.is_leaf
    assert y.grad.tolist() == [2.0, 2.0] and y.grad is not x.grad
    assert not np.shares_memory(y.numpy(), x.numpy())
    a, b = copy.deepcopy((x, x))
    assert a is b
    with pytest.raises(
        RuntimeError, match=r"deepcopy: only tensors created explicitly.*MulBackward"
    ):
        copy.deepcopy(x * 2.0)
    with npgrad.no_grad():
        assert copy.deepcopy(x * 2.0).tolist() == [2.0, 4.0]


class _Tagged(npgrad.Tensor):
    """A Tensor subclass with instance attributes (it has a ``__dict__``)."""


def test_deepcopy_and_pickle_keep_a_subclass_and_its_attributes():
    t = _Tagged([1.0, 2.0])
    t.tag = {"name": "w"}
    for c in (copy.deepcopy(t), pickle.loads(pickle.dumps(t))):
        assert type(c) is _Tagged and c.tag == {"name": "w"} and c.tolist() == [1.0, 2.0]
    assert copy.deepcopy(t).tag is not t.tag


# ---- new_* -------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["new_zeros", "new_ones", "new_empty"])
def test_new_methods_take_device_and_need_a_size(method):
    t = npgrad.ones(2, dtype=npgrad.float64)
    r = getattr(t, method)((2, 3), device="cpu")
    assert r.shape == (2, 3) and r.dtype == npgrad.float64 and not r.requires_grad
    r = getattr(t, method)(2, dtype=npgrad.float32, device=npgrad.device("cpu"), requires_grad=True)
    assert r.dtype == npgrad.float32 and r.requires_grad and r.is_leaf
    assert getattr(t, method)(size=(1, 2), layout=npgrad.strided).shape == (1, 2)
    with pytest.raises(
        TypeError, match=f'{method}\\(\\) missing 1 required positional arguments: "size"'
    ):
        getattr(t, method)()
    with pytest.raises(RuntimeError, match=method):
        getattr(t, method)(2, device="cuda")
    with pytest.raises(RuntimeError, match=f"{method}: pin_memory=True"):
        getattr(t, method)(2, pin_memory=True)
    with pytest.raises(TypeError, match=f"{method}: layout must be npgrad.strided"):
        getattr(t, method)(2, layout="sparse")


def test_new_full_new_tensor_and_new_empty_strided_take_device():
    t = npgrad.ones(2, dtype=npgrad.int32)
    assert t.new_full((2,), 3, device="cpu").tolist() == [3, 3]
    assert t.new_tensor([1, 2], device="cpu").dtype == npgrad.int32
    assert t.new_empty_strided((2, 2), (1, 2), device="cpu").stride() == (1, 2)
    with pytest.raises(RuntimeError, match="new_full"):
        t.new_full((2,), 3, device="cuda")


def test_new_tensor_of_a_tensor_warns_and_copies():
    t = npgrad.ones(2, dtype=npgrad.float64)
    s = npgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match=r"sourceTensor.detach\(\).clone\(\)"):
        r = t.new_tensor(s)
    assert r.dtype == npgrad.float64 and not r.requires_grad and r.is_leaf
    r[0] = 9.0
    assert s.tolist() == [1.0, 2.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.new_tensor([1, 2])  # data that is no tensor: no warning


# ---- anomaly mode ------------------------------------------------------------------------------
def test_detect_anomaly_warns_when_enabled_and_names_the_nan_op():
    x = npgrad.tensor([0.0, 1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        ctx = npgrad.autograd.detect_anomaly()
    with ctx, np.errstate(invalid="ignore", divide="ignore"):  # NumPy's own warnings
        y = (x.sqrt() * 0.0).sum()
        with pytest.raises(RuntimeError, match="'SqrtBackward' returned nan values"):
            y.backward()
    assert not npgrad.autograd.is_anomaly_enabled()


# ---- PyTorch parity ----------------------------------------------------------------------------
def _leaf(L: Any, rg: bool = True) -> Any:
    return L.tensor([1.0, 2.0, 3.0], requires_grad=rg)


def _nonleaf_grad(L: Any) -> Any:
    return (_leaf(L) * 2).grad


def _del_grad(L: Any) -> Any:
    x = _leaf(L)
    (x * 2).sum().backward()
    del x.grad
    return x.grad


def _data_int(L: Any) -> Any:
    x = _leaf(L)
    x.data = L.tensor([4, 5, 6])
    return x


def _index_1d(L: Any) -> Any:
    return [10, 20, 30][L.tensor([2])]


def _np_array_copy(L: Any) -> Any:
    t = L.tensor([1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch's __array__ has no copy=
        np.array(t)[0] = 9.0
    return t


def _detach__view(L: Any) -> Any:
    return L.ones(3)[:2].detach_()


def _hook_nontensor(L: Any) -> Any:
    x = _leaf(L)
    x.register_hook(lambda g: 3)
    (x * 2).sum().backward()


def _hook_dtype_leaf(L: Any) -> Any:
    x = _leaf(L)
    x.register_hook(lambda g: g.double())
    (x * 2).sum().backward()


def _hook_shape_nonleaf(L: Any) -> Any:
    y = _leaf(L) * 2
    y.register_hook(lambda g: g[:2])
    (y * 2).sum().backward()


def _materialize_allow_false(L: Any) -> Any:
    x, w = _leaf(L), _leaf(L)
    return L.autograd.grad((x * 2).sum(), [x, w], allow_unused=False, materialize_grads=True)


def _first_grad_layout(L: Any) -> Any:
    x = L.zeros(2, 3, requires_grad=True)
    (x.t() * 2).sum().backward()
    return x.grad.is_contiguous(), x.grad


def _inputs_nonleaf(L: Any) -> Any:
    y = _leaf(L) * 2
    (y * y).sum().backward(inputs=[y])
    return y.grad


def _deepcopy_nonleaf(L: Any) -> Any:
    return copy.deepcopy(_leaf(L) * 2)


def _deepcopy_grad(L: Any) -> Any:
    x = _leaf(L)
    (x * x).sum().backward()
    y = copy.deepcopy(x)
    return y, y.grad, y.requires_grad


def _new_ones_device(L: Any) -> Any:
    return L.ones(2, dtype=L.float64).new_ones((2, 2), device="cpu")


def _new_zeros_no_size(L: Any) -> Any:
    return L.ones(2).new_zeros()


def _new_tensor_of_tensor(L: Any) -> Any:
    return L.ones(2, dtype=L.float64).new_tensor(L.tensor([1, 2]))


def _anomaly_warns(L: Any) -> Any:
    with L.autograd.detect_anomaly():
        x = _leaf(L)
        (x * x).sum().backward()
    return x.grad


_PARITY = [
    _nonleaf_grad,
    _del_grad,
    _data_int,
    _index_1d,
    _np_array_copy,
    _detach__view,
    _hook_nontensor,
    _hook_dtype_leaf,
    _hook_shape_nonleaf,
    _materialize_allow_false,
    _first_grad_layout,
    _inputs_nonleaf,
    _deepcopy_nonleaf,
    _deepcopy_grad,
    _new_ones_device,
    _new_zeros_no_size,
    _new_tensor_of_tensor,
    _anomaly_warns,
]


@pytest.mark.torch
@pytest.mark.parametrize("scenario", _PARITY, ids=lambda f: f.__name__.strip("_"))
def test_tensor_and_autograd_semantics_match_torch(scenario):
    torch = pytest.importorskip("torch")
    assert _outcome(scenario, npgrad) == _outcome(scenario, torch)


def _backward_number_list(L: Any) -> Any:
    x = _leaf(L)
    (x * 2).backward([1.0, 1.0, 1.0])


def _grad_outputs_number(L: Any) -> Any:
    x = _leaf(L)
    return L.autograd.grad((x * 2).sum(), x, grad_outputs=[2.0])


def test_numbers_as_gradients_raise_type_error():
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(TypeError, match="backward: gradients can be either Tensors or None.*float"):
        (x * 2.0).backward([1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match="grad: gradients can be either Tensors or None.*int"):
        npgrad.autograd.grad((x * 2.0).sum(), x, grad_outputs=[2])
    (x * 2.0).backward(npgrad.ones(3))  # a tensor, as it should be
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


@pytest.mark.torch
@pytest.mark.parametrize("scenario", [_backward_number_list, _grad_outputs_number])
def test_numbers_as_gradients_match_torch(scenario):
    torch = pytest.importorskip("torch")
    assert _outcome(scenario, npgrad) == _outcome(scenario, torch) == (("err", "TypeError"), [])


def test_float_of_a_tensor_requiring_grad_warns_once_like_torch(monkeypatch):
    monkeypatch.setitem(importlib.import_module("npgrad.tensor")._warned_once, "float", False)
    x = npgrad.tensor(2.5, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not under no_grad, nor for int(), bool(), item()
        with npgrad.no_grad():
            assert float(x) == 2.5
        assert int(x) == 2 and bool(x) and x.item() == 2.5 and f"{x:.1f}" == "2.5"
        assert float(x.detach()) == 2.5
    with pytest.warns(UserWarning, match="Converting a tensor with requires_grad=True to a scalar"):
        assert float(x) == 2.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(x * 2.0) == 5.0  # once per process, as PyTorch's TORCH_WARN_ONCE


@pytest.mark.torch
def test_float_warning_matches_torch_once_per_process():
    pytest.importorskip("torch")
    code = (
        "import warnings, sys; warnings.simplefilter('always'); import {lib} as L\n"
        "x = L.tensor(2.0, requires_grad=True)\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    with L.no_grad(): float(x)\n"
        "    float(x); float(x * 2); int(x); x.item()\n"
        "print(sum('Converting a tensor' in str(m.message) for m in w))\n"
    )
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    counts = [
        subprocess.run(
            [sys.executable, "-c", code.format(lib=lib)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=os.path.dirname(__file__),
        ).stdout.split()[-1]
        for lib in ("npgrad", "torch")
    ]
    assert counts == ["1", "1"]


def test_batched_grad_outputs_need_the_outputs_shape_after_the_batch_dimension():
    x = npgrad.tensor([1.0, 2.0, 3.0], dtype=npgrad.float64, requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError, match=r"is_grads_batched=True.*entry 0 has shape \(3,\)"):
        npgrad.autograd.grad(y, x, npgrad.ones(3, dtype=npgrad.float64), is_grads_batched=True)
    (g,) = npgrad.autograd.grad(y, x, npgrad.eye(3, dtype=npgrad.float64), is_grads_batched=True)
    np.testing.assert_array_equal(g.numpy(), 2.0 * np.eye(3))


def _batched_bad(L: Any) -> Any:
    x = _leaf(L)
    return L.autograd.grad(x * 2, x, L.ones(3), is_grads_batched=True)


@pytest.mark.torch
def test_batched_grad_outputs_shape_error_matches_torch():
    torch = pytest.importorskip("torch")
    assert _outcome(_batched_bad, npgrad) == _outcome(_batched_bad, torch)


def test_batched_grad_of_an_empty_batch_is_an_empty_batch_of_gradients():
    # (it raised NameError before; PyTorch 2.13 raises an IndexError from inside vmap)
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = npgrad.autograd.grad(x * 2.0, x, npgrad.ones(0, 3), is_grads_batched=True)
    assert g.shape == (0, 3) and g.dtype == npgrad.float32


def test_materialized_zeros_require_grad_under_create_graph():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    w = npgrad.tensor([3.0, 4.0], requires_grad=True)
    _, gw = npgrad.autograd.grad((x * x).sum(), [x, w], materialize_grads=True)
    assert gw.tolist() == [0.0, 0.0] and not gw.requires_grad
    gx, gw = npgrad.autograd.grad((x * x).sum(), [x, w], materialize_grads=True, create_graph=True)
    assert gw.tolist() == [0.0, 0.0] and gw.requires_grad and gw.is_leaf and gx.requires_grad


@pytest.mark.parametrize("bad", [3.0, "x", None])
def test_inputs_that_are_not_tensors_raise_runtime_error(bad):
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad: all inputs have to be Tensors or GradientEdges"):
        npgrad.autograd.grad((x * x).sum(), [x, bad])
    with pytest.raises(RuntimeError, match="backward: all inputs have to be Tensors"):
        (x * x).sum().backward(inputs=[bad])


def _materialize_create_graph(L: Any) -> Any:
    x, w = _leaf(L), _leaf(L)
    r = L.autograd.grad((x * x).sum(), [x, w], materialize_grads=True, create_graph=True)
    return r[1], r[1].requires_grad, r[1].is_leaf


def _non_tensor_input(L: Any) -> Any:
    x = _leaf(L)
    return L.autograd.grad((x * x).sum(), [x, 3.0])


@pytest.mark.torch
@pytest.mark.parametrize("scenario", [_materialize_create_graph, _non_tensor_input])
def test_grad_inputs_match_torch(scenario):
    torch = pytest.importorskip("torch")
    assert _outcome(scenario, npgrad) == _outcome(scenario, torch)


def test_accumulating_into_grad_bumps_its_version():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    (x * 2.0).sum().backward()
    g = x.grad
    assert g._version == 0
    w = npgrad.tensor([1.0, 1.0], requires_grad=True)
    saved = (w * g).sum()  # saves x.grad for its backward
    (x * 3.0).sum().backward()  # accumulates into x.grad in place
    assert x.grad is g and g._version == 1 and g.tolist() == [5.0, 5.0]
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        saved.backward()


def _grad_version(L: Any) -> Any:
    x = _leaf(L)
    (x * 2).sum().backward()
    v = x.grad._version
    (x * 2).sum().backward()
    return v, x.grad._version


@pytest.mark.torch
def test_grad_version_matches_torch():
    torch = pytest.importorskip("torch")
    assert _outcome(_grad_version, npgrad) == _outcome(_grad_version, torch) == (("ok", (0, 1)), [])


def _double_backward_function(L: Any) -> Any:
    class Twice(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return (g * 2).double()  # another dtype than the input's

    x = L.ones(2, requires_grad=True)
    Twice.apply(x).sum().backward()
    return x.grad


def test_a_gradient_of_another_dtype_is_cast_to_the_leafs():
    g = _double_backward_function(npgrad)
    assert g.dtype == npgrad.float32 and g.tolist() == [2.0, 2.0]


@pytest.mark.torch
def test_a_gradient_of_another_dtype_is_cast_like_torch():
    torch = pytest.importorskip("torch")
    assert _outcome(_double_backward_function, npgrad) == _outcome(_double_backward_function, torch)
