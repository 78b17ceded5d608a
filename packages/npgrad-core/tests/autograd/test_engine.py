"""The backward engine: order, accumulation, memory, hooks, errors."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import npgrad
from npgrad.autograd import Function
from npgrad.testing import assert_close


class CountingIdentity(Function):
    calls = 0

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        CountingIdentity.calls += 1
        return grad


def test_diamond_graph_runs_each_node_once_and_sums_both_paths():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    CountingIdentity.calls = 0
    top = CountingIdentity.apply(x)
    left = top * 2.0
    right = top * 3.0
    (left + right).backward(npgrad.tensor([1.0, 1.0]))
    assert CountingIdentity.calls == 1
    assert_close(x.grad, npgrad.tensor([5.0, 5.0]))


def test_long_chain_backprops_and_is_freed_without_recursion_error():
    x = npgrad.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert_close(x.grad, npgrad.tensor([1.0]))
    node_ref = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert node_ref() is None


def test_saved_intermediate_is_released_after_backward():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2.0
    z = h * h  # saves h
    ref = weakref.ref(h)
    del h
    assert ref() is not None  # kept alive by z's node for backward
    z.backward(npgrad.ones(2))
    assert ref() is None
    assert_close(x.grad, npgrad.tensor([8.0, 16.0]))


def test_saving_an_output_makes_no_reference_cycle():
    class Square(Function):
        @staticmethod
        def forward(ctx, a):
            out = a * a
            ctx.save_for_backward(a, out)
            return out

        @staticmethod
        def backward(ctx, grad):
            a, out = ctx.saved_tensors
            return grad * 2.0 * a

    gc.disable()
    try:
        x = npgrad.tensor([3.0], requires_grad=True)
        y = Square.apply(x)
        node = weakref.ref(y.grad_fn)
        out_ref = weakref.ref(y)
        del y
        assert out_ref() is None and node() is None  # freed by refcount alone
    finally:
        gc.enable()


def test_saved_output_keeps_second_order_right():
    class Exp(Function):
        @staticmethod
        def forward(ctx, a):
            out = np.exp(a)
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad):
            (out,) = ctx.saved_tensors
            return grad * out

    x = npgrad.tensor([0.5, -1.0], dtype=npgrad.float64, requires_grad=True)
    assert npgrad.autograd.gradgradcheck(lambda t: Exp.apply(t), (x,))


def test_second_backward_without_retain_graph_raises():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.backward(npgrad.ones(2))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward(npgrad.ones(2))


def test_retain_graph_allows_second_backward_and_grads_accumulate():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.backward(npgrad.ones(2), retain_graph=True)
    y.backward(npgrad.ones(2))
    assert_close(x.grad, npgrad.tensor([4.0, 8.0]))


def test_leaf_grads_never_alias_each_other_or_the_callers_gradient():
    a = npgrad.tensor([1.0, 2.0], requires_grad=True)
    b = npgrad.tensor([3.0, 4.0], requires_grad=True)
    g = npgrad.tensor([1.0, 1.0])
    (a + b).backward(g)
    assert a.grad is not b.grad
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    assert not np.shares_memory(a.grad.numpy(), g.numpy())
    a.grad.mul_(5.0)
    assert_close(b.grad, npgrad.tensor([1.0, 1.0]))
    assert_close(g, npgrad.tensor([1.0, 1.0]))


def test_nonscalar_backward_without_gradient_raises():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2.0).backward()


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        npgrad.tensor([1.0]).backward()


def test_gradient_of_wrong_shape_raises():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="shape"):
        (x * 2.0).backward(npgrad.ones(3))


def test_backward_gradient_of_another_dtype_is_cast_to_the_outputs_dtype():
    # PyTorch casts the given gradient: a float32 leaf always gets a float32 .grad
    x = npgrad.ones(3, requires_grad=True)
    (x * 2.0).backward(npgrad.ones(3, dtype=npgrad.float64))
    assert x.grad.dtype == npgrad.float32 and x.grad.tolist() == [2.0, 2.0, 2.0]
    x.grad = None
    (x * 2.0).backward(npgrad.tensor([1, 2, 3]))
    assert x.grad.dtype == npgrad.float32 and x.grad.tolist() == [2.0, 4.0, 6.0]
    (g,) = npgrad.autograd.grad(x * 1.0, x, npgrad.ones(3, dtype=npgrad.float16))
    assert g.dtype == npgrad.float32


def test_backward_on_a_leaf_accumulates_into_itself():
    x = npgrad.tensor(2.0, requires_grad=True)
    x.backward()
    assert_close(x.grad, npgrad.tensor(1.0))


def test_leaf_hook_replaces_gradient_once_per_backward():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    seen = []

    def hook(g):
        seen.append(g.numpy().copy())
        return g * 10.0

    x.register_hook(hook)
    (x * 2.0 + x * 3.0).backward(npgrad.ones(2))
    assert len(seen) == 1  # called with the summed gradient, once
    assert_close(x.grad, npgrad.tensor([50.0, 50.0]))


def test_nonleaf_hook_and_handle_remove():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    handle = y.register_hook(lambda g: g * 0.0)
    (y * 1.0).backward(npgrad.ones(2), retain_graph=True)
    assert_close(x.grad, npgrad.zeros(2))
    handle.remove()
    x.grad = None
    (y * 1.0).backward(npgrad.ones(2))
    assert_close(x.grad, npgrad.tensor([2.0, 2.0]))


def test_retain_grad_keeps_nonleaf_grad_and_leaves_others_empty():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    z = y * 3.0
    y.retain_grad()
    z.backward(npgrad.ones(2))
    assert y.retains_grad and not z.retains_grad
    assert_close(y.grad, npgrad.tensor([3.0, 3.0]))
    assert z.grad is None


@pytest.mark.parametrize("retain_first", [True, False])
def test_retained_grad_is_the_gradient_after_every_hook_like_torch(retain_first):
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    if retain_first:
        y.retain_grad()
    y.register_hook(lambda g: g * 10.0)
    if not retain_first:
        y.retain_grad()
    y.sum().backward()
    assert y.grad.tolist() == [10.0, 10.0] and x.grad.tolist() == [20.0, 20.0]


def test_create_graph_gives_higher_order_derivatives():
    x = npgrad.tensor(2.0, dtype=npgrad.float64, requires_grad=True)
    y = x * x * x
    (g1,) = npgrad.autograd.grad(y, x, create_graph=True)
    (g2,) = npgrad.autograd.grad(g1, x, create_graph=True)
    (g3,) = npgrad.autograd.grad(g2, x)
    assert (g1.item(), g2.item(), g3.item()) == (12.0, 12.0, 6.0)


def test_grad_does_not_touch_dot_grad_and_checks_unused_inputs():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    w = npgrad.tensor([3.0, 4.0], requires_grad=True)
    y = x * 2.0
    (gx,) = npgrad.autograd.grad(y, x, npgrad.ones(2))
    assert_close(gx, npgrad.tensor([2.0, 2.0]))
    assert x.grad is None
    with pytest.raises(RuntimeError, match="not have been used"):
        npgrad.autograd.grad(x * 2.0, [x, w], npgrad.ones(2))
    gx, gw = npgrad.autograd.grad(x * 2.0, [x, w], npgrad.ones(2), allow_unused=True)
    assert gw is None
    _, gw = npgrad.autograd.grad(x * 2.0, [x, w], npgrad.ones(2), materialize_grads=True)
    assert_close(gw, npgrad.zeros(2))


def test_grad_with_respect_to_an_intermediate():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    y = h * h
    (gh,) = npgrad.autograd.grad(y, h, npgrad.ones(2))
    assert_close(gh, npgrad.tensor([6.0, 12.0]))


def test_backward_inputs_restricts_accumulation():
    x = npgrad.tensor([1.0], requires_grad=True)
    w = npgrad.tensor([2.0], requires_grad=True)
    (x * w).backward(npgrad.ones(1), inputs=[w])
    assert x.grad is None
    assert_close(w.grad, npgrad.tensor([1.0]))


def test_inplace_modification_of_a_saved_tensor_is_detected():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1.0
    z = a * a
    a.add_(1.0)
    with pytest.raises(
        RuntimeError, match=r"MulBackward.*modified by an inplace operation.*version 1"
    ):
        z.backward(npgrad.ones(2))


def test_inplace_on_leaf_requiring_grad_raises_but_works_under_no_grad():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1.0)
    with npgrad.no_grad():
        x.add_(1.0)
    assert x._version == 1
    assert_close(x.detach(), npgrad.tensor([2.0, 3.0]))


def test_inplace_op_in_graph_is_differentiable():
    x = npgrad.tensor([1.0, 2.0], dtype=npgrad.float64, requires_grad=True)
    w = npgrad.tensor([3.0, 5.0], dtype=npgrad.float64, requires_grad=True)
    y = x * 1.0
    y.mul_(w)  # Mul saves a snapshot of y's old values, as PyTorch saves a clone
    assert y.grad_fn.name() == "MulBackward" and y._version == 1
    y.backward(npgrad.ones(2, dtype=npgrad.float64))
    assert_close(x.grad, npgrad.tensor([3.0, 5.0], dtype=npgrad.float64))
    assert_close(w.grad, npgrad.tensor([1.0, 2.0], dtype=npgrad.float64))


def test_inplace_op_with_itself_as_argument_is_detected_like_pytorch():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    y.mul_(y)  # the argument itself is overwritten: its saved value is stale
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(npgrad.ones(2))


def test_multi_output_function_gets_zero_for_unused_output():
    class SplitHalves(Function):
        @staticmethod
        def forward(ctx, a):
            n = a.shape[0] // 2
            return a[:n].copy(), a[n:].copy()

        @staticmethod
        def backward(ctx, g1, g2):
            from npgrad.ops.shape import cat

            return cat([g1, g2])

    x = npgrad.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    first, _ = SplitHalves.apply(x)
    (first * 2.0).backward(npgrad.ones(2))
    assert_close(x.grad, npgrad.tensor([2.0, 2.0, 0.0, 0.0]))


def test_once_differentiable_refuses_second_order_with_the_op_name():
    from npgrad.autograd import once_differentiable

    class RawSquare(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return npgrad.tensor(2 * a.numpy() * grad.numpy())

    x = npgrad.tensor([3.0], requires_grad=True)
    (g,) = npgrad.autograd.grad(RawSquare.apply(x), x, npgrad.ones(1), create_graph=True)
    assert_close(g, npgrad.tensor([6.0]))
    with pytest.raises(RuntimeError, match="RawSquareBackward.*once_differentiable"):
        g.backward(npgrad.ones(1))


def test_once_differentiable_second_order_through_grad_raises_even_beside_other_paths():
    # autograd.grad runs only the nodes that lead to the inputs: the node standing for the
    # raw-NumPy backward must lead to them too, or its contribution would silently vanish
    from npgrad.autograd import once_differentiable

    class RawSquare(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return npgrad.tensor(2 * a.numpy() * grad.numpy())

    x = npgrad.tensor([3.0], requires_grad=True)
    for y in (RawSquare.apply(x), RawSquare.apply(x) + x * x, RawSquare.apply(x * 1.0) * x):
        (g,) = npgrad.autograd.grad(y.sum(), x, create_graph=True)
        with pytest.raises(RuntimeError, match="RawSquareBackward.*once_differentiable"):
            npgrad.autograd.grad(g.sum(), x, allow_unused=True)


def test_integer_output_of_function_does_not_require_grad():
    class Floor(Function):
        @staticmethod
        def forward(ctx, a):
            return np.floor(a).astype(np.int64)

        @staticmethod
        def backward(ctx, grad):  # pragma: no cover - never called
            raise AssertionError

    out = Floor.apply(npgrad.tensor([1.5], requires_grad=True))
    assert not out.requires_grad and out.grad_fn is None


def test_custom_function_returning_wrong_gradient_shape_is_reported():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a):
            return a.copy()

        @staticmethod
        def backward(ctx, grad):
            return npgrad.ones(3)

    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="wrong shape"):
        Bad.apply(x).backward(npgrad.ones(2))


def test_post_accumulate_grad_hook_sees_the_accumulated_grad():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (x * 3.0).backward(npgrad.ones(2))
    (x * 3.0).backward(npgrad.ones(2))
    assert seen == [[3.0, 3.0], [6.0, 6.0]]
    handle.remove()
    (x * 3.0).backward(npgrad.ones(2))
    assert len(seen) == 2
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2.0).register_post_accumulate_grad_hook(lambda t: None)


def test_detect_anomaly_names_the_op_and_where_it_was_created():
    class NanGrad(Function):
        @staticmethod
        def forward(ctx, a):
            return a.copy()

        @staticmethod
        def backward(ctx, grad):
            return grad * float("nan")

    x = npgrad.tensor([1.0], requires_grad=True)
    with npgrad.autograd.detect_anomaly():
        y = NanGrad.apply(x) * 2.0
        with pytest.raises(RuntimeError, match="NanGradBackward' returned nan") as info:
            y.backward(npgrad.ones(1))
    assert "test_engine.py" in str(info.value)  # the forward call's stack
    assert not npgrad.autograd.is_anomaly_enabled()
    y = NanGrad.apply(x)
    y.backward(npgrad.ones(1))  # without anomaly mode the NaN passes silently, as in torch
    assert np.isnan(x.grad.numpy()).all()


def test_mark_dirty_makes_the_input_the_output():
    class AddOneInplace(Function):
        @staticmethod
        def forward(ctx, a):
            a += 1.0
            ctx.mark_dirty(a)
            return a

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2.0
    out = AddOneInplace.apply(h)
    assert out is h and h._version == 1 and h.grad_fn.name() == "AddOneInplaceBackward"
    out.backward(npgrad.ones(2))
    assert_close(x.grad, npgrad.tensor([2.0, 2.0]))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        AddOneInplace.apply(x)
    plain = npgrad.tensor([1.0])
    assert AddOneInplace.apply(plain) is plain and plain._version == 1


def test_zero_dim_float32_stays_float32_even_under_numpy_1_value_casting():
    # NumPy 1.x widens np.maximum(float32 0-d, 0.0) to float64; ops must not
    x = npgrad.tensor(0.5, requires_grad=True)
    for y in (x.relu(), x * 2.0, x.sigmoid(), x.exp(), (x - 1.0).abs(), x.clamp(0.0, 1.0)):
        assert y.dtype == npgrad.float32, y
    y = x.sigmoid()
    (g,) = npgrad.autograd.grad(y, x, create_graph=True)
    assert g.dtype == npgrad.float32 and g.requires_grad


def test_a_fresh_gradient_array_is_kept_without_copying():
    produced = []

    class Double(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            out = grad * 2.0
            produced.append(out.numpy().ctypes.data)  # the address only: no reference kept
            return out

    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    Double.apply(x).backward(npgrad.ones(2))
    assert x.grad.numpy().ctypes.data == produced[0]


def test_retain_grad_stores_the_gradient_after_the_tensors_hooks():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2.0
    h.retain_grad()
    h.register_hook(lambda g: g * 10.0)  # registered later, still runs first (PyTorch)
    h.sum().backward()
    assert h.grad.tolist() == [10.0, 10.0] and x.grad.tolist() == [20.0, 20.0]


# ---- first-order gradients flow as arrays; _array_backward ---------------------------------
class Square(Function):
    """x², with a backward written only with operators: valid on arrays and on Tensors."""

    _array_backward = True
    seen: list[type] = []

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        Square.seen.append(type(grad))
        Square.seen.append(type(a))
        return grad * a * 2.0


def test_an_array_backward_runs_on_arrays_at_first_order_and_on_tensors_for_second():
    x = npgrad.tensor([1.0, -3.0], dtype=npgrad.float64, requires_grad=True)
    Square.seen.clear()
    Square.apply(x).sum().backward()
    assert Square.seen == [np.ndarray, np.ndarray]
    assert_close(x.grad, np.array([2.0, -6.0]))
    Square.seen.clear()
    (g,) = npgrad.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    assert Square.seen == [npgrad.Tensor, npgrad.Tensor]
    assert g.requires_grad
    (gg,) = npgrad.autograd.grad(g.sum(), x)
    assert_close(gg, np.array([2.0, 2.0]))


def test_array_mode_keeps_version_checks_and_the_second_backward_error():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0  # a non-leaf input that Square saves
    z = Square.apply(y)
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="SquareBackward.*modified by an inplace"):
        z.sum().backward()
    w = Square.apply(x * 1.0).sum()
    w.backward()
    with pytest.raises(RuntimeError, match="second time"):
        w.backward()


def test_array_mode_hooks_and_captures_see_tensors():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    seen = []
    y.register_hook(lambda g: seen.append(type(g)) or g * 10.0)
    y.retain_grad()
    (gx,) = npgrad.autograd.grad(Square.apply(y).sum(), x, retain_graph=True)
    assert seen == [npgrad.Tensor] and isinstance(gx, npgrad.Tensor)
    assert gx.tolist() == [80.0, 160.0]  # d(y²)/dy = 2y = [4, 8], times 10, times dy/dx = 2
    assert y.grad.tolist() == [40.0, 80.0]  # retain_grad stores after the user's hook (as torch)
    Square.apply(y).sum().backward()
    assert isinstance(y.grad, npgrad.Tensor) and isinstance(x.grad, npgrad.Tensor)
    assert y.grad.tolist() == [80.0, 160.0] and x.grad.tolist() == [80.0, 160.0]


def test_array_mode_zero_dim_gradients_stay_arrays_of_the_right_dtype():
    x = npgrad.tensor(1.5, requires_grad=True)  # 0-d: NumPy operators give scalars here
    (x * 2.0 + 1.0 - x / 4.0).backward()
    assert isinstance(x.grad.numpy(), np.ndarray) and x.grad.dtype == npgrad.float32
    assert x.grad.item() == pytest.approx(1.75)
    y = npgrad.tensor(2.0, requires_grad=True)
    (Square.apply(y) + Square.apply(y)).backward()  # two 0-d gradients summed in a buffer
    assert x.grad.shape == () and y.grad.item() == pytest.approx(8.0)


def test_a_root_gradient_passed_straight_to_a_leaf_is_copied_not_adopted():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    g = npgrad.tensor([5.0, 6.0])
    (x + 1.0).backward(g)
    assert x.grad.numpy() is not g.numpy() and not np.shares_memory(x.grad.numpy(), g.numpy())
    g.zero_()
    assert x.grad.tolist() == [5.0, 6.0]


def test_one_gradient_array_sent_to_two_leaves_is_not_shared():
    a = npgrad.tensor([1.0, 2.0], requires_grad=True)
    b = npgrad.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # Add's backward gives the same array to both inputs
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.add_(1.0)
    assert b.grad.tolist() == [1.0, 1.0]


def test_a_chain_run_straight_through_still_meets_the_other_path_of_a_leaf():
    # x feeds Add directly and through a chain of three nodes: the chain's last gradient
    # reaches x after the direct one is already buffered, and the two are summed
    x = npgrad.tensor([1.0, 2.0], dtype=npgrad.float64, requires_grad=True)
    chain = ((x * 2.0).exp() * 3.0).sum()
    (chain + (x * x).sum()).backward()
    expected = 6.0 * np.exp(2.0 * np.array([1.0, 2.0])) + 2.0 * np.array([1.0, 2.0])
    assert_close(x.grad, expected)


# ---- regressions from differential testing against PyTorch ----------------------------------
def test_retained_grad_follows_the_tensor_through_in_place_ops():
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y.retain_grad()
    y.mul_(2)  # .grad is now the gradient of the new value, as in PyTorch
    (y * y).sum().backward()
    assert y.grad.tolist() == [4.0, 8.0, 12.0]
    y = x * 2
    y.retain_grad()
    y[0] = 5.0
    (y * y).sum().backward()
    assert y.grad.tolist() == [10.0, 8.0, 12.0]


def test_backward_with_a_non_leaf_input_fills_its_grad():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    (y * 3).sum().backward(inputs=[y])
    assert y.grad.tolist() == [3.0, 3.0] and x.grad is None
    (y * 3).sum().backward(inputs=[y, x])  # accumulates, like a leaf's
    assert y.grad.tolist() == [6.0, 6.0] and x.grad.tolist() == [6.0, 12.0]


def test_grad_assignment_is_checked():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError, match="gradient of shape \\(3,\\) to a tensor of shape \\(2,\\)"
    ):
        x.grad = npgrad.zeros(3)
    with pytest.raises(RuntimeError, match="dtype float64 to a tensor of dtype float32"):
        x.grad = npgrad.zeros(2, dtype=npgrad.float64)
    with pytest.raises(TypeError, match="Tensor or None"):
        x.grad = np.zeros(2)
    x.grad = npgrad.ones(2)
    assert x.grad.tolist() == [1.0, 1.0]
    x.grad = None
    assert x.grad is None


def test_retained_grad_follows_writes_through_a_view():
    leaf = npgrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    for write in (
        lambda x: x[0].mul_(3),
        lambda x: x.t()[:, 0].mul_(3),
        lambda x: x.view(6)[:3].mul_(3),
    ):
        x = leaf * 1
        x.retain_grad()
        write(x)  # x's first row is now tripled: x.grad is 2 * x's current value
        (x * x).sum().backward()
        assert x.grad.tolist() == [[6.0, 12.0, 18.0], [8.0, 10.0, 12.0]]
        leaf.grad = None


def test_a_quotient_may_be_modified_in_place():
    a = npgrad.tensor([1.0, 2.0], requires_grad=True)
    b = npgrad.tensor([3.0, 4.0], requires_grad=True)
    y = a / b
    y.add_(1)  # Div saves its inputs, as PyTorch does, not its output
    y.sum().backward()
    assert_close(a.grad, np.array([1 / 3, 1 / 4], np.float32))
    assert_close(b.grad, np.array([-1 / 9, -2 / 16], np.float32))
    y = a / b
    with npgrad.no_grad():
        b.add_(1)  # the divisor is saved: changing it is caught, as in PyTorch
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_hessian_strict_refuses_an_output_independent_of_the_input():
    from npgrad.autograd.functional import hessian

    with pytest.raises(RuntimeError, match="independent of input 0"):
        hessian(lambda a: a.sum(), npgrad.ones(3), strict=True)
    h = hessian(lambda a: (a**3).sum(), npgrad.ones(2), strict=True)
    assert h.tolist() == [[6.0, 0.0], [0.0, 6.0]]


# ---- the order of the walk: highest sequence number first --------------------------------
def test_nodes_are_numbered_in_recording_order():
    x = npgrad.tensor([1.0], requires_grad=True)
    a = x * 2.0
    b = a.exp()
    c = a + b
    numbers = [t.grad_fn._sequence_nr() for t in (a, b, c)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


def test_a_node_that_feeds_a_later_sibling_waits_for_its_gradient():
    # c = top + top * 3: c's node sends first to ``top`` (recorded first) and then to the
    # product, which sends to ``top`` again; ``top`` must run once, with both gradients
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    CountingIdentity.calls = 0
    top = CountingIdentity.apply(x)
    c = top + top * 3.0
    c.backward(npgrad.tensor([1.0, 1.0]))
    assert CountingIdentity.calls == 1
    assert_close(x.grad, npgrad.tensor([4.0, 4.0]))


def test_two_edges_from_one_node_to_the_same_node_are_summed_before_it_runs():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    CountingIdentity.calls = 0
    y = CountingIdentity.apply(x)
    (y * y).sum().backward()
    assert CountingIdentity.calls == 1
    assert_close(x.grad, 2 * x.detach())


def test_several_roots_where_one_depends_on_the_other():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    CountingIdentity.calls = 0
    a = CountingIdentity.apply(x * 1.0)
    b = a * a
    npgrad.autograd.backward([b.sum(), a.sum()])  # a is both a root and an input of b
    assert CountingIdentity.calls == 1
    assert_close(x.grad, 2 * x.detach() + 1)


def test_nodes_recorded_before_the_graph_was_extended_still_run_in_order():
    # ``mid`` is recorded after ``late_input``'s node, but sends to an older node: the order
    # depends only on which node was recorded after which
    x = npgrad.tensor([3.0], requires_grad=True)
    CountingIdentity.calls = 0
    base = CountingIdentity.apply(x)
    late_input = base * 2.0
    mid = base.exp()
    out = late_input * mid
    out.backward()
    assert CountingIdentity.calls == 1
    e3 = float(np.exp(3.0))
    assert_close(x.grad, npgrad.tensor([2 * e3 + 2 * 3.0 * e3]))


def test_grad_skips_nodes_that_lead_to_no_input():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    w = npgrad.tensor([3.0, 4.0], requires_grad=True)
    CountingIdentity.calls = 0
    h = x * 2.0
    out = (h * CountingIdentity.apply(w)).sum()
    (g,) = npgrad.autograd.grad(out, h)
    assert CountingIdentity.calls == 0  # w's branch leads to nothing asked for
    assert_close(g, npgrad.tensor([3.0, 4.0]))
