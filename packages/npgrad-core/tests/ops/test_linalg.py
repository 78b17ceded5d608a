"""Products: matmul in every broadcasting form, mm/bmm/mv/dot/outer, tensordot, einsum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

# (shape of a, shape of b): every form torch.matmul distinguishes
MATMUL_FORMS = {
    "dot": ((3,), (3,)),
    "mm": ((2, 3), (3, 4)),
    "vec@mat": ((3,), (3, 4)),
    "mat@vec": ((2, 3), (3,)),
    "batch@mat": ((5, 2, 3), (3, 4)),
    "mat@batch": ((2, 3), (5, 3, 4)),
    "vec@batch": ((3,), (5, 3, 4)),
    "batch@vec": ((5, 2, 3), (3,)),
    "batch@batch": ((5, 2, 3), (5, 3, 4)),
    "broadcast batches": ((2, 1, 2, 3), (4, 3, 2)),
    "4d@mat": ((2, 2, 2, 3), (3, 2)),
    "size-1 batch": ((1, 2, 3), (4, 3, 2)),
}


def _arr(shape, dtype=np.float64, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def _leaf(a):
    return npgrad.tensor(a, requires_grad=True)


# ---- matmul forward -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("form", sorted(MATMUL_FORMS))
def test_matmul_forward_matches_numpy(form, dtype):
    sa, sb = MATMUL_FORMS[form]
    a, b = _arr(sa, dtype, 1), _arr(sb, dtype, 2)
    out = npgrad.matmul(npgrad.tensor(a), npgrad.tensor(b))
    expected = np.asarray(np.matmul(a, b))
    assert out.shape == expected.shape and out.dtype == np.dtype(dtype)
    assert_close(out, expected)
    assert_close(npgrad.tensor(a) @ npgrad.tensor(b), expected)


def test_matmul_of_integers_stays_integer():
    a = npgrad.tensor([[1, 2], [3, 4]])
    out = a @ a
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), [[7, 10], [15, 22]])


def test_matmul_accepts_an_ndarray_on_either_side():
    a = np.arange(6.0).reshape(2, 3)
    b = npgrad.tensor(np.ones((3, 2)))
    assert_close(npgrad.matmul(a, b), a @ np.ones((3, 2)))
    out = a @ b  # ndarray.__matmul__ defers to Tensor.__rmatmul__
    assert isinstance(out, npgrad.Tensor)
    assert_close(out, a @ np.ones((3, 2)))


def test_matmul_of_non_contiguous_and_empty_operands():
    a = _arr((4, 3, 2)).transpose(0, 2, 1)  # (4, 2, 3), not contiguous
    b = _arr((3, 5), seed=3)
    assert_close(npgrad.matmul(npgrad.tensor(a), npgrad.tensor(b)), np.matmul(a, b))
    e = npgrad.matmul(npgrad.zeros(0, 2, 3), npgrad.zeros(3, 4))
    assert e.shape == (0, 2, 4)
    k0 = npgrad.matmul(npgrad.zeros(2, 0), npgrad.zeros(0, 3))
    assert_close(k0, np.zeros((2, 3), np.float32))


# ---- matmul backward ------------------------------------------------------------------------
@pytest.mark.parametrize("form", sorted(MATMUL_FORMS))
def test_matmul_gradcheck_and_gradgradcheck(form):
    sa, sb = MATMUL_FORMS[form]
    a, b = _leaf(_arr(sa, seed=1)), _leaf(_arr(sb, seed=2))
    assert gradcheck(npgrad.matmul, (a, b))
    assert gradgradcheck(npgrad.matmul, (a, b))


@pytest.mark.parametrize("form", ["mm", "batch@mat", "mat@batch", "broadcast batches", "vec@batch"])
def test_matmul_gradient_of_one_operand_only(form):
    sa, sb = MATMUL_FORMS[form]
    a, b = _leaf(_arr(sa, seed=1)), npgrad.tensor(_arr(sb, seed=2))
    assert gradcheck(npgrad.matmul, (a, b))
    a, b = npgrad.tensor(_arr(sa, seed=1)), _leaf(_arr(sb, seed=2))
    assert gradcheck(npgrad.matmul, (a, b))


def test_matmul_backward_is_grad_times_transposes_and_keeps_float32():
    a, b = _arr((4, 3), np.float32, 1), _arr((3, 5), np.float32, 2)
    g = _arr((4, 5), np.float32, 3)
    ta, tb = _leaf(a), _leaf(b)
    (ta @ tb).backward(npgrad.tensor(g))
    assert ta.grad.dtype == np.float32 and tb.grad.dtype == np.float32
    assert_close(ta.grad, g @ b.T)
    assert_close(tb.grad, a.T @ g)


def test_matmul_backward_sums_over_broadcast_batch_dimensions():
    a, b = _arr((2, 1, 2, 3), seed=1), _arr((4, 3, 5), seed=2)
    g = _arr((2, 4, 2, 5), seed=3)
    ta, tb = _leaf(a), _leaf(b)
    (ta @ tb).backward(npgrad.tensor(g))
    assert_close(ta.grad, (g @ np.swapaxes(b, -1, -2)).sum(axis=1, keepdims=True))
    assert_close(tb.grad, (np.swapaxes(a, -1, -2) @ g).sum(axis=0))


def test_matmul_second_derivative_through_create_graph():
    # f(x) = x^T A x  =>  grad = (A + A^T) x, hessian-vector product with v = (A + A^T) v
    A = _arr((3, 3), seed=4)
    x = _leaf(_arr((3,), seed=5))
    f = x @ (npgrad.tensor(A) @ x)
    (g,) = npgrad.autograd.grad(f, x, create_graph=True)
    assert_close(g, (A + A.T) @ x.numpy())
    v = _arr((3,), seed=6)
    (hv,) = npgrad.autograd.grad(g, x, npgrad.tensor(v))
    assert_close(hv, (A + A.T) @ v)


MATMUL_SHAPES = hnp.mutually_broadcastable_shapes(
    signature="(m?,n),(n,p?)->(m?,p?)", max_dims=2, max_side=3
)


@settings(max_examples=25, deadline=None)
@given(shapes=MATMUL_SHAPES, dtype=st.sampled_from([np.float32, np.float64]))
def test_matmul_broadcasting_forms_match_numpy(shapes, dtype):
    sa, sb = shapes.input_shapes
    a, b = _arr(sa, dtype, 1), _arr(sb, dtype, 2)
    out = npgrad.tensor(a) @ npgrad.tensor(b)
    assert out.shape == shapes.result_shape and out.dtype == np.dtype(dtype)
    assert_close(out, np.asarray(np.matmul(a, b)))


@settings(max_examples=20, deadline=None)
@given(shapes=MATMUL_SHAPES)
def test_matmul_broadcasting_forms_gradcheck(shapes):
    sa, sb = shapes.input_shapes
    a, b = _leaf(_arr(sa, seed=1)), _leaf(_arr(sb, seed=2))
    assert gradcheck(npgrad.matmul, (a, b))


# ---- matmul errors --------------------------------------------------------------------------
def test_matmul_shape_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"matmul.*\(2, 3\).*\(4, 2\)"):
        npgrad.ones(2, 3) @ npgrad.ones(4, 2)
    with pytest.raises(ValueError, match=r"matmul.*\(3,\).*\(4,\)"):
        npgrad.matmul(npgrad.ones(3), npgrad.ones(4))
    with pytest.raises(ValueError, match=r"matmul.*batch.*\(5, 2, 3\).*\(4, 3, 2\)"):
        npgrad.matmul(npgrad.ones(5, 2, 3), npgrad.ones(4, 3, 2))


def test_matmul_of_0d_operands_is_an_error_like_torch():
    with pytest.raises(ValueError, match="at least 1-D.*0-D and 1-D"):
        npgrad.matmul(npgrad.tensor(2.0), npgrad.ones(3))
    with pytest.raises(ValueError, match="at least 1-D.*2-D and 0-D"):
        npgrad.matmul(npgrad.ones(2, 2), npgrad.tensor(2.0))


def test_matmul_promotes_mixed_dtypes_like_the_elementwise_ops():
    # a documented difference from PyTorch (which raises): the seed's x.long().matmul(y) runs
    assert (npgrad.ones(2, 3) @ npgrad.ones(3, 2, dtype=npgrad.float64)).dtype == npgrad.float64
    ints = npgrad.tensor([1, 2, 3])
    assert npgrad.matmul(ints, npgrad.tensor([2.0, 3.0, 4.0])).item() == 20.0
    assert npgrad.matmul(ints.int(), ints).dtype == npgrad.int64
    w = npgrad.ones(3, dtype=npgrad.float64, requires_grad=True)
    (npgrad.ones(2, 3) @ w).sum().backward()
    assert w.grad.dtype == npgrad.float64 and w.grad.tolist() == [2.0, 2.0, 2.0]


def test_matmul_rejects_bool_and_non_tensors():
    with pytest.raises(TypeError, match="bool"):
        npgrad.ones(2, 2, dtype=npgrad.bool) @ npgrad.ones(2, 2, dtype=npgrad.bool)
    with pytest.raises(TypeError, match="matmul"):
        npgrad.matmul([[1.0]], npgrad.ones(1, 1))


# ---- mm, bmm, mv, dot, outer ------------------------------------------------------------------
STRICT = {
    "mm": (npgrad.mm, (2, 3), (3, 4)),
    "bmm": (npgrad.bmm, (2, 2, 3), (2, 3, 4)),
    "mv": (npgrad.mv, (2, 3), (3,)),
    "dot": (npgrad.dot, (3,), (3,)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(STRICT))
def test_strict_products_forward_backward_and_names(name, dtype):
    fn, sa, sb = STRICT[name]
    a, b = _arr(sa, dtype, 1), _arr(sb, dtype, 2)
    ta, tb = _leaf(a), _leaf(b)
    out = fn(ta, tb)
    assert out.dtype == np.dtype(dtype)
    assert_close(out, np.asarray(np.matmul(a, b)))
    assert type(out.grad_fn).__name__ == name.capitalize() + "Backward"
    assert_close(getattr(ta, name)(tb), np.asarray(np.matmul(a, b)))  # the Tensor method
    if dtype == np.float64:
        assert gradcheck(fn, (ta, tb))
        assert gradgradcheck(fn, (ta, tb))


@pytest.mark.parametrize(
    ("name", "sa", "sb", "match"),
    [
        ("mm", (3,), (3, 2), "2-D and 2-D"),
        ("mm", (2, 2, 3), (3, 2), "2-D and 2-D"),
        ("mm", (2, 3), (4, 2), r"\(2, 3\).*\(4, 2\)"),
        ("bmm", (2, 2, 3), (3, 3, 2), r"bmm.*\(2, 2, 3\).*\(3, 3, 2\)"),
        ("bmm", (2, 3), (2, 3, 2), "3-D and 3-D"),
        ("mv", (2, 3), (4,), r"mv.*\(2, 3\).*\(4,\)"),
        ("mv", (2, 3), (3, 1), "2-D and 1-D"),
        ("dot", (3, 1), (3,), "1-D and 1-D"),
        ("dot", (3,), (4,), r"dot.*\(3,\).*\(4,\)"),
    ],
)
def test_strict_products_reject_other_shapes(name, sa, sb, match):
    fn = STRICT[name][0]
    with pytest.raises(ValueError, match=match):
        fn(npgrad.ones(sa), npgrad.ones(sb))


def test_strict_products_promote_mixed_dtypes():
    for fn, sa, sb in STRICT.values():
        assert fn(npgrad.ones(sa), npgrad.ones(sb, dtype=npgrad.float64)).dtype == npgrad.float64


def test_outer_values_gradients_and_promotion():
    a, b = _arr((3,), seed=1), _arr((4,), seed=2)
    ta, tb = _leaf(a), _leaf(b)
    assert_close(npgrad.outer(ta, tb), np.outer(a, b))
    assert_close(ta.outer(tb), np.outer(a, b))
    assert gradcheck(npgrad.outer, (ta, tb))
    assert gradgradcheck(npgrad.outer, (ta, tb))
    out = npgrad.outer(npgrad.ones(2), npgrad.ones(3, dtype=npgrad.float64))
    assert out.dtype == np.float64  # outer promotes, like torch.outer
    assert npgrad.outer(npgrad.ones(2), npgrad.ones(3)).dtype == np.float32
    with pytest.raises(ValueError, match=r"outer.*\(3, 1\)"):
        npgrad.outer(npgrad.ones(3, 1), npgrad.ones(3))


# ---- einsum ---------------------------------------------------------------------------------
EINSUM_CASES = {
    "matmul": ("ij,jk->ik", [(2, 3), (3, 4)]),
    "implicit matmul": ("ij,jk", [(2, 3), (3, 4)]),
    "batched": ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    "transpose": ("ij->ji", [(2, 3)]),
    "diagonal": ("ii->i", [(3, 3)]),
    "trace": ("ii", [(3, 3)]),
    "sum": ("ij->", [(2, 3)]),
    "row sums": ("ij->i", [(2, 3)]),
    "dot": ("i,i->", [(4,), (4,)]),
    "outer": ("i,j->ij", [(2,), (3,)]),
    "hadamard": ("ij,ij->ij", [(2, 3), (2, 3)]),
    "three operands": ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    "diagonal times vector": ("ii,i->i", [(3, 3), (3,)]),
    "repeated thrice": ("iii->i", [(2, 2, 2)]),
    "diagonal kept in 3-d": ("iij->ij", [(2, 2, 3)]),
    "ellipsis batch": ("...ij,...jk->...ik", [(2, 2, 3), (2, 3, 2)]),
    "ellipsis broadcast": ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 2)]),
    "ellipsis implicit": ("...ij,...jk", [(2, 2, 3), (3, 2)]),
    "ellipsis middle": ("i...j->j...i", [(2, 3, 4)]),
    "bilinear": ("bn,anm,bm->ba", [(2, 3), (4, 3, 2), (2, 2)]),
    "uppercase": ("Ab,bC->AC", [(2, 3), (3, 2)]),
    "implicit mixed case": ("ba,aB", [(2, 3), (3, 4)]),  # output "Bb": uppercase sorts first
}


def _einsum_inputs(shapes, dtype=np.float64):
    return [_arr(s, dtype, seed=i + 1) for i, s in enumerate(shapes)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", sorted(EINSUM_CASES))
def test_einsum_forward_matches_numpy(case, dtype):
    eq, shapes = EINSUM_CASES[case]
    arrays = _einsum_inputs(shapes, dtype)
    out = npgrad.einsum(eq, *[npgrad.tensor(a) for a in arrays])
    expected = np.asarray(np.einsum(eq, *arrays))
    assert out.shape == expected.shape and out.dtype == np.dtype(dtype)
    assert_close(out, expected)


@pytest.mark.parametrize("case", sorted(EINSUM_CASES))
def test_einsum_gradcheck_and_gradgradcheck(case):
    eq, shapes = EINSUM_CASES[case]
    leaves = [_leaf(a) for a in _einsum_inputs(shapes)]

    def fn(*ops):
        return npgrad.einsum(eq, *ops)

    assert gradcheck(fn, leaves)
    assert gradgradcheck(fn, leaves)


def test_einsum_of_large_operands_uses_a_contraction_plan_with_the_same_results():
    # index spaces above 2**15 go through np.einsum_path (BLAS); the small ones above don't
    a, b, c = _arr((40, 30), seed=1), _arr((30, 50), seed=2), _arr((50, 20), seed=3)
    ta, tb, tc = _leaf(a), _leaf(b), _leaf(c)
    out = npgrad.einsum("ij,jk,kl->il", ta, tb, tc)
    assert_close(out, a @ b @ c)
    g = _arr((40, 20), seed=4)
    out.backward(npgrad.tensor(g))
    assert_close(ta.grad, g @ (b @ c).T)
    assert_close(tb.grad, a.T @ g @ c.T)
    assert_close(tc.grad, (a @ b).T @ g)
    x = _arr((64, 64, 16), np.float32, 5)
    d = npgrad.einsum("iij->j", npgrad.tensor(x))  # one operand: never planned
    assert_close(d, np.einsum("iij->j", x), rtol=1e-5)


def test_einsum_broadcasts_size_one_labelled_dimensions():
    a, b = _leaf(_arr((2, 1), seed=1)), _leaf(_arr((3, 2), seed=2))
    out = npgrad.einsum("ij,jk->ik", a, b)
    assert_close(out, a.numpy() @ np.broadcast_to(b.numpy().sum(0, keepdims=True), (1, 2)))
    assert gradcheck(lambda x, y: npgrad.einsum("ij,jk->ik", x, y), (a, b))


def test_einsum_sums_ellipsis_dimensions_missing_from_the_output_like_torch():
    a = _arr((2, 3, 4))
    out = npgrad.einsum("...i->i", npgrad.tensor(a))
    assert_close(out, a.sum(axis=(0, 1)))


def test_einsum_accepts_operands_as_one_list_and_keeps_float32():
    a, b = _arr((2, 3), np.float32, 1), _arr((3, 2), np.float32, 2)
    ta, tb = _leaf(a), _leaf(b)
    out = npgrad.einsum("ij,jk->ik", [ta, tb])
    assert out.dtype == np.float32
    out.sum().backward()
    assert ta.grad.dtype == np.float32 and tb.grad.dtype == np.float32
    assert_close(ta.grad, np.ones((2, 2), np.float32) @ b.T)


def test_einsum_output_does_not_alias_its_input():
    a = npgrad.tensor(_arr((2, 3)))
    before = a.numpy().copy()
    out = npgrad.einsum("ij->ji", a)
    out.numpy()[...] = 0.0
    np.testing.assert_array_equal(a.numpy(), before)


@pytest.mark.parametrize(
    ("eq", "shapes", "error", "match"),
    [
        ("ij,jk->ik", [(2, 3)], ValueError, "names 2 operand"),
        ("ij->ik", [(2, 3)], ValueError, "output subscript 'k'"),
        ("ij->ii", [(2, 2)], ValueError, "more than once"),
        ("ijk->i", [(2, 3)], ValueError, "name 3 dimension"),
        ("ii->i", [(2, 3)], ValueError, "repeated for operand 0.*2 != 3"),
        ("ij,jk->ik", [(2, 3), (4, 2)], ValueError, "do not broadcast"),
        ("i1->i", [(2, 2)], ValueError, "invalid subscript '1'"),
        ("i->->i", [(2,)], ValueError, "more than one '->'"),
    ],
)
def test_einsum_errors(eq, shapes, error, match):
    with pytest.raises(error, match=match):
        npgrad.einsum(eq, *[npgrad.ones(s) for s in shapes])


def test_einsum_refuses_mixed_dtypes_and_non_strings():
    with pytest.raises(RuntimeError, match="einsum.*same dtype"):
        npgrad.einsum("ij,jk", npgrad.ones(2, 2), npgrad.ones(2, 2, dtype=npgrad.float64))
    with pytest.raises(TypeError, match="equation"):
        npgrad.einsum(npgrad.ones(2), [0])


# ---- tensordot ------------------------------------------------------------------------------
TENSORDOT_CASES = [
    ((2, 3, 4), (3, 4, 2), 2),
    ((2, 3), (3, 2), 1),
    ((2, 3), (4,), 0),
    ((2, 3, 4), (4, 3), ([1, 2], [1, 0])),
    ((3, 2), (2, 3), ([0], [1])),
    ((2, 3), (2, 3), 2),
]


@pytest.mark.parametrize(("sa", "sb", "dims"), TENSORDOT_CASES)
def test_tensordot_matches_numpy_and_gradchecks(sa, sb, dims):
    a, b = _arr(sa, seed=1), _arr(sb, seed=2)
    ta, tb = _leaf(a), _leaf(b)
    out = npgrad.tensordot(ta, tb, dims)
    assert_close(out, np.asarray(np.tensordot(a, b, dims)))
    out32 = npgrad.tensordot(
        npgrad.tensor(a.astype(np.float32)), npgrad.tensor(b.astype(np.float32)), dims
    )
    assert out32.dtype == np.float32
    assert gradcheck(lambda x, y: npgrad.tensordot(x, y, dims), (ta, tb))
    assert gradgradcheck(lambda x, y: npgrad.tensordot(x, y, dims), (ta, tb))


def test_tensordot_errors():
    a, b = npgrad.ones(2, 3), npgrad.ones(3, 2)
    with pytest.raises(ValueError, match="dims >= 0"):
        npgrad.tensordot(a, b, -1)
    with pytest.raises(ValueError, match="dims=3"):
        npgrad.tensordot(a, b, 3)
    with pytest.raises(ValueError, match="contracted dimensions need to match"):
        npgrad.tensordot(a, npgrad.ones(4, 2), 1)
    with pytest.raises(ValueError, match="more than once"):
        npgrad.tensordot(a, b, ([1, 1], [0, 0]))
    with pytest.raises(ValueError, match="same length"):
        npgrad.tensordot(a, b, ([1], [0, 1]))
    with pytest.raises(IndexError, match="tensordot.*out of range"):
        npgrad.tensordot(a, b, ([5], [0]))
    with pytest.raises(RuntimeError, match="same dtype"):
        npgrad.tensordot(a, npgrad.ones(3, 2, dtype=npgrad.float64), 1)
    with pytest.raises(TypeError, match="dims"):
        npgrad.tensordot(a, b, "x")


# ---- PyTorch parity -------------------------------------------------------------------------
def _torch_pair(torch, a, b):
    return (
        torch.tensor(a, requires_grad=True),
        torch.tensor(b, requires_grad=True),
    )


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("form", sorted(MATMUL_FORMS))
def test_matmul_matches_torch(form, dtype):
    torch = pytest.importorskip("torch")
    sa, sb = MATMUL_FORMS[form]
    a, b = _arr(sa, dtype, 1), _arr(sb, dtype, 2)
    ta, tb = _leaf(a), _leaf(b)
    xa, xb = _torch_pair(torch, a, b)
    out, ref = ta @ tb, xa @ xb
    g = _arr(ref.shape, dtype, 3)
    out.backward(npgrad.tensor(g))
    ref.backward(torch.tensor(g))
    assert_close(out, ref.detach().numpy())
    assert_close(ta.grad, xa.grad.numpy())
    assert_close(tb.grad, xb.grad.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(STRICT) + ["outer"])
def test_strict_products_and_outer_match_torch(name):
    torch = pytest.importorskip("torch")
    if name == "outer":
        fn, sa, sb = npgrad.outer, (3,), (4,)
    else:
        fn, sa, sb = STRICT[name]
    a, b = _arr(sa, np.float32, 1), _arr(sb, np.float32, 2)
    ta, tb = _leaf(a), _leaf(b)
    xa, xb = _torch_pair(torch, a, b)
    out, ref = fn(ta, tb), getattr(torch, name)(xa, xb)
    out.sum().backward()
    ref.sum().backward()
    assert_close(out, ref.detach().numpy())
    assert_close(ta.grad, xa.grad.numpy())
    assert_close(tb.grad, xb.grad.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(EINSUM_CASES))
def test_einsum_matches_torch(case):
    torch = pytest.importorskip("torch")
    eq, shapes = EINSUM_CASES[case]
    arrays = _einsum_inputs(shapes)
    ours = [_leaf(a) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = npgrad.einsum(eq, *ours), torch.einsum(eq, *theirs)
    g = _arr(ref.shape, seed=9)
    out.backward(npgrad.tensor(g))
    ref.backward(torch.tensor(g))
    assert_close(out, ref.detach().numpy())
    for o, t in zip(ours, theirs):
        assert_close(o.grad, t.grad.numpy())


@pytest.mark.torch
def test_einsum_size_one_broadcast_and_summed_ellipsis_match_torch():
    torch = pytest.importorskip("torch")
    for eq, shapes in [("ij,jk->ik", [(2, 1), (3, 2)]), ("...i->i", [(2, 3, 4)])]:
        arrays = _einsum_inputs(shapes)
        ours = [_leaf(a) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        out, ref = npgrad.einsum(eq, *ours), torch.einsum(eq, *theirs)
        out.sum().backward()
        ref.sum().backward()
        assert_close(out, ref.detach().numpy())
        for o, t in zip(ours, theirs):
            assert_close(o.grad, t.grad.numpy())


@pytest.mark.torch
@pytest.mark.parametrize(("sa", "sb", "dims"), TENSORDOT_CASES)
def test_tensordot_matches_torch(sa, sb, dims):
    torch = pytest.importorskip("torch")
    a, b = _arr(sa, np.float32, 1), _arr(sb, np.float32, 2)
    ta, tb = _leaf(a), _leaf(b)
    xa, xb = _torch_pair(torch, a, b)
    out, ref = npgrad.tensordot(ta, tb, dims), torch.tensordot(xa, xb, dims)
    out.sum().backward()
    ref.sum().backward()
    assert_close(out, ref.detach().numpy())
    assert_close(ta.grad, xa.grad.numpy())
    assert_close(tb.grad, xb.grad.numpy())
