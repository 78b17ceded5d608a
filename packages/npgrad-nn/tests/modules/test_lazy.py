"""Lazy modules (``LazyLinear``, ``LazyConv*``, ``LazyBatchNorm*``, ``LazyInstanceNorm*``) and
``UninitializedParameter``: shape inference from the first input, the same initialisation as
the non-lazy layer, becoming that layer, state_dict round trips, and PyTorch parity."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.autograd import gradcheck
from npgrad.nn.modules.lazy import LazyModuleMixin
from npgrad.nn.parameter import is_lazy

# (lazy factory, non-lazy factory given the inferred size, input shape)
CASES: dict[str, tuple[Callable[[Any], Any], Callable[[Any, int], Any], tuple[int, ...]]] = {
    "Linear": (lambda n: n.LazyLinear(3), lambda n, c: n.Linear(c, 3), (2, 5)),
    "Linear-3d-nobias": (
        lambda n: n.LazyLinear(2, bias=False),
        lambda n, c: n.Linear(c, 2, bias=False),
        (2, 3, 4),
    ),
    "Conv1d": (
        lambda n: n.LazyConv1d(4, 3, padding=1),
        lambda n, c: n.Conv1d(c, 4, 3, padding=1),
        (2, 3, 6),
    ),
    "Conv1d-unbatched": (lambda n: n.LazyConv1d(2, 2), lambda n, c: n.Conv1d(c, 2, 2), (3, 5)),
    "Conv2d": (
        lambda n: n.LazyConv2d(4, 3, stride=2, groups=2, padding_mode="reflect", padding=1),
        lambda n, c: n.Conv2d(c, 4, 3, stride=2, groups=2, padding_mode="reflect", padding=1),
        (1, 6, 5, 5),
    ),
    "Conv3d": (lambda n: n.LazyConv3d(2, 2), lambda n, c: n.Conv3d(c, 2, 2), (1, 2, 3, 3, 3)),
    "ConvTranspose1d": (
        lambda n: n.LazyConvTranspose1d(2, 3, stride=2),
        lambda n, c: n.ConvTranspose1d(c, 2, 3, stride=2),
        (1, 4, 5),
    ),
    "ConvTranspose2d": (
        lambda n: n.LazyConvTranspose2d(4, 3, groups=2, bias=False),
        lambda n, c: n.ConvTranspose2d(c, 4, 3, groups=2, bias=False),
        (1, 6, 3, 3),
    ),
    "ConvTranspose3d": (
        lambda n: n.LazyConvTranspose3d(2, 2, stride=2),
        lambda n, c: n.ConvTranspose3d(c, 2, 2, stride=2),
        (1, 3, 2, 2, 2),
    ),
    "BatchNorm1d": (lambda n: n.LazyBatchNorm1d(), lambda n, c: n.BatchNorm1d(c), (4, 3)),
    "BatchNorm1d-3d": (
        lambda n: n.LazyBatchNorm1d(momentum=None),
        lambda n, c: n.BatchNorm1d(c, momentum=None),
        (4, 3, 2),
    ),
    "BatchNorm2d": (
        lambda n: n.LazyBatchNorm2d(affine=False),
        lambda n, c: n.BatchNorm2d(c, affine=False),
        (2, 3, 2, 2),
    ),
    "BatchNorm3d": (
        lambda n: n.LazyBatchNorm3d(track_running_stats=False),
        lambda n, c: n.BatchNorm3d(c, track_running_stats=False),
        (2, 2, 2, 2, 2),
    ),
    "InstanceNorm1d": (
        lambda n: n.LazyInstanceNorm1d(),
        lambda n, c: n.InstanceNorm1d(c, affine=True, track_running_stats=True),
        (2, 3, 5),
    ),
    "InstanceNorm1d-unbatched": (
        lambda n: n.LazyInstanceNorm1d(),
        lambda n, c: n.InstanceNorm1d(c, affine=True, track_running_stats=True),
        (3, 5),
    ),
    "InstanceNorm2d": (
        lambda n: n.LazyInstanceNorm2d(affine=False, track_running_stats=False),
        lambda n, c: n.InstanceNorm2d(c),
        (2, 3, 3, 3),
    ),
    "InstanceNorm3d": (
        lambda n: n.LazyInstanceNorm3d(),
        lambda n, c: n.InstanceNorm3d(c, affine=True, track_running_stats=True),
        (1, 2, 2, 2, 2),
    ),
}


def _channels(name: str, shape: tuple[int, ...]) -> int:
    if name.startswith("Linear"):
        return shape[-1]
    if name.endswith("unbatched"):
        return shape[0]
    return shape[1]


def _state(m: Any) -> dict[str, np.ndarray]:
    return {k: np.array(v.numpy()) for k, v in m.state_dict().items()}


@pytest.fixture
def default_dtype() -> Iterator[Callable[[Any], None]]:
    old = npgrad.get_default_dtype()
    yield npgrad.set_default_dtype
    npgrad.set_default_dtype(old)


@pytest.mark.parametrize("dtype", [npgrad.float32, npgrad.float64])
@pytest.mark.parametrize("name", sorted(CASES))
def test_first_call_infers_initialises_and_becomes_the_layer(
    name: str, dtype: Any, default_dtype: Callable[[Any], None]
) -> None:
    make_lazy, make, shape = CASES[name]
    default_dtype(dtype)  # both layers draw their initial values in this dtype
    x = npgrad.randn(*shape)
    lazy = make_lazy(nn)
    assert isinstance(lazy, LazyModuleMixin)
    assert lazy.has_uninitialized_params() == bool(list(lazy.parameters()) + list(lazy.buffers()))
    params_before = list(lazy.parameters())
    npgrad.manual_seed(7)
    out = lazy(x)
    npgrad.manual_seed(7)
    ref = make(nn, _channels(name, shape))
    expected = ref(x)
    # seed for seed the same initial values, then the same layer
    assert type(lazy) is type(ref) and repr(lazy) == repr(ref)
    assert out.dtype == dtype and out.shape == expected.shape
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    ours, theirs = _state(lazy), _state(ref)
    assert list(ours) == list(theirs)
    for k in ours:
        assert ours[k].dtype == theirs[k].dtype, k
        np.testing.assert_array_equal(ours[k], theirs[k], err_msg=k)
    # the parameters kept their identity: an optimizer built before the call has them
    assert [id(p) for p in lazy.parameters()] == [id(p) for p in params_before]
    assert all(type(p) is nn.Parameter for p in lazy.parameters())
    assert not lazy._forward_pre_hooks and not lazy._has_call_hooks
    assert "_initialize_hook" not in lazy.__dict__
    np.testing.assert_array_equal(lazy(x).numpy(), ref(x).numpy())


def test_gradients_flow_to_the_materialized_parameters() -> None:
    m = nn.LazyLinear(2, dtype=npgrad.float64)
    x = npgrad.randn(3, 4, dtype=npgrad.float64, requires_grad=True)
    m(x)
    assert gradcheck(lambda x, w, b: nn.functional.linear(x, w, b), (x, m.weight, m.bias))
    m(x).sum().backward()
    np.testing.assert_allclose(m.bias.grad.numpy(), [3.0, 3.0])
    conv = nn.LazyConv1d(2, 2, dtype=npgrad.float64)
    y = npgrad.randn(1, 2, 4, dtype=npgrad.float64)
    conv(y).sum().backward()
    assert conv.weight.grad.shape == (2, 2, 2)


def test_uninitialized_module_state() -> None:
    m = nn.LazyBatchNorm1d()
    assert repr(m) == (
        "LazyBatchNorm1d(0, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)"
    )
    sd = m.state_dict()
    assert list(sd) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert sd["weight"] is m.weight and is_lazy(sd["running_mean"])
    assert sd["num_batches_tracked"].tolist() == 0
    assert [type(p).__name__ for p in m.parameters()] == ["UninitializedParameter"] * 2
    with pytest.raises(ValueError, match="uninitialized parameter"):
        sum(p.numel() for p in m.parameters())
    with pytest.raises(ValueError, match="uninitialized parameter"):
        m.requires_grad_(False)
    m.zero_grad()
    m.eval()
    assert m.training is False


def test_dtype_conversion_before_the_first_call() -> None:
    m = nn.LazyLinear(3).double()
    assert m.weight.dtype == npgrad.float64
    m(npgrad.ones(2, 4, dtype=npgrad.float64))
    assert m.weight.dtype == m.bias.dtype == npgrad.float64
    bn = nn.LazyBatchNorm1d(dtype=npgrad.float64)
    bn(npgrad.ones(2, 3, dtype=npgrad.float64))
    assert bn.running_mean.dtype == npgrad.float64 and bn.num_batches_tracked.dtype == np.int64


def test_optimizer_built_before_the_first_call_trains_the_materialized_parameters() -> None:
    optim = pytest.importorskip("npgrad.optim")
    m = nn.LazyLinear(1)
    opt = optim.SGD(m.parameters(), lr=0.5)
    opt.step()  # no gradients yet: nothing to do
    x = npgrad.ones(2, 3)
    m(x).sum().backward()
    before = m.weight.detach().numpy().copy()
    opt.step()
    np.testing.assert_allclose(m.weight.detach().numpy(), before - 0.5 * 2.0, rtol=1e-6)
    adam = optim.Adam(nn.LazyConv1d(2, 1).parameters())
    assert len(adam.param_groups[0]["params"]) == 2


def test_user_hooks_run_around_the_initialisation() -> None:
    m = nn.LazyLinear(2)
    seen: list[Any] = []
    m.register_forward_pre_hook(lambda mod, args: seen.append(type(mod.weight).__name__))
    m.register_forward_pre_hook(
        lambda mod, args: seen.append(type(mod.weight).__name__), prepend=True
    )
    m(npgrad.ones(1, 3))
    assert seen == ["UninitializedParameter", "Parameter"]
    assert len(m._forward_pre_hooks) == 2  # the user's hooks stay


@pytest.mark.parametrize(
    ("make", "x", "err", "match"),
    [
        (lambda: nn.LazyLinear(2), "not a tensor", TypeError, "needs a Tensor"),
        (lambda: nn.LazyLinear(2), npgrad.tensor(1.0), ValueError, "at least 1 dimension"),
        (lambda: nn.LazyConv2d(2, 3), npgrad.ones(3, 3), ValueError, "3-D .unbatched. or 4-D"),
        (lambda: nn.LazyConv2d(2, 1, groups=2), npgrad.ones(1, 3, 2, 2), ValueError, "groups"),
        (lambda: nn.LazyConvTranspose1d(2, 1), npgrad.ones(2), ValueError, "2-D .unbatched."),
        (lambda: nn.LazyBatchNorm2d(), npgrad.ones(2, 3), ValueError, "expected 4D input"),
        (lambda: nn.LazyInstanceNorm1d(), npgrad.ones(2), ValueError, "expected 2D or 3D"),
    ],
)
def test_bad_first_input_raises_and_leaves_the_module_lazy(
    make: Any, x: Any, err: type, match: str
) -> None:
    m = make()
    with pytest.raises(err, match=match):
        m(x)
    assert m.has_uninitialized_params() and isinstance(m, LazyModuleMixin)
    assert all(is_lazy(p) for p in m.parameters())


def test_constructor_errors() -> None:
    with pytest.raises(ValueError, match="out_channels .5. must be divisible by groups .2."):
        nn.LazyConv1d(5, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.LazyConv2d(2, 3, padding_mode="wrap")
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.LazyLinear(2, device="cuda")


class _LazyScale(LazyModuleMixin, nn.Module):
    """A user-defined lazy module: one weight per input feature."""

    def __init__(self, complete: bool = True) -> None:
        super().__init__()
        self.weight = nn.UninitializedParameter()
        self.offset = nn.UninitializedBuffer()
        self.complete = complete

    def initialize_parameters(self, x: Any) -> None:
        self.weight.materialize(x.shape[-1])
        with npgrad.no_grad():
            self.weight.fill_(2.0)
        if self.complete:
            self.offset.materialize(x.shape[-1])

    def forward(self, x: Any) -> Any:
        return x * self.weight + self.offset


def test_user_defined_lazy_module() -> None:
    m = _LazyScale()
    out = m(npgrad.ones(2, 3))
    assert type(m) is _LazyScale  # cls_to_become None: it keeps its class
    assert not m.has_uninitialized_params() and "_initialize_hook" not in m.__dict__
    np.testing.assert_array_equal(out.numpy(), np.full((2, 3), 2.0))
    assert [n for n, _ in m.named_buffers()] == ["offset"]
    half = _LazyScale(complete=False)
    with pytest.raises(RuntimeError, match="_LazyScale has not been fully initialized"):
        half(npgrad.ones(2, 3))

    class NoInit(LazyModuleMixin, nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.weight = nn.UninitializedParameter()

    with pytest.raises(NotImplementedError, match="initialize_parameters"):
        NoInit()(npgrad.ones(1))


# ---- UninitializedParameter ------------------------------------------------------------------
def test_uninitialized_parameter_refuses_use() -> None:
    p = nn.UninitializedParameter()
    assert repr(p) == str(p) == "<UninitializedParameter>"
    assert isinstance(p, nn.Parameter) and is_lazy(p) and not is_lazy(nn.Parameter())
    assert p.requires_grad and p.is_leaf and p.grad is None and p.dtype == npgrad.float32
    with pytest.raises(RuntimeError, match="shape of an uninitialized"):
        _ = p.shape
    with pytest.raises(RuntimeError, match="shape of an uninitialized"):
        p.size()
    for use in (lambda: p + 1, lambda: p.sum(), lambda: npgrad.exp(p), lambda: p.numpy()):
        with pytest.raises(ValueError, match="uninitialized parameter"):
            use()
    assert nn.UninitializedParameter(requires_grad=False).requires_grad is False


def test_materialize() -> None:
    p = nn.UninitializedParameter(dtype=npgrad.float64)
    q = p
    p.materialize((2, 3))
    assert q is p and type(p) is nn.Parameter and not is_lazy(p)
    assert p.shape == (2, 3) and p.dtype == npgrad.float64 and p.requires_grad
    r = nn.UninitializedParameter()
    r.materialize(4, dtype=npgrad.float64)
    assert r.shape == (4,) and r.dtype == npgrad.float64
    (r * 2).sum().backward()
    np.testing.assert_array_equal(r.grad.numpy(), [2.0] * 4)


def test_materialize_errors() -> None:
    p = nn.UninitializedParameter()
    with pytest.raises(ValueError, match="non-negative integers"):
        p.materialize((2.5,))
    with pytest.raises(RuntimeError, match="floating point"):
        p.materialize((2,), dtype=npgrad.int64)
    with pytest.raises(RuntimeError, match="CPU only"):
        p.materialize((2,), device="cuda")
    with pytest.raises(RuntimeError, match="floating point"):
        nn.UninitializedParameter(dtype=npgrad.int32)
    assert is_lazy(p)


def test_uninitialized_parameter_copies() -> None:
    p = nn.UninitializedParameter(requires_grad=False, dtype=npgrad.float64)
    for c in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(c) is nn.UninitializedParameter and c is not p
        assert c.requires_grad is False and c.dtype == npgrad.float64


# ---- copies and state dicts ------------------------------------------------------------------
def test_copies_of_an_uninitialized_module_initialise_independently() -> None:
    m = nn.LazyConv1d(2, 1)
    for c in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        c(npgrad.ones(1, 3, 4))
        assert type(c) is nn.Conv1d and c.weight.shape == (2, 3, 1)
        assert type(m) is nn.LazyConv1d and is_lazy(m.weight)
        assert not c._has_call_hooks
    m(npgrad.ones(1, 5, 4))
    assert m.in_channels == 5


def test_load_state_dict_materializes_and_sets_the_sizes() -> None:
    src = nn.Conv2d(6, 4, 3, groups=2)
    m = nn.LazyConv2d(4, 3, groups=2)
    assert m.load_state_dict(src.state_dict()) == ([], [])
    assert type(m) is nn.LazyConv2d and m.in_channels == 6 and not m.has_uninitialized_params()
    assert type(m.weight) is nn.Parameter and m.weight.shape == (4, 3, 3, 3)
    x = npgrad.randn(1, 6, 4, 4)
    np.testing.assert_array_equal(m(x).numpy(), src(x).numpy())  # loaded values are kept
    assert type(m) is nn.Conv2d
    t = nn.LazyConvTranspose1d(2, 3, groups=2)
    t.load_state_dict(nn.ConvTranspose1d(4, 2, 3, groups=2).state_dict(), assign=True)
    assert t.in_channels == 4
    bn = nn.LazyBatchNorm1d(affine=False)
    bn.load_state_dict(nn.BatchNorm1d(5, affine=False).state_dict())
    assert bn.num_features == 5 and bn.running_var.shape == (5,)


def test_load_partial_state_dict_then_first_call() -> None:
    m = nn.LazyLinear(3)
    keys = m.load_state_dict({"weight": npgrad.ones(3, 4, dtype=npgrad.float64)}, strict=False)
    assert keys.missing_keys == ["bias"] and m.weight.dtype == npgrad.float32
    assert is_lazy(m.bias) and m.in_features == 4
    with pytest.raises(ValueError, match="loaded weight has shape"):
        m(npgrad.ones(2, 5))
    assert is_lazy(m.bias) and m.in_features == 4
    npgrad.manual_seed(3)
    m(npgrad.ones(2, 4))
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.ones((3, 4)))  # kept
    npgrad.manual_seed(3)
    np.testing.assert_array_equal(m.bias.detach().numpy(), nn.Linear(4, 3).bias.detach().numpy())


def test_load_errors_and_lazy_into_lazy() -> None:
    with pytest.raises(RuntimeError, match="uninitialized parameter or buffer"):
        nn.Linear(4, 3).load_state_dict(nn.LazyLinear(3).state_dict())
    m = nn.LazyLinear(3)
    assert m.load_state_dict(nn.LazyLinear(3).state_dict()) == ([], [])
    assert m.has_uninitialized_params()
    with pytest.raises(RuntimeError, match='Unexpected key.*"extra"'):
        m.load_state_dict({"weight": npgrad.ones(3, 2), "extra": npgrad.ones(1)})
    assert m.has_uninitialized_params()  # checked before anything changed


def test_state_dict_round_trip_through_a_file(tmp_path: Any) -> None:
    m = nn.Sequential(nn.LazyConv1d(4, 3), nn.LazyBatchNorm1d(), nn.Flatten(), nn.LazyLinear(2))
    x = npgrad.randn(2, 3, 6)
    expected = m(x)
    path = tmp_path / "model.safetensors"
    m.save_state_dict(path)
    fresh = nn.Sequential(nn.LazyConv1d(4, 3), nn.LazyBatchNorm1d(), nn.Flatten(), nn.LazyLinear(2))
    fresh.load_state_dict(str(path))
    assert [type(c).__name__ for c in fresh] == [
        "LazyConv1d",
        "LazyBatchNorm1d",
        "Flatten",
        "LazyLinear",
    ]
    np.testing.assert_allclose(fresh(x).numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)
    assert [type(c).__name__ for c in fresh] == ["Conv1d", "BatchNorm1d", "Flatten", "Linear"]


# ---- PyTorch parity --------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:input's size at dim")  # torch's InstanceNorm2d(0)
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    make_lazy, _, shape = CASES[name]
    if name == "InstanceNorm1d-unbatched":
        pytest.skip("PyTorch infers the channels of an unbatched input from dim 1")
    tm = make_lazy(torch.nn).double()
    ours = make_lazy(nn).double()
    assert repr(ours) == repr(tm)
    assert list(ours.state_dict()) == list(tm.state_dict())
    x = np.random.default_rng(0).standard_normal(shape)
    tm.eval()(torch.zeros(shape, dtype=torch.float64))  # theirs becomes the layer
    tm.train()
    if "InstanceNorm2d" in name:  # no parameter: PyTorch leaves num_features 0
        tm.num_features = _channels(name, shape)
    ours.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    nx = npgrad.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    out, tout = ours(nx), tm(tx)
    assert type(ours).__name__ == type(tm).__name__ and repr(ours) == repr(tm)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(npgrad.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (k, p), (tk, tp) in zip(ours.named_parameters(), tm.named_parameters()):
        assert k == tk and p.shape == tuple(tp.shape)
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-10, atol=1e-12)
    sd = ours.state_dict()
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(sd[k].numpy(), v.numpy(), rtol=1e-10, err_msg=k)


@pytest.mark.torch
def test_uninitialized_parameter_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib, lib_nn in ((npgrad, nn), (torch, torch.nn)):
        p = lib_nn.UninitializedParameter()
        assert repr(p) == "<UninitializedParameter>" and isinstance(p, lib_nn.Parameter)
        with pytest.raises(RuntimeError, match="shape of an uninitialized"):
            _ = p.shape
        with pytest.raises(ValueError, match="uninitialized parameter"):
            p + 1
        with pytest.raises(ValueError, match="uninitialized parameter"):
            p.requires_grad_(False)
        p.materialize((2, 3), dtype=lib.float64)
        assert type(p) is lib_nn.Parameter and tuple(p.shape) == (2, 3)
        assert p.dtype == lib.float64 and p.requires_grad


@pytest.mark.torch
def test_state_dict_of_uninitialized_modules_matches_torch() -> None:
    torch = pytest.importorskip("torch")

    def layout(lib_nn: Any) -> list[Any]:
        m = lib_nn.Sequential(lib_nn.LazyLinear(2), lib_nn.LazyBatchNorm1d())
        return [
            (k, repr(v) if "Uninit" in type(v).__name__ else "tensor")
            for k, v in m.state_dict().items()
        ]

    assert layout(nn) == layout(torch.nn)
