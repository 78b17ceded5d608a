"""nn.functional.ctc_loss and nn.CTCLoss: values against a brute-force sum over every path,
reductions, zero_infinity, repeated labels, unbatched input, gradcheck, the refusal of second
order, errors, and PyTorch parity of values and gradients."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import npgrad
import npgrad.nn.functional as F
from npgrad import nn
from npgrad.autograd import gradcheck
from npgrad.testing import assert_close

RNG = np.random.default_rng(11)


def t(a, requires_grad=False):
    return npgrad.tensor(np.asarray(a), requires_grad=requires_grad)


def log_softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def random_log_probs(steps, n, c, dtype=np.float64, rng=RNG):
    return log_softmax(rng.standard_normal((steps, n, c)) * 2).astype(dtype)


def brute_force_nll(lp, target, blank):
    """-log of the summed probability of every path (T frames over C classes) that collapses
    to ``target`` (repeats merged, then blanks dropped): the definition, by enumeration."""
    steps, c = lp.shape
    total = 0.0
    for path in itertools.product(range(c), repeat=steps):
        merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        if [k for k in merged if k != blank] == list(target):
            total += math.exp(sum(lp[i, k] for i, k in enumerate(path)))
    return -math.log(total) if total else math.inf


# ---- values ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("steps", "c", "blank", "target"),
    [
        (4, 3, 0, [1, 2]),
        (4, 3, 0, [1, 1]),  # a repeated label needs a blank between: 1 0 1 at least
        (3, 3, 0, [1, 1]),
        (2, 3, 0, [1, 1]),  # impossible: inf
        (3, 3, 2, [0, 1]),  # blank not 0
        (4, 2, 1, [0, 0, 0]),
        (3, 3, 1, []),  # empty target: all blanks
        (5, 3, 0, [2, 1, 2]),
    ],
)
def test_values_equal_the_sum_over_every_path(steps, c, blank, target):
    lp = random_log_probs(steps, 1, c)
    out = F.ctc_loss(t(lp), t([target]), [steps], [len(target)], blank=blank, reduction="none")
    expected = brute_force_nll(lp[:, 0], target, blank)
    assert out.shape == (1,)
    if math.isinf(expected):
        assert out.item() == math.inf
    else:
        assert out.item() == pytest.approx(expected, rel=1e-12)


def test_input_lengths_cut_each_sequence():
    lp = random_log_probs(5, 3, 4)
    targets = np.array([[1, 2, 0], [3, 3, 1], [2, 0, 0]])
    il, tl = [5, 4, 2], [2, 3, 1]
    out = F.ctc_loss(t(lp), t(targets), il, tl, reduction="none").numpy()
    for b in range(3):
        ref = brute_force_nll(lp[: il[b], b], targets[b, : tl[b]], 0)
        assert out[b] == pytest.approx(ref, rel=1e-12)


def test_padded_and_concatenated_targets_agree():
    lp = t(random_log_probs(6, 3, 5), requires_grad=True)
    padded = np.array([[1, 2, 3, 9], [4, 4, 0, 0], [2, 0, 0, 0]])  # entries past a length: any
    tl = [3, 2, 1]
    concat = np.array([1, 2, 3, 4, 4, 2])
    a = F.ctc_loss(lp, t(padded), [6, 5, 6], tl, reduction="none")
    (ga,) = npgrad.autograd.grad(a.sum(), lp)
    b = F.ctc_loss(lp, t(concat), (6, 5, 6), tuple(tl), reduction="none")
    (gb,) = npgrad.autograd.grad(b.sum(), lp)
    assert_close(a, b, rtol=0, atol=0)
    assert_close(ga, gb, rtol=0, atol=0)


def test_reductions():
    lp = t(random_log_probs(6, 3, 4))
    targets, il, tl = t([[1, 2, 3], [2, 2, 1], [3, 1, 1]]), [6, 6, 5], [3, 0, 1]
    per = F.ctc_loss(lp, targets, il, tl, reduction="none").numpy()
    mean = F.ctc_loss(lp, targets, il, tl)  # the default
    total = F.ctc_loss(lp, targets, il, tl, reduction="sum")
    # 'mean': each loss over its target length (at least 1), then the batch mean
    assert mean.item() == pytest.approx((per / np.array([3.0, 1.0, 1.0])).mean(), rel=1e-12)
    assert total.item() == pytest.approx(per.sum(), rel=1e-12)
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.ctc_loss(lp, targets, il, tl, reduction="avg")


def test_zero_length_input():
    lp = t(random_log_probs(3, 2, 3), requires_grad=True)
    out = F.ctc_loss(lp, t([[1], [1]]), [0, 0], [1, 0], reduction="none")
    assert out.tolist() == [math.inf, 0.0]
    (g,) = npgrad.autograd.grad(out[1], lp)
    assert not g.numpy().any()


@pytest.mark.filterwarnings("error")  # no NaN / divide warnings leak from the -inf arithmetic
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_zero_infinity_zeros_infinite_losses_and_their_gradients(reduction):
    lp = t(random_log_probs(3, 2, 3), requires_grad=True)
    targets, il, tl = t([[1, 2], [1, 1]]), [3, 2], [2, 2]  # the first fits, [1, 1] in 2 does not
    plain = F.ctc_loss(lp, targets, il, tl, reduction="none")
    assert math.isfinite(plain[0].item()) and plain[1].item() == math.inf
    (g,) = npgrad.autograd.grad(plain.sum(), lp)
    # an infinite loss has a nan gradient (PyTorch's) on its frames, 0 past its length
    assert np.isnan(g.numpy()[:2, 1]).all() and not g.numpy()[2, 1].any()
    assert np.isfinite(g.numpy()[:, 0]).all()
    out = F.ctc_loss(lp, targets, il, tl, reduction=reduction, zero_infinity=True)
    (g,) = npgrad.autograd.grad(out.sum(), lp)
    assert not g.numpy()[:, 1].any()
    kept = plain[0].item() / (2 if reduction == "mean" else 1)
    expected = {"none": [kept, 0.0], "mean": kept / 2, "sum": kept}[reduction]
    assert out.tolist() == pytest.approx(expected, rel=1e-12)


def test_unbatched_input_is_a_batch_of_one():
    lp = random_log_probs(5, 1, 4)
    x1 = t(lp[:, 0], requires_grad=True)
    x3 = t(lp, requires_grad=True)
    for reduction in ("none", "mean", "sum"):
        a = F.ctc_loss(x1, t([1, 3, 3]), t(5), t(3), reduction=reduction)
        b = F.ctc_loss(x3, t([[1, 3, 3]]), [5], [3], reduction=reduction)
        assert a.shape == ()
        assert a.item() == pytest.approx(b.reshape(()).item(), rel=1e-14)
        (ga,) = npgrad.autograd.grad(a, x1)
        (gb,) = npgrad.autograd.grad(b.sum(), x3)
        assert_close(ga, gb[:, 0], rtol=0, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_in_the_loss_and_the_gradient(dtype):
    lp = t(random_log_probs(4, 2, 3, dtype), requires_grad=True)
    for reduction in ("none", "mean", "sum"):
        out = F.ctc_loss(lp, t([[1, 2], [2, 0]]), [4, 3], [2, 1], reduction=reduction)
        assert out.dtype == dtype
        (g,) = npgrad.autograd.grad(out.sum(), lp)
        assert g.dtype == dtype


def test_lengths_as_tensors_lists_tuples_and_arrays():
    lp = t(random_log_probs(4, 2, 3))
    targets = t([[1, 2], [2, 1]])
    ref = F.ctc_loss(lp, targets, [4, 3], [2, 1], reduction="none")
    for il, tl in [
        ((4, 3), (2, 1)),
        (t([4, 3]), t([2, 1])),
        (t(np.array([4, 3], np.int32)), np.array([2, 1], np.uint8)),
        (np.array([4, 3]), [2, 1]),
    ]:
        assert_close(F.ctc_loss(lp, targets, il, tl, reduction="none"), ref, rtol=0, atol=0)
    # int32 targets (PyTorch casts any targets to int64)
    out = F.ctc_loss(lp, t(np.array([[1, 2], [2, 1]], np.int32)), [4, 3], [2, 1], reduction="none")
    assert_close(out, ref, rtol=0, atol=0)


def test_gradient_is_exp_log_probs_minus_the_posterior():
    # one frame, target [1]: the only path is "1", so the posterior is one-hot
    lp = t(np.log([[[0.2, 0.5, 0.3]]]), requires_grad=True)
    out = F.ctc_loss(lp, t([[1]]), [1], [1], reduction="sum")
    out.backward()
    assert out.item() == pytest.approx(-math.log(0.5))
    assert_close(lp.grad, t([[[0.2, -0.5, 0.3]]]), rtol=1e-12, atol=1e-15)


@pytest.mark.filterwarnings("error")
def test_zero_probabilities_give_finite_gradients():
    # log_probs of -inf (a class with probability 0): the gradient is exp(-inf) - 0 = 0 there
    # (PyTorch's kernel computes -inf + inf = nan for those entries: a deliberate difference)
    with np.errstate(divide="ignore"):
        probs = np.array([[[0.5, 0.5, 0.0]], [[0.5, 0.25, 0.25]], [[1.0, 0.0, 0.0]]])
        lp = t(np.log(probs), requires_grad=True)
    out = F.ctc_loss(lp, t([[1]]), [3], [1], reduction="sum")
    out.backward()
    assert out.item() == pytest.approx(-math.log(0.5))
    assert np.isfinite(lp.grad.numpy()).all()
    assert lp.grad.numpy()[2, 0, 1] == 0.0 and lp.grad.numpy()[0, 0, 2] == 0.0


# ---- gradients -------------------------------------------------------------------------------
GRAD_CASES = {
    "padded": ([[1, 2], [2, 2]], [4, 4], [2, 2], 0),
    "concatenated": ([1, 2, 2], [4, 3], [1, 2], 0),
    "blank_2_short_inputs": ([[0, 1], [1, 0]], [3, 2], [2, 1], 2),
    "empty_target": ([[1, 1], [2, 0]], [4, 4], [2, 0], 0),
}


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("case", sorted(GRAD_CASES))
def test_gradcheck(case, reduction):
    targets, il, tl, blank = GRAD_CASES[case]
    z = t(RNG.standard_normal((4, 2, 3)), requires_grad=True)

    def f(z):  # valid log-probabilities: a log_softmax of the leaf
        return F.ctc_loss(
            npgrad.log_softmax(z, 2), t(targets), il, tl, blank=blank, reduction=reduction
        )

    assert gradcheck(f, (z,))


def test_gradcheck_unbatched_and_zero_infinity():
    z = t(RNG.standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda z: F.ctc_loss(npgrad.log_softmax(z, 1), t([1, 3]), [3], [2]), (z,))
    zb = t(RNG.standard_normal((3, 2, 3)), requires_grad=True)
    assert gradcheck(
        lambda z: F.ctc_loss(
            npgrad.log_softmax(z, 2), t([[1, 1], [1, 2]]), [2, 3], [2, 2], zero_infinity=True
        ),
        (zb,),
    )


def test_second_order_raises_naming_the_op():
    lp = t(random_log_probs(4, 2, 3), requires_grad=True)
    out = F.ctc_loss(lp, t([[1, 2], [2, 1]]), [4, 4], [2, 2])
    (g,) = npgrad.autograd.grad(out, lp, create_graph=True)  # first order still works
    plain = F.ctc_loss(lp, t([[1, 2], [2, 1]]), [4, 4], [2, 2])
    (g1,) = npgrad.autograd.grad(plain, lp)
    assert_close(g, g1, rtol=0, atol=0)
    with pytest.raises(RuntimeError, match="CtcLossBackward.*second-order"):
        npgrad.autograd.grad(g.sum(), lp)


def test_second_backward_without_retain_graph_raises():
    lp = t(random_log_probs(3, 1, 3), requires_grad=True)
    out = F.ctc_loss(lp, t([[1]]), [3], [1])
    out.backward(retain_graph=False)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out.backward()


# ---- errors ----------------------------------------------------------------------------------
LP = random_log_probs(4, 2, 3)
GOOD = {"log_probs": t(LP), "targets": t([[1, 2], [2, 1]]), "il": [4, 4], "tl": [2, 2]}

ERRORS = [
    (
        {"log_probs": t(LP[0, 0])},
        ValueError,
        r"ctc_loss: expected log_probs of shape \(T, N, C\) or \(T, C\), got shape \(3,\)",
    ),
    (
        {"log_probs": t(LP[None])},
        ValueError,
        r"ctc_loss: expected log_probs .* got shape \(1, 4, 2, 3\)",
    ),
    ({"log_probs": t(LP[:0])}, ValueError, r"ctc_loss: log_probs tensor must not be empty"),
    ({"log_probs": t(LP.astype(np.float16))}, TypeError, r"ctc_loss: expected float32 or float64"),
    (
        {"log_probs": t(np.zeros((4, 2, 3), np.int64))},
        TypeError,
        r"ctc_loss: expected a floating point log_probs",
    ),
    (
        {"targets": t([[[1]]])},
        ValueError,
        r"ctc_loss: expected targets of shape \(N, S\) or \(sum\(target_lengths\),\), got shape \(1, 1, 1\)",
    ),
    (
        {"targets": t([[1, 2]])},
        ValueError,
        r"ctc_loss: padded targets of shape \(1, 2\) must be of shape \(N, S\) with N = 2",
    ),
    (
        {"tl": [3, 2]},
        ValueError,
        r"ctc_loss: padded targets of shape \(2, 2\) .* S >= max\(target_lengths\) = 3",
    ),
    (
        {"targets": t([1, 2, 2])},
        ValueError,
        r"ctc_loss: concatenated targets of shape \(3,\) must hold sum\(target_lengths\) = 4",
    ),
    ({"il": [4, 5]}, ValueError, r"ctc_loss: input_lengths must be in \[0, 4\] .* got \[4, 5\]"),
    ({"il": [4, -1]}, ValueError, r"ctc_loss: input_lengths must be in \[0, 4\]"),
    ({"tl": [2, -1]}, ValueError, r"ctc_loss: target_lengths must be >= 0, got \[2, -1\]"),
    (
        {"il": [4, 4, 4]},
        ValueError,
        r"ctc_loss: input_lengths must be of size batch_size \(2\), got 3",
    ),
    ({"tl": [2]}, ValueError, r"ctc_loss: target_lengths must be of size batch_size \(2\), got 1"),
    (
        {"il": t([4.0, 4.0])},
        TypeError,
        r"ctc_loss: input_lengths must be integral, got dtype float",
    ),
    ({"il": [4.0, 4.0]}, TypeError, r"ctc_loss: input_lengths must be a list or tuple of ints"),
    (
        {"tl": 2},
        TypeError,
        r"ctc_loss: expected target_lengths to be a Tensor, list or tuple of ints, got int",
    ),
    (
        {"targets": t([[1, 3], [2, 1]])},
        IndexError,
        r"ctc_loss: target index 3 is out of bounds .* \[0, 3\)",
    ),
    ({"targets": t([[1, -1], [2, 1]])}, IndexError, r"ctc_loss: target index -1 is out of bounds"),
    ({"targets": t([[1, 0], [2, 1]])}, ValueError, r"ctc_loss: a target index equals blank=0"),
    ({"blank": 3}, ValueError, r"ctc_loss: blank must be in label range \[0, 3\) .* got 3"),
    ({"blank": -1}, ValueError, r"ctc_loss: blank must be in label range"),
]


@pytest.mark.parametrize(("change", "error", "message"), ERRORS)
def test_errors_name_the_loss_and_the_shapes(change, error, message):
    args = {**GOOD, **change}
    blank = args.pop("blank", 0)
    with pytest.raises(error, match=message):
        F.ctc_loss(args["log_probs"], args["targets"], args["il"], args["tl"], blank=blank)


def test_value_errors_are_runtime_errors_as_in_pytorch():
    with pytest.raises(RuntimeError):
        F.ctc_loss(GOOD["log_probs"], GOOD["targets"], [4, 5], [2, 2])
    with pytest.raises(RuntimeError):
        F.ctc_loss(GOOD["log_probs"], GOOD["targets"], [4, 4], [2, 2], blank=5)


def test_padding_past_a_target_length_is_not_checked():
    # blank (or any value) may pad a target past its length
    out = F.ctc_loss(GOOD["log_probs"], t([[1, 0], [2, -7]]), [4, 4], [1, 1], reduction="none")
    ref = F.ctc_loss(GOOD["log_probs"], t([1, 2]), [4, 4], [1, 1], reduction="none")
    assert_close(out, ref, rtol=0, atol=0)


# ---- the module ------------------------------------------------------------------------------
def test_module_forward_equals_functional_and_repr():
    lp = t(random_log_probs(5, 2, 4), requires_grad=True)
    args = (t([[1, 3, 3], [2, 0, 0]]), [5, 4], [3, 1])
    for kw in ({}, {"blank": 0, "reduction": "sum"}, {"reduction": "none", "zero_infinity": True}):
        m = nn.CTCLoss(**kw)
        assert_close(m(lp, *args), F.ctc_loss(lp, *args, **kw), rtol=0, atol=0)
        assert repr(m) == "CTCLoss()"
    m = nn.CTCLoss(blank=3, reduction="sum", zero_infinity=True)
    assert (m.blank, m.reduction, m.zero_infinity) == (3, "sum", True)
    out = m(lp, t([[1, 2, 2], [2, 0, 0]]), [5, 4], [3, 1])
    out.backward()
    assert lp.grad is not None and lp.grad.shape == (5, 2, 4)


# ---- PyTorch parity --------------------------------------------------------------------------
def _random_problem(rng, dtype, concatenated, impossible, blank_not_0):
    steps, n, c = int(rng.integers(3, 9)), int(rng.integers(1, 5)), int(rng.integers(3, 7))
    blank = int(rng.integers(1, c)) if blank_not_0 else 0
    labels = np.array([k for k in range(c) if k != blank])
    tl = rng.integers(0, 4, n)
    il = rng.integers(max(1, steps - 3), steps + 1, n)
    if impossible:  # a target longer than its input (or repeated labels without room)
        il[0], tl[0] = 2, 3
    width = int(tl.max()) + int(rng.integers(0, 2))
    padded = labels[rng.integers(0, labels.size, (n, width))]
    if n > 1 and width >= 2:  # a repeated label: needs a blank between its copies
        padded[1, :2] = padded[1, 0]
        tl[1] = max(tl[1], 2)
        il[1] = max(il[1], 3)
    targets = np.concatenate([padded[b, : tl[b]] for b in range(n)]) if concatenated else padded
    lp = random_log_probs(steps, n, c, dtype, rng)
    return lp, targets, il, tl, blank


@pytest.mark.torch
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("concatenated", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_parity_with_torch(dtype, concatenated, reduction, zero_infinity):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(
        [dtype == np.float32, concatenated, ["none", "mean", "sum"].index(reduction)]
    )
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    for k in range(6):
        lp, targets, il, tl, blank = _random_problem(
            rng, dtype, concatenated, impossible=k % 2 == 1, blank_not_0=k >= 3
        )
        x = t(lp, requires_grad=True)
        out = F.ctc_loss(x, t(targets), list(il), t(tl), blank, reduction, zero_infinity)
        tx = torch.tensor(lp, requires_grad=True)
        ref = torch.nn.functional.ctc_loss(
            tx,
            torch.tensor(targets),
            torch.tensor(il),
            torch.tensor(tl),
            blank,
            reduction,
            zero_infinity,
        )
        assert out.shape == tuple(ref.shape) and out.dtype == dtype
        np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), **tol)
        w = rng.uniform(0.5, 1.5, out.shape).astype(dtype)
        (out * t(w)).sum().backward()
        (ref * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), **tol)  # nan where torch's


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_unbatched_parity_with_torch(reduction):
    torch = pytest.importorskip("torch")
    lp = random_log_probs(6, 1, 5)[:, 0]
    x = t(lp, requires_grad=True)
    out = F.ctc_loss(x, t([4, 1, 1]), t(6), t(3), blank=2, reduction=reduction)
    tx = torch.tensor(lp, requires_grad=True)
    ref = torch.nn.functional.ctc_loss(
        tx, torch.tensor([4, 1, 1]), torch.tensor(6), torch.tensor(3), 2, reduction
    )
    assert out.shape == tuple(ref.shape) == ()
    out.backward()
    ref.backward()
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.torch
def test_module_repr_and_values_match_torch():
    torch = pytest.importorskip("torch")
    lp = random_log_probs(5, 2, 4)
    for kw in ({}, {"blank": 3, "reduction": "sum", "zero_infinity": True}):
        ours, theirs = nn.CTCLoss(**kw), torch.nn.CTCLoss(**kw)
        assert repr(ours) == repr(theirs)
        args = ([[1, 2, 2], [2, 1, 1]], [5, 3], [3, 2])
        a = ours(t(lp), t(args[0]), *args[1:])
        b = theirs(torch.tensor(lp), torch.tensor(args[0]), *args[1:])
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
