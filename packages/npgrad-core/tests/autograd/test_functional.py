"""autograd.functional: vjp, jvp, jacobian, hessian, vhp, hvp against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.autograd import functional as F
from npgrad.testing import assert_close

f64 = npgrad.float64


def _t(values):
    return npgrad.tensor(values, dtype=f64)


def _scalar(x, y):
    return (x * x * y).sum()  # gradient (2xy, x^2); Hessian [[2 diag(y), 2 diag(x)], [., 0]]


def _pair(x, y):
    return x * y, x.sin()


X, Y = np.array([1.0, 2.0]), np.array([0.5, -1.0])


def test_vjp_and_jvp_of_a_two_output_function():
    x, y = _t(X), _t(Y)
    u = (_t([1.0, 2.0]), _t([3.0, 4.0]))
    (out_xy, out_sin), (gx, gy) = F.vjp(_pair, (x, y), u)
    assert_close(out_xy, _t(X * Y))
    assert_close(gx, _t(Y * [1.0, 2.0] + np.cos(X) * [3.0, 4.0]))
    assert_close(gy, _t(X * [1.0, 2.0]))
    v = (_t([1.0, 0.5]), _t([2.0, 1.0]))
    _, (jv_xy, jv_sin) = F.jvp(_pair, (x, y), v)
    assert_close(jv_xy, _t(Y * [1.0, 0.5] + X * [2.0, 1.0]))
    assert_close(jv_sin, _t(np.cos(X) * [1.0, 0.5]))


def test_jacobian_and_hessian_shapes_and_values():
    x, y = _t(X), _t(Y)
    (jxx, jxy), (jsx, jsy) = F.jacobian(_pair, (x, y))
    assert_close(jxx, _t(np.diag(Y)))
    assert_close(jxy, _t(np.diag(X)))
    assert_close(jsx, _t(np.diag(np.cos(X))))
    assert_close(jsy, _t(np.zeros((2, 2))))
    ((hxx, hxy), (hyx, hyy)) = F.hessian(_scalar, (x, y))
    assert_close(hxx, _t(np.diag(2 * Y)))
    assert_close(hxy, _t(np.diag(2 * X)))
    assert_close(hyx, _t(np.diag(2 * X)))
    assert_close(hyy, _t(np.zeros((2, 2))))


def test_vhp_and_hvp_agree_with_the_hessian():
    x, y = _t(X), _t(Y)
    v = (_t([1.0, 0.5]), _t([2.0, 1.0]))
    out, (hx, hy) = F.vhp(_scalar, (x, y), v)
    assert out.item() == pytest.approx(float((X * X * Y).sum()))
    assert_close(hx, _t(2 * Y * [1.0, 0.5] + 2 * X * [2.0, 1.0]))
    assert_close(hy, _t(2 * X * [1.0, 0.5]))
    _, (hx2, hy2) = F.hvp(_scalar, (x, y), v)
    assert_close(hx2, hx)
    assert_close(hy2, hy)


def test_single_element_requirements_name_the_op():
    x = _t(X)
    with pytest.raises(RuntimeError, match="hessian: the function must return a single-element"):
        F.hessian(lambda t: t * t, x)
    with pytest.raises(RuntimeError, match="vhp: the function must return a single-element"):
        F.vhp(lambda t: t * t, x, _t([1.0, 1.0]))
    with pytest.raises(RuntimeError, match="vjp: v can only be omitted"):
        F.vjp(lambda t: t * t, x)
    with pytest.raises(TypeError, match="jvp: inputs must be Tensors"):
        F.jvp(lambda t: t, [1.0])


def test_an_output_independent_of_an_input_gives_zeros():
    x, y = _t(X), _t(Y)
    _, (gx, gy) = F.vjp(lambda a, b: a * 2.0, (x, y), _t([1.0, 1.0]))
    assert gx.tolist() == [2.0, 2.0] and gy.tolist() == [0.0, 0.0]


def test_strict_refuses_an_output_independent_of_an_input():
    from npgrad.autograd.functional import hessian, jacobian, jvp, vhp, vjp

    x, y = npgrad.tensor([1.0, 2.0]), npgrad.tensor([3.0, 4.0])

    def f(a, b):
        return a * 2.0  # does not use b

    with pytest.raises(RuntimeError, match=r"jacobian: the output is independent of input 1"):
        jacobian(f, (x, y), strict=True)
    with pytest.raises(RuntimeError, match=r"vjp: .*independent of input 1"):
        vjp(f, (x, y), npgrad.ones(2), strict=True)
    with pytest.raises(RuntimeError, match=r"jvp: .*independent of input 1"):
        jvp(f, (x, y), (npgrad.ones(2), npgrad.ones(2)), strict=True)
    with pytest.raises(RuntimeError, match=r"hessian: .*independent"):
        hessian(lambda a: npgrad.tensor(1.0), x, strict=True)
    with pytest.raises(RuntimeError, match=r"vhp: .*independent"):
        vhp(lambda a: npgrad.tensor(1.0), x, npgrad.ones(2), strict=True)
    # without strict the missing gradients are zeros, as in PyTorch
    _, (gx, gy) = vjp(f, (x, y), npgrad.ones(2))
    assert gx.tolist() == [2.0, 2.0] and gy.tolist() == [0.0, 0.0]
