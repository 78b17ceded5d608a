"""DistributedDataParallel in a simulated world (npgrad.distributed's FakeBackend): what it
averages, which collectives it issues and when, and how it fails. Real multi-process runs
(parameters equal to a single-process step) are in tests_integration/distributed."""

from __future__ import annotations

import doctest
import gc
import importlib

import numpy as np
import pytest

import npgrad
import npgrad.distributed as dist
from npgrad import nn
from npgrad.distributed import _group
from npgrad.distributed._fake import FakeBackend
from npgrad.nn.parallel import DistributedDataParallel as DDP


@pytest.fixture
def world():
    def make(**kwargs):
        backend = FakeBackend(**kwargs)
        _group._init_backend(backend)
        return backend

    yield make
    if _group._default is not None:
        dist.destroy_process_group()


def triple_floats(r, a):
    """The other ranks' floating-point data is 3x this rank's (their gradients are 3x)."""
    return a * 3 if a.dtype.kind == "f" else None


class Net(nn.Module):
    def __init__(self, head=False, dtype=npgrad.float64):
        super().__init__()
        npgrad.manual_seed(0)
        self.fc1 = nn.Linear(4, 8).to(dtype)
        self.fc2 = nn.Linear(8, 3).to(dtype)
        if head:
            self.head = nn.Linear(8, 2).to(dtype)  # used only when forward is asked to

    def forward(self, x, use_head=False):
        h = self.fc1(x).tanh()
        out = self.fc2(h)
        return (out, self.head(h)) if use_head else out


def batch(seed=1, dtype=npgrad.float64):
    rng = np.random.default_rng(seed)
    return npgrad.tensor(rng.standard_normal((5, 4)), dtype=dtype)


def grads(module):
    return {
        n: None if p.grad is None else p.grad.numpy().copy() for n, p in module.named_parameters()
    }


def local_grads(x, use_head=False):
    plain = Net(head=True)
    out = plain(x, use_head=use_head)
    loss = (out[0].sum() + out[1].square().sum()) if use_head else out.square().sum()
    loss.backward()
    return grads(plain)


def test_gradients_are_averaged_over_the_ranks(world):
    backend = world(rank=0, size=2, peer=triple_floats)
    model = DDP(Net())
    (model(batch()).square().sum()).backward()
    want = local_grads(batch())
    for name, g in grads(model.module).items():
        # (g + 3 g) / 2: every parameter got its own slot of the bucket back
        np.testing.assert_allclose(g, 2 * want[name], rtol=1e-12, err_msg=name)
    assert [c[0] for c in backend.calls].count("allreduce") == 1


def test_construction_copies_rank_0_s_parameters_and_buffers(world):
    world(rank=1, size=2, peer=lambda r, a: np.full_like(a, 0.5) if a.dtype.kind == "f" else None)
    module = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    module[1].num_batches_tracked.fill_(7)
    DDP(module)
    for name, t in module.state_dict().items():
        if name.endswith("num_batches_tracked"):
            assert t.item() == 7  # integer buffers travel too (the simulated peers agree)
        else:
            assert np.all(t.numpy() == 0.5), name


def test_rank_0_keeps_its_parameters(world):
    world(rank=0, size=2, peer=lambda r, a: np.full_like(a, 0.5) if a.dtype.kind == "f" else None)
    module = Net()
    before = {k: v.numpy().copy() for k, v in module.state_dict().items()}
    DDP(module)
    for k, v in module.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])


def test_buffers_are_broadcast_at_every_forward(world):
    backend = world(
        rank=1, size=2, peer=lambda r, a: np.full_like(a, 2.0) if a.dtype.kind == "f" else None
    )
    module = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).eval()
    model = DDP(module)
    module[1].running_mean.fill_(-1.0)  # drifts locally ...
    calls = len(backend.calls)
    model(npgrad.ones(2, 3))
    assert module[1].running_mean.tolist() == [2.0] * 4  # ... and is reset from rank 0
    assert [c[0] for c in backend.calls[calls:]] == ["bcast", "bcast"]  # float32 + int64
    no_sync_buffers = DDP(
        nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)), broadcast_buffers=False
    )
    calls = len(backend.calls)
    no_sync_buffers(npgrad.ones(2, 3))
    assert [c[0] for c in backend.calls[calls:]] == []  # no grad to reduce: backward not run


def test_state_dict_keys_carry_the_module_prefix(world):
    world(rank=0, size=2)
    model = DDP(nn.Linear(2, 3))
    assert list(model.state_dict()) == ["module.weight", "module.bias"]
    assert model.module.weight is model.get_parameter("module.weight")
    other = DDP(nn.Linear(2, 3))
    other.load_state_dict(model.state_dict())
    np.testing.assert_array_equal(other.module.weight.numpy(), model.module.weight.numpy())
    assert repr(model) == (
        "DistributedDataParallel(\n  (module): Linear(in_features=2, out_features=3, bias=True)\n)"
    )


