"""The MNIST family read from IDX files, with torchvision's folder layout::

    root/MNIST/raw/train-images-idx3-ubyte(.gz)     root/FashionMNIST/raw/...  root/KMNIST/raw/...
    root/MNIST/raw/train-labels-idx1-ubyte(.gz)
    root/MNIST/raw/t10k-images-idx3-ubyte(.gz)
    root/MNIST/raw/t10k-labels-idx1-ubyte(.gz)
    root/EMNIST/raw/emnist-<split>-<train|test>-<images-idx3|labels-idx1>-ubyte(.gz)
    root/QMNIST/raw/qmnist-<train|test>-<images-idx3-ubyte|labels-idx2-int>(.gz)
    root/QMNIST/raw/xnist-<images-idx3-ubyte|labels-idx2-int>(.xz)

Each file may be the raw IDX file or its ``.gz`` / ``.xz`` (read directly, never unpacked to
disk). With ``download=True`` the missing files are fetched by
:func:`~npgrad.vision.datasets.utils.download_url`: each mirror of :attr:`MNIST.mirrors` in
turn, MD5 (or SHA-256) verified, written atomically. A file whose header does not match the
IDX format raises ``ValueError`` naming the dataset, its split, the file and the expected
header.

Samples are ``(PIL.Image of mode "L", int label)`` as in torchvision; use
``transform=transforms.ToTensor()`` for a float tensor in ``[0, 1]``.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import shutil
import string
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any

import numpy as np
from PIL import Image

import npgrad
from npgrad.tensor import Tensor
from npgrad.vision.datasets._idx import _uncompressed, read_idx, read_image_file, read_label_file
from npgrad.vision.datasets.utils import download_url
from npgrad.vision.datasets.vision import VisionDataset

__all__ = [
    "EMNIST",
    "KMNIST",
    "MNIST",
    "QMNIST",
    "FashionMNIST",
    "read_idx",
    "read_image_file",
    "read_label_file",
]

PathLike = str | os.PathLike[str]


def _checksums(checksum: str | None) -> tuple[str | None, str | None]:
    """``(md5, sha256)`` from one checksum: 32 hex digits is an MD5 (the published ones), 64
    a SHA-256."""
    if checksum is None:
        return None, None
    if len(checksum) == 64:
        return None, checksum
    if len(checksum) == 32:
        return checksum, None
    raise ValueError(f"checksum {checksum!r} is neither an MD5 (32 hex) nor a SHA-256 (64 hex)")


class MNIST(VisionDataset):
    """The MNIST handwritten digits (60,000 training and 10,000 test 28×28 images).

    Parameters
    ----------
    root : path
        Directory holding ``MNIST/raw/`` (for a subclass, ``<ClassName>/raw/``).
    train : bool, optional
        The training files (``train-*``) or the test files (``t10k-*``).
    transform, target_transform : callable, optional
        Applied to the ``PIL.Image`` and to the int label.
    download : bool, optional
        Fetch the files that are missing from :attr:`mirrors` (checksums verified).
    mirrors : sequence of str, optional
        Base URLs to try in order instead of the class's :attr:`mirrors` (a file's URL is
        mirror + file name).
    progress : bool, optional
        Show a progress bar while downloading.

    Attributes
    ----------
    data : Tensor
        uint8 images ``(N, 28, 28)``.
    targets : Tensor
        int64 labels ``(N,)``.

    Examples
    --------
    >>> import gzip, pathlib, tempfile
    >>> import numpy as np
    >>> from npgrad.vision.datasets import MNIST
    >>> raw = pathlib.Path(tempfile.mkdtemp()) / "MNIST" / "raw"
    >>> raw.mkdir(parents=True)
    >>> header = bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28])
    >>> _ = (raw / "t10k-images-idx3-ubyte").write_bytes(header + bytes(2 * 28 * 28))
    >>> with gzip.open(raw / "t10k-labels-idx1-ubyte.gz", "wb") as f:
    ...     _ = f.write(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]))
    >>> ds = MNIST(raw.parent.parent, train=False)
    >>> img, label = ds[1]
    >>> img.size, img.mode, label
    ((28, 28), 'L', 3)
    """

    mirrors: Sequence[str] = (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    )
    #: ``(file name, checksum)``: an MD5 (32 hex digits) or a SHA-256 (64) of the ``.gz`` file
    resources: Sequence[tuple[str, str | None]] = (
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    )
    classes: list[str] = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

    def __init__(
        self,
        root: PathLike,
        train: bool = True,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        download: bool = False,
        mirrors: Sequence[str] | None = None,
        progress: bool | IO[str] = True,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = bool(train)
        if mirrors is not None:
            if isinstance(mirrors, str) or not mirrors:
                raise ValueError(
                    f"{type(self).__name__}: mirrors must be a non-empty list of base URLs, "
                    f"got {mirrors!r}"
                )
            self.mirrors = list(mirrors)
        self.progress = progress
        if download:
            self.download()
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self) -> str:
        assert self.root is not None
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    def _split_name(self) -> str:
        """The dataset and its split as the user selected them, for error messages."""
        return f"{type(self).__name__}(train={self.train})"

    def _split_files(self) -> tuple[str, str]:
        """The file names (as published, compressed) of this split's images and labels."""
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"

    def _find(self, name: str) -> str | None:
        """The raw form of the file ``name`` or its compressed form, whichever exists (raw
        first)."""
        base = _uncompressed(name)
        for candidate in (base, name) if base != name else (base,):
            path = os.path.join(self.raw_folder, candidate)
            if os.path.isfile(path):
                return path
        return None

    def _missing(self) -> list[str]:
        """This split's files that are absent in either form, as ``raw/base[.gz]``."""
        missing = []
        for name in self._split_files():
            if self._find(name) is None:
                base = _uncompressed(name)
                shown = f"{base}[{name[len(base) :]}]" if base != name else base
                missing.append(os.path.join(self.raw_folder, shown))
        return missing

    def _check_exists(self) -> bool:
        return not self._missing()

    @property
    def images_file(self) -> str:
        """The path of this split's image file (the raw form when neither form exists)."""
        name = self._split_files()[0]
        return self._find(name) or os.path.join(self.raw_folder, _uncompressed(name))

    @property
    def labels_file(self) -> str:
        """The path of this split's label file (the raw form when neither form exists)."""
        name = self._split_files()[1]
        return self._find(name) or os.path.join(self.raw_folder, _uncompressed(name))

    def _read_labels(self, path: str) -> np.ndarray:
        return read_label_file(path)

    def _load_data(self) -> tuple[Tensor, Tensor]:
        missing = self._missing()
        if missing:
            raise RuntimeError(
                f"{self._split_name()}: dataset not found: missing {', '.join(missing)}. "
                "You can use download=True to download it."
            )
        image_path, label_path = self.images_file, self.labels_file
        try:
            images = read_image_file(image_path)
            labels = self._read_labels(label_path)
        except ValueError as e:
            raise ValueError(f"{self._split_name()}: {e}") from e
        except OSError as e:
            raise OSError(f"{self._split_name()}: {e}") from e
        if len(images) != len(labels):
            raise ValueError(
                f"{self._split_name()}: {image_path} holds {len(images)} images but "
                f"{label_path} holds {len(labels)} labels: the files do not belong together"
            )
        return npgrad.from_numpy(images), npgrad.from_numpy(labels)

    def _download_list(self) -> Sequence[tuple[str, str | None]]:
        """The ``(file name, checksum)`` pairs :meth:`download` fetches."""
        return self.resources

    def _download_file(self, filename: str, checksum: str | None) -> str:
        """Fetch ``filename`` from the mirrors into :attr:`raw_folder` (kept if present and
        verified); its path."""
        md5, sha256 = _checksums(checksum)
        path = download_url(
            [(m if m.endswith("/") else m + "/") + filename for m in self.mirrors],
            self.raw_folder,
            filename,
            md5=md5,
            sha256=sha256,
            progress=self.progress,
        )
        return os.fspath(path)

    def download(self) -> None:
        """Download the files that are missing (compressed; a raw file present counts)."""
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, checksum in self._download_list():
            if not os.path.isfile(os.path.join(self.raw_folder, _uncompressed(filename))):
                self._download_file(filename, checksum)

    def _target(self, index: int) -> Any:
        return int(self.targets._data[index])

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        img: Any = Image.fromarray(self.data._data[index])
        target: Any = self._target(index)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return int(self.data.shape[0])

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28×28 grey images of 10 kinds of clothing, in MNIST's format.

    Same parameters as :class:`MNIST`; the files live in ``root/FashionMNIST/raw/``.

    Examples
    --------
    >>> from npgrad.vision.datasets import FashionMNIST
    >>> FashionMNIST.classes[:3]
    ['T-shirt/top', 'Trouser', 'Pullover']
    """

    mirrors: Sequence[str] = (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    )
    resources: Sequence[tuple[str, str | None]] = (
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    )
    classes: list[str] = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]


class KMNIST(MNIST):
    """Kuzushiji-MNIST: 28×28 grey images of 10 cursive Japanese (hiragana) characters, in
    MNIST's format.

    Same parameters as :class:`MNIST`; the files live in ``root/KMNIST/raw/``.

    Examples
    --------
    >>> from npgrad.vision.datasets import KMNIST
    >>> KMNIST.classes[:4]
    ['o', 'ki', 'su', 'tsu']
    """

    mirrors: Sequence[str] = ("http://codh.rois.ac.jp/kmnist/dataset/kmnist/",)
    resources: Sequence[tuple[str, str | None]] = (
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    )
    classes: list[str] = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


def _check_choice(dataset: str, arg: str, value: Any, valid: Sequence[str]) -> str:
    """``value`` when it is one of ``valid``; a ``ValueError`` naming the dataset otherwise
    (torchvision's ``verify_str_arg`` raises ``ValueError`` for a non-string too)."""
    if not isinstance(value, str) or value not in valid:
        raise ValueError(
            f"{dataset}: unknown {arg} {value!r}; valid values are "
            f"{', '.join(repr(v) for v in valid)}"
        )
    return value


# EMNIST's merged classes: these lowercase letters look like their capitals and share a class
_EMNIST_MERGED = set("cijklmopsuvwxyz")
_EMNIST_ALL = set(string.digits + string.ascii_letters)


class EMNIST(MNIST):
    """Extended MNIST: handwritten digits and letters from NIST Special Database 19, as 28×28
    grey images in MNIST's format, in six splits.

    - ``byclass``: 62 classes, the digits, uppercase and lowercase letters;
    - ``bymerge``: 47 classes, as byclass with 15 lowercase letters (``c i j k l m o p s u v w
      x y z``) merged into their capitals;
    - ``balanced``: the 47 bymerge classes, the same number of samples each;
    - ``letters``: 27 classes, ``"N/A"`` then ``a``–``z`` (labels 1–26, case merged);
    - ``digits``: the 10 digits, balanced;
    - ``mnist``: the 10 digits, with MNIST's sizes.

    The images are returned exactly as the IDX files store them, as torchvision does: EMNIST
    stores each image **transposed** (rows are the glyph's columns), so a letter shows mirrored
    and rotated. Pass ``transform=lambda img: img.transpose(Image.Transpose.TRANSPOSE)`` (before
    any other transform) to see them upright.

    Parameters
    ----------
    root : path
        Directory holding ``EMNIST/raw/``: ``emnist-<split>-<train|test>-images-idx3-ubyte``
        and ``...-labels-idx1-ubyte``, each raw or ``.gz``.
    split : str
        One of :attr:`splits`.
    train, transform, target_transform, download, mirrors, progress
        As for :class:`MNIST`. ``download=True`` fetches NIST's ``gzip.zip`` (about 560 MB, MD5
        verified; kept in ``raw/`` as torchvision keeps it) and extracts every split's ``.gz``
        files from it, unless this split's files are present.

    Attributes
    ----------
    classes : list of str
        The split's class names (:attr:`classes_split_dict`).

    Raises
    ------
    ValueError
        For an unknown ``split``, or a file whose IDX header is wrong (the message names the
        split and the file).

    Examples
    --------
    >>> from npgrad.vision.datasets import EMNIST
    >>> EMNIST.splits
    ('byclass', 'bymerge', 'balanced', 'letters', 'digits', 'mnist')
    >>> EMNIST.classes_split_dict["letters"][:4], len(EMNIST.classes_split_dict["balanced"])
    (['N/A', 'a', 'b', 'c'], 47)
    """

    mirrors: Sequence[str] = ("https://biometrics.nist.gov/cs_links/EMNIST/",)
    resources: Sequence[tuple[str, str | None]] = (
        ("gzip.zip", "58c8d27c78d21e728a6bc7b3cc06412e"),
    )
    splits: tuple[str, ...] = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    classes_split_dict: dict[str, list[str]] = {
        "byclass": sorted(_EMNIST_ALL),
        "bymerge": sorted(_EMNIST_ALL - _EMNIST_MERGED),
        "balanced": sorted(_EMNIST_ALL - _EMNIST_MERGED),
        "letters": ["N/A", *string.ascii_lowercase],
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(
        self,
        root: PathLike,
        split: str,
        *,
        train: bool = True,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        download: bool = False,
        mirrors: Sequence[str] | None = None,
        progress: bool | IO[str] = True,
    ) -> None:
        self.split = _check_choice("EMNIST", "split", split, self.splits)
        super().__init__(
            root,
            train=train,
            transform=transform,
            target_transform=target_transform,
            download=download,
            mirrors=mirrors,
            progress=progress,
        )
        self.classes = list(self.classes_split_dict[self.split])

    def _split_name(self) -> str:
        return f"{type(self).__name__}(split={self.split!r}, train={self.train})"

    def _split_files(self) -> tuple[str, str]:
        prefix = f"emnist-{self.split}-{'train' if self.train else 'test'}"
        return f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"

    def download(self) -> None:
        """Download and extract the archive unless this split's files are present."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, checksum in self._download_list():
            archive = self._download_file(filename, checksum)
            _extract_gz_members(archive, self.raw_folder, self._split_name())
        missing = self._missing()
        if missing:
            raise RuntimeError(
                f"{self._split_name()}: the downloaded archive has no {', '.join(missing)}"
            )


def _extract_gz_members(archive: str, dest: str, who: str) -> None:
    """Copy every ``.gz`` member of the zip ``archive`` into ``dest`` under its base name (still
    compressed), skipping files present in either form; each is written to a temporary file
    and renamed, so an interrupted extraction leaves no partial file."""
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                # the base name only: a member name cannot place a file outside dest
                name = posixpath.basename(info.filename)
                if info.is_dir() or not name.endswith(".gz"):
                    continue
                target = os.path.join(dest, name)
                if os.path.isfile(target) or os.path.isfile(_uncompressed(target)):
                    continue
                fd, tmp = tempfile.mkstemp(dir=dest, prefix=f".{name}.", suffix=".part")
                try:
                    with os.fdopen(fd, "wb") as out, zf.open(info) as src:
                        shutil.copyfileobj(src, out, 1 << 20)
                    os.replace(tmp, target)
                except BaseException:
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(tmp)
                    raise
    except (zipfile.BadZipFile, EOFError) as e:
        raise zipfile.BadZipFile(
            f"{who}: {archive}: corrupt or truncated zip archive ({e}); delete it and retry"
        ) from e


class QMNIST(MNIST):
    """QMNIST: MNIST's 60,000 training images and the 60,000 test images reconstructed from
    NIST, each with its full provenance.

    Parameters
    ----------
    root : path
        Directory holding ``QMNIST/raw/`` (``qmnist-train-*``, ``qmnist-test-*``,
        ``xnist-*``; each raw or compressed as published).
    what : str, optional
        ``"train"`` (the 60,000 MNIST-compatible training images), ``"test"`` (the 60,000 test
        images), ``"test10k"`` (its first 10,000: those of MNIST's test set), ``"test50k"`` (the
        50,000 others) or ``"nist"`` (all NIST digits). ``None``: ``"train"`` or ``"test"``
        following ``train``.
    compat : bool, optional
        The target is the int class label (as MNIST) when true, else the int64 tensor of the
        8 columns of :attr:`targets`.
    train : bool, optional
        Chooses ``what`` when it is ``None``.
    transform, target_transform, download, mirrors, progress
        As for :class:`MNIST`; ``download=True`` fetches only the two files ``what`` needs.

    Attributes
    ----------
    data : Tensor
        uint8 images ``(N, 28, 28)``.
    targets : Tensor
        int64 ``(N, 8)``: class, NIST HSF series, writer id, digit index for the writer, NIST
        class code, global NIST index, duplicate, unused.

    Examples
    --------
    >>> from npgrad.vision.datasets import QMNIST
    >>> sorted(QMNIST.subsets)
    ['nist', 'test', 'test10k', 'test50k', 'train']
    >>> [name for name, _ in QMNIST.resources["nist"]]
    ['xnist-images-idx3-ubyte.xz', 'xnist-labels-idx2-int.xz']
    """

    mirrors: Sequence[str] = ("https://raw.githubusercontent.com/facebookresearch/qmnist/master/",)
    #: which files each value of ``what`` reads
    subsets: dict[str, str] = {
        "train": "train",
        "test": "test",
        "test10k": "test",
        "test50k": "test",
        "nist": "nist",
    }
    resources: Mapping[str, Sequence[tuple[str, str | None]]] = {  # type: ignore[assignment]
        "train": (
            ("qmnist-train-images-idx3-ubyte.gz", "ed72d4157d28c017586c42bc6afe6370"),
            ("qmnist-train-labels-idx2-int.gz", "0058f8dd561b90ffdd0f734c6a30e5e4"),
        ),
        "test": (
            ("qmnist-test-images-idx3-ubyte.gz", "1394631089c404de565df7b7aeaf9412"),
            ("qmnist-test-labels-idx2-int.gz", "5b5b05890a5e13444e108efe57b788aa"),
        ),
        "nist": (
            ("xnist-images-idx3-ubyte.xz", "7f124b3b8ab81486c9d8c2749c17f834"),
            ("xnist-labels-idx2-int.xz", "5ed0e788978e45d4a8bd4b7caec3d79d"),
        ),
    }
    #: ``test10k`` / ``test50k``: the test files' rows before / from this index
    _TEST10K = 10000

    def __init__(
        self,
        root: PathLike,
        what: str | None = None,
        compat: bool = True,
        train: bool = True,
        *,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        download: bool = False,
        mirrors: Sequence[str] | None = None,
        progress: bool | IO[str] = True,
    ) -> None:
        if what is None:
            what = "train" if train else "test"
        self.what = _check_choice("QMNIST", "what", what, tuple(self.subsets))
        self.compat = bool(compat)
        super().__init__(
            root,
            train=train,
            transform=transform,
            target_transform=target_transform,
            download=download,
            mirrors=mirrors,
            progress=progress,
        )

    def _split_name(self) -> str:
        return f"{type(self).__name__}(what={self.what!r})"

    def _download_list(self) -> Sequence[tuple[str, str | None]]:
        return self.resources[self.subsets[self.what]]

    def _split_files(self) -> tuple[str, str]:
        (images, _), (labels, _) = self._download_list()
        return images, labels

    def _read_labels(self, path: str) -> np.ndarray:
        # int32 (N, 8) rows: the class label and NIST's provenance of the image
        return read_idx(path, 0x0C, 2).astype(np.int64)

    def _load_data(self) -> tuple[Tensor, Tensor]:
        data, targets = super()._load_data()
        if self.what in ("test10k", "test50k"):
            rows = (
                slice(None, self._TEST10K) if self.what == "test10k" else slice(self._TEST10K, None)
            )
            # copies, as torchvision's clone(): the full arrays are not kept alive
            return (
                npgrad.from_numpy(data._data[rows].copy()),
                npgrad.from_numpy(targets._data[rows].copy()),
            )
        return data, targets

    def _target(self, index: int) -> Any:
        return int(self.targets._data[index, 0]) if self.compat else self.targets[index]

    def extra_repr(self) -> str:
        return f"Split: {self.what}"
