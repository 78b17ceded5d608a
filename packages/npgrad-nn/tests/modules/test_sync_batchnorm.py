"""SyncBatchNorm: the single-process fallback (exactly BatchNorm, PyTorch parity), the
synchronised path in a simulated world (npgrad.distributed's FakeBackend, whose peers answer
each collective with what the other ranks would send), convert_sync_batchnorm, and errors.
Real multi-process runs are in tests_integration/distributed/test_sync_batchnorm.py."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
import npgrad.distributed as dist
from npgrad import nn
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.distributed import _group
from npgrad.distributed._fake import FakeBackend
from npgrad.nn.modules.sync_batchnorm import SyncBatchNorm
from npgrad.nn.parallel import DistributedDataParallel
from npgrad.testing import assert_close

EPS = 1e-5


@pytest.fixture
def world():
    def make(**kwargs):
        backend = FakeBackend(**kwargs)
        _group._init_backend(backend)
        return backend

    yield make
    if _group._default is not None:
        dist.destroy_process_group()


def rand(*shape, seed=0, dtype=np.float64, shift=0.0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype) + dtype(shift)


def with_state(module, seed=1):
    """Non-trivial weight, bias and running statistics (the same for the same seed)."""
    rng = np.random.default_rng(seed)
    with npgrad.no_grad():  # (state_dict() holds copies of the parameters)
        for name, t in [*module.named_parameters(), *module.named_buffers()]:
            if t.dtype.kind == "f":
                t.copy_(npgrad.tensor(rng.uniform(0.5, 1.5, t.shape).astype(t.dtype)))
            elif name.endswith("num_batches_tracked"):
                t.fill_(3)
    return module


def state(module):
    return {k: v.numpy().copy() for k, v in module.state_dict().items()}


# ---- the module's state and construction -------------------------------------------------------
def test_parameters_buffers_repr_and_state_dict_keys_are_batch_norms():
    bn = SyncBatchNorm(3)
    assert isinstance(bn, nn.modules.normalization._BatchNorm)
    assert list(bn.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert repr(bn) == (
        "SyncBatchNorm(3, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)"
    )
    assert_close(bn.weight, np.ones(3, np.float32))
    assert_close(bn.running_var, np.ones(3, np.float32))
    assert bn.process_group is None
    other = SyncBatchNorm(2, 1e-3, None, affine=False, track_running_stats=False)
    assert list(other.state_dict()) == [] and other.weight is None and other.running_mean is None
    assert SyncBatchNorm(2, bias=False).bias is None
    assert SyncBatchNorm(2, dtype=npgrad.float64).running_mean.dtype == np.float64


def test_a_process_group_other_than_the_default_is_refused():
    with pytest.raises(ValueError, match="one process group.*process_group=None"):
        SyncBatchNorm(3, process_group="group-1")
    with pytest.raises(ValueError, match="convert_sync_batchnorm: npgrad.distributed has one"):
        SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(2), process_group=object())


# ---- fallback: exactly BatchNorm ---------------------------------------------------------------
FALLBACK_SHAPES = [(4, 3), (4, 3, 5), (2, 3, 4, 5), (2, 3, 2, 3, 2)]
REFERENCE = {2: nn.BatchNorm1d, 3: nn.BatchNorm1d, 4: nn.BatchNorm2d, 5: nn.BatchNorm3d}


def _fallback_matches_batch_norm(shape, dtype, momentum, training):
    ours = with_state(SyncBatchNorm(3, momentum=momentum, dtype=dtype))
    ref = with_state(REFERENCE[len(shape)](3, momentum=momentum, dtype=dtype))
    ours.train(training)
    ref.train(training)
    x0, g0 = rand(*shape, dtype=dtype), rand(*shape, seed=5, dtype=dtype)
    outs, grads = [], []
    for m in (ours, ref):
        x = npgrad.tensor(x0, requires_grad=True)
        y = m(x)
        y.backward(npgrad.tensor(g0))
        outs.append(y)
        grads.append([x.grad, m.weight.grad, m.bias.grad])
    assert outs[0].dtype == dtype and outs[0].shape == shape
    assert_close(outs[0], outs[1], rtol=0, atol=0)
    for a, b in zip(*grads):
        assert_close(a, b, rtol=0, atol=0)
    for key, value in state(ref).items():
        np.testing.assert_array_equal(state(ours)[key], value, err_msg=key)


@pytest.mark.parametrize("shape", FALLBACK_SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_without_a_process_group_it_is_batch_norm(shape, dtype):
    _fallback_matches_batch_norm(shape, dtype, 0.1, training=True)
    _fallback_matches_batch_norm(shape, dtype, None, training=False)


def test_a_world_of_one_rank_and_evaluation_do_not_communicate(world):
    backend = world(rank=0, size=1)
    _fallback_matches_batch_norm((4, 3, 2), np.float64, 0.1, training=True)
    assert backend.calls == []
    dist.destroy_process_group()
    backend = world(rank=1, size=3)
    _fallback_matches_batch_norm((4, 3, 2), np.float32, 0.1, training=False)
    assert backend.calls == []


def test_gradients_of_the_fallback_including_second_order():
    m = with_state(SyncBatchNorm(3, dtype=npgrad.float64))
    x = npgrad.tensor(rand(4, 3, 2), requires_grad=True)
    # the parameters are perturbed in place: m sees them
    assert gradcheck(lambda v, w, b: m(v), (x, m.weight, m.bias))
    assert gradgradcheck(lambda v: m(v) ** 2, (x,))


# ---- errors, before any state changes ----------------------------------------------------------
@pytest.mark.parametrize("training", [True, False])
def test_bad_input_raises_and_leaves_the_state_alone(world, training):
    world(rank=0, size=2)
    bn = with_state(SyncBatchNorm(3)).train(training)
    before = state(bn)
    cases = [
        (npgrad.ones(3), ValueError, r"expected at least 2D input \(got 1D input"),
        (npgrad.ones(4, 0), ValueError, "number of input channels should be non-zero"),
        (npgrad.ones(4, 2), ValueError, r"expected input with 3 channels .* shape \(4, 2\)"),
        (npgrad.ones(4, 3, dtype=npgrad.int64), TypeError, "floating point input"),
        (npgrad.ones(4, 3, dtype=npgrad.float64), TypeError, r"weight dtype \(float32\)"),
        ([[1.0, 2.0, 3.0]], TypeError, "expected input to be a Tensor"),
    ]
    for x, kind, message in cases:
        with pytest.raises(kind, match=message):
            bn(x)
    bn.eps = 0.0
    if training:
        with pytest.raises(ValueError, match="eps must be positive"):
            bn(npgrad.ones(4, 3))
    for key, value in state(bn).items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)


def test_one_value_per_channel_over_all_ranks_is_refused_on_every_rank(world):
    # this rank's batch is (1, 3); the other rank's is empty: one value per channel in all
    world(rank=0, size=2, peer=lambda r, a: np.zeros_like(a) if a.dtype.kind == "f" else None)
    bn = SyncBatchNorm(3)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(npgrad.ones(1, 3))
    assert bn.num_batches_tracked.item() == 0 and bn.running_mean.tolist() == [0.0] * 3


# ---- the synchronised path in a simulated world ------------------------------------------------
def moments(x):
    """What a rank holding ``x`` sends in forward: count, means, centred sums of squares."""
    c = x.shape[1]
    axes = (0, *range(2, x.ndim))
    n = x.size // c
    if n == 0:
        return np.zeros(2 * c + 1)
    mean = x.mean(axes, dtype=np.float64)
    m2 = ((x.astype(np.float64) - mean.reshape((1, c) + (1,) * (x.ndim - 2))) ** 2).sum(axes)
    return np.concatenate([[n], mean, m2])


class Ranks:
    """Rank ``rank`` of a world whose ranks hold ``xs[r]`` and receive output gradients
    ``gs[r]``; the simulated peers answer every collective with what rank ``r`` sends.

    ``reference`` is one BatchNorm on the concatenated batch with the same state."""

    def __init__(self, xs, gs, weight, bias, graph=False):
        self.xs, self.gs, self.graph = xs, gs, graph
        full = np.concatenate(xs).astype(np.float64)
        c = full.shape[1]
        self.axes = (0, *range(2, full.ndim))
        self.bshape = (1, c) + (1,) * (full.ndim - 2)
        self.mean = full.mean(self.axes)
        self.invstd = 1 / np.sqrt(full.var(self.axes) + EPS)
        self.weight, self.bias = weight, bias

    def xhat(self, r):
        return (self.xs[r] - self.mean.reshape(self.bshape)) * self.invstd.reshape(self.bshape)

    def sends(self, r):
        """Rank r's contributions to each collective, in order."""
        x, g = self.xs[r].astype(np.float64), self.gs[r].astype(np.float64)
        xhat = self.xhat(r)
        if not self.graph:  # backward's one all-reduce: sum(dy), sum(dy * xhat)
            sums = np.concatenate([g.sum(self.axes), (g * xhat).sum(self.axes)])
            return [moments(self.xs[r]), sums]
        gy = g * self.weight.reshape(self.bshape)  # create_graph: statistics again, then sums
        centred = x - self.mean.reshape(self.bshape)
        return [
            moments(self.xs[r]),
            x.sum(self.axes),
            (centred**2).sum(self.axes),
            np.concatenate([gy.sum(self.axes), (gy * xhat).sum(self.axes)]),
        ]

    def peer(self, backend):
        def answer(r, a):
            return self.sends(r)[len(backend.calls) - 1]

        return answer


