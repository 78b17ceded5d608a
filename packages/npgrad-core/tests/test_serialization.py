"""npgrad.save / npgrad.load: safetensors, npz, PyTorch checkpoints, hostile files."""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import npgrad
from npgrad.testing import assert_close

FIXTURES = Path(__file__).parent / "fixtures"
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _nested():
    return {
        "model": OrderedDict(
            [("layer.0.weight", npgrad.tensor([[1.0, 2.0]])), ("layer.0.bias", npgrad.zeros(1))]
        ),
        "optim": {
            "state": {0: {"step": 3, "exp_avg": npgrad.ones(2, dtype=npgrad.float64)}},
            "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0], "name": None}],
        },
        "array": np.arange(3, dtype=np.int16),
        "flags": [True, False, float("inf")],
    }


def _assert_same(a, b):
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, npgrad.Tensor):
        assert_close(a, b, equal_nan=True)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    elif isinstance(a, dict):
        assert list(a.keys()) == list(b.keys())
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    else:
        assert a == b


@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
def test_nested_round_trip(tmp_path, fmt):
    obj = _nested()
    path = tmp_path / ("ckpt.npz" if fmt == "npz" else "ckpt.safetensors")
    npgrad.save(obj, path)
    _assert_same(obj, npgrad.load(path))


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_round_trips_through_a_file_object(dtype):
    t = npgrad.tensor(np.array([[0, 1], [1, 0]]).astype(dtype))
    buf = io.BytesIO()
    npgrad.save({"t": t}, buf)
    out = npgrad.load(io.BytesIO(buf.getvalue()))["t"]
    assert out.dtype == t.dtype and out.shape == (2, 2)
    assert_close(out, t)


def test_flat_dict_is_a_plain_safetensors_file_both_ways(tmp_path):
    from safetensors.numpy import load_file, save_file

    path = tmp_path / "flat.safetensors"
    npgrad.save({"w": npgrad.ones(2, 3), "b": npgrad.arange(3)}, path)
    plain = load_file(str(path))
    assert set(plain) == {"w", "b"} and plain["w"].dtype == np.float32
    other = tmp_path / "other.safetensors"
    save_file({"x": np.full((2,), 5, np.int32)}, str(other))
    loaded = npgrad.load(other)
    assert list(loaded) == ["x"] and isinstance(loaded["x"], npgrad.Tensor)
    assert loaded["x"].tolist() == [5, 5]


@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
def test_zero_dim_tensors_keep_their_shape(fmt):
    buf = io.BytesIO()
    npgrad.save({"step": npgrad.tensor(3.0), "n": npgrad.tensor(2)}, buf, format=fmt)
    out = npgrad.load(io.BytesIO(buf.getvalue()))
    assert out["step"].shape == () and out["n"].shape == () and out["step"].item() == 3.0


def test_non_contiguous_tensor_is_saved_by_value():
    t = npgrad.arange(6.0).reshape(2, 3).T
    buf = io.BytesIO()
    npgrad.save(t, buf)
    assert npgrad.load(io.BytesIO(buf.getvalue())).tolist() == t.tolist()


def test_mmap_load(tmp_path):
    path = tmp_path / "m.safetensors"
    npgrad.save({"a": npgrad.arange(10.0), "n": 4}, path)
    out = npgrad.load(path, mmap=True)
    assert out["n"] == 4 and out["a"].tolist() == list(range(10))


def test_save_is_atomic_and_leaves_nothing_on_error(tmp_path):
    path = tmp_path / "x.safetensors"
    with pytest.raises(TypeError, match="object"):
        npgrad.save({"ok": npgrad.ones(1), "bad": object()}, path)
    assert list(tmp_path.iterdir()) == []


def test_unsupported_values_and_keys_are_named():
    with pytest.raises(TypeError, match=r"set at a\.b"):
        npgrad.save({"a": {"b": {1, 2}}}, io.BytesIO())
    with pytest.raises(TypeError, match="keys must be str or int"):
        npgrad.save({(1, 2): npgrad.ones(1)}, io.BytesIO())


