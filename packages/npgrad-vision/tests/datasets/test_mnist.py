"""MNIST / FashionMNIST: IDX parsing (raw and .gz), errors, and downloads from a local server."""

from __future__ import annotations

import gzip
import hashlib
import io
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from npgrad.data import DataLoader
from npgrad.data import transforms as T
from npgrad.vision.datasets import MNIST, FashionMNIST
from npgrad.vision.datasets.mnist import read_idx, read_image_file, read_label_file
from npgrad.vision.datasets.utils import DownloadError

RNG = np.random.default_rng(0)
TRAIN_X = RNG.integers(0, 256, (6, 28, 28), dtype=np.uint8)
TRAIN_Y = np.array([5, 0, 4, 1, 9, 2], dtype=np.uint8)
TEST_X = RNG.integers(0, 256, (3, 28, 28), dtype=np.uint8)
TEST_Y = np.array([7, 2, 1], dtype=np.uint8)


def idx_bytes(arr: np.ndarray) -> bytes:
    """An unsigned-byte IDX file holding ``arr`` (written independently of the reader)."""
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    header = bytes([0, 0, 0x08, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.tobytes()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


FILES = {
    "train-images-idx3-ubyte": idx_bytes(TRAIN_X),
    "train-labels-idx1-ubyte": idx_bytes(TRAIN_Y),
    "t10k-images-idx3-ubyte": idx_bytes(TEST_X),
    "t10k-labels-idx1-ubyte": idx_bytes(TEST_Y),
}
GZ = {f"{name}.gz": gz(data) for name, data in FILES.items()}


def write_raw(root: Path, folder: str = "MNIST", compressed: bool = False) -> Path:
    raw = root / folder / "raw"
    raw.mkdir(parents=True)
    for name, data in (GZ if compressed else FILES).items():
        (raw / name).write_bytes(data)
    return raw


def tiny(checksum: str = "md5", wrong: str | None = None) -> type[MNIST]:
    """An MNIST subclass whose resources are the fixtures (folder ``TinyMNIST``)."""
    digest = hashlib.md5 if checksum == "md5" else hashlib.sha256
    resources = [
        (name, digest(data).hexdigest() if name != wrong else "0" * len(digest().hexdigest()))
        for name, data in GZ.items()
    ]
    return type("TinyMNIST", (MNIST,), {"resources": resources, "mirrors": ()})


# ---- reading -----------------------------------------------------------------------------------
@pytest.mark.parametrize("compressed", [False, True])
def test_reads_raw_and_gz(tmp_path: Path, compressed: bool) -> None:
    write_raw(tmp_path, compressed=compressed)
    train, test = MNIST(tmp_path), MNIST(tmp_path, train=False)
    assert len(train) == 6 and len(test) == 3
    np.testing.assert_array_equal(train.data.numpy(), TRAIN_X)
    np.testing.assert_array_equal(test.targets.numpy(), TEST_Y)
    assert train.data.dtype == np.uint8 and train.targets.dtype == np.int64
    img, label = train[2]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(img), TRAIN_X[2])
    assert label == 4 and type(label) is int


def test_raw_file_preferred_over_gz(tmp_path: Path) -> None:
    raw = write_raw(tmp_path, compressed=True)
    (raw / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.array([3, 3, 3])))
    assert MNIST(tmp_path, train=False).targets.tolist() == [3, 3, 3]


def test_transforms_and_dataloader(tmp_path: Path) -> None:
    write_raw(tmp_path)
    ds = MNIST(tmp_path, transform=T.ToTensor(), target_transform=lambda y: y + 10)
    x, y = ds[0]
    assert x.shape == (1, 28, 28) and x.dtype == np.float32 and y == 15
    np.testing.assert_allclose(x.numpy()[0], TRAIN_X[0] / 255, atol=1e-6)
    xb, yb = next(iter(DataLoader(ds, batch_size=4)))
    assert xb.shape == (4, 1, 28, 28) and yb.tolist() == [15, 10, 14, 11]


