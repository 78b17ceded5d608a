"""AdaptiveLogSoftmaxWithLoss: torch's structure and names, forward / log_prob / predict
against a NumPy reference, gradients of first and second order, errors, torch parity."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.nn import AdaptiveLogSoftmaxWithLoss, Module
from npgrad.nn.utils.stateless import functional_call

RNG = np.random.default_rng(11)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def reference_log_prob(m: AdaptiveLogSoftmaxWithLoss, x: np.ndarray) -> np.ndarray:
    """All classes' log-probabilities, in float64, straight from the definition."""
    x = x.astype(np.float64)
    w = {k: v.numpy().astype(np.float64) for k, v in m.state_dict().items()}
    h = x @ w["head.weight"].T + w.get("head.bias", 0.0)
    head = _log_softmax(h)
    short = m.cutoffs[0]
    out = [head[:, :short]]
    for i in range(len(m.cutoffs) - 1):
        z = (x @ w[f"tail.{i}.0.weight"].T) @ w[f"tail.{i}.1.weight"].T
        out.append(_log_softmax(z) + head[:, short + i : short + i + 1])
    return np.concatenate(out, axis=1)


def make(dtype: Any = npgrad.float64, **kwargs: Any) -> AdaptiveLogSoftmaxWithLoss:
    npgrad.manual_seed(3)
    settings = {"in_features": 8, "n_classes": 12, "cutoffs": [3, 6, 10], "div_value": 2.0}
    settings.update(kwargs)
    return AdaptiveLogSoftmaxWithLoss(**settings, dtype=dtype)


# ---- structure -------------------------------------------------------------------------------
def test_structure_names_and_shapes_are_torchs() -> None:
    m = make(head_bias=True)
    assert [(k, v.shape) for k, v in m.state_dict().items()] == [
        ("head.weight", (6, 8)),
        ("head.bias", (6,)),
        ("tail.0.0.weight", (4, 8)),
        ("tail.0.1.weight", (3, 4)),
        ("tail.1.0.weight", (2, 8)),
        ("tail.1.1.weight", (4, 2)),
        ("tail.2.0.weight", (1, 8)),
        ("tail.2.1.weight", (2, 1)),
    ]
    assert (m.cutoffs, m.shortlist_size, m.n_clusters, m.head_size) == ([3, 6, 10, 12], 3, 3, 6)
    assert (m.in_features, m.n_classes, m.div_value, m.head_bias) == (8, 12, 2.0, True)
    assert make(dtype=npgrad.float32).head.weight.dtype == np.float32
    assert list(make().state_dict())[:2] == ["head.weight", "tail.0.0.weight"]  # no head bias
    # default div_value 4: hidden sizes 16 // 4 and 16 // 16
    m4 = AdaptiveLogSoftmaxWithLoss(16, 20, (5, 9))
    assert [t[0].weight.shape for t in m4.tail] == [(4, 16), (1, 16)]


def test_reset_parameters_redraws_every_layer() -> None:
    m = make()
    before = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    m.reset_parameters()
    for k, v in m.state_dict().items():
        assert not np.array_equal(v.numpy(), before[k]), k
        assert np.abs(v.numpy()).max() <= 1 / np.sqrt(m.get_parameter(k).shape[1])


