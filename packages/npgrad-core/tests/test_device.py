"""npgrad.device, npgrad.cuda, npgrad.backends: PyTorch's device API as a CPU-only build has it."""

from __future__ import annotations

import pickle

import pytest

import npgrad


def test_device_descriptor() -> None:
    d = npgrad.device("cuda:1")
    assert (d.type, d.index, str(d), repr(d)) == (
        "cuda",
        1,
        "cuda:1",
        "device(type='cuda', index=1)",
    )
    assert npgrad.device("cuda", 1) == d and hash(npgrad.device("cuda", 1)) == hash(d)
    assert npgrad.device(d) == d and npgrad.device("cpu") != d
    assert repr(npgrad.device("cpu")) == "device(type='cpu')"
    assert pickle.loads(pickle.dumps(d)) == d
    with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
        npgrad.device("foo")
    with pytest.raises(RuntimeError, match="must not include an index"):
        npgrad.device("cuda:0", 1)
    with pytest.raises(AttributeError):
        d.index = 2


def test_tensors_are_on_the_cpu_and_refuse_other_devices() -> None:
    t = npgrad.ones(2)
    assert t.device == npgrad.device("cpu") and t.device.type == "cpu"
    assert not t.is_cuda and t.is_cpu
    assert t.to("cpu") is t and t.to(npgrad.device("cpu")) is t and t.to(device="cpu") is t
    assert t.to("cpu", npgrad.float64).dtype == npgrad.float64
    for bad in ("cuda", "cuda:0", npgrad.device("mps"), 0):
        with pytest.raises(RuntimeError, match="CPU only"):
            t.to(bad)
    with pytest.raises(RuntimeError, match="CPU only"):
        t.to(device="cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        t.cuda()
    with pytest.raises(RuntimeError, match="CPU only"):
        npgrad.Generator("cuda")
    assert npgrad.Generator().device == npgrad.device("cpu")


def test_creation_functions_refuse_other_devices() -> None:
    assert npgrad.zeros(2, device="cpu").shape == (2,)
    assert npgrad.tensor([1.0], device=npgrad.device("cpu")).device.type == "cpu"
    calls = [
        lambda d: npgrad.zeros(2, device=d),
        lambda d: npgrad.tensor([1.0], device=d),
        lambda d: npgrad.arange(3, device=d),
        lambda d: npgrad.randn(2, device=d),
        lambda d: npgrad.ones_like(npgrad.ones(2), device=d),
        lambda d: npgrad.hann_window(4, device=d),
    ]
    for make in calls:
        with pytest.raises(RuntimeError, match="CPU only"):
            make("cuda")


def test_modules_follow() -> None:
    nn = pytest.importorskip("npgrad.nn")
    m = nn.Linear(2, 2)
    assert m.to("cpu") is m and m.to(npgrad.device("cpu"), dtype=npgrad.float64) is m
    assert m.weight.dtype == npgrad.float64
    with pytest.raises(RuntimeError, match="CPU only"):
        m.to("cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        m.cuda()


def test_cuda_and_backends_report_no_gpu() -> None:
    assert not npgrad.cuda.is_available() and npgrad.cuda.device_count() == 0
    assert not npgrad.cuda.is_initialized()
    npgrad.cuda.manual_seed(0)
    npgrad.cuda.manual_seed_all(0)
    npgrad.cuda.empty_cache()
    for fn in (npgrad.cuda.synchronize, npgrad.cuda.current_device, npgrad.cuda.get_device_name):
        with pytest.raises(RuntimeError, match="no CUDA"):
            fn()
    npgrad.backends.cudnn.benchmark = True
    npgrad.backends.cudnn.deterministic = True
    assert not npgrad.backends.cudnn.is_available()
    assert not npgrad.backends.mps.is_available() and not npgrad.backends.mps.is_built()
    assert not npgrad.backends.cuda.is_built()
    device = npgrad.device("cuda" if npgrad.cuda.is_available() else "cpu")
    assert npgrad.ones(1).to(device).device == device


@pytest.mark.torch
def test_matches_a_cpu_only_torch() -> None:
    torch = pytest.importorskip("torch")
    for spec in ("cpu", "cuda", "cuda:3", "mps", "meta:1"):
        assert repr(npgrad.device(spec)) == repr(torch.device(spec))
        assert str(npgrad.device(spec)) == str(torch.device(spec))
    assert torch.cuda.is_available() == npgrad.cuda.is_available()
    assert torch.backends.mps.is_available() == npgrad.backends.mps.is_available()


class _ForeignDevice:
    """What a ``torch.device`` looks like to npgrad: a ``type`` name and an ``index``."""

    def __init__(self, type: str, index: int | None = None) -> None:  # noqa: A002
        self.type, self.index = type, index


def test_a_torch_device_is_read_as_a_device():
    assert npgrad.device(_ForeignDevice("cuda", 1)) == npgrad.device("cuda:1")
    assert npgrad.zeros(2, device=_ForeignDevice("cpu")).device == npgrad.device("cpu")
    with pytest.raises(RuntimeError, match="zeros: npgrad computes on the CPU only, not on cuda"):
        npgrad.zeros(2, device=_ForeignDevice("cuda"))
    with pytest.raises(TypeError, match="zeros: device must be a str, an int or a device"):
        npgrad.zeros(2, device=object())
    assert not npgrad._device.is_device(npgrad.float32)  # a dtype's ``type`` is a class


@pytest.mark.torch
def test_torch_device_objects():
    torch = pytest.importorskip("torch")
    assert npgrad.ones(2, device=torch.device("cpu")).device.type == "cpu"
    assert npgrad.device(torch.device("cuda", 0)) == npgrad.device("cuda:0")
    with pytest.raises(RuntimeError, match="CPU only"):
        npgrad.ones(2).to(torch.device("cuda"))