def run_rank(world, ranks, rank, bn, dtype, graph=False):
    backend = FakeBackend(rank=rank, size=len(ranks.xs))
    backend.peer = ranks.peer(backend)
    _group._init_backend(backend)
    try:
        x = npgrad.tensor(ranks.xs[rank], requires_grad=True)
        y = bn(x)
        g = npgrad.tensor(ranks.gs[rank])
        inputs = (x, bn.weight, bn.bias) if bn.affine else (x,)
        if graph:
            grads = npgrad.autograd.grad(y, inputs, g, create_graph=True)
        else:
            y.backward(g)
            grads = [t.grad for t in inputs]
    finally:
        dist.destroy_process_group()
    c = ranks.xs[0].shape[1]
    # forward: one gather of 2C + 1 float64 moments; backward: one all-reduce of 2C sums
    # (under create_graph also the statistics again, C numbers each)
    reduces = [c, c, 2 * c] if graph else [2 * c]
    assert backend.calls == [("allgather", "float64", 2 * c + 1)] + [
        ("allreduce", np.dtype(dtype).name, size) for size in reduces
    ]
    assert y.grad_fn.name() == "SyncBatchNormBackward"
    assert y.dtype == dtype and all(t.dtype == dtype for t in grads)
    return (y, *grads)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("sizes", "tail"),
    [((2, 3, 1), (4, 5)), ((3, 0, 2), (6,)), ((2, 2), ())],
    ids=["4d", "empty", "2d"],
)
@pytest.mark.parametrize("graph", [False, True], ids=["backward", "create_graph"])
def test_each_rank_gets_what_one_batch_norm_computes_on_the_whole_batch(
    world, dtype, sizes, tail, graph
):
    c = 3
    xs = [rand(n, c, *tail, seed=10 + r, dtype=dtype, shift=2.0) for r, n in enumerate(sizes)]
    gs = [rand(n, c, *tail, seed=20 + r, dtype=dtype) for r, n in enumerate(sizes)]
    ref = with_state(REFERENCE[2 + len(tail)](c, dtype=dtype))
    x_full = npgrad.tensor(np.concatenate(xs), requires_grad=True)
    y_full = ref(x_full)
    y_full.backward(npgrad.tensor(np.concatenate(gs)))
    ranks = Ranks(xs, gs, ref.weight.numpy().astype(np.float64), None, graph)
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    starts = np.cumsum((0, *sizes))
    weight_grads, bias_grads = [], []
    for rank in range(len(sizes)):
        bn = with_state(SyncBatchNorm(c, dtype=dtype))
        y, gx, gw, gb = run_rank(world, ranks, rank, bn, dtype, graph)
        lo, hi = starts[rank], starts[rank + 1]
        assert_close(y, y_full.detach()[lo:hi], **tol)
        assert_close(gx, x_full.grad[lo:hi], **tol)
        # the weight and bias gradients are this rank's share (DDP sums and averages them)
        g, xhat = ranks.gs[rank].astype(np.float64), ranks.xhat(rank)
        assert_close(gw, (g * xhat).sum(ranks.axes).astype(dtype), **tol)
        assert_close(gb, g.sum(ranks.axes).astype(dtype), **tol)
        weight_grads.append(gw.numpy())
        bias_grads.append(gb.numpy())
        for key, value in state(ref).items():
            np.testing.assert_allclose(state(bn)[key], value, **tol, err_msg=key)
    assert_close(np.sum(weight_grads, axis=0), ref.weight.grad, **tol)
    assert_close(np.sum(bias_grads, axis=0), ref.bias.grad, **tol)


