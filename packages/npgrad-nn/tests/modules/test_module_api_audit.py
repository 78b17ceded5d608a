"""Layer constructors' ``device=``/``dtype=`` and the ``nn.Module`` API, audited against PyTorch.

Every layer whose constructor takes ``device`` or ``dtype`` (found by introspecting
``nn.__all__``) handles them one way (``npgrad.nn._factory``); the ``Module``/container API
regressions found by comparing with ``torch.nn`` on identical models are pinned here, each
asserting the expected behaviour directly and, where torch is installed, against torch.
"""

from __future__ import annotations

import inspect
import types
import warnings
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.nn._factory import factory_kwargs

# ---- 1. device= / dtype= of every layer constructor ---------------------------------------

# The smallest arguments that build each layer (with its parameters, where it has any).
_ARGS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "AdaptiveLogSoftmaxWithLoss": ((8, 10, [4]), {}),
    "BatchNorm1d": ((3,), {}),
    "BatchNorm2d": ((3,), {}),
    "BatchNorm3d": ((3,), {}),
    "Bilinear": ((2, 3, 4), {}),
    "Conv1d": ((2, 4, 3), {}),
    "Conv2d": ((2, 4, 3), {}),
    "Conv3d": ((2, 4, 3), {}),
    "ConvTranspose1d": ((2, 4, 3), {}),
    "ConvTranspose2d": ((2, 4, 3), {}),
    "ConvTranspose3d": ((2, 4, 3), {}),
    "Embedding": ((5, 3), {}),
    "EmbeddingBag": ((5, 3), {}),
    "GRU": ((2, 3), {}),
    "GRUCell": ((2, 3), {}),
    "GroupNorm": ((2, 4), {}),
    "InstanceNorm1d": ((3,), {"affine": True, "track_running_stats": True}),
    "InstanceNorm2d": ((3,), {"affine": True, "track_running_stats": True}),
    "InstanceNorm3d": ((3,), {"affine": True, "track_running_stats": True}),
    "LSTM": ((2, 3), {}),
    "LSTMCell": ((2, 3), {}),
    "LayerNorm": ((3,), {}),
    "LazyBatchNorm1d": ((), {}),
    "LazyBatchNorm2d": ((), {}),
    "LazyBatchNorm3d": ((), {}),
    "LazyConv1d": ((4, 3), {}),
    "LazyConv2d": ((4, 3), {}),
    "LazyConv3d": ((4, 3), {}),
    "LazyConvTranspose1d": ((4, 3), {}),
    "LazyConvTranspose2d": ((4, 3), {}),
    "LazyConvTranspose3d": ((4, 3), {}),
    "LazyInstanceNorm1d": ((), {"affine": True, "track_running_stats": True}),
    "LazyInstanceNorm2d": ((), {"affine": True, "track_running_stats": True}),
    "LazyInstanceNorm3d": ((), {"affine": True, "track_running_stats": True}),
    "LazyLinear": ((3,), {}),
    "Linear": ((2, 3), {}),
    "LinearCrossEntropyLoss": ((3, 4), {}),
    "MultiheadAttention": ((4, 2), {}),
    "NonDynamicallyQuantizableLinear": ((2, 3), {}),
    "PReLU": ((), {}),
    "RMSNorm": ((3,), {}),
    "RNN": ((2, 3), {}),
    "RNNBase": (("LSTM", 2, 3), {}),
    "RNNCell": ((2, 3), {}),
    "RNNCellBase": ((2, 3, True, 2), {}),
    "SyncBatchNorm": ((3,), {}),
    "Transformer": (
        (),
        {
            "d_model": 4,
            "nhead": 2,
            "num_encoder_layers": 1,
            "num_decoder_layers": 1,
            "dim_feedforward": 8,
        },
    ),  # fmt: skip
    "TransformerDecoderLayer": ((4, 2), {"dim_feedforward": 8}),
    "TransformerEncoderLayer": ((4, 2), {"dim_feedforward": 8}),
}
# take device/dtype through *args/**kwargs, as PyTorch's do
_KWARGS_LAYERS = ("GRU", "LSTM", "RNN")


