"""``autograd.graph.allow_mutation_on_saved_tensors``, inference tensors
(``Tensor.is_inference()``) and the public import paths of the backward-pass modules, with
PyTorch parity."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck
from npgrad.autograd.grad_mode import is_inference
from npgrad.autograd.graph import allow_mutation_on_saved_tensors, saved_tensors_hooks
from npgrad.tensor import Tensor

f64 = npgrad.float64
V = [0.5, -1.0, 2.0]


# ---- allow_mutation_on_saved_tensors ---------------------------------------------------------
def test_mutating_a_saved_input_uses_the_old_values():
    w = npgrad.tensor(V, dtype=f64, requires_grad=True)
    with allow_mutation_on_saved_tensors() as ctx:
        a = w.clone()
        b = a.sin()  # saves a
        a.mul_(2)
        assert type(ctx).__name__ == "_AllowMutationOnSavedContext"
        b.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.cos(V))
    assert a.tolist() == [1.0, -2.0, 4.0]


def test_mutating_a_saved_output_uses_the_old_values():
    w = npgrad.tensor(V, dtype=f64, requires_grad=True)
    with allow_mutation_on_saved_tensors():
        e = w.exp()  # saves its output
        e.mul_(2)
        e.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * np.exp(V))


def test_repeated_mutations_keep_the_first_values_and_retain_graph_works():
    w = npgrad.tensor(V, dtype=f64, requires_grad=True)
    with allow_mutation_on_saved_tensors():
        a = w.clone()
        b = a * a
        a.add_(1)
        a.add_(1)
        a.zero_()
        b.sum().backward(retain_graph=True)
        b.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 4 * np.array(V))


def test_a_leaf_written_under_no_grad_and_a_view_written_in_place():
    w = npgrad.tensor(V, dtype=f64, requires_grad=True)
    with allow_mutation_on_saved_tensors():
        b = w * w
        with npgrad.no_grad():
            w.mul_(10)
        b.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * np.array(V))

    # written through a view: the saved base is copied, and the write joins the graph
    w = npgrad.tensor(V, dtype=f64, requires_grad=True)
    with allow_mutation_on_saved_tensors():
        a = w.clone()
        b = a.sin()
        a[1:].mul_(2)
        (a * b).sum().backward()
    v = np.array(V)
    scale = np.array([1.0, 2.0, 2.0])  # a_new = scale * a_old; out = sum(a_new * sin(a_old))
    np.testing.assert_allclose(w.grad.numpy(), scale * np.sin(v) + scale * v * np.cos(v))


def test_saved_tensors_are_the_tensors_themselves_until_written():
    # second order needs the saved tensor's own graph: it is kept as long as it is unwritten
    w = npgrad.tensor(V, dtype=f64, requires_grad=True)
    with allow_mutation_on_saved_tensors():
        assert gradcheck(lambda t: (t.sin() * t).sum(), (w,))
        (g,) = npgrad.autograd.grad((w**3).sum(), w, create_graph=True)
        (gg,) = npgrad.autograd.grad(g.sum(), w)
    np.testing.assert_allclose(gg.numpy(), 6 * np.array(V))


def test_backward_after_the_block_is_an_assertion_error():
    w = npgrad.tensor(V, requires_grad=True)
    with allow_mutation_on_saved_tensors():
        b = w.sin()
    with pytest.raises(AssertionError, match="outside of the 'allow_mutation_on_saved_tensors'"):
        b.sum().backward()


def test_blocks_do_not_nest_and_restore_in_place_ops_on_exit():
    plain = Tensor._check_inplace
    with allow_mutation_on_saved_tensors():
        assert Tensor._check_inplace is not plain
        with (
            pytest.raises(RuntimeError, match="cannot be nested"),
            allow_mutation_on_saved_tensors(),
        ):
            pass
    assert Tensor._check_inplace is plain
    with pytest.raises(ValueError, match="boom"), allow_mutation_on_saved_tensors():
        raise ValueError("boom")
    assert Tensor._check_inplace is plain
    # and outside, a write to a saved tensor is the usual error again
    w = npgrad.tensor(V, requires_grad=True)
    a = w.clone()
    b = a.sin()
    a.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.sum().backward()


def test_a_write_that_bypasses_in_place_ops_is_still_detected():
    w = npgrad.tensor(V, requires_grad=True)
    with allow_mutation_on_saved_tensors():
        a = w.clone()
        b = a.sin()
        a._data[0] = 7.0  # behind autograd's back, then told
        a._version += 1
        with pytest.raises(RuntimeError, match="modified without an in-place op"):
            b.sum().backward()


def test_inner_saved_tensors_hooks_take_over():
    packed = []
    w = npgrad.tensor(V, dtype=f64, requires_grad=True)
    with allow_mutation_on_saved_tensors():
        with saved_tensors_hooks(lambda t: packed.append(t) or len(packed) - 1, packed.__getitem__):
            b = (w * w).sum()
        b.backward()
    assert len(packed) == 2
    np.testing.assert_allclose(w.grad.numpy(), 2 * np.array(V))


def test_blocks_are_per_thread():
    seen = []

    def other():
        seen.append(Tensor._check_inplace is not plain)
        w = npgrad.tensor(V, requires_grad=True)
        a = w.clone()
        b = a.sin()
        a.mul_(2)  # not in this thread's block: the usual error
        try:
            b.sum().backward()
        except RuntimeError as e:
            seen.append(str(e))

    plain = Tensor._check_inplace
    with allow_mutation_on_saved_tensors():
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen[0] is True and "modified by an inplace operation" in seen[1]


@pytest.mark.torch
def test_allow_mutation_parity_with_torch():
    torch = pytest.importorskip("torch")

    def run(lib, ctx_manager, w):
        with ctx_manager():
            a = w.clone()
            b = a.sin() * a.exp()
            a.mul_(3)
            e = a.tanh()
            e.add_(1)
            (b.sum() + e.sum()).backward()
        return w.grad

    w = npgrad.tensor(V, dtype=f64, requires_grad=True)
    tw = torch.tensor(V, dtype=torch.float64, requires_grad=True)
    g = run(npgrad, allow_mutation_on_saved_tensors, w)
    tg = run(torch, torch.autograd.graph.allow_mutation_on_saved_tensors, tw)
    np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-12)
    with torch.autograd.graph.allow_mutation_on_saved_tensors():
        tb = tw.sin()
    with pytest.raises(AssertionError):
        tb.sum().backward()


# ---- inference tensors -----------------------------------------------------------------------
def test_tensors_made_in_inference_mode_are_inference_tensors():
    w = npgrad.ones(3, requires_grad=True)
    with npgrad.inference_mode():
        a = npgrad.ones(3)
        b = a * 2
        c = npgrad.Tensor([1.0, 2.0])
        d = w * 2  # made here: an inference tensor too
        e = w[1:]  # a view of a normal tensor stays normal
        a.add_(1)  # in place is fine inside
        with npgrad.inference_mode(False):
            f = npgrad.ones(2)
    assert a.is_inference() and b.is_inference() and c.is_inference() and d.is_inference()
    assert not e.is_inference() and not f.is_inference()
    assert not d.requires_grad and a.tolist() == [2.0, 2.0, 2.0]
    with npgrad.no_grad():
        assert not npgrad.ones(1).is_inference()
    assert not npgrad.ones(1).is_inference() and not w.is_inference()
    assert is_inference(a) and not is_inference(w)


def test_views_and_aliases_of_inference_tensors():
    with npgrad.inference_mode():
        a = npgrad.arange(6.0)
    assert a.view(2, 3).is_inference() and a[1:].is_inference() and a.t().is_inference()
    assert a.detach().is_inference() and a.data.is_inference()
    assert not a.clone().is_inference() and not (a + 1).is_inference()
    assert not a.reshape(3, 2).contiguous().clone().is_inference()


def test_inference_tensors_outside_inference_mode():
    w = npgrad.tensor(V, requires_grad=True)
    with npgrad.inference_mode():
        a = npgrad.tensor(V)
    with pytest.raises(RuntimeError, match="MulBackward: inference tensors .* cannot be saved"):
        a * w
    with pytest.raises(RuntimeError, match="cannot be saved for backward"):
        w[1:] * a[1:]  # a view of an inference tensor is one too
    out = a + w  # Add saves nothing: allowed, as in PyTorch
    out.sum().backward()
    assert w.grad.tolist() == [1.0, 1.0, 1.0]
    with npgrad.no_grad():
        assert (a * w).tolist() == [0.25, 1.0, 4.0]  # nothing recorded: nothing saved
    before = a.tolist()
    for op in (
        lambda: a.add_(1),
        lambda: a.__setitem__(0, 1.0),
        lambda: a.zero_(),
        lambda: a[1:].mul_(2),
        lambda: a.copy_(npgrad.ones(3)),
    ):
        with pytest.raises(RuntimeError, match="inplace update to an inference tensor"):
            op()
    with npgrad.no_grad(), pytest.raises(RuntimeError, match="outside InferenceMode"):
        a.add_(1)
    assert a.tolist() == before  # refused before anything was written
    with pytest.raises(RuntimeError, match="requires_grad=True on an inference tensor"):
        a.requires_grad_()
    assert a.requires_grad_(False) is a
    b = a.clone().requires_grad_()  # the way out
    (b * w).sum().backward()
    assert b.grad.tolist() == V


def test_inference_tensor_may_require_grad_inside_inference_mode():
    with npgrad.inference_mode():
        a = npgrad.ones(2).requires_grad_()
        assert a.requires_grad and a.is_inference()


def test_only_the_thread_in_inference_mode_makes_inference_tensors():
    made = []
    ready, done = threading.Event(), threading.Event()

    def other():
        ready.wait()
        made.append(npgrad.ones(1))
        done.set()

    t = threading.Thread(target=other)
    t.start()
    with npgrad.inference_mode():
        mine = npgrad.ones(1)
        ready.set()
        done.wait()
    t.join()
    assert mine.is_inference() and not made[0].is_inference()


def test_constructors_are_restored_when_no_block_is_open():
    make, init = Tensor.__dict__["_make"], Tensor._init
    with npgrad.inference_mode():
        with npgrad.inference_mode():
            pass
        assert Tensor._init is not init
        assert npgrad.ones(1).is_inference()
    assert Tensor._init is init and Tensor.__dict__["_make"].__func__ is make.__func__

    @npgrad.inference_mode()
    def decorated():
        return npgrad.zeros(1)

    assert decorated().is_inference() and Tensor._init is init


def test_is_inference_needs_a_tensor():
    with pytest.raises(TypeError, match="must be Tensor, not float"):
        is_inference(1.0)


@pytest.mark.torch
def test_inference_tensors_parity_with_torch():
    torch = pytest.importorskip("torch")

    def flags(lib):
        w = lib.ones(3, requires_grad=True)
        with lib.inference_mode():
            a = lib.ones(3)
            d = w * 2
            e = w[1:]
            with lib.inference_mode(False):
                f = lib.ones(2)
        with lib.no_grad():
            g = lib.ones(2)
        views = (a.view(3), a[1:], a.detach(), a.clone(), a + 1)
        return [t.is_inference() for t in (a, d, e, f, g, *views)]

    assert flags(npgrad) == flags(torch)

    def errors(lib):
        w = lib.ones(3, requires_grad=True)
        with lib.inference_mode():
            a = lib.ones(3)
        kinds = []
        for op in (lambda: a * w, lambda: a + w, lambda: a.add_(1), lambda: a.requires_grad_()):
            try:
                op()
                kinds.append(None)
            except Exception as e:  # noqa: BLE001 - the type is what is compared
                kinds.append(type(e).__name__)
        return kinds

    assert errors(npgrad) == errors(torch) == ["RuntimeError", None, "RuntimeError", "RuntimeError"]


# ---- the backward pass's modules ---------------------------------------------------------------
def test_public_import_paths_of_the_engine():
    from npgrad.autograd import _walk, engine, graph

    assert engine.run_backward is _walk.run_backward
    assert engine.GradientEdge is graph.GradientEdge is _walk.GradientEdge
    assert engine.get_gradient_edge is graph.get_gradient_edge
    assert engine.queue_callback is graph.queue_callback is _walk.queue_callback
    assert npgrad.autograd.backward is engine.backward and npgrad.autograd.grad is engine.grad
    x = npgrad.tensor([2.0], requires_grad=True)
    assert engine.grad(x * x, x)[0].tolist() == [4.0]


def test_mark_dirty_of_an_inference_tensor_outside_inference_mode_is_refused():
    class Double_(npgrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            a *= 2
            ctx.mark_dirty(a)
            return a

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    with npgrad.inference_mode():
        a = npgrad.ones(2)
        assert Double_.apply(a) is a  # fine inside
    with pytest.raises(RuntimeError, match="Double_Backward: inplace update to an inference"):
        Double_.apply(a)