def test_the_statistics_are_stable_far_from_zero(world):
    # mean 1e4, spread 1: a sum-of-squares formula would lose every digit in float32
    c = 2
    xs = [rand(8, c, 3, seed=r, dtype=np.float32, shift=1e4) for r in range(2)]
    gs = [np.ones_like(x) for x in xs]
    ranks = Ranks(xs, gs, np.ones(c), None)
    bn = SyncBatchNorm(c, affine=False)
    y, *_ = run_rank(world, ranks, 0, bn, np.float32)
    assert_close(y, (ranks.xhat(0)).astype(np.float32), rtol=0, atol=2e-3)
    full = np.concatenate(xs).astype(np.float64)
    want = 0.9 + 0.1 * full.var((0, 2), ddof=1)
    assert_close(bn.running_var, want.astype(np.float32), rtol=1e-6, atol=0)


def test_momentum_none_is_the_cumulative_average_of_the_global_statistics(world):
    world(rank=0, size=2)  # the other rank holds the same batch
    bn = SyncBatchNorm(2, momentum=None)
    batches = [rand(3, 2, seed=s) for s in range(3)]
    for b in batches:
        bn(npgrad.tensor(b, dtype=npgrad.float32))
    assert bn.num_batches_tracked.item() == 3
    both = [np.concatenate([b, b]) for b in batches]
    assert_close(bn.running_mean, np.mean([b.mean(0) for b in both], 0).astype(np.float32))
    want = np.mean([b.var(0, ddof=1) for b in both], 0)
    assert_close(bn.running_var, want.astype(np.float32), rtol=1e-5, atol=1e-6)


