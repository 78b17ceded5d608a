"""Bad input to npgrad.vision gets a clear error naming the function, before anything changes.

One test per finding of the bad-input audit (torchvision is not installed: the expected
behaviour is torchvision's documented one and the project's conventions).
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from pathlib import Path

import numpy as np
import pytest

import npgrad
from npgrad.vision import models, ops
from npgrad.vision.datasets import CIFAR10
from npgrad.vision.datasets.cifar import _extract
from npgrad.vision.datasets.utils import check_integrity, download_url
from npgrad.vision.siamese import PairDataset, TripletDataset, pair_accuracy
from npgrad.vision.utils import (
    confusion_matrix,
    draw_confusion_matrix,
    make_grid,
    plot_history,
    save_image,
)

IMG = npgrad.rand(3, 4, 4, generator=npgrad.Generator().manual_seed(0))


# ---- save_image / plots: a failing save leaves the file as it was -----------------------------
@pytest.mark.parametrize(
    "save",
    [
        lambda p: save_image(IMG, p),
        lambda p: plot_history({"loss": [1.0, 0.5]}, p),
        lambda p: draw_confusion_matrix(np.eye(2), p),
    ],
    ids=["save_image", "plot_history", "draw_confusion_matrix"],
)
def test_a_failing_save_keeps_the_existing_file(tmp_path: Path, save):
    path = tmp_path / "old.xbm"  # XBM holds only 1-bit images: Pillow refuses RGB
    path.write_bytes(b"precious")
    with pytest.raises(OSError, match="cannot write mode RGB as XBM"):
        save(path)
    assert path.read_bytes() == b"precious"
    assert os.listdir(tmp_path) == ["old.xbm"]  # no temporary file left behind


def test_save_image_writes_atomically_and_replaces(tmp_path: Path):
    path = tmp_path / "grid.png"
    path.write_bytes(b"old")
    save_image(IMG, path)
    assert path.read_bytes().startswith(b"\x89PNG") and os.listdir(tmp_path) == ["grid.png"]
    buf = io.BytesIO()
    save_image(IMG, buf, format="PNG")
    assert buf.getvalue() == path.read_bytes()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"format": "FOO"}, ValueError, "save_image: unknown image format 'FOO'"),
        ({}, ValueError, r"save_image: unknown file extension '\.foo' of '.*x\.foo'"),
    ],
)
def test_save_image_unknown_format_is_a_value_error_naming_it(tmp_path: Path, kwargs, error, match):
    name = "x.png" if kwargs else "x.foo"
    with pytest.raises(error, match=match):
        save_image(IMG, tmp_path / name, **kwargs)
    assert os.listdir(tmp_path) == []


def test_save_image_to_a_file_object_writes_nothing_when_it_fails():
    buf = io.BytesIO()
    with pytest.raises(ValueError, match="save_image: unknown image format 'FOO'"):
        save_image(IMG, buf, format="FOO")
    with pytest.raises(ValueError, match=r"save_image: pass format= \(e\.g\. 'PNG'\)"):
        save_image(IMG, buf)
    with pytest.raises(OSError, match="cannot write mode RGB as XBM"):
        save_image(IMG, buf, format="XBM")
    assert buf.getvalue() == b""


def test_save_image_into_a_missing_directory_names_it(tmp_path: Path):
    with pytest.raises(
        FileNotFoundError, match=r"save_image: cannot write .*x\.png: no such dir.*nodir"
    ):
        save_image(IMG, tmp_path / "nodir" / "x.png")


def test_plot_history_refuses_non_numbers_naming_the_series():
    with pytest.raises(TypeError, match=r"plot_history: series 'loss' must hold numbers"):
        plot_history({"loss": [1.0, "a"]})


# ---- make_grid -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"nrow": 0}, ValueError, "make_grid: nrow must be positive, got 0"),
        ({"nrow": 2.5}, TypeError, "make_grid: nrow must be an int, got 2.5"),
        ({"padding": -1}, ValueError, "make_grid: padding must be non-negative, got -1"),
        ({"padding": 1.0}, TypeError, "make_grid: padding must be an int, got 1.0"),
        (
            {"normalize": True, "value_range": (1.0,)},
            TypeError,
            r"value_range has to be a tuple \(min, max\)",
        ),
    ],
)
def test_make_grid_bad_layout_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_grid(npgrad.rand(4, 3, 2, 2), **kwargs)


def test_make_grid_ignores_value_range_without_normalize_like_torchvision():
    assert make_grid(npgrad.rand(4, 3, 2, 2), value_range=[0, 1]).shape == (3, 6, 18)


# ---- box ops and RoI ops -------------------------------------------------------------------
BOXES = npgrad.tensor([[0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 3.0, 3.0]])
SCORES = npgrad.tensor([0.9, 0.8])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ops.nms(BOXES, SCORES, "0.5"), "nms: iou_threshold must be a number, got '0.5'"),
        (
            lambda: ops.batched_nms(BOXES, SCORES, npgrad.tensor([0, 1]), None),
            "batched_nms: iou_threshold must be a number, got None",
        ),
        (
            lambda: ops.remove_small_boxes(BOXES, "1"),
            "remove_small_boxes: min_size must be a number, got '1'",
        ),
        (
            lambda: ops.roi_align(
                npgrad.rand(1, 3, 8, 8), npgrad.zeros(1, 5), 2, spatial_scale="a"
            ),
            "roi_align: spatial_scale must be a number, got 'a'",
        ),
        (
            lambda: ops.roi_pool(
                npgrad.rand(1, 3, 8, 8), npgrad.zeros(1, 5), 2, spatial_scale=None
            ),
            "roi_pool: spatial_scale must be a number, got None",
        ),
    ],
)
def test_box_and_roi_ops_refuse_non_numbers(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_nms_thresholds_may_be_numpy_or_one_element_tensors():
    assert ops.nms(BOXES, SCORES, np.float32(0.5)).tolist() == [0, 1]
    assert ops.nms(BOXES, SCORES, npgrad.tensor(0.1)).tolist() == [0]
    assert ops.remove_small_boxes(BOXES, np.int64(2)).tolist() == [0, 1]


@pytest.mark.parametrize("op", [ops.roi_align, ops.roi_pool])
@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_roi_ops_refuse_non_finite_boxes(op, bad):
    rois = npgrad.tensor([[0.0, 0.0, 0.0, 4.0, 4.0], [0.0, 1.0, 1.0, bad, 4.0]])
    name = op.__name__
    with pytest.raises(
        ValueError, match=rf"{name}: box coordinates must be finite, .* boxes \[1\]"
    ):
        op(npgrad.rand(1, 3, 8, 8), rois, 2)


def test_mobilenet_round_nearest_must_be_positive():
    with pytest.raises(
        ValueError, match="MobileNetV2: round_nearest must be a positive int, got 0"
    ):
        models.mobilenet_v2(round_nearest=0)


# ---- CIFAR archive extraction --------------------------------------------------------------
def _tgz(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, body in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return buf.getvalue()


# incompressible members, so that a cut in the gzip stream falls after the first member
_RNG = np.random.default_rng(0)
_BODY, _BODY2 = (_RNG.integers(0, 256, 20_000, dtype=np.uint8).tobytes() for _ in range(2))
_MEMBERS = {"cifar-10-batches-py/data_batch_1": _BODY, "cifar-10-batches-py/data_batch_2": _BODY2}


def test_a_truncated_archive_extracts_nothing(tmp_path: Path):
    archive = tmp_path / "c10.tgz"
    archive.write_bytes(_tgz(_MEMBERS)[:30_000])
    root = tmp_path / "root"
    root.mkdir()
    (root / "keep.txt").write_bytes(b"x")
    with pytest.raises(
        tarfile.ReadError, match=r"c10\.tgz: corrupt or truncated archive .*nothing"
    ):
        _extract(str(archive), str(root))
    assert os.listdir(root) == ["keep.txt"]


def test_a_refused_member_after_good_ones_extracts_nothing(tmp_path: Path):
    archive = tmp_path / "evil.tgz"
    archive.write_bytes(_tgz({**_MEMBERS, "../escaped.txt": b"boo"}))
    root = tmp_path / "root"
    with pytest.raises(tarfile.TarError):
        _extract(str(archive), str(root))
    assert os.listdir(root) == [] and not (tmp_path / "escaped.txt").exists()


def test_extraction_merges_into_an_existing_folder(tmp_path: Path):
    archive = tmp_path / "c10.tgz"
    archive.write_bytes(_tgz(_MEMBERS))
    root = tmp_path / "root"
    (root / "cifar-10-batches-py").mkdir(parents=True)
    (root / "cifar-10-batches-py" / "data_batch_1").write_bytes(b"stale")
    (root / "cifar-10-batches-py" / "other").write_bytes(b"kept")
    _extract(str(archive), str(root))
    folder = root / "cifar-10-batches-py"
    assert sorted(os.listdir(folder)) == ["data_batch_1", "data_batch_2", "other"]
    assert (folder / "data_batch_1").read_bytes() == _BODY
    assert (folder / "other").read_bytes() == b"kept" and os.listdir(root) == [folder.name]


def test_cifar_download_of_a_corrupt_archive_leaves_no_half_extracted_folder(tmp_path: Path):
    # the archive passes its MD5 (the published checksum of a broken file) but can't be read
    broken = _tgz(_MEMBERS)[:30_000]
    src = tmp_path / "src" / "c10.tgz"
    src.parent.mkdir()
    src.write_bytes(broken)
    cls = type("Broken", (CIFAR10,), {"tgz_md5": hashlib.md5(broken).hexdigest()})
    root = tmp_path / "root"
    with pytest.raises(tarfile.ReadError, match="nothing was extracted"):
        cls(root, download=True, urls=[src.as_uri()], progress=False)
    assert os.listdir(root) == ["cifar-10-python.tar.gz"]  # the verified download only


# ---- Siamese datasets and metrics ----------------------------------------------------------
LABELS = [0, 0, 1, 2, 3, 4, 5, 6]
SAMPLES = [(np.float32(i), label) for i, label in enumerate(LABELS)]


def test_pair_dataset_set_epoch_that_fails_keeps_the_previous_epoch():
    pairs = PairDataset(SAMPLES, positive_ratio=0.5, seed=3, labels=LABELS, length=2)
    before = pairs.pairs.copy()
    with pytest.raises(ValueError, match="PairDataset: 1 positive pairs requested but only 0"):
        pairs.set_epoch(1)
    assert pairs.epoch == 0
    np.testing.assert_array_equal(pairs.pairs, before)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (
            lambda: PairDataset(SAMPLES, seed="a"),
            TypeError,
            "PairDataset: seed must be an int, got 'a'",
        ),
        (
            lambda: PairDataset(SAMPLES, seed=-1),
            ValueError,
            "PairDataset: seed must be non-negative",
        ),
        (lambda: PairDataset(SAMPLES, length=2.5), TypeError, "PairDataset: length must be an int"),
        (
            lambda: PairDataset(SAMPLES, length=-1),
            ValueError,
            "length must be non-negative, got -1",
        ),
        (
            lambda: PairDataset(SAMPLES, 0.25, seed=0).set_epoch("1"),
            TypeError,
            "epoch must be an int",
        ),
        (
            lambda: TripletDataset(SAMPLES, seed=1.5),
            TypeError,
            "TripletDataset: seed must be an int",
        ),
        (lambda: TripletDataset(SAMPLES, seed=0).set_epoch(-1), ValueError, "epoch must be non-"),
        (
            lambda: PairDataset([1, 2, 3]),
            TypeError,
            r"PairDataset: can't read the labels of list \(.*\): pass labels=",
        ),
    ],
)
def test_siamese_dataset_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("cls", [PairDataset, TripletDataset])
def test_siamese_dataset_index_out_of_range_names_the_dataset(cls):
    ds = PairDataset(SAMPLES, 0.25, seed=0) if cls is PairDataset else cls(SAMPLES, seed=0)
    n = len(ds)
    with pytest.raises(IndexError, match=rf"{cls.__name__}: index {n} is out of range for {n}"):
        ds[n]
    with pytest.raises(IndexError, match=rf"index {-n - 1} is out of range"):
        ds[-n - 1]
    assert ds[-1] == ds[n - 1] and ds[np.int64(0)] == ds[0]
    with pytest.raises(TypeError, match=f"{cls.__name__} indices must be integers, got float"):
        ds[0.0]


def test_pair_accuracy_threshold_must_be_a_number():
    with pytest.raises(TypeError, match="pair_accuracy: threshold must be a number, got 'a'"):
        pair_accuracy([0.1, 0.2], [1, 0], "a")
    assert pair_accuracy([0.1, 0.2], [1, 0], npgrad.tensor(0.15)) == 1.0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: draw_confusion_matrix(np.array([[np.nan, 1.0], [1.0, 1.0]])),
            ValueError,
            "draw_confusion_matrix: the matrix contains NaN or infinity",
        ),
        (
            lambda: draw_confusion_matrix([["a", "b"], ["c", "d"]]),
            TypeError,
            "draw_confusion_matrix: expected a matrix of numbers, got <U1",
        ),
        (
            lambda: confusion_matrix([0, 1], [1, 1], num_classes="2"),
            TypeError,
            "confusion_matrix: num_classes must be an int, got '2'",
        ),
        (
            lambda: make_grid(npgrad.rand(2, 3, 2, 2), pad_value="a"),
            TypeError,
            "make_grid: pad_value must be a number, got 'a'",
        ),
    ],
)
def test_plot_helpers_refuse_non_numbers(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_plot_helpers_still_accept_numpy_numbers():
    assert confusion_matrix([0, 1], [1, 1], num_classes=np.int64(3)).shape == (3, 3)
    assert make_grid(npgrad.rand(2, 3, 2, 2), pad_value=np.float32(0.5)).shape == (3, 6, 10)


# ---- download helpers: bad arguments are refused before anything is fetched ---------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"md5": 123}, TypeError, "download_url: md5 must be a hexadecimal string, got 123"),
        ({"md5": "zz"}, ValueError, "download_url: md5 must be 32 hexadecimal digits, got 'zz'"),
        ({"sha256": "0" * 63 + "g"}, ValueError, "download_url: sha256 must be 64 hexadecimal"),
        ({"progress": "yes"}, TypeError, "download_url: progress must be a bool or a text stream"),
        ({"timeout": 0}, ValueError, "download_url: timeout must be a positive number, got 0"),
        ({"timeout": "x"}, ValueError, "download_url: timeout must be a positive number"),
    ],
)
def test_download_url_checks_its_arguments_before_downloading(tmp_path: Path, kwargs, error, match):
    src = tmp_path / "src.bin"
    src.write_bytes(b"hello")
    out = tmp_path / "out"
    with pytest.raises(error, match=match):
        download_url(src.as_uri(), out, **{"progress": False, **kwargs})
    assert not out.exists()


def test_download_url_refuses_a_non_path_root_and_a_non_url():
    with pytest.raises(TypeError, match="download_url: root must be a path, got None"):
        download_url("file:///x", None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="download_url: expected a URL or a non-empty list"):
        download_url(5, "/tmp")  # type: ignore[arg-type]


def test_check_integrity_refuses_a_malformed_checksum(tmp_path: Path):
    path = tmp_path / "f"
    path.write_bytes(b"hello")
    with pytest.raises(TypeError, match="check_integrity: md5 must be a hexadecimal string"):
        check_integrity(path, md5=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="check_integrity: sha256 must be 64 hexadecimal"):
        check_integrity(path, sha256="abc")
    assert check_integrity(path, md5=hashlib.md5(b"hello").hexdigest().upper())


def test_save_image_keeps_a_replaced_files_mode_and_symlink(tmp_path: Path):
    real = tmp_path / "real.png"
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / "link.png"
    link.symlink_to(real)
    save_image(IMG, link)
    assert link.is_symlink() and real.read_bytes().startswith(b"\x89PNG")
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(os.listdir(tmp_path)) == ["link.png", "real.png"]


@pytest.mark.parametrize(
    "call",
    [
        lambda: ops.stochastic_depth(npgrad.rand(2, 3), "a", "row"),
        lambda: ops.drop_block2d(npgrad.rand(1, 3, 8, 8), None, 3),
    ],
    ids=["stochastic_depth", "drop_block2d"],
)
def test_drop_ops_refuse_a_non_number_probability(call):
    with pytest.raises(TypeError, match=r"(stochastic_depth|drop_block2d): drop probability must "):
        call()


def test_nms_refuses_bool_boxes():
    with pytest.raises(TypeError, match="nms: boxes must hold numbers, got a bool Tensor"):
        ops.nms(npgrad.zeros(2, 4, dtype=npgrad.bool), SCORES, 0.5)