def test_forward_passes_arguments_through_and_modes_propagate(world):
    world(rank=0, size=2)
    model = DDP(Net(head=True), find_unused_parameters=True)
    out, head = model(batch(), use_head=True)
    assert out.shape == (5, 3) and head.shape == (5, 2)
    model.eval()
    assert not model.module.training and not model.module.fc1.training


def test_buckets_follow_bucket_cap_mb_in_reverse_order(world):
    backend = world(rank=0, size=2)
    module = Net(head=True)
    model = DDP(module, bucket_cap_mb=1e-6, find_unused_parameters=True)
    model(batch()).sum().backward()
    sizes = [c[2] for c in backend.calls if c[0] == "allreduce"]
    params = [p.numel() for p in module.parameters()]
    # one bucket per parameter, last registered first; then the used-map reduction
    assert sizes == params[::-1] + [len(params)]


def test_one_bucket_per_dtype(world):
    backend = world(rank=0, size=2)

    class Mixed(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 3), nn.Linear(3, 1).double()

        def forward(self, x):
            return self.b(self.a(x).double())

    model = DDP(Mixed())
    model(npgrad.ones(4, 2)).sum().backward()
    reductions = [(c[1], c[2]) for c in backend.calls if c[0] == "allreduce"]
    assert sorted(reductions) == [("float32", 9), ("float64", 4)]


def test_no_sync_accumulates_locally_then_averages_everything(world):
    backend = world(rank=0, size=2, peer=triple_floats)
    model = DDP(Net())
    with model.no_sync():
        model(batch(1)).square().sum().backward()
        model(batch(2)).square().sum().backward()
    assert not [c for c in backend.calls if c[0] == "allreduce"]
    local = grads(model.module)
    want1, want2 = local_grads(batch(1)), local_grads(batch(2))
    np.testing.assert_allclose(local["fc1.weight"], want1["fc1.weight"] + want2["fc1.weight"])
    model(batch(3)).square().sum().backward()  # outside no_sync: syncs all three
    want3 = local_grads(batch(3))
    for name in ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"):
        expected = 2 * (want1[name] + want2[name] + want3[name])
        np.testing.assert_allclose(grads(model.module)[name], expected, rtol=1e-12)
    assert model.require_backward_grad_sync


def test_a_forward_outside_no_sync_without_backward_does_not_arm_the_next_one(world):
    backend = world(rank=0, size=2)
    model = DDP(Net())
    model(batch())  # forward only: e.g. a metric with grad enabled
    with model.no_sync():
        model(batch()).sum().backward()
    assert not [c for c in backend.calls if c[0] == "allreduce"]


def test_no_grad_forward_arms_nothing(world):
    world(rank=0, size=2)
    model = DDP(Net())
    with npgrad.no_grad():
        out = model(batch())
    assert not out.requires_grad
    model(batch()).sum().backward()  # the next iteration is a normal one
    assert model.module.fc1.weight.grad is not None


def test_unused_parameters_without_detection_fail_at_the_next_forward(world):
    backend = world(rank=0, size=2)
    model = DDP(nn.Sequential(Net(head=True), nn.BatchNorm1d(3).double()))
    model(batch()).sum().backward()
    calls = len(backend.calls)
    with pytest.raises(RuntimeError, match="Expected to have finished reduction") as info:
        model(batch())
    assert len(backend.calls) == calls  # before the buffer broadcast: no collective issued
    assert "0.head.weight, 0.head.bias" in str(info.value)
    assert "find_unused_parameters=True" in str(info.value)


def test_find_unused_parameters_leaves_unused_gradients_alone(world):
    world(rank=0, size=2, peer=triple_floats)
    model = DDP(Net(head=True), find_unused_parameters=True)
    for _ in range(2):  # the second iteration must not complain about the unused head
        model.zero_grad()
        model(batch()).square().sum().backward()
    got = grads(model.module)
    assert got["head.weight"] is None and got["head.bias"] is None  # unused on every rank
    np.testing.assert_allclose(got["fc2.weight"], 2 * local_grads(batch())["fc2.weight"])


def test_a_parameter_unused_here_but_used_elsewhere_gets_the_average(world):
    # the other rank used every parameter (its used-map is all ones) and its bucket entries
    # are 3x this rank's plus one: this rank's zero-filled head slot averages to 0.5
    def peer(r, a):
        if a.dtype == np.int32:
            return np.ones_like(a)
        return a * 3 + 1 if a.dtype.kind == "f" else None

    world(rank=0, size=2, peer=peer)
    model = DDP(Net(head=True), find_unused_parameters=True, bucket_cap_mb=1e-6)
    model(batch()).square().sum().backward()
    assert np.all(model.module.head.weight.grad.numpy() == 0.5)
    want = local_grads(batch())["fc1.bias"]
    np.testing.assert_allclose(model.module.fc1.bias.grad.numpy(), (4 * want + 1) / 2)


