"""KMNIST, EMNIST and QMNIST: torchvision's layouts, splits, classes and targets; errors that
name the dataset, the split and the file; downloads from a local server only."""

from __future__ import annotations

import gzip
import hashlib
import io
import lzma
import string
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import npgrad
from npgrad.data import DataLoader
from npgrad.vision.datasets import EMNIST, KMNIST, MNIST, QMNIST
from npgrad.vision.datasets.utils import DownloadError

RNG = np.random.default_rng(1)
_IDX_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int32): 0x0C}


def idx_bytes(arr: np.ndarray) -> bytes:
    """An IDX file holding ``arr`` (uint8 or int32), written independently of the reader."""
    arr = np.ascontiguousarray(arr)
    header = bytes([0, 0, _IDX_CODES[arr.dtype], arr.ndim]) + struct.pack(
        f">{arr.ndim}I", *arr.shape
    )
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def images(n: int) -> np.ndarray:
    return RNG.integers(0, 256, (n, 28, 28), dtype=np.uint8)


def write(raw: Path, files: dict[str, bytes]) -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (raw / name).write_bytes(data)
    return raw


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


# ---- KMNIST ------------------------------------------------------------------------------------
K_TRAIN_X, K_TRAIN_Y = images(4), np.array([9, 0, 3, 7], dtype=np.uint8)
K_TEST_X, K_TEST_Y = images(2), np.array([1, 8], dtype=np.uint8)
K_GZ = {
    "train-images-idx3-ubyte.gz": gz(idx_bytes(K_TRAIN_X)),
    "train-labels-idx1-ubyte.gz": gz(idx_bytes(K_TRAIN_Y)),
    "t10k-images-idx3-ubyte.gz": gz(idx_bytes(K_TEST_X)),
    "t10k-labels-idx1-ubyte.gz": gz(idx_bytes(K_TEST_Y)),
}


def test_kmnist_reads_its_own_folder(tmp_path: Path) -> None:
    write(tmp_path / "KMNIST" / "raw", K_GZ)
    train, test = KMNIST(tmp_path), KMNIST(tmp_path, train=False)
    assert isinstance(train, MNIST) and len(train) == 4 and len(test) == 2
    np.testing.assert_array_equal(train.data.numpy(), K_TRAIN_X)
    assert test.targets.tolist() == [1, 8] and test.targets.dtype == np.int64
    img, label = train[3]
    assert img.mode == "L" and type(label) is int and label == 7
    assert train.classes[label] == "ya" and train.class_to_idx["wo"] == 9
    assert train.raw_folder == str(tmp_path / "KMNIST" / "raw")
    with pytest.raises(RuntimeError, match=r"MNIST\(train=True\): dataset not found"):
        MNIST(tmp_path)  # another dataset's folder is not used


def test_kmnist_constants_are_torchvisions() -> None:
    assert KMNIST.mirrors == ("http://codh.rois.ac.jp/kmnist/dataset/kmnist/",)
    assert dict(KMNIST.resources) == {
        "train-images-idx3-ubyte.gz": "bdb82020997e1d708af4cf47b453dcf7",
        "train-labels-idx1-ubyte.gz": "e144d726b3acfaa3e44228e80efcd344",
        "t10k-images-idx3-ubyte.gz": "5c965bf0a639b31b8f53240b1b52f4d7",
        "t10k-labels-idx1-ubyte.gz": "7320c461ea6c1c855c0b718fb2a4b134",
    }
    assert KMNIST.classes == ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


def test_kmnist_download_from_local_mirror(http_server, tmp_path: Path) -> None:
    for name, data in K_GZ.items():
        http_server.routes[f"/k/{name}"] = ("ok", data)
    cls = type("TinyKMNIST", (KMNIST,), {"resources": [(n, md5(d)) for n, d in K_GZ.items()]})
    ds = cls(tmp_path, train=False, download=True, mirrors=[http_server.url("/k")], progress=False)
    assert ds.targets.tolist() == [1, 8]
    assert sorted(p.name for p in (tmp_path / "TinyKMNIST" / "raw").iterdir()) == sorted(K_GZ)