def test_an_empty_batch_on_every_rank_gives_an_empty_output(world):
    world(rank=0, size=2)
    bn = with_state(SyncBatchNorm(3))
    before = state(bn)
    y = bn(npgrad.zeros(0, 3, 2))
    assert y.shape == (0, 3, 2)
    y.sum().backward()
    assert bn.weight.grad.tolist() == [0.0] * 3
    np.testing.assert_array_equal(bn.running_mean.numpy(), before["running_mean"])


def test_without_running_statistics_training_synchronises_and_evaluation_uses_the_batch(world):
    backend = world(rank=0, size=2, peer=lambda r, a: None)
    bn = SyncBatchNorm(2, track_running_stats=False)
    x = npgrad.tensor(rand(4, 2, 3), dtype=npgrad.float32)
    y = bn(x)
    assert [c[0] for c in backend.calls] == ["allgather"]
    bn.eval()
    assert_close(bn(x), y)  # batch statistics, local: the same as the replicated world's
    assert len(backend.calls) == 1


def test_an_input_that_needs_no_gradient_skips_the_collective_of_backward(world):
    backend = world(rank=0, size=2)
    bn = SyncBatchNorm(2)
    bn(npgrad.ones(3, 2) + npgrad.arange(3.0).reshape(3, 1)).sum().backward()
    assert [c[0] for c in backend.calls] == ["allgather"]
    assert bn.weight.grad is not None


