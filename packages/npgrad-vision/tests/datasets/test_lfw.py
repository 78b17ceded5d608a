"""LFWPeople / LFWPairs on a tiny generated LFW tree (torchvision's layout and list formats)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from npgrad.data import DataLoader
from npgrad.data import transforms as T
from npgrad.vision.datasets import LFWPairs, LFWPeople
from npgrad.vision.siamese import kfold_verification

PEOPLE = {"Ann_Lee": 3, "Bob_Ray": 2, "Cy_Young": 1, "Di_Ho": 2}

# 2 folds of 2 matched + 2 mismatched pairs, tab-separated as in the real pairs.txt
PAIRS = """2\t2
Ann_Lee\t1\t2
Bob_Ray\t1\t2
Ann_Lee\t3\tBob_Ray\t1
Cy_Young\t1\tDi_Ho\t2
Ann_Lee\t1\t3
Di_Ho\t1\t2
Bob_Ray\t2\tCy_Young\t1
Di_Ho\t1\tAnn_Lee\t2
"""

PEOPLE_10FOLD = """2
2
Ann_Lee\t3
Bob_Ray\t2
1
Di_Ho\t2
"""


def face(seed: int, photo: Image.Image | None) -> Image.Image:
    if photo is not None:  # a crop of a real photograph, resized like LFW's 250x250 to 25x25
        x, y = 40 * (seed % 10), 30 * (seed // 10)
        return photo.crop((x, y, x + 200, y + 200)).resize((25, 25), Image.Resampling.BILINEAR)
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (25, 25, 3), dtype=np.uint8))


def make_lfw(root: Path, image_dir: str = "lfw_funneled", photo: Image.Image | None = None) -> Path:
    base = root / "lfw-py"
    seed = 0
    for name, count in PEOPLE.items():
        (base / image_dir / name).mkdir(parents=True)
        for i in range(1, count + 1):
            face(seed, photo).save(base / image_dir / name / f"{name}_{i:04d}.jpg")
            seed += 1
    (base / "pairs.txt").write_text(PAIRS)
    (base / "pairsDevTest.txt").write_text("1\nAnn_Lee 2 3\nBob_Ray 1 Di_Ho 1\n")  # spaces work too
    (base / "people.txt").write_text(PEOPLE_10FOLD)
    (base / "peopleDevTrain.txt").write_text("2\nBob_Ray\t2\nCy_Young\t1\n")
    (base / "lfw-names.txt").write_text("".join(f"{n}\t{c}\n" for n, c in PEOPLE.items()))
    return root


@pytest.fixture
def lfw(tmp_path: Path) -> Path:
    return make_lfw(tmp_path)


def rel(paths: tuple[str, str], root: Path) -> tuple[str, str]:
    return tuple(Path(p).relative_to(root / "lfw-py").as_posix() for p in paths)  # type: ignore[return-value]


def test_pairs_10fold(lfw: Path) -> None:
    ds = LFWPairs(lfw)
    assert len(ds) == 8
    assert ds.targets == [1, 1, 0, 0, 1, 1, 0, 0]
    assert ds.folds == [0, 0, 0, 0, 1, 1, 1, 1]
    assert ds.pair_names[2] == ("Ann_Lee", "Bob_Ray") and ds.pair_names[1] == ("Bob_Ray", "Bob_Ray")
    assert rel(ds.data[0], lfw) == (
        "lfw_funneled/Ann_Lee/Ann_Lee_0001.jpg",
        "lfw_funneled/Ann_Lee/Ann_Lee_0002.jpg",
    )
    assert rel(ds.data[3], lfw) == (
        "lfw_funneled/Cy_Young/Cy_Young_0001.jpg",
        "lfw_funneled/Di_Ho/Di_Ho_0002.jpg",
    )
    img1, img2, same = ds[3]
    assert img1.mode == img2.mode == "RGB" and img1.size == (25, 25) and same == 0


def test_pairs_dev_split_and_transform(lfw: Path) -> None:
    ds = LFWPairs(lfw, split="test", transform=T.ToTensor(), target_transform=float)
    assert ds.targets == [1, 0] and ds.folds == [0, 0]
    x1, x2, same = ds[0]
    assert x1.shape == x2.shape == (3, 25, 25) and same == 1.0
    assert not np.array_equal(x1.numpy(), x2.numpy())
    a, b, s = next(iter(DataLoader(ds, batch_size=2)))
    assert a.shape == (2, 3, 25, 25) and s.tolist() == [1.0, 0.0]


def test_real_photo_faces(tmp_path: Path, shared_images: Path) -> None:
    with Image.open(shared_images / "flower.jpg") as f:
        photo = f.convert("RGB")
    root = make_lfw(tmp_path, image_dir="lfw", photo=photo)
    ds = LFWPairs(root, image_set="original", transform=T.ToTensor())
    x1, x2, _ = ds[0]
    assert x1.shape == (3, 25, 25) and float(x1.std()) > 0.01
    assert ds.images_dir.endswith("lfw")


def test_root_may_be_the_lfw_py_directory(lfw: Path) -> None:
    assert LFWPairs(lfw / "lfw-py").data == LFWPairs(lfw).data


def test_people_10fold(lfw: Path) -> None:
    ds = LFWPeople(lfw)
    assert ds.class_to_idx == {"Ann_Lee": 0, "Bob_Ray": 1, "Cy_Young": 2, "Di_Ho": 3}
    assert ds.targets == [0, 0, 0, 1, 1, 3, 3]
    assert Path(ds.data[5]).name == "Di_Ho_0001.jpg"
    img, target = ds[4]
    assert img.size == (25, 25) and target == 1


def test_people_dev_train_and_names_fallback(lfw: Path) -> None:
    (lfw / "lfw-py" / "lfw-names.txt").unlink()
    ds = LFWPeople(lfw, split="train", transform=T.ToTensor())
    assert ds.class_to_idx == {"Ann_Lee": 0, "Bob_Ray": 1, "Cy_Young": 2, "Di_Ho": 3}
    assert ds.targets == [1, 1, 2] and ds[2][0].shape == (3, 25, 25)


def test_repr(lfw: Path) -> None:
    assert repr(LFWPeople(lfw, split="train")) == (
        f"Dataset LFWPeople\n    Number of datapoints: 3\n    Root location: {lfw / 'lfw-py'}\n"
        "    Alignment: funneled\n    Split: train\n    Classes (identities): 4"
    )


def test_kfold_with_official_folds(lfw: Path) -> None:
    ds = LFWPairs(lfw)
    distances = np.where(np.array(ds.targets) == 1, 0.2, 0.8)
    result = kfold_verification(distances, ds.targets, folds=ds.folds)
    assert result.accuracy == 1.0 and len(result.fold_accuracies) == 2


# ---- errors ------------------------------------------------------------------------------------
def test_missing_tree_explains_layout(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        LFWPairs(tmp_path)
    message = str(info.value)
    assert str(tmp_path / "lfw_funneled") in message and "vis-www.cs.umass.edu/lfw" in message
    assert "pairs.txt" in message


def test_missing_list_file(lfw: Path) -> None:
    (lfw / "lfw-py" / "pairsDevTrain.txt").unlink(missing_ok=True)
    with pytest.raises(FileNotFoundError, match="pairsDevTrain.txt does not exist"):
        LFWPairs(lfw, split="train")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"split": "val"}, "split must be one of"), ({"image_set": "aligned"}, "image_set must be")],
)
def test_bad_arguments(lfw: Path, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        LFWPairs(lfw, **kwargs)


def test_malformed_pair_line_names_file_and_line(lfw: Path) -> None:
    path = lfw / "lfw-py" / "pairs.txt"
    path.write_text(PAIRS.replace("Bob_Ray\t1\t2", "Bob_Ray\tone\t2"))
    with pytest.raises(ValueError, match="expected a matched pair") as info:
        LFWPairs(lfw)
    assert f"{path}, line 3" in str(info.value) and "'name i j'" in str(info.value)
    path.write_text(PAIRS.replace("Cy_Young\t1\tDi_Ho\t2", "Cy_Young\t1\t2"))
    with pytest.raises(ValueError, match=r"line 5: expected a mismatched pair"):
        LFWPairs(lfw)


def test_pairs_header_announcing_too_many_lines(lfw: Path) -> None:
    (lfw / "lfw-py" / "pairs.txt").write_text(PAIRS.replace("2\t2", "10\t300", 1))
    with pytest.raises(
        ValueError,
        match=r"announces 10 fold\(s\) of 300 .*\(6001 lines\), but the file has 9 lines",
    ):
        LFWPairs(lfw)
    (lfw / "lfw-py" / "pairs.txt").write_text("ten folds\n")
    with pytest.raises(ValueError, match="line 1: expected 'number_of_folds pairs_per_set'"):
        LFWPairs(lfw)


def test_people_unknown_identity_and_short_file(lfw: Path) -> None:
    people = lfw / "lfw-py" / "people.txt"
    people.write_text(PEOPLE_10FOLD.replace("Di_Ho", "Nobody"))
    with pytest.raises(ValueError, match="line 6: 'Nobody' is not a known identity"):
        LFWPeople(lfw)
    people.write_text("2\n2\nAnn_Lee\t3\n")
    with pytest.raises(ValueError, match="inside a fold of 2 people"):
        LFWPeople(lfw)


def test_missing_image_names_the_file(lfw: Path) -> None:
    ds = LFWPairs(lfw)
    Path(ds.data[0][1]).unlink()
    with pytest.raises(FileNotFoundError, match="Ann_Lee_0002.jpg"):
        ds[0]