# ---- EMNIST ------------------------------------------------------------------------------------
def emnist_files(split: str, n_train: int = 3, n_test: int = 2) -> dict[str, np.ndarray]:
    n_classes = {"byclass": 62, "bymerge": 47, "balanced": 47, "letters": 27}.get(split, 10)
    low = 1 if split == "letters" else 0
    out = {}
    for part, n in (("train", n_train), ("test", n_test)):
        out[f"emnist-{split}-{part}-images-idx3-ubyte"] = images(n)
        out[f"emnist-{split}-{part}-labels-idx1-ubyte"] = RNG.integers(
            low, n_classes, n, dtype=np.uint8
        )
    return out


E_LETTERS = emnist_files("letters")
E_DIGITS = emnist_files("digits", 2, 1)


def test_emnist_classes_per_split_are_torchvisions() -> None:
    digits, upper = list("0123456789"), list(string.ascii_uppercase)
    lower = list(string.ascii_lowercase)
    merged = set("cijklmopsuvwxyz")
    kept_lower = [c for c in lower if c not in merged]
    expected = {
        "byclass": digits + upper + lower,
        "bymerge": digits + upper + kept_lower,
        "balanced": digits + upper + kept_lower,
        "letters": ["N/A"] + lower,
        "digits": digits,
        "mnist": digits,
    }
    assert EMNIST.classes_split_dict == expected
    assert [len(expected[s]) for s in EMNIST.splits] == [62, 47, 47, 27, 10, 10]
    assert EMNIST.splits == ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    assert dict(EMNIST.resources) == {"gzip.zip": "58c8d27c78d21e728a6bc7b3cc06412e"}
    assert EMNIST.mirrors == ("https://biometrics.nist.gov/cs_links/EMNIST/",)


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("train", [True, False])
def test_emnist_reads_the_split_files(tmp_path: Path, compressed: bool, train: bool) -> None:
    files = {**E_LETTERS, **E_DIGITS}
    write(
        tmp_path / "EMNIST" / "raw",
        {
            name + (".gz" if compressed else ""): gz(idx_bytes(a)) if compressed else idx_bytes(a)
            for name, a in files.items()
        },
    )
    part = "train" if train else "test"
    ds = EMNIST(tmp_path, "letters", train=train)
    np.testing.assert_array_equal(
        ds.data.numpy(), files[f"emnist-letters-{part}-images-idx3-ubyte"]
    )
    labels = files[f"emnist-letters-{part}-labels-idx1-ubyte"]
    assert ds.targets.tolist() == labels.tolist() and ds.targets.dtype == np.int64
    assert ds.split == "letters" and ds.train is train and len(ds) == len(labels)
    assert (
        ds.classes == EMNIST.classes_split_dict["letters"]
        and ds.classes is not (EMNIST.classes_split_dict["letters"])
    )
    _, label = ds[0]
    assert ds.classes[label] == string.ascii_lowercase[labels[0] - 1]
    assert ds.class_to_idx["z"] == 26
    assert ds.images_file.endswith(f"emnist-letters-{part}-images-idx3-ubyte" + ".gz" * compressed)
    digits = EMNIST(tmp_path, split="digits", train=train)
    assert digits.classes == list("0123456789") and len(digits) == (2 if train else 1)
    assert repr(ds).splitlines()[-1] == f"    Split: {'Train' if train else 'Test'}"