def _layers_with_factory_kwargs() -> list[str]:
    names = []
    for name in nn.__all__:
        cls = getattr(nn, name)
        if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
            continue
        params = inspect.signature(cls.__init__).parameters
        if "device" in params or "dtype" in params or name in _KWARGS_LAYERS:
            names.append(name)
    return sorted(names)


_LAYERS = _layers_with_factory_kwargs()


def _build(name: str, **kw: Any) -> nn.Module:
    args, base = _ARGS[name]
    return getattr(nn, name)(*args, **base, **kw)


def _tensors(m: nn.Module) -> list[tuple[str, Any]]:
    """(name, dtype) of every parameter and buffer, uninitialized ones included."""
    out = [(n, p.dtype) for n, p in m.named_parameters()]
    return out + [(n, b.dtype) for n, b in m.named_buffers()]


def test_every_layer_with_device_or_dtype_is_covered() -> None:
    # a new layer taking device=/dtype= must be added to _ARGS (and so to every test below)
    assert set(_LAYERS) == set(_ARGS), set(_LAYERS) ^ set(_ARGS)
    assert len(_LAYERS) >= 45


class _TorchLikeDevice:
    """What a ``torch.device("cpu")`` looks like: a ``type`` name and an ``index``."""

    def __init__(self, type: str, index: int | None = None) -> None:  # noqa: A002
        self.type, self.index = type, index


@pytest.mark.parametrize("name", _LAYERS)
def test_cpu_devices_are_accepted(name: str) -> None:
    ref = _tensors(_build(name))
    for device in ("cpu", "cpu:0", npgrad.device("cpu"), None, _TorchLikeDevice("cpu")):
        assert _tensors(_build(name, device=device)) == ref


@pytest.mark.parametrize("name", _LAYERS)
def test_other_devices_raise_parse_devices_error_naming_the_layer(name: str) -> None:
    for device in ("cuda", "cuda:1", npgrad.device("meta"), 0, _TorchLikeDevice("cuda", 0)):
        with pytest.raises(RuntimeError, match=rf"^{name}: npgrad computes on the CPU only"):
            _build(name, device=device)
    with pytest.raises(TypeError, match=rf"^{name}: device must be"):
        _build(name, device=object())


@pytest.mark.parametrize("name", _LAYERS)
@pytest.mark.parametrize("dtype", [npgrad.float64, npgrad.float16, "float64"])
def test_dtype_is_that_of_every_parameter_and_float_buffer(name: str, dtype: Any) -> None:
    m = _build(name, dtype=dtype)
    want = np.dtype(dtype)
    got = _tensors(m)
    assert any("weight" in n for n, _ in got)
    for n, dt in got:
        # integer buffers (num_batches_tracked) keep their dtype, as in PyTorch
        assert dt == (npgrad.int64 if n.endswith("num_batches_tracked") else want), (n, dt)
    default = _tensors(_build(name))
    assert [n for n, _ in got] == [n for n, _ in default]
    assert all(dt == npgrad.get_default_dtype() for n, dt in default if "num_batches" not in n)


@pytest.mark.parametrize("name", _LAYERS)
@pytest.mark.parametrize("dtype", [npgrad.int64, npgrad.bool, npgrad.uint8])
def test_non_float_dtype_for_parameters_raises_runtime_error(name: str, dtype: Any) -> None:
    with pytest.raises(RuntimeError, match=rf"^{name}: only Tensors of floating point dtype"):
        _build(name, dtype=dtype)


