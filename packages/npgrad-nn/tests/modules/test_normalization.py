"""Normalization layers: state (names, init, running statistics, num_batches_tracked),
train/eval behaviour, input checks naming the layer, repr, and PyTorch parity with loaded
state_dicts."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradgradcheck
from npgrad.testing import assert_close

RNG = np.random.default_rng(99)


def randn(*shape, dtype=np.float32):
    return npgrad.tensor(RNG.standard_normal(shape).astype(dtype))


# ---- state -----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d])
def test_batch_norm_state_names_init_and_dtypes(cls):
    bn = cls(5)
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert list(bn.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert_close(bn.weight, np.ones(5, np.float32))
    assert_close(bn.bias, np.zeros(5, np.float32))
    assert_close(bn.running_mean, np.zeros(5, np.float32))
    assert_close(bn.running_var, np.ones(5, np.float32))
    assert bn.num_batches_tracked.dtype == np.int64 and bn.num_batches_tracked.shape == ()
    assert not bn.running_mean.requires_grad


def test_optional_state():
    bn = nn.BatchNorm2d(3, affine=False, track_running_stats=False)
    assert list(bn.state_dict()) == [] and bn.weight is None and bn.running_mean is None
    bn = nn.BatchNorm1d(3, bias=False)
    assert [n for n, _ in bn.named_parameters()] == ["weight"] and bn.bias is None
    assert nn.BatchNorm1d(3, dtype=npgrad.float64).running_var.dtype == np.float64
    ln = nn.LayerNorm((2, 3), bias=False)
    assert ln.weight.shape == (2, 3) and ln.bias is None
    assert list(nn.LayerNorm(4, elementwise_affine=False).state_dict()) == []
    rms = nn.RMSNorm([2, 3], dtype=npgrad.float64)
    assert [n for n, _ in rms.named_parameters()] == ["weight"]
    assert_close(rms.weight, np.ones((2, 3)))
    assert rms.eps is None and rms.normalized_shape == (2, 3)
    assert nn.RMSNorm(4, elementwise_affine=False).weight is None
    assert list(nn.RMSNorm(4, elementwise_affine=False).state_dict()) == []
    assert list(nn.GroupNorm(2, 4, affine=False).state_dict()) == []
    assert list(nn.InstanceNorm1d(3).state_dict()) == []
    inst = nn.InstanceNorm2d(3, affine=True, track_running_stats=True)
    assert list(inst.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]


def test_reset_parameters_and_running_stats():
    bn = nn.BatchNorm1d(3)
    bn(randn(4, 3))
    with npgrad.no_grad():
        bn.weight.fill_(3.0)
    bn.reset_parameters()
    assert_close(bn.weight, np.ones(3, np.float32))
    assert_close(bn.running_mean, np.zeros(3, np.float32))
    assert bn.num_batches_tracked.item() == 0


def test_repr_strings():
    assert repr(nn.BatchNorm2d(3, momentum=None, affine=False)) == (
        "BatchNorm2d(3, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=True)"
    )
    assert repr(nn.InstanceNorm2d(3, affine=True)) == (
        "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=False)"
    )
    assert (
        repr(nn.LayerNorm((2, 3), eps=1e-6))
        == "LayerNorm((2, 3), eps=1e-06, elementwise_affine=True, bias=True)"
    )
    assert repr(nn.RMSNorm([2, 3])) == "RMSNorm((2, 3), eps=None, elementwise_affine=True)"
    assert (
        repr(nn.RMSNorm(3, eps=1e-6, elementwise_affine=False))
        == "RMSNorm((3,), eps=1e-06, elementwise_affine=False)"
    )
    assert (
        repr(nn.GroupNorm(2, 4, affine=False))
        == "GroupNorm(2, 4, eps=1e-05, affine=False, bias=False)"
    )
    assert (
        repr(nn.LocalResponseNorm(3, k=2.0))
        == "LocalResponseNorm(3, alpha=0.0001, beta=0.75, k=2.0)"
    )


# ---- batch norm behaviour --------------------------------------------------------------------
def test_batch_norm_1d_accepts_2d_and_3d_input():
    bn = nn.BatchNorm1d(3)
    assert bn(randn(4, 3)).shape == (4, 3)
    assert bn(randn(4, 3, 5)).shape == (4, 3, 5)
    assert bn.num_batches_tracked.item() == 2


def test_training_updates_running_stats_and_eval_uses_them():
    bn = nn.BatchNorm2d(2, momentum=0.5)
    x = randn(8, 2, 3, 3, dtype=np.float64).to(npgrad.float32)
    xd = x.numpy().astype(np.float64)
    out = bn(x)
    n = 8 * 9
    assert_close(bn.running_mean, (0.5 * xd.mean(axis=(0, 2, 3))).astype(np.float32))
    assert_close(
        bn.running_var, (0.5 + 0.5 * xd.var(axis=(0, 2, 3)) * n / (n - 1)).astype(np.float32)
    )
    batch_norm = (xd - xd.mean(axis=(0, 2, 3), keepdims=True)) / np.sqrt(
        xd.var(axis=(0, 2, 3), keepdims=True) + 1e-5
    )
    assert_close(out, batch_norm.astype(np.float32), rtol=1e-4, atol=1e-5)
    bn.eval()
    rm, rv = bn.running_mean.numpy().copy(), bn.running_var.numpy().copy()
    ev = bn(x)
    expected = (xd - rm.reshape(1, 2, 1, 1)) / np.sqrt(rv.reshape(1, 2, 1, 1) + 1e-5)
    assert_close(ev, expected.astype(np.float32), rtol=1e-5, atol=1e-6)
    assert_close(bn.running_mean, rm)
    assert bn.num_batches_tracked.item() == 1


def test_momentum_none_is_the_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None)
    batches = [randn(5, 2, dtype=np.float64) for _ in range(3)]
    bn.double()
    for b in batches:
        bn(b)
    means = [b.numpy().mean(axis=0) for b in batches]
    variances = [b.numpy().var(axis=0, ddof=1) for b in batches]
    assert_close(bn.running_mean, np.mean(means, axis=0))
    assert_close(bn.running_var, np.mean(variances, axis=0))
    assert bn.num_batches_tracked.item() == 3


def test_without_running_stats_eval_uses_batch_statistics():
    bn = nn.BatchNorm1d(3, track_running_stats=False).eval()
    x = randn(6, 3, dtype=np.float64)
    bn.double()
    xd = x.numpy()
    assert_close(bn(x), (xd - xd.mean(0)) / np.sqrt(xd.var(0) + 1e-5))


def test_eval_mode_with_buffers_but_no_tracking_flag():
    # track_running_stats=True, then eval: running stats are used even for a single sample
    bn = nn.BatchNorm1d(3).eval()
    assert_close(bn(npgrad.ones(1, 3)), np.full((1, 3), 1 / np.sqrt(1 + 1e-5), np.float32))


def test_bad_input_names_the_layer_and_leaves_state_unchanged():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(
        ValueError, match=r"^BatchNorm1d\(3, eps=1e-05.*\): expected 2D or 3D input \(got 4D"
    ):
        bn(randn(2, 3, 4, 4))
    with pytest.raises(
        ValueError,
        match=r"BatchNorm1d\(3.*expected input with 3 channels \(dim 1\), got input of shape \(4, 5\)",
    ):
        bn(randn(4, 5))
    with pytest.raises(
        ValueError,
        match=r"Expected more than 1 value per channel when training, got input size \(1, 3\)",
    ):
        bn(randn(1, 3))
    assert bn.num_batches_tracked.item() == 0
    assert_close(bn.running_mean, np.zeros(3, np.float32))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3.*expected 4D input"):
        nn.BatchNorm2d(3)(randn(2, 3, 4))
    with pytest.raises(TypeError, match="expected input to be a Tensor"):
        bn(np.ones((2, 3)))


def test_second_order_through_batch_norm_module():
    bn = nn.BatchNorm2d(2).double()
    x = randn(3, 2, 2, 2, dtype=np.float64).requires_grad_(True)
    assert gradgradcheck(
        lambda v, w, b: nn.functional.batch_norm(v, None, None, w, b, True), (x, bn.weight, bn.bias)
    )
    out = bn(x)
    (gx,) = npgrad.autograd.grad((out * out * out).sum(), x, create_graph=True)
    gx.sum().backward()  # a gradient of a gradient through the module
    assert x.grad is not None and np.isfinite(x.grad.numpy()).all()


def test_deepcopy_keeps_buffers_independent():
    bn = nn.BatchNorm1d(2)
    other = copy.deepcopy(bn)
    bn(randn(4, 2))
    assert other.num_batches_tracked.item() == 0


@pytest.mark.parametrize("cls", [nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d])
def test_batch_norm_loads_a_plain_dict_without_num_batches_tracked(cls):
    # PyTorch's _NormBase: a state_dict without version metadata (or of version < 2) predates
    # num_batches_tracked; the module keeps its own count
    src = cls(3)
    src.running_mean.fill_(0.5)
    bn = cls(3)
    bn.num_batches_tracked.fill_(4)
    sd = {k: v for k, v in src.state_dict().items() if k != "num_batches_tracked"}
    keys = list(sd)
    result = bn.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert list(sd) == keys  # the caller's dict is not changed
    assert bn.num_batches_tracked.item() == 4 and bn.num_batches_tracked.dtype == np.int64
    assert_close(bn.running_mean, np.full(3, 0.5, np.float32))
    net = nn.Sequential(nn.Linear(3, 3), cls(3))
    sd = {k: v for k, v in net.state_dict().items() if "num_batches" not in k}
    assert net.load_state_dict(sd).missing_keys == []


def test_batch_norm_state_dict_version_decides_whether_num_batches_tracked_may_be_missing():
    sd = nn.BatchNorm1d(2).state_dict()
    assert sd._metadata[""] == {"version": 2}
    del sd["num_batches_tracked"]
    with pytest.raises(RuntimeError, match='Missing key.*"num_batches_tracked"'):
        nn.BatchNorm1d(2).load_state_dict(sd)
    assert nn.BatchNorm1d(2).load_state_dict(sd, strict=False).missing_keys == [
        "num_batches_tracked"
    ]
    sd._metadata[""]["version"] = 1
    assert nn.BatchNorm1d(2).load_state_dict(sd).missing_keys == []
    # without tracking there is no buffer to add
    free = nn.BatchNorm1d(2, track_running_stats=False)
    assert free.load_state_dict({"weight": np.ones(2), "bias": np.zeros(2)}).missing_keys == []


@pytest.mark.torch
def test_batch_norm_loads_a_torch_checkpoint_of_version_1(tmp_path):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 1), torch.nn.BatchNorm2d(2))
    theirs[1].running_var.fill_(2.0)
    sd = theirs.state_dict()
    del sd["1.num_batches_tracked"]
    sd._metadata["1"]["version"] = 1
    torch.save(sd, tmp_path / "old_bn.pt")
    ours = nn.Sequential(nn.Conv2d(1, 2, 1), nn.BatchNorm2d(2))
    assert ours.load_state_dict(npgrad.load(tmp_path / "old_bn.pt")).missing_keys == []
    assert_close(ours[1].running_var, np.full(2, 2.0, np.float32))
    assert ours[1].num_batches_tracked.item() == 0
    sd._metadata["1"]["version"] = 2  # current: the buffer must be there
    torch.save(sd, tmp_path / "new_bn.pt")
    with pytest.raises(RuntimeError, match='"1.num_batches_tracked"'):
        ours.load_state_dict(npgrad.load(tmp_path / "new_bn.pt"))
    assert dict(ours.state_dict()._metadata) == dict(theirs.state_dict()._metadata)


# ---- instance / layer / group ----------------------------------------------------------------
def test_instance_norm_unbatched_and_mismatch_warning():
    m = nn.InstanceNorm1d(3)
    x = randn(3, 5)
    out = m(x)
    assert out.shape == (3, 5)
    assert_close(out, m(x.unsqueeze(0)).squeeze(0))
    with pytest.warns(UserWarning, match="does not match num_features"):
        m(randn(2, 4, 5))
    with pytest.raises(
        ValueError,
        match=r"InstanceNorm1d\(3.*expected input's size at dim=1 to match num_features \(3\)",
    ):
        nn.InstanceNorm1d(3, affine=True)(randn(2, 4, 5))
    with pytest.raises(ValueError, match=r"InstanceNorm2d\(3.*expected 3D or 4D input"):
        nn.InstanceNorm2d(3)(randn(2, 3))


def test_instance_norm_tracking_running_stats_switches_in_eval():
    m = nn.InstanceNorm1d(2, track_running_stats=True, momentum=1.0).double()
    x = randn(4, 2, 6, dtype=np.float64)
    m(x)
    assert_close(m.running_mean, x.numpy().mean(axis=2).mean(axis=0))
    m.eval()
    xd = x.numpy()
    expected = (xd - m.running_mean.numpy()[:, None]) / np.sqrt(
        m.running_var.numpy()[:, None] + 1e-5
    )
    assert_close(m(x), expected)


def test_layer_and_group_norm_errors_name_the_layer():
    with pytest.raises(
        ValueError, match=r"^LayerNorm\(\(4,\).*trailing shape \(4,\).*got input of shape \(2, 3\)"
    ):
        nn.LayerNorm(4)(randn(2, 3))
    with pytest.raises(
        ValueError, match=r"^RMSNorm\(\(4,\).*trailing shape \(4,\).*got input of shape \(2, 3\)"
    ):
        nn.RMSNorm(4)(randn(2, 3))
    with pytest.raises(
        ValueError,
        match=r"^GroupNorm\(2, 4.*expected input of shape \(N, 4, \*\), got input of shape \(2, 6\)",
    ):
        nn.GroupNorm(2, 4)(randn(2, 6))
    with pytest.raises(
        ValueError, match=r"num_channels \(5\) must be divisible by num_groups \(2\)"
    ):
        nn.GroupNorm(2, 5)


def test_modules_train_their_parameters():
    for m, x in [
        (nn.LayerNorm(3), randn(2, 3)),
        (nn.GroupNorm(1, 2), randn(2, 2, 3)),
        (nn.BatchNorm1d(3), randn(4, 3)),
    ]:
        (m(x) * randn(*x.shape)).sum().backward()
        assert m.weight.grad is not None and m.weight.grad.shape == m.weight.shape
        assert m.bias.grad is not None


# ---- PyTorch parity --------------------------------------------------------------------------
def _pairs(torch):
    tn = torch.nn
    return [
        (nn.BatchNorm1d(4), tn.BatchNorm1d(4), (6, 4)),
        (nn.BatchNorm1d(4, momentum=None), tn.BatchNorm1d(4, momentum=None), (6, 4, 3)),
        (nn.BatchNorm2d(4, bias=False), tn.BatchNorm2d(4, bias=False), (3, 4, 3, 2)),
        (nn.BatchNorm3d(4, affine=False), tn.BatchNorm3d(4, affine=False), (2, 4, 2, 2, 2)),
        (
            nn.BatchNorm2d(4, track_running_stats=False),
            tn.BatchNorm2d(4, track_running_stats=False),
            (3, 4, 2, 2),
        ),
        (
            nn.InstanceNorm1d(4, affine=True, track_running_stats=True),
            tn.InstanceNorm1d(4, affine=True, track_running_stats=True),
            (3, 4, 5),
        ),
        (nn.InstanceNorm2d(4), tn.InstanceNorm2d(4), (4, 3, 3)),
        (nn.InstanceNorm3d(4, affine=True), tn.InstanceNorm3d(4, affine=True), (2, 4, 2, 2, 2)),
        (nn.LayerNorm((4, 3)), tn.LayerNorm((4, 3)), (2, 5, 4, 3)),
        (nn.LayerNorm(3, bias=False, eps=1e-3), tn.LayerNorm(3, bias=False, eps=1e-3), (2, 3)),
        (nn.GroupNorm(2, 4), tn.GroupNorm(2, 4), (3, 4, 5)),
        (nn.RMSNorm((4, 3)), tn.RMSNorm((4, 3)), (2, 5, 4, 3)),
        (
            nn.RMSNorm(3, eps=1e-3, elementwise_affine=False),
            tn.RMSNorm(3, eps=1e-3, elementwise_affine=False),
            (2, 3),
        ),
        (
            nn.LocalResponseNorm(3, 0.1, 0.7, 2.0),
            tn.LocalResponseNorm(3, 0.1, 0.7, 2.0),
            (2, 4, 3, 3),
        ),
    ]


@pytest.mark.torch
def test_repr_and_state_dict_keys_equal_torch():
    torch = pytest.importorskip("torch")
    for ours, theirs, _ in _pairs(torch):
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        for k, v in theirs.state_dict().items():
            assert ours.state_dict()[k].shape == tuple(v.shape)
            assert ours.state_dict()[k].dtype == v.detach().numpy().dtype


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_parity_train_and_eval_with_loaded_state_dict(dtype):
    torch = pytest.importorskip("torch")
    tol = {"rtol": 3e-4, "atol": 3e-5} if dtype == "float32" else {"rtol": 1e-9, "atol": 1e-10}
    for ours, theirs, shape in _pairs(torch):
        if dtype == "float64":
            ours.double()
            theirs.double()
        with torch.no_grad():  # non-trivial parameters and statistics
            for v in theirs.state_dict().values():
                if v.dtype.is_floating_point:
                    v.copy_(torch.rand(v.shape, dtype=v.dtype) + 0.5)
        ours.load_state_dict(
            {k: npgrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()},
            strict=True,
        )
        for mode in ("train", "eval", "train"):
            ours.train(mode == "train")
            theirs.train(mode == "train")
            x0 = RNG.standard_normal(shape).astype(dtype)
            g0 = RNG.standard_normal(shape).astype(dtype)
            x, tx = npgrad.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
            ours.zero_grad()
            theirs.zero_grad()
            y, ty = ours(x), theirs(tx)
            y.backward(npgrad.tensor(g0))
            ty.backward(torch.tensor(g0))
            msg = f"{theirs!r} {mode} {dtype}"
            assert_close(y.detach(), ty.detach().numpy(), msg=msg, **tol)
            assert_close(x.grad, tx.grad.numpy(), msg=msg, **tol)
            for (n, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
                assert_close(p.grad, tp.grad.numpy(), msg=f"{msg} {n}", **tol)
            for k, v in theirs.state_dict().items():
                assert_close(ours.state_dict()[k], v.numpy(), msg=f"{msg} {k}", **tol)


@pytest.mark.torch
def test_default_init_matches_torch():
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ours, theirs, _ in _pairs(torch):
            for k, v in theirs.state_dict().items():
                assert_close(ours.state_dict()[k], v.numpy(), msg=k)


def test_rms_norm_trains_its_weight_and_has_second_order_gradients():
    m = nn.RMSNorm((2, 3)).double()
    x = randn(4, 2, 3, dtype=np.float64)
    (m(x) * randn(4, 2, 3, dtype=np.float64)).sum().backward()
    assert m.weight.grad is not None and m.weight.grad.shape == (2, 3)
    x.requires_grad_(True)
    assert gradgradcheck(lambda v: m(v) ** 2, (x,))


@pytest.mark.torch
def test_rms_norm_loads_a_torch_state_dict_and_matches_it():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.RMSNorm([2, 3], eps=1e-4)
    with torch.no_grad():
        theirs.weight.copy_(torch.rand(2, 3) + 0.5)
    ours = nn.RMSNorm([2, 3], eps=1e-4)
    result = ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert_close(ours.weight, theirs.weight.detach().numpy())
    x0 = RNG.standard_normal((4, 2, 3)).astype(np.float32)
    assert_close(ours(npgrad.tensor(x0)), theirs(torch.tensor(x0)).detach().numpy(), rtol=1e-5)


def test_a_batch_refused_by_batch_norm_leaves_the_layer_unchanged():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(TypeError):
        bn(npgrad.ones(4, 3, dtype=npgrad.float64))  # float32 parameters
    assert bn.num_batches_tracked.item() == 0
    assert bn.running_mean.tolist() == [0.0, 0.0, 0.0]
    bn(npgrad.ones(4, 3))
    assert bn.num_batches_tracked.item() == 1
