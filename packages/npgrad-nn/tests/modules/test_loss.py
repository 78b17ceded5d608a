"""Loss modules: constructors (legacy arguments, validation), buffers, forward = functional,
repr, and PyTorch parity of whole modules."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import npgrad
import npgrad.nn.functional as F
from npgrad import nn
from npgrad.testing import assert_close

RNG = np.random.default_rng(5)


def t(a, requires_grad=False):
    return npgrad.tensor(np.asarray(a), requires_grad=requires_grad)


X, Y = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
P, T01 = RNG.uniform(0.1, 0.9, (4, 3)), RNG.uniform(0, 1, (4, 3))
SIGN4, CLASSES = np.sign(RNG.standard_normal(4)), np.array([0, 2, 1, 2])

# module, its functional twin, the inputs
CASES = [
    (nn.L1Loss(), lambda a, b: F.l1_loss(a, b), (X, Y)),
    (nn.MSELoss(reduction="sum"), lambda a, b: F.mse_loss(a, b, reduction="sum"), (X, Y)),
    (nn.SmoothL1Loss(beta=0.5), lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), (X, Y)),
    (nn.HuberLoss(delta=0.5), lambda a, b: F.huber_loss(a, b, delta=0.5), (X, Y)),
    (
        nn.NLLLoss(weight=t([1.0, 2.0, 3.0])),
        lambda a, b: F.nll_loss(a, b, weight=t([1.0, 2.0, 3.0])),
        (X, CLASSES),
    ),
    (
        nn.CrossEntropyLoss(ignore_index=1, label_smoothing=0.1),
        lambda a, b: F.cross_entropy(a, b, ignore_index=1, label_smoothing=0.1),
        (X, CLASSES),
    ),
    (
        nn.BCELoss(reduction="none"),
        lambda a, b: F.binary_cross_entropy(a, b, reduction="none"),
        (P, T01),
    ),
    (
        nn.BCEWithLogitsLoss(pos_weight=t([1.0, 2.0, 3.0])),
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=t([1.0, 2.0, 3.0])),
        (X, T01),
    ),
    (
        nn.KLDivLoss(reduction="batchmean"),
        lambda a, b: F.kl_div(a, b, reduction="batchmean"),
        (np.log(P), T01),
    ),
    (
        nn.PoissonNLLLoss(full=True),
        lambda a, b: F.poisson_nll_loss(a, b, full=True),
        (X, np.abs(Y)),
    ),
    (
        nn.GaussianNLLLoss(eps=1e-3),
        lambda a, b, v: F.gaussian_nll_loss(a, b, v, eps=1e-3),
        (X, Y, P),
    ),
    (
        nn.MarginRankingLoss(margin=0.2),
        lambda a, b, c: F.margin_ranking_loss(a, b, c, margin=0.2),
        (X[:, 0], Y[:, 0], SIGN4),
    ),
    (
        nn.HingeEmbeddingLoss(margin=2.0),
        lambda a, b: F.hinge_embedding_loss(a, b, margin=2.0),
        (X, np.sign(Y)),
    ),
    (nn.SoftMarginLoss(), lambda a, b: F.soft_margin_loss(a, b), (X, np.sign(Y))),
    (
        nn.MultiLabelSoftMarginLoss(),
        lambda a, b: F.multilabel_soft_margin_loss(a, b),
        (X, (Y > 0) * 1.0),
    ),
    (nn.MultiMarginLoss(p=2), lambda a, b: F.multi_margin_loss(a, b, p=2), (X, CLASSES)),
    (
        nn.CosineEmbeddingLoss(margin=0.3),
        lambda a, b, c: F.cosine_embedding_loss(a, b, c, margin=0.3),
        (X, Y, SIGN4),
    ),
    (
        nn.TripletMarginLoss(margin=0.5, p=1.0, swap=True),
        lambda a, b, c: F.triplet_margin_loss(a, b, c, margin=0.5, p=1.0, swap=True),
        (X, Y, P),
    ),
]


@pytest.mark.parametrize("case", range(len(CASES)), ids=lambda i: type(CASES[i][0]).__name__)
def test_module_forward_equals_functional_and_backpropagates(case):
    module, fn, arrays = CASES[case]
    args = [t(a, requires_grad=a.dtype.kind == "f" and i == 0) for i, a in enumerate(arrays)]
    out = module(*args)
    assert_close(out, fn(*args))
    out.sum().backward()
    assert args[0].grad is not None and args[0].grad.shape == args[0].shape
    assert repr(module) == f"{type(module).__name__}()"


def test_weight_buffers_are_in_the_state_dict():
    ce = nn.CrossEntropyLoss(weight=t([1.0, 2.0]))
    assert list(ce.state_dict()) == ["weight"] and list(dict(ce.named_parameters())) == []
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    bce = nn.BCEWithLogitsLoss(weight=t([1.0]), pos_weight=t([2.0]))
    assert list(bce.state_dict()) == ["weight", "pos_weight"]
    bce.double()
    assert bce.pos_weight.dtype == np.float64


def test_legacy_arguments_set_the_reduction():
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.CrossEntropyLoss(reduce=False).reduction == "none"
    with pytest.warns(UserWarning, match="reduction='mean'"):
        assert nn.NLLLoss(size_average=True, reduce=True).reduction == "mean"
    assert nn.L1Loss(reduction="sum").reduction == "sum"


def test_constructor_validation():
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="expected weight to be None or 1D tensor"):
        nn.MultiMarginLoss(weight=t(np.ones((2, 2))))
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginLoss(margin=0.0)
    with pytest.raises(TypeError, match="delta must be a float or int"):
        nn.HuberLoss(delta="1")
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        nn.L1Loss(reduction="avg")(t(X), t(Y))


def test_bad_targets_through_modules():
    with pytest.raises(IndexError, match=r"^Target 3 is out of bounds\."):
        nn.CrossEntropyLoss()(t(X), t(np.array([0, 3, 1, 1])))
    with pytest.raises(
        ValueError,
        match=r"cross_entropy: expected target of shape \(4,\) .* got target of shape \(3,\)",
    ):
        nn.CrossEntropyLoss()(t(X), t(np.array([0, 1, 1])))


def test_training_step_reduces_the_loss():
    # a tiny end-to-end check: gradient descent with CrossEntropyLoss on separable data
    x = t(np.concatenate([RNG.normal(-2, 1, (20, 2)), RNG.normal(2, 1, (20, 2))]))
    y = t(np.repeat([0, 1], 20))
    w = t(np.zeros((2, 2)), requires_grad=True)
    loss_fn = nn.CrossEntropyLoss()
    first = None
    for _ in range(20):
        loss = loss_fn(x @ w, y)
        first = loss.item() if first is None else first
        w.grad = None
        loss.backward()
        with npgrad.no_grad():
            w.sub_(w.grad * 0.5)
    assert loss.item() < 0.5 * first


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_parity_with_torch_modules(dtype):
    torch = pytest.importorskip("torch")
    tn = torch.nn
    weights = RNG.uniform(0.5, 2.0, 3)
    pairs = [
        (
            nn.NLLLoss(weight=t(weights)),
            tn.NLLLoss(weight=torch.tensor(weights)),
            (np.log(P), CLASSES),
        ),
        (
            nn.CrossEntropyLoss(weight=t(weights), label_smoothing=0.2),
            tn.CrossEntropyLoss(weight=torch.tensor(weights), label_smoothing=0.2),
            (X, CLASSES),
        ),
        (
            nn.BCEWithLogitsLoss(weight=t(weights), pos_weight=t(weights[::-1].copy())),
            tn.BCEWithLogitsLoss(
                weight=torch.tensor(weights), pos_weight=torch.tensor(weights[::-1].copy())
            ),
            (X, T01),
        ),
        (nn.BCELoss(weight=t(weights)), tn.BCELoss(weight=torch.tensor(weights)), (P, T01)),
        (
            nn.MultiMarginLoss(weight=t(weights), margin=0.7),
            tn.MultiMarginLoss(weight=torch.tensor(weights), margin=0.7),
            (X, CLASSES),
        ),
        (
            nn.MultiLabelSoftMarginLoss(weight=t(weights)),
            tn.MultiLabelSoftMarginLoss(weight=torch.tensor(weights)),
            (X, (Y > 0) * 1.0),
        ),
        (
            nn.KLDivLoss(reduction="batchmean", log_target=True),
            tn.KLDivLoss(reduction="batchmean", log_target=True),
            (np.log(P), np.log(T01)),
        ),
        (nn.TripletMarginLoss(swap=True), tn.TripletMarginLoss(swap=True), (X, Y, P)),
        (nn.SmoothL1Loss(beta=0.3), tn.SmoothL1Loss(beta=0.3), (X, Y)),
        (nn.HuberLoss(delta=0.3), tn.HuberLoss(delta=0.3), (X, Y)),
    ]
    tol = {"rtol": 2e-5, "atol": 2e-6} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    for ours, theirs, arrays in pairs:
        if dtype == np.float64:
            ours.double()
            theirs.double()
        else:
            ours.float()
            theirs.float()
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        args = [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]
        oa = [t(a, requires_grad=a.dtype.kind == "f") for a in args]
        ta = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in args]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y, ty = ours(*oa), theirs(*ta)
        y.backward()
        ty.backward()
        assert_close(y.detach(), ty.detach().numpy(), msg=repr(theirs), **tol)
        for a, b in zip(oa, ta):
            if b.grad is not None:
                assert_close(a.grad, b.grad.numpy(), msg=repr(theirs), **tol)
