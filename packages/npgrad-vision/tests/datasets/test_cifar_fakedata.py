"""CIFAR10 / CIFAR100 on tiny fake archives with torchvision's layout (served from a local
HTTP server for the download tests), and FakeData."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from npgrad.data import transforms as T
from npgrad.vision.datasets import CIFAR10, CIFAR100, FakeData
from npgrad.vision.datasets.cifar import load_cifar_batch
from npgrad.vision.datasets.utils import DownloadError

RNG = np.random.default_rng(0)


def batch(n: int, key: str = "labels", classes: int = 10) -> tuple[bytes, np.ndarray, list[int]]:
    data = RNG.integers(0, 256, (n, 3072), dtype=np.uint8)
    labels = RNG.integers(0, classes, n).tolist()
    entry = {"batch_label": "fake", key: labels, "data": data}
    return pickle.dumps(entry, protocol=2), data, labels


C10_NAMES = [f"class{i}" for i in range(10)]
C10 = {f"data_batch_{i}": batch(2) for i in range(1, 6)}
C10["test_batch"] = batch(3)
C10_META = pickle.dumps({"label_names": C10_NAMES, "num_cases_per_batch": 2})
C100 = {"train": batch(4, "fine_labels", 100), "test": batch(2, "fine_labels", 100)}
C100_META = pickle.dumps({"fine_label_names": [f"f{i}" for i in range(100)]})


def md5(b: bytes) -> str:
    return hashlib.md5(b).hexdigest()


def archive(folder: str, files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, body in files.items():
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return buf.getvalue()


C10_FILES = {name: b[0] for name, b in C10.items()} | {"batches.meta": C10_META}
C100_FILES = {name: b[0] for name, b in C100.items()} | {"meta": C100_META}
C10_TGZ = archive("cifar-10-batches-py", C10_FILES)


class Tiny10(CIFAR10):
    train_list = [(f"data_batch_{i}", md5(C10[f"data_batch_{i}"][0])) for i in range(1, 6)]
    test_list = [("test_batch", md5(C10["test_batch"][0]))]
    meta = {"filename": "batches.meta", "key": "label_names", "md5": md5(C10_META)}
    tgz_md5 = md5(C10_TGZ)
    urls = ()


class Tiny100(CIFAR100):
    train_list = [("train", md5(C100["train"][0]))]
    test_list = [("test", md5(C100["test"][0]))]
    meta = {"filename": "meta", "key": "fine_label_names", "md5": md5(C100_META)}


def write(root: Path, folder: str, files: dict[str, bytes]) -> None:
    (root / folder).mkdir(parents=True)
    for name, body in files.items():
        (root / folder / name).write_bytes(body)


def test_cifar10_reads_batches(tmp_path: Path) -> None:
    write(tmp_path, "cifar-10-batches-py", C10_FILES)
    train, test = Tiny10(tmp_path), Tiny10(tmp_path, train=False)
    assert len(train) == 10 and len(test) == 3
    want = np.vstack([C10[f"data_batch_{i}"][1] for i in range(1, 6)])
    np.testing.assert_array_equal(train.data, want.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    assert train.data.shape == (10, 32, 32, 3) and train.data.dtype == np.uint8
    assert train.targets == sum((C10[f"data_batch_{i}"][2] for i in range(1, 6)), [])
    assert train.classes == C10_NAMES and train.class_to_idx["class3"] == 3
    img, label = test[1]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (32, 32)
    # the red plane is the first 1024 bytes of the row
    np.testing.assert_array_equal(np.asarray(img)[:, :, 0].ravel(), C10["test_batch"][1][1, :1024])
    assert label == C10["test_batch"][2][1] and type(label) is int
    x, _ = Tiny10(tmp_path, train=False, transform=T.ToTensor())[0]
    assert x.shape == (3, 32, 32) and x.dtype == np.float32
    assert "Split: Test" in repr(test)


def test_cifar100_fine_labels(tmp_path: Path) -> None:
    write(tmp_path, "cifar-100-python", C100_FILES)
    ds = Tiny100(tmp_path)
    assert len(ds) == 4 and ds.targets == C100["train"][2] and len(ds.classes) == 100


def test_missing_or_corrupt_files(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted.*download=True"):
        Tiny10(tmp_path)
    write(tmp_path, "cifar-10-batches-py", C10_FILES | {"test_batch": b"garbage"})
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        Tiny10(tmp_path, train=False)
    (tmp_path / "cifar-10-batches-py" / "test_batch").write_bytes(C10_FILES["test_batch"])
    (tmp_path / "cifar-10-batches-py" / "batches.meta").write_bytes(b"x")
    with pytest.raises(RuntimeError, match="metadata file .*batches.meta not found or corrupted"):
        Tiny10(tmp_path)


def test_download_tries_urls_and_extracts(tmp_path: Path, http_server) -> None:
    http_server.routes["/b/c10.tgz"] = ("ok", C10_TGZ)
    urls = [http_server.url("/a/c10.tgz"), http_server.url("/b/c10.tgz")]
    ds = Tiny10(tmp_path, download=True, urls=urls, progress=False)
    assert len(ds) == 10 and (tmp_path / "cifar-10-batches-py" / "data_batch_3").is_file()
    assert http_server.hits["/a/c10.tgz"] == 1 and http_server.hits["/b/c10.tgz"] == 1
    Tiny10(tmp_path, download=True, urls=urls, progress=False)  # intact files: no request
    assert http_server.hits["/b/c10.tgz"] == 1


def test_download_checksum_failure_leaves_nothing(tmp_path: Path, http_server) -> None:
    http_server.routes["/c10.tgz"] = ("ok", C10_TGZ[:-1] + bytes([C10_TGZ[-1] ^ 0xFF]))
    with pytest.raises(DownloadError, match="cifar-10-python.tar.gz"):
        Tiny10(tmp_path, download=True, urls=[http_server.url("/c10.tgz")], progress=False)
    assert os.listdir(tmp_path) == []
    with pytest.raises(ValueError, match="urls must be a non-empty list"):
        Tiny10(tmp_path, urls="http://example.invalid/x.tgz")


def test_extraction_refuses_paths_outside_root(tmp_path: Path, http_server) -> None:
    evil = archive("..", {"escaped.txt": b"boo"})
    root = tmp_path / "root"
    http_server.routes["/evil.tgz"] = ("ok", evil)
    evil_cls = type("Evil", (Tiny10,), {"tgz_md5": md5(evil)})
    with pytest.raises(tarfile.TarError):
        evil_cls(root, download=True, urls=[http_server.url("/evil.tgz")], progress=False)
    assert not (tmp_path / "escaped.txt").exists()


def test_extraction_without_tar_filters(tmp_path: Path, monkeypatch) -> None:
    """Python < 3.10.12 has no tarfile filters: our own member check refuses the same."""
    from npgrad.vision.datasets.cifar import _extract

    monkeypatch.delattr(tarfile, "data_filter")
    evil = tmp_path / "evil.tgz"
    evil.write_bytes(archive("..", {"escaped.txt": b"boo"}))
    with pytest.raises(tarfile.TarError, match="refusing to extract '../escaped.txt'"):
        _extract(str(evil), str(tmp_path / "root"))
    assert not (tmp_path / "escaped.txt").exists()
    good = tmp_path / "good.tgz"
    good.write_bytes(C10_TGZ)
    _extract(str(good), str(tmp_path / "root"))
    assert (tmp_path / "root" / "cifar-10-batches-py" / "test_batch").is_file()


class _Boom:
    def __reduce__(self):
        return (os.system, ("true",))


def test_pickles_cannot_run_code(tmp_path: Path) -> None:
    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({"data": _Boom()}))
    with pytest.raises(ValueError, match=r"not a CIFAR batch pickle: refusing to load .*system"):
        load_cifar_batch(path)
    path.write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(ValueError, match="not a CIFAR batch"):
        load_cifar_batch(path)


# ---- FakeData ----------------------------------------------------------------------------------
def test_fakedata_is_deterministic_per_index() -> None:
    ds = FakeData(size=5, image_size=(3, 7, 9), num_classes=4)
    a, la = ds[3]
    b, lb = ds[3]
    assert a.size == (9, 7) and a.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert la == lb and 0 <= la < 4
    assert not np.array_equal(np.asarray(ds[2][0]), np.asarray(a))
    other = FakeData(size=5, image_size=(3, 7, 9), num_classes=4, random_offset=1)
    np.testing.assert_array_equal(np.asarray(other[2][0]), np.asarray(a))  # seed 2 + 1 == 3
    labels = {FakeData(size=60, num_classes=3, image_size=(1, 2, 2))[i][1] for i in range(60)}
    assert labels == {0, 1, 2}
    assert len(ds) == 5 and np.asarray(ds[-1][0]).shape == np.asarray(ds[4][0]).shape


def test_fakedata_modes_transforms_and_errors() -> None:
    grey = FakeData(size=2, image_size=(1, 4, 5))
    assert grey[0][0].mode == "L" and FakeData(2, (4, 3, 3))[0][0].mode == "RGBA"
    x, y = FakeData(2, (3, 4, 4), transform=T.ToTensor(), target_transform=str)[1]
    assert x.shape == (3, 4, 4) and isinstance(y, str)
    with pytest.raises(IndexError, match="FakeData index 2 out of range for size 2"):
        grey[2]
    with pytest.raises(ValueError, match="image_size must be"):
        FakeData(2, (2, 4, 4))