@pytest.mark.parametrize(
    "build",
    [
        lambda dt: nn.InstanceNorm1d(3, dtype=dt),
        lambda dt: nn.LayerNorm(3, elementwise_affine=False, dtype=dt),
        lambda dt: nn.RMSNorm(3, elementwise_affine=False, dtype=dt),
        lambda dt: nn.GroupNorm(2, 4, affine=False, dtype=dt),
        lambda dt: nn.LazyInstanceNorm1d(affine=False, dtype=dt),
        lambda dt: nn.Embedding(2, 2, _weight=npgrad.zeros(2, 2), dtype=dt),
    ],
)
def test_any_dtype_without_parameters_to_make(build: Any) -> None:
    # PyTorch checks the dtype only when it makes a parameter; a given _weight keeps its own
    m = build(npgrad.int64)
    assert all(p.dtype.kind == "f" for p in m.parameters())


def test_batchnorm_without_affine_takes_an_integer_dtype_for_its_statistics() -> None:
    m = nn.BatchNorm1d(3, affine=False, dtype=npgrad.int64)
    assert m.running_mean.dtype == npgrad.int64 and m.num_batches_tracked.dtype == npgrad.int64


def test_bad_dtype_is_a_type_error_naming_the_layer() -> None:
    with pytest.raises(TypeError, match="^Linear: not a dtype"):
        nn.Linear(2, 3, dtype="nonsense")
    with pytest.raises(TypeError, match="^Conv2d: dtype complex64 is not supported"):
        nn.Conv2d(1, 1, 1, dtype=np.complex64)


def test_factory_kwargs_is_the_one_helper() -> None:
    assert factory_kwargs("X", None, None) == {"dtype": npgrad.get_default_dtype()}
    assert factory_kwargs("X", "cpu", "float16") == {"dtype": np.dtype("float16")}
    assert factory_kwargs("X", None, npgrad.int32, parameters=False) == {"dtype": npgrad.int32}


def test_uninitialized_tensors_and_materialize_refuse_other_devices() -> None:
    with pytest.raises(RuntimeError, match="^UninitializedParameter: npgrad computes on the CPU"):
        nn.UninitializedParameter(device="cuda")
    with pytest.raises(RuntimeError, match="^UninitializedBuffer: npgrad computes on the CPU"):
        nn.UninitializedBuffer(device=npgrad.device("cuda", 1))
    p = nn.UninitializedParameter(device=_TorchLikeDevice("cpu"))
    with pytest.raises(RuntimeError, match="^UninitializedParameter.materialize: npgrad"):
        p.materialize((2,), device="cuda")
    p.materialize((2,), device=_TorchLikeDevice("cpu"))
    assert p.shape == (2,)


def test_generate_square_subsequent_mask_checks_its_device() -> None:
    mask = nn.Transformer.generate_square_subsequent_mask(3, device="cpu")
    assert mask.shape == (3, 3) and mask.dtype == npgrad.float32
    with pytest.raises(RuntimeError, match="^generate_square_subsequent_mask: npgrad computes"):
        nn.Transformer.generate_square_subsequent_mask(3, device="cuda")


def test_module_to_takes_torch_like_devices_and_refuses_other_accelerators() -> None:
    m = nn.Linear(2, 2)
    assert m.to(_TorchLikeDevice("cpu")) is m
    assert m.to(_TorchLikeDevice("cpu"), npgrad.float64).weight.dtype == npgrad.float64
    assert m.to_empty(device=_TorchLikeDevice("cpu")) is m
    with pytest.raises(
        RuntimeError, match="^Module.to: npgrad computes on the CPU only, not on cuda"
    ):
        m.to(_TorchLikeDevice("cuda"))
    with pytest.raises(RuntimeError, match="not on cuda:1"):
        m.cuda(1)
    for kind in ("xpu", "ipu", "mtia"):
        with pytest.raises(RuntimeError, match=rf"^Module.{kind}: .* not on {kind}:2"):
            getattr(m, kind)(2)
        with pytest.raises(RuntimeError, match=rf"^Module.{kind}: .* not on {kind} "):
            getattr(m, kind)()