# ---- hostile or broken safetensors -------------------------------------------------------------
def _raw(header: dict, payload: bytes, claimed: int | None = None) -> bytes:
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h) if claimed is None else claimed) + h + payload


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"\x01\x02", "only 2 bytes"),
        (
            _raw({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 4),
            "truncated",
        ),
        (_raw({}, b"", claimed=10**6), "claims"),
        (b"\x10\0\0\0\0\0\0\0not json at all!", "not JSON"),
        (
            _raw(
                {
                    "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                    "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]},
                },
                b"\0" * 12,
            ),
            "overlap",
        ),
        (
            _raw({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8),
            "needs 12 bytes",
        ),
        (_raw({"a": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}, b"\0" * 8), "C64"),
    ],
)
def test_broken_safetensors_files_raise_naming_the_file(tmp_path, data, match):
    path = tmp_path / "broken.safetensors"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=match) as info:
        npgrad.load(path)
    assert "broken.safetensors" in str(info.value)


def test_npz_with_pickled_objects_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="pickle"):
        npgrad.load(path)


# ---- PyTorch checkpoints (fixtures written once by torch; read here without torch) -------------
def test_reads_torch_checkpoint_without_torch():
    loaded = npgrad.load(FIXTURES / "torch_state_dicts.pt")
    with np.load(FIXTURES / "torch_state_dicts_expected.npz") as expected:
        assert list(loaded.keys()) == list(expected.files)
        for key in expected.files:
            got = loaded[key]
            assert isinstance(got, npgrad.Tensor), key
            want = expected[key]
            assert got.dtype == want.dtype and got.shape == want.shape, key
            np.testing.assert_array_equal(got.numpy(), want, err_msg=key)
    assert loaded["bn.num_batches_tracked"].dtype == npgrad.int64
    assert loaded["odd.bfloat16"].dtype == npgrad.float32
    # shared storages become independent arrays
    loaded["odd.shared_a"].numpy()[0, 0] = 100.0
    assert loaded["odd.transposed"][0, 0].item() == 0.0


def _evil_pt(marker: Path) -> bytes:
    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps({"w": Evil()}, protocol=2))
        zf.writestr("archive/byteorder", "little")
    return buf.getvalue()


def test_malicious_checkpoint_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(_evil_pt(marker))
    with pytest.raises(pickle.UnpicklingError, match=r"(posix|os|nt)\.system.*refuses") as info:
        npgrad.load(path)
    assert "evil.pt" in str(info.value)
    assert not marker.exists()


def test_legacy_torch_format_is_reported(tmp_path):
    path = tmp_path / "old.pt"
    path.write_bytes(pickle.dumps({"a": 1}, protocol=2))
    with pytest.raises(ValueError, match="legacy"):
        npgrad.load(path)


def test_truncated_torch_storage_is_reported(tmp_path):
    data = (FIXTURES / "torch_state_dicts.pt").read_bytes()
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in src.namelist():
            content = src.read(n)
            zf.writestr(n, content[:3] if n.endswith("data/0") else content)
    path = tmp_path / "cut.pt"
    path.write_bytes(buf.getvalue())
    with pytest.raises(pickle.UnpicklingError, match="truncated"):
        npgrad.load(path)


@pytest.mark.torch
def test_torch_parity_both_directions(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    torch.manual_seed(1)
    lstm = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    path = tmp_path / "lstm.pt"
    torch.save(lstm.state_dict(), path)
    loaded = npgrad.load(path)
    for k, v in lstm.state_dict().items():
        np.testing.assert_array_equal(loaded[k].numpy(), v.numpy())
    out = tmp_path / "back.safetensors"
    npgrad.save(dict(loaded), out)
    back = load_file(str(out))
    for k, v in lstm.state_dict().items():
        assert torch.equal(back[k], v)
