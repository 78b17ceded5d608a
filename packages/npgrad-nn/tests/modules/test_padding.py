"""F.pad and the padding layers (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad,
CircularPad in 1/2/3-D): values vs np.pad in every mode, cropping, gradcheck and
gradgradcheck, construction and repr, PyTorch's errors, and PyTorch parity of values,
gradients and reprs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import npgrad
import npgrad.nn.functional as F
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.testing import assert_close

RNG = np.random.default_rng(7)

NP_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
MODES = tuple(NP_MODE)
LAYERS = {
    "constant": (nn.ConstantPad1d, nn.ConstantPad2d, nn.ConstantPad3d),
    "zeros": (nn.ZeroPad1d, nn.ZeroPad2d, nn.ZeroPad3d),
    "reflect": (nn.ReflectionPad1d, nn.ReflectionPad2d, nn.ReflectionPad3d),
    "replicate": (nn.ReplicationPad1d, nn.ReplicationPad2d, nn.ReplicationPad3d),
    "circular": (nn.CircularPad1d, nn.CircularPad2d, nn.CircularPad3d),
}


def randn(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def np_widths(pad, ndim):
    """F.pad's amounts (last dimension first) as np.pad's (before, after) per dimension."""
    k = len(pad) // 2
    return [(0, 0)] * (ndim - k) + [(pad[2 * j], pad[2 * j + 1]) for j in range(k)][::-1]


def make_layer(family, nd, padding):
    cls = LAYERS[family][nd - 1]
    return cls(padding, 2.5) if family == "constant" else cls(padding)


# ---- values vs NumPy -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("shape", "pad"),
    [
        ((2, 5), (2, 1)),
        ((2, 3, 5), (0, 3)),
        ((3, 4, 5), (1, 2, 3, 0)),
        ((2, 2, 4, 5), (2, 2, 1, 1)),
        ((2, 3, 4, 5), (1, 0, 0, 2, 2, 1)),
        ((1, 2, 3, 4, 5), (3, 1, 2, 0, 1, 2)),
    ],
)
def test_pad_matches_numpy(dtype, mode, shape, pad):
    x = randn(*shape, dtype=dtype)
    out = F.pad(npgrad.tensor(x), pad, mode=mode)
    kwargs = {"constant_values": 0} if mode == "constant" else {}
    expected = np.pad(x, np_widths(pad, x.ndim), mode=NP_MODE[mode], **kwargs)
    assert out.dtype == dtype and out.shape == expected.shape
    assert_close(out, expected, rtol=0, atol=0)


@pytest.mark.parametrize("shape", [(5,), (2, 3), (2, 3, 4), (1, 2, 2, 2, 2, 2)])
def test_constant_pad_takes_any_rank_value_and_integer_dtypes(shape):
    x = RNG.integers(-9, 9, shape)
    pad = (1, 2) * min(len(shape), 3)
    out = F.pad(npgrad.tensor(x), pad, value=7)
    expected = np.pad(x, np_widths(pad, x.ndim), constant_values=7)
    assert out.dtype == np.int64
    assert_close(out, expected, rtol=0, atol=0)
    assert_close(F.pad(npgrad.tensor(x), ()), x)  # an empty pad is a copy


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("pad", [(-1, 2), (2, -1), (-2, -1), (-1, 0, 1, -2)])
def test_negative_padding_crops_the_padded_result(mode, pad):
    x = randn(2, 4, 5)
    out = F.pad(npgrad.tensor(x), pad, mode=mode)
    # cropping commutes with padding here: pad by the positive parts, then cut the negative
    widths = np_widths(pad, 3)
    grown = np.pad(x, [(max(a, 0), max(b, 0)) for a, b in widths], mode=NP_MODE[mode])
    cut = tuple(slice(max(-a, 0), n - max(-b, 0)) for n, (a, b) in zip(grown.shape, widths))
    if mode == "circular":  # circular crops first, then wraps what is left
        kept = x[tuple(slice(max(-a, 0), n - max(-b, 0)) for n, (a, b) in zip(x.shape, widths))]
        expected = np.pad(kept, [(max(a, 0), max(b, 0)) for a, b in widths], mode="wrap")
    else:
        expected = grown[cut]
    assert_close(out, expected, rtol=0, atol=0)


def test_cropping_to_an_empty_dimension():
    x = npgrad.tensor(randn(2, 3))
    assert F.pad(x, (-3, 0)).shape == (2, 0)
    assert F.pad(x, (-2, -1), mode="circular").shape == (2, 0)
    # reflect / replicate need one non-empty padded dimension, as in PyTorch
    assert F.pad(npgrad.tensor(randn(1, 3, 4)), (-2, -2, 0, 0), mode="reflect").shape == (1, 3, 0)


def test_value_zero_is_accepted_by_every_mode():
    x = npgrad.tensor(randn(1, 2, 3))
    for mode in ("reflect", "replicate", "circular"):
        assert_close(F.pad(x, (1, 1), mode, 0), F.pad(x, (1, 1), mode))


def test_pad_accepts_lists_and_numpy_integers():
    x = npgrad.tensor(randn(2, 3))
    assert F.pad(x, [1, np.int64(2)]).shape == (2, 6)


# ---- gradients -------------------------------------------------------------------------------
GRAD_CASES = [
    ((2, 4), (2, 1)),
    ((1, 2, 4), (-1, 3)),
    ((2, 3, 4), (1, 2, 2, 0)),
    ((1, 2, 3, 4), (0, 3, -1, 2)),
    ((1, 3, 3, 3), (1, 1, 2, 1, 1, 2)),
    ((1, 1, 3, 2, 3), (2, 0, 1, -1, 0, 2)),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("shape", "pad"), GRAD_CASES)
def test_gradcheck_and_gradgradcheck(mode, shape, pad):
    x = npgrad.tensor(randn(*shape), requires_grad=True)
    assert gradcheck(lambda v: F.pad(v, pad, mode=mode), (x,))
    assert gradgradcheck(lambda v: F.pad(v, pad, mode=mode) ** 2, (x,))


def test_gradient_of_reflection_accumulates_on_the_mirrored_elements():
    x = npgrad.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    F.pad(x, (2, 2), mode="reflect").sum().backward()
    # output [3, 2, 1, 2, 3, 2, 1]: element 1 appears twice, 2 three times, 3 twice
    assert_close(x.grad, np.array([[2.0, 3.0, 2.0]], np.float32))


def test_float32_gradients_stay_float32():
    for mode in MODES:
        x = npgrad.tensor(randn(1, 2, 3, 3, dtype=np.float32), requires_grad=True)
        F.pad(x, (1, 1, 1, 1), mode=mode).sum().backward()
        assert x.grad.dtype == np.float32, mode


# ---- layers ----------------------------------------------------------------------------------
@pytest.mark.parametrize("family", sorted(LAYERS))
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_layer_equals_f_pad_with_int_and_tuple_padding(family, nd):
    mode = "constant" if family in ("constant", "zeros") else family
    value = {"constant": 2.5, "zeros": 0.0}.get(family)
    x = npgrad.tensor(randn(2, *range(3, 3 + nd)))
    m = make_layer(family, nd, 1)
    assert m.padding == (1,) * (2 * nd)
    assert_close(m(x), F.pad(x, (1,) * (2 * nd), mode, value), rtol=0, atol=0)
    pad = (2, 0, 1, 1, 0, 2)[: 2 * nd]
    m = make_layer(family, nd, pad)
    assert m.padding == pad
    assert_close(m(x), F.pad(x, pad, mode, value), rtol=0, atol=0)
    assert list(m.state_dict()) == [] and list(m.parameters()) == []


def test_layer_reprs():
    assert repr(nn.ZeroPad2d(2)) == "ZeroPad2d((2, 2, 2, 2))"
    assert repr(nn.ConstantPad1d((1, 2), 3.5)) == "ConstantPad1d(padding=(1, 2), value=3.5)"
    assert repr(nn.ConstantPad3d(1, 0)) == "ConstantPad3d(padding=(1, 1, 1, 1, 1, 1), value=0)"
    assert repr(nn.ReflectionPad1d(3)) == "ReflectionPad1d((3, 3))"
    assert repr(nn.ReplicationPad3d((1, 2, 3, 4, 5, 6))) == "ReplicationPad3d((1, 2, 3, 4, 5, 6))"
    assert repr(nn.CircularPad2d([1, 0, 0, 1])) == "CircularPad2d((1, 0, 0, 1))"
    # like PyTorch, a tuple is kept as given: ZeroPad2d((1, 2)) pads only the last dimension
    assert nn.ZeroPad2d((1, 2))(npgrad.ones(2, 2)).shape == (2, 5)


def test_layers_train_through_and_second_order_through_a_model():
    model = nn.Sequential(nn.ReflectionPad1d(1), nn.Conv1d(2, 2, 3), nn.CircularPad1d((1, 0)))
    model.double()
    x = npgrad.tensor(randn(2, 2, 5), requires_grad=True)
    (model(x) ** 2).sum().backward()
    assert model[1].weight.grad is not None and x.grad.shape == x.shape
    assert gradgradcheck(
        lambda v: model(v) ** 2, (npgrad.tensor(randn(1, 2, 4), requires_grad=True),)
    )


# ---- errors ----------------------------------------------------------------------------------
def test_pad_length_errors():
    x = npgrad.tensor(randn(2, 3))
    with pytest.raises(ValueError, match=r"divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(RuntimeError, match=r"padding length 6 and input of dimension 2"):
        F.pad(x, (1, 1, 1, 1, 1, 1))


def test_pad_type_errors():
    x = npgrad.tensor(randn(2, 3))
    with pytest.raises(TypeError, match=r"pad must be a tuple of ints, not int"):
        F.pad(x, 1)
    with pytest.raises(TypeError, match=r"element of type float at pos 0"):
        F.pad(x, (1.0, 1))
    with pytest.raises(TypeError, match=r"element of type bool at pos 1"):
        F.pad(x, (1, True))
    with pytest.raises(TypeError, match=r"mode must be a str"):
        F.pad(x, (1, 1), mode=None)
    with pytest.raises(TypeError, match=r"expected input to be a Tensor"):
        F.pad(np.zeros((2, 3)), (1, 1))


def test_mode_errors_are_pytorchs_not_implemented_errors():
    x = npgrad.tensor(randn(1, 2, 3))
    for err in (NotImplementedError, ValueError):
        with pytest.raises(err, match=r"unrecognised padding mode 'wrap'"):
            F.pad(x, (1, 1), mode="wrap")
    # the non-constant modes pad the last 1/2/3 dims of 2D-3D / 3D-4D / 4D-5D inputs only
    for shape, pad in [
        ((3,), (1, 1)),
        ((1, 1, 2, 3), (1, 1)),
        ((2, 3, 4), (1,) * 6),
        ((1, 2, 3), ()),
    ]:
        for mode in ("reflect", "replicate", "circular"):
            with pytest.raises(
                NotImplementedError, match=rf"not supported for {len(shape)}D input"
            ):
                F.pad(npgrad.zeros(*shape), pad, mode=mode)
    with pytest.raises(RuntimeError, match=r"doesn't take in value argument"):
        F.pad(x, (1, 1), mode="reflect", value=1.0)


def test_size_errors():
    x = npgrad.tensor(randn(1, 2, 3))
    with pytest.raises(
        RuntimeError, match=r"less than the corresponding input dimension.*\(3, 0\)"
    ):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(ValueError, match=r"padding \(2, 0\) at dimension 1 of input \(1, 2, 3\)"):
        F.pad(x, (1, 1, 2, 0), mode="reflect")
    with pytest.raises(ValueError, match=r"wrapping around more than once"):
        F.pad(x, (4, 0), mode="circular")
    with pytest.raises(ValueError, match=r"wrapping around more than once"):
        F.pad(x, (-2, 2), mode="circular")  # only one element is left to wrap around
    with pytest.raises(ValueError, match=r"empty dimension"):
        F.pad(x, (-2, -2), mode="circular")
    with pytest.raises(ValueError, match=r"negative output size"):
        F.pad(x, (-3, -1))
    with pytest.raises(ValueError, match=r"too small"):
        F.pad(x, (-2, -1), mode="replicate")
    with pytest.raises(ValueError, match=r"non-zero dimensions.*\(1, 0, 3\)"):
        F.pad(npgrad.zeros(1, 0, 3), (1, 1), mode="replicate")
    assert F.pad(npgrad.zeros(0, 2, 3), (1, 1), mode="reflect").shape == (0, 2, 5)  # empty batch


def test_layer_errors_name_the_layer():
    with pytest.raises(
        ValueError, match=r"^ReflectionPad1d\(\(3, 3\)\): .*\(3, 3\) at dimension 2"
    ):
        nn.ReflectionPad1d(3)(npgrad.zeros(1, 1, 3))
    with pytest.raises(
        ValueError, match=r"^CircularPad2d\(\(1, 1, 1, 1\)\): expected 3D or 4D input \(got 2D"
    ):
        nn.CircularPad2d(1)(npgrad.zeros(2, 3))
    with pytest.raises(
        NotImplementedError, match=r"^ReplicationPad3d\(.*not supported for 3D input"
    ):
        nn.ReplicationPad3d(1)(npgrad.zeros(2, 3, 4))
    conv = nn.Conv1d(1, 1, 3, padding=4, padding_mode="reflect")
    with pytest.raises(ValueError, match=r"^Conv1d\(1, 1.*padding_mode=reflect\): padding size"):
        conv(npgrad.zeros(1, 1, 3))


# ---- PyTorch parity --------------------------------------------------------------------------
def _grid():
    for k, batch, mode in itertools.product((1, 2, 3), (False, True), MODES):
        shape = (2,) * batch + (2,) + (3, 4, 3)[:k]
        for lo, hi in itertools.product(range(-3, 4), repeat=2):
            yield shape, (lo, hi, 1, -1, 0, 2)[: 2 * k], mode


def _wraps_past_the_crop(shape, pad):
    """A circular pad larger than what the negative amounts leave (when the result is sized
    >= 0, else PyTorch's own error applies)."""
    for n, (lo, hi) in zip(shape[::-1], zip(pad[::2], pad[1::2])):
        kept = n - max(-lo, 0) - max(-hi, 0)
        if n + lo + hi >= 0 and kept >= 0 and (lo > kept or hi > kept):
            return True
    return False


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_f_pad_parity_with_torch_values_gradients_and_errors(dtype):
    torch = pytest.importorskip("torch")
    checked = 0
    for shape, pad, mode in _grid():
        x0 = randn(*shape, dtype=dtype)
        tx, x = torch.tensor(x0, requires_grad=True), npgrad.tensor(x0, requires_grad=True)
        if mode == "circular" and _wraps_past_the_crop(shape, pad):
            # PyTorch's circular copy then overlaps itself (RuntimeError) or reads memory it
            # never wrote; npgrad refuses these (see the next test)
            with pytest.raises(ValueError, match="wrapping around more than once"):
                F.pad(x, pad, mode=mode)
            continue
        try:
            ty = torch.nn.functional.pad(tx, pad, mode=mode)
        except (RuntimeError, NotImplementedError) as e:
            with pytest.raises(type(e)):
                F.pad(x, pad, mode=mode)
            continue
        y = F.pad(x, pad, mode=mode)
        msg = f"{mode} {shape} {pad}"
        assert y.shape == tuple(ty.shape) and y.dtype == dtype, msg
        assert_close(y.detach(), ty.detach().numpy(), rtol=0, atol=0, msg=msg)
        if ty.numel() == 0:
            continue  # PyTorch's reflection backward leaves an empty output's gradient unset
        g0 = randn(*ty.shape, dtype=dtype)
        ty.backward(torch.tensor(g0))
        y.backward(npgrad.tensor(g0))
        assert_close(x.grad, tx.grad.numpy(), rtol=1e-6, atol=1e-6, msg=msg)
        checked += 1
    assert checked > 600


@pytest.mark.torch
def test_circular_padding_beyond_the_cropped_size_raises_where_torch_has_no_valid_result():
    torch = pytest.importorskip("torch")
    x0 = np.arange(3.0).reshape(1, 3)
    with pytest.raises(RuntimeError, match="single memory location"):
        torch.nn.functional.pad(torch.tensor(x0), (-1, 3), mode="circular")
    with pytest.raises(ValueError, match="wrapping around more than once"):
        F.pad(npgrad.tensor(x0), (-1, 3), mode="circular")


@pytest.mark.torch
def test_layer_reprs_and_outputs_equal_torch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    for family, nd, padding in itertools.product(
        sorted(LAYERS), (1, 2, 3), (1, (2, 0, 1, 1, 0, 2))
    ):
        if isinstance(padding, tuple):
            padding = padding[: 2 * nd]
        ours = make_layer(family, nd, padding)
        cls = getattr(tnn, type(ours).__name__)
        theirs = cls(padding, 2.5) if family == "constant" else cls(padding)
        assert repr(ours) == repr(theirs)
        x0 = randn(2, *range(3, 3 + nd))
        assert_close(ours(npgrad.tensor(x0)), theirs(torch.tensor(x0)).numpy(), rtol=0, atol=0)
        assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.torch
def test_conv_padding_modes_match_torch():
    torch = pytest.importorskip("torch")
    for mode in ("reflect", "replicate", "circular"):
        theirs = torch.nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode).double()
        ours = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode).double()
        ours.load_state_dict(
            {k: npgrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
        )
        x0 = randn(2, 2, 4, 5)
        assert_close(
            ours(npgrad.tensor(x0)),
            theirs(torch.tensor(x0)).detach().numpy(),
            rtol=1e-10,
            atol=1e-12,
        )
