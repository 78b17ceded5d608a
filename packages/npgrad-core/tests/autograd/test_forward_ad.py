"""autograd.forward_ad: dual levels, make_dual/unpack_dual, tangents against central differences,
``func.jvp`` and PyTorch's forward-mode AD, and the documented limits."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings

import npgrad
import npgrad.autograd.forward_ad as fwAD
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.func import jvp
from npgrad.testing import assert_close, make_tensor

f32, f64 = npgrad.float32, npgrad.float64


@pytest.fixture(autouse=True)
def _no_level_left():
    """Every test starts and ends with no dual level (a leaked level fails the next test)."""
    assert fwAD._current_level == -1
    yield
    if fwAD._current_level != -1:
        fwAD.exit_dual_level()
        pytest.fail("the test left a dual level open")


# ---- the ops: each is f(lib, *inputs), run by npgrad and by torch -----------------------------
def _inplace_intermediate(lib, x):
    y = x * 2
    y.mul_(x)  # in place on a non-leaf intermediate
    y[0] = 0.5
    y.add_(1.0)
    return y.sin()


def _unpacked_then_used(lib, x):
    y = x.exp()
    fwAD_mod = fwAD if lib is npgrad else __import__("torch").autograd.forward_ad
    fwAD_mod.unpack_dual(y)  # an intermediate unpacked before further ops changes nothing
    return y * x


CASES = {
    "exp": (lambda lib, x: x.exp(), [(3, 4)]),
    "sin_times_x": (lambda lib, x: x.sin() * x, [(5,)]),
    "tanh_sigmoid": (lambda lib, x: x.tanh() + x.sigmoid() ** 2, [(2, 3)]),
    "two_duals_div_pow": (lambda lib, x, y: x / (y * y + 1) ** 1.5, [(3,), (3,)]),
    "broadcast_add_mul": (lambda lib, x, y: (x + y) * y, [(3, 1), (1, 4)]),
    "matmul": (lambda lib, a, b: a @ b, [(3, 4), (4, 2)]),
    "batched_matmul": (lambda lib, a, b: a @ b, [(2, 3, 4), (4, 5)]),
    "sum_dim_keepdim": (lambda lib, x: x.sum(dim=1, keepdim=True) * x, [(3, 4)]),
    "var_mean": (lambda lib, x: x.var(dim=0) + x.mean(), [(4, 3)]),
    "logsumexp": (lambda lib, x: x.logsumexp(dim=-1), [(3, 5)]),
    "softmax": (lambda lib, x: x.softmax(dim=-1), [(2, 5)]),
    "log_softmax_dim0": (lambda lib, x: x.log_softmax(dim=0), [(4, 3)]),
    "amax": (lambda lib, x: x.amax(dim=1), [(3, 4)]),
    "max_dim_values": (lambda lib, x: x.max(dim=0).values * x[0], [(3, 4)]),
    "chunk": (lambda lib, x: x.chunk(2, 1)[1] - x.chunk(2, 1)[0].exp(), [(2, 4)]),
    "indexing": (lambda lib, x: x[1:, [0, 2]] * 3 + x[0, 1], [(3, 4)]),
    "cat_flip_reshape": (
        lambda lib, x, y: lib.cat([x, y], 0).flip(0).reshape(-1).cumsum(0),
        [(2, 3), (1, 3)],
    ),
    "clamp_relu": (lambda lib, x: x.clamp(-1.0, 1.0) + x.relu() * x, [(6,)]),
    "inplace_intermediate": (_inplace_intermediate, [(4,)]),
    "unpacked_then_used": (_unpacked_then_used, [(3,)]),
    "scalar_out": (lambda lib, x, y: (x * y).sum(), [(2, 3), (2, 3)]),
    "zero_dim": (lambda lib, x: x**3 - x, [()]),
}


def _inputs(shapes, dtype, seed=0):
    xs = [make_tensor(s, dtype=dtype, seed=seed + k) for k, s in enumerate(shapes)]
    ts = [make_tensor(s, dtype=dtype, seed=seed + 100 + k) for k, s in enumerate(shapes)]
    return xs, ts


def _forward_ad(f, xs, ts):
    with fwAD.dual_level():
        duals = [fwAD.make_dual(x, t) for x, t in zip(xs, ts)]
        return fwAD.unpack_dual(f(npgrad, *duals))


@pytest.mark.parametrize("name", sorted(CASES))
def test_tangent_matches_central_differences(name):
    f, shapes = CASES[name]
    xs, ts = _inputs(shapes, f64)
    primal, tangent = _forward_ad(f, xs, ts)
    eps = 1e-6
    with npgrad.no_grad():
        plus = f(npgrad, *[x + eps * t for x, t in zip(xs, ts)])
        minus = f(npgrad, *[x - eps * t for x, t in zip(xs, ts)])
        value = f(npgrad, *xs)
    assert_close(primal, value)
    assert_close(tangent, (plus - minus) / (2 * eps), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", [f32, f64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_tangent_matches_func_jvp(name, dtype):
    f, shapes = CASES[name]
    xs, ts = _inputs(shapes, dtype, seed=7)
    primal, tangent = _forward_ad(f, xs, ts)
    value, expected = jvp(lambda *a: f(npgrad, *a), tuple(xs), tuple(ts))
    assert tangent.dtype == primal.dtype == dtype
    assert not tangent.requires_grad and not primal.requires_grad
    assert_close(primal, value)
    assert_close(tangent, expected)


@settings(max_examples=20, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_broadcasting_tangent_of_two_duals(shapes):
    (sx, sy), out_shape = shapes
    x, y = make_tensor(sx, seed=1), make_tensor(sy, seed=2)
    tx, ty = make_tensor(sx, seed=3), make_tensor(sy, seed=4)
    with fwAD.dual_level():
        primal, tangent = fwAD.unpack_dual(fwAD.make_dual(x, tx) * fwAD.make_dual(y, ty).sin())
    xa, ya, txa, tya = (a.numpy() for a in (x, y, tx, ty))
    assert tangent.shape == out_shape
    assert_close(tangent, np.broadcast_to(txa * np.sin(ya) + xa * np.cos(ya) * tya, out_shape))


def test_tangents_against_closed_forms():
    x = npgrad.tensor([0.5, -1.0, 2.0], dtype=f64)
    t = npgrad.tensor([1.0, 2.0, -0.5], dtype=f64)
    a = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=f32)
    ta = npgrad.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=f32)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        assert_close(
            fwAD.unpack_dual(d.exp() * d).tangent, (np.exp(x.numpy()) * (1 + x.numpy())) * t.numpy()
        )
        s = d.softmax(dim=0)
        p = np.exp(x.numpy()) / np.exp(x.numpy()).sum()
        assert_close(fwAD.unpack_dual(s).tangent, p * (t.numpy() - (p * t.numpy()).sum()))
        da = fwAD.make_dual(a, ta)
        expected = ta.numpy() @ a.numpy() + a.numpy() @ ta.numpy()
        assert_close(fwAD.unpack_dual(da @ da).tangent, expected)  # float32 kept


def test_conv2d_tangent():
    F = pytest.importorskip("npgrad.nn.functional")
    xs, ts = _inputs([(1, 2, 5, 5), (3, 2, 3, 3)], f64, seed=3)

    def f(lib, x, w):
        return F.conv2d(x, w, padding=1, stride=2)

    primal, tangent = _forward_ad(f, xs, ts)
    eps = 1e-6
    with npgrad.no_grad():
        fd = (
            f(npgrad, *[x + eps * t for x, t in zip(xs, ts)])
            - f(npgrad, *[x - eps * t for x, t in zip(xs, ts)])
        ) / (2 * eps)
    assert tangent.shape == (1, 3, 3, 3)
    assert_close(tangent, fd, rtol=1e-6, atol=1e-7)
    assert_close(tangent, jvp(lambda *a: f(npgrad, *a), tuple(xs), tuple(ts))[1])


# ---- levels ------------------------------------------------------------------------------------
def test_levels_enter_exit_and_context_manager():
    assert fwAD.enter_dual_level() == 0
    with pytest.raises(RuntimeError, match="Nested forward mode AD is not supported"):
        fwAD.enter_dual_level()
    with pytest.raises(RuntimeError, match="not the last one that was created"):
        fwAD.exit_dual_level(level=3)
    fwAD.exit_dual_level(level=0)
    with pytest.raises(RuntimeError, match="no forward AD level exists"):
        fwAD.exit_dual_level()
    with fwAD.dual_level() as level:
        assert level == 0
        with pytest.raises(RuntimeError, match="Nested"), fwAD.dual_level():
            pass
    assert fwAD._current_level == -1


def test_level_exits_on_exception_and_discards_tangents():
    x = npgrad.tensor([1.0, 2.0])

    def fails():
        with fwAD.dual_level():
            d = fwAD.make_dual(x, npgrad.tensor([1.0, 1.0]))
            made.extend([d, d * 3])
            raise ValueError("boom")

    made: list = []
    with pytest.raises(ValueError, match="boom"):
        fails()
    d, y = made
    assert fwAD._current_level == -1
    assert fwAD.unpack_dual(y).tangent is None and fwAD.unpack_dual(d).tangent is None
    with fwAD.dual_level():  # a new level: the old duals carry nothing into it
        assert fwAD.unpack_dual(y).tangent is None
        primal, tangent = fwAD.unpack_dual(fwAD.make_dual(x, x) * y)
        assert_close(tangent, x * y.detach())
        assert not tangent.requires_grad and not primal.requires_grad


def test_dual_level_as_decorator():
    @fwAD.dual_level()
    def tangent_of_square(x, t):
        return fwAD.unpack_dual(fwAD.make_dual(x, t) ** 2).tangent

    assert_close(
        tangent_of_square(npgrad.tensor([3.0]), npgrad.tensor([2.0])), npgrad.tensor([12.0])
    )
    assert fwAD._current_level == -1


# ---- make_dual -------------------------------------------------------------------------------
def test_make_dual_outside_a_level_raises_pytorchs_error():
    x = npgrad.tensor([1.0])
    msg = "Trying to create a dual Tensor for forward AD but no level exists"
    with pytest.raises(RuntimeError, match=msg):
        fwAD.make_dual(x, x)
    with pytest.raises(RuntimeError, match="invalid index"):
        fwAD.make_dual(x, x, level=0)


def test_make_dual_checks_its_arguments_before_recording_anything():
    x = npgrad.tensor([1.0, 2.0])
    with fwAD.dual_level():
        with pytest.raises(
            RuntimeError,
            match=r"Tensor is of size \[2\] while the given forward gradient is of size \[3\]",
        ):
            fwAD.make_dual(x, npgrad.ones(3))
        with pytest.raises(RuntimeError, match="different size"):
            fwAD.make_dual(x, npgrad.ones(1))  # no broadcasting
        with pytest.raises(
            ValueError, match="Expected primal to be floating point, but got: int64"
        ):
            fwAD.make_dual(npgrad.tensor([1, 2]), x)
        with pytest.raises(ValueError, match="Expected tangent to be floating point"):
            fwAD.make_dual(x, npgrad.tensor([1, 2]))
        with pytest.raises(TypeError, match="make_dual: expected tensor to be a Tensor, got list"):
            fwAD.make_dual([1.0, 2.0], x)
        with pytest.raises(TypeError, match="expected tangent to be a Tensor"):
            fwAD.make_dual(x, np.ones(2))
        with pytest.raises(RuntimeError, match="make_dual: invalid forward AD level 2"):
            fwAD.make_dual(x, x, level=2)
        assert not fwAD._duals  # nothing registered by the failed calls
        d = fwAD.make_dual(x, x, level=0)
        with pytest.raises(
            RuntimeError, match="already has a forward gradient at the same level 0"
        ):
            fwAD.make_dual(d, x)
        with pytest.raises(RuntimeError, match="already has a forward gradient"):
            fwAD.make_dual(d.exp() * 2, x)
        with pytest.raises(RuntimeError, match="Setting a forward grad that itself has a forward"):
            fwAD.make_dual(x, d + 1)
        # a primal has no tangent: it can be made dual again
        p = fwAD.unpack_dual(d * 2).primal
        assert_close(fwAD.unpack_dual(fwAD.make_dual(p, x) * 3).tangent, x * 3)


def test_make_dual_aliases_its_tensor():
    x = npgrad.tensor([1.0, 2.0])
    t = npgrad.tensor([0.5, 1.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        assert np.shares_memory(d.numpy(), x.numpy())
        x.add_(1.0)
        assert_close(d.detach(), npgrad.tensor([2.0, 3.0]))
        assert fwAD.unpack_dual(d).tangent is t  # the dual's own tangent, as given
        y = d.sin()
        x.mul_(2.0)  # a write through the alias invalidates the input sin saved
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            fwAD.unpack_dual(y)


def test_make_dual_keeps_reverse_mode_to_the_tensor():
    x = npgrad.tensor([1.0, -2.0], dtype=f64, requires_grad=True)
    t = npgrad.tensor([1.0, 1.0], dtype=f64)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        primal, tangent = fwAD.unpack_dual((d**3).sum())
        primal.backward()
        assert_close(x.grad, 3 * x.detach() ** 2)
        # the tangent 3 x^2 . t depends on x: its own gradient is 6 x t
        (g,) = npgrad.autograd.grad(tangent, x)
        assert_close(g, 6 * x.detach() * t)
    assert x.grad is not None and x.grad_fn is None


def test_in_place_on_the_dual_scales_its_tangent():
    x = npgrad.tensor([1.0, 2.0], dtype=f64)
    t = npgrad.tensor([1.0, 0.5], dtype=f64)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        d.mul_(3.0)
        primal, tangent = fwAD.unpack_dual(d)
        assert_close(primal, npgrad.tensor([3.0, 6.0], dtype=f64))
        assert_close(tangent, npgrad.tensor([3.0, 1.5], dtype=f64))
        assert_close(fwAD.unpack_dual(d * d).tangent, 2 * primal * tangent)


def test_tangent_that_requires_grad_is_differentiable():
    x = npgrad.tensor([0.5, 1.5], dtype=f64)

    def tangent_of(x, t):
        with fwAD.dual_level():
            return fwAD.unpack_dual((fwAD.make_dual(x, t).sin() * x.exp()).sum()).tangent

    t = npgrad.tensor([1.0, -1.0], dtype=f64, requires_grad=True)
    assert tangent_of(x, t).requires_grad
    assert gradcheck(tangent_of, (x.requires_grad_(), t))
    assert gradgradcheck(tangent_of, (x, t))


# ---- unpack_dual -----------------------------------------------------------------------------
def test_unpack_dual_of_tensors_without_tangent():
    x = npgrad.tensor([1.0, 2.0])
    w = npgrad.tensor([1.0, 2.0], requires_grad=True)
    assert fwAD.unpack_dual(x) == (x, None)  # no level: the tensor itself
    out = fwAD.unpack_dual(x)
    assert (
        isinstance(out, fwAD.UnpackedDualTensor)
        and out.primal is x
        and out._fields == ("primal", "tangent")
    )
    with fwAD.dual_level():
        assert fwAD.unpack_dual(w * 2).tangent is None  # no dual yet
        d = fwAD.make_dual(x, x)
        assert fwAD.unpack_dual(w * 2).tangent is None  # depends on no dual
        assert fwAD.unpack_dual(d.detach()).tangent is None
        assert fwAD.unpack_dual(d.argmax()).tangent is None
        assert fwAD.unpack_dual(npgrad.tensor([1, 2])).tangent is None
        primal, tangent = fwAD.unpack_dual(d * w)
        assert tangent is not None and primal.requires_grad  # through w
        assert fwAD.unpack_dual(primal).tangent is None  # a primal has no tangent
        assert fwAD.unpack_dual(primal * d).tangent is not None
        assert_close(fwAD.unpack_dual(primal * 2 + d).tangent, x)  # only d's tangent
        with pytest.raises(RuntimeError, match="unpack_dual: invalid forward AD level 1"):
            fwAD.unpack_dual(d, level=1)
        with pytest.raises(TypeError, match="unpack_dual: expected a Tensor, got list"):
            fwAD.unpack_dual([1.0])


def test_piecewise_constant_op_has_a_zero_tangent():
    x = npgrad.tensor([1.5, -2.5])
    with fwAD.dual_level():
        primal, tangent = fwAD.unpack_dual(fwAD.make_dual(x, x).floor())
    assert_close(primal, npgrad.tensor([1.0, -3.0]))
    assert_close(tangent, npgrad.zeros(2))


def test_mixed_dtype_tangent():
    x = npgrad.tensor([1.0, 2.0], dtype=f32)
    t = npgrad.tensor([1.0, 1.0], dtype=f64)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        assert fwAD.unpack_dual(d).tangent.dtype == f64  # as given
        assert fwAD.unpack_dual(d.sin()).tangent.dtype == f32  # the result's dtype


def test_empty_tensor():
    with fwAD.dual_level():
        d = fwAD.make_dual(npgrad.ones(0, 3), npgrad.ones(0, 3))
        primal, tangent = fwAD.unpack_dual(d * 2)
    assert primal.shape == tangent.shape == (0, 3)


# ---- limits ----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", [npgrad.no_grad, npgrad.inference_mode])
def test_grad_mode_off_is_refused(mode):
    x = npgrad.tensor([1.0])
    with fwAD.dual_level():
        with mode(), pytest.raises(RuntimeError, match="make_dual: grad mode is off"):
            fwAD.make_dual(x, x)
        d = fwAD.make_dual(x, x)
        with (
            mode(),
            pytest.raises(RuntimeError, match="unpack_dual: grad mode is off .*reverse-mode graph"),
        ):
            fwAD.unpack_dual(d)
        with mode():  # the documented limit: an op run without grad carries no tangent
            y = d * 2
        assert fwAD.unpack_dual(y).tangent is None


def test_once_differentiable_op_raises_its_error():
    class Triple(npgrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 3.0

        @staticmethod
        @npgrad.autograd.once_differentiable
        def backward(ctx, grad):
            return grad * 3.0

    x = npgrad.tensor([1.0, 2.0], dtype=f64, requires_grad=True)
    (x * 3).sum().backward()  # reverse mode through it is fine
    with fwAD.dual_level():
        d = fwAD.make_dual(x, npgrad.ones(2, dtype=f64))
        with pytest.raises(RuntimeError, match="TripleBackward: trying to differentiate twice"):
            fwAD.unpack_dual(Triple.apply(d).sin())
        assert fwAD.unpack_dual(d.sin()).tangent is not None  # the level is still usable


def test_inplace_over_a_saved_value_raises_the_reverse_mode_error():
    x = npgrad.tensor([1.0, 2.0])
    with fwAD.dual_level():
        y = fwAD.make_dual(x, x).exp()  # exp saves its output
        y.mul_(2.0)
        with pytest.raises(RuntimeError, match="ExpBackward.*modified by an inplace operation"):
            fwAD.unpack_dual(y.sin())


def test_graph_freed_by_backward_raises_the_reverse_mode_error():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    with fwAD.dual_level():
        y = fwAD.make_dual(x, npgrad.ones(2)).sin()
        y.sum().backward()  # frees what sin saved
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            fwAD.unpack_dual(y)
        z = fwAD.make_dual(x, npgrad.ones(2)).sin()
        z.sum().backward(retain_graph=True)
        assert_close(fwAD.unpack_dual(z).tangent, x.detach().cos())


# ---- PyTorch parity ---------------------------------------------------------------------------
def _torch_forward_ad(torch, f, xs, ts):
    tfw = torch.autograd.forward_ad
    with tfw.dual_level():
        duals = [
            tfw.make_dual(torch.from_numpy(x.numpy().copy()), torch.from_numpy(t.numpy().copy()))
            for x, t in zip(xs, ts)
        ]
        primal, tangent = tfw.unpack_dual(f(torch, *duals))
        return primal.detach().numpy(), tangent.detach().numpy()


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [f32, f64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_tangent_matches_torch(name, dtype):
    torch = pytest.importorskip("torch")
    f, shapes = CASES[name]
    xs, ts = _inputs(shapes, dtype, seed=11)
    primal, tangent = _forward_ad(f, xs, ts)
    tp, tt = _torch_forward_ad(torch, f, xs, ts)
    assert_close(primal, tp)
    assert_close(tangent, tt)


@pytest.mark.torch
def test_conv2d_and_floor_match_torch():
    torch = pytest.importorskip("torch")
    F = pytest.importorskip("npgrad.nn.functional")
    xs, ts = _inputs([(2, 2, 6, 6), (4, 2, 3, 3)], f32, seed=5)
    _, tangent = _forward_ad(
        lambda lib, x, w: F.conv2d(x, w, padding=1).floor() + F.conv2d(x, w).sum(), xs, ts
    )
    _, tt = _torch_forward_ad(
        torch,
        lambda lib, x, w: (
            torch.nn.functional.conv2d(x, w, padding=1).floor()
            + torch.nn.functional.conv2d(x, w).sum()
        ),
        xs,
        ts,
    )
    assert_close(tangent, tt)


@pytest.mark.torch
def test_api_errors_and_results_match_torch():
    torch = pytest.importorskip("torch")
    tfw = torch.autograd.forward_ad
    msgs = []
    for lib, fw in ((npgrad, fwAD), (torch, tfw)):
        x = lib.tensor([1.0, 2.0])
        got = []
        with pytest.raises(RuntimeError) as info:
            fw.make_dual(x, x)
        got.append(str(info.value))
        fw.enter_dual_level()
        with pytest.raises(RuntimeError) as info:
            fw.enter_dual_level()
        got.append(str(info.value))
        fw.exit_dual_level()
        with fw.dual_level():
            d = fw.make_dual(x, lib.tensor([1.0, 0.5]))
            for bad in (lib.ones(3), lib.tensor([1, 2])):
                with pytest.raises((RuntimeError, ValueError)) as info:
                    fw.make_dual(x, bad)
                # (PyTorch's message adds "or complex": npgrad has no complex dtype)
                got.append((type(info.value), str(info.value).split(" floating")[0]))
            with pytest.raises(RuntimeError) as info:
                fw.make_dual(d * 2, x)
            got.append(str(info.value))
            primal, tangent = fw.unpack_dual(d.sin())
            got.append(
                (primal.requires_grad, tangent.requires_grad, fw.unpack_dual(primal).tangent)
            )
            got.append(repr(fw.unpack_dual(d.floor())).replace("torch.", ""))
        got.append(fw.unpack_dual(d).tangent)
        msgs.append(got)
    assert msgs[0] == msgs[1]