def test_gradcheck_and_gradgradcheck_in_a_replicated_world(world):
    # every rank holds the same input, so a perturbation moves all of them: the numerical
    # derivative is rank 0's loss differentiated through every rank's input, which by symmetry
    # is what backward's all-reduce gathers (without it, the cross-rank terms would be missing)
    backend = world(rank=0, size=3)
    m = with_state(SyncBatchNorm(2, dtype=npgrad.float64))
    x = npgrad.tensor(rand(3, 2, 2), requires_grad=True)
    w = npgrad.tensor(rand(2, seed=3), requires_grad=True)

    def f(v, scale):
        return m(v) * scale.reshape(1, 2, 1)

    assert gradcheck(f, (x, w))
    assert gradgradcheck(lambda v: m(v) ** 3, (x,))
    assert gradcheck(lambda v, wt, bs: m(v), (x, m.weight, m.bias))
    assert any(c[0] == "allreduce" for c in backend.calls)


def test_under_ddp_a_converted_model_has_the_gradients_of_the_concatenated_batch(world):
    # every simulated rank holds the same batch: one BatchNorm model on the batch twice, with
    # the mean of the two halves' losses, is what DDP's average of the ranks' gradients gives
    backend = world(rank=0, size=2)
    x0 = rand(4, 1, 5, 5, seed=8)

    def make():
        npgrad.manual_seed(3)
        return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Tanh()).double()

    model = SyncBatchNorm.convert_sync_batchnorm(make())
    ddp = DistributedDataParallel(model)
    calls = len(backend.calls)
    ddp(npgrad.tensor(x0)).square().sum().backward()
    kinds = [c[0] for c in backend.calls[calls:]]
    # forward: buffers from rank 0, the statistics; backward: SyncBatchNorm's sums, then the
    # gradient bucket (DDP's hooks fire after the convolution's backward, which needs them)
    assert kinds == ["bcast", "bcast", "allgather", "allreduce", "allreduce"]
    ref = make()
    y = ref(npgrad.tensor(np.concatenate([x0, x0])))
    ((y[:4].square().sum() + y[4:].square().sum()) / 2).backward()
    for (name, p), q in zip(model.named_parameters(), ref.parameters()):
        assert_close(p.grad, q.grad, rtol=1e-10, atol=1e-12, msg=name)
    assert_close(model[1].running_var, ref[1].running_var, rtol=1e-12, atol=0)


# ---- convert_sync_batchnorm --------------------------------------------------------------------
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
        self.blocks = nn.ModuleList([nn.BatchNorm1d(4, momentum=None, eps=1e-3, bias=False)])
        self.norm3 = nn.BatchNorm3d(4, affine=False, track_running_stats=False)
        self.inorm = nn.InstanceNorm2d(4, affine=True)  # not a batch norm: left alone
        self.head = nn.Linear(4, 2)


def test_convert_replaces_every_batch_norm_sharing_parameters_and_buffers():
    net = Net().double()
    with_state(net)
    net.blocks[0].eval()
    net.features[1].weight.requires_grad_(False)
    old = dict(net.named_modules())
    out = SyncBatchNorm.convert_sync_batchnorm(net)
    assert out is net
    for name in ("features.1", "blocks.0", "norm3"):
        new = net.get_submodule(name)
        assert type(new) is SyncBatchNorm, name
        assert new.extra_repr() == old[name].extra_repr(), name
        assert new.training == old[name].training and new.process_group is None
        for attr in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"):
            assert getattr(new, attr) is getattr(old[name], attr), (name, attr)
    assert net.blocks[0].training is False and net.features[1].training is True
    assert net.features[1].weight.requires_grad is False
    assert net.features[1].running_mean.dtype == np.float64
    assert type(net.inorm) is nn.InstanceNorm2d and net.head is old["head"]
    assert list(net.state_dict()) == list(Net().state_dict())