@pytest.mark.torch
@pytest.mark.parametrize(
    "name", [n for n in _LAYERS if n not in ("NonDynamicallyQuantizableLinear",)]
)
def test_factory_kwargs_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    tcls = getattr(torch.nn, name)
    args, base = _ARGS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Transformer's nested-tensor note
        t = tcls(*args, **base, dtype=torch.float64, device=torch.device("cpu"))
    m = _build(name, dtype=npgrad.float64, device="cpu")

    def names_dtypes(mod: Any) -> list[tuple[str, str]]:
        items = [*mod.named_parameters(), *mod.named_buffers()]
        return [(n, str(v.dtype).replace("torch.", "")) for n, v in items]

    assert names_dtypes(m) == names_dtypes(t)
    with pytest.raises(RuntimeError, match="floating point"):
        tcls(*args, **base, dtype=torch.int64)
    with pytest.raises(RuntimeError, match="floating point"):
        _build(name, dtype=npgrad.int64)


# ---- 2. nn.Module API regressions -----------------------------------------------------------


def _model(lib: Any) -> Any:
    return lib.nn.Sequential(
        lib.nn.Linear(2, 3),
        lib.nn.ReLU(),
        lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.BatchNorm1d(3)),
    )


def _names(pairs: Any) -> list[str]:
    return [n for n, _ in pairs]


def test_named_modules_memo_holds_modules() -> None:
    m = _model(npgrad)
    assert _names(m.named_modules(memo={m[2]})) == ["", "0", "1"]
    memo: set[Any] = set()
    assert len(list(m.named_modules(memo))) == 6
    assert m[2][1] in memo and all(isinstance(x, nn.Module) for x in memo)


def test_state_dict_prefix_is_prepended_as_given() -> None:
    m = _model(npgrad)
    sd = m.state_dict(prefix="pre")
    assert list(sd)[:2] == ["pre0.weight", "pre0.bias"] and "pre2.1.running_mean" in sd
    assert list(sd._metadata) == ["pr", "pre0", "pre1", "pre2", "pre2.0", "pre2.1"]
    sd = m.state_dict(prefix="pre.")
    assert list(sd)[0] == "pre.0.weight"
    assert list(sd._metadata)[:2] == ["pre", "pre.0"]
    assert list(m.state_dict()._metadata)[:2] == ["", "0"]


def test_state_dict_positional_arguments_warn_and_work() -> None:
    m = nn.Linear(2, 2)
    dest: OrderedDict[str, Any] = OrderedDict()
    with pytest.warns(FutureWarning, match="Positional args are being deprecated"):
        out = m.state_dict(dest, "p.", True)
    assert out is dest and list(dest) == ["p.weight", "p.bias"] and dest["p.weight"] is m.weight
    with pytest.raises(TypeError, match="at most 3 positional arguments"):
        m.state_dict(None, "", False, 1)


def test_load_state_dict_assign_puts_the_checkpoint_tensors_in_place() -> None:
    m = nn.BatchNorm1d(2)
    w = nn.Parameter(npgrad.full((2,), 3.0, dtype=npgrad.float64))
    b = npgrad.full((2,), 4.0)
    mean = npgrad.full((2,), 5.0)
    sd = m.state_dict()
    sd.update(weight=w, bias=b, running_mean=mean)
    m.bias.requires_grad_(False)
    result = m.load_state_dict(sd, assign=True)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert m.weight is w and m.weight.dtype == npgrad.float64  # the checkpoint's own
    assert isinstance(m.bias, nn.Parameter) and m.bias.requires_grad is False
    assert np.shares_memory(m.bias.numpy(), b.numpy())
    assert m.running_mean is mean and "running_mean" in m._buffers
    assert _names(m.named_parameters()) == ["weight", "bias"]


