"""Views and in-place ops: one version counter per memory, and the graph follows writes made
through a view (PyTorch's semantics: CopySlices on the base, views regenerated from it)."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck


def _leaf(values, dtype=npgrad.float64):
    return npgrad.tensor(values, dtype=dtype, requires_grad=True)


# ---- version counters ---------------------------------------------------------------------
def test_a_view_and_its_base_share_one_version_counter():
    y = npgrad.ones(3) * 2.0
    v = y.view(3)
    w = y[1:]
    y.mul_(2.0)
    assert (y._version, v._version, w._version) == (1, 1, 1)
    w.add_(1.0)
    assert (y._version, v._version, w._version) == (2, 2, 2)
    assert y.tolist() == [4.0, 5.0, 5.0] and v.tolist() == y.tolist()


def test_a_copy_does_not_share_the_version_counter():
    y = npgrad.ones(3, 4)
    c = y[[0, 2]]  # advanced indexing copies
    r = y.t().reshape(12)  # a reshape that has to copy
    y.add_(1.0)
    assert c._version == 0 and r._version == 0


def test_detach_shares_the_version_counter_and_data_does_not():
    x = _leaf([1.0, 2.0, 3.0])
    y = x.sin()  # saves x
    x.detach().mul_(2.0)
    assert x._version == 1
    with pytest.raises(RuntimeError, match="SinBackward: one of the variables needed"):
        y.sum().backward()
    x2 = _leaf([1.0, 2.0])
    y2 = x2.sin()
    x2.data.mul_(2.0)  # .data is the deliberate escape hatch: no version bump
    assert x2._version == 0
    y2.sum().backward()


def test_modifying_a_saved_tensor_through_a_view_or_its_base_is_detected():
    x = _leaf([1.0, 2.0, 3.0])
    y = x * 1.0
    z = y[:2].sin()  # saves the view
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
    x = _leaf([1.0, 2.0, 3.0])
    y = x.exp()  # saves its output
    y[1:].add_(1.0)
    with pytest.raises(RuntimeError, match="ExpBackward: an output needed"):
        y.sum().backward()


# ---- in-place ops on views ----------------------------------------------------------------
def test_inplace_op_on_a_view_reaches_the_base_gradient():
    x = _leaf([1.0, 2.0, 3.0])
    y = x * 1.0
    y[1:].mul_(10.0)
    assert y.tolist() == [1.0, 20.0, 30.0] and y.grad_fn.name() == "CopySlicesBackward"
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 10.0, 10.0]


def test_inplace_op_on_a_transposed_view():
    x = _leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1.0
    y.t().mul_(npgrad.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=npgrad.float64))
    assert y.tolist() == [[1.0, 6.0], [6.0, 16.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[1.0, 3.0], [2.0, 4.0]]


def test_the_value_written_into_a_view_gets_its_gradient():
    w = _leaf([1.0, 2.0, 3.0])
    x = npgrad.zeros(2, 3, dtype=npgrad.float64)
    x[0].copy_(w * 2.0)  # x did not require grad: now it does, through the view
    assert x.requires_grad and not x.is_leaf
    (x * npgrad.tensor([[1.0], [5.0]], dtype=npgrad.float64)).sum().backward()
    assert w.grad.tolist() == [2.0, 2.0, 2.0]


def test_setitem_on_a_view_reaches_the_base():
    w = _leaf([1.0, 2.0])
    y = npgrad.zeros(3, 4, dtype=npgrad.float64)
    row = y[1]
    row[1:3] = w * w
    (y * y).sum().backward()
    assert w.grad.tolist() == [4.0, 32.0]  # d/dw of (w^2)^2 = 4 w^3


def test_split_and_unbind_outputs_share_memory_but_refuse_inplace_in_the_graph():
    # PyTorch: "Output 1 of Split is a view and is being modified inplace. This view is the
    # output of a function that returns multiple views..."
    y = npgrad.ones(4)
    a, b = y.split(2)
    b.mul_(3.0)
    assert y.tolist() == [1.0, 1.0, 3.0, 3.0] and y._version == a._version == 1
    x = _leaf([1.0, 2.0, 3.0, 4.0])
    for views in ((x * 1.0).split(2), (x * 1.0).unbind(0), (x * 1.0).chunk(2)):
        with pytest.raises(RuntimeError, match="returns multiple views"):
            views[1].mul_(3.0)


def test_a_view_of_a_view_writes_through_to_the_root():
    x = _leaf(np.arange(12.0).reshape(3, 4))
    y = x * 1.0
    v = y[1:][:, ::2].unsqueeze(0)
    v.mul_(2.0)
    expected = np.ones((3, 4))
    expected[1:, ::2] = 2.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_a_view_made_before_its_base_changed_backpropagates_through_the_change():
    x = _leaf([1.0, 2.0, 3.0])
    y = x * 2.0
    v = y[:2]
    y.mul_(2.0)
    assert v.tolist() == [4.0, 8.0]
    v.sum().backward()
    assert x.grad.tolist() == [4.0, 4.0, 0.0]
    x = _leaf([1.0, 2.0, 3.0])
    y = x * 1.0
    v = y[1:]
    y.zero_()
    v.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_a_write_through_a_view_makes_no_reference_cycle():
    gc.disable()
    try:
        x = _leaf([1.0, 2.0, 3.0])
        y = x * 1.0
        v = y[1:]
        v.mul_(2.0)
        w = y[:2]
        y.add_(1.0)
        z = (w * 3.0).sum()  # w's node is rebuilt from y's current one here
        nodes = [weakref.ref(t.grad_fn) for t in (y, v, w, z)]
        refs = [weakref.ref(t) for t in (y, v, w, z)]
        del y, v, w, z
        assert all(r() is None for r in refs + nodes)  # freed by refcount alone
    finally:
        gc.enable()


def test_inplace_on_a_view_of_a_leaf_that_requires_grad_raises():
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0].mul_(2.0)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x.view(2).zero_()
    with npgrad.no_grad():
        x[0].mul_(2.0)
    assert x.tolist() == [2.0, 2.0] and x._version == 1


def test_detach_inplace_of_a_view_in_the_graph_raises():
    y = _leaf([1.0, 2.0]) * 1.0
    with pytest.raises(RuntimeError, match="detach_: can't detach views in-place"):
        y[0].detach_()


def test_inplace_on_views_is_differentiable_to_second_order():
    def f(x):
        y = x * 1.0
        y[1:].mul_(x[:2])
        y[0].add_(y[2].clone() * x[1])  # a clone: y[2] itself is modified (y is) below
        return y * y

    x = _leaf([0.5, -1.5, 2.0])
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def test_inplace_through_a_view_under_no_grad_changes_values_only():
    x = _leaf([1.0, 2.0, 3.0])
    y = x * 1.0
    with npgrad.no_grad():
        y[0].mul_(5.0)
    assert y.grad_fn.name() == "MulBackward" and y.tolist() == [5.0, 2.0, 3.0]
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


def test_a_custom_function_marking_a_view_dirty_rebases_the_base():
    class TimesTwo(npgrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            a *= 2.0
            ctx.mark_dirty(a)
            return a

        @staticmethod
        def backward(ctx, grad):
            return grad * 2.0

    x = _leaf([1.0, 2.0, 3.0])
    y = x * 1.0
    out = TimesTwo.apply(y[1:])
    assert out.tolist() == [4.0, 6.0] and y.tolist() == [1.0, 4.0, 6.0]
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 2.0]


def test_a_view_made_under_no_grad_joins_the_graph_when_written_with_grad_on():
    # PyTorch refuses this write; npgrad gives the right gradient instead
    x = _leaf([1.0, 2.0, 3.0])
    y = x * 1.0
    with npgrad.no_grad():
        v = y[1:]
    assert not v.requires_grad
    v.mul_(3.0)
    assert v.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 3.0, 3.0]


def test_a_view_made_before_its_base_joined_the_graph_follows_it():
    w = _leaf([2.0, 3.0])
    x = npgrad.zeros(2, 2, dtype=npgrad.float64)
    first, second = x[0], x[1]
    first.copy_(w)
    assert second.requires_grad and second.grad_fn is not None
    (second + first * 2.0).sum().backward()
    assert w.grad.tolist() == [2.0, 2.0]