def test_emnist_images_are_as_stored_transposed_like_torchvision(tmp_path: Path) -> None:
    stored = np.zeros((1, 28, 28), np.uint8)
    stored[0, 2, 20] = 255  # one bright pixel off the diagonal: a transpose would move it
    files = {**E_LETTERS, "emnist-letters-train-images-idx3-ubyte": stored}
    files["emnist-letters-train-labels-idx1-ubyte"] = np.array([1], np.uint8)
    write(tmp_path / "EMNIST" / "raw", {n: idx_bytes(a) for n, a in files.items()})
    img, _ = EMNIST(tmp_path, "letters")[0]
    np.testing.assert_array_equal(np.asarray(img), stored[0])
    upright = EMNIST(
        tmp_path, "letters", transform=lambda im: im.transpose(Image.Transpose.TRANSPOSE)
    )[0][0]
    np.testing.assert_array_equal(np.asarray(upright), stored[0].T)


@pytest.mark.parametrize("split", ["Letters", "byClass", "", "all"])
def test_emnist_unknown_split(tmp_path: Path, split: str) -> None:
    with pytest.raises(ValueError, match=f"EMNIST: unknown split '{split}'; valid values are "):
        EMNIST(tmp_path, split)
    with pytest.raises(ValueError, match="'byclass', 'bymerge', 'balanced', 'letters'"):
        EMNIST(tmp_path, split)


def test_emnist_split_must_be_a_string_and_is_required(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="EMNIST: unknown split 3"):
        EMNIST(tmp_path, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="split"):
        EMNIST(tmp_path)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        EMNIST(tmp_path, "letters", False)  # type: ignore[misc]  # train is keyword-only


def test_emnist_missing_file_names_dataset_split_and_file(tmp_path: Path) -> None:
    raw = write(tmp_path / "EMNIST" / "raw", {n: idx_bytes(a) for n, a in E_LETTERS.items()})
    (raw / "emnist-letters-test-labels-idx1-ubyte").unlink()
    with pytest.raises(RuntimeError) as info:
        EMNIST(tmp_path, "letters", train=False)
    message = str(info.value)
    assert message.startswith("EMNIST(split='letters', train=False): dataset not found")
    assert str(raw / "emnist-letters-test-labels-idx1-ubyte[.gz]") in message
    assert "images" not in message and "download=True" in message
    assert len(EMNIST(tmp_path, "letters")) == 3  # the train files are complete


def test_emnist_corrupt_files_name_split_and_file(tmp_path: Path) -> None:
    files = {n: idx_bytes(a) for n, a in E_LETTERS.items()}
    name = "emnist-letters-train-images-idx3-ubyte"
    files[name] = idx_bytes(E_LETTERS["emnist-letters-train-labels-idx1-ubyte"])
    raw = write(tmp_path / "EMNIST" / "raw", files)
    with pytest.raises(ValueError, match="bad IDX magic number 0x00000801") as info:
        EMNIST(tmp_path, "letters")
    assert str(info.value).startswith(f"EMNIST(split='letters', train=True): {raw / name}: ")
    assert "expected 0x00000803" in str(info.value)
    (raw / name).unlink()
    (raw / f"{name}.gz").write_bytes(gz(idx_bytes(E_LETTERS[name]))[:-8])
    with pytest.raises(OSError, match=r"EMNIST\(split='letters', train=True\): cannot read IDX"):
        EMNIST(tmp_path, "letters")
    labels = "emnist-letters-train-labels-idx1-ubyte"
    (raw / f"{name}.gz").unlink()
    (raw / labels).write_bytes(idx_bytes(E_LETTERS[labels][:2]))
    (raw / name).write_bytes(idx_bytes(E_LETTERS[name]))
    with pytest.raises(ValueError, match=r"letters', train=True\): .* holds 3 images but .* 2 "):
        EMNIST(tmp_path, "letters")