def test_convert_of_a_batch_norm_returns_a_new_module_and_of_other_modules_the_module():
    bn = with_state(nn.BatchNorm1d(3))
    sync = SyncBatchNorm.convert_sync_batchnorm(bn)
    assert type(sync) is SyncBatchNorm and sync is not bn and sync.weight is bn.weight
    again = SyncBatchNorm.convert_sync_batchnorm(sync)  # a SyncBatchNorm is a batch norm too
    assert type(again) is SyncBatchNorm and again.running_var is bn.running_var
    lin = nn.Linear(2, 2)
    assert SyncBatchNorm.convert_sync_batchnorm(lin) is lin
    with pytest.raises(TypeError, match="module must be an npgrad.nn.Module, got BatchNorm1d"):
        SyncBatchNorm.convert_sync_batchnorm(type("BatchNorm1d", (), {})())


def test_a_converted_model_trains_as_the_original_without_a_process_group():
    x = npgrad.tensor(rand(5, 1, 6, 6, seed=4))
    nets = [with_state(Net().double()), with_state(Net().double())]
    SyncBatchNorm.convert_sync_batchnorm(nets[1])
    outs = []
    for net in nets:
        y = net.features(x)
        y = net.blocks[0](y.mean((2, 3)))
        y.square().sum().backward()
        outs.append((y, net.features[0].weight.grad, net.blocks[0].weight.grad))
    for a, b in zip(*outs):
        assert_close(a, b, rtol=0, atol=0)


# ---- PyTorch parity (torch's SyncBatchNorm falls back to batch_norm without a process group) ---
@pytest.mark.torch
@pytest.mark.parametrize("shape", FALLBACK_SHAPES)
@pytest.mark.parametrize("momentum", [0.1, None])
def test_fallback_equals_torch_sync_batch_norm(shape, momentum):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.SyncBatchNorm(3, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        for v in theirs.state_dict().values():
            if v.is_floating_point():
                v.copy_(torch.rand(v.shape, dtype=v.dtype) + 0.5)
    ours = SyncBatchNorm(3, momentum=momentum, dtype=npgrad.float64)
    ours.load_state_dict(
        {k: npgrad.tensor(v.numpy()) for k, v in theirs.state_dict().items()}, strict=True
    )
    for step, training in enumerate((True, True, False)):
        ours.train(training)
        theirs.train(training)
        x0, g0 = rand(*shape, seed=step), rand(*shape, seed=10 + step)
        x, tx = npgrad.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
        y, ty = ours(x), theirs(tx)
        y.backward(npgrad.tensor(g0))
        ty.backward(torch.tensor(g0))
        assert_close(y, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
        assert_close(x.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
        for name in ("weight", "bias"):
            assert_close(
                getattr(ours, name).grad, getattr(theirs, name).grad.numpy(), rtol=1e-10, atol=1e-12
            )
        for key, value in theirs.state_dict().items():
            assert_close(ours.state_dict()[key], value.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.torch
def test_repr_state_dict_and_conversion_equal_torch():
    torch = pytest.importorskip("torch")
    tn = torch.nn
    theirs = tn.Sequential(
        tn.Linear(2, 4),
        tn.BatchNorm1d(4, momentum=None),
        tn.Sequential(tn.BatchNorm2d(4, affine=False), tn.BatchNorm3d(4, bias=False)),
        tn.InstanceNorm2d(4, affine=True),
    )
    ours = nn.Sequential(
        nn.Linear(2, 4),
        nn.BatchNorm1d(4, momentum=None),
        nn.Sequential(nn.BatchNorm2d(4, affine=False), nn.BatchNorm3d(4, bias=False)),
        nn.InstanceNorm2d(4, affine=True),
    )
    theirs = tn.SyncBatchNorm.convert_sync_batchnorm(theirs)
    ours = SyncBatchNorm.convert_sync_batchnorm(ours)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(
        {k: npgrad.tensor(v.numpy()) for k, v in theirs.state_dict().items()}, strict=True
    )
    assert repr(SyncBatchNorm(5, 1e-3, 0.2, False, False)) == repr(
        tn.SyncBatchNorm(5, 1e-3, 0.2, False, False)
    )