# ---- values ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("head_bias", [False, True])
def test_forward_log_prob_predict_against_numpy(dtype: str, head_bias: bool) -> None:
    m = make(dtype=getattr(npgrad, dtype), head_bias=head_bias)
    x = RNG.standard_normal((9, 8)).astype(dtype)
    target = np.array([0, 2, 3, 5, 6, 9, 10, 11, 1])  # every bucket, not in order
    ref = reference_log_prob(m, x)
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-12}

    output, loss = m(npgrad.tensor(x), npgrad.tensor(target))
    assert output.shape == (9,) and output.dtype == np.dtype(dtype)
    assert loss.shape == () and loss.dtype == np.dtype(dtype)
    np.testing.assert_allclose(output.numpy(), ref[np.arange(9), target], **tol)
    np.testing.assert_allclose(loss.numpy(), -ref[np.arange(9), target].mean(), **tol)

    lp = m.log_prob(npgrad.tensor(x))
    assert lp.shape == (9, 12) and lp.dtype == np.dtype(dtype)
    np.testing.assert_allclose(lp.numpy(), ref, **tol)
    np.testing.assert_allclose(np.exp(ref).sum(axis=1), 1.0, rtol=1e-6)

    pred = m.predict(npgrad.tensor(x))
    assert pred.dtype == np.int64 and pred.shape == (9,)
    np.testing.assert_array_equal(pred.numpy(), ref.argmax(axis=1))


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_random_configurations_against_numpy(data: Any) -> None:
    n_classes = data.draw(st.integers(2, 12), label="n_classes")
    cutoffs = sorted(data.draw(st.sets(st.integers(1, n_classes - 1), min_size=1, max_size=4)))
    in_features = data.draw(st.integers(1, 6), label="in_features")
    div_value = data.draw(st.sampled_from([1.0, 2.0, 4.0]), label="div_value")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a hidden size of 0 warns at initialisation
        m = AdaptiveLogSoftmaxWithLoss(
            in_features, n_classes, cutoffs, div_value=div_value, dtype=npgrad.float64
        )
    x = rng.standard_normal((data.draw(st.integers(1, 6), label="batch"), in_features))
    target = rng.integers(0, n_classes, len(x))
    ref = reference_log_prob(m, x)
    picked = ref[np.arange(len(x)), target]
    out, loss = m(npgrad.tensor(x), npgrad.tensor(target))
    np.testing.assert_allclose(out.numpy(), picked, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(loss.numpy(), -picked.mean(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(m.log_prob(npgrad.tensor(x)).numpy(), ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(m.predict(npgrad.tensor(x)).numpy(), ref.argmax(axis=1))


def test_forward_returns_a_named_tuple() -> None:
    m = make()
    result = m(npgrad.randn(2, 8, dtype=npgrad.float64), npgrad.tensor([0, 11]))
    assert type(result).__name__ == "_ASMoutput"
    assert result._fields == ("output", "loss")
    assert result.output is result[0] and result.loss is result[1]


@pytest.mark.parametrize("rows", ["shortlist", "clusters", "mixed"])
def test_predict_takes_the_tails_only_where_needed(rows: str) -> None:
    m = make()
    x = RNG.standard_normal((7, 8))
    # the sign of feature 0 picks the shortlist (> 0) or the clusters (< 0) in the head
    sign = {"shortlist": 1.0, "clusters": -1.0, "mixed": np.array([1, -1, 1, -1, -1, 1, -1])}
    x[:, 0] = (np.abs(x[:, 0]) + 1.0) * sign[rows]
    with npgrad.no_grad():
        m.head.weight.numpy()[:3, 0] = 50.0
        m.head.weight.numpy()[3:, 0] = -50.0
    best = reference_log_prob(m, x).argmax(axis=1)
    np.testing.assert_array_equal(best >= 3, x[:, 0] < 0)
    np.testing.assert_array_equal(m.predict(npgrad.tensor(x)).numpy(), best)


def test_unbatched_input_is_one_row_of_a_batch() -> None:
    m = make()
    x = RNG.standard_normal((3, 8))
    target = [1, 7, 11]
    batched_out, _ = m(npgrad.tensor(x), npgrad.tensor(target))
    lp = m.log_prob(npgrad.tensor(x)).numpy()
    pred = m.predict(npgrad.tensor(x)).numpy()
    for i in range(3):
        out, loss = m(npgrad.tensor(x[i]), npgrad.tensor(target[i]))
        assert out.shape == () and loss.shape == ()
        np.testing.assert_allclose(out.numpy(), batched_out.numpy()[i], rtol=1e-14)
        np.testing.assert_allclose(loss.numpy(), -batched_out.numpy()[i], rtol=1e-14)
        single = m.log_prob(npgrad.tensor(x[i]))
        assert single.shape == (12,)
        np.testing.assert_allclose(single.numpy(), lp[i], rtol=1e-14)
        p = m.predict(npgrad.tensor(x[i]))
        assert p.shape == () and p.item() == pred[i]


def test_empty_batch() -> None:
    m = make()
    out, loss = m(npgrad.zeros(0, 8, dtype=npgrad.float64), npgrad.tensor(np.zeros(0, np.int64)))
    assert out.shape == (0,) and np.isnan(loss.item())  # the mean of nothing, as torch
    assert m.log_prob(npgrad.zeros(0, 8, dtype=npgrad.float64)).shape == (0, 12)
    assert m.predict(npgrad.zeros(0, 8, dtype=npgrad.float64)).shape == (0,)


def test_integer_targets_of_any_width() -> None:
    m = make()
    x = npgrad.tensor(RNG.standard_normal((3, 8)))
    expected = m(x, npgrad.tensor([0, 5, 11])).output.numpy()
    for dtype in (np.int32, np.int16, np.uint8):
        got = m(x, npgrad.tensor(np.array([0, 5, 11], dtype=dtype))).output.numpy()
        np.testing.assert_array_equal(got, expected)


# ---- gradients -------------------------------------------------------------------------------
class _LogProb(Module):
    def __init__(self, asm: AdaptiveLogSoftmaxWithLoss) -> None:
        super().__init__()
        self.asm = asm

    def forward(self, x: npgrad.Tensor) -> npgrad.Tensor:
        return self.asm.log_prob(x)


def _tiny() -> tuple[AdaptiveLogSoftmaxWithLoss, list[str], list[npgrad.Tensor]]:
    npgrad.manual_seed(5)
    m = AdaptiveLogSoftmaxWithLoss(
        3, 5, [2, 3], div_value=1.5, head_bias=True, dtype=npgrad.float64
    )
    names = [name for name, _ in m.named_parameters()]
    x = npgrad.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    params = [npgrad.tensor(p.numpy() * 2.0, requires_grad=True) for p in m.parameters()]
    return m, names, [x, *params]


@pytest.mark.parametrize("what", ["output", "loss", "log_prob"])
def test_gradcheck_and_gradgradcheck(what: str) -> None:
    m, names, inputs = _tiny()
    target = npgrad.tensor([4, 0, 2, 3])  # both clusters and the shortlist

    def f(x: npgrad.Tensor, *params: npgrad.Tensor) -> npgrad.Tensor:
        if what == "log_prob":
            wrapper = _LogProb(m)
            values = {f"asm.{n}": p for n, p in zip(names, params)}
            return functional_call(wrapper, values, (x,))  # type: ignore[no-any-return]
        out, loss = functional_call(m, dict(zip(names, params)), (x, target))
        return out if what == "output" else loss  # type: ignore[no-any-return]

    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


def test_unused_clusters_get_no_gradient() -> None:
    m = make()
    x = npgrad.tensor(RNG.standard_normal((3, 8)), requires_grad=True)
    m(x, npgrad.tensor([0, 4, 5])).loss.backward()  # the shortlist and cluster 0 only
    assert m.head.weight.grad is not None and m.tail[0][1].weight.grad is not None
    assert m.tail[1][0].weight.grad is None and m.tail[2][1].weight.grad is None


# ---- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cutoffs", [[5, 3], [0, 3], [3, 3], [3, 12], [3, 13], [-1], [3.5], [3, float("nan")]]
)
def test_bad_cutoffs(cutoffs: list[Any]) -> None:
    with pytest.raises(ValueError, match="unique, positive integers sorted"):
        AdaptiveLogSoftmaxWithLoss(8, 12, cutoffs)


def test_other_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="length larger than 0"):
        AdaptiveLogSoftmaxWithLoss(8, 12, [])
    with pytest.raises(TypeError, match="cutoffs must be a sequence"):
        AdaptiveLogSoftmaxWithLoss(8, 12, 3)  # type: ignore[arg-type]
    for div_value in (0.0, -2.0):
        with pytest.raises(ValueError, match="div_value must be a positive number"):
            AdaptiveLogSoftmaxWithLoss(8, 12, [3], div_value=div_value)
    # integral floats and NumPy integers are fine
    m = AdaptiveLogSoftmaxWithLoss(8, 12, [3.0, np.int64(7)], div_value=2.0)
    assert m.cutoffs == [3, 7, 12] and all(type(c) is int for c in m.cutoffs)


def test_bad_forward_arguments() -> None:
    m = make()
    x = npgrad.tensor(RNG.standard_normal((4, 8)))
    with pytest.raises(RuntimeError, match=r"should be in \[0, 11\].*\[0, 12\] were found"):
        m(x, npgrad.tensor([0, 1, 12, 3]))
    with pytest.raises(ValueError, match=r"should be in \[0, 11\].*\[-1, 3\] were found"):
        m(x, npgrad.tensor([0, -1, 2, 3]))
    with pytest.raises(RuntimeError, match="same size in the batch dimension"):
        m(x, npgrad.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="multi-target not supported"):
        m(x, npgrad.tensor([[0, 1, 2, 3]]))
    with pytest.raises(RuntimeError, match="0-D target expects a 1-D input"):
        m(x, npgrad.tensor(1))
    with pytest.raises(ValueError, match="1-D target expects a 2-D input"):
        m(x[0], npgrad.tensor([1]))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 8\).*\(4, 7\)"):
        m(npgrad.tensor(RNG.standard_normal((4, 7))), npgrad.tensor([0, 1, 2, 3]))
    with pytest.raises(TypeError, match="integer target"):
        m(x, npgrad.tensor([0.0, 1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="integer target"):
        m(x, npgrad.tensor([0.0, 1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="target to be a Tensor"):
        m(x, [0, 1, 2, 3])
    with pytest.raises(TypeError, match="input to be a Tensor"):
        m(x.numpy().tolist(), npgrad.tensor([0, 1, 2, 3]))
    for method in (m.log_prob, m.predict):
        with pytest.raises(ValueError, match=r"expected input of shape.*\(2, 3, 8\)"):
            method(npgrad.zeros(2, 3, 8, dtype=npgrad.float64))
        with pytest.raises(ValueError, match=r"expected input of shape.*\(2, 5\)"):
            method(npgrad.zeros(2, 5, dtype=npgrad.float64))


# ---- parity with torch -----------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "settings",
    [
        {"in_features": 8, "n_classes": 12, "cutoffs": [3, 6, 10], "div_value": 2.0},
        {"in_features": 6, "n_classes": 9, "cutoffs": [4], "head_bias": True},
        {"in_features": 2, "n_classes": 7, "cutoffs": [2, 4]},  # empty hidden layers
    ],
    ids=["three-clusters", "head-bias", "zero-hidden"],
)
def test_matches_torch(dtype: str, settings: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-element layers warn at initialisation
        theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(**settings).to(getattr(torch, dtype))
        ours = AdaptiveLogSoftmaxWithLoss(**settings, dtype=getattr(npgrad, dtype))
    assert repr(ours) == repr(theirs)
    result = ours.load_state_dict(
        {k: npgrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}, strict=True
    )
    assert not result.missing_keys and not result.unexpected_keys
    n_classes, features = settings["n_classes"], settings["in_features"]
    x = RNG.standard_normal((10, features)).astype(dtype)
    target = RNG.integers(0, n_classes, 10)
    target[:3] = [0, n_classes - 1, settings["cutoffs"][0]]
    tol = {"rtol": 2e-5, "atol": 2e-6} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-13}

    tx = torch.tensor(x, requires_grad=True)
    nx = npgrad.tensor(x, requires_grad=True)
    t_out, t_loss = theirs(tx, torch.from_numpy(target))
    n_out, n_loss = ours(nx, npgrad.tensor(target))
    np.testing.assert_allclose(n_out.numpy(), t_out.detach().numpy(), **tol)
    np.testing.assert_allclose(n_loss.numpy(), t_loss.detach().numpy(), **tol)
    t_loss.backward()
    n_loss.backward()
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), **tol)
    t_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        if t_params[name].grad is None:
            assert p.grad is None, name
        else:
            np.testing.assert_allclose(p.grad.numpy(), t_params[name].grad.numpy(), **tol)
            assert p.grad.dtype == np.dtype(dtype)

    with torch.no_grad():
        t_lp = theirs.log_prob(tx).numpy()
        t_pred = theirs.predict(tx).numpy()
    np.testing.assert_allclose(ours.log_prob(nx).numpy(), t_lp, **tol)
    np.testing.assert_array_equal(ours.predict(nx).numpy(), t_pred)

    t_single = theirs(tx[4], torch.tensor(target[4]))
    n_single = ours(nx[4], npgrad.tensor(target[4]))
    assert n_single.output.shape == tuple(t_single.output.shape) == ()
    np.testing.assert_allclose(n_single.output.numpy(), t_single.output.detach().numpy(), **tol)


@pytest.mark.torch
def test_error_types_match_torch() -> None:
    torch = pytest.importorskip("torch")
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 12, [3, 6], div_value=2.0)
    ours = AdaptiveLogSoftmaxWithLoss(8, 12, [3, 6], div_value=2.0)
    x = RNG.standard_normal((4, 8)).astype(np.float32)
    for target in ([0, 1, 12, 3], [0, 1, 2], [[0, 1, 2, 3]]):
        with pytest.raises(RuntimeError):
            theirs(torch.tensor(x), torch.tensor(target))
        with pytest.raises(RuntimeError):
            ours(npgrad.tensor(x), npgrad.tensor(target))
    for cutoffs in ([], [6, 3], [3, 12]):
        with pytest.raises(ValueError, match="cutoffs should be"):
            torch.nn.AdaptiveLogSoftmaxWithLoss(8, 12, cutoffs)
        with pytest.raises(ValueError, match="cutoffs should be"):
            AdaptiveLogSoftmaxWithLoss(8, 12, cutoffs)
