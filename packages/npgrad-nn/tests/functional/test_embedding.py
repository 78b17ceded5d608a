"""nn.functional.embedding: lookup of any index shape, scatter-add gradient with
padding_idx and scale_grad_by_freq, max_norm renormalisation, errors, torch parity."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import functional as F
from npgrad.testing import assert_close

RNG = np.random.default_rng(2)


def _weight(n=6, d=3, dtype=np.float64):
    return npgrad.tensor(RNG.standard_normal((n, d)).astype(dtype), requires_grad=True)


@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 2, 3), (0,)])
@pytest.mark.parametrize("idx_dtype", [np.int64, np.int32])
def test_lookup_of_any_index_shape(shape, idx_dtype):
    w = _weight()
    idx = RNG.integers(0, 6, shape).astype(idx_dtype)
    out = F.embedding(npgrad.tensor(idx), w)
    assert out.shape == shape + (3,) and out.dtype == w.dtype
    assert_close(out, w._data[idx])


def test_gradient_scatter_adds_repeated_indices():
    w = _weight()
    idx = np.array([[1, 2, 1], [5, 1, 0]])
    g = RNG.standard_normal((2, 3, 3))
    F.embedding(npgrad.tensor(idx), w).backward(npgrad.tensor(g))
    expected = np.zeros((6, 3))
    np.add.at(expected, idx.reshape(-1), g.reshape(-1, 3))
    assert_close(w.grad, expected)


def test_padding_idx_row_gets_no_gradient():
    w = _weight()
    idx = npgrad.tensor([0, 2, 2, 4])
    F.embedding(idx, w, padding_idx=2).sum().backward()
    assert w.grad[2].tolist() == [0.0, 0.0, 0.0]
    assert w.grad[0].tolist() == [1.0, 1.0, 1.0] and w.grad[4].tolist() == [1.0, 1.0, 1.0]
    w.grad = None
    F.embedding(idx, w, padding_idx=-4).sum().backward()  # -4 is row 2 of 6
    assert w.grad[2].tolist() == [0.0, 0.0, 0.0]


def test_padding_idx_output_is_the_row_itself():
    w = _weight()  # F.embedding does not zero the row: only the gradient is affected
    assert_close(F.embedding(npgrad.tensor([1]), w, padding_idx=1)[0], w._data[1])


def test_scale_grad_by_freq_divides_by_the_count():
    w = _weight()
    idx = npgrad.tensor([[3, 3, 1], [3, 1, 0]])
    F.embedding(idx, w, scale_grad_by_freq=True).sum().backward()
    assert_close(w.grad[:, 0], np.array([1.0, 1.0, 0.0, 1.0, 0.0, 0.0]))  # counts cancel sums


def test_gradcheck_and_double_backward():
    w = _weight(4, 2)
    idx = npgrad.tensor([[0, 3], [3, 3]])
    fn = lambda t: F.embedding(idx, t) ** 2  # noqa: E731
    assert gradcheck(fn, (w,)) and gradgradcheck(fn, (w,))
    # with padding_idx / scale_grad_by_freq the gradient is PyTorch's rule, not the
    # derivative; it is still a linear map of the output gradient, whose own backward
    # (the double backward) must be its exact adjoint
    for kwargs in ({"padding_idx": 3}, {"scale_grad_by_freq": True}):

        def grad_of(v, kw=kwargs):
            out = F.embedding(idx, w, **kw)
            return npgrad.autograd.grad(out, w, v, create_graph=True)[0]

        v = npgrad.tensor(RNG.standard_normal((2, 2, 2)), requires_grad=True)
        assert gradcheck(grad_of, (v,))


def test_max_norm_renormalises_looked_up_rows_in_place():
    w = npgrad.tensor(
        np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0], [30.0, 40.0]]), requires_grad=True
    )
    before = w._version
    out = F.embedding(npgrad.tensor([0, 1, 0, 2]), w, max_norm=1.0)
    scale = lambda n: 1.0 / (n + 1e-7)  # noqa: E731 - PyTorch's max_norm / (norm + 1e-7)
    assert_close(w[0], np.array([3.0, 4.0]) * scale(5.0))
    assert_close(w[1], np.array([0.3, 0.4]))  # norm 0.5 <= 1: untouched
    assert_close(w[2], np.array([6.0, 8.0]) * scale(10.0))
    assert_close(w[3], np.array([30.0, 40.0]))  # not looked up: untouched
    assert w._version > before
    assert_close(out, w._data[[0, 1, 0, 2]])  # the lookup sees the renormalised rows
    assert w.grad_fn is None  # renormalisation is not recorded


@pytest.mark.parametrize("norm_type", [1.0, 3.0, float("inf")])
def test_max_norm_with_other_norms(norm_type):
    w = _weight(5, 4)
    F.embedding(npgrad.tensor([1, 3]), w, max_norm=0.5, norm_type=norm_type)
    norms = np.linalg.norm(w._data[[1, 3]], ord=norm_type, axis=1)
    assert (norms <= 0.5 + 1e-6).all()


def test_errors():
    w = _weight()
    with pytest.raises(IndexError, match="index 6 is out of range"):
        F.embedding(npgrad.tensor([6]), w)
    with pytest.raises(IndexError, match="index -1 is out of range"):
        F.embedding(npgrad.tensor([-1]), w)
    with pytest.raises(TypeError, match="integer dtype"):
        F.embedding(npgrad.tensor([1.0]), w)
    with pytest.raises(ValueError, match="must be 2-D"):
        F.embedding(npgrad.tensor([1]), npgrad.zeros(3))
    with pytest.raises(ValueError, match="Padding_idx must be within num_embeddings"):
        F.embedding(npgrad.tensor([1]), w, padding_idx=6)
    with pytest.raises(TypeError, match="input to be a Tensor"):
        F.embedding([1], w)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"padding_idx": 1},
        {"scale_grad_by_freq": True},
        {"padding_idx": -1, "scale_grad_by_freq": True},
    ],
)
def test_matches_torch_output_and_weight_gradient(dtype, kwargs):
    torch = pytest.importorskip("torch")
    w = _weight(6, 4, getattr(np, dtype))
    idx = RNG.integers(0, 6, (3, 5))
    tw = torch.tensor(w._data, requires_grad=True)
    g = RNG.standard_normal((3, 5, 4)).astype(dtype)
    tout = torch.nn.functional.embedding(torch.tensor(idx), tw, **kwargs)
    tout.backward(torch.tensor(g))
    out = F.embedding(npgrad.tensor(idx), w, **kwargs)
    out.backward(npgrad.tensor(g))
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {}
    assert_close(out, tout.detach().numpy(), **tol)
    assert_close(w.grad, tw.grad.numpy(), **tol)


@pytest.mark.torch
@pytest.mark.parametrize("norm_type", [2.0, 1.0])
def test_max_norm_matches_torch(norm_type):
    torch = pytest.importorskip("torch")
    w = _weight(6, 4) * 3
    w = npgrad.tensor(w._data, requires_grad=True)
    tw = torch.tensor(w._data.copy(), requires_grad=True)
    idx = np.array([[0, 2, 2], [5, 0, 1]])
    tout = torch.nn.functional.embedding(torch.tensor(idx), tw, max_norm=1.5, norm_type=norm_type)
    out = F.embedding(npgrad.tensor(idx), w, max_norm=1.5, norm_type=norm_type)
    assert_close(w, tw.detach().numpy())
    assert_close(out, tout.detach().numpy())


# ---- embedding_bag ----------------------------------------------------------------------------
BAG_IDX = np.array([1, 2, 0, 4, 4, 6, 2, 0, 1])
BAG_OFFSETS = np.array([0, 2, 2, 5])  # bag 1 is empty


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_matches_a_numpy_reference(mode):
    w = _weight(7, 3)
    out = F.embedding_bag(npgrad.tensor(BAG_IDX), w, npgrad.tensor(BAG_OFFSETS), mode=mode)
    bounds = list(BAG_OFFSETS) + [len(BAG_IDX)]
    expected = []
    for s, e in zip(bounds[:-1], bounds[1:]):
        rows = w._data[BAG_IDX[s:e]]
        if not len(rows):
            expected.append(np.zeros(3))
        else:
            expected.append({"sum": rows.sum(0), "mean": rows.mean(0), "max": rows.max(0)}[mode])
    assert_close(out, np.array(expected))
    two_d = F.embedding_bag(npgrad.tensor(BAG_IDX[:8].reshape(2, 4)), w, mode=mode)
    ref = {"sum": np.sum, "mean": np.mean, "max": np.max}[mode](
        w._data[BAG_IDX[:8].reshape(2, 4)], axis=1
    )
    assert_close(two_d, ref)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_gradcheck_and_gradgradcheck(mode):
    w = _weight(7, 3)
    idx, offsets = npgrad.tensor(BAG_IDX), npgrad.tensor(BAG_OFFSETS)

    def fn(t):
        return F.embedding_bag(idx, t, offsets, mode=mode) ** 2

    def fs(t, p):
        return F.embedding_bag(idx, t, offsets, mode="sum", per_sample_weights=p)

    assert gradcheck(fn, (w,)) and gradgradcheck(fn, (w,))
    psw = npgrad.tensor(RNG.standard_normal(9), requires_grad=True)
    assert gradcheck(fs, (w, psw)) and gradgradcheck(fs, (w, psw))


def test_embedding_bag_errors():
    w = _weight(7, 3)
    idx = npgrad.tensor(BAG_IDX)
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor but got None"):
        F.embedding_bag(idx, w)
    with pytest.raises(ValueError, match="if input is 2D, then offsets has to be None"):
        F.embedding_bag(idx.reshape(3, 3), w, npgrad.tensor([0]))
    with pytest.raises(ValueError, match="mode has to be one of sum, mean or max"):
        F.embedding_bag(idx, w, npgrad.tensor([0]), mode="min")
    with pytest.raises(NotImplementedError, match="only supported for mode='sum'"):
        F.embedding_bag(
            idx, w, npgrad.tensor([0]), per_sample_weights=npgrad.ones(9, dtype=npgrad.float64)
        )
    with pytest.raises(ValueError, match="must have the same shape as the input"):
        F.embedding_bag(idx, w, npgrad.tensor([0]), mode="sum", per_sample_weights=npgrad.ones(3))
    with pytest.raises(ValueError, match="offsets must start at 0"):
        F.embedding_bag(idx, w, npgrad.tensor([1, 3]))
    with pytest.raises(ValueError, match="max mode does not support scaling"):
        F.embedding_bag(idx, w, npgrad.tensor([0]), mode="max", scale_grad_by_freq=True)
    with pytest.raises(IndexError, match="index 7 is out of range"):
        F.embedding_bag(npgrad.tensor([7]), w, npgrad.tensor([0]))


def test_embedding_bag_scale_grad_by_freq_counts_every_index():
    # F.embedding's rule: each row's gradient is divided by its index's count. (torch 2.13's
    # CPU embedding_bag gives 0.5 for index 5 here: it uses the previous index's count.)
    w = _weight(7, 1)
    F.embedding_bag(
        npgrad.tensor([3, 3, 5]), w, npgrad.tensor([0]), mode="sum", scale_grad_by_freq=True
    ).sum().backward()
    assert w.grad[:, 0].tolist() == [0, 0, 0, 1, 0, 1, 0]


def test_embedding_bag_include_last_offset_is_csr():
    w = _weight(7, 3)
    a = F.embedding_bag(
        npgrad.tensor(BAG_IDX), w, npgrad.tensor([0, 2, 2, 5, 9]), include_last_offset=True
    )
    assert_close(a, F.embedding_bag(npgrad.tensor(BAG_IDX), w, npgrad.tensor(BAG_OFFSETS)))
    with pytest.raises(ValueError, match="last offset must equal the number of indices"):
        F.embedding_bag(
            npgrad.tensor(BAG_IDX), w, npgrad.tensor([0, 2, 8]), include_last_offset=True
        )


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"padding_idx": 0},
        {"padding_idx": 4, "include_last_offset": True},
        {"scale_grad_by_freq": True, "equal_counts": True},
        {"max_norm": 1.0},
        {"two_d": True, "padding_idx": 2},
        {"per_sample_weights": True},
    ],
)
def test_embedding_bag_matches_torch(mode, kwargs):
    torch = pytest.importorskip("torch")
    kwargs = dict(kwargs)
    if (
        mode == "max"
        and kwargs.get("scale_grad_by_freq")
        or mode != "sum"
        and kwargs.get("per_sample_weights")
    ):
        return  # combinations torch refuses (tested in test_embedding_bag_errors)
    w = _weight(7, 3)
    tw = torch.tensor(w._data.copy(), requires_grad=True)
    idx, offs = BAG_IDX, BAG_OFFSETS
    if kwargs.pop("equal_counts", False):
        # every index twice: torch 2.13's CPU kernel mis-scales the largest index otherwise
        # (see test_embedding_bag_scale_grad_by_freq_counts_every_index)
        idx = np.array([1, 2, 0, 4, 4, 1, 2, 0])
        offs = np.array([0, 2, 2, 5])
    elif kwargs.pop("two_d", False):
        idx, offs = BAG_IDX[:8].reshape(2, 4), None
    elif kwargs.get("include_last_offset"):
        offs = np.append(offs, len(idx))  # CSR form: the end of the last bag
    psw = tpsw = None
    if kwargs.pop("per_sample_weights", False):
        p = RNG.standard_normal(idx.shape)
        psw, tpsw = npgrad.tensor(p, requires_grad=True), torch.tensor(p, requires_grad=True)
    toffs = None if offs is None else torch.tensor(offs)
    tout = torch.nn.functional.embedding_bag(
        torch.tensor(idx), tw, toffs, mode=mode, per_sample_weights=tpsw, **kwargs
    )
    out = F.embedding_bag(
        npgrad.tensor(idx),
        w,
        None if offs is None else npgrad.tensor(offs),
        mode=mode,
        per_sample_weights=psw,
        **kwargs,
    )
    g = RNG.standard_normal(out.shape)
    tout.backward(torch.tensor(g))
    out.backward(npgrad.tensor(g))
    assert_close(out, tout.detach().numpy())
    assert_close(w, tw.detach().numpy())
    assert_close(w.grad, tw.grad.numpy())
    if psw is not None:
        assert_close(psw.grad, tpsw.grad.numpy())
