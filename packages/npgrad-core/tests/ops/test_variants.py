"""The namespace forms of Tensor methods: ``npgrad.<op>_`` in-place functions and the copying
view ops ``npgrad.<view>_copy``."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import npgrad
from npgrad.ops import variants

INPLACE = [n for n in variants.__all__ if n.endswith("_")]
COPIES = [n for n in variants.__all__ if n.endswith("_copy")]

# arguments after the tensor, for an input in (0.1, 0.9) (inside every op's domain)
ARGS: dict[str, tuple] = {
    "addmv_": (np.full((5, 3), 0.5), np.full(3, 0.25)),
    "as_strided_": ((2, 2), (1, 2)),
    "clamp_": (0.2, 0.6),
    "clip_": (0.2, 0.6),
    "clamp_max_": (0.5,),
    "clamp_min_": (0.5,),
    "fill_": (3.0,),
    "index_put_": ((np.array([0, 2]),), np.array([7.0, 8.0])),
    "ldexp_": (np.full(5, 2.0),),
    "logit_": (1e-6,),
    "resize_as_": (np.zeros((1, 5)),),
    "xlogy_": (np.full(5, 3.0),),
}
INTS = {"gcd_": (np.array([4, 6, 8, 9, 10]),), "lcm_": (np.array([4, 6, 8, 9, 10]),)}


def _arg(a):
    return npgrad.tensor(a) if isinstance(a, np.ndarray) else a


def _args(name):
    spec = INTS.get(name, ARGS.get(name, ()))
    return tuple(
        tuple(map(_arg, a)) if isinstance(a, tuple) and name == "index_put_" else _arg(a)
        for a in spec
    )


def _input(name):
    if name in INTS:
        return npgrad.tensor([12, 18, 3, 6, 25])
    return npgrad.tensor(np.linspace(0.1, 0.9, 5))


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_function_is_the_method(name):
    x, y = _input(name), _input(name)
    out = getattr(npgrad, name)(x, *_args(name))
    ref = getattr(y, name)(*_args(name))
    assert out is x
    np.testing.assert_array_equal(x.numpy(), ref.numpy())
    assert x.shape == ref.shape


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_function_has_the_method_signature(name):
    fn = inspect.signature(getattr(npgrad, name)).parameters
    meth = inspect.signature(getattr(npgrad.Tensor, name)).parameters
    assert list(fn)[0] == "input"
    assert [(p.name, p.kind, p.default) for p in list(fn.values())[1:]] == [
        (p.name, p.kind, p.default) for p in list(meth.values())[1:]
    ]


@pytest.mark.parametrize("name", ["exp_", "clamp_", "t_copy", "slice_copy"])
def test_refuses_a_non_tensor(name):
    with pytest.raises(
        TypeError, match=rf"{name}\(\): argument 'input' must be a Tensor, not list"
    ):
        getattr(npgrad, name)([1.0, 2.0])


def test_inplace_function_records_the_graph():
    x = npgrad.tensor([0.5, 1.5], requires_grad=True)
    y = x * 1.0
    npgrad.exp_(y)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, 1.5]), rtol=1e-6)


X = np.arange(24.0).reshape(2, 3, 4)
# name -> (arguments, the same through the view op)
COPY_CASES = {
    "alias_copy": ((), lambda t: t),
    "as_strided_copy": (((3, 2), (1, 3), 1), lambda t: t.as_strided((3, 2), (1, 3), 1)),
    "detach_copy": ((), lambda t: t.detach()),
    "diagonal_copy": ((0, 1, 2), lambda t: t.diagonal(0, 1, 2)),
    "expand_copy": (((5, 2, 3, 4),), lambda t: t.expand(5, 2, 3, 4)),
    "permute_copy": (((2, 0, 1),), lambda t: t.permute(2, 0, 1)),
    "select_copy": ((1, -1), lambda t: t.select(1, -1)),
    "slice_copy": ((2, 1, None, 2), lambda t: t[:, :, 1::2]),
    "squeeze_copy": ((), lambda t: t.squeeze()),
    "t_copy": ((), None),
    "transpose_copy": ((0, 2), lambda t: t.transpose(0, 2)),
    "unfold_copy": ((2, 2, 1), lambda t: t.unfold(2, 2, 1)),
    "unsqueeze_copy": ((1,), lambda t: t.unsqueeze(1)),
    "view_copy": (((4, 6),), lambda t: t.view(4, 6)),
}
MULTI = {
    "split_copy": ((2, 2), lambda t: t.split(2, 2)),
    "split_with_sizes_copy": (([1, 3], 2), lambda t: t.split([1, 3], 2)),
    "unbind_copy": ((1,), lambda t: t.unbind(1)),
}


def _check_copy(out, ref, base):
    assert out.shape == ref.shape and out.dtype == ref.dtype
    assert out.is_contiguous()
    assert not np.shares_memory(out.numpy(), base.numpy())
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


def test_every_copy_variant_is_tested():
    assert sorted(COPIES) == sorted([*COPY_CASES, *MULTI])


@pytest.mark.parametrize("name", sorted(COPY_CASES))
def test_copy_variant_values_and_gradient(name):
    args, view = COPY_CASES[name]
    data = X[0] if name == "t_copy" else X
    if view is None:
        view = lambda t: t.t()  # noqa: E731
    x = npgrad.tensor(data, requires_grad=True)
    out = getattr(npgrad, name)(x, *args)
    _check_copy(out, view(x), x)
    if name == "detach_copy":
        assert not out.requires_grad
        return
    w = np.random.default_rng(0).standard_normal(out.shape)
    (out * npgrad.tensor(w)).sum().backward()
    x2 = npgrad.tensor(data, requires_grad=True)
    (view(x2) * npgrad.tensor(w)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), x2.grad.numpy())


@pytest.mark.parametrize("name", sorted(MULTI))
def test_copy_variant_of_a_multi_output_view(name):
    args, view = MULTI[name]
    x = npgrad.tensor(X)
    outs, refs = getattr(npgrad, name)(x, *args), view(x)
    assert isinstance(outs, tuple) and len(outs) == len(refs)
    for o, r in zip(outs, refs):
        _check_copy(o, r, x)


def test_slice_copy_bad_input():
    x = npgrad.zeros(3, 4)
    with pytest.raises(ValueError, match="slice_copy: the step must be positive, got 0"):
        npgrad.slice_copy(x, 0, 0, 3, 0)
    with pytest.raises(IndexError, match=r"slice_copy: dimension out of range"):
        npgrad.slice_copy(x, 2)
    with pytest.raises(IndexError, match="slice_copy: a 0-d tensor"):
        npgrad.slice_copy(npgrad.tensor(1.0))
    assert npgrad.slice_copy(x, 0, 5, 10).shape == (0, 4)
    assert npgrad.slice_copy(x, 1, -3).shape == (3, 3)
    with pytest.raises(TypeError, match="split_with_sizes_copy: split_sizes must be a list"):
        npgrad.split_with_sizes_copy(x, 2)


@pytest.mark.torch
@pytest.mark.parametrize("name", INPLACE)
def test_inplace_parity(name):
    torch = pytest.importorskip("torch")

    def conv(a):
        if isinstance(a, npgrad.Tensor):
            return torch.from_numpy(a.numpy().copy())
        return tuple(map(conv, a)) if isinstance(a, tuple) else a

    x = _input(name)
    tx = conv(x)
    if name == "round_":
        x, tx = x * 10, tx * 10
    getattr(npgrad, name)(x, *_args(name))
    getattr(torch, name)(tx, *conv(_args(name)))
    np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted([*COPY_CASES, *MULTI]))
def test_copy_parity(name):
    torch = pytest.importorskip("torch")
    args = (COPY_CASES.get(name) or MULTI[name])[0]
    data = X[0] if name == "t_copy" else X
    out = getattr(npgrad, name)(npgrad.tensor(data), *args)
    ref = getattr(torch, name)(torch.from_numpy(data.copy()), *args)
    if isinstance(out, tuple):
        assert len(out) == len(ref)
        for o, r in zip(out, ref):
            np.testing.assert_array_equal(o.numpy(), r.numpy())
    else:
        np.testing.assert_array_equal(out.numpy(), ref.numpy())
