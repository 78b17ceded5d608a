"""DatasetFolder / ImageFolder: torchvision's semantics on generated trees and real photos."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, UnidentifiedImageError

from npgrad.data import DataLoader
from npgrad.data import transforms as T
from npgrad.vision.datasets import (
    IMG_EXTENSIONS,
    DatasetFolder,
    ImageFolder,
    find_classes,
    has_file_allowed_extension,
    is_image_file,
    make_dataset,
    pil_loader,
)


def save(path: Path, color: tuple[int, int, int] = (255, 0, 0), size=(6, 4)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """root/{cat,dog,fish}: images with upper/lower-case extensions, nested dirs, a text file."""
    root = tmp_path / "root"
    save(root / "dog" / "b.png", (0, 255, 0))
    save(root / "dog" / "a.JPG", (0, 0, 255))
    save(root / "dog" / "nested" / "c.Png", (9, 9, 9))
    save(root / "cat" / "z.bmp", (255, 255, 0))
    (root / "cat" / "notes.txt").write_text("not an image")
    save(root / "fish" / "x.webp", (1, 2, 3))
    (root / "stray.png").write_bytes(b"")  # a file at the top level is not a class
    return root


def names(samples: list[tuple[str, int]], root: Path) -> list[tuple[str, int]]:
    return [(Path(p).relative_to(root).as_posix(), c) for p, c in samples]


def test_image_folder_semantics(tree: Path) -> None:
    ds = ImageFolder(tree)
    assert ds.classes == ["cat", "dog", "fish"]
    assert ds.class_to_idx == {"cat": 0, "dog": 1, "fish": 2}
    # sorted walk: files of a directory before its sub-directories, names sorted (case-sensitive)
    assert names(ds.samples, tree) == [
        ("cat/z.bmp", 0),
        ("dog/a.JPG", 1),
        ("dog/b.png", 1),
        ("dog/nested/c.Png", 1),
        ("fish/x.webp", 2),
    ]
    assert ds.targets == [0, 1, 1, 1, 2]
    assert ds.imgs is ds.samples
    assert len(ds) == 5
    img, label = ds[2]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (6, 4)
    assert img.getpixel((0, 0)) == (0, 255, 0) and label == 1


def test_extensions_are_case_insensitive() -> None:
    assert IMG_EXTENSIONS == (
        ".jpg",
        ".jpeg",
        ".png",
        ".ppm",
        ".bmp",
        ".pgm",
        ".tif",
        ".tiff",
        ".webp",
    )
    assert is_image_file("A.TIFF") and is_image_file("b.JpEg") and not is_image_file("c.gif")
    assert has_file_allowed_extension("x.NPY", ".npy")
    assert not has_file_allowed_extension("x.npy.txt", [".npy"])


def test_transforms_and_dataloader(tree: Path) -> None:
    ds = ImageFolder(
        tree,
        transform=T.Compose([T.Resize((2, 3)), T.ToTensor()]),
        target_transform=lambda t: t * 10,
    )
    x, y = ds[0]
    assert x.shape == (3, 2, 3) and y == 0
    np.testing.assert_allclose(x.numpy()[:, 0, 0], [1.0, 1.0, 0.0])
    xb, yb = next(iter(DataLoader(ds, batch_size=5)))
    assert xb.shape == (5, 3, 2, 3) and yb.tolist() == [0, 10, 10, 10, 20]


def test_is_valid_file_replaces_extensions(tree: Path) -> None:
    ds = ImageFolder(tree, is_valid_file=lambda p: p.endswith(".txt"), allow_empty=True)
    assert names(ds.samples, tree) == [("cat/notes.txt", 0)]
    assert ds.classes == ["cat", "dog", "fish"]


def test_dataset_folder_with_custom_loader(tree: Path) -> None:
    ds = DatasetFolder(
        tree, loader=lambda p: Path(p).read_text(), extensions=".txt", allow_empty=True
    )
    assert ds[0] == ("not an image", 0) and ds.extensions == ".txt"


def test_empty_class_is_an_error_unless_allowed(tree: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        DatasetFolder(tree, loader=str, extensions=(".txt",))
    assert (
        str(info.value)
        == "Found no valid file for the classes dog, fish. Supported extensions are: .txt"
    )
    ds = DatasetFolder(tree, loader=str, extensions=(".txt",), allow_empty=True)
    assert ds.classes == ["cat", "dog", "fish"] and ds.targets == [0]


def test_extensions_and_is_valid_file_exclusive(tree: Path) -> None:
    message = "Both extensions and is_valid_file cannot be None or not None at the same time"
    with pytest.raises(ValueError, match=message):
        make_dataset(tree)
    with pytest.raises(ValueError, match=message):
        make_dataset(tree, extensions=".png", is_valid_file=bool)


def test_make_dataset_function_and_method(tree: Path) -> None:
    samples = make_dataset(str(tree), {"dog": 7}, extensions=IMG_EXTENSIONS)
    assert [c for _, c in samples] == [7, 7, 7]
    with pytest.raises(ValueError, match="must have at least one entry"):
        make_dataset(tree, {}, extensions=".png")
    with pytest.raises(ValueError, match="class_to_idx parameter cannot be None"):
        DatasetFolder.make_dataset(tree, None, extensions=".png")  # type: ignore[arg-type]
    # a class with no directory is skipped, then reported as empty
    with pytest.raises(FileNotFoundError, match="classes bird"):
        make_dataset(tree, {"bird": 0, "dog": 1}, extensions=IMG_EXTENSIONS)


def test_find_classes_can_be_overridden(tree: Path) -> None:
    class OnlyDogs(ImageFolder):
        def find_classes(self, directory):
            return ["dog"], {"dog": 0}

    ds = OnlyDogs(tree)
    assert ds.classes == ["dog"] and ds.targets == [0, 0, 0]


def test_find_classes_and_expanduser(tree: Path, monkeypatch) -> None:
    assert find_classes(tree) == (["cat", "dog", "fish"], {"cat": 0, "dog": 1, "fish": 2})
    monkeypatch.setenv("HOME", str(tree.parent))
    assert ImageFolder("~/root").root == str(tree)


def test_symlinked_class_directories_are_followed(tree: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    save(other / "deep" / "q.png")
    os.symlink(other, tree / "bird", target_is_directory=True)
    ds = ImageFolder(tree)
    assert "bird" in ds.classes and names(ds.samples, tree)[0] == ("bird/deep/q.png", 0)


# ---- errors ------------------------------------------------------------------------------------
def test_missing_root(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(FileNotFoundError, match=f"Dataset root '{missing}' does not exist"):
        ImageFolder(missing)


def test_root_is_a_file(tmp_path: Path) -> None:
    f = tmp_path / "file.png"
    f.write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="is not a directory"):
        ImageFolder(f)


def test_root_without_class_folders(tmp_path: Path) -> None:
    save(tmp_path / "a.png")
    with pytest.raises(FileNotFoundError) as info:
        ImageFolder(tmp_path)
    assert f"Couldn't find any class folder in {tmp_path}" in str(info.value)
    assert "one sub-directory per class" in str(info.value)


def test_text_file_named_png_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "root" / "cls" / "fake.png"
    bad.parent.mkdir(parents=True)
    bad.write_text("I am text, not a PNG")
    ds = ImageFolder(tmp_path / "root")
    with pytest.raises(UnidentifiedImageError) as info:
        ds[0]
    assert str(bad) in str(info.value) and "not an image" in str(info.value)
    assert isinstance(info.value, OSError)


def test_truncated_jpeg_names_the_file(tmp_path: Path, shared_images: Path) -> None:
    data = (shared_images / "china.jpg").read_bytes()
    bad = tmp_path / "root" / "photos" / "truncated.jpg"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(data[: len(data) // 2])
    ds = ImageFolder(tmp_path / "root")
    with pytest.raises(OSError, match="image file is truncated") as info:
        ds[0]
    assert str(bad) in str(info.value)


def test_truncated_png_names_the_file(tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(good)
    bad = tmp_path / "bad.png"
    bad.write_bytes(good.read_bytes()[:300])
    with pytest.raises(OSError, match="bad.png"):
        pil_loader(bad)


def test_missing_file_keeps_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        pil_loader(tmp_path / "gone.png")


def test_real_photos(tmp_path: Path, shared_images: Path) -> None:
    root = tmp_path / "root"
    for name in ("china", "flower"):
        (root / name).mkdir(parents=True)
        os.symlink(shared_images / f"{name}.jpg", root / name / f"{name}.JPG")
    ds = ImageFolder(root, transform=T.Compose([T.CenterCrop(400), T.Resize(32), T.ToTensor()]))
    assert ds.classes == ["china", "flower"]
    x, y = ds[1]
    assert x.shape == (3, 32, 32) and y == 1
    assert float(x.min()) >= 0.0 and float(x.max()) <= 1.0 and float(x.std()) > 0.05
    raw = pil_loader(root / "china" / "china.JPG")
    assert raw.size == (640, 427) and raw.mode == "RGB"


def test_grayscale_images_become_rgb(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    Image.new("L", (3, 3), 77).save(tmp_path / "c" / "g.pgm")
    img, _ = ImageFolder(tmp_path)[0]
    assert img.mode == "RGB" and img.getpixel((1, 1)) == (77, 77, 77)


def test_repr(tree: Path) -> None:
    ds = ImageFolder(tree, transform=T.ToTensor())
    assert repr(ds) == (
        f"Dataset ImageFolder\n    Number of datapoints: 5\n    Root location: {tree}\n"
        "    StandardTransform\nTransform: ToTensor()"
    )
