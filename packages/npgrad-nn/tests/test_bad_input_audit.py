"""Bad input to npgrad.nn: each case raises a clear error naming the op (or layer) and the
offending shape/value, of PyTorch's exception type (or npgrad's documented one), and leaves
nothing half-changed. One case per finding of the bad-input audit."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.nn import functional as F
from npgrad.nn.utils import fuse_conv_bn_eval, parametrizations, parametrize, update_bn
from npgrad.nn.utils import weight_norm as old_weight_norm
from npgrad.nn.utils.rnn import pack_padded_sequence

Case = tuple[Callable[[Any, Any, Any], Any], type[BaseException], str]


def _t(lib: Any, a: Any) -> Any:
    return lib.tensor(np.asarray(a))


def _probs(lib: Any) -> Any:
    return _t(lib, np.full((2, 3), 0.5, np.float32))


def _raised(fn: Callable[..., Any], *args: Any) -> BaseException:
    """The exception ``fn(*args)`` raises (the test fails if it raises none)."""
    try:
        fn(*args)
    except Exception as exc:  # noqa: BLE001 (any type: the caller compares them)
        return exc
    pytest.fail(f"{fn} raised nothing")


def _old_weight_norm(mod: Any, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return old_weight_norm(mod, **kw)


# Each case: fn(lib, nn_module, functional) -> result, run with npgrad and with torch; the
# exception npgrad must raise; a regex its message must match (names the op and the value).
CASES: dict[str, Case] = {
    "sdpa_integer_inputs": (
        lambda lib, M, Fn: Fn.scaled_dot_product_attention(
            lib.ones(2, 3, 4, dtype=lib.int64),
            lib.ones(2, 3, 4, dtype=lib.int64),
            lib.ones(2, 3, 4, dtype=lib.int64),
        ),
        TypeError,
        r"scaled_dot_product_attention: expected floating point .* got dtype int64",
    ),
    "bce_target_out_of_range": (
        lambda lib, M, Fn: Fn.binary_cross_entropy(_probs(lib), _probs(lib) * 3),
        RuntimeError,
        r"binary_cross_entropy: all elements of target should be between 0 and 1",
    ),
    "margin_ranking_mismatched_shapes": (
        lambda lib, M, Fn: Fn.margin_ranking_loss(lib.ones(3), lib.ones(4), lib.ones(3)),
        RuntimeError,
        r"margin_ranking_loss: input1 \(3,\), input2 \(4,\) and target \(3,\)",
    ),
    "linear_1d_weight_bad_bias": (
        lambda lib, M, Fn: Fn.linear(lib.ones(2, 3), lib.ones(3), lib.ones(3)),
        RuntimeError,
        r"linear: bias of shape \(3,\) does not broadcast to the output shape \(2,\)",
    ),
    "fuse_conv_bn_channel_mismatch": (
        lambda lib, M, Fn: (
            fuse_conv_bn_eval
            if lib is npgrad
            else __import__("torch.nn.utils", fromlist=["x"]).fuse_conv_bn_eval
        )(M.Conv2d(3, 4, 1).eval(), M.BatchNorm2d(5).eval()),
        RuntimeError,
        r"fuse_conv_bn_weights: .*running_mean has shape \(5,\), expected \(4,\)",
    ),
    "pack_padded_sequence_2d_lengths": (
        lambda lib, M, Fn: (
            pack_padded_sequence
            if lib is npgrad
            else __import__("torch.nn.utils.rnn", fromlist=["x"]).pack_padded_sequence
        )(lib.zeros(3, 2, 4), _t(lib, [[3, 2]])),
        RuntimeError,
        r"pack_padded_sequence: expected 1-D lengths, got shape \(1, 2\)",
    ),
    "multi_margin_target_out_of_range": (
        lambda lib, M, Fn: Fn.multi_margin_loss(lib.zeros(2, 3), _t(lib, [0, 3])),
        RuntimeError,
        r"Target 3 is out of bounds\. \(multi_margin_loss: class indices must be in \[0, 3\)\)$",
    ),
    "interpolate_unknown_mode": (
        lambda lib, M, Fn: Fn.interpolate(lib.zeros(1, 1, 4, 4), size=2, mode="cubic"),
        NotImplementedError,
        r"interpolate: unknown mode 'cubic'",
    ),
    "affine_grid_3d_size": (
        lambda lib, M, Fn: Fn.affine_grid(lib.ones(2, 2, 3), (2, 1, 4)),
        NotImplementedError,
        r"affine_grid: only 4D and 5D sizes are supported .* got size \[2, 1, 4\]",
    ),
    "module_dict_update_not_iterable": (
        lambda lib, M, Fn: M.ModuleDict().update(3),
        TypeError,
        r"ModuleDict\.update should be called with an iterable of key/value pairs, but got int",
    ),
    "parameter_dict_update_not_iterable": (
        lambda lib, M, Fn: M.ParameterDict().update(3),
        TypeError,
        r"\.update should be called with an iterable of key/value pairs, but got int",
    ),
    "linear_negative_in_features": (
        lambda lib, M, Fn: M.Linear(-1, 2),
        RuntimeError,
        r"Linear: in_features must be non-negative, got -1",
    ),
    "bilinear_negative_in2_features": (
        lambda lib, M, Fn: M.Bilinear(2, -3, 4),
        RuntimeError,
        r"Bilinear: in2_features must be non-negative, got -3",
    ),
    "conv2d_negative_out_channels": (
        lambda lib, M, Fn: M.Conv2d(3, -2, 3),
        RuntimeError,
        r"Conv2d: out_channels must be non-negative, got -2",
    ),
    "conv_transpose2d_negative_out_channels": (
        lambda lib, M, Fn: M.ConvTranspose2d(3, -1, 3),
        RuntimeError,
        r"ConvTranspose2d: out_channels must be non-negative, got -1",
    ),
    "batchnorm2d_negative_num_features": (
        lambda lib, M, Fn: M.BatchNorm2d(-1),
        RuntimeError,
        r"BatchNorm2d: num_features must be non-negative, got -1",
    ),
    "groupnorm_negative_num_channels": (
        lambda lib, M, Fn: M.GroupNorm(2, -4),
        RuntimeError,
        r"GroupNorm: num_channels must be non-negative, got -4",
    ),
    "layernorm_negative_shape": (
        lambda lib, M, Fn: M.LayerNorm(-3),
        RuntimeError,
        r"LayerNorm: normalized_shape must be non-negative, got -3",
    ),
    "rmsnorm_negative_shape": (
        lambda lib, M, Fn: M.RMSNorm((2, -3)),
        RuntimeError,
        r"RMSNorm: normalized_shape must be non-negative, got -3",
    ),
    "embedding_negative_num_embeddings": (
        lambda lib, M, Fn: M.Embedding(-5, 3),
        RuntimeError,
        r"Embedding: num_embeddings must be non-negative, got -5",
    ),
    "embedding_bag_negative_embedding_dim": (
        lambda lib, M, Fn: M.EmbeddingBag(5, -3),
        RuntimeError,
        r"EmbeddingBag: embedding_dim must be non-negative, got -3",
    ),
    "prelu_negative_num_parameters": (
        lambda lib, M, Fn: M.PReLU(-1),
        RuntimeError,
        r"PReLU: num_parameters must be non-negative, got -1",
    ),
    "lstm_cell_negative_hidden_size": (
        lambda lib, M, Fn: M.LSTMCell(2, -3),
        RuntimeError,
        r"LSTMCell: hidden_size must be non-negative, got -3",
    ),
    "linear_float_in_features": (
        lambda lib, M, Fn: M.Linear(2.5, 2),
        TypeError,
        r"Linear: in_features must be an int, got float",
    ),
    "rnn_zero_input_size": (
        lambda lib, M, Fn: M.GRU(0, 3),
        ValueError,
        r"input_size must be greater than zero",
    ),
    "rnn_negative_input_size": (
        lambda lib, M, Fn: M.LSTM(-1, 3),
        ValueError,
        r"input_size must be greater than zero",
    ),
    "square_subsequent_mask_negative": (
        lambda lib, M, Fn: M.Transformer.generate_square_subsequent_mask(-1),
        RuntimeError,
        r"generate_square_subsequent_mask: sz must be non-negative, got -1",
    ),
    "batch_norm_momentum_none": (
        lambda lib, M, Fn: Fn.batch_norm(
            lib.ones(2, 3), lib.zeros(3), lib.ones(3), training=True, momentum=None
        ),
        TypeError,
        r"batch_norm: momentum must be a number, got NoneType",
    ),
    "old_weight_norm_unknown_name": (
        lambda lib, M, Fn: (
            _old_weight_norm
            if lib is npgrad
            else __import__("torch.nn.utils", fromlist=["x"]).weight_norm
        )(M.Linear(3, 3), name="foo"),
        AttributeError,
        r"weight_norm: module Linear has no parameter 'foo'",
    ),
    "parametrized_weight_norm_dim_out_of_range": (
        lambda lib, M, Fn: (
            parametrizations if lib is npgrad else lib.nn.utils.parametrizations
        ).weight_norm(M.Linear(3, 3), dim=5),
        IndexError,
        r"weight_norm: dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)",
    ),
    "parametrized_spectral_norm_dim_out_of_range": (
        lambda lib, M, Fn: (
            parametrizations if lib is npgrad else lib.nn.utils.parametrizations
        ).spectral_norm(M.Linear(3, 3), dim=5),
        IndexError,
        r"spectral_norm: dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)",
    ),
    "glu_integer_input": (
        lambda lib, M, Fn: Fn.glu(lib.ones(2, 4, dtype=lib.int64)),
        TypeError,
        r"glu: not implemented for int64 tensors",
    ),
    "softshrink_integer_input": (
        lambda lib, M, Fn: Fn.softshrink(lib.ones(2, 4, dtype=lib.int64)),
        TypeError,
        r"softshrink: not implemented for int64 tensors",
    ),
    "pdist_integer_input": (
        lambda lib, M, Fn: Fn.pdist(lib.ones(2, 4, dtype=lib.int64)),
        TypeError,
        r"pdist only supports floating-point dtypes, got int64",
    ),
    "cosine_similarity_integer_inputs": (
        lambda lib, M, Fn: Fn.cosine_similarity(
            lib.ones(2, 3, dtype=lib.int64), lib.ones(2, 3, dtype=lib.int64)
        ),
        TypeError,
        r"cosine_similarity: expected common dtype to be floating point, yet common dtype is "
        r"int64",
    ),
    "embedding_bag_per_sample_weights_dtype": (
        lambda lib, M, Fn: M.EmbeddingBag(5, 3, mode="sum")(
            _t(lib, [1, 2, 3]), _t(lib, [0]), lib.ones(3, dtype=lib.float64)
        ),
        TypeError,
        r"embedding_bag: per_sample_weights must have the weight's dtype float32, got float64",
    ),
    "dropout2d_integer_input": (
        lambda lib, M, Fn: Fn.dropout2d(lib.ones(2, 3, 4, 4, dtype=lib.int64)),
        TypeError,
        r"^dropout2d: expected a floating point input, got int64",
    ),
    "sequential_times_zero": (
        lambda lib, M, Fn: M.Sequential(M.ReLU()) * 0,
        ValueError,
        r"Non-positive multiplication factor 0 for .*Sequential",
    ),
    "sequential_times_float": (
        lambda lib, M, Fn: M.Sequential(M.ReLU()) * 1.5,
        TypeError,
        r"unsupported operand type\(s\) for \*: .*Sequential.* and .*float",
    ),
}

# npgrad's documented error types (docs/differences.md, "Errors") where PyTorch's differ:
# wrong dtypes are TypeErrors (PyTorch: RuntimeError); the parity test checks this mapping.
DOCUMENTED = {
    "sdpa_integer_inputs": RuntimeError,
    "glu_integer_input": NotImplementedError,
    "softshrink_integer_input": NotImplementedError,
    "pdist_integer_input": RuntimeError,
    "cosine_similarity_integer_inputs": RuntimeError,
    "dropout2d_integer_input": RuntimeError,
    "embedding_bag_per_sample_weights_dtype": RuntimeError,
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_raises_a_clear_error(name: str) -> None:
    fn, exc, match = CASES[name]
    with pytest.raises(exc, match=match):
        fn(npgrad, nn, F)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_error_type_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    fn, _, _ = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _raised(fn, torch, torch.nn, torch.nn.functional)
    ours = _raised(fn, npgrad, nn, F)
    expected = DOCUMENTED.get(name, type(theirs))
    assert isinstance(theirs, expected)
    if name not in DOCUMENTED:
        assert isinstance(ours, expected), (ours, theirs)


# ---- messages that used to be misleading ---------------------------------------------------
def test_avg_pool_divisor_override_zero_names_the_layer() -> None:
    with pytest.raises(ValueError, match=r"^AvgPool2d\(kernel_size=2.*divisor_override"):
        nn.AvgPool2d(2, divisor_override=0)(npgrad.ones(1, 1, 4, 4))


def test_lp_pool_zero_norm_type_is_a_clear_value_error() -> None:
    # PyTorch fails with Python's bare ZeroDivisionError computing 1 / norm_type
    with pytest.raises(ValueError, match=r"^lp_pool1d: norm_type must be non-zero, got 0"):
        nn.LPPool1d(0, 2)(npgrad.ones(1, 1, 4))


def test_cross_entropy_out_of_range_target_still_names_ignore_index() -> None:
    # the shared check keeps ignore_index in the message of the losses that have one
    with pytest.raises(IndexError, match=r"cross_entropy: .*ignore_index=-100"):
        F.cross_entropy(npgrad.zeros(2, 3), npgrad.tensor([0, 3]))


# ---- nothing half-changed ------------------------------------------------------------------
def _snapshot(module: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.numpy().copy() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("bad", ["hello", None, object()])
def test_load_state_dict_non_numeric_value_loads_nothing(bad: Any) -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    before = _snapshot(model)
    sd = model.state_dict()
    sd["0.weight"] = npgrad.ones(2, 2)  # valid: must not be loaded either
    sd["1.num_batches_tracked"] = bad
    with pytest.raises(
        RuntimeError, match=r'While copying the parameter named "1\.num_batches_tracked"'
    ):
        model.load_state_dict(sd)
    after = _snapshot(model)
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_old_weight_norm_bad_dim_leaves_the_module_unchanged() -> None:
    lin = nn.Linear(3, 3)
    weight = lin.weight
    with pytest.raises(IndexError, match=r"weight_norm: dimension out of range .* got 5"):
        _old_weight_norm(lin, dim=5)
    assert lin._parameters["weight"] is weight
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    assert not lin._forward_pre_hooks


def test_update_bn_failing_batch_puts_the_running_statistics_back() -> None:
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    bn = model[1]
    with npgrad.no_grad():
        bn.running_mean.fill_(5.0)
        bn.num_batches_tracked.fill_(7)
    before = _snapshot(model)
    batches = [npgrad.ones(4, 3), npgrad.ones(4, 5)]  # the second batch has the wrong width
    with pytest.raises(ValueError, match=r"Linear\(in_features=3.*got shape \(4, 5\)"):
        update_bn(batches, model)
    after = _snapshot(model)
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert bn.momentum == 0.1 and model.training


class _ShrinkingInverse(nn.Module):
    def forward(self, x: Any) -> Any:
        return x

    def right_inverse(self, x: Any) -> Any:
        return x[:1]


def test_register_parametrization_checks_right_inverse_shape_and_restores() -> None:
    lin = nn.Linear(3, 3)
    weight, data = lin.weight, lin.weight.numpy().copy()
    with pytest.raises(ValueError, match=r"unparametrized shape: \(3, 3\)\nparametrized shape"):
        parametrize.register_parametrization(lin, "weight", _ShrinkingInverse())
    assert type(lin) is nn.Linear and not parametrize.is_parametrized(lin)
    assert lin.weight is weight and lin.weight.shape == (3, 3)
    np.testing.assert_array_equal(lin.weight.numpy(), data)


@pytest.mark.torch
def test_register_parametrization_bad_right_inverse_raises_like_torch() -> None:
    torch = pytest.importorskip("torch")
    from torch.nn.utils import parametrize as tparametrize

    class Shrink(torch.nn.Module):
        def forward(self, x: Any) -> Any:
            return x

        def right_inverse(self, x: Any) -> Any:
            return x[:1]

    theirs = _raised(
        tparametrize.register_parametrization, torch.nn.Linear(3, 3), "weight", Shrink()
    )
    ours = _raised(
        parametrize.register_parametrization, nn.Linear(3, 3), "weight", _ShrinkingInverse()
    )
    assert type(theirs) is ValueError and isinstance(ours, ValueError)


# ---- Sequential repetition (PyTorch's ``*``) ---------------------------------------------
def test_sequential_multiplication_repeats_the_same_modules() -> None:
    relu, lin = nn.ReLU(), nn.Linear(2, 2)
    seq = nn.Sequential(lin, relu)
    twice, thrice = seq * 2, 3 * seq
    assert [type(m) for m in twice] == [nn.Linear, nn.ReLU] * 2
    assert len(thrice) == 6 and thrice[4] is lin and len(seq) == 2
    seq *= 2
    assert list(seq._modules) == ["0", "1", "2", "3"] and seq[2] is lin


def test_sequential_in_place_add_extends_the_same_object() -> None:
    seq = nn.Sequential(nn.ReLU())
    alias = seq
    seq += nn.Sequential(nn.Tanh())
    assert seq is alias and [type(m) for m in alias] == [nn.ReLU, nn.Tanh]
    with pytest.raises(ValueError, match=r"add operator supports only objects of Sequential"):
        seq += [nn.ReLU()]  # type: ignore[misc]
    assert len(alias) == 2
