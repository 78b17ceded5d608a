"""``autograd.Function`` in PyTorch 2's style: ``forward(*args)`` without ``ctx`` and a
``setup_context(ctx, inputs, output)`` staticmethod; the ctx tools inside it, double backward,
``once_differentiable``, multiple outputs, non-tensor and default arguments, the ``jvp`` /
``vmap`` / ``generate_vmap_rule`` members, npgrad's function transforms, and PyTorch parity."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import npgrad
import npgrad.autograd.forward_ad as fwAD
from npgrad.autograd import Function, gradcheck, gradgradcheck, once_differentiable
from npgrad.func import grad as func_grad
from npgrad.func import jacrev, jvp, vmap

f64 = npgrad.float64


# ---- the Functions under test ----------------------------------------------------------------
class ScaledCube(Function):
    """``k * x**3``, k a plain float with a default; saves the input and the output."""

    @staticmethod
    def forward(x, k=2.0):
        return k * x**3

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, k = inputs
        ctx.k = k
        ctx.save_for_backward(x, output)

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        # 3 k x^2 written with the saved output too (out / x = k x^2), to exercise both
        return grad * 3 * ctx.k * x * x, None


class MulAdd(Function):
    """``(a * b + c, a - b)``: two inputs that may need grad, a constant, two outputs."""

    @staticmethod
    def forward(a, b, c):
        return a * b + c, a - b

    @staticmethod
    def setup_context(ctx, inputs, output):
        a, b, c = inputs
        ctx.save_for_backward(a, b)
        ctx.needs = ctx.needs_input_grad

    @staticmethod
    def backward(ctx, g_prod, g_diff):
        a, b = ctx.saved_tensors
        ga = g_prod * b + g_diff if ctx.needs_input_grad[0] else None
        gb = g_prod * a - g_diff if ctx.needs_input_grad[1] else None
        return ga, gb, None


class SortedWithIndex(Function):
    """Values and an integer index output marked non-differentiable; no materialized grads."""

    seen: list = []

    @staticmethod
    def forward(x):
        idx = np.argsort(x, kind="stable")
        return x[idx] * 1.0, idx, x.sum(keepdims=False)

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, idx, _ = output
        ctx.mark_non_differentiable(idx)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(idx)
        ctx.shape = inputs[0].shape

    @staticmethod
    def backward(ctx, g_vals, g_idx, g_sum):
        SortedWithIndex.seen.append((g_vals is None, g_idx is None, g_sum is None))
        (idx,) = ctx.saved_tensors
        out = npgrad.zeros(ctx.shape, dtype=(g_vals if g_vals is not None else g_sum).dtype)
        if g_vals is not None:
            out = out.index_add(0, idx, g_vals)
        if g_sum is not None:
            out = out + g_sum
        return out


class Double_(Function):
    """Doubles its input in place (mark_dirty inside setup_context)."""

    @staticmethod
    def forward(x):
        x *= 2
        return x

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.mark_dirty(inputs[0])

    @staticmethod
    def backward(ctx, grad):
        return grad * 2


class NumpyExp(Function):
    """A raw-NumPy backward: first order only."""

    @staticmethod
    def forward(x):
        return np.exp(x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return npgrad.tensor(grad.numpy() * out.numpy())


def _x(values, dtype=f64):
    return npgrad.tensor(values, dtype=dtype, requires_grad=True)


# ---- forward and backward --------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [npgrad.float32, npgrad.float64])
def test_forward_matches_numpy_and_keeps_dtype(dtype):
    v = np.array([0.5, -1.5, 2.0])
    x = _x(v, dtype)
    y = ScaledCube.apply(x, 3.0)
    np.testing.assert_allclose(y.numpy(), 3.0 * v**3, rtol=1e-6)
    assert y.dtype == dtype and y.shape == (3,)
    assert y.grad_fn.name() == "ScaledCubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 9.0 * v**2, rtol=1e-6)
    assert x.grad.dtype == dtype


def test_default_and_keyword_arguments_are_bound_as_pytorch_does():
    x = _x([1.0, 2.0])
    np.testing.assert_allclose(ScaledCube.apply(x).numpy(), [2.0, 16.0])  # k=2.0 by default
    np.testing.assert_allclose(ScaledCube.apply(x, k=0.5).numpy(), [0.5, 4.0])
    # inputs hold the defaults, so needs_input_grad has one entry per parameter
    assert ScaledCube.apply(x).grad_fn.needs_input_grad == (True, False)


def test_gradcheck_and_gradgradcheck():
    x = _x([0.3, -1.2, 2.0])
    assert gradcheck(lambda t: ScaledCube.apply(t, 1.5), (x,))
    assert gradgradcheck(lambda t: ScaledCube.apply(t, 1.5), (x,))
    a, b = _x([0.5, 1.0]), _x([-2.0, 0.25])
    c = npgrad.tensor([1.0, 1.0], dtype=f64)
    assert gradcheck(lambda p, q: MulAdd.apply(p, q, c), (a, b))
    assert gradgradcheck(lambda p, q: MulAdd.apply(p, q, c), (a, b))


def test_double_backward_values():
    x = _x([2.0])
    (g,) = npgrad.autograd.grad(ScaledCube.apply(x, 1.0), x, create_graph=True)
    assert g.tolist() == [12.0] and g.grad_fn is not None
    (gg,) = npgrad.autograd.grad(g, x)
    assert gg.tolist() == [12.0]  # d(3x^2)/dx = 6x


def test_saved_tensors_are_the_input_tensor_and_the_output():
    x = _x([1.0, 3.0])
    y = ScaledCube.apply(x)
    saved_x, saved_out = y.grad_fn.saved_tensors
    assert saved_x is x
    assert saved_out.grad_fn is y.grad_fn and np.shares_memory(saved_out.numpy(), y.numpy())


def test_saving_the_output_makes_no_reference_cycle():
    x = _x([1.0, 2.0])
    gc.disable()
    try:
        y = ScaledCube.apply(x)
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        gc.enable()


def test_needs_input_grad_and_non_tensor_inputs():
    a, b = _x([1.0, 2.0]), npgrad.tensor([3.0, 4.0], dtype=f64)
    s, d = MulAdd.apply(a, b, 1.0)
    assert s.grad_fn.needs == (True, False, False)
    np.testing.assert_allclose(s.numpy(), [4.0, 9.0])
    np.testing.assert_allclose(d.numpy(), [-2.0, -2.0])
    (s.sum() + 2 * d.sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), [5.0, 6.0])  # b + 2


def test_setup_context_runs_when_nothing_is_recorded():
    # as in PyTorch: still called, needs_input_grad says which inputs require grad
    a, b = _x([1.0]), npgrad.tensor([2.0], dtype=f64)
    with npgrad.no_grad():
        s, _ = MulAdd.apply(a, b, 0.0)
    assert not s.requires_grad and s.grad_fn is None
    s, _ = MulAdd.apply(b, b, 0.0)
    assert not s.requires_grad
    assert s.tolist() == [4.0]


def test_multiple_outputs_non_differentiable_and_unmaterialized_grads():
    SortedWithIndex.seen.clear()
    x = _x([3.0, 1.0, 2.0])
    vals, idx, total = SortedWithIndex.apply(x)
    assert vals.requires_grad and total.requires_grad
    assert not idx.requires_grad and idx.dtype == npgrad.int64
    assert idx.tolist() == [1, 2, 0] and vals.tolist() == [1.0, 2.0, 3.0]
    weights = npgrad.tensor([1.0, 10.0, 100.0], dtype=f64)
    (g,) = npgrad.autograd.grad((vals * weights).sum(), x, retain_graph=True)
    assert g.tolist() == [100.0, 1.0, 10.0]
    assert SortedWithIndex.seen[-1] == (False, True, True)  # None, not zeros
    (g,) = npgrad.autograd.grad(total, x)
    assert g.tolist() == [1.0, 1.0, 1.0]
    assert SortedWithIndex.seen[-1] == (True, True, False)


def test_mark_dirty_in_setup_context():
    leaf = _x([1.0, -2.0])
    h = leaf * 1
    out = Double_.apply(h)
    assert out is h and h._version == 1
    assert h.grad_fn.name() == "Double_Backward" and h.tolist() == [2.0, -4.0]
    h.sum().backward()
    assert leaf.grad.tolist() == [2.0, 2.0]


def test_mark_dirty_without_recording_returns_the_input():
    # regression: a dirty input of several elements was tested for truth (and raised)
    t = npgrad.tensor([1.0, 2.0, 3.0])
    assert Double_.apply(t) is t and t._version == 1 and t.tolist() == [2.0, 4.0, 6.0]
    leaf = _x([1.0, 2.0])
    with npgrad.no_grad():
        h = leaf * 1
        assert Double_.apply(h) is h and not h.requires_grad and h.tolist() == [2.0, 4.0]


def test_mark_dirty_on_a_leaf_that_requires_grad_is_refused():
    leaf = _x([1.0])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        Double_.apply(leaf)


def test_once_differentiable_first_order_and_refused_second_order():
    x = _x([0.0, 1.0])
    NumpyExp.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]))
    (g,) = npgrad.autograd.grad(NumpyExp.apply(x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="NumpyExpBackward.*once_differentiable"):
        npgrad.autograd.grad(g.sum(), x)


def test_subclass_of_a_setup_context_function_keeps_the_style():
    class Quarter(ScaledCube):
        @staticmethod
        def forward(x, k=0.25):
            return k * x**3

    x = _x([2.0])
    y = Quarter.apply(x)
    assert y.tolist() == [2.0] and y.grad_fn.name() == "QuarterBackward"
    y.backward()
    assert x.grad.tolist() == [3.0]


# ---- bad definitions and calls ---------------------------------------------------------------
def test_forward_taking_ctx_with_setup_context_is_a_type_error():
    class Both(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    with pytest.raises(TypeError, match="Both: forward takes ctx.*overrides setup_context"):
        Both.apply(_x([1.0]))
    with pytest.raises(TypeError, match="forward takes ctx"):  # every time, also without grad
        Both.apply(npgrad.ones(1))


def test_forward_without_ctx_and_without_setup_context_is_a_type_error():
    class NoSetup(Function):
        @staticmethod
        def forward(x):
            return x * 2

    with pytest.raises(TypeError, match="positional argument"):
        NoSetup.apply(_x([1.0]))


def test_wrong_arguments_are_a_type_error_naming_the_function():
    with pytest.raises(TypeError, match="ScaledCube.apply: .*unexpected keyword argument 'j'"):
        ScaledCube.apply(_x([1.0]), j=1.0)
    with pytest.raises(TypeError, match="ScaledCube.apply: .*missing a required argument"):
        ScaledCube.apply()

    class KeywordOnly(Function):
        @staticmethod
        def forward(x, *, k=1.0):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

    with pytest.raises(TypeError, match=r"keyword-only parameters \['k'\]"):
        KeywordOnly.apply(_x([1.0]), k=2.0)


def test_backward_returning_too_many_gradients_is_refused():
    class ExtraNone(ScaledCube):
        @staticmethod
        def backward(ctx, grad):
            return grad, None, None  # extra Nones are allowed, as in PyTorch

    class TooMany(ScaledCube):
        @staticmethod
        def backward(ctx, grad):
            return grad, None, grad

    x = _x([1.0])
    ExtraNone.apply(x).backward()
    assert x.grad.tolist() == [1.0]
    with pytest.raises(RuntimeError, match=r"TooManyBackward returned an incorrect number of gra"):
        TooMany.apply(x).backward()
    with pytest.raises(RuntimeError, match=r"incorrect number of gradients \(expected 2, got 3"):
        npgrad.autograd.grad(TooMany.apply(x), x, create_graph=True)


def test_base_members_raise_as_pytorch_does():
    assert Function.generate_vmap_rule is False
    with pytest.raises(NotImplementedError, match="setup_context is not implemented"):
        Function.setup_context(None, (), None)
    with pytest.raises(NotImplementedError, match="must implement the jvp function"):
        Function.jvp(None)
    with pytest.raises(NotImplementedError, match="override the vmap staticmethod"):
        Function.vmap(None, None)


def test_old_style_functions_are_unchanged():
    class Old(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * grad * x

    assert Old.apply.__func__ is Function.apply.__func__  # the hot path is untouched
    x = _x([3.0])
    Old.apply(x).backward()
    assert x.grad.tolist() == [6.0]


# ---- npgrad's function transforms and forward AD ---------------------------------------------
class VmapCube(ScaledCube):
    generate_vmap_rule = True


def test_func_transforms_accept_setup_context_functions():
    v = np.array([0.5, -1.0, 2.0])
    x = npgrad.tensor(v, dtype=f64)
    g = func_grad(lambda t: ScaledCube.apply(t, 2.0).sum())(x)
    np.testing.assert_allclose(g.numpy(), 6.0 * v**2)
    gg = func_grad(lambda t: func_grad(lambda u: ScaledCube.apply(u, 2.0).sum())(t).sum())(x)
    np.testing.assert_allclose(gg.numpy(), 12.0 * v)
    batch = npgrad.tensor(np.arange(6.0).reshape(3, 2), dtype=f64)
    out = vmap(lambda t: VmapCube.apply(t, 1.0))(batch)
    np.testing.assert_allclose(out.numpy(), np.arange(6.0).reshape(3, 2) ** 3)
    out = vmap(lambda t: ScaledCube.apply(t, 1.0))(batch)  # a loop: no rule needed
    np.testing.assert_allclose(out.numpy(), np.arange(6.0).reshape(3, 2) ** 3)
    _, tangent = jvp(lambda t: ScaledCube.apply(t, 2.0), (x,), (npgrad.ones_like(x),))
    np.testing.assert_allclose(tangent.numpy(), 6.0 * v**2)
    jac = jacrev(lambda t: MulAdd.apply(t, t, 0.0)[0])(x)
    np.testing.assert_allclose(jac.numpy(), np.diag(2 * v))


def test_forward_ad_through_a_setup_context_function():
    with fwAD.dual_level():
        d = fwAD.make_dual(
            npgrad.tensor([1.0, 2.0], dtype=f64), npgrad.tensor([1.0, 0.5], dtype=f64)
        )
        tangent = fwAD.unpack_dual(ScaledCube.apply(d, 1.0)).tangent
    np.testing.assert_allclose(tangent.numpy(), [3.0, 6.0])


def test_forward_ad_through_once_differentiable_is_refused():
    with fwAD.dual_level():
        d = fwAD.make_dual(npgrad.tensor([1.0], dtype=f64), npgrad.tensor([1.0], dtype=f64))
        out = NumpyExp.apply(d)
        with pytest.raises(RuntimeError, match="NumpyExpBackward"):
            fwAD.unpack_dual(out)


class NumpySquare(Function):
    """A raw-NumPy backward with a ``jvp``: forward mode through it uses the jvp."""

    @staticmethod
    def forward(x):
        return x**2

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])
        ctx.save_for_forward(inputs[0])

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return npgrad.tensor(grad.numpy() * 2 * x.numpy())

    @staticmethod
    def jvp(ctx, tangent):
        (x,) = ctx.saved_tensors  # what save_for_forward saved
        return 2 * x * tangent


class NumpyProdDiff(Function):
    """``(a * b, a - b)``, old style, raw-NumPy backward, a jvp and only save_for_forward
    for it; a constant third argument."""

    @staticmethod
    def forward(ctx, a, b, scale):
        ctx.save_for_backward(a, b)
        ctx.save_for_forward(a, b)
        ctx.scale = scale
        return a * b * scale, a - b

    @staticmethod
    @once_differentiable
    def backward(ctx, g_prod, g_diff):
        a, b = (t.numpy() for t in ctx.saved_tensors)
        gp, gd = g_prod.numpy() * ctx.scale, g_diff.numpy()
        return npgrad.tensor(gp * b + gd), npgrad.tensor(gp * a - gd), None

    @staticmethod
    def jvp(ctx, ta, tb, _):
        a, b = ctx.saved_tensors
        return (ta * b + a * tb) * ctx.scale, ta - tb


def _tangent(fn, primal, tangent):
    with fwAD.dual_level():
        d = fwAD.make_dual(npgrad.tensor(primal, dtype=f64), npgrad.tensor(tangent, dtype=f64))
        return fwAD.unpack_dual(fn(d)).tangent.numpy()


def test_forward_ad_through_once_differentiable_uses_jvp():
    v, t = np.array([0.5, -1.0, 3.0]), np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(_tangent(NumpySquare.apply, v, t), 2 * v * t)
    composite = _tangent(lambda d: NumpySquare.apply(d.sin()).exp(), v, t)
    s = np.sin(v)
    np.testing.assert_allclose(composite, np.exp(s**2) * 2 * s * np.cos(v) * t)
    # two outputs, two tensor inputs, a constant: the tangent of a * b * 3 + (a - b)^2
    w = np.array([2.0, 0.5, -1.0])

    def f(d):
        prod, diff = NumpyProdDiff.apply(d, d * d, 3.0)
        return prod + diff**2

    expected = (3 * 3 * v**2 + 2 * (v - v**2) * (1 - 2 * v)) * w
    np.testing.assert_allclose(_tangent(f, v, w), expected)


def test_func_jvp_and_linearize_use_a_functions_jvp_too():
    import npgrad.func

    v, t = np.array([0.5, -1.0, 3.0]), np.array([1.0, 2.0, -1.0])
    out, tangent = npgrad.func.jvp(NumpySquare.apply, (npgrad.tensor(v),), (npgrad.tensor(t),))
    np.testing.assert_allclose(out.numpy(), v**2)
    np.testing.assert_allclose(tangent.numpy(), 2 * v * t)
    _, jvp_fn = npgrad.func.linearize(NumpySquare.apply, npgrad.tensor(v))
    np.testing.assert_allclose(jvp_fn(npgrad.tensor(t)).numpy(), 2 * v * t)


def test_jvp_does_not_make_second_order_through_once_differentiable_work():
    x = _x([1.0, 2.0])
    (g,) = npgrad.autograd.grad(NumpySquare.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="NumpySquareBackward: trying to differentiate twice"):
        npgrad.autograd.grad(g.sum(), x)


def test_jvp_through_a_freed_graph_raises_the_usual_error():
    with fwAD.dual_level():
        d = fwAD.make_dual(npgrad.tensor([1.0], dtype=f64), npgrad.tensor([1.0], dtype=f64))
        out = NumpySquare.apply(d)
        out.sum().backward()  # frees the saved values
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            fwAD.unpack_dual(out)


# ---- PyTorch parity --------------------------------------------------------------------------
def _torch_functions(torch):
    class TScaledCube(torch.autograd.Function):
        @staticmethod
        def forward(x, k=2.0):
            return k * x**3

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.k = k
            ctx.save_for_backward(x, output)

        @staticmethod
        def backward(ctx, grad):
            x, out = ctx.saved_tensors
            return grad * 3 * ctx.k * x * x, None

        generate_vmap_rule = True

    class TMulAdd(torch.autograd.Function):
        @staticmethod
        def forward(a, b, c):
            return a * b + c, a - b

        @staticmethod
        def setup_context(ctx, inputs, output):
            a, b, c = inputs
            ctx.save_for_backward(a, b)
            ctx.needs = ctx.needs_input_grad

        @staticmethod
        def backward(ctx, g_prod, g_diff):
            a, b = ctx.saved_tensors
            ga = g_prod * b + g_diff if ctx.needs_input_grad[0] else None
            gb = g_prod * a - g_diff if ctx.needs_input_grad[1] else None
            return ga, gb, None

    class TDouble_(torch.autograd.Function):
        @staticmethod
        def forward(x):
            x.mul_(2)
            return x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.mark_dirty(inputs[0])

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    return TScaledCube, TMulAdd, TDouble_


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_parity_with_torch(dtype):
    torch = pytest.importorskip("torch")
    TScaledCube, TMulAdd, TDouble_ = _torch_functions(torch)
    v, w = np.array([0.5, -1.5, 2.0], dtype), np.array([1.0, 0.25, -3.0], dtype)

    x, tx = npgrad.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    y, ty = ScaledCube.apply(x, 1.5), TScaledCube.apply(tx, 1.5)
    assert str(y.dtype) == str(ty.dtype).removeprefix("torch.")
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-6)
    assert y.grad_fn.needs_input_grad == ty.grad_fn.needs_input_grad
    (g,) = npgrad.autograd.grad(y.sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad(ty.sum(), tx, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), tg.detach().numpy(), rtol=1e-6)
    (gg,) = npgrad.autograd.grad(g.sum(), x)
    (tgg,) = torch.autograd.grad(tg.sum(), tx)
    np.testing.assert_allclose(gg.numpy(), tgg.numpy(), rtol=1e-6)
    assert str(gg.dtype) == str(tgg.dtype).removeprefix("torch.")

    a, b = npgrad.tensor(v, requires_grad=True), npgrad.tensor(w)
    ta, tb = torch.tensor(v, requires_grad=True), torch.tensor(w)
    s, d = MulAdd.apply(a, b, 1.0)
    ts, td = TMulAdd.apply(ta, tb, 1.0)
    assert s.grad_fn.needs == ts.grad_fn.needs
    assert (s.requires_grad, d.requires_grad) == (ts.requires_grad, td.requires_grad)
    (s.sum() * 2 + (d * d).sum()).backward()
    (ts.sum() * 2 + (td * td).sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-6)

    h, th = npgrad.tensor(v, requires_grad=True) * 1, torch.tensor(v, requires_grad=True) * 1
    assert (Double_.apply(h) is h) and (TDouble_.apply(th) is th)
    np.testing.assert_allclose(h.detach().numpy(), th.detach().numpy())

    batch = np.arange(6.0, dtype=dtype).reshape(3, 2)
    out = vmap(lambda t: VmapCube.apply(t, 1.0))(npgrad.tensor(batch))
    tout = torch.func.vmap(lambda t: TScaledCube.apply(t, 1.0))(torch.tensor(batch))
    np.testing.assert_allclose(out.numpy(), tout.numpy())
    gx = func_grad(lambda t: ScaledCube.apply(t, 2.0).sum())(npgrad.tensor(v))
    tgx = torch.func.grad(lambda t: TScaledCube.apply(t, 2.0).sum())(torch.tensor(v))
    np.testing.assert_allclose(gx.numpy(), tgx.numpy(), rtol=1e-6)


@pytest.mark.torch
def test_parity_forward_taking_ctx_with_setup_context_raises_type_error():
    torch = pytest.importorskip("torch")

    class TBoth(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

    with pytest.raises(TypeError):
        TBoth.apply(torch.ones(1, requires_grad=True))


@pytest.mark.torch
def test_parity_forward_ad_with_a_jvp_staticmethod():
    torch = pytest.importorskip("torch")
    import torch.autograd.forward_ad as tfwAD

    class TNumpySquare(torch.autograd.Function):
        @staticmethod
        def forward(x):
            return x**2

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])
            ctx.save_for_forward(inputs[0])

        @staticmethod
        @torch.autograd.function.once_differentiable
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x

        @staticmethod
        def jvp(ctx, tangent):
            (x,) = ctx.saved_tensors
            return 2 * x * tangent

    v, t = np.array([0.5, -1.0, 3.0]), np.array([1.0, 2.0, -1.0])
    with tfwAD.dual_level():
        d = tfwAD.make_dual(torch.tensor(v), torch.tensor(t))
        expected = tfwAD.unpack_dual(TNumpySquare.apply(d.sin()).exp()).tangent.numpy()
    got = _tangent(lambda d: NumpySquare.apply(d.sin()).exp(), v, t)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