def test_find_unused_with_every_output_used(world):
    world(rank=0, size=2)
    model = DDP(Net(head=True), find_unused_parameters=True)
    out, head = model(batch(), use_head=True)
    (out.sum() + head.square().sum()).backward()
    want = local_grads(batch(), use_head=True)
    for name, g in grads(model.module).items():
        np.testing.assert_allclose(g, want[name], rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("zero", ["none", "zeros", "keep"])
def test_gradient_as_bucket_view_matches_the_copying_mode(world, zero):
    world(rank=0, size=2, peer=triple_floats)
    viewed, copied = DDP(Net(), gradient_as_bucket_view=True), DDP(Net())
    for step in range(3):
        for model in (viewed, copied):
            if zero != "keep":
                model.zero_grad(set_to_none=zero == "none")
            model(batch(step)).square().sum().backward()
        for name, g in grads(copied.module).items():
            if g is not None:
                np.testing.assert_allclose(grads(viewed.module)[name], g, rtol=1e-12)
    flats = [b.flat for b in viewed._reducer.buckets]
    weight = viewed.module.fc1.weight.grad.numpy()
    assert any(np.shares_memory(weight, flat) for flat in flats)
    assert not any(
        np.shares_memory(copied.module.fc1.weight.grad.numpy(), b.flat)
        for b in copied._reducer.buckets
    )


def test_a_second_backward_through_one_forward_is_refused(world):
    world(rank=0, size=2)
    model = DDP(Net())
    loss = model(batch()).sum()
    loss.backward(retain_graph=True)
    # its gradients would silently differ between the ranks
    with pytest.raises(RuntimeError, match="backward ran again after the gradients were averaged"):
        loss.backward()
    model(batch()).sum().backward()  # a new forward starts a new iteration


def test_two_partial_backward_passes_in_one_iteration_are_refused(world):
    world(rank=0, size=2)
    model = DDP(Net(head=True), find_unused_parameters=False)
    out, head = model(batch(), use_head=True)
    (out.sum() + head.sum()).backward(inputs=[model.module.fc1.weight], retain_graph=True)
    # whether fc1.weight's second hook comes before or after the other parameters complete
    # the reduction, the second pass is refused
    twice = "fc1.weight received its gradient twice|backward ran again after the gradients"
    with pytest.raises(RuntimeError, match=twice):
        (out.sum() + head.sum()).backward()


def test_a_dropped_wrapper_removes_its_hooks(world):
    backend = world(rank=0, size=2)
    module = Net()
    model = DDP(module)
    del model
    gc.collect()
    assert all(not p._hooks.post for p in module.parameters())
    module(batch()).sum().backward()
    assert not [c for c in backend.calls if c[0] == "allreduce"]


def test_bad_construction_arguments(world):
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DDP(nn.Linear(2, 2))
    world(rank=0, size=2)
    with pytest.raises(TypeError, match="module must be an npgrad.nn.Module"):
        DDP(lambda x: x)
    with pytest.raises(RuntimeError, match="doesn't have any parameter that requires a gradient"):
        DDP(nn.Linear(2, 2).requires_grad_(False))
    with pytest.raises(ValueError, match="device_ids=\\[0\\]: npgrad computes on the CPU only"):
        DDP(nn.Linear(2, 2), device_ids=[0])
    with pytest.raises(ValueError, match="bucket_cap_mb must be positive"):
        DDP(nn.Linear(2, 2), bucket_cap_mb=0)


def test_frozen_parameters_are_broadcast_but_not_reduced(world):
    backend = world(rank=0, size=2)
    module = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    module[0].requires_grad_(False)
    model = DDP(module)
    model(npgrad.ones(2, 2)).sum().backward()
    assert [c[2] for c in backend.calls if c[0] == "allreduce"] == [4]
    assert module[0].weight.grad is None


def test_a_user_hook_registered_first_sees_the_local_gradient(world):
    world(rank=0, size=2, peer=triple_floats)
    module = Net()
    seen = []
    module.fc1.bias.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.numpy().copy()))
    model = DDP(module)
    model(batch()).square().sum().backward()
    want = local_grads(batch())["fc1.bias"]
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], want, rtol=1e-12)  # before averaging
    np.testing.assert_allclose(module.fc1.bias.grad.numpy(), 2 * want, rtol=1e-12)


@pytest.mark.parametrize(
    "name", ["npgrad.nn.parallel", "npgrad.nn.parallel.distributed", "npgrad.nn.parallel._reducer"]
)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
    assert all(hasattr(module, attr) for attr in module.__all__)
    assert not dist.is_initialized()
