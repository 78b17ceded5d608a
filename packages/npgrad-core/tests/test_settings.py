"""npgrad's global switches with PyTorch's names (npgrad/_settings.py): stored and reported
flags, PyTorch's argument checks, the anomaly switches mapped onto
``npgrad.autograd.anomaly``, and parity with torch's own functions."""

from __future__ import annotations

import numpy as np
import pytest

import npgrad
from npgrad import _settings


@pytest.fixture(autouse=True)
def _restore():
    saved = dict(_settings._state)
    anomaly = (npgrad.is_anomaly_enabled(), npgrad.is_anomaly_check_nan_enabled())
    yield
    _settings._state.update(saved)
    npgrad.set_anomaly_enabled(*anomaly)


def test_deterministic_flags_round_trip():
    assert not npgrad.are_deterministic_algorithms_enabled()
    npgrad.use_deterministic_algorithms(True, warn_only=True)
    assert npgrad.are_deterministic_algorithms_enabled()
    assert npgrad.is_deterministic_algorithms_warn_only_enabled()
    assert npgrad.get_deterministic_debug_mode() == 1
    npgrad.use_deterministic_algorithms(True)
    assert npgrad.get_deterministic_debug_mode() == 2
    assert not npgrad.is_deterministic_algorithms_warn_only_enabled()
    npgrad.set_deterministic_debug_mode("default")
    assert not npgrad.are_deterministic_algorithms_enabled()
    npgrad.set_deterministic_debug_mode(2)
    assert npgrad.are_deterministic_algorithms_enabled()
    npgrad.set_deterministic_debug_mode("warn")
    assert npgrad.is_deterministic_algorithms_warn_only_enabled()


def test_deterministic_argument_errors():
    with pytest.raises(TypeError, match="bool"):
        npgrad.use_deterministic_algorithms(1)
    with pytest.raises(TypeError, match="bool"):
        npgrad.use_deterministic_algorithms(True, warn_only="yes")
    with pytest.raises(RuntimeError, match="'default'"):
        npgrad.set_deterministic_debug_mode("bogus")
    with pytest.raises(RuntimeError, match="0, 1 or 2"):
        npgrad.set_deterministic_debug_mode(5)
    with pytest.raises(TypeError, match="str or an int"):
        npgrad.set_deterministic_debug_mode(1.0)
    assert not npgrad.are_deterministic_algorithms_enabled()  # nothing was changed


def test_default_device_is_cpu_only():
    npgrad.set_default_device("cpu")
    npgrad.set_default_device(None)
    npgrad.set_default_device(npgrad.device("cpu"))
    assert npgrad.get_default_device() == npgrad.device("cpu")
    assert npgrad.get_default_device() == npgrad.ones(1).device
    for bad in ("cuda", "meta", "mps:0", 0, npgrad.device("cuda", 1)):
        with pytest.raises(RuntimeError, match="CPU only"):
            npgrad.set_default_device(bad)


def test_float32_matmul_precision():
    assert npgrad.get_float32_matmul_precision() == "highest"
    npgrad.set_float32_matmul_precision("medium")
    assert npgrad.get_float32_matmul_precision() == "medium"
    with pytest.warns(UserWarning, match="no effect"):
        npgrad.set_float32_matmul_precision("low")
    assert npgrad.get_float32_matmul_precision() == "medium"
    with pytest.raises(TypeError):
        npgrad.set_float32_matmul_precision(1)
    # NumPy's float32 product is unaffected: still a float32 result, full precision
    a = npgrad.ones(2, 2)
    assert (a @ a).dtype == npgrad.float32


def test_interop_threads_and_warn_always():
    npgrad.set_num_interop_threads(3)
    assert npgrad.get_num_interop_threads() == 3
    for bad in (0, -1, 2.0, True):
        with pytest.raises(RuntimeError, match="positive integer"):
            npgrad.set_num_interop_threads(bad)
    assert npgrad.get_num_interop_threads() == 3
    assert not npgrad.is_warn_always_enabled()
    npgrad.set_warn_always(True)
    assert npgrad.is_warn_always_enabled()
    with pytest.raises(TypeError, match="bool"):
        npgrad.set_warn_always(1)


def test_anomaly_switches_map_onto_autograd_anomaly():
    assert npgrad.is_anomaly_enabled() is npgrad.autograd.is_anomaly_enabled()
    npgrad.set_anomaly_enabled(True, check_nan=False)
    assert npgrad.autograd.is_anomaly_enabled() and npgrad.is_anomaly_enabled()
    assert not npgrad.is_anomaly_check_nan_enabled()
    npgrad.set_anomaly_enabled(False)
    assert not npgrad.autograd.is_anomaly_enabled()
    assert npgrad.is_anomaly_check_nan_enabled()
    with npgrad.autograd.detect_anomaly():
        assert npgrad.is_anomaly_enabled()
    with pytest.raises(TypeError, match="bool"):
        npgrad.set_anomaly_enabled(1)


def test_anomaly_enabled_really_detects():
    x = npgrad.tensor([0.0], requires_grad=True)
    npgrad.set_anomaly_enabled(True)
    with np.errstate(all="ignore"), pytest.raises(RuntimeError, match="nan"):
        (x.sqrt() * 0.0).sum().backward()


@pytest.mark.torch
def test_torch_parity_settings():
    torch = pytest.importorskip("torch")
    saved = (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
    )
    try:
        for mode in ("default", "warn", "error", 0, 1, 2):
            torch.set_deterministic_debug_mode(mode)
            npgrad.set_deterministic_debug_mode(mode)
            assert npgrad.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
            assert (
                npgrad.is_deterministic_algorithms_warn_only_enabled()
                == torch.is_deterministic_algorithms_warn_only_enabled()
            )
    finally:
        torch.use_deterministic_algorithms(saved[0], warn_only=saved[1])
    assert npgrad.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
    assert repr(npgrad.get_default_device()) == repr(torch.get_default_device())
    assert npgrad.is_anomaly_check_nan_enabled() == torch.is_anomaly_check_nan_enabled()
    assert npgrad.is_anomaly_enabled() == torch.is_anomaly_enabled()
    for bad, ours, theirs in [
        ("bogus", RuntimeError, RuntimeError),
        (1.0, TypeError, TypeError),
    ]:
        with pytest.raises(theirs):
            torch.set_deterministic_debug_mode(bad)
        with pytest.raises(ours):
            npgrad.set_deterministic_debug_mode(bad)
    with pytest.raises(RuntimeError):
        torch.set_num_interop_threads(0)
    with pytest.raises(RuntimeError):
        npgrad.set_num_interop_threads(0)