def emnist_zip(extra: bool = True) -> bytes:
    """NIST's layout: ``gzip/<file>.gz`` members (plus a mapping text file, ignored)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, arr in {**E_LETTERS, **E_DIGITS}.items():
            if extra or "letters" not in name:
                zf.writestr(f"gzip/{name}.gz", gz(idx_bytes(arr)))
        zf.writestr("gzip/emnist-letters-mapping.txt", "1 65 97\n")
    return buf.getvalue()


def tiny_emnist(archive: bytes | None, checksum: str | None = "md5") -> type[EMNIST]:
    digest = None if archive is None or checksum is None else md5(archive)
    return type("TinyEMNIST", (EMNIST,), {"resources": [("gzip.zip", digest)]})


def test_emnist_download_extracts_every_split(http_server, tmp_path: Path) -> None:
    archive = emnist_zip()
    http_server.routes["/nist/gzip.zip"] = ("ok", archive)
    cls = tiny_emnist(archive)
    mirror = [http_server.url("/nist/")]
    ds = cls(tmp_path, "letters", download=True, mirrors=mirror, progress=False)
    np.testing.assert_array_equal(
        ds.data.numpy(), E_LETTERS["emnist-letters-train-images-idx3-ubyte"]
    )
    raw = tmp_path / "TinyEMNIST" / "raw"
    expected = sorted(f"{name}.gz" for name in {**E_LETTERS, **E_DIGITS}) + ["gzip.zip"]
    assert sorted(p.name for p in raw.iterdir()) == expected  # no temporary file, no mapping
    assert (raw / "gzip.zip").read_bytes() == archive  # kept, as torchvision keeps it
    # every split was extracted: another split needs no request
    digits = cls(tmp_path, "digits", train=False, download=True, mirrors=mirror, progress=False)
    assert digits.targets.tolist() == E_DIGITS["emnist-digits-test-labels-idx1-ubyte"].tolist()
    assert http_server.hits["/nist/gzip.zip"] == 1


def test_emnist_download_archive_without_the_split(http_server, tmp_path: Path) -> None:
    archive = emnist_zip(extra=False)
    http_server.routes["/gzip.zip"] = ("ok", archive)
    with pytest.raises(RuntimeError, match="the downloaded archive has no") as info:
        tiny_emnist(archive)(
            tmp_path, "letters", download=True, mirrors=[http_server.url("/")], progress=False
        )
    assert "TinyEMNIST(split='letters', train=True)" in str(info.value)
    assert "emnist-letters-train-images-idx3-ubyte[.gz]" in str(info.value)


def test_emnist_download_wrong_checksum(http_server, tmp_path: Path) -> None:
    http_server.routes["/gzip.zip"] = ("ok", emnist_zip())
    cls = type("TinyEMNIST", (EMNIST,), {"resources": [("gzip.zip", "0" * 32)]})
    with pytest.raises(DownloadError, match="MD5 mismatch for gzip.zip"):
        cls(tmp_path, "digits", download=True, mirrors=[http_server.url("/")], progress=False)
    assert list((tmp_path / "TinyEMNIST" / "raw").iterdir()) == []


def test_emnist_corrupt_archive_names_split_and_file(http_server, tmp_path: Path) -> None:
    http_server.routes["/gzip.zip"] = ("ok", b"PK\x03\x04 not really a zip")
    with pytest.raises(zipfile.BadZipFile, match="corrupt or truncated zip archive") as info:
        tiny_emnist(None)(
            tmp_path, "mnist", download=True, mirrors=[http_server.url("/")], progress=False
        )
    assert str(info.value).startswith("TinyEMNIST(split='mnist', train=True): ")
    assert str(tmp_path / "TinyEMNIST" / "raw" / "gzip.zip") in str(info.value)


def test_emnist_download_skipped_when_split_present(http_server, tmp_path: Path) -> None:
    write(tmp_path / "TinyEMNIST" / "raw", {n: idx_bytes(a) for n, a in E_DIGITS.items()})
    ds = tiny_emnist(None)(
        tmp_path, "digits", download=True, mirrors=[http_server.url("/")], progress=False
    )
    assert len(ds) == 2 and sum(http_server.hits.values()) == 0


def test_emnist_archive_present_is_extracted_without_a_request(http_server, tmp_path: Path) -> None:
    archive = emnist_zip()
    raw = tmp_path / "TinyEMNIST" / "raw"
    write(raw, {"gzip.zip": archive})
    ds = tiny_emnist(archive)(
        tmp_path, "digits", download=True, mirrors=[http_server.url("/")], progress=False
    )
    assert len(ds) == 2 and sum(http_server.hits.values()) == 0


def test_emnist_member_names_cannot_leave_the_raw_folder(http_server, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, arr in E_DIGITS.items():
            zf.writestr(f"gzip/../../{name}.gz", gz(idx_bytes(arr)))
        zf.writestr("/abs/escape.gz", b"x")
    http_server.routes["/gzip.zip"] = ("ok", buf.getvalue())
    cls = tiny_emnist(buf.getvalue())
    cls(tmp_path / "root", "digits", download=True, mirrors=[http_server.url("/")], progress=False)
    raw = tmp_path / "root" / "TinyEMNIST" / "raw"
    assert sorted(p.name for p in tmp_path.rglob("*.gz")) == sorted(
        [f"{name}.gz" for name in E_DIGITS] + ["escape.gz"]
    )
    assert all(p.parent == raw for p in tmp_path.rglob("*.gz"))


# ---- QMNIST ------------------------------------------------------------------------------------
def qmnist_labels(n: int) -> np.ndarray:
    """int32 (n, 8): class, then provenance columns with values beyond a byte."""
    labels = RNG.integers(0, 300_000, (n, 8), dtype=np.int32)
    labels[:, 0] = RNG.integers(0, 10, n)
    return labels


N_QTEST = 10_004  # the test files split into test10k (first 10,000) and test50k (the rest)
Q_TRAIN_X, Q_TRAIN_Y = images(5), qmnist_labels(5)
Q_TEST_X = np.zeros((N_QTEST, 28, 28), np.uint8)
Q_TEST_X[:, 0, 0], Q_TEST_X[:, 0, 1] = np.arange(N_QTEST) % 256, np.arange(N_QTEST) // 256
Q_TEST_Y = qmnist_labels(N_QTEST)
Q_NIST_X, Q_NIST_Y = images(3), qmnist_labels(3)
Q_FILES = {
    "qmnist-train-images-idx3-ubyte.gz": gz(idx_bytes(Q_TRAIN_X)),
    "qmnist-train-labels-idx2-int.gz": gz(idx_bytes(Q_TRAIN_Y)),
    "qmnist-test-images-idx3-ubyte.gz": gz(idx_bytes(Q_TEST_X)),
    "qmnist-test-labels-idx2-int.gz": gz(idx_bytes(Q_TEST_Y)),
    "xnist-images-idx3-ubyte.xz": lzma.compress(idx_bytes(Q_NIST_X)),
    "xnist-labels-idx2-int.xz": lzma.compress(idx_bytes(Q_NIST_Y)),
}


@pytest.fixture
def qroot(tmp_path: Path) -> Path:
    write(tmp_path / "QMNIST" / "raw", Q_FILES)
    return tmp_path


def test_qmnist_constants_are_torchvisions() -> None:
    base = "https://raw.githubusercontent.com/facebookresearch/qmnist/master/"
    assert QMNIST.mirrors == (base,)
    assert {k: dict(v) for k, v in QMNIST.resources.items()} == {
        "train": {
            "qmnist-train-images-idx3-ubyte.gz": "ed72d4157d28c017586c42bc6afe6370",
            "qmnist-train-labels-idx2-int.gz": "0058f8dd561b90ffdd0f734c6a30e5e4",
        },
        "test": {
            "qmnist-test-images-idx3-ubyte.gz": "1394631089c404de565df7b7aeaf9412",
            "qmnist-test-labels-idx2-int.gz": "5b5b05890a5e13444e108efe57b788aa",
        },
        "nist": {
            "xnist-images-idx3-ubyte.xz": "7f124b3b8ab81486c9d8c2749c17f834",
            "xnist-labels-idx2-int.xz": "5ed0e788978e45d4a8bd4b7caec3d79d",
        },
    }
    assert QMNIST.subsets == {
        "train": "train",
        "test": "test",
        "test10k": "test",
        "test50k": "test",
        "nist": "nist",
    }
    assert QMNIST.classes == MNIST.classes


@pytest.mark.parametrize(
    ("kwargs", "what", "x", "y"),
    [
        ({}, "train", Q_TRAIN_X, Q_TRAIN_Y),
        ({"train": False}, "test", Q_TEST_X, Q_TEST_Y),
        ({"what": "train", "train": False}, "train", Q_TRAIN_X, Q_TRAIN_Y),
        ({"what": "test10k"}, "test10k", Q_TEST_X[:10_000], Q_TEST_Y[:10_000]),
        ({"what": "test50k"}, "test50k", Q_TEST_X[10_000:], Q_TEST_Y[10_000:]),
        ({"what": "nist"}, "nist", Q_NIST_X, Q_NIST_Y),
    ],
)
def test_qmnist_what(qroot: Path, kwargs: dict, what: str, x: np.ndarray, y: np.ndarray) -> None:
    ds = QMNIST(qroot, **kwargs)
    assert ds.what == what and ds.train is kwargs.get("train", True)
    assert ds.data.dtype == np.uint8 and ds.data.shape == x.shape
    np.testing.assert_array_equal(ds.data.numpy(), x)
    assert ds.targets.dtype == np.int64 and ds.targets.shape == (len(y), 8)
    np.testing.assert_array_equal(ds.targets.numpy(), y)
    assert repr(ds).splitlines()[-1] == f"    Split: {what}"
    img, label = ds[len(ds) - 1]
    np.testing.assert_array_equal(np.asarray(img), x[-1])
    assert type(label) is int and label == y[-1, 0]


def test_qmnist_test_subsets_are_copies(qroot: Path) -> None:
    ds = QMNIST(qroot, what="test50k")
    assert ds.data.numpy().base is None and ds.targets.numpy().base is None
    assert ds.data.numpy()[0, 0, :2].tolist() == [10_000 % 256, 10_000 // 256]


def test_qmnist_compat_false_gives_the_full_row(qroot: Path) -> None:
    ds = QMNIST(qroot, compat=False, target_transform=lambda t: t * 2)
    assert ds.compat is False
    _, target = ds[2]
    assert isinstance(target, npgrad.Tensor) and target.dtype == np.int64
    assert target.tolist() == (Q_TRAIN_Y[2].astype(np.int64) * 2).tolist()
    # compat applies before target_transform, as in torchvision
    assert QMNIST(qroot, target_transform=lambda t: t + 100)[2][1] == Q_TRAIN_Y[2, 0] + 100
    plain = QMNIST(qroot, compat=False, transform=lambda im: np.asarray(im, np.float32))
    xb, yb = next(iter(DataLoader(plain, batch_size=4)))
    assert tuple(xb.shape) == (4, 28, 28) and tuple(yb.shape) == (4, 8)
    np.testing.assert_array_equal(yb.numpy(), Q_TRAIN_Y[:4])


@pytest.mark.parametrize("what", ["Train", "test10", "mnist", ""])
def test_qmnist_unknown_what(tmp_path: Path, what: str) -> None:
    with pytest.raises(
        ValueError,
        match=f"QMNIST: unknown what '{what}'; valid values are 'train', 'test', 'test10k', "
        "'test50k', 'nist'",
    ):
        QMNIST(tmp_path, what=what)
    with pytest.raises(ValueError, match="QMNIST: unknown what 1"):
        QMNIST(tmp_path, what=1)  # type: ignore[arg-type]


def test_qmnist_missing_files_name_what_and_file(qroot: Path) -> None:
    raw = qroot / "QMNIST" / "raw"
    (raw / "xnist-labels-idx2-int.xz").unlink()
    with pytest.raises(RuntimeError) as info:
        QMNIST(qroot, what="nist")
    message = str(info.value)
    assert message.startswith("QMNIST(what='nist'): dataset not found: missing ")
    assert str(raw / "xnist-labels-idx2-int[.xz]") in message and "download=True" in message


def test_qmnist_wrong_label_format_names_what_and_file(qroot: Path) -> None:
    raw = qroot / "QMNIST" / "raw"
    # an MNIST label file (uint8, 1-D) where QMNIST's int32 (N, 8) rows are expected
    (raw / "qmnist-train-labels-idx2-int").write_bytes(idx_bytes(Q_TRAIN_Y[:, 0].astype(np.uint8)))
    with pytest.raises(ValueError, match="bad IDX magic number 0x00000801") as info:
        QMNIST(qroot)
    assert str(info.value).startswith(
        f"QMNIST(what='train'): {raw / 'qmnist-train-labels-idx2-int'}: "
    )
    assert "expected 0x00000C02 (3074: int32, 2 dimensions)" in str(info.value)


def test_qmnist_corrupt_xz_names_what_and_file(qroot: Path) -> None:
    path = qroot / "QMNIST" / "raw" / "xnist-images-idx3-ubyte.xz"
    path.write_bytes(Q_FILES["xnist-images-idx3-ubyte.xz"][:-30])
    with pytest.raises(OSError, match=r"QMNIST\(what='nist'\): cannot read IDX file") as info:
        QMNIST(qroot, what="nist")
    assert str(path) in str(info.value)


@pytest.mark.parametrize(("what", "subset"), [("test10k", "test"), ("nist", "nist")])
def test_qmnist_download_fetches_only_what_is_needed(
    http_server, tmp_path: Path, what: str, subset: str
) -> None:
    for name, data in Q_FILES.items():
        http_server.routes[f"/q/{name}"] = ("ok", data)
    resources = {
        key: [(name, md5(Q_FILES[name])) for name, _ in files]
        for key, files in QMNIST.resources.items()
    }
    cls = type("TinyQMNIST", (QMNIST,), {"resources": resources})
    ds = cls(tmp_path, what=what, download=True, mirrors=[http_server.url("/q/")], progress=False)
    wanted = sorted(name for name, _ in QMNIST.resources[subset])
    assert sorted(p.name for p in (tmp_path / "TinyQMNIST" / "raw").iterdir()) == wanted
    assert sorted(path[3:] for path in http_server.hits) == wanted
    assert len(ds) == {"test10k": 10_000, "nist": 3}[what]


def test_qmnist_download_wrong_checksum(http_server, tmp_path: Path) -> None:
    for name, data in Q_FILES.items():
        http_server.routes[f"/{name}"] = ("ok", data)
    resources = {
        key: [(name, "f" * 32) for name, _ in files] for key, files in QMNIST.resources.items()
    }
    cls = type("TinyQMNIST", (QMNIST,), {"resources": resources})
    with pytest.raises(DownloadError, match="MD5 mismatch for qmnist-train-images-idx3-ubyte.gz"):
        cls(tmp_path, download=True, mirrors=[http_server.url("/")], progress=False)


# ---- the shared machinery: errors of MNIST itself name the split too ----------------------------
def test_mnist_errors_name_the_split(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"^MNIST\(train=False\): dataset not found"):
        MNIST(tmp_path, train=False)
    raw = write(
        tmp_path / "MNIST" / "raw",
        {"t10k-images-idx3-ubyte": b"junk", "t10k-labels-idx1-ubyte": idx_bytes(K_TEST_Y)},
    )
    with pytest.raises(ValueError, match=r"^MNIST\(train=False\): .*t10k-images-idx3-ubyte: bad"):
        MNIST(tmp_path, train=False)
    assert raw.is_dir()