def test_load_state_dict_assign_is_undone_when_a_post_hook_leaves_keys() -> None:
    m = nn.Linear(2, 2)
    old_w = m.weight
    m.register_load_state_dict_post_hook(lambda mod, keys: None)
    sd = {"weight": nn.Parameter(npgrad.ones(2, 2)), "bias": npgrad.zeros(2), "x": npgrad.ones(1)}
    with pytest.raises(RuntimeError, match='Unexpected key.*"x"'):
        m.load_state_dict(sd, assign=True)
    assert m.weight is old_w


def test_load_one_element_into_a_0d_tensor() -> None:
    m = nn.BatchNorm1d(2)
    sd = m.state_dict()
    sd["num_batches_tracked"] = npgrad.tensor([7])
    m.load_state_dict(sd)
    assert m.num_batches_tracked.shape == () and m.num_batches_tracked.item() == 7
    m.load_state_dict(sd, assign=True)
    assert m.num_batches_tracked.shape == () and m.num_batches_tracked.item() == 7


def test_load_errors_list_missing_keys_before_unexpected_ones() -> None:
    m = nn.Linear(2, 2)
    sd = {"weight": npgrad.ones(3), "zz": npgrad.ones(1)}
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict(sd)
    lines = str(info.value).split("\n\t")
    assert lines[0] == "Error(s) in loading state_dict for Linear:"
    assert lines[1].startswith('Missing key(s) in state_dict: "bias"')
    assert lines[2].startswith('Unexpected key(s) in state_dict: "zz"')
    assert lines[3].startswith("size mismatch for weight")


def test_zero_grad_without_set_to_none_zeroes_the_same_tensor() -> None:
    m = nn.Linear(2, 1)
    m(npgrad.ones(1, 2)).sum().backward()
    g = m.weight.grad
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is g and g.tolist() == [[0.0, 0.0]]
    x = npgrad.ones(1, 2, requires_grad=True)
    m.weight.grad = x * 2  # a gradient with a graph (create_graph=True leaves those)
    m.zero_grad(False)
    assert m.weight.grad.grad_fn is None and not m.weight.grad.requires_grad
    assert m.weight.grad.tolist() == [[0.0, 0.0]]
    m.weight.grad = npgrad.ones(2).expand(1, 2)  # read-only: replaced by zeros
    m.zero_grad(set_to_none=False)
    assert m.weight.grad.tolist() == [[0.0, 0.0]]
    m(npgrad.ones(1, 2)).sum().backward()
    assert m.weight.grad.tolist() == [[1.0, 1.0]]


def test_dir_leaves_out_names_that_are_not_identifiers() -> None:
    s = nn.Sequential(nn.Linear(2, 2))
    s.head = nn.ReLU()
    d = dir(s)
    assert "0" not in d and "head" in d and "forward" in d and d == sorted(d)


def test_container_errors_have_pytorchs_types() -> None:
    with pytest.raises(TypeError, match="element #0 should be a .key, module. pair, got int"):
        nn.ModuleDict().update([3])
    with pytest.raises(ValueError, match="element #0 should be a .key, module. pair"):
        nn.ModuleDict().update([("a", nn.ReLU(), 3)])
    pl = nn.ParameterList([npgrad.ones(1)])
    for bad in (npgrad.ones(2), 5):
        with pytest.raises(TypeError, match="ParameterList.extend should be called with an"):
            pl.extend(bad)
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl(npgrad.ones(1))
    pd = nn.ParameterDict()
    with pytest.raises(RuntimeError, match="ParameterDict should not be called"):
        pd()
    with pytest.raises(KeyError, match="popitem.*dictionary is empty"):
        pd.popitem()


def test_refused_container_entries_leave_the_container_unchanged() -> None:
    pl = nn.ParameterList([npgrad.ones(1)])
    with pytest.raises(RuntimeError, match="floating point"):
        pl.append(npgrad.ones(2, dtype=npgrad.int64))
    assert len(pl) == 1 and list(pl._parameters) == ["0"]
    pl.append(npgrad.zeros(2))
    assert [p.shape for p in pl] == [(1,), (2,)]
    pd = nn.ParameterDict({"a": npgrad.ones(1)})
    with pytest.raises(TypeError):
        pd[1] = npgrad.ones(1)  # type: ignore[index]
    with pytest.raises(KeyError, match="contain"):
        pd["a.b"] = npgrad.ones(1)
    assert list(pd) == ["a"] and len(pd) == 1


