"""Bad input to npgrad.data gets a clear error naming the op, raised before anything changes.

One test per finding of the bad-input audit; the ``torch`` tests check that PyTorch raises the
same exception type for the same input.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import npgrad
import npgrad.data.transforms as T
import npgrad.data.transforms.functional as F
from npgrad.data import DataLoader, TensorDataset, WeightedRandomSampler, default_collate

# ---- default_collate -------------------------------------------------------------------------
MIXED_NUMBER_BATCHES = [
    pytest.param(
        lambda: [3, npgrad.zeros(2)],
        r"element 0 is int\), but got npgrad\.Tensor",
        id="int-tensor",
    ),
    pytest.param(
        lambda: [1.5, npgrad.zeros(2)],
        r"element 0 is float\), but got npgrad\.Tensor",
        id="float-tensor",
    ),
    pytest.param(lambda: [3, [1]], r"element 0 is int\), but got list", id="int-list"),
    pytest.param(lambda: [1.5, None], r"element 0 is float\), but got NoneType", id="float-none"),
    pytest.param(
        lambda: [np.float32(1.0), np.zeros(2)],
        r"element 0 is numpy\.float32\), but got numpy\.ndarray",
        id="npscalar-array",
    ),
    pytest.param(lambda: [1, "a"], r"element 0 is int\), but got str", id="int-str"),
]


@pytest.mark.parametrize(("make", "match"), MIXED_NUMBER_BATCHES)
def test_collating_numbers_with_a_non_number_names_the_element(make, match):
    with pytest.raises(
        TypeError, match=r"default_collate: expected a number as element 1 of the batch \(" + match
    ):
        default_collate(make())


def test_collating_numbers_still_reports_overflow_as_a_value_error():
    with pytest.raises(ValueError, match="int64"):
        default_collate([1, 2**70])


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
@pytest.mark.parametrize("batch", [[1.5, "a"], [1, "a"], [np.float32(1.0), np.zeros(2)]])
def test_collating_a_non_number_raises_torchs_type(batch):
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.utils.data.default_collate(batch)
    with pytest.raises(TypeError):
        default_collate(batch)


# ---- WeightedRandomSampler -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ("ab", "got str of <U2"),
        (None, "got NoneType"),
        ([1j, 2], "got list of complex128"),
        ([[1.0], [1.0, 2.0]], "got list"),
    ],
)
def test_weighted_sampler_refuses_weights_that_are_not_real_numbers(weights, match):
    with pytest.raises(
        TypeError, match="WeightedRandomSampler: weights must be a 1d sequence of real numbers, "
    ) as info:
        WeightedRandomSampler(weights, 2)
    assert match in str(info.value)


@pytest.mark.torch
@pytest.mark.parametrize("weights", ["ab", None, [1j, 2]])
def test_weighted_sampler_bad_weights_type_matches_torch(weights):
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        list(torch.utils.data.WeightedRandomSampler(weights, 2))
    with pytest.raises(TypeError):
        WeightedRandomSampler(weights, 2)


# ---- worker pool in a forked child -----------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_collecting_a_loader_iterator_leaves_the_parents_workers_alone():
    # a worker of another loader forked while this iterator is garbage runs its finalizer
    ds = TensorDataset(npgrad.arange(6.0))
    it = iter(DataLoader(ds, batch_size=1, num_workers=2, timeout=30))
    assert next(it)[0].item() == 0.0
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            it._pool.shutdown()
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert [b[0].item() for b in it] == [1.0, 2.0, 3.0, 4.0, 5.0]


# ---- transforms ------------------------------------------------------------------------------
IMG = npgrad.rand(3, 8, 8, generator=npgrad.Generator().manual_seed(0))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: T.Resize(0)(IMG), r"resize: output size must be positive, got \[0, 0\]"),
        (lambda: T.Resize(-1)(IMG), r"resize: output size must be positive, got \[-1, -1\]"),
        (lambda: F.resize(IMG, [4, 0]), r"got \[4, 0\] from size=\[4, 0\].*\(8, 8\)"),
        (lambda: T.RandomResizedCrop(0)(IMG), "resize: output size must be positive"),
        (
            lambda: T.Resize(4)(npgrad.zeros(3, 0, 8)),
            r"resize: can't resize an empty image.*\(0, 8\)",
        ),
    ],
)
def test_resize_to_or_from_an_empty_size_is_a_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_normalize_refuses_more_statistics_than_channels():
    one_channel = npgrad.rand(1, 4, 4)
    with pytest.raises(ValueError, match=r"normalize: mean of shape \(3, 1, 1\).*\(1, 4, 4\)"):
        T.Normalize([0.5] * 3, [1.0] * 3)(one_channel)
    with pytest.raises(ValueError, match=r"normalize: .*\(2, 1, 4, 4\)"):
        F.normalize(npgrad.rand(2, 1, 4, 4), [0.5] * 3, [1.0] * 3)
    assert T.Normalize([0.5], [2.0])(IMG).shape == (3, 8, 8)  # one value broadcasts


@pytest.mark.torch
def test_normalize_more_statistics_than_channels_raises_torchs_type():
    torch = pytest.importorskip("torch")
    img = torch.rand(1, 4, 4)
    with pytest.raises(RuntimeError):  # torchvision's in-place sub_ / div_
        img.clone().sub_(torch.tensor([0.5] * 3).view(-1, 1, 1))
    with pytest.raises(RuntimeError):  # a ShapeError: also npgrad's ValueError
        T.Normalize([0.5] * 3, [1.0] * 3)(npgrad.rand(1, 4, 4))


@pytest.mark.parametrize("mode", ["reflect"])
def test_reflect_padding_a_tensor_by_its_size_or_more_is_refused(mode):
    with pytest.raises(
        ValueError, match=r"pad: reflect padding by \(8, 8, 8, 8\) needs an image larger .*\(8, 8\)"
    ):
        T.Pad(8, padding_mode=mode)(IMG)
    with pytest.raises(ValueError, match=r"pad: reflect padding by \(0, 3, 0, 0\).*\(3, 8\)"):
        F.pad(IMG[:, :3], [0, 3, 0, 0], padding_mode=mode)
    assert F.pad(IMG, 7, padding_mode=mode).shape == (3, 22, 22)
    # a PIL image is padded by NumPy, which reflects as often as needed (torchvision's too)
    assert F.pad(F.to_pil_image(IMG), 10, padding_mode=mode).size == (28, 28)


@pytest.mark.torch
def test_shape_errors_of_the_tensor_transforms_raise_torchs_type():
    torch = pytest.importorskip("torch")
    x = torch.rand(1, 3, 8, 8)
    with pytest.raises(RuntimeError):
        torch.nn.functional.pad(x, (8, 8, 8, 8), mode="reflect")
    with pytest.raises(RuntimeError):
        T.Pad(8, padding_mode="reflect")(IMG)
    with pytest.raises(RuntimeError):
        torch.nn.functional.interpolate(x, size=(0, 0), mode="bilinear")
    with pytest.raises(RuntimeError):
        T.Resize(0)(IMG)
    with pytest.raises(RuntimeError):
        x[0, :, 0:4, 0:4] = torch.zeros(2, 2, 2)  # torchvision's erase
    with pytest.raises(RuntimeError):
        F.erase(IMG, 0, 0, 4, 4, npgrad.zeros(2, 2, 2))


def test_gaussian_blur_keeps_its_reflect_padding_message():
    with pytest.raises(ValueError, match=r"gaussian_blur: reflect padding by \(15, 15\)"):
        T.GaussianBlur(31)(IMG)


def test_erase_with_a_value_that_does_not_fit_the_window_names_the_shapes():
    before = IMG.numpy().copy()
    with pytest.raises(
        ValueError,
        match=r"erase: value of shape \(2, 2, 2\) can't fill the window of shape \(3, 4, 4\) "
        r"at \(i, j, h, w\) = \(0, 0, 4, 4\) of the image of shape \(3, 8, 8\)",
    ):
        F.erase(IMG, 0, 0, 4, 4, npgrad.zeros(2, 2, 2), inplace=True)
    np.testing.assert_array_equal(IMG.numpy(), before)  # nothing erased
    out = F.erase(IMG, 0, 0, 4, 4, npgrad.zeros(3, 1, 1))
    assert out.shape == (3, 8, 8) and float(out[:, :4, :4].abs().sum()) == 0.0


@pytest.mark.parametrize("angle", ["10", None, [10]])
def test_rotate_refuses_an_angle_that_is_not_a_number(angle):
    with pytest.raises(TypeError, match=r"Argument angle should be int or float, got "):
        F.rotate(IMG, angle)
    with pytest.raises(TypeError, match="Argument angle should be int or float"):
        F.rotate(F.to_pil_image(IMG), angle)


def test_rotate_accepts_numpy_floats():
    assert F.rotate(IMG, np.float32(90.0)).shape == (3, 8, 8)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (
            lambda: T.RandomResizedCrop(4, scale=(-1.0, 0.5)),
            r"RandomResizedCrop: scale values must be non-negative, got \(-1\.0, 0\.5\)",
        ),
        (
            lambda: T.RandomResizedCrop(4, ratio=(0.0, 2.0)),
            r"RandomResizedCrop: ratio values must be positive, got \(0\.0, 2\.0\)",
        ),
        (
            lambda: T.RandomErasing(ratio=(-1.0, 2.0)),
            r"RandomErasing: ratio values must be positive, got \(-1\.0, 2\.0\)",
        ),
        (
            lambda: T.RandAugment(num_ops=-1),
            r"num_ops should be a non-negative integer, but got -1",
        ),
        (
            lambda: T.RandAugment(num_ops=1.5),
            r"num_ops should be a non-negative integer, but got 1\.5",
        ),
        (
            lambda: T.RandomPerspective(distortion_scale=2.0),
            r"distortion_scale value should be between 0 and 1, got 2\.0",
        ),
        (lambda: T.RandomPerspective(distortion_scale=-0.1), r"between 0 and 1, got -0\.1"),
    ],
)
def test_random_transform_arguments_out_of_range_are_refused_when_built(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_random_transform_arguments_in_range_still_work():
    assert T.RandAugment(num_ops=np.int64(0))((IMG * 255).to(npgrad.uint8)).shape == (3, 8, 8)
    assert T.RandomPerspective(distortion_scale=0.5, p=1.0)(IMG).shape == (3, 8, 8)


def test_random_choice_of_no_transform_names_the_class():
    with pytest.raises(IndexError, match="RandomChoice: cannot choose from an empty list"):
        T.RandomChoice([])(IMG)


@pytest.mark.parametrize("fill", ["a", ["x", 0, 0], [None]])
def test_rotate_refuses_a_fill_that_is_not_numbers(fill):
    with pytest.raises(
        TypeError, match="Argument fill should be a number or a sequence of numbers"
    ):
        F.rotate(IMG, 10.0, fill=fill)
    with pytest.raises(
        TypeError, match="Argument fill should be a number or a sequence of numbers"
    ):
        F.affine(IMG, 10.0, [0, 0], 1.0, [0.0, 0.0], fill=fill)


def test_rotate_fill_numbers_still_work():
    for fill in (1, 0.5, [1.0, 0.0, 0.0], (np.float32(1.0),), True):
        assert F.rotate(IMG, 10.0, fill=fill).shape == (3, 8, 8)


def test_auto_augment_refuses_a_string_fill_when_built():
    with pytest.raises(TypeError, match="Fill should be either a sequence or a number"):
        T.AutoAugment(fill="x")
    with pytest.raises(TypeError, match="Fill should be either a sequence or a number"):
        T.TrivialAugmentWide(fill="x")


@pytest.mark.parametrize("bins", [0, -3, 2.5])
def test_trivial_augment_needs_a_positive_number_of_bins(bins):
    with pytest.raises(ValueError, match="TrivialAugmentWide: num_magnitude_bins should be a "):
        T.TrivialAugmentWide(num_magnitude_bins=bins)


def test_random_erasing_of_a_2d_tensor_names_the_shape_and_draws_nothing():
    g = npgrad.Generator().manual_seed(5)
    state = g.get_state()
    with pytest.raises(
        ValueError, match=r"RandomErasing expects a Tensor image .*got shape \(8, 8\)"
    ):
        T.RandomErasing(p=1.0, generator=g)(IMG[0])
    assert np.array_equal(np.asarray(g.get_state()), np.asarray(state))


@pytest.mark.parametrize("mode", ["edge", "reflect", "symmetric"])
def test_padding_an_empty_image_by_its_border_is_a_shape_error(mode):
    with pytest.raises(ValueError, match=rf"pad: {mode} padding needs a non-empty image.*\(0, 4\)"):
        F.pad(npgrad.zeros(3, 0, 4), 1, padding_mode=mode)
    assert F.pad(npgrad.zeros(3, 0, 4), 1).shape == (3, 2, 6)  # constant: fine


def test_linear_transformation_promotes_like_torch_instead_of_wrapping_uint8():
    rng = np.random.default_rng(0)
    m = rng.standard_normal((12, 12)).astype(np.float32)
    mu = rng.standard_normal(12).astype(np.float32)
    x = rng.integers(0, 255, (3, 2, 2)).astype(np.uint8)
    out = T.LinearTransformation(npgrad.tensor(m), npgrad.tensor(mu))(npgrad.tensor(x))
    assert out.dtype == npgrad.float32
    want = ((x.reshape(1, 12).astype(np.float32) - mu) @ m).reshape(3, 2, 2)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-4)
    wide = T.LinearTransformation(npgrad.tensor(m).double(), npgrad.tensor(mu).double())
    assert wide(npgrad.tensor(x.astype(np.float32))).dtype == npgrad.float64


@pytest.mark.torch
def test_linear_transformation_matches_torch_on_integer_images():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    m = rng.standard_normal((12, 12)).astype(np.float32)
    mu = rng.standard_normal(12).astype(np.float32)
    x = rng.integers(0, 255, (3, 2, 2)).astype(np.uint8)
    out = T.LinearTransformation(npgrad.tensor(m), npgrad.tensor(mu))(npgrad.tensor(x))
    flat = torch.tensor(x).view(-1, 12) - torch.tensor(mu)  # torchvision's forward
    ref = torch.mm(flat, torch.tensor(m).to(flat.dtype)).view(3, 2, 2)
    assert str(ref.dtype) == "torch.float32" and out.dtype == npgrad.float32
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-4)
