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


@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
def test_requires_grad_survives_a_round_trip_like_torch_save(fmt):
    w = npgrad.ones(2, requires_grad=True)
    for obj in (w, {"w": w, "b": npgrad.zeros(1)}, [w]):
        buf = io.BytesIO()
        npgrad.save(obj, buf, format=fmt)
        out = npgrad.load(io.BytesIO(buf.getvalue()))
        got = (
            out
            if isinstance(out, npgrad.Tensor)
            else (out["w"] if isinstance(out, dict) else out[0])
        )
        assert got.requires_grad and got.is_leaf and got.tolist() == [1.0, 1.0]
        if isinstance(out, dict):
            assert not out["b"].requires_grad


@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
def test_numpy_bool_is_saved_as_a_bool_like_numpy_numbers(fmt):
    buf = io.BytesIO()
    npgrad.save({"flag": np.bool_(True), "n": np.int32(3)}, buf, format=fmt)
    out = npgrad.load(io.BytesIO(buf.getvalue()))
    assert out == {"flag": True, "n": 3} and type(out["flag"]) is bool


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


def _corrupt(data: bytes, member_suffix: str) -> bytes:
    """Flip one byte inside the stored data of the zip member ending in ``member_suffix``."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = next(i for i in zf.infolist() if i.filename.endswith(member_suffix))
    # the local header is 30 bytes plus the name and extra field; flip the first data byte
    (name_len, extra_len) = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    pos = info.header_offset + 30 + name_len + extra_len
    return data[:pos] + bytes([data[pos] ^ 0xFF]) + data[pos + 1 :]


def _npz_bytes() -> bytes:
    buf = io.BytesIO()
    npgrad.save({"w": npgrad.ones(20), "n": {"b": npgrad.arange(3)}}, buf, format="npz")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("cut.pt", lambda: (FIXTURES / "torch_state_dicts.pt").read_bytes()[:500]),
        ("cut.npz", lambda: _npz_bytes()[:100]),
        (
            "bad_crc.pt",
            lambda: _corrupt((FIXTURES / "torch_state_dicts.pt").read_bytes(), "data/0"),
        ),
        ("bad_crc.npz", lambda: _corrupt(_npz_bytes(), "w.npy")),
    ],
)
def test_corrupt_or_truncated_zip_archives_raise_naming_the_file(tmp_path, name, make):
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(ValueError, match="corrupt or truncated") as info:
        npgrad.load(path)
    assert name in str(info.value)


def test_a_tensor_outside_its_torch_storage_is_reported_naming_the_file(tmp_path):
    # a hand-made checkpoint whose tensor claims 4 elements of a 2-element storage
    def u(text: str) -> bytes:
        return b"X" + struct.pack("<I", len(text)) + text.encode()

    pkl = (
        b"\x80\x02}"
        + u("w")
        + b"ctorch._utils\n_rebuild_tensor_v2\n("
        + b"("
        + u("storage")
        + b"ctorch\nFloatStorage\n"
        + u("0")
        + u("cpu")
        + b"K\x02tQ"
        + b"K\x00K\x04\x85K\x01\x85tRs."
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("archive/data.pkl", pkl)
        zf.writestr("archive/byteorder", "little")
        zf.writestr("archive/data/0", np.zeros(2, np.float32).tobytes())
    path = tmp_path / "outside.pt"
    path.write_bytes(out.getvalue())
    with pytest.raises(pickle.UnpicklingError, match="does not fit its storage") as info:
        npgrad.load(path)
    assert "outside.pt" in str(info.value)


def _pt_archive(obj: object) -> bytes:
    """A ``.pt`` zip archive holding ``obj`` pickled as torch.save does (protocol 2)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps(obj, protocol=2))
        zf.writestr("archive/byteorder", "little")
    return buf.getvalue()


def test_plain_python_values_that_torch_weights_only_loads_are_read(tmp_path):
    # protocol 2 pickles sets, frozensets and complex numbers by naming __builtin__ globals,
    # and bytes through _codecs.encode; torch.load(weights_only=True) accepts all of them
    obj = {"s": {1, 2}, "fs": frozenset({3}), "c": 1 + 2j, "b": b"\x00\xffab", "n": [1.5]}
    path = tmp_path / "plain.pt"
    path.write_bytes(_pt_archive(obj))
    assert npgrad.load(path) == obj


@pytest.mark.torch
def test_torch_size_dtype_and_device_load_as_npgrad_values(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "meta.pt"
    torch.save(
        {"shape": torch.Size([2, 3]), "dtype": torch.float32, "device": torch.device("cpu")},
        path,
    )
    assert torch.load(path, weights_only=True)["shape"] == (2, 3)  # torch accepts them too
    out = npgrad.load(path)
    assert out == {"shape": (2, 3), "dtype": npgrad.float32, "device": "cpu"}
    assert type(out["shape"]) is npgrad.Size


def test_load_accepts_torch_load_keywords(tmp_path):
    # torch.load(f, map_location="cpu", weights_only=True) is the usual call; npgrad always
    # loads as weights_only does and has only the CPU, so both are accepted and ignored
    path = tmp_path / "w.safetensors"
    npgrad.save({"w": npgrad.ones(2)}, path)
    out = npgrad.load(path, map_location="cpu", weights_only=True)
    assert out["w"].tolist() == [1.0, 1.0]
    out = npgrad.load(FIXTURES / "torch_state_dicts.pt", map_location=None, weights_only=True)
    assert "bn.num_batches_tracked" in out
    # weights_only=False cannot widen what is read: the same restricted reader runs
    assert npgrad.load(path, weights_only=False)["w"].tolist() == [1.0, 1.0]
    with pytest.raises(pickle.UnpicklingError, match="refuses"):
        npgrad.load(io.BytesIO(_evil_pt(tmp_path / "pwned")), weights_only=False)
    assert not (tmp_path / "pwned").exists()


def test_an_unknown_format_and_a_missing_directory_are_named(tmp_path):
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"garbage bytes here 1234567890" * 3)
    with pytest.raises(ValueError, match=r"junk\.pt is not a file npgrad can read"):
        npgrad.load(junk)
    missing = tmp_path / "nodir" / "x.pt"
    with pytest.raises(FileNotFoundError, match=r"save: cannot write .*x\.pt: no such directory"):
        npgrad.save({"a": npgrad.ones(2)}, missing)
    assert not (tmp_path / "nodir").exists()


def test_save_keeps_a_replaced_files_mode_and_writes_through_a_symlink(tmp_path):
    import os
    import stat

    target = tmp_path / "ckpt.safetensors"
    npgrad.save({"a": npgrad.ones(2)}, target)
    os.chmod(target, 0o640)
    link = tmp_path / "latest.safetensors"
    link.symlink_to(target)
    npgrad.save({"a": npgrad.zeros(2)}, link)
    assert link.is_symlink()  # the link stays a link; its target holds the new tensors
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert npgrad.load(target)["a"].tolist() == [0.0, 0.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.safetensors", "latest.safetensors"]