@pytest.mark.torch
def test_module_api_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    libs = (torch, npgrad)

    def run(fn: Any) -> list[Any]:
        out = []
        for lib in libs:
            try:
                out.append(("ok", fn(lib)))
            except Exception as e:  # noqa: BLE001 - the type is what is compared
                out.append(("error", type(e).__name__))
        return out

    def memo(lib: Any) -> list[str]:
        m = _model(lib)
        return _names(m.named_modules(memo={m[2]}))

    def prefix(lib: Any) -> list[str]:
        return list(_model(lib).state_dict(prefix="pre"))

    def metadata(lib: Any) -> list[str]:
        return list(_model(lib).state_dict(prefix="a.")._metadata)

    def assign(lib: Any) -> tuple[bool, bool, bool]:
        m = lib.nn.Linear(2, 2)
        w = lib.nn.Parameter(lib.ones(2, 2))
        b = lib.zeros(2)
        m.bias.requires_grad_(False)
        m.load_state_dict({"weight": w, "bias": b}, assign=True)
        return m.weight is w, isinstance(m.bias, lib.nn.Parameter), m.bias.requires_grad

    def zero_grad(lib: Any) -> tuple[bool, list[Any]]:
        m = lib.nn.Linear(2, 1)
        m(lib.ones(1, 2)).sum().backward()
        g = m.weight.grad
        m.zero_grad(set_to_none=False)
        return m.weight.grad is g, g.tolist()

    def one_element(lib: Any) -> int:
        m = lib.nn.BatchNorm1d(2)
        sd = m.state_dict()
        sd["num_batches_tracked"] = lib.tensor([7])
        m.load_state_dict(sd)
        return int(m.num_batches_tracked.item())

    def dir_digits(lib: Any) -> bool:
        return "0" in dir(lib.nn.Sequential(lib.nn.ReLU()))

    def error_order(lib: Any) -> list[str]:
        try:
            lib.nn.Linear(2, 2).load_state_dict({"weight": lib.ones(2, 2), "z": lib.ones(1)})
        except RuntimeError as e:
            return [line.split(" ")[0] for line in str(e).split("\n\t")[1:]]
        return []

    cases = {
        "memo": memo,
        "prefix": prefix,
        "metadata": metadata,
        "assign": assign,
        "zero_grad": zero_grad,
        "one_element": one_element,
        "dir_digits": dir_digits,
        "error_order": error_order,
        "md_update": lambda lib: lib.nn.ModuleDict().update([3]),
        "pl_extend": lambda lib: lib.nn.ParameterList().extend(lib.ones(2)),
        "pl_call": lambda lib: lib.nn.ParameterList()(1),
        "pd_call": lambda lib: lib.nn.ParameterDict()(1),
        "pd_popitem": lambda lib: lib.nn.ParameterDict().popitem(),
        "to_device": lambda lib: lib.nn.Linear(2, 2).to(torch.device("cpu")).weight.shape[0],
    }
    for name, fn in cases.items():
        t, n = run(fn)
        assert t == n, (name, t, n)


@pytest.mark.torch
def test_state_dict_positional_arguments_match_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib in (torch, npgrad):
        m = lib.nn.Linear(2, 2)
        with pytest.warns(FutureWarning):
            sd = m.state_dict(None, "x.", True)
        assert list(sd) == ["x.weight", "x.bias"] and sd["x.weight"] is m.weight


def test_factory_kwargs_works_with_a_real_torch_device() -> None:
    torch = types.SimpleNamespace(device=_TorchLikeDevice)
    assert nn.Linear(2, 2, device=torch.device("cpu")).weight.shape == (2, 2)