def test_classes_and_repr(tmp_path: Path) -> None:
    write_raw(tmp_path)
    ds = MNIST(tmp_path, train=False)
    assert ds.class_to_idx["7 - seven"] == 7
    assert repr(ds) == (
        f"Dataset MNIST\n    Number of datapoints: 3\n    Root location: {tmp_path}\n    Split: Test"
    )
    assert FashionMNIST.classes[9] == "Ankle boot" and len(FashionMNIST.classes) == 10


def test_fashion_mnist_reads_its_own_folder(tmp_path: Path) -> None:
    write_raw(tmp_path, folder="FashionMNIST", compressed=True)
    assert FashionMNIST(tmp_path).targets.tolist() == TRAIN_Y.tolist()
    with pytest.raises(RuntimeError, match="MNIST/raw"):
        MNIST(tmp_path)


def test_missing_files_say_how_to_get_them(tmp_path: Path) -> None:
    raw = write_raw(tmp_path)
    (raw / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(RuntimeError) as info:
        MNIST(tmp_path)
    assert "train-labels-idx1-ubyte[.gz]" in str(info.value) and "download=True" in str(info.value)
    assert len(MNIST(tmp_path, train=False)) == 3  # the test split is complete


def test_read_idx_other_types(tmp_path: Path) -> None:
    path = tmp_path / "f.idx"
    values = np.array([[1.5, -2.0], [3.25, 0.0]], dtype=">f4")
    path.write_bytes(bytes([0, 0, 0x0D, 2]) + struct.pack(">2I", 2, 2) + values.tobytes())
    out = read_idx(path)
    assert out.dtype == np.float32 and out.dtype.isnative
    np.testing.assert_array_equal(out, values)


def test_label_file_read_as_int64(tmp_path: Path) -> None:
    path = tmp_path / "l"
    path.write_bytes(idx_bytes(np.array([255, 0])))
    out = read_label_file(path)
    assert out.dtype == np.int64 and out.tolist() == [255, 0]


# ---- bad files ---------------------------------------------------------------------------------
def test_bad_magic_names_file_and_expected_header(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(TRAIN_Y))  # a label file where images are expected
    with pytest.raises(ValueError, match="bad IDX magic number") as info:
        read_image_file(path)
    message = str(info.value)
    assert str(path) in message
    assert (
        "0x00000801" in message
        and "expected 0x00000803 (2051: unsigned byte, 3 dimensions)" in message
    )


def test_not_an_idx_file(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(ValueError, match=r"x: bad IDX magic number 0x3C68746D"):
        read_image_file(path)
    path.write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="too short for the 4-byte magic number"):
        read_label_file(path)


def test_size_mismatch_names_file_and_header(tmp_path: Path) -> None:
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(idx_bytes(TEST_X)[:-10])
    with pytest.raises(ValueError, match="IDX header announces") as info:
        read_image_file(path)
    message = str(info.value)
    assert str(path) in message and "shape (3, 28, 28)" in message
    assert (
        f"{16 + 3 * 28 * 28} bytes" in message and f"has {16 + 3 * 28 * 28 - 10} bytes" in message
    )
    assert "0x00000803" in message
    path.write_bytes(idx_bytes(TEST_X) + b"\x00")  # extra bytes are an error too
    with pytest.raises(ValueError, match="truncated or corrupt"):
        read_image_file(path)


def test_header_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(bytes([0, 0, 8, 3, 0, 0, 0, 1]))
    with pytest.raises(ValueError, match="header is cut short"):
        read_image_file(path)


def test_corrupt_gzip_names_file(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gz(idx_bytes(TRAIN_X))[:-20])
    with pytest.raises(OSError, match="train-images-idx3-ubyte.gz"):
        read_image_file(path)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(OSError, match="cannot read IDX file"):
        read_image_file(path)


def test_image_label_count_mismatch(tmp_path: Path) -> None:
    raw = write_raw(tmp_path)
    (raw / "train-labels-idx1-ubyte").write_bytes(idx_bytes(TRAIN_Y[:5]))
    with pytest.raises(ValueError, match="holds 6 images but .* holds 5 labels"):
        MNIST(tmp_path)


# ---- downloads (local server only) -------------------------------------------------------------
def serve_all(server, prefix: str, kind: str = "ok") -> str:
    for name, data in GZ.items():
        server.routes[f"{prefix}{name}"] = (kind, data)
    return server.url(prefix)


@pytest.mark.parametrize("checksum", ["md5", "sha256"])
def test_download_good_files(http_server, tmp_path: Path, checksum: str) -> None:
    mirror = serve_all(http_server, "/mnist/")
    ds = tiny(checksum)(tmp_path, download=True, mirrors=[mirror], progress=False)
    np.testing.assert_array_equal(ds.data.numpy(), TRAIN_X)
    raw = tmp_path / "TinyMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(GZ)  # no temporary file
    # present and verified: a second download=True fetches nothing
    tiny(checksum)(tmp_path, train=False, download=True, mirrors=[mirror], progress=False)
    assert sum(http_server.hits.values()) == 4


def test_download_first_mirror_down_second_used(http_server, dead_url, tmp_path: Path) -> None:
    mirror = serve_all(http_server, "/b/")
    ds = tiny()(
        tmp_path, train=False, download=True, mirrors=[dead_url + "/a", mirror], progress=False
    )
    assert ds.targets.tolist() == TEST_Y.tolist()
    assert sum(http_server.hits.values()) == 4


def test_download_error_mirror_then_good_one(http_server, tmp_path: Path) -> None:
    bad = serve_all(http_server, "/bad/", kind="error")
    good = serve_all(http_server, "/good/")
    tiny()(tmp_path, download=True, mirrors=[bad, good], progress=False)
    assert http_server.hits[f"/bad/{next(iter(GZ))}"] == 1


def test_download_wrong_checksum(http_server, tmp_path: Path) -> None:
    mirror = serve_all(http_server, "/m/")
    cls = tiny(wrong="train-labels-idx1-ubyte.gz")
    with pytest.raises(DownloadError) as info:
        cls(tmp_path, download=True, mirrors=[mirror], progress=False)
    assert "MD5 mismatch for train-labels-idx1-ubyte.gz" in str(info.value)
    raw = tmp_path / "TinyMNIST" / "raw"
    # the file before it was kept (verified), the bad one deleted, nothing half-written
    assert sorted(p.name for p in raw.iterdir()) == ["train-images-idx3-ubyte.gz"]


def test_download_server_dies_mid_transfer(http_server, tmp_path: Path) -> None:
    mirror = serve_all(http_server, "/m/", kind="truncate")
    with pytest.raises(DownloadError, match="train-images-idx3-ubyte.gz") as info:
        tiny()(tmp_path, download=True, mirrors=[mirror], progress=False)
    assert "closed after" in str(info.value)
    assert list((tmp_path / "TinyMNIST" / "raw").iterdir()) == []


def test_download_skips_files_present_uncompressed(http_server, tmp_path: Path) -> None:
    write_raw(tmp_path, folder="TinyMNIST")
    tiny()(tmp_path, download=True, mirrors=[http_server.url("/none/")], progress=False)
    assert sum(http_server.hits.values()) == 0


def test_download_shows_progress(http_server, tmp_path: Path) -> None:
    mirror = serve_all(http_server, "/m/")
    out = io.StringIO()
    tiny()(tmp_path, download=True, mirrors=[mirror], progress=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == list(GZ)
    assert all("100%" in line for line in lines)


def test_default_mirrors_and_checksums_are_torchvisions() -> None:
    assert MNIST.mirrors[0] == "https://ossci-datasets.s3.amazonaws.com/mnist/"
    assert dict(MNIST.resources)["train-images-idx3-ubyte.gz"] == "f68b3c2dcbeaaa9fbdd348bbdeb94873"
    assert (
        dict(FashionMNIST.resources)["t10k-labels-idx1-ubyte.gz"]
        == "bb300cfdad3c16e7a12a480ee83cd310"
    )


def test_bad_mirrors_argument(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="non-empty list of base URLs"):
        MNIST(tmp_path, mirrors="http://example.invalid/")
    with pytest.raises(ValueError, match="non-empty list"):
        MNIST(tmp_path, mirrors=[])
