"""Datasets read from a directory tree with one sub-directory per class (torchvision's
``DatasetFolder`` and ``ImageFolder``)::

    root/dog/xxx.png
    root/dog/nested/xxy.jpeg
    root/cat/123.png

Classes are the sorted names of the sub-directories of ``root``; files are collected
recursively (following symbolic links) in sorted order, so the sample order is the same on
every machine. Compared with torchvision, the errors are more specific: a missing root says so
(not just ``[Errno 2]``), and a corrupt, truncated or non-image file raises an ``OSError``
naming the file when the sample is loaded.

Examples
--------
>>> import pathlib, tempfile
>>> from PIL import Image
>>> from npgrad.vision.datasets import ImageFolder
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for cls in ("cat", "dog"):
...     (root / cls).mkdir()
...     Image.new("RGB", (4, 3)).save(root / cls / "a.png")
>>> ds = ImageFolder(root)
>>> ds.classes, ds.targets
(['cat', 'dog'], [0, 1])
>>> img, label = ds[1]
>>> img.size, label
((4, 3), 1)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from PIL import Image, UnidentifiedImageError

from npgrad.vision.datasets.vision import VisionDataset

__all__ = [
    "IMG_EXTENSIONS",
    "DatasetFolder",
    "ImageFolder",
    "default_loader",
    "find_classes",
    "has_file_allowed_extension",
    "is_image_file",
    "make_dataset",
    "pil_loader",
]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")

PathLike = str | os.PathLike[str]


def has_file_allowed_extension(filename: str, extensions: str | Sequence[str]) -> bool:
    """Whether ``filename`` ends with one of ``extensions`` (case-insensitive).

    Examples
    --------
    >>> from npgrad.vision.datasets import has_file_allowed_extension
    >>> has_file_allowed_extension("A.JPG", (".jpg", ".png"))
    True
    """
    suffixes = extensions if isinstance(extensions, str) else tuple(extensions)
    return filename.lower().endswith(suffixes)


def is_image_file(filename: str) -> bool:
    """Whether ``filename`` has one of :data:`IMG_EXTENSIONS` (case-insensitive)."""
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def _check_root(directory: str) -> None:
    if not os.path.exists(directory):
        raise FileNotFoundError(f"Dataset root {directory!r} does not exist.")
    if not os.path.isdir(directory):
        raise NotADirectoryError(
            f"Dataset root {directory!r} is not a directory: expected one sub-directory per class."
        )


def find_classes(directory: PathLike) -> tuple[list[str], dict[str, int]]:
    """The class names (sorted sub-directory names) and their indices.

    Raises
    ------
    FileNotFoundError
        When ``directory`` does not exist or has no sub-directory.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from npgrad.vision.datasets import find_classes
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b", "a"):
    ...     (root / name).mkdir()
    >>> find_classes(root)
    (['a', 'b'], {'a': 0, 'b': 1})
    """
    directory = os.path.expanduser(os.fspath(directory))
    _check_root(directory)
    with os.scandir(directory) as entries:
        classes = sorted(entry.name for entry in entries if entry.is_dir())
    if not classes:
        raise FileNotFoundError(
            f"Couldn't find any class folder in {directory}: expected one sub-directory per "
            "class, e.g. root/cat/001.png and root/dog/002.png."
        )
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(
    directory: PathLike,
    class_to_idx: dict[str, int] | None = None,
    extensions: str | Sequence[str] | None = None,
    is_valid_file: Callable[[str], bool] | None = None,
    allow_empty: bool = False,
) -> list[tuple[str, int]]:
    """The ``(path, class_index)`` samples under ``directory``, in sorted order.

    Parameters
    ----------
    directory : path
        The root directory.
    class_to_idx : dict, optional
        Class name → index; :func:`find_classes` by default.
    extensions : str or sequence of str, optional
        Allowed file extensions (case-insensitive). Exactly one of ``extensions`` and
        ``is_valid_file`` must be given.
    is_valid_file : callable, optional
        ``is_valid_file(path) -> bool`` selects the files.
    allow_empty : bool, optional
        Allow classes without any valid file (otherwise ``FileNotFoundError``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from npgrad.vision.datasets import make_dataset
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "x").mkdir()
    >>> _ = (root / "x" / "1.TXT").write_text("one")
    >>> [(pathlib.Path(p).name, c) for p, c in make_dataset(root, extensions=".txt")]
    [('1.TXT', 0)]
    """
    directory = os.path.expanduser(os.fspath(directory))
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    both_none = extensions is None and is_valid_file is None
    both_something = extensions is not None and is_valid_file is not None
    if both_none or both_something:
        raise ValueError(
            "Both extensions and is_valid_file cannot be None or not None at the same time"
        )
    if extensions is not None:
        allowed = extensions

        def is_valid_file(path: str) -> bool:
            return has_file_allowed_extension(path, allowed)

    assert is_valid_file is not None  # for type checkers: set just above
    instances: list[tuple[str, int]] = []
    available: set[str] = set()
    for target_class in sorted(class_to_idx):
        class_index = class_to_idx[target_class]
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for root, _, fnames in sorted(os.walk(target_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_index))
                    available.add(target_class)
    empty = set(class_to_idx) - available
    if empty and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            ext = extensions if isinstance(extensions, str) else ", ".join(extensions)
            msg += f"Supported extensions are: {ext}"
        raise FileNotFoundError(msg)
    return instances


def pil_loader(path: PathLike) -> Image.Image:
    """Open an image file with Pillow and convert it to RGB, reading it completely.

    Raises
    ------
    PIL.UnidentifiedImageError
        (an ``OSError``) when the file is not an image Pillow can read; the message names it.
    OSError
        When the image is corrupt or truncated; the message names the file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from npgrad.vision.datasets import pil_loader
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "notes.png"
    >>> _ = bad.write_text("not an image")
    >>> pil_loader(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    PIL.UnidentifiedImageError: cannot identify image file '.../notes.png': ...
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            img = Image.open(f)
            # convert() forces the decoding while the file is open: a truncated or corrupt
            # image fails here, with its name, not later inside a transform
            return img.convert("RGB")
    except FileNotFoundError:
        raise
    except UnidentifiedImageError as e:
        raise UnidentifiedImageError(
            f"cannot identify image file {path!r}: it is not an image, or not in a format "
            "Pillow can read"
        ) from e
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        # Pillow reports a truncated JPEG as OSError("image file is truncated ...") and some
        # corrupt PNGs as SyntaxError: one error type, naming the file
        raise OSError(f"cannot read image file {path!r}: {e} (corrupt or truncated?)") from e


def default_loader(path: PathLike) -> Image.Image:
    """The loader of :class:`ImageFolder`: :func:`pil_loader`."""
    return pil_loader(path)


class DatasetFolder(VisionDataset):
    """A generic dataset of files arranged one class per sub-directory of ``root``.

    Parameters
    ----------
    root : path
        The root directory.
    loader : callable
        ``loader(path)`` returns a sample.
    extensions : str or sequence of str, optional
        Allowed extensions (case-insensitive); exclusive with ``is_valid_file``.
    transform, target_transform : callable, optional
        Applied to the loaded sample and to the class index.
    is_valid_file : callable, optional
        ``is_valid_file(path) -> bool`` selects the files.
    allow_empty : bool, optional
        Allow classes without any valid file.

    Attributes
    ----------
    classes : list of str
        Sorted class names.
    class_to_idx : dict
        Class name → index.
    samples : list of (str, int)
        ``(path, class_index)`` pairs.
    targets : list of int
        The class index of each sample.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from npgrad.vision.datasets import DatasetFolder
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "words").mkdir()
    >>> _ = (root / "words" / "a.txt").write_text("hello")
    >>> ds = DatasetFolder(root, loader=lambda p: pathlib.Path(p).read_text(), extensions=".txt")
    >>> ds[0]
    ('hello', 0)
    """

    def __init__(
        self,
        root: PathLike,
        loader: Callable[[str], Any],
        extensions: str | Sequence[str] | None = None,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        assert self.root is not None
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(
            self.root,
            class_to_idx=class_to_idx,
            extensions=extensions,
            is_valid_file=is_valid_file,
            allow_empty=allow_empty,
        )
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(
        directory: PathLike,
        class_to_idx: dict[str, int],
        extensions: str | Sequence[str] | None = None,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
    ) -> list[tuple[str, int]]:
        """The samples; override to change how files are collected."""
        if class_to_idx is None:
            # unlike the function, the method needs the classes found by find_classes
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(
            directory,
            class_to_idx,
            extensions=extensions,
            is_valid_file=is_valid_file,
            allow_empty=allow_empty,
        )

    def find_classes(self, directory: PathLike) -> tuple[list[str], dict[str, int]]:
        """The classes; override for a layout other than one folder per class."""
        return find_classes(directory)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self) -> int:
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """Images arranged one class per sub-directory; samples are RGB ``PIL.Image``s.

    Files with one of :data:`IMG_EXTENSIONS` (case-insensitive) are collected unless
    ``is_valid_file`` is given. ``imgs`` is an alias of ``samples``.

    Parameters
    ----------
    root : path
        The root directory.
    transform, target_transform : callable, optional
        Applied to the image and to the class index, e.g. ``transforms.ToTensor()``.
    loader : callable, optional
        ``loader(path)`` returns an image; :func:`default_loader` by default.
    is_valid_file : callable, optional
        Selects the files instead of the extension list.
    allow_empty : bool, optional
        Allow classes without any image.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from PIL import Image
    >>> from npgrad.data import transforms as T
    >>> from npgrad.vision.datasets import ImageFolder
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "red").mkdir()
    >>> Image.new("RGB", (5, 2), (255, 0, 0)).save(root / "red" / "r.PNG")
    >>> x, y = ImageFolder(root, transform=T.ToTensor())[0]
    >>> x.shape, y
    (npgrad.Size([3, 2, 5]), 0)
    """

    def __init__(
        self,
        root: PathLike,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        loader: Callable[[str], Any] = default_loader,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
    ) -> None:
        super().__init__(
            root,
            loader,
            IMG_EXTENSIONS if is_valid_file is None else None,
            transform=transform,
            target_transform=target_transform,
            is_valid_file=is_valid_file,
            allow_empty=allow_empty,
        )
        self.imgs = self.samples
